//! The auth request aggregate: one authorization-endpoint request waiting for a login. A login
//! (the hosted pages or a custom UI through OIDCService.CreateCallback) finishes it with a
//! session; the code then issued is exchanged once at the token endpoint. Presenting the code a
//! second time is a replay: the caller revokes what the first exchange issued (RFC 6749 §4.1.2).

use serde::{Deserialize, Serialize};

use super::invalid_grant;
use super::pkce::{self, CodeChallenge};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "auth_request";
/// How long a login may take before the request expires.
pub const LIFETIME_MICROS: i64 = 30 * 60 * 1_000_000;
/// How long an issued code may wait for its exchange.
pub const CODE_LIFETIME_MICROS: i64 = 10 * 60 * 1_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequestParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The response type, its values in canonical order: "code", "id_token", "id_token token",
    /// "code id_token", "code token" or "code id_token token".
    pub response_type: String,
    /// "query", "fragment" or "form_post".
    pub response_mode: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub code_challenge: Option<CodeChallenge>,
    #[serde(default)]
    pub prompt: Vec<String>,
    #[serde(default)]
    pub ui_locales: Vec<String>,
    /// Seconds.
    #[serde(default)]
    pub max_age: Option<i64>,
    #[serde(default)]
    pub login_hint: Option<String>,
    #[serde(default)]
    pub hint_user_id: Option<String>,
    /// The issuer the RP used (`http(s)://<host>` of the authorization request): front-channel
    /// ID tokens and form_post links are minted for it, also when a custom login UI finishes
    /// the request through the API on another host.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// Who completed the login, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub session_id: String,
    pub user_id: String,
    pub org_id: String,
    pub auth_time: Timestamp,
    pub amr: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum AuthRequestEvent {
    #[serde(rename = "auth_request.added")]
    Added {
        params: Box<AuthRequestParams>,
        expires_at: Timestamp,
    },
    /// `code_hash` is set for the code flow; implicit flows get their tokens at once.
    #[serde(rename = "auth_request.succeeded")]
    Succeeded {
        authentication: Authentication,
        #[serde(default)]
        code_hash: Option<String>,
    },
    #[serde(rename = "auth_request.failed")]
    Failed { reason: String },
    #[serde(rename = "auth_request.code.exchanged")]
    CodeExchanged { grant_id: String },
}

impl EventPayload for AuthRequestEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthRequestState {
    #[default]
    Unknown,
    Pending,
    Succeeded,
    Failed,
    Exchanged,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthRequest {
    pub state: AuthRequestState,
    pub params: AuthRequestParams,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub authentication: Option<Authentication>,
    pub code_hash: Option<String>,
    pub succeeded_at: Option<Timestamp>,
    pub grant_id: Option<String>,
}

impl Aggregate for AuthRequest {
    type Event = AuthRequestEvent;

    fn apply(&mut self, event: &AuthRequestEvent, meta: &EventMeta) {
        match event {
            AuthRequestEvent::Added { params, expires_at } => {
                self.state = AuthRequestState::Pending;
                self.params = params.as_ref().clone();
                self.created_at = meta.created_at;
                self.expires_at = *expires_at;
            }
            AuthRequestEvent::Succeeded {
                authentication,
                code_hash,
            } => {
                self.state = AuthRequestState::Succeeded;
                self.authentication = Some(authentication.clone());
                self.code_hash.clone_from(code_hash);
                self.succeeded_at = Some(meta.created_at);
            }
            AuthRequestEvent::Failed { .. } => self.state = AuthRequestState::Failed,
            AuthRequestEvent::CodeExchanged { grant_id } => {
                self.state = AuthRequestState::Exchanged;
                self.grant_id = Some(grant_id.clone());
            }
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("OIDC-0002", "Auth request not found")
}

impl AuthRequest {
    /// Whether a login may still finish the request.
    pub fn pending(&self, now: Timestamp) -> bool {
        self.state == AuthRequestState::Pending && now < self.expires_at
    }
}

pub fn add(
    state: &AuthRequest,
    params: AuthRequestParams,
    now: Timestamp,
) -> Result<Decision<AuthRequestEvent>, DomainError> {
    if state.state != AuthRequestState::Unknown {
        return Err(DomainError::already_exists(
            "OIDC-0003",
            "Auth request exists",
        ));
    }
    Ok(Decision::of(AuthRequestEvent::Added {
        params: Box::new(params),
        expires_at: Timestamp(now.0.saturating_add(LIFETIME_MICROS)),
    }))
}

/// A login finished the request.
pub fn succeed(
    state: &AuthRequest,
    authentication: Authentication,
    code_hash: Option<String>,
    now: Timestamp,
) -> Result<Decision<AuthRequestEvent>, DomainError> {
    if !state.pending(now) {
        return Err(not_found());
    }
    Ok(Decision::of(AuthRequestEvent::Succeeded {
        authentication,
        code_hash,
    }))
}

/// A login gave up (the user denied, or the login UI reported an error).
pub fn fail(
    state: &AuthRequest,
    reason: &str,
    now: Timestamp,
) -> Result<Decision<AuthRequestEvent>, DomainError> {
    if !state.pending(now) {
        return Err(not_found());
    }
    Ok(Decision::of(AuthRequestEvent::Failed {
        reason: reason.to_owned(),
    }))
}

/// What presenting a code at the token endpoint decided.
#[derive(Debug, PartialEq)]
pub enum CodeExchange {
    /// Valid: record the exchange (with the id of the grant it creates) and issue tokens.
    Accept(Authentication),
    /// The code was exchanged before: revoke the grant it issued, answer invalid_grant.
    Replayed { grant_id: String },
}

/// Checks a presented code: the hash (constant-time), its age, the client, the redirect URI and
/// the PKCE verifier. Every failure is the same `invalid_grant`.
pub fn exchange_code(
    state: &AuthRequest,
    code_hash: &str,
    client_id: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: Timestamp,
) -> Result<CodeExchange, DomainError> {
    let Some(stored) = &state.code_hash else {
        return Err(invalid_grant());
    };
    if !crate::ct_eq(stored, code_hash) {
        return Err(invalid_grant());
    }
    if state.state == AuthRequestState::Exchanged {
        return match &state.grant_id {
            Some(grant_id) => Ok(CodeExchange::Replayed {
                grant_id: grant_id.clone(),
            }),
            None => Err(invalid_grant()),
        };
    }
    let fresh = state
        .succeeded_at
        .is_some_and(|at| now.0 < at.0.saturating_add(CODE_LIFETIME_MICROS));
    if state.state != AuthRequestState::Succeeded || !fresh {
        return Err(invalid_grant());
    }
    if state.params.client_id != client_id {
        return Err(invalid_grant());
    }
    // RFC 6749 §4.1.3: the redirect_uri must be repeated, identically.
    if redirect_uri != Some(state.params.redirect_uri.as_str()) {
        return Err(invalid_grant());
    }
    match (&state.params.code_challenge, code_verifier) {
        (Some(challenge), Some(verifier)) if pkce::verify(challenge, verifier) => {}
        (None, None) => {}
        _ => return Err(invalid_grant()),
    }
    state
        .authentication
        .clone()
        .map(CodeExchange::Accept)
        .ok_or_else(invalid_grant)
}

#[cfg(test)]
#[path = "auth_request_tests.rs"]
mod tests;
