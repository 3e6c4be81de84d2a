//! Device authorization (RFC 8628): the device asks at `/oauth/v2/device_authorization`, the
//! user enters the user code at `/device`, and the device polls the token endpoint with
//! `grant_type=urn:ietf:params:oauth:grant-type:device_code`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use castellan_api::bound_token::{new_token, parse_token};
use castellan_api::state::AppState;
use castellan_core::oidc::device::{self, DeviceAuthorization, Poll};
use castellan_core::oidc::grant::NewGrant;
use castellan_core::project::app::{OidcGrantType, OidcTokenType};
use castellan_writer::commands::oidc::{AddDevice, IssueGrant, IssueOutcome, Via};
use castellan_writer::writer::CommandContext;
use serde_json::json;

use super::client::{AppClient, authenticate_app, offered};
use super::error::OAuthError;
use super::{field, form, instance, issuer, scopes};
use crate::claims::audience;
use crate::flow::run;
use crate::mint::{self, Shape, TokenResponse};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §6.1: consonants only, so no word is spelled; 20^8 codes.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A new user code: 8 letters, shown as `XXXX-XXXX`, stored without the dash.
pub fn new_user_code() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes
        .iter()
        .map(|b| {
            char::from(
                USER_CODE_ALPHABET
                    .get(usize::from(*b) % USER_CODE_ALPHABET.len())
                    .copied()
                    .unwrap_or(b'B'),
            )
        })
        .collect()
}

/// What the user typed, normalized: upper case, dashes and spaces removed.
pub fn normalize_user_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn display(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(a), Some(b)) if !b.is_empty() => format!("{a}-{b}"),
        _ => code.to_owned(),
    }
}

fn require_device_grant(client: &AppClient) -> Result<(), OAuthError> {
    let allowed = client
        .oidc
        .as_ref()
        .is_some_and(|oidc| oidc.grant_types.contains(&OidcGrantType::DeviceCode));
    if allowed {
        Ok(())
    } else {
        Err(OAuthError::new(
            "unauthorized_client",
            "the client may not use the device flow",
        ))
    }
}

pub async fn authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let instance = instance(&state, &headers).await?;
    let iss = issuer(&state, &headers)?;
    let form = form(&body)?;
    let client = authenticate_app(&state, &instance.id, &iss, &offered(&headers, &form)?).await?;
    require_device_grant(&client)?;
    let id = state.writer.next_id();
    let (device_code, device_code_hash) = new_token(&id);
    let user_code = new_user_code();
    let command = AddDevice {
        id: id.clone(),
        client_id: client.app.client_id.clone(),
        device_code_hash,
        user_code: user_code.clone(),
        scopes: scopes(field(&form, "scope")),
    };
    run(&state, &instance.id, &client.app.client_id, &command).await?;
    let shown = display(&user_code);
    Ok(Json(json!({
        "device_code": device_code,
        "user_code": shown,
        "verification_uri": format!("{iss}/device"),
        "verification_uri_complete": format!("{iss}/device?user_code={shown}"),
        "expires_in": device::LIFETIME_MICROS / 1_000_000,
        "interval": device::POLL_INTERVAL_SECONDS,
    }))
    .into_response())
}

/// The device's poll at the token endpoint.
pub async fn poll(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    client: &AppClient,
    form: &[(String, String)],
) -> Result<TokenResponse, OAuthError> {
    require_device_grant(client)?;
    let oidc = client.oidc.clone().ok_or_else(OAuthError::invalid_client)?;
    let code = field(form, "device_code")
        .ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    let (device_id, hash) = parse_token(code).ok_or_else(OAuthError::invalid_grant)?;
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "OIDC".into(),
    };
    let current = state
        .writer
        .load::<DeviceAuthorization>(&ctx, device_id)
        .await?
        .state;
    match device::poll(&current, &hash, &client.app.client_id, state.clock.now())? {
        Poll::Pending => {
            return Err(OAuthError::new(
                "authorization_pending",
                "the user has not answered yet",
            ));
        }
        Poll::Denied => {
            return Err(OAuthError::new(
                "access_denied",
                "the user denied the request",
            ));
        }
        Poll::Expired => {
            return Err(OAuthError::new(
                "expired_token",
                "the device code has expired",
            ));
        }
        Poll::Approved(_) => {}
    }
    let scopes = current.scopes.clone();
    let refresh = scopes.iter().any(|s| s == "offline_access")
        && oidc.grant_types.contains(&OidcGrantType::RefreshToken);
    let grant_id = state.writer.next_id();
    let jwt = oidc.access_token_type == OidcTokenType::Jwt;
    let planned = mint::plan(state, &grant_id, jwt, refresh);
    let grant = NewGrant {
        client_id: client.app.client_id.clone(),
        grant_type: "device_code".into(),
        audience: audience(
            &client.app.client_id,
            &client.app.project_id,
            &scopes,
            instance_id,
        ),
        ..NewGrant::default()
    };
    let command = IssueGrant {
        grant_id: grant_id.clone(),
        grant,
        access_token: Some(planned.access.clone()),
        refresh_token: planned.refresh.as_ref().map(|(_, spec)| spec.clone()),
        via: Via::Device {
            device_id: device_id.to_owned(),
            device_code_hash: hash,
        },
    };
    let committed = run(state, instance_id, &client.app.client_id, &command).await?;
    let IssueOutcome::Issued(grant) = committed.output else {
        return Err(OAuthError::invalid_grant());
    };
    let shape = Shape::for_app(issuer, grant.scopes.iter().any(|s| s == "openid"), &oidc);
    let scopes = grant.scopes.clone();
    Ok(mint::respond(state, instance_id, &grant, &scopes, planned, &shape).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_consonants_and_normalize() {
        let code = new_user_code();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_user_code(&display(&code).to_lowercase()), code);
        assert_eq!(normalize_user_code(" bcdf-ghjk "), "BCDFGHJK");
    }
}
