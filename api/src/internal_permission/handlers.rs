//! Create, update and delete an administrator.

use castellan_core::DomainError;
use castellan_core::administrator::ProjectScope;
use castellan_writer::commands::authorization::{
    AdminScope, AdministratorChange, ChangeAdministrator,
};

use super::wire::{
    AdministratorRequest, CreateAdministratorResponse, DeleteAdministratorResponse, ResourceType,
    UpdateAdministratorResponse,
};
use crate::auth::Caller;
use crate::authorization::execute_unless_done;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id};

/// The scope the request names, as resolved by [`crate::access::Access::Administrator`].
fn admin_scope(
    caller: &Caller,
    resource: Option<&ResourceType>,
) -> Result<AdminScope, DomainError> {
    let missing = || DomainError::invalid("API-0041", "resource is required");
    let resource = resource.ok_or_else(missing)?;
    if resource.instance == Some(true) {
        return Ok(AdminScope::Instance);
    }
    let target = caller.target.clone().ok_or_else(missing)?;
    if resource.organization_id.is_some() {
        return Ok(AdminScope::Org(target.org_id));
    }
    let project_id = target.project_id.ok_or_else(missing)?;
    Ok(AdminScope::Project {
        scope: ProjectScope {
            project_id,
            project_grant_id: target.project_grant_id,
        },
        owner_org: target.org_id,
    })
}

fn command(
    caller: &Caller,
    request: &AdministratorRequest,
    change: AdministratorChange,
) -> Result<ChangeAdministrator, DomainError> {
    Ok(ChangeAdministrator {
        user_id: require_id(&request.user_id, "user_id")?,
        scope: admin_scope(caller, request.resource.as_ref())?,
        change,
    })
}

pub async fn create_administrator(
    state: AppState,
    caller: Caller,
    request: AdministratorRequest,
) -> Result<CreateAdministratorResponse, DomainError> {
    let change = AdministratorChange::Add(request.roles.clone());
    let command = command(&caller, &request, change)?;
    let committed = execute(&state, &caller, &command).await?;
    Ok(CreateAdministratorResponse {
        creation_date: committed_at(&committed),
    })
}

pub async fn update_administrator(
    state: AppState,
    caller: Caller,
    request: AdministratorRequest,
) -> Result<UpdateAdministratorResponse, DomainError> {
    let change = AdministratorChange::Update(request.roles.clone());
    let command = command(&caller, &request, change)?;
    let committed = execute(&state, &caller, &command).await?;
    Ok(UpdateAdministratorResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn delete_administrator(
    state: AppState,
    caller: Caller,
    request: AdministratorRequest,
) -> Result<DeleteAdministratorResponse, DomainError> {
    let command = command(&caller, &request, AdministratorChange::Remove)?;
    let committed = execute_unless_done(&state, &caller, &command).await?;
    Ok(DeleteAdministratorResponse {
        deletion_date: committed.as_ref().and_then(committed_at),
    })
}
