//! CreateProject, GetProject, ListProjects, UpdateProject, DeleteProject,
//! DeactivateProject, ActivateProject.

use castellan_core::DomainError;
use castellan_core::permission::PROJECT_READ;
use castellan_core::project::{self, PrivateLabeling, ProjectSettings};
use castellan_readers::queries::TextMatch;
use castellan_readers::queries::project::{
    self as queries, ProjectFilter, ProjectSort, ProjectView,
};
use castellan_writer::commands::project::{CreateProject, OnProject};

use super::wire::{
    ChangeDateResponse, CreateProjectRequest, CreateProjectResponse, DeletionDateResponse,
    GetProjectResponse, ListProjectsRequest, ListProjectsResponse, OrganizationType,
    PrivateLabelingSetting, Project, ProjectFieldName, ProjectIdRequest, ProjectState,
    UpdateProjectRequest,
};
use super::{one_filter, pagination, paging, visibility};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id, require_org_exists, timestamp};

pub(crate) fn labeling(setting: PrivateLabelingSetting) -> PrivateLabeling {
    match setting {
        PrivateLabelingSetting::Unspecified => PrivateLabeling::Unspecified,
        PrivateLabelingSetting::EnforceProjectResourceOwnerPolicy => {
            PrivateLabeling::EnforceProjectResourceOwnerPolicy
        }
        PrivateLabelingSetting::AllowLoginUserResourceOwnerPolicy => {
            PrivateLabeling::AllowLoginUserResourceOwnerPolicy
        }
    }
}

fn labeling_wire(setting: PrivateLabeling) -> PrivateLabelingSetting {
    match setting {
        PrivateLabeling::Unspecified => PrivateLabelingSetting::Unspecified,
        PrivateLabeling::EnforceProjectResourceOwnerPolicy => {
            PrivateLabelingSetting::EnforceProjectResourceOwnerPolicy
        }
        PrivateLabeling::AllowLoginUserResourceOwnerPolicy => {
            PrivateLabelingSetting::AllowLoginUserResourceOwnerPolicy
        }
    }
}

pub async fn create_project(
    state: AppState,
    caller: Caller,
    request: CreateProjectRequest,
) -> Result<CreateProjectResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let project_id = match &request.project_id {
        Some(id) => require_id(id, "project_id")?,
        None => state.writer.next_id(),
    };
    require_org_exists(&state, &caller, &org_id).await?;
    let command = CreateProject {
        project_id: project_id.clone(),
        org_id,
        settings: ProjectSettings {
            name: request.name,
            project_role_assertion: request.project_role_assertion,
            authorization_required: request.authorization_required,
            project_access_required: request.project_access_required,
            private_labeling_setting: labeling(request.private_labeling_setting),
        },
    };
    let committed = execute(&state, &caller, &command).await?;
    Ok(CreateProjectResponse {
        project_id,
        creation_date: committed_at(&committed),
    })
}

pub(crate) fn to_wire(view: ProjectView) -> Project {
    Project {
        project_id: view.id,
        organization_id: view.org_id,
        creation_date: Some(timestamp(view.created)),
        change_date: Some(timestamp(view.changed)),
        name: view.name,
        state: if view.active {
            ProjectState::Active
        } else {
            ProjectState::Inactive
        },
        project_role_assertion: view.project_role_assertion,
        authorization_required: view.authorization_required,
        project_access_required: view.project_access_required,
        private_labeling_setting: labeling_wire(view.private_labeling_setting),
    }
}

pub async fn get_project(
    state: AppState,
    caller: Caller,
    request: ProjectIdRequest,
) -> Result<GetProjectResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let view = queries::get_project(state.store(), &caller.instance.id, &project_id)
        .await
        .map_err(read_error)?
        .ok_or_else(|| DomainError::not_found("PROJ-0001", "Project not found"))?;
    Ok(GetProjectResponse {
        project: to_wire(view),
    })
}

pub async fn list_projects(
    state: AppState,
    caller: Caller,
    request: ListProjectsRequest,
) -> Result<ListProjectsResponse, DomainError> {
    let instance_id = caller.instance.id.as_str();
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.project_name_filter.is_some(),
                filter.in_project_ids_filter.is_some(),
                filter.organization_id_filter.is_some(),
            ],
            "a project filter must set exactly one filter",
        )?;
        if let Some(name) = &filter.project_name_filter {
            filters.push(ProjectFilter::Name(
                TextMatch::from(name.method),
                name.project_name.clone(),
            ));
        }
        if let Some(ids) = &filter.in_project_ids_filter {
            filters.push(ProjectFilter::Ids(ids.ids.clone()));
        }
        if let Some(org) = &filter.organization_id_filter {
            let org_id = org.organization_id.trim().to_owned();
            filters.push(match org.kind {
                OrganizationType::Unspecified | OrganizationType::Owned => {
                    ProjectFilter::OwnedBy(org_id)
                }
                OrganizationType::Granted | OrganizationType::OwnedOrGranted => {
                    let granted = queries::projects_granted_to(state.store(), instance_id, &org_id)
                        .await
                        .map_err(read_error)?;
                    ProjectFilter::GrantedOrOwned {
                        granted,
                        or_owned_by: (org.kind == OrganizationType::OwnedOrGranted)
                            .then_some(org_id),
                    }
                }
            });
        }
    }
    // Id order is creation order for generated ids; names have an index.
    let sort = match request.sorting_column {
        ProjectFieldName::Name => ProjectSort::Name,
        ProjectFieldName::Unspecified
        | ProjectFieldName::Id
        | ProjectFieldName::CreationDate
        | ProjectFieldName::ChangeDate => ProjectSort::Id,
    };
    let column_named = request.sorting_column != ProjectFieldName::Unspecified;
    let paging = paging(request.pagination.as_ref(), column_named);
    let page = queries::list_projects(
        state.store(),
        instance_id,
        &filters,
        &visibility(&caller, PROJECT_READ),
        sort,
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListProjectsResponse {
        pagination: pagination(page.total, paging),
        projects: page.items.into_iter().map(to_wire).collect(),
    })
}

pub async fn update_project(
    state: AppState,
    caller: Caller,
    request: UpdateProjectRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let decide = |current: &project::Project| {
        let now = &current.settings;
        let changes = ProjectSettings {
            name: request.name.clone().unwrap_or_else(|| now.name.clone()),
            project_role_assertion: request
                .project_role_assertion
                .unwrap_or(now.project_role_assertion),
            authorization_required: request
                .authorization_required
                .unwrap_or(now.authorization_required),
            project_access_required: request
                .project_access_required
                .unwrap_or(now.project_access_required),
            private_labeling_setting: request
                .private_labeling_setting
                .map_or(now.private_labeling_setting, labeling),
        };
        project::change(current, changes)
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn delete_project(
    state: AppState,
    caller: Caller,
    request: ProjectIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let committed = execute(
        &state,
        &caller,
        &OnProject::new(&project_id, project::remove),
    )
    .await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn deactivate_project(
    state: AppState,
    caller: Caller,
    request: ProjectIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let committed = execute(
        &state,
        &caller,
        &OnProject::new(&project_id, project::deactivate),
    )
    .await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn activate_project(
    state: AppState,
    caller: Caller,
    request: ProjectIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let committed = execute(
        &state,
        &caller,
        &OnProject::new(&project_id, project::activate),
    )
    .await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}
