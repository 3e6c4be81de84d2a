//! Application keys: public keys of API and OIDC clients that authenticate with a private key
//! JWT. The private key is never stored.

use super::app::{ApiAuthMethod, OidcAuthMethod};
use super::{Project, ProjectEvent};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::Decision;

pub const MAX_PUBLIC_KEY_LEN: usize = 20_000;

pub(super) fn apply(project: &mut Project, event: &ProjectEvent) {
    match event {
        ProjectEvent::ApplicationKeyAdded {
            app_id,
            key_id,
            expiration,
            public_key,
        } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.keys.insert(key_id.clone(), *expiration);
                app.public_keys.insert(key_id.clone(), public_key.clone());
            }
        }
        ProjectEvent::ApplicationKeyRemoved { app_id, key_id } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.keys.remove(key_id);
                app.public_keys.remove(key_id);
            }
        }
        _ => {}
    }
}

/// CreateApplicationKey: only for clients that authenticate with a private key JWT; the
/// expiration, when given, must lie in the future.
pub fn add_key(
    state: &Project,
    app_id: &str,
    key_id: &str,
    public_key: &str,
    expiration: Option<Timestamp>,
    now: Timestamp,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let app = state
        .apps
        .get(app_id)
        .ok_or_else(|| DomainError::not_found("APP-0016", "Application not found"))?;
    let uses_keys = app
        .config
        .oidc
        .as_ref()
        .is_some_and(|o| o.auth_method == OidcAuthMethod::PrivateKeyJwt)
        || app
            .config
            .api
            .as_ref()
            .is_some_and(|a| a.auth_method == ApiAuthMethod::PrivateKeyJwt);
    if !uses_keys {
        return Err(DomainError::precondition(
            "KEY-0002",
            "Keys are only for applications that authenticate with PRIVATE_KEY_JWT",
        ));
    }
    if expiration.is_some_and(|at| at <= now) {
        return Err(DomainError::invalid(
            "KEY-0003",
            "The expiration date must be in the future",
        ));
    }
    if app.keys.contains_key(key_id) {
        return Err(DomainError::already_exists(
            "KEY-0004",
            "Key already exists",
        ));
    }
    if public_key.is_empty() || public_key.len() > MAX_PUBLIC_KEY_LEN {
        return Err(DomainError::internal("KEY-0005", "invalid public key"));
    }
    Ok(Decision::of(ProjectEvent::ApplicationKeyAdded {
        app_id: app_id.to_owned(),
        key_id: key_id.to_owned(),
        public_key: public_key.to_owned(),
        expiration,
    }))
}

pub fn remove_key(
    state: &Project,
    app_id: &str,
    key_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let found = state
        .apps
        .get(app_id)
        .is_some_and(|app| app.keys.contains_key(key_id));
    if !found {
        return Err(DomainError::not_found("KEY-0006", "Key not found"));
    }
    Ok(Decision::of(ProjectEvent::ApplicationKeyRemoved {
        app_id: app_id.to_owned(),
        key_id: key_id.to_owned(),
    }))
}

/// The key removals that go before an application's removal.
pub(super) fn removals(app_id: &str, keys: impl Iterator<Item = String>) -> Vec<ProjectEvent> {
    keys.map(|key_id| ProjectEvent::ApplicationKeyRemoved {
        app_id: app_id.to_owned(),
        key_id,
    })
    .collect()
}
