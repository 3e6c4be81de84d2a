//! The device authorization aggregate (RFC 8628): a device asked for a grant and shows the user a
//! short user code; the user approves or denies it in a browser; the device polls the token
//! endpoint with the device code until then. The user code is unique in the instance while the
//! request is open (a ledger claim, released when it ends).

use serde::{Deserialize, Serialize};

use super::auth_request::Authentication;
use super::invalid_grant;
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "device_authorization";
pub const UNIQUE_USER_CODE: &str = "device_user_code";
pub const LIFETIME_MICROS: i64 = 5 * 60 * 1_000_000;
/// RFC 8628 §3.2 `interval`, seconds.
pub const POLL_INTERVAL_SECONDS: i64 = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum DeviceEvent {
    #[serde(rename = "device_authorization.added")]
    Added {
        client_id: String,
        device_code_hash: String,
        user_code: String,
        scopes: Vec<String>,
        expires_at: Timestamp,
    },
    #[serde(rename = "device_authorization.approved")]
    Approved { authentication: Authentication },
    #[serde(rename = "device_authorization.denied")]
    Denied {},
    /// The device received its tokens.
    #[serde(rename = "device_authorization.done")]
    Done { grant_id: String },
}

impl EventPayload for DeviceEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceState {
    #[default]
    Unknown,
    Pending,
    Approved,
    Denied,
    Done,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceAuthorization {
    pub state: DeviceState,
    pub client_id: String,
    pub device_code_hash: String,
    pub user_code: String,
    pub scopes: Vec<String>,
    pub expires_at: Timestamp,
    pub authentication: Option<Authentication>,
}

impl Aggregate for DeviceAuthorization {
    type Event = DeviceEvent;

    fn apply(&mut self, event: &DeviceEvent, _meta: &EventMeta) {
        match event {
            DeviceEvent::Added {
                client_id,
                device_code_hash,
                user_code,
                scopes,
                expires_at,
            } => {
                self.state = DeviceState::Pending;
                self.client_id.clone_from(client_id);
                self.device_code_hash.clone_from(device_code_hash);
                self.user_code.clone_from(user_code);
                self.scopes.clone_from(scopes);
                self.expires_at = *expires_at;
            }
            DeviceEvent::Approved { authentication } => {
                self.state = DeviceState::Approved;
                self.authentication = Some(authentication.clone());
            }
            DeviceEvent::Denied {} => self.state = DeviceState::Denied,
            DeviceEvent::Done { .. } => self.state = DeviceState::Done,
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("OIDC-0030", "Device authorization not found")
}

pub fn add(
    state: &DeviceAuthorization,
    client_id: &str,
    device_code_hash: String,
    user_code: &str,
    scopes: Vec<String>,
    now: Timestamp,
) -> Result<Decision<DeviceEvent>, DomainError> {
    if state.state != DeviceState::Unknown {
        return Err(DomainError::already_exists(
            "OIDC-0031",
            "Device authorization exists",
        ));
    }
    let mut decision = Decision::of(DeviceEvent::Added {
        client_id: client_id.to_owned(),
        device_code_hash,
        user_code: user_code.to_owned(),
        scopes,
        expires_at: Timestamp(now.0.saturating_add(LIFETIME_MICROS)),
    });
    decision.claim(UNIQUE_USER_CODE, user_code);
    Ok(decision)
}

/// The user approved (`Some`) or denied (`None`) the device in a browser.
pub fn decide(
    state: &DeviceAuthorization,
    approval: Option<Authentication>,
    now: Timestamp,
) -> Result<Decision<DeviceEvent>, DomainError> {
    if state.state != DeviceState::Pending || now >= state.expires_at {
        return Err(not_found());
    }
    let mut decision = Decision::of(match approval {
        Some(authentication) => DeviceEvent::Approved { authentication },
        None => DeviceEvent::Denied {},
    });
    decision.release(UNIQUE_USER_CODE, &state.user_code);
    Ok(decision)
}

/// What the device's poll at the token endpoint learns (RFC 8628 §3.5).
#[derive(Debug, PartialEq)]
pub enum Poll {
    Pending,
    Denied,
    Expired,
    Approved(Authentication),
}

pub fn poll(
    state: &DeviceAuthorization,
    device_code_hash: &str,
    client_id: &str,
    now: Timestamp,
) -> Result<Poll, DomainError> {
    if state.state == DeviceState::Unknown
        || !crate::ct_eq(&state.device_code_hash, device_code_hash)
        || state.client_id != client_id
    {
        return Err(invalid_grant());
    }
    Ok(match state.state {
        DeviceState::Approved => match &state.authentication {
            Some(authentication) => Poll::Approved(authentication.clone()),
            None => return Err(invalid_grant()),
        },
        DeviceState::Denied => Poll::Denied,
        DeviceState::Done => return Err(invalid_grant()),
        _ if now >= state.expires_at => Poll::Expired,
        _ => Poll::Pending,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::Position;

    fn meta() -> EventMeta {
        EventMeta {
            sequence: 1,
            created_at: Timestamp(1),
            resource_owner: "i".into(),
            position: Position(1),
        }
    }

    fn pending() -> DeviceAuthorization {
        let mut state = DeviceAuthorization::default();
        let decision = add(&state, "c", "h".into(), "ABCD-EFGH", vec![], Timestamp(0)).unwrap();
        assert_eq!(decision.claims.len(), 1);
        for event in &decision.events {
            state.apply(event, &meta());
        }
        state
    }

    #[test]
    fn the_device_waits_then_gets_the_approval_once() {
        let mut state = pending();
        assert_eq!(poll(&state, "h", "c", Timestamp(1)).unwrap(), Poll::Pending);
        assert!(poll(&state, "x", "c", Timestamp(1)).is_err());
        assert!(poll(&state, "h", "other", Timestamp(1)).is_err());
        let authn = Authentication {
            user_id: "u".into(),
            ..Authentication::default()
        };
        let decision = decide(&state, Some(authn.clone()), Timestamp(2)).unwrap();
        assert_eq!(decision.releases.len(), 1);
        for event in &decision.events {
            state.apply(event, &meta());
        }
        assert_eq!(
            poll(&state, "h", "c", Timestamp(3)).unwrap(),
            Poll::Approved(authn)
        );
        state.apply(
            &DeviceEvent::Done {
                grant_id: "g".into(),
            },
            &meta(),
        );
        assert!(poll(&state, "h", "c", Timestamp(4)).is_err());
    }

    #[test]
    fn denial_and_expiry_are_reported() {
        let mut state = pending();
        assert_eq!(
            poll(&state, "h", "c", Timestamp(LIFETIME_MICROS)).unwrap(),
            Poll::Expired
        );
        assert!(decide(&state, None, Timestamp(LIFETIME_MICROS)).is_err());
        for event in &decide(&state, None, Timestamp(2)).unwrap().events {
            state.apply(event, &meta());
        }
        assert_eq!(poll(&state, "h", "c", Timestamp(3)).unwrap(), Poll::Denied);
    }
}
