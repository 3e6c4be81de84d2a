//! An instance's web keys (WebKeyService): the keys that sign ID tokens and JWT access tokens.
//! One aggregate per instance (aggregate id = instance id) so that "exactly one key is active"
//! is a single-aggregate invariant. States follow ZITADEL: a new key is INITIAL (published in the
//! JWKS, not signing), activating one makes the previous active key INACTIVE (still published, so
//! tokens it signed still verify), and only inactive keys can be deleted. The private key travels
//! sealed (AES-256-GCM under the instance master key); events never carry it in clear.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "web_key";

/// The key's algorithm, as WebKeyService configures it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WebKeyAlgorithm {
    /// bits: 2048, 3072 or 4096; hasher: "sha256", "sha384" or "sha512".
    Rsa {
        bits: u32,
        hasher: String,
    },
    /// curve: "p256" or "p384".
    Ecdsa {
        curve: String,
    },
    Ed25519,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebKeyState {
    Initial,
    Active,
    Inactive,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum WebKeyEvent {
    #[serde(rename = "web_key.added")]
    Added {
        key_id: String,
        algorithm: WebKeyAlgorithm,
        /// The public JWK, as published.
        public_jwk: serde_json::Value,
        /// The PKCS#8 private key, sealed with the master key.
        sealed_private_key: String,
    },
    /// `previous` is the key that was active until now (it becomes inactive).
    #[serde(rename = "web_key.activated")]
    Activated {
        key_id: String,
        #[serde(default)]
        previous: Option<String>,
    },
    #[serde(rename = "web_key.removed")]
    Removed { key_id: String },
}

impl EventPayload for WebKeyEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebKey {
    pub algorithm: WebKeyAlgorithm,
    pub state: WebKeyState,
    pub public_jwk: serde_json::Value,
    pub sealed_private_key: String,
    pub created_at: Timestamp,
    pub changed_at: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebKeySet {
    pub keys: BTreeMap<String, WebKey>,
}

impl Aggregate for WebKeySet {
    type Event = WebKeyEvent;

    fn apply(&mut self, event: &WebKeyEvent, meta: &EventMeta) {
        match event {
            WebKeyEvent::Added {
                key_id,
                algorithm,
                public_jwk,
                sealed_private_key,
            } => {
                self.keys.insert(
                    key_id.clone(),
                    WebKey {
                        algorithm: algorithm.clone(),
                        state: WebKeyState::Initial,
                        public_jwk: public_jwk.clone(),
                        sealed_private_key: sealed_private_key.clone(),
                        created_at: meta.created_at,
                        changed_at: meta.created_at,
                    },
                );
            }
            WebKeyEvent::Activated { key_id, previous } => {
                if let Some(previous) = previous
                    && let Some(key) = self.keys.get_mut(previous)
                {
                    key.state = WebKeyState::Inactive;
                    key.changed_at = meta.created_at;
                }
                if let Some(key) = self.keys.get_mut(key_id) {
                    key.state = WebKeyState::Active;
                    key.changed_at = meta.created_at;
                }
            }
            WebKeyEvent::Removed { key_id } => {
                self.keys.remove(key_id);
            }
        }
    }
}

impl WebKeySet {
    pub fn active(&self) -> Option<(&String, &WebKey)> {
        self.keys
            .iter()
            .find(|(_, key)| key.state == WebKeyState::Active)
    }
}

fn not_found() -> DomainError {
    DomainError::not_found("WEBKEY-0001", "Web key not found")
}

pub fn add(
    state: &WebKeySet,
    key_id: &str,
    algorithm: WebKeyAlgorithm,
    public_jwk: serde_json::Value,
    sealed_private_key: String,
) -> Result<Decision<WebKeyEvent>, DomainError> {
    if state.keys.contains_key(key_id) {
        return Err(DomainError::already_exists("WEBKEY-0002", "Web key exists"));
    }
    Ok(Decision::of(WebKeyEvent::Added {
        key_id: key_id.to_owned(),
        algorithm,
        public_jwk,
        sealed_private_key,
    }))
}

/// Makes `key_id` the signing key. Activating the active key again decides nothing.
pub fn activate(state: &WebKeySet, key_id: &str) -> Result<Decision<WebKeyEvent>, DomainError> {
    let key = state.keys.get(key_id).ok_or_else(not_found)?;
    if key.state == WebKeyState::Active {
        return Ok(Decision::default());
    }
    Ok(Decision::of(WebKeyEvent::Activated {
        key_id: key_id.to_owned(),
        previous: state.active().map(|(id, _)| id.clone()),
    }))
}

/// Only inactive keys can be deleted (ZITADEL: the active and initial keys cannot).
pub fn remove(state: &WebKeySet, key_id: &str) -> Result<Decision<WebKeyEvent>, DomainError> {
    let key = state.keys.get(key_id).ok_or_else(not_found)?;
    if key.state != WebKeyState::Inactive {
        return Err(DomainError::precondition(
            "WEBKEY-0003",
            "Only inactive web keys can be deleted",
        ));
    }
    Ok(Decision::of(WebKeyEvent::Removed {
        key_id: key_id.to_owned(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::Position;

    fn apply(state: &mut WebKeySet, decision: Decision<WebKeyEvent>) {
        let meta = EventMeta {
            sequence: 1,
            created_at: Timestamp(1),
            resource_owner: "i".into(),
            position: Position(1),
        };
        for event in &decision.events {
            state.apply(event, &meta);
        }
    }

    fn added(state: &mut WebKeySet, id: &str) {
        let decision = add(
            state,
            id,
            WebKeyAlgorithm::Ed25519,
            serde_json::json!({"kid": id}),
            "sealed".into(),
        )
        .unwrap();
        apply(state, decision);
    }

    #[test]
    fn one_key_signs_and_the_previous_stays_published_as_inactive() {
        let mut set = WebKeySet::default();
        added(&mut set, "a");
        added(&mut set, "b");
        assert!(
            add(
                &set,
                "a",
                WebKeyAlgorithm::Ed25519,
                serde_json::json!({}),
                "s".into()
            )
            .is_err()
        );
        assert_eq!(set.keys["a"].state, WebKeyState::Initial);
        let d = activate(&set, "a").unwrap();
        apply(&mut set, d);
        let d = activate(&set, "b").unwrap();
        apply(&mut set, d);
        assert_eq!(set.keys["a"].state, WebKeyState::Inactive);
        assert_eq!(set.active().map(|(id, _)| id.as_str()), Some("b"));
        assert!(activate(&set, "b").unwrap().events.is_empty());
        assert!(activate(&set, "zz").is_err());
    }

    #[test]
    fn only_inactive_keys_are_deleted() {
        let mut set = WebKeySet::default();
        added(&mut set, "a");
        assert!(remove(&set, "a").is_err());
        let d = activate(&set, "a").unwrap();
        apply(&mut set, d);
        assert!(remove(&set, "a").is_err());
        added(&mut set, "b");
        let d = activate(&set, "b").unwrap();
        apply(&mut set, d);
        let d = remove(&set, "a").unwrap();
        apply(&mut set, d);
        assert!(!set.keys.contains_key("a"));
        assert!(remove(&set, "nope").is_err());
    }
}
