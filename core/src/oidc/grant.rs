//! The grant aggregate (ZITADEL's "OIDC session", aggregate type `oidc_session`): what one client
//! was granted for one subject — scopes, audience, how the user authenticated — and the tokens
//! issued under it. Refresh tokens rotate: each use issues a new one, and presenting one already
//! used revokes the whole family (the grant is terminated), since only a thief and the rightful
//! client can hold the same token.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::invalid_grant;
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "oidc_session";

/// The acting party after a token exchange with an actor token (RFC 8693 `act`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub subject: String,
    pub issuer: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGrant {
    /// The subject: a user (human or machine).
    pub user_id: String,
    pub org_id: String,
    pub client_id: String,
    /// "authorization_code", "client_credentials", "jwt_bearer", "token_exchange",
    /// "device_code" or "implicit".
    pub grant_type: String,
    pub scopes: Vec<String>,
    pub audience: Vec<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub auth_request_id: Option<String>,
    #[serde(default)]
    pub auth_time: Option<Timestamp>,
    #[serde(default)]
    pub amr: Vec<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub actor: Option<Actor>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum GrantEvent {
    #[serde(rename = "oidc_session.added")]
    Added { grant: Box<NewGrant> },
    /// `token_hash` is set for opaque tokens; JWT access tokens carry `token_id` as `jti`.
    #[serde(rename = "oidc_session.access_token.added")]
    AccessTokenAdded {
        token_id: String,
        #[serde(default)]
        token_hash: Option<String>,
        scopes: Vec<String>,
        expiration: Timestamp,
    },
    /// A new refresh token; the one it replaces (if any) counts as used from now on.
    #[serde(rename = "oidc_session.refresh_token.added")]
    RefreshTokenAdded {
        token_hash: String,
        idle_expiration: Timestamp,
        expiration: Timestamp,
    },
    #[serde(rename = "oidc_session.access_token.revoked")]
    AccessTokenRevoked { token_id: String },
    /// Everything issued under the grant is revoked. `reason`: "revoked", "refresh_token_reused",
    /// "code_replayed", "logout", "session_terminated".
    #[serde(rename = "oidc_session.terminated")]
    Terminated { reason: String },
    /// The grant ended with its login session: its client registered a back-channel logout URI,
    /// and a logout token (OIDC Back-Channel Logout 1.0) is to be delivered there. Appended with
    /// `terminated`, for one grant per client and session; the delivery worker reads it.
    #[serde(rename = "oidc_session.backchannel_logout.requested")]
    LogoutRequested { uri: String, issuer: String },
    /// The client accepted the logout token (after `attempts` tries).
    #[serde(rename = "oidc_session.backchannel_logout.delivered")]
    LogoutDelivered { attempts: u32 },
    /// The delivery gave up after `attempts` tries; `error` is the last failure.
    #[serde(rename = "oidc_session.backchannel_logout.failed")]
    LogoutFailed { attempts: u32, error: String },
}

impl EventPayload for GrantEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessTokenState {
    pub expiration: Timestamp,
    pub revoked: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grant {
    pub exists: bool,
    pub terminated: bool,
    pub grant: NewGrant,
    pub created_at: Timestamp,
    pub access_tokens: BTreeMap<String, AccessTokenState>,
    /// The refresh token that may be used next: (hash, idle expiration).
    pub refresh_token: Option<(String, Timestamp)>,
    pub refresh_expiration: Option<Timestamp>,
    pub used_refresh_tokens: BTreeSet<String>,
    /// The back-channel logout of this grant, once requested.
    pub logout: Option<LogoutDelivery>,
}

/// Where a logout token goes and whether that is settled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutDelivery {
    pub uri: String,
    pub issuer: String,
    /// Delivered or given up.
    pub settled: bool,
}

/// Where to deliver a logout token for a grant that ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutTarget {
    pub uri: String,
    pub issuer: String,
}

/// How a delivery attempt series ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogoutOutcome {
    Delivered { attempts: u32 },
    Failed { attempts: u32, error: String },
}

impl Aggregate for Grant {
    type Event = GrantEvent;

    fn apply(&mut self, event: &GrantEvent, meta: &EventMeta) {
        match event {
            GrantEvent::Added { grant } => {
                self.exists = true;
                self.grant = grant.as_ref().clone();
                self.created_at = meta.created_at;
            }
            GrantEvent::AccessTokenAdded {
                token_id,
                expiration,
                ..
            } => {
                self.access_tokens.insert(
                    token_id.clone(),
                    AccessTokenState {
                        expiration: *expiration,
                        revoked: false,
                    },
                );
            }
            GrantEvent::RefreshTokenAdded {
                token_hash,
                idle_expiration,
                expiration,
            } => {
                if let Some((previous, _)) = self.refresh_token.take() {
                    self.used_refresh_tokens.insert(previous);
                }
                self.refresh_token = Some((token_hash.clone(), *idle_expiration));
                self.refresh_expiration = Some(*expiration);
            }
            GrantEvent::AccessTokenRevoked { token_id } => {
                if let Some(token) = self.access_tokens.get_mut(token_id) {
                    token.revoked = true;
                }
            }
            GrantEvent::Terminated { .. } => {
                self.terminated = true;
                self.refresh_token = None;
            }
            GrantEvent::LogoutRequested { uri, issuer } => {
                self.logout = Some(LogoutDelivery {
                    uri: uri.clone(),
                    issuer: issuer.clone(),
                    settled: false,
                });
            }
            GrantEvent::LogoutDelivered { .. } | GrantEvent::LogoutFailed { .. } => {
                if let Some(logout) = &mut self.logout {
                    logout.settled = true;
                }
            }
        }
    }
}

impl Grant {
    pub fn active(&self) -> bool {
        self.exists && !self.terminated
    }
}

pub fn add(state: &Grant, grant: NewGrant) -> Result<Decision<GrantEvent>, DomainError> {
    if state.exists {
        return Err(DomainError::already_exists("OIDC-0020", "Grant exists"));
    }
    Ok(Decision::of(GrantEvent::Added {
        grant: Box::new(grant),
    }))
}

/// What presenting a refresh token decided.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshUse {
    /// The current token: rotate it and issue new tokens.
    Rotate,
    /// A token that was already rotated away: terminate the grant (family revocation).
    Reused,
}

/// Checks a presented refresh token against the grant (hash compared in constant time).
pub fn use_refresh_token(
    state: &Grant,
    token_hash: &str,
    client_id: &str,
    now: Timestamp,
) -> Result<RefreshUse, DomainError> {
    if !state.active() || state.grant.client_id != client_id {
        return Err(invalid_grant());
    }
    if let Some((current, idle_expiration)) = &state.refresh_token
        && crate::ct_eq(current, token_hash)
    {
        let absolute_ok = state.refresh_expiration.is_none_or(|at| now < at);
        if now < *idle_expiration && absolute_ok {
            return Ok(RefreshUse::Rotate);
        }
        return Err(invalid_grant());
    }
    if state
        .used_refresh_tokens
        .iter()
        .any(|used| crate::ct_eq(used, token_hash))
    {
        return Ok(RefreshUse::Reused);
    }
    Err(invalid_grant())
}

/// Ends the grant; a no-op decision when it has already ended.
pub fn terminate(state: &Grant, reason: &str) -> Decision<GrantEvent> {
    if !state.active() {
        return Decision::default();
    }
    Decision::of(GrantEvent::Terminated {
        reason: reason.to_owned(),
    })
}

/// Ends the grant and, when `logout` is given and the grant came from a login session, asks for
/// a back-channel logout; a no-op decision when the grant has already ended.
pub fn end(state: &Grant, reason: &str, logout: Option<LogoutTarget>) -> Decision<GrantEvent> {
    let mut decision = terminate(state, reason);
    if decision.events.is_empty() || state.grant.session_id.is_none() || state.logout.is_some() {
        return decision;
    }
    if let Some(target) = logout {
        decision.events.push(GrantEvent::LogoutRequested {
            uri: target.uri,
            issuer: target.issuer,
        });
    }
    decision
}

/// Records how the back-channel logout ended; nothing when none is pending (already settled by
/// another worker, or never requested).
pub fn settle_logout(state: &Grant, outcome: LogoutOutcome) -> Decision<GrantEvent> {
    if state.logout.as_ref().is_none_or(|logout| logout.settled) {
        return Decision::default();
    }
    Decision::of(match outcome {
        LogoutOutcome::Delivered { attempts } => GrantEvent::LogoutDelivered { attempts },
        LogoutOutcome::Failed { attempts, error } => GrantEvent::LogoutFailed { attempts, error },
    })
}

/// Revokes one access token; unknown or already revoked tokens decide nothing (RFC 7009 answers
/// success either way).
pub fn revoke_access_token(state: &Grant, token_id: &str) -> Decision<GrantEvent> {
    match state.access_tokens.get(token_id) {
        Some(token) if !token.revoked && state.active() => {
            Decision::of(GrantEvent::AccessTokenRevoked {
                token_id: token_id.to_owned(),
            })
        }
        _ => Decision::default(),
    }
}

#[cfg(test)]
#[path = "grant_tests.rs"]
mod tests;
