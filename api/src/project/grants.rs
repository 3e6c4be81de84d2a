//! CreateProjectGrant, UpdateProjectGrant, DeleteProjectGrant, DeactivateProjectGrant,
//! ActivateProjectGrant, ListProjectGrants. A grant is addressed by its project and the org it
//! is granted to.

use castellan_core::DomainError;
use castellan_core::permission::PROJECT_GRANT_READ;
use castellan_core::project::{self, grant};
use castellan_readers::queries::TextMatch;
use castellan_readers::queries::org::get_org;
use castellan_readers::queries::project::{
    self as queries, GrantFilter, GrantView, ProjectFilter, ProjectSort, Visibility,
};
use castellan_readers::queries::{MAX_LIMIT, Paging};
use castellan_writer::commands::project::OnProject;

use super::wire::{
    ChangeDateResponse, CreationDateResponse, DeletionDateResponse, ListProjectGrantsRequest,
    ListProjectGrantsResponse, ProjectGrant, ProjectGrantFieldName, ProjectGrantRequest,
    ProjectGrantState,
};
use super::{one_filter, pagination, paging, visibility};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id, require_org_exists, timestamp};

pub async fn create_grant(
    state: AppState,
    caller: Caller,
    request: ProjectGrantRequest,
) -> Result<CreationDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let granted_org_id = require_id(&request.granted_organization_id, "granted_organization_id")?;
    require_org_exists(&state, &caller, &granted_org_id).await?;
    let grant_id = state.writer.next_id();
    let decide = |current: &project::Project| {
        grant::add_grant(current, &grant_id, &granted_org_id, &request.role_keys)
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(CreationDateResponse {
        creation_date: committed_at(&committed),
    })
}

pub async fn update_grant(
    state: AppState,
    caller: Caller,
    request: ProjectGrantRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let granted_org_id = require_id(&request.granted_organization_id, "granted_organization_id")?;
    let decide = |current: &project::Project| {
        grant::change_grant(current, &granted_org_id, &request.role_keys)
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn delete_grant(
    state: AppState,
    caller: Caller,
    request: ProjectGrantRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let granted_org_id = require_id(&request.granted_organization_id, "granted_organization_id")?;
    let decide = |current: &project::Project| grant::remove_grant(current, &granted_org_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn deactivate_grant(
    state: AppState,
    caller: Caller,
    request: ProjectGrantRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let granted_org_id = require_id(&request.granted_organization_id, "granted_organization_id")?;
    let decide = |current: &project::Project| grant::deactivate_grant(current, &granted_org_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn activate_grant(
    state: AppState,
    caller: Caller,
    request: ProjectGrantRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let granted_org_id = require_id(&request.granted_organization_id, "granted_organization_id")?;
    let decide = |current: &project::Project| grant::activate_grant(current, &granted_org_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

async fn to_wire(
    state: &AppState,
    instance_id: &str,
    view: GrantView,
) -> Result<ProjectGrant, DomainError> {
    let project_name = queries::get_project(state.store(), instance_id, &view.project_id)
        .await
        .map_err(read_error)?
        .map(|p| p.name)
        .unwrap_or_default();
    let granted_organization_name = get_org(state.store(), instance_id, &view.granted_org_id)
        .await
        .map_err(read_error)?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(ProjectGrant {
        organization_id: view.org_id,
        creation_date: Some(timestamp(view.created)),
        change_date: Some(timestamp(view.changed)),
        granted_organization_id: view.granted_org_id,
        granted_organization_name,
        granted_role_keys: view.role_keys,
        project_id: view.project_id,
        project_name,
        state: if view.active {
            ProjectGrantState::Active
        } else {
            ProjectGrantState::Inactive
        },
    })
}

pub async fn list_grants(
    state: AppState,
    caller: Caller,
    request: ListProjectGrantsRequest,
) -> Result<ListProjectGrantsResponse, DomainError> {
    let instance_id = caller.instance.id.as_str();
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.granted_organization_id_filter.is_some(),
                filter.in_project_ids_filter.is_some(),
                filter.organization_id_filter.is_some(),
                filter.project_name_filter.is_some(),
                filter.role_key_filter.is_some(),
            ],
            "a project grant filter must set exactly one filter",
        )?;
        if let Some(org) = &filter.granted_organization_id_filter {
            filters.push(GrantFilter::GrantedOrg(org.id.trim().to_owned()));
        }
        if let Some(ids) = &filter.in_project_ids_filter {
            filters.push(GrantFilter::ProjectIds(ids.ids.clone()));
        }
        if let Some(org) = &filter.organization_id_filter {
            filters.push(GrantFilter::Org(org.id.trim().to_owned()));
        }
        if let Some(role) = &filter.role_key_filter {
            filters.push(GrantFilter::RoleKey(
                TextMatch::from(role.method),
                role.key.clone(),
            ));
        }
        if let Some(name) = &filter.project_name_filter {
            // The projects of that name (at most a page of the largest size).
            let named = queries::list_projects(
                state.store(),
                instance_id,
                &[ProjectFilter::Name(
                    TextMatch::from(name.method),
                    name.project_name.clone(),
                )],
                &Visibility::All,
                ProjectSort::Id,
                Paging {
                    offset: 0,
                    limit: MAX_LIMIT,
                    asc: true,
                },
            )
            .await
            .map_err(read_error)?;
            filters.push(GrantFilter::ProjectIds(
                named.items.into_iter().map(|p| p.id).collect(),
            ));
        }
    }
    let column_named = request.sorting_column != ProjectGrantFieldName::Unspecified;
    let paging = paging(request.pagination.as_ref(), column_named);
    let page = queries::list_grants(
        state.store(),
        instance_id,
        &filters,
        &visibility(&caller, PROJECT_GRANT_READ),
        paging,
    )
    .await
    .map_err(read_error)?;
    let mut project_grants = Vec::with_capacity(page.items.len());
    for view in page.items {
        project_grants.push(to_wire(&state, instance_id, view).await?);
    }
    Ok(ListProjectGrantsResponse {
        pagination: pagination(page.total, paging),
        project_grants,
    })
}
