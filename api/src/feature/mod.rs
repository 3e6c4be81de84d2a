//! `zitadel.feature.v2.FeatureService`.
//!
//! Inheritance system → instance → org → user, as ZITADEL documents: the system level is
//! Castellan's built-in default (every flag off), the instance sets flags (stored as an instance
//! setting, [`castellan_core::settings::Features`]), and ZITADEL's v2 protos define no flags for
//! organizations or users, so those levels only answer details. Every Get reports each flag's
//! `source`. Permissions: `iam.feature.read/write/delete`, `org.feature.*` on the org,
//! `user.feature.*` on the user's owner. System Set/Reset answer PermissionDenied (no system
//! users); GetSystemFeatures is readable by any authenticated caller.

mod handlers;
pub mod wire;

use axum::Router;
use castellan_core::permission::{IAM_FEATURE_READ, IAM_FEATURE_WRITE};

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.feature.v2.FeatureService";

/// Held by no role: there are no system users yet.
const SYSTEM_FEATURE_WRITE: &str = "system.feature.write";
const IAM_FEATURE_DELETE: &str = "iam.feature.delete";
const ORG_FEATURE_READ: &str = "org.feature.read";
const ORG_FEATURE_WRITE: &str = "org.feature.write";
const ORG_FEATURE_DELETE: &str = "org.feature.delete";
const USER_FEATURE_READ: &str = "user.feature.read";
const USER_FEATURE_WRITE: &str = "user.feature.write";
const USER_FEATURE_DELETE: &str = "user.feature.delete";

const fn rest(method: &'static str, path: &'static str, body: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method,
        path,
        body,
        success_code: 200,
        repeated: &[],
    })
}

const fn org(permission: &'static str) -> Access {
    Access::Org {
        permission,
        field: "organizationId",
    }
}

const fn user(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: "user",
        field: "userId",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "GetSystemFeatures",
            rest("GET", "/v2/features/system", ""),
            Access::Authenticated,
            handlers::get_system,
        ),
        rpc(
            "SetSystemFeatures",
            rest("PUT", "/v2/features/system", "*"),
            Access::Instance(SYSTEM_FEATURE_WRITE),
            handlers::system_write,
        ),
        rpc(
            "ResetSystemFeatures",
            rest("DELETE", "/v2/features/system", ""),
            Access::Instance(SYSTEM_FEATURE_WRITE),
            handlers::system_write,
        ),
        rpc(
            "GetInstanceFeatures",
            rest("GET", "/v2/features/instance", ""),
            Access::Instance(IAM_FEATURE_READ),
            handlers::get_instance,
        ),
        rpc(
            "SetInstanceFeatures",
            rest("PUT", "/v2/features/instance", "*"),
            Access::Instance(IAM_FEATURE_WRITE),
            handlers::set_instance,
        ),
        rpc(
            "ResetInstanceFeatures",
            rest("DELETE", "/v2/features/instance", ""),
            Access::Instance(IAM_FEATURE_DELETE),
            handlers::reset_instance,
        ),
        rpc(
            "GetOrganizationFeatures",
            rest("GET", "/v2/features/organization/{organizationId}", ""),
            org(ORG_FEATURE_READ),
            handlers::get_organization,
        ),
        rpc(
            "SetOrganizationFeatures",
            rest("PUT", "/v2/features/organization/{organizationId}", "*"),
            org(ORG_FEATURE_WRITE),
            handlers::organization,
        ),
        rpc(
            "ResetOrganizationFeatures",
            rest("DELETE", "/v2/features/organization/{organizationId}", ""),
            org(ORG_FEATURE_DELETE),
            handlers::organization,
        ),
        rpc(
            "GetUserFeatures",
            rest("GET", "/v2/features/user/{userId}", ""),
            user(USER_FEATURE_READ),
            handlers::get_user,
        ),
        rpc(
            "SetUserFeatures",
            rest("PUT", "/v2/features/user/{userId}", "*"),
            user(USER_FEATURE_WRITE),
            handlers::user,
        ),
        rpc(
            "ResetUserFeatures",
            rest("DELETE", "/v2/features/user/{userId}", ""),
            user(USER_FEATURE_DELETE),
            handlers::user,
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
