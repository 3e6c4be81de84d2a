//! `zitadel.application.v2.ApplicationService`: OIDC, API and SAML applications of projects.

mod convert;
mod handlers;
mod keys;
pub mod wire;

use axum::Router;
use castellan_core::permission::{PROJECT_APP_DELETE, PROJECT_APP_READ, PROJECT_APP_WRITE};
use castellan_readers::queries::owner::{APPLICATION, PROJECT};
use castellan_readers::queries::project::APPLICATION_KEY;

use crate::access::Access;
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.application.v2.ApplicationService";

/// The permission on the application named by the request's `applicationId`.
/// The permission on the application key named by the request's `keyId`.
const fn on_key(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: APPLICATION_KEY,
        field: "keyId",
    }
}

const fn on_app(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: APPLICATION,
        field: "applicationId",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateApplication",
            None,
            Access::Resource {
                permission: PROJECT_APP_WRITE,
                kind: PROJECT,
                field: "projectId",
            },
            handlers::create_application,
        ),
        rpc(
            "GetApplication",
            None,
            on_app(PROJECT_APP_READ),
            handlers::get_application,
        ),
        rpc(
            "ListApplications",
            None,
            Access::Anywhere(PROJECT_APP_READ),
            handlers::list_applications,
        ),
        rpc(
            "UpdateApplication",
            None,
            on_app(PROJECT_APP_WRITE),
            handlers::update_application,
        ),
        rpc(
            "DeleteApplication",
            None,
            on_app(PROJECT_APP_DELETE),
            handlers::delete_application,
        ),
        rpc(
            "DeactivateApplication",
            None,
            on_app(PROJECT_APP_WRITE),
            handlers::deactivate_application,
        ),
        rpc(
            "ReactivateApplication",
            None,
            on_app(PROJECT_APP_WRITE),
            handlers::reactivate_application,
        ),
        rpc(
            "GenerateClientSecret",
            None,
            on_app(PROJECT_APP_WRITE),
            handlers::generate_client_secret,
        ),
        rpc(
            "CreateApplicationKey",
            None,
            on_app(PROJECT_APP_WRITE),
            keys::create_key,
        ),
        rpc(
            "GetApplicationKey",
            None,
            on_key(PROJECT_APP_READ),
            keys::get_key,
        ),
        rpc(
            "ListApplicationKeys",
            None,
            Access::Anywhere(PROJECT_APP_READ),
            keys::list_keys,
        ),
        rpc(
            "DeleteApplicationKey",
            None,
            on_key(PROJECT_APP_WRITE),
            keys::delete_key,
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
