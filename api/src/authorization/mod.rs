//! `zitadel.authorization.v2.AuthorizationService`: authorizations ("user grants"), a user's role
//! keys on a project given by the org that owns it or holds a grant of it.
//!
//! The service has no REST bindings in ZITADEL's proto: it is served over Connect only.
//! Decisions: an authorization the caller may not see answers NotFound, also for
//! DeleteAuthorization (ZITADEL answers success for an unknown id; answering so here would let
//! a caller probe ids it may not see); Activate/Deactivate of an authorization already in that
//! state succeed without a change date, as in ZITADEL.

mod handlers;
pub(crate) use handlers::execute_unless_done;
mod list;
pub mod wire;

use axum::Router;
use castellan_core::permission::{USER_GRANT_DELETE, USER_GRANT_WRITE};
use castellan_readers::queries::owner;

use crate::access::Access;
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.authorization.v2.AuthorizationService";

const fn on_authorization(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: owner::AUTHORIZATION,
        field: "id",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateAuthorization",
            None,
            Access::Org {
                permission: USER_GRANT_WRITE,
                field: "organizationId",
            },
            handlers::create_authorization,
        ),
        rpc(
            "UpdateAuthorization",
            None,
            on_authorization(USER_GRANT_WRITE),
            handlers::update_authorization,
        ),
        rpc(
            "DeleteAuthorization",
            None,
            on_authorization(USER_GRANT_DELETE),
            handlers::delete_authorization,
        ),
        rpc(
            "ActivateAuthorization",
            None,
            on_authorization(USER_GRANT_WRITE),
            handlers::activate_authorization,
        ),
        rpc(
            "DeactivateAuthorization",
            None,
            on_authorization(USER_GRANT_WRITE),
            handlers::deactivate_authorization,
        ),
        // Everyone may list their own authorizations; others' need user.grant.read where
        // they were granted (the handler narrows).
        rpc(
            "ListAuthorizations",
            None,
            Access::Authenticated,
            list::list_authorizations,
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
