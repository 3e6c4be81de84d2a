//! OIDC Back-Channel Logout 1.0: when a login session ends (RP-initiated logout, the hosted
//! login's logout, the Session API's DeleteSession), its grants end and every client that
//! received tokens from it and registered a `backChannelLogoutUri` gets a signed logout token
//! by POST.
//!
//! Delivery is durable: ending the grants records `oidc_session.backchannel_logout.requested`
//! in the same append, and the [`worker`] delivers from the ledger with retries and backoff,
//! also after a restart, until the client accepts (`…delivered`) or a bound is reached
//! (`…failed`). See docs/design/0012.

pub mod worker;

use std::collections::BTreeMap;

use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_core::oidc::grant::NewGrant;
use castellan_readers::queries::oidc::grants_of_session;
use castellan_readers::queries::project::app_by_client_id;
use castellan_writer::commands::oidc::TerminateGrants;
use castellan_writer::writer::{CommandContext, Outcome};
use serde_json::json;

use castellan_api::error::read_error;

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
pub const REQUESTED: &str = "oidc_session.backchannel_logout.requested";
pub const DELIVERED: &str = "oidc_session.backchannel_logout.delivered";
pub const FAILED: &str = "oidc_session.backchannel_logout.failed";

/// Ends every grant the login session produced (`reason`: "logout", "session_terminated") and
/// records a back-channel logout for each client with a URI; returns the grants that ended.
/// `issuer` names the logout tokens of grants whose auth request recorded no issuer.
pub async fn end_session_grants(
    state: &AppState,
    instance_id: &str,
    creator: &str,
    session_id: &str,
    reason: &str,
    issuer: Option<String>,
) -> Result<Vec<NewGrant>, DomainError> {
    let grants = grants_of_session(state.store(), instance_id, session_id)
        .await
        .map_err(read_error)?;
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let mut logout_uris = BTreeMap::new();
    for (_, client_id) in &grants {
        if logout_uris.contains_key(client_id) {
            continue;
        }
        let uri = app_by_client_id(state.store(), instance_id, client_id)
            .await
            .map_err(read_error)?
            .and_then(|app| app.config.oidc)
            .map(|oidc| oidc.back_channel_logout_uri)
            .unwrap_or_default();
        if !uri.is_empty() {
            logout_uris.insert(client_id.clone(), uri);
        }
    }
    let command = TerminateGrants {
        grant_ids: grants.into_iter().map(|(id, _)| id).collect(),
        reason: reason.to_owned(),
        logout_uris,
        issuer,
    };
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: creator.to_owned(),
    };
    match state.writer.execute_or_unchanged(&ctx, &command).await? {
        Outcome::Unchanged(_) => Ok(Vec::new()),
        Outcome::Committed(committed) => {
            if let Err(error) = state
                .consistency
                .wait_for(&committed.appended.events, state.config.consistency_timeout)
                .await
            {
                tracing::warn!(%error, "read model lagging behind ended grants");
            }
            Ok(committed.output)
        }
    }
}

/// A signed logout token for the grant's client, subject and session.
pub async fn logout_token(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    grant: &NewGrant,
) -> Result<String, String> {
    let signer = castellan_api::signing::active_signer(state, instance_id)
        .await
        .map_err(|error| format!("no signing key: {error}"))?;
    let now = state.clock.now().0.div_euclid(1_000_000);
    let claims = json!({
        "iss": issuer,
        "aud": grant.client_id,
        "iat": now,
        "exp": now + 120,
        "jti": state.writer.next_id(),
        "sub": grant.user_id,
        "sid": grant.session_id,
        "events": { EVENT: {} },
    });
    signer
        .sign(Some("logout+jwt"), &claims)
        .map_err(|error| format!("signing the logout token: {error}"))
}

/// One delivery attempt through the SSRF-protected outbound client: accepted on any 2xx.
pub async fn post(state: &AppState, uri: &str, token: &str) -> Result<(), String> {
    match state
        .outbound
        .post_form(uri, &[("logout_token", token)])
        .await
    {
        Ok((status, _)) if (200..300).contains(&status) => Ok(()),
        Ok((status, _)) => Err(format!("answered {status}")),
        Err(error) => Err(error.to_string()),
    }
}
