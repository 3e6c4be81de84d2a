//! OIDC Back-Channel Logout 1.0: when a login session ends, every client that received tokens
//! from it and registered a `backChannelLogoutUri` gets a signed logout token by POST. Delivery
//! runs in the background through the SSRF-protected outbound client and is retried with
//! exponential backoff (1, 2, 4, 8 s) until the RP answers 2xx; retries live in the process that
//! ended the session (a restart drops the ones still pending — see docs/design/0012).

use std::time::Duration;

use castellan_api::state::AppState;
use castellan_core::oidc::grant::NewGrant;
use castellan_readers::queries::project::app_by_client_id;
use serde_json::json;

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
const ATTEMPTS: u32 = 5;

/// One logout token to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub uri: String,
    pub token: String,
}

/// Builds the logout tokens for the ended grants (one per client and session).
pub async fn deliveries(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    ended: &[NewGrant],
) -> Vec<Delivery> {
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let Ok(signer) = castellan_api::signing::active_signer(state, instance_id).await else {
        tracing::error!("no signing key for back-channel logout tokens");
        return out;
    };
    let now = state.clock.now().0.div_euclid(1_000_000);
    for grant in ended {
        let Some(session_id) = &grant.session_id else {
            continue;
        };
        let pair = (grant.client_id.clone(), session_id.clone());
        if seen.contains(&pair) {
            continue;
        }
        seen.push(pair);
        let uri = match app_by_client_id(state.store(), instance_id, &grant.client_id).await {
            Ok(Some(app)) => app
                .config
                .oidc
                .map(|oidc| oidc.back_channel_logout_uri)
                .unwrap_or_default(),
            _ => String::new(),
        };
        if uri.is_empty() {
            continue;
        }
        let claims = json!({
            "iss": issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": state.writer.next_id(),
            "sub": grant.user_id,
            "sid": session_id,
            "events": { EVENT: {} },
        });
        match signer.sign(Some("logout+jwt"), &claims) {
            Ok(token) => out.push(Delivery { uri, token }),
            Err(error) => tracing::error!(%error, "signing a logout token failed"),
        }
    }
    out
}

/// Sends the logout tokens in the background, retrying each until it is accepted.
pub fn send(state: &AppState, deliveries: Vec<Delivery>) {
    for delivery in deliveries {
        let outbound = state.outbound.clone();
        tokio::spawn(async move {
            let mut wait = Duration::from_secs(1);
            for attempt in 1..=ATTEMPTS {
                match outbound
                    .post_form(&delivery.uri, &[("logout_token", &delivery.token)])
                    .await
                {
                    Ok((status, _)) if (200..300).contains(&status) => return,
                    Ok((status, _)) => {
                        tracing::warn!(uri = %delivery.uri, status, attempt, "back-channel logout refused");
                    }
                    Err(error) => {
                        tracing::warn!(uri = %delivery.uri, %error, attempt, "back-channel logout failed");
                    }
                }
                if attempt < ATTEMPTS {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
            }
            tracing::error!(uri = %delivery.uri, "back-channel logout gave up");
        });
    }
}

/// Builds and sends the logout tokens for grants that just ended.
pub async fn notify(state: &AppState, instance_id: &str, issuer: &str, ended: &[NewGrant]) {
    let planned = deliveries(state, instance_id, issuer, ended).await;
    send(state, planned);
}
