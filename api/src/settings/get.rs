//! The settings getters: the effective value for the requested context.

use castellan_core::DomainError;
use castellan_core::settings::{
    DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, PasswordAgePolicy,
    PasswordComplexityPolicy, Policy, PrivacyPolicy, SecurityPolicy,
};
use castellan_readers::queries::settings::{EffectiveView, resolve};

use super::wire::{
    ActiveIdentityProvidersResponse, BrandingSettings, ContextRequest, DomainSettings,
    EmptyRequest, GeneralSettingsResponse, LegalAndSupportSettings, LockoutSettings, LoginSettings,
    PasswordComplexitySettings, PasswordExpirySettings, ResourceOwnerType, SecuritySettings,
    SettingsResponse, details,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::ListDetails;
use crate::state::AppState;
use crate::support::{require_org_exists, timestamp};

/// The org a request's context names (`None`: the instance). Without a context, the caller's
/// org (or the `x-zitadel-orgid` header's), as ZITADEL does.
pub(super) fn context_org(
    request: &ContextRequest,
    caller: &Caller,
) -> Result<Option<String>, DomainError> {
    let nested = request.ctx.clone().unwrap_or_default();
    let org_id = request
        .ctx_org_id
        .clone()
        .filter(|id| !id.trim().is_empty())
        .or_else(|| Some(nested.org_id.clone()).filter(|id| !id.trim().is_empty()));
    let instance = nested.instance
        || match request.ctx_instance.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(DomainError::invalid(
                    "SETTINGS-0200",
                    format!("ctx.instance must be true or false, not {other:?}"),
                ));
            }
        };
    match (org_id, instance) {
        (Some(_), true) => Err(DomainError::invalid(
            "SETTINGS-0201",
            "ctx sets both instance and orgId; set one",
        )),
        (Some(_), false) => Ok(Some(caller.target_org().to_owned())),
        (None, true) => Ok(None),
        (None, false) => Ok(Some(caller.target_org().to_owned())),
    }
}

async fn effective<P: Policy>(
    state: &AppState,
    caller: &Caller,
    request: &ContextRequest,
) -> Result<EffectiveView<P>, DomainError> {
    let org_id = context_org(request, caller)?;
    if let Some(org_id) = &org_id {
        require_org_exists(state, caller, org_id).await?;
    }
    resolve::<P>(state.store(), &caller.instance.id, org_id.as_deref())
        .await
        .map_err(read_error)
}

fn respond<P, S>(view: &EffectiveView<P>, settings: S) -> SettingsResponse<S> {
    SettingsResponse {
        details: details(&view.owner_id, view.sequence, view.changed.map(timestamp)),
        settings,
    }
}

fn owner<P>(view: &EffectiveView<P>) -> ResourceOwnerType {
    view.source.into()
}

pub async fn login(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<LoginSettings>, DomainError> {
    let view = effective::<LoginPolicy>(&state, &caller, &request).await?;
    Ok(respond(
        &view,
        LoginSettings::new(&view.policy, owner(&view)),
    ))
}

pub async fn password_complexity(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<PasswordComplexitySettings>, DomainError> {
    let view = effective::<PasswordComplexityPolicy>(&state, &caller, &request).await?;
    let settings = PasswordComplexitySettings::new(&view.policy, owner(&view));
    Ok(respond(&view, settings))
}

pub async fn password_expiry(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<PasswordExpirySettings>, DomainError> {
    let view = effective::<PasswordAgePolicy>(&state, &caller, &request).await?;
    let settings = PasswordExpirySettings::new(&view.policy, owner(&view));
    Ok(respond(&view, settings))
}

pub async fn lockout(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<LockoutSettings>, DomainError> {
    let view = effective::<LockoutPolicy>(&state, &caller, &request).await?;
    Ok(respond(
        &view,
        LockoutSettings::new(&view.policy, owner(&view)),
    ))
}

pub async fn domain(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<DomainSettings>, DomainError> {
    let view = effective::<DomainPolicy>(&state, &caller, &request).await?;
    Ok(respond(
        &view,
        DomainSettings::new(&view.policy, owner(&view)),
    ))
}

pub async fn branding(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<BrandingSettings>, DomainError> {
    let view = effective::<LabelPolicy>(&state, &caller, &request).await?;
    Ok(respond(
        &view,
        BrandingSettings::new(&view.policy, owner(&view)),
    ))
}

pub async fn legal_and_support(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<SettingsResponse<LegalAndSupportSettings>, DomainError> {
    let view = effective::<PrivacyPolicy>(&state, &caller, &request).await?;
    let settings = LegalAndSupportSettings::new(&view.policy, owner(&view));
    Ok(respond(&view, settings))
}

pub async fn security(
    state: AppState,
    caller: Caller,
    _request: EmptyRequest,
) -> Result<SettingsResponse<SecuritySettings>, DomainError> {
    let view = resolve::<SecurityPolicy>(state.store(), &caller.instance.id, None)
        .await
        .map_err(read_error)?;
    Ok(respond(&view, SecuritySettings::new(&view.policy)))
}

/// Castellan's languages (its built-in texts are English; the hosted login brings its own).
const LANGUAGES: &[&str] = &["en", "de", "fr", "it", "es", "pt", "nl", "pl", "ja", "zh"];

pub async fn general(
    _state: AppState,
    caller: Caller,
    _request: EmptyRequest,
) -> Result<GeneralSettingsResponse, DomainError> {
    let languages: Vec<String> = LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
    Ok(GeneralSettingsResponse {
        default_org_id: caller.instance.default_org_id.clone(),
        default_organization_id: caller.instance.default_org_id.clone(),
        default_language: "en".into(),
        supported_languages: languages.clone(),
        allowed_languages: languages,
    })
}

/// No identity providers exist yet, so none is active.
pub async fn active_identity_providers(
    state: AppState,
    caller: Caller,
    request: ContextRequest,
) -> Result<ActiveIdentityProvidersResponse, DomainError> {
    if let Some(org_id) = context_org(&request, &caller)? {
        require_org_exists(&state, &caller, &org_id).await?;
    }
    Ok(ActiveIdentityProvidersResponse {
        details: ListDetails::default(),
        identity_providers: Vec::new(),
    })
}
