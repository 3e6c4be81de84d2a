//! Generic v1 policy writes: instance defaults (admin v1) and org overrides (management v1).

use castellan_core::DomainError;
use castellan_core::settings::{self, Owner, Policy, StoredPolicy, WriteMode};
use castellan_readers::queries::settings::resolve;
use castellan_writer::commands::settings::OnSettings;
use castellan_writer::writer::Committed;

use super::wire::{DetailsResponse, PolicyRequest, ResetRequest};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::Details;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_org_exists};

fn respond(owner: &str, committed: &Committed<()>) -> DetailsResponse {
    let sequence = committed
        .appended
        .events
        .last()
        .map_or(0, |event| event.sequence);
    DetailsResponse {
        details: Details {
            sequence: u64::try_from(sequence).unwrap_or_default(),
            change_date: committed_at(committed),
            resource_owner: owner.to_owned(),
        },
    }
}

async fn write<R: PolicyRequest>(
    state: &AppState,
    caller: &Caller,
    org_id: Option<String>,
    mode: WriteMode,
    request: R,
) -> Result<DetailsResponse, DomainError> {
    if let Some(org_id) = &org_id {
        require_org_exists(state, caller, org_id).await?;
    }
    let current = resolve::<R::Policy>(state.store(), &caller.instance.id, org_id.as_deref())
        .await
        .map_err(read_error)?;
    let policy = request.into_policy(&current.policy)?;
    let decide =
        move |s: &settings::Settings, owner: Owner| settings::set(s, owner, mode, policy.clone());
    let (owner, committed) = match org_id {
        Some(org_id) => {
            let committed = execute(state, caller, &OnSettings::org(&org_id, decide)).await?;
            (org_id, committed)
        }
        None => {
            let committed = execute(state, caller, &OnSettings::instance(decide)).await?;
            (caller.instance.id.clone(), committed)
        }
    };
    Ok(respond(&owner, &committed))
}

/// admin v1 `Update…Policy`: the instance's default.
pub async fn update_instance<R: PolicyRequest>(
    state: AppState,
    caller: Caller,
    request: R,
) -> Result<DetailsResponse, DomainError> {
    write(&state, &caller, None, WriteMode::Update, request).await
}

/// management v1 `AddCustom…Policy`: the org's own value, which it must not have yet.
pub async fn add_org<R: PolicyRequest>(
    state: AppState,
    caller: Caller,
    request: R,
) -> Result<DetailsResponse, DomainError> {
    let org_id = caller.target_org().to_owned();
    write(&state, &caller, Some(org_id), WriteMode::Add, request).await
}

/// management v1 `UpdateCustom…Policy`: the org's own value, which must exist.
pub async fn update_org<R: PolicyRequest>(
    state: AppState,
    caller: Caller,
    request: R,
) -> Result<DetailsResponse, DomainError> {
    let org_id = caller.target_org().to_owned();
    write(&state, &caller, Some(org_id), WriteMode::Update, request).await
}

/// management v1 `Reset…PolicyToDefault`: the org inherits the instance's value again.
pub async fn reset_org<P: StoredPolicy + Policy + Send + Sync>(
    state: AppState,
    caller: Caller,
    _request: ResetRequest,
) -> Result<DetailsResponse, DomainError> {
    let org_id = caller.target_org().to_owned();
    require_org_exists(&state, &caller, &org_id).await?;
    let committed = execute(
        &state,
        &caller,
        &OnSettings::org(&org_id, |s, _| settings::reset::<P>(s)),
    )
    .await?;
    Ok(respond(&org_id, &committed))
}
