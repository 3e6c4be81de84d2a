//! Discovery (`/.well-known/openid-configuration`) and the JWKS (`/oauth/v2/keys`).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use castellan_api::state::AppState;
use serde_json::json;

use super::error::OAuthError;
use super::{instance, issuer};

pub async fn configuration(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, OAuthError> {
    instance(&state, &headers).await?;
    let iss = issuer(&state, &headers)?;
    Ok(Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oauth/v2/authorize"),
        "token_endpoint": format!("{iss}/oauth/v2/token"),
        "introspection_endpoint": format!("{iss}/oauth/v2/introspect"),
        "userinfo_endpoint": format!("{iss}/oidc/v1/userinfo"),
        "revocation_endpoint": format!("{iss}/oauth/v2/revoke"),
        "end_session_endpoint": format!("{iss}/oidc/v1/end_session"),
        "jwks_uri": format!("{iss}/oauth/v2/keys"),
        "scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access", "groups"],
        "response_types_supported": [
            "code",
            "id_token",
            "id_token token",
            "code id_token",
            "code token",
            "code id_token token"
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": [
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "device_authorization_endpoint": format!("{iss}/oauth/v2/device_authorization"),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
        "claims_supported": [
            "sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr", "c_hash", "at_hash",
            "act", "scopes", "client_id", "azp", "preferred_username", "name", "family_name",
            "given_name", "locale", "email", "email_verified", "phone_number",
            "phone_number_verified", "groups"
        ],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "ui_locales_supported": ["en", "de"]
    }))
    .into_response())
}

pub async fn keys(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, OAuthError> {
    let instance = instance(&state, &headers).await?;
    // The first key is created on first use, so a fresh instance publishes one at once.
    castellan_api::signing::active_signer(&state, &instance.id).await?;
    let keys = castellan_api::signing::public_keys(&state, &instance.id).await?;
    Ok(Json(castellan_jose::jwks(&keys)).into_response())
}
