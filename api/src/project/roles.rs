//! AddProjectRole, UpdateProjectRole, RemoveProjectRole, ListProjectRoles.

use castellan_core::DomainError;
use castellan_core::project;
use castellan_readers::queries::TextMatch;
use castellan_readers::queries::project::{self as queries, RoleFilter};
use castellan_writer::commands::project::OnProject;

use super::wire::{
    AddProjectRoleRequest, ChangeDateResponse, CreationDateResponse, DeletionDateResponse,
    ListProjectRolesRequest, ListProjectRolesResponse, ProjectRole, ProjectRoleFieldName,
    RemoveProjectRoleRequest, UpdateProjectRoleRequest,
};
use super::{one_filter, pagination, paging};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id, timestamp};

pub async fn add_role(
    state: AppState,
    caller: Caller,
    request: AddProjectRoleRequest,
) -> Result<CreationDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let group = request.group.unwrap_or_default();
    let decide = |current: &project::Project| {
        project::add_role(current, &request.role_key, &request.display_name, &group)
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(CreationDateResponse {
        creation_date: committed_at(&committed),
    })
}

pub async fn update_role(
    state: AppState,
    caller: Caller,
    request: UpdateProjectRoleRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let decide = |current: &project::Project| {
        project::change_role(
            current,
            &request.role_key,
            request.display_name.as_deref(),
            request.group.as_deref(),
        )
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn remove_role(
    state: AppState,
    caller: Caller,
    request: RemoveProjectRoleRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let decide = |current: &project::Project| project::remove_role(current, &request.role_key);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn list_roles(
    state: AppState,
    caller: Caller,
    request: ListProjectRolesRequest,
) -> Result<ListProjectRolesResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.role_key_filter.is_some(),
                filter.display_name_filter.is_some(),
            ],
            "a project role filter must set exactly one filter",
        )?;
        if let Some(key) = &filter.role_key_filter {
            filters.push(RoleFilter::Key(
                TextMatch::from(key.method),
                key.key.clone(),
            ));
        }
        if let Some(name) = &filter.display_name_filter {
            filters.push(RoleFilter::DisplayName(
                TextMatch::from(name.method),
                name.display_name.clone(),
            ));
        }
    }
    // Roles come in key order.
    let column_named = request.sorting_column != ProjectRoleFieldName::Unspecified;
    let paging = paging(request.pagination.as_ref(), column_named);
    let page = queries::list_roles(
        state.store(),
        &caller.instance.id,
        &project_id,
        &filters,
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListProjectRolesResponse {
        pagination: pagination(page.total, paging),
        project_roles: page
            .items
            .into_iter()
            .map(|role| ProjectRole {
                project_id: project_id.clone(),
                key: role.key,
                creation_date: Some(timestamp(role.created)),
                change_date: Some(timestamp(role.changed)),
                display_name: role.display_name,
                group: role.group,
            })
            .collect(),
    })
}
