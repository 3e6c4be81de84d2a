//! ZITADEL's v1 policy endpoints, the only way ZITADEL's APIs write most settings:
//! instance defaults through `zitadel.admin.v1.AdminService` (`PUT /admin/v1/policies/…`,
//! `iam.policy.write`) and org overrides through `zitadel.management.v1.ManagementService`
//! (`POST/PUT/DELETE /management/v1/policies/…`, `policy.write` / `policy.delete`), with the org
//! chosen by the `x-zitadel-orgid` header (default: the caller's org). Admin v1's org-level
//! domain policy calls (`/admin/v1/orgs/{orgId}/policies/domain`) name the org in the path.
//! `Get…Policy` reads answer the instance's default (admin, `iam.policy.read`) or the org's
//! effective policy with `isDefault` (management, `policy.read`).
//!
//! Differences from ZITADEL: a label (branding) policy takes effect at once (ZITADEL keeps a
//! preview until `ActivateCustomLabelPolicy`); asset uploads (logos, fonts) are not served.
//! These v1 methods are not in the v2 coverage list.

mod policies;
mod reads;
pub mod wire;

use axum::Router;
use castellan_core::permission::{
    IAM_POLICY_READ, IAM_POLICY_WRITE, POLICY_DELETE, POLICY_READ, POLICY_WRITE,
};
use castellan_core::settings::{
    DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, PasswordAgePolicy,
    PasswordComplexityPolicy, PrivacyPolicy,
};

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;
use policies::{add_org, reset_org, update_instance, update_org};
use wire::{
    DomainPolicyRequest, LabelPolicyRequest, LockoutPolicyRequest, LoginPolicyRequest,
    PasswordAgePolicyRequest, PasswordComplexityPolicyRequest, PrivacyPolicyRequest,
};

pub const ADMIN_SERVICE: &str = "zitadel.admin.v1.AdminService";
pub const MANAGEMENT_SERVICE: &str = "zitadel.management.v1.ManagementService";

const fn rest(method: &'static str, path: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method,
        path,
        body: "*",
        success_code: 200,
        repeated: &[],
    })
}

/// On the org of the `x-zitadel-orgid` header, else the caller's.
const fn on_org(permission: &'static str) -> Access {
    Access::Org {
        permission,
        field: "",
    }
}

const INSTANCE: Access = Access::Instance(IAM_POLICY_WRITE);

const fn get(path: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method: "GET",
        path,
        body: "",
        success_code: 200,
        repeated: &[],
    })
}

/// `Get…Policy` of admin v1 (instance) and management v1 (org) for one kind.
macro_rules! reads {
    ($name:literal, $admin:literal, $management:literal, $policy:ty) => {
        [
            (
                true,
                rpc(
                    concat!("Get", $name, "Policy"),
                    get($admin),
                    Access::Instance(IAM_POLICY_READ),
                    reads::get_instance::<$policy>,
                ),
            ),
            (
                false,
                rpc(
                    concat!("Get", $name, "Policy"),
                    get($management),
                    on_org(POLICY_READ),
                    reads::get_org::<$policy>,
                ),
            ),
        ]
    };
}

/// (admin?, rpc) for every v1 read.
fn read_rpcs() -> Vec<(bool, Rpc)> {
    [
        reads!(
            "Login",
            "/admin/v1/policies/login",
            "/management/v1/policies/login",
            LoginPolicy
        ),
        reads!(
            "PasswordComplexity",
            "/admin/v1/policies/password/complexity",
            "/management/v1/policies/password/complexity",
            PasswordComplexityPolicy
        ),
        reads!(
            "PasswordAge",
            "/admin/v1/policies/password/age",
            "/management/v1/policies/password/age",
            PasswordAgePolicy
        ),
        reads!(
            "Lockout",
            "/admin/v1/policies/lockout",
            "/management/v1/policies/lockout",
            LockoutPolicy
        ),
        reads!(
            "Domain",
            "/admin/v1/policies/domain",
            "/management/v1/policies/domain",
            DomainPolicy
        ),
        reads!(
            "Privacy",
            "/admin/v1/policies/privacy",
            "/management/v1/policies/privacy",
            PrivacyPolicy
        ),
        reads!(
            "Label",
            "/admin/v1/policies/label",
            "/management/v1/policies/label",
            LabelPolicy
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn admin_rpcs() -> Vec<Rpc> {
    let reads = read_rpcs()
        .into_iter()
        .filter_map(|(admin, rpc)| admin.then_some(rpc));
    reads.chain(admin_writes()).chain(event_rpcs()).collect()
}

/// The Event API (`crate::events`).
fn event_rpcs() -> Vec<Rpc> {
    let events = Access::Instance(castellan_core::permission::EVENTS_READ);
    vec![
        rpc(
            "ListEvents",
            rest("POST", "/admin/v1/events/_search"),
            events,
            crate::events::list_events,
        ),
        rpc(
            "ListEventTypes",
            rest("POST", "/admin/v1/events/types/_search"),
            events,
            crate::events::list_event_types,
        ),
        rpc(
            "ListAggregateTypes",
            rest("POST", "/admin/v1/aggregates/types/_search"),
            events,
            crate::events::list_aggregate_types,
        ),
    ]
}

fn admin_writes() -> Vec<Rpc> {
    vec![
        rpc(
            "UpdateLoginPolicy",
            rest("PUT", "/admin/v1/policies/login"),
            INSTANCE,
            update_instance::<LoginPolicyRequest>,
        ),
        rpc(
            "UpdatePasswordComplexityPolicy",
            rest("PUT", "/admin/v1/policies/password/complexity"),
            INSTANCE,
            update_instance::<PasswordComplexityPolicyRequest>,
        ),
        rpc(
            "UpdatePasswordAgePolicy",
            rest("PUT", "/admin/v1/policies/password/age"),
            INSTANCE,
            update_instance::<PasswordAgePolicyRequest>,
        ),
        rpc(
            "UpdateLockoutPolicy",
            rest("PUT", "/admin/v1/policies/lockout"),
            INSTANCE,
            update_instance::<LockoutPolicyRequest>,
        ),
        rpc(
            "UpdateDomainPolicy",
            rest("PUT", "/admin/v1/policies/domain"),
            INSTANCE,
            update_instance::<DomainPolicyRequest>,
        ),
        rpc(
            "UpdatePrivacyPolicy",
            rest("PUT", "/admin/v1/policies/privacy"),
            INSTANCE,
            update_instance::<PrivacyPolicyRequest>,
        ),
        rpc(
            "UpdateLabelPolicy",
            rest("PUT", "/admin/v1/policies/label"),
            INSTANCE,
            update_instance::<LabelPolicyRequest>,
        ),
        rpc(
            "AddCustomDomainPolicy",
            rest("POST", "/admin/v1/orgs/{orgId}/policies/domain"),
            Access::Org {
                permission: IAM_POLICY_WRITE,
                field: "orgId",
            },
            add_org::<DomainPolicyRequest>,
        ),
        rpc(
            "UpdateCustomDomainPolicy",
            rest("PUT", "/admin/v1/orgs/{orgId}/policies/domain"),
            Access::Org {
                permission: IAM_POLICY_WRITE,
                field: "orgId",
            },
            update_org::<DomainPolicyRequest>,
        ),
        rpc(
            "ResetCustomDomainPolicyToDefault",
            rest("DELETE", "/admin/v1/orgs/{orgId}/policies/domain"),
            Access::Org {
                permission: IAM_POLICY_WRITE,
                field: "orgId",
            },
            reset_org::<DomainPolicy>,
        ),
    ]
}

/// Add / Update / Reset of one org-overridable policy kind.
macro_rules! org_policy {
    ($name:literal, $path:literal, $request:ty, $policy:ty) => {
        [
            rpc(
                concat!("AddCustom", $name, "Policy"),
                rest("POST", $path),
                on_org(POLICY_WRITE),
                add_org::<$request>,
            ),
            rpc(
                concat!("UpdateCustom", $name, "Policy"),
                rest("PUT", $path),
                on_org(POLICY_WRITE),
                update_org::<$request>,
            ),
            rpc(
                concat!("Reset", $name, "PolicyToDefault"),
                rest("DELETE", $path),
                on_org(POLICY_DELETE),
                reset_org::<$policy>,
            ),
        ]
    };
}

fn management_rpcs() -> Vec<Rpc> {
    let reads = read_rpcs()
        .into_iter()
        .filter_map(|(admin, rpc)| (!admin).then_some(rpc));
    reads.chain(management_writes()).collect()
}

fn management_writes() -> Vec<Rpc> {
    [
        org_policy!(
            "Login",
            "/management/v1/policies/login",
            LoginPolicyRequest,
            LoginPolicy
        ),
        org_policy!(
            "PasswordComplexity",
            "/management/v1/policies/password/complexity",
            PasswordComplexityPolicyRequest,
            PasswordComplexityPolicy
        ),
        org_policy!(
            "PasswordAge",
            "/management/v1/policies/password/age",
            PasswordAgePolicyRequest,
            PasswordAgePolicy
        ),
        org_policy!(
            "Lockout",
            "/management/v1/policies/lockout",
            LockoutPolicyRequest,
            LockoutPolicy
        ),
        org_policy!(
            "Privacy",
            "/management/v1/policies/privacy",
            PrivacyPolicyRequest,
            PrivacyPolicy
        ),
        org_policy!(
            "Label",
            "/management/v1/policies/label",
            LabelPolicyRequest,
            LabelPolicy
        ),
        org_policy!(
            "Domain",
            "/management/v1/policies/domain",
            DomainPolicyRequest,
            DomainPolicy
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router() -> Router<AppState> {
    rpc_router(ADMIN_SERVICE, admin_rpcs()).merge(rpc_router(MANAGEMENT_SERVICE, management_rpcs()))
}
