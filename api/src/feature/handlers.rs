//! FeatureService handlers. Flags live on the instance (stored as an instance setting); the
//! system level is Castellan's built-in default (every flag off). ZITADEL's v2 protos define no
//! flags for organizations and users, so their Get/Set/Reset only check the target exists and
//! answer its details.

use castellan_core::DomainError;
use castellan_core::settings::{self, Features};
use castellan_readers::queries::settings::stored;
use castellan_writer::commands::settings::OnSettings;

use super::wire::{
    DetailsResponse, FeaturesResponse, GetFeaturesRequest, LevelRequest, SetFeaturesRequest, Source,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::Details;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_org_exists, timestamp};

fn details(owner: &str, sequence: i64, changed: Option<crate::proto::ProtoTimestamp>) -> Details {
    Details {
        sequence: u64::try_from(sequence).unwrap_or_default(),
        change_date: changed,
        resource_owner: owner.to_owned(),
    }
}

pub async fn get_system(
    _state: AppState,
    _caller: Caller,
    _request: GetFeaturesRequest,
) -> Result<FeaturesResponse, DomainError> {
    Ok(FeaturesResponse::new(
        Details::default(),
        &Features::default(),
        Source::System,
        true,
    ))
}

pub async fn get_instance(
    state: AppState,
    caller: Caller,
    request: GetFeaturesRequest,
) -> Result<FeaturesResponse, DomainError> {
    let instance_id = caller.instance.id.as_str();
    let own = stored::<Features>(state.store(), instance_id, instance_id)
        .await
        .map_err(read_error)?;
    let (features, sequence, changed) = match own {
        Some(view) => (view.policy, view.sequence, Some(timestamp(view.changed))),
        None => (Features::default(), 0, None),
    };
    Ok(FeaturesResponse::new(
        details(instance_id, sequence, changed),
        &features,
        Source::Instance,
        request.inheritance,
    ))
}

pub async fn set_instance(
    state: AppState,
    caller: Caller,
    request: SetFeaturesRequest,
) -> Result<DetailsResponse, DomainError> {
    let update = request.into_features()?;
    let committed = execute(
        &state,
        &caller,
        &OnSettings::instance(|s, _| settings::set_features(s, &update)),
    )
    .await?;
    let sequence = committed.appended.events.last().map_or(0, |e| e.sequence);
    Ok(DetailsResponse {
        details: details(&caller.instance.id, sequence, committed_at(&committed)),
    })
}

pub async fn reset_instance(
    state: AppState,
    caller: Caller,
    _request: LevelRequest,
) -> Result<DetailsResponse, DomainError> {
    let committed = execute(
        &state,
        &caller,
        &OnSettings::instance(|s, _| Ok(settings::reset_features(s))),
    )
    .await?;
    let sequence = committed.appended.events.last().map_or(0, |e| e.sequence);
    Ok(DetailsResponse {
        details: details(&caller.instance.id, sequence, committed_at(&committed)),
    })
}

/// Organization features: no flags exist at this level; the org must exist.
pub async fn organization(
    state: AppState,
    caller: Caller,
    _request: LevelRequest,
) -> Result<DetailsResponse, DomainError> {
    let org_id = caller.target_org().to_owned();
    require_org_exists(&state, &caller, &org_id).await?;
    Ok(DetailsResponse {
        details: details(&org_id, 0, None),
    })
}

/// `GetOrganizationFeatures` (same answer as [`organization`], different request).
pub async fn get_organization(
    state: AppState,
    caller: Caller,
    _request: GetFeaturesRequest,
) -> Result<DetailsResponse, DomainError> {
    organization(state, caller, LevelRequest::default()).await
}

/// User features: no flags exist at this level; the user's existence was checked by the
/// declared access (the owner lookup answers NotFound).
pub async fn user(
    _state: AppState,
    caller: Caller,
    _request: LevelRequest,
) -> Result<DetailsResponse, DomainError> {
    Ok(DetailsResponse {
        details: details(caller.target_org(), 0, None),
    })
}

pub async fn get_user(
    state: AppState,
    caller: Caller,
    _request: GetFeaturesRequest,
) -> Result<DetailsResponse, DomainError> {
    user(state, caller, LevelRequest::default()).await
}

/// System features need a system user, which Castellan does not have yet (the declared
/// `system.feature.write` is held by no role, so this is not reached; it answers the same).
pub async fn system_write(
    _state: AppState,
    _caller: Caller,
    _request: serde_json::Value,
) -> Result<DetailsResponse, DomainError> {
    Err(DomainError::permission_denied(
        "FEAT-0003",
        "system features are built in; changing them needs a system user",
    ))
}
