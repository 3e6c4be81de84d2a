//! Decisions about a user's metadata and a machine user's credentials: personal access tokens,
//! client secret and JWT-profile keys.

use super::decide::{require_exists, require_machine};
use super::{MAX_METADATA_KEY_LEN, MAX_METADATA_VALUE_LEN, User, UserEvent};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::Decision;

pub fn set_secret(state: &User, secret_hash: String) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    Ok(Decision::of(UserEvent::SecretSet { secret_hash }))
}

pub fn remove_secret(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    if state.secret_hash.is_none() {
        return Err(DomainError::not_found(
            "USER-0023",
            "The user has no secret",
        ));
    }
    Ok(Decision::of(UserEvent::SecretRemoved {}))
}

pub fn set_metadata(
    state: &User,
    entries: &[(String, String)],
) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if entries.is_empty() {
        return Err(DomainError::invalid(
            "USER-0028",
            "At least one metadata entry is required",
        ));
    }
    let mut decision = Decision::default();
    for (key, value) in entries {
        let key = key.trim();
        if key.is_empty() || key.chars().count() > MAX_METADATA_KEY_LEN {
            return Err(DomainError::invalid(
                "USER-0029",
                format!("Metadata keys must be 1 to {MAX_METADATA_KEY_LEN} characters"),
            ));
        }
        if value.is_empty() || value.len() > MAX_METADATA_VALUE_LEN {
            return Err(DomainError::invalid(
                "USER-0030",
                "Metadata values must not be empty",
            ));
        }
        if state.metadata.get(key) != Some(value) {
            decision.events.push(UserEvent::MetadataSet {
                key: key.to_owned(),
                value: value.clone(),
            });
        }
    }
    Ok(decision)
}

pub fn remove_metadata(state: &User, keys: &[String]) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if keys.is_empty() {
        return Err(DomainError::invalid(
            "USER-0031",
            "At least one metadata key is required",
        ));
    }
    let mut decision = Decision::default();
    for key in keys {
        if !state.metadata.contains_key(key) {
            return Err(DomainError::not_found(
                "USER-0032",
                format!("Metadata key {key:?} not found"),
            ));
        }
        decision
            .events
            .push(UserEvent::MetadataRemoved { key: key.clone() });
    }
    Ok(decision)
}

pub fn add_personal_access_token(
    state: &User,
    token_id: String,
    token_hash: String,
    expiration: Option<Timestamp>,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    if expiration.is_some_and(|at| at <= now) {
        return Err(DomainError::invalid(
            "USER-0008",
            "Expiration must be in the future",
        ));
    }
    Ok(Decision::of(UserEvent::PersonalAccessTokenAdded {
        token_id,
        token_hash,
        expiration,
    }))
}

pub fn remove_personal_access_token(
    state: &User,
    token_id: &str,
) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    let Some((token_hash, _)) = state.tokens.get(token_id) else {
        return Err(DomainError::not_found(
            "USER-0033",
            "Personal access token not found",
        ));
    };
    Ok(Decision::of(UserEvent::PersonalAccessTokenRemoved {
        token_id: token_id.to_owned(),
        token_hash: token_hash.clone(),
    }))
}

pub fn add_key(
    state: &User,
    key_id: String,
    public_key: String,
    expiration: Timestamp,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    if expiration <= now {
        return Err(DomainError::invalid(
            "USER-0008",
            "Expiration must be in the future",
        ));
    }
    if state.keys.contains_key(&key_id) {
        return Err(DomainError::already_exists(
            "USER-0035",
            "A key with this id exists",
        ));
    }
    Ok(Decision::of(UserEvent::KeyAdded {
        key_id,
        public_key,
        expiration,
    }))
}

pub fn remove_key(state: &User, key_id: &str) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    if !state.keys.contains_key(key_id) {
        return Err(DomainError::not_found("USER-0036", "Key not found"));
    }
    Ok(Decision::of(UserEvent::KeyRemoved {
        key_id: key_id.to_owned(),
    }))
}
