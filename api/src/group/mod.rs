//! `zitadel.group.v2.GroupService`: user groups of an organization and their members.
//!
//! Groups are authorized by their owner row (kind `group`): the permission must be held on the
//! group's org. Lists declare `Anywhere` and narrow to the orgs where the permission is held.

mod groups;
mod members;
pub mod wire;

use axum::Router;
use castellan_core::DomainError;
use castellan_core::permission::{
    GROUP_CREATE, GROUP_DELETE, GROUP_READ, GROUP_USER_DELETE, GROUP_USER_READ, GROUP_USER_WRITE,
    GROUP_WRITE,
};
use castellan_readers::queries::group::OrgVisibility;
use castellan_writer::writer::{Command, CommandContext, Outcome};

use crate::access::Access;
use crate::auth::Caller;
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.group.v2.GroupService";

/// The permission on the group named by the request's `id`.
const fn on_group(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: castellan_readers::queries::owner::GROUP,
        field: "id",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateGroup",
            None,
            Access::Org {
                permission: GROUP_CREATE,
                field: "organizationId",
            },
            groups::create_group,
        ),
        rpc("GetGroup", None, on_group(GROUP_READ), groups::get_group),
        rpc(
            "ListGroups",
            None,
            Access::Anywhere(GROUP_READ),
            groups::list_groups,
        ),
        rpc(
            "UpdateGroup",
            None,
            on_group(GROUP_WRITE),
            groups::update_group,
        ),
        rpc(
            "DeleteGroup",
            None,
            on_group(GROUP_DELETE),
            groups::delete_group,
        ),
        rpc(
            "AddUsersToGroup",
            None,
            on_group(GROUP_USER_WRITE),
            members::add_users,
        ),
        rpc(
            "RemoveUsersFromGroup",
            None,
            on_group(GROUP_USER_DELETE),
            members::remove_users,
        ),
        rpc(
            "ListGroupUsers",
            None,
            Access::Anywhere(GROUP_USER_READ),
            members::list_group_users,
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

/// The orgs whose groups the caller may see with `permission`.
fn visibility(caller: &Caller, permission: &str) -> OrgVisibility {
    let principal = &caller.principal;
    if principal.has_instance_permission(permission) {
        OrgVisibility::All
    } else {
        OrgVisibility::Only(principal.orgs_with_permission(permission))
    }
}

/// The org of the group the RPC's access check resolved.
fn group_org(caller: &Caller) -> Result<String, DomainError> {
    caller
        .target
        .as_ref()
        .map(|target| target.org_id.clone())
        .ok_or_else(|| DomainError::internal("GROUP-0007", "group owner not resolved"))
}

/// Runs an idempotent command; when it appended, waits until the read model includes it (as
/// [`crate::support::execute`] does).
async fn execute_or_unchanged<C: Command>(
    state: &AppState,
    caller: &Caller,
    command: &C,
) -> Result<Outcome<C::Output>, DomainError> {
    let ctx = CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    };
    let outcome = state.writer.execute_or_unchanged(&ctx, command).await?;
    if let Outcome::Committed(committed) = &outcome {
        let waited = state
            .consistency
            .wait_for(&committed.appended.events, state.config.consistency_timeout)
            .await;
        if let Err(error) = waited {
            tracing::warn!(%error, "read model lagging behind a committed command");
        }
    }
    Ok(outcome)
}
