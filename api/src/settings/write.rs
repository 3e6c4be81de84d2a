//! SetSecuritySettings and the hosted login's translations.

use castellan_core::DomainError;
use castellan_core::settings::{self, SecurityPolicy, WriteMode, validate_locale};
use castellan_readers::queries::settings::translation;
use castellan_writer::commands::settings::OnSettings;
use castellan_writer::secrets::token_hash;

use super::wire::{
    DetailsResponse, GetHostedLoginTranslationRequest, HostedLoginTranslationResponse,
    SetHostedLoginTranslationRequest, SetHostedLoginTranslationResponse,
    SetSecuritySettingsRequest, details,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_org_exists};

pub async fn set_security(
    state: AppState,
    caller: Caller,
    request: SetSecuritySettingsRequest,
) -> Result<DetailsResponse, DomainError> {
    let iframe = request.embedded_iframe.unwrap_or_default();
    let policy = SecurityPolicy {
        embedded_iframe_enabled: iframe.enabled,
        allowed_origins: iframe.allowed_origins,
        enable_impersonation: request.enable_impersonation,
    };
    let committed = execute(
        &state,
        &caller,
        &OnSettings::instance(|s, owner| settings::set(s, owner, WriteMode::Set, policy.clone())),
    )
    .await?;
    let sequence = committed
        .appended
        .events
        .last()
        .map_or(0, |event| event.sequence);
    Ok(DetailsResponse {
        details: details(&caller.instance.id, sequence, committed_at(&committed)),
    })
}

fn etag(value: &serde_json::Value) -> String {
    token_hash(&value.to_string())
}

/// Merges `over` into `base`, object member by object member (the lower level's text stays where
/// the higher one sets none).
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// The level a translation request names: an org id, or `None` for the instance.
fn level(
    instance: Option<bool>,
    organization_id: Option<String>,
    system: Option<bool>,
) -> Result<Option<String>, DomainError> {
    let org = organization_id.filter(|id| !id.trim().is_empty());
    let set = usize::from(instance == Some(true))
        + usize::from(org.is_some())
        + usize::from(system == Some(true));
    if set != 1 {
        return Err(DomainError::invalid(
            "SETTINGS-0202",
            "set exactly one of instance, organizationId (and system on reads)",
        ));
    }
    if system == Some(true) {
        return Err(DomainError::invalid(
            "SETTINGS-0203",
            "system-level translations are built into the hosted login; ask for instance or \
             organizationId",
        ));
    }
    Ok(org)
}

pub async fn get_translation(
    state: AppState,
    caller: Caller,
    request: GetHostedLoginTranslationRequest,
) -> Result<HostedLoginTranslationResponse, DomainError> {
    let locale = validate_locale(&request.locale)?;
    let org = level(request.instance, request.organization_id, request.system)?;
    let store = state.store();
    let instance_id = caller.instance.id.as_str();
    let own = match &org {
        Some(org_id) => {
            require_org_exists(&state, &caller, org_id).await?;
            translation(store, instance_id, org_id, &locale).await
        }
        None => translation(store, instance_id, instance_id, &locale).await,
    }
    .map_err(read_error)?;
    let translations = if request.ignore_inheritance || org.is_none() {
        own.unwrap_or_else(|| serde_json::json!({}))
    } else {
        let mut merged = translation(store, instance_id, instance_id, &locale)
            .await
            .map_err(read_error)?
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(own) = own {
            merge(&mut merged, own);
        }
        merged
    };
    Ok(HostedLoginTranslationResponse {
        etag: etag(&translations),
        translations,
    })
}

pub async fn set_translation(
    state: AppState,
    caller: Caller,
    request: SetHostedLoginTranslationRequest,
) -> Result<SetHostedLoginTranslationResponse, DomainError> {
    let org = level(request.instance, request.organization_id, None)?;
    let decision = settings::set_translation(&request.locale, &request.translations)?;
    let decide = move |_: &settings::Settings, _| Ok(decision.clone());
    match org {
        Some(org_id) => execute(&state, &caller, &OnSettings::org(&org_id, decide)).await?,
        None => execute(&state, &caller, &OnSettings::instance(decide)).await?,
    };
    Ok(SetHostedLoginTranslationResponse {
        etag: etag(&request.translations),
    })
}
