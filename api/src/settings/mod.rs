//! `zitadel.settings.v2.SettingsService`.
//!
//! Reading: `policy.read` on the org of the request's context (`ctx.orgId`); with
//! `ctx.instance` or no context, on the caller's own org (or the `x-zitadel-orgid` header's).
//! So any member holding `policy.read` somewhere it can name reads the instance's defaults, and
//! instance-wide holders (IAM_OWNER, IAM_OWNER_VIEWER, IAM_LOGIN_CLIENT…) read every org's. A
//! user without any role cannot read settings (ZITADEL's login app reads them with
//! IAM_LOGIN_CLIENT). Security settings need `iam.policy.read` / `iam.policy.write`.
//! Translations: reading needs `policy.read` on the named org (or own org for the instance);
//! writing needs `iam.policy.write`, whichever level is written.

mod get;
pub mod wire;
mod write;

use axum::Router;
use castellan_core::permission::{IAM_POLICY_READ, IAM_POLICY_WRITE, POLICY_READ};

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.settings.v2.SettingsService";

const fn get_rest(path: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method: "GET",
        path,
        body: "",
        success_code: 200,
        repeated: &[],
    })
}

const fn put_rest(path: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method: "PUT",
        path,
        body: "*",
        success_code: 200,
        repeated: &[],
    })
}

const READ: Access = Access::Org {
    permission: POLICY_READ,
    field: "ctx.orgId",
};

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "GetGeneralSettings",
            get_rest("/v2/settings"),
            Access::Org {
                permission: POLICY_READ,
                field: "",
            },
            get::general,
        ),
        rpc(
            "GetLoginSettings",
            get_rest("/v2/settings/login"),
            READ,
            get::login,
        ),
        rpc(
            "GetActiveIdentityProviders",
            get_rest("/v2/settings/login/idps"),
            READ,
            get::active_identity_providers,
        ),
        rpc(
            "GetPasswordComplexitySettings",
            get_rest("/v2/settings/password/complexity"),
            READ,
            get::password_complexity,
        ),
        rpc(
            "GetPasswordExpirySettings",
            get_rest("/v2/settings/password/expiry"),
            READ,
            get::password_expiry,
        ),
        rpc(
            "GetBrandingSettings",
            get_rest("/v2/settings/branding"),
            READ,
            get::branding,
        ),
        rpc(
            "GetDomainSettings",
            get_rest("/v2/settings/domain"),
            READ,
            get::domain,
        ),
        rpc(
            "GetLegalAndSupportSettings",
            get_rest("/v2/settings/legal_support"),
            READ,
            get::legal_and_support,
        ),
        rpc(
            "GetLockoutSettings",
            get_rest("/v2/settings/lockout"),
            READ,
            get::lockout,
        ),
        rpc(
            "GetSecuritySettings",
            get_rest("/v2/settings/security"),
            Access::Instance(IAM_POLICY_READ),
            get::security,
        ),
        rpc(
            "SetSecuritySettings",
            put_rest("/v2/policies/security"),
            Access::Instance(IAM_POLICY_WRITE),
            write::set_security,
        ),
        rpc(
            "GetHostedLoginTranslation",
            get_rest("/v2/settings/hosted_login_translation"),
            Access::Org {
                permission: POLICY_READ,
                field: "organizationId",
            },
            write::get_translation,
        ),
        rpc(
            "SetHostedLoginTranslation",
            put_rest("/v2/settings/hosted_login_translation"),
            Access::Instance(IAM_POLICY_WRITE),
            write::set_translation,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}

/// The Connect paths this service implements.
pub fn served_methods() -> Vec<String> {
    crate::rpc::method_paths(SERVICE, &rpcs())
}
