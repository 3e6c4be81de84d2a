//! `zitadel.internal_permission.v2.InternalPermissionService`: administrators, users holding
//! ZITADEL's own roles (IAM_*, ORG_*, PROJECT_*, PROJECT_GRANT_*) on the instance, an org, a
//! project or a project grant.
//!
//! Served over Connect only (the proto has no REST bindings). The permission each RPC needs
//! depends on the request's resource ([`Access::Administrator`]). Decisions: roles must be
//! ZITADEL roles of the resource's scope (InvalidArgument otherwise); deleting a user who is no
//! administrator succeeds without a deletion date, as in ZITADEL; the last IAM_OWNER of an
//! instance can be neither removed nor demoted (FailedPrecondition), so an instance always
//! keeps an administrator who can repair it. Changes reach the caller's next request: the
//! principal is read from the members table at every call.

mod handlers;
mod list;
pub mod wire;

use axum::Router;
use castellan_core::permission::{
    IAM_MEMBER_DELETE, IAM_MEMBER_WRITE, ORG_MEMBER_DELETE, ORG_MEMBER_WRITE,
    PROJECT_GRANT_MEMBER_DELETE, PROJECT_GRANT_MEMBER_WRITE, PROJECT_MEMBER_DELETE,
    PROJECT_MEMBER_WRITE,
};

use crate::access::Access;
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.internal_permission.v2.InternalPermissionService";

const WRITE: Access = Access::Administrator {
    instance: IAM_MEMBER_WRITE,
    org: ORG_MEMBER_WRITE,
    project: PROJECT_MEMBER_WRITE,
    project_grant: PROJECT_GRANT_MEMBER_WRITE,
};

const DELETE: Access = Access::Administrator {
    instance: IAM_MEMBER_DELETE,
    org: ORG_MEMBER_DELETE,
    project: PROJECT_MEMBER_DELETE,
    project_grant: PROJECT_GRANT_MEMBER_DELETE,
};

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateAdministrator",
            None,
            WRITE,
            handlers::create_administrator,
        ),
        rpc(
            "UpdateAdministrator",
            None,
            WRITE,
            handlers::update_administrator,
        ),
        rpc(
            "DeleteAdministrator",
            None,
            DELETE,
            handlers::delete_administrator,
        ),
        // Everyone may list their own administrator roles; others' need the scope's
        // `*.member.read` (the handler narrows).
        rpc(
            "ListAdministrators",
            None,
            Access::Authenticated,
            list::list_administrators,
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
