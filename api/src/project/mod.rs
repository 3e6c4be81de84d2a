//! `zitadel.project.v2.ProjectService`: projects, their roles and project grants.

mod grants;
mod projects;
mod roles;
pub mod wire;

use axum::Router;
use castellan_core::DomainError;
use castellan_core::permission::{
    PROJECT_CREATE, PROJECT_DELETE, PROJECT_GRANT_DELETE, PROJECT_GRANT_READ, PROJECT_GRANT_WRITE,
    PROJECT_READ, PROJECT_ROLE_READ, PROJECT_ROLE_WRITE, PROJECT_WRITE,
};
use castellan_readers::queries::project::Visibility;
use castellan_readers::queries::{Paging, applied_limit};

use crate::access::Access;
use crate::auth::Caller;
use crate::proto::json::{PaginationRequest, PaginationResponse};
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.project.v2.ProjectService";

/// The permission on the project named by the request's `projectId`.
const fn on_project(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: castellan_readers::queries::owner::PROJECT,
        field: "projectId",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateProject",
            None,
            Access::Org {
                permission: PROJECT_CREATE,
                field: "organizationId",
            },
            projects::create_project,
        ),
        rpc(
            "GetProject",
            None,
            on_project(PROJECT_READ),
            projects::get_project,
        ),
        rpc(
            "ListProjects",
            None,
            Access::Anywhere(PROJECT_READ),
            projects::list_projects,
        ),
        rpc(
            "UpdateProject",
            None,
            on_project(PROJECT_WRITE),
            projects::update_project,
        ),
        rpc(
            "DeleteProject",
            None,
            on_project(PROJECT_DELETE),
            projects::delete_project,
        ),
        rpc(
            "DeactivateProject",
            None,
            on_project(PROJECT_WRITE),
            projects::deactivate_project,
        ),
        rpc(
            "ActivateProject",
            None,
            on_project(PROJECT_WRITE),
            projects::activate_project,
        ),
        rpc(
            "AddProjectRole",
            None,
            on_project(PROJECT_ROLE_WRITE),
            roles::add_role,
        ),
        rpc(
            "UpdateProjectRole",
            None,
            on_project(PROJECT_ROLE_WRITE),
            roles::update_role,
        ),
        rpc(
            "RemoveProjectRole",
            None,
            on_project(PROJECT_ROLE_WRITE),
            roles::remove_role,
        ),
        rpc(
            "ListProjectRoles",
            None,
            on_project(PROJECT_ROLE_READ),
            roles::list_roles,
        ),
        rpc(
            "CreateProjectGrant",
            None,
            on_project(PROJECT_GRANT_WRITE),
            grants::create_grant,
        ),
        rpc(
            "UpdateProjectGrant",
            None,
            on_project(PROJECT_GRANT_WRITE),
            grants::update_grant,
        ),
        rpc(
            "DeleteProjectGrant",
            None,
            on_project(PROJECT_GRANT_DELETE),
            grants::delete_grant,
        ),
        rpc(
            "DeactivateProjectGrant",
            None,
            on_project(PROJECT_GRANT_WRITE),
            grants::deactivate_grant,
        ),
        rpc(
            "ActivateProjectGrant",
            None,
            on_project(PROJECT_GRANT_WRITE),
            grants::activate_grant,
        ),
        rpc(
            "ListProjectGrants",
            None,
            Access::Anywhere(PROJECT_GRANT_READ),
            grants::list_grants,
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

/// Offset paging of a v2 `PaginationRequest`; ascending unless a sorting column is named and
/// `asc` is false (as the org lists do).
pub(crate) fn paging(pagination: Option<&PaginationRequest>, column_named: bool) -> Paging {
    let request = pagination.cloned().unwrap_or_default();
    Paging {
        offset: request.offset,
        limit: request.limit,
        asc: request.asc || !column_named,
    }
}

pub(crate) fn pagination(total: u64, paging: Paging) -> PaginationResponse {
    PaginationResponse {
        total_result: total,
        applied_limit: u64::from(applied_limit(paging)),
    }
}

/// Where the caller holds `permission`: everywhere, or only on some orgs, projects and grants.
pub(crate) fn visibility(caller: &Caller, permission: &str) -> Visibility {
    let principal = &caller.principal;
    if principal.has_instance_permission(permission) {
        Visibility::All
    } else {
        Visibility::Only {
            orgs: principal.orgs_with_permission(permission),
            projects: principal.projects_with_permission(permission),
            grants: principal.project_grants_with_permission(permission),
        }
    }
}

/// Exactly one member of a filter's oneof must be set.
pub(crate) fn one_filter(set: &[bool], message: &'static str) -> Result<(), DomainError> {
    if set.iter().filter(|s| **s).count() == 1 {
        Ok(())
    } else {
        Err(DomainError::invalid("API-0014", message))
    }
}
