//! The OAuth 2/OIDC endpoints at ZITADEL's paths.

pub mod authorize;
pub mod client;
pub mod device;
pub mod discovery;
pub mod error;
pub mod exchange;
pub mod introspect;
pub mod token;
pub mod userinfo;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use castellan_api::state::AppState;
use castellan_readers::queries::identity::InstanceView;

use self::error::OAuthError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/oauth/v2/keys", get(discovery::keys))
        .route("/oauth/v2/authorize", get(authorize::authorize))
        .route(
            "/oauth/v2/authorize/form_post",
            get(crate::form_post::redeem),
        )
        .route("/oauth/v2/token", post(token::token))
        .route(
            "/oauth/v2/device_authorization",
            post(device::authorization),
        )
        .route("/oauth/v2/introspect", post(introspect::introspect))
        .route("/oauth/v2/revoke", post(introspect::revoke))
        .route(
            "/oidc/v1/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/oidc/v1/end_session", get(authorize::end_session))
}

/// The issuer: the scheme (`ExternalSecure`) and the host the request came to, so every
/// instance domain is its own issuer, as in ZITADEL.
pub fn issuer(state: &AppState, headers: &HeaderMap) -> Result<String, OAuthError> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '@']))
        .ok_or_else(|| OAuthError::invalid_request("missing Host header"))?;
    let scheme = if state.config.external_secure {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

pub async fn instance(state: &AppState, headers: &HeaderMap) -> Result<InstanceView, OAuthError> {
    castellan_api::auth::instance(state, headers)
        .await
        .map_err(|_| OAuthError::invalid_request("unknown instance"))
}

/// Decodes an `application/x-www-form-urlencoded` body; a parameter given twice is an error
/// (RFC 6749 §3.1).
pub fn form(body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(OAuthError::invalid_request(format!(
                "parameter {name} is repeated"
            )));
        }
    }
    Ok(pairs)
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

pub fn scopes(value: Option<&str>) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in value
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
    {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}
