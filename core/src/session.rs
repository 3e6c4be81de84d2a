//! The session aggregate (ZITADEL's Session API v2): who was checked, by which factors and when.
//! A session belongs to the instance; its token (returned once, stored as a SHA-256 hash) lets
//! its holder update it, and lets a login UI finish an auth request with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "session";
pub const MAX_METADATA_KEY_LEN: usize = 200;
pub const MAX_METADATA_VALUE_LEN: usize = 500_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum SessionEvent {
    #[serde(rename = "session.added")]
    Added {
        #[serde(default)]
        user_agent: Option<String>,
        #[serde(default)]
        ip: Option<String>,
    },
    #[serde(rename = "session.user.checked")]
    UserChecked {
        user_id: String,
        org_id: String,
        checked_at: Timestamp,
    },
    #[serde(rename = "session.password.checked")]
    PasswordChecked { checked_at: Timestamp },
    #[serde(rename = "session.totp.checked")]
    TotpChecked { checked_at: Timestamp },
    /// The session token was (re)issued; every update issues a new one, as in ZITADEL.
    #[serde(rename = "session.token.set")]
    TokenSet { token_hash: String },
    /// Values are base64, as the API carries them.
    #[serde(rename = "session.metadata.set")]
    MetadataSet { metadata: BTreeMap<String, String> },
    #[serde(rename = "session.lifetime.set")]
    LifetimeSet { expiration: Timestamp },
    #[serde(rename = "session.terminated")]
    Terminated {},
}

impl EventPayload for SessionEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    pub created: bool,
    pub terminated: bool,
    pub created_at: Timestamp,
    pub user_id: Option<String>,
    pub org_id: Option<String>,
    pub user_checked_at: Option<Timestamp>,
    pub password_checked_at: Option<Timestamp>,
    pub totp_checked_at: Option<Timestamp>,
    pub token_hash: String,
    pub metadata: BTreeMap<String, String>,
    pub expiration: Option<Timestamp>,
    pub user_agent: Option<String>,
}

impl Aggregate for Session {
    type Event = SessionEvent;

    fn apply(&mut self, event: &SessionEvent, meta: &EventMeta) {
        match event {
            SessionEvent::Added { user_agent, .. } => {
                self.created = true;
                self.created_at = meta.created_at;
                self.user_agent.clone_from(user_agent);
            }
            SessionEvent::UserChecked {
                user_id,
                org_id,
                checked_at,
            } => {
                self.user_id = Some(user_id.clone());
                self.org_id = Some(org_id.clone());
                self.user_checked_at = Some(*checked_at);
            }
            SessionEvent::PasswordChecked { checked_at } => {
                self.password_checked_at = Some(*checked_at);
            }
            SessionEvent::TotpChecked { checked_at } => self.totp_checked_at = Some(*checked_at),
            SessionEvent::TokenSet { token_hash } => self.token_hash.clone_from(token_hash),
            SessionEvent::MetadataSet { metadata } => {
                for (key, value) in metadata {
                    if value.is_empty() {
                        self.metadata.remove(key);
                    } else {
                        self.metadata.insert(key.clone(), value.clone());
                    }
                }
            }
            SessionEvent::LifetimeSet { expiration } => self.expiration = Some(*expiration),
            SessionEvent::Terminated {} => self.terminated = true,
        }
    }
}

impl Session {
    pub fn active(&self, now: Timestamp) -> bool {
        self.created && !self.terminated && self.expiration.is_none_or(|at| at > now)
    }

    /// The authentication methods references (RFC 8176) the session's checks prove.
    pub fn amr(&self) -> Vec<String> {
        let mut amr = Vec::new();
        if self.password_checked_at.is_some() {
            amr.push("pwd".to_owned());
        }
        if self.totp_checked_at.is_some() {
            amr.push("otp".to_owned());
        }
        if amr.len() > 1 {
            amr.push("mfa".to_owned());
        }
        amr
    }

    /// The latest check: the time the user authenticated (OIDC `auth_time`).
    pub fn auth_time(&self) -> Option<Timestamp> {
        [self.password_checked_at, self.totp_checked_at]
            .into_iter()
            .flatten()
            .max()
    }

    pub fn require_active(&self, now: Timestamp) -> Result<(), DomainError> {
        if self.active(now) {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("SESSION-0001", "Session not found")
}

/// Validates session metadata: keys non-empty and bounded; an empty value deletes the key.
pub fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<(), DomainError> {
    for (key, value) in metadata {
        if key.trim().is_empty() || key.chars().count() > MAX_METADATA_KEY_LEN {
            return Err(DomainError::invalid(
                "SESSION-0002",
                format!("Metadata keys must have 1 to {MAX_METADATA_KEY_LEN} characters"),
            ));
        }
        if value.len() > MAX_METADATA_VALUE_LEN {
            return Err(DomainError::invalid(
                "SESSION-0003",
                "Metadata value too long",
            ));
        }
    }
    Ok(())
}

/// The user a session check names. A session's user cannot change once checked.
pub fn check_user(
    state: &Session,
    user_id: &str,
    org_id: &str,
    now: Timestamp,
) -> Result<Decision<SessionEvent>, DomainError> {
    if let Some(current) = &state.user_id
        && current != user_id
    {
        return Err(DomainError::invalid(
            "SESSION-0004",
            "The user of a session cannot be changed",
        ));
    }
    Ok(Decision::of(SessionEvent::UserChecked {
        user_id: user_id.to_owned(),
        org_id: org_id.to_owned(),
        checked_at: now,
    }))
}

pub fn terminate(state: &Session) -> Result<Decision<SessionEvent>, DomainError> {
    if !state.created || state.terminated {
        return Err(not_found());
    }
    Ok(Decision::of(SessionEvent::Terminated {}))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::Position;

    fn meta(at: i64) -> EventMeta {
        EventMeta {
            sequence: 1,
            created_at: Timestamp(at),
            resource_owner: "inst".into(),
            position: Position(1),
        }
    }

    fn session(events: &[SessionEvent]) -> Session {
        let mut session = Session::default();
        for (i, event) in events.iter().enumerate() {
            session.apply(event, &meta(i as i64 + 1));
        }
        session
    }

    #[test]
    fn checks_give_amr_and_auth_time() {
        let s = session(&[
            SessionEvent::Added {
                user_agent: None,
                ip: None,
            },
            SessionEvent::UserChecked {
                user_id: "u".into(),
                org_id: "o".into(),
                checked_at: Timestamp(2),
            },
            SessionEvent::PasswordChecked {
                checked_at: Timestamp(3),
            },
        ]);
        assert_eq!(s.amr(), vec!["pwd"]);
        assert_eq!(s.auth_time(), Some(Timestamp(3)));
        let s2 = session(&[
            SessionEvent::Added {
                user_agent: None,
                ip: None,
            },
            SessionEvent::PasswordChecked {
                checked_at: Timestamp(3),
            },
            SessionEvent::TotpChecked {
                checked_at: Timestamp(9),
            },
        ]);
        assert_eq!(s2.amr(), vec!["pwd", "otp", "mfa"]);
        assert_eq!(s2.auth_time(), Some(Timestamp(9)));
    }

    #[test]
    fn the_user_cannot_change_and_terminated_sessions_are_gone() {
        let s = session(&[
            SessionEvent::Added {
                user_agent: None,
                ip: None,
            },
            SessionEvent::UserChecked {
                user_id: "u".into(),
                org_id: "o".into(),
                checked_at: Timestamp(2),
            },
        ]);
        assert!(check_user(&s, "u", "o", Timestamp(5)).is_ok());
        assert!(check_user(&s, "other", "o", Timestamp(5)).is_err());
        assert!(s.active(Timestamp(5)));
        let mut ended = s.clone();
        ended.apply(&terminate(&s).unwrap().events[0], &meta(6));
        assert!(!ended.active(Timestamp(7)));
        assert!(terminate(&ended).is_err());
        let mut expiring = s;
        expiring.apply(
            &SessionEvent::LifetimeSet {
                expiration: Timestamp(10),
            },
            &meta(8),
        );
        assert!(expiring.active(Timestamp(9)));
        assert!(!expiring.active(Timestamp(10)));
    }

    #[test]
    fn metadata_is_bounded_and_empty_values_delete() {
        let mut big = BTreeMap::new();
        big.insert(" ".to_owned(), "x".to_owned());
        assert!(validate_metadata(&big).is_err());
        let mut s = session(&[SessionEvent::MetadataSet {
            metadata: BTreeMap::from([("a".into(), "eA==".into())]),
        }]);
        s.apply(
            &SessionEvent::MetadataSet {
                metadata: BTreeMap::from([("a".into(), String::new())]),
            },
            &meta(3),
        );
        assert!(s.metadata.is_empty());
    }
}
