//! Create, update, delete, activate and deactivate an authorization.

use castellan_core::DomainError;
use castellan_core::authorization::{self, NewAuthorization};
use castellan_readers::queries::authorization::{NotGrantable, grantable};
use castellan_writer::commands::authorization::{CreateAuthorization, OnAuthorization};
use castellan_writer::writer::{Command, Committed};

use super::wire::{
    AuthorizationIdRequest, ChangeDateResponse, CreateAuthorizationRequest,
    CreateAuthorizationResponse, DeletionDateResponse, UpdateAuthorizationRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id};

/// Runs a command that may find its goal already reached (the writer's "nothing to change"):
/// `None` then, the committed command otherwise.
pub(crate) async fn execute_unless_done<C: Command>(
    state: &AppState,
    caller: &Caller,
    command: &C,
) -> Result<Option<Committed<C::Output>>, DomainError> {
    match execute(state, caller, command).await {
        Ok(committed) => Ok(Some(committed)),
        Err(error) if error.code == castellan_writer::writer::NOTHING_TO_CHANGE => Ok(None),
        Err(error) => Err(error),
    }
}

/// Checks that the granting org may grant `role_keys` on the project (see
/// [`grantable`]); returns the grant's id when the org holds the project through one.
async fn check_grantable(
    state: &AppState,
    caller: &Caller,
    project_id: &str,
    org_id: &str,
    role_keys: &[String],
) -> Result<Option<String>, DomainError> {
    grantable(
        state.store(),
        &caller.instance.id,
        project_id,
        org_id,
        role_keys,
    )
    .await
    .map_err(read_error)?
    .map_err(NotGrantable::into_error)
}

pub async fn create_authorization(
    state: AppState,
    caller: Caller,
    request: CreateAuthorizationRequest,
) -> Result<CreateAuthorizationResponse, DomainError> {
    let user_id = require_id(&request.user_id, "user_id")?;
    let project_id = require_id(&request.project_id, "project_id")?;
    let org_id = require_id(caller.target_org(), "organization_id")?;
    let role_keys = authorization::validate_role_keys(&request.role_keys)?;
    let project_grant_id =
        check_grantable(&state, &caller, &project_id, &org_id, &role_keys).await?;
    let authorization_id = state.writer.next_id();
    let command = CreateAuthorization {
        authorization_id: authorization_id.clone(),
        new: NewAuthorization {
            user_id,
            project_id,
            org_id,
            project_grant_id,
            role_keys,
        },
    };
    let committed = execute(&state, &caller, &command).await?;
    Ok(CreateAuthorizationResponse {
        id: authorization_id,
        creation_date: committed_at(&committed),
    })
}

pub async fn update_authorization(
    state: AppState,
    caller: Caller,
    request: UpdateAuthorizationRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let id = require_id(&request.id, "id")?;
    let role_keys = authorization::validate_role_keys(&request.role_keys)?;
    let target = caller.target.clone().unwrap_or_default();
    let project_id = target.project_id.clone().unwrap_or_default();
    check_grantable(&state, &caller, &project_id, &target.org_id, &role_keys).await?;
    let committed = execute(
        &state,
        &caller,
        &OnAuthorization::new(&id, |a| authorization::change_roles(a, &role_keys)),
    )
    .await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn delete_authorization(
    state: AppState,
    caller: Caller,
    request: AuthorizationIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let id = require_id(&request.id, "id")?;
    let committed = execute(
        &state,
        &caller,
        &OnAuthorization::new(&id, authorization::remove),
    )
    .await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn activate_authorization(
    state: AppState,
    caller: Caller,
    request: AuthorizationIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let id = require_id(&request.id, "id")?;
    let command = OnAuthorization::new(&id, authorization::activate);
    let committed = execute_unless_done(&state, &caller, &command).await?;
    Ok(ChangeDateResponse {
        change_date: committed.as_ref().and_then(committed_at),
    })
}

pub async fn deactivate_authorization(
    state: AppState,
    caller: Caller,
    request: AuthorizationIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let id = require_id(&request.id, "id")?;
    let command = OnAuthorization::new(&id, authorization::deactivate);
    let committed = execute_unless_done(&state, &caller, &command).await?;
    Ok(ChangeDateResponse {
        change_date: committed.as_ref().and_then(committed_at),
    })
}
