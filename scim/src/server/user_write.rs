//! SCIM User writes as user decisions: one decision per request, so a request is one append
//! (all of it or nothing). `externalId` is unique per org and provisioning domain, claimed in
//! the same append.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::user::{
    self, HumanProfile, NewHuman, PasswordProof, User, UserEvent, UserState, chain,
};

use super::user_doc::{Desired, META_PREFIX, PROVISIONING_DOMAIN};

/// The unique-claim type of SCIM external ids.
pub const UNIQUE_EXTERNAL_ID: &str = "scim_external_id";

fn external_claim(org_id: &str, key: &str, value: &str) -> String {
    format!("{org_id}\u{1f}{key}\u{1f}{value}")
}

fn profile(desired: &Desired) -> HumanProfile {
    HumanProfile {
        given_name: desired.given_name.clone(),
        family_name: desired.family_name.clone(),
        display_name: desired.display_name.clone(),
        nick_name: desired.nick_name.clone(),
        preferred_language: desired.preferred_language.clone(),
    }
}

/// A new user from a SCIM User.
pub fn create(
    current: &User,
    desired: &Desired,
    password_hash: Option<String>,
    email_verified: bool,
    external_id_key: &str,
    org_id: &str,
) -> Result<Decision<UserEvent>, DomainError> {
    let added = user::add_human(
        current,
        NewHuman {
            username: desired.username.clone(),
            profile: profile(desired),
            email: desired.email.clone(),
            email_verified,
            password_hash,
            password_change_required: false,
        },
    )?;
    let mut decision = chain(current, added, |after| {
        let mut next = Decision::default();
        if !desired.phone.is_empty() {
            next = user::change_phone(after, &desired.phone, true)?;
        }
        Ok(next)
    })?;
    let entries: Vec<(String, String)> = desired
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), encode(v)))
        .collect();
    if !entries.is_empty() {
        decision = chain(current, decision, |after| {
            user::set_metadata(after, &entries)
        })?;
    }
    if !desired.active {
        decision = chain(current, decision, user::deactivate)?;
    }
    if let Some(external) = &desired.external_id {
        decision.claim(
            UNIQUE_EXTERNAL_ID,
            &external_claim(org_id, external_id_key, external),
        );
    }
    Ok(decision)
}

fn encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

/// The changes that make `current` what `desired` says (PUT and PATCH).
pub fn update(
    current: &User,
    desired: &Desired,
    password_hash: Option<String>,
    external_id_key: &str,
    org_id: &str,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    let mut decision = user::change_username(current, &desired.username)?;
    decision = chain(current, decision, |after| {
        user::change_profile(after, profile(desired))
    })?;
    decision = chain(current, decision, |after| {
        user::change_email(after, &desired.email, true)
    })?;
    decision = chain(current, decision, |after| {
        if desired.phone.is_empty() {
            if after.phone.is_empty() {
                Ok(Decision::default())
            } else {
                user::remove_phone(after)
            }
        } else {
            user::change_phone(after, &desired.phone, true)
        }
    })?;
    // SCIM metadata: set what changed, remove what the resource no longer has.
    let set: Vec<(String, String)> = desired
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), encode(v)))
        .filter(|(k, v)| current.metadata.get(k) != Some(v))
        .collect();
    if !set.is_empty() {
        decision = chain(current, decision, |after| user::set_metadata(after, &set))?;
    }
    let removed: Vec<String> = current
        .metadata
        .keys()
        .filter(|k| k.starts_with(META_PREFIX) && k.as_str() != PROVISIONING_DOMAIN)
        .filter(|k| !desired.metadata.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        decision = chain(current, decision, |after| {
            user::remove_metadata(after, &removed)
        })?;
    }
    let inactive = current.state == UserState::Inactive;
    if desired.active && inactive {
        decision = chain(current, decision, user::reactivate)?;
    } else if !desired.active && !inactive {
        decision = chain(current, decision, user::deactivate)?;
    }
    if let Some(hash) = password_hash {
        decision = chain(current, decision, |after| {
            user::set_password(after, hash, false, PasswordProof::Administrator, now)
        })?;
    }
    let before = current
        .metadata
        .get(external_id_key)
        .and_then(|v| decode(v));
    if before != desired.external_id {
        if let Some(old) = &before {
            decision.release(
                UNIQUE_EXTERNAL_ID,
                &external_claim(org_id, external_id_key, old),
            );
        }
        if let Some(new) = &desired.external_id {
            decision.claim(
                UNIQUE_EXTERNAL_ID,
                &external_claim(org_id, external_id_key, new),
            );
        }
    }
    Ok(decision)
}

fn decode(value: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    String::from_utf8(bytes).ok()
}
