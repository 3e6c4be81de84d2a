//! Userinfo (`/oidc/v1/userinfo`): the claims the access token's scopes allow.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_api::access_token::verify_access_token;
use castellan_api::state::AppState;
use castellan_readers::queries::identity;
use castellan_writer::secrets::token_hash;
use serde_json::Value;

use super::instance;
use crate::claims::{claims_of_user, user_claims};

/// RFC 6750 §3: a missing or invalid token answers 401 with a `WWW-Authenticate` challenge.
fn unauthorized() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({"error": "invalid_token", "error_description": "the access token is invalid"})),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(instance) = instance(&state, &headers).await else {
        return unauthorized();
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let Some(token) = token else {
        return unauthorized();
    };
    let answer = async {
        // Personal access tokens are accepted too (ZITADEL: "userinfo with a PAT").
        let (user_id, scopes, client_id, verified_user) =
            match verify_access_token(&state, &instance.id, &token).await? {
                Some(verified) => (
                    verified.grant.user_id,
                    verified.scopes,
                    verified.grant.client_id,
                    Some(verified.user),
                ),
                None => {
                    let principal = identity::principal_by_token(
                        state.store(),
                        &instance.id,
                        &token_hash(&token),
                        state.clock.now(),
                    )
                    .await
                    .map_err(castellan_api::error::read_error)?;
                    match principal {
                        Some(principal) => (
                            principal.user_id,
                            ["openid", "profile", "email", "phone"]
                                .map(str::to_owned)
                                .to_vec(),
                            String::new(),
                            None,
                        ),
                        None => return Ok(None),
                    }
                }
            };
        // The token's verification read the user already; a PAT's principal did not.
        let claims = match &verified_user {
            Some(user) => Some(claims_of_user(&state, &instance.id, user, &scopes).await?),
            None => user_claims(&state, &instance.id, &user_id, &scopes).await?,
        };
        let Some(mut claims) = claims else {
            return Ok(None);
        };
        claims.extend(
            crate::claims::requested_role_claims(
                &state,
                &instance.id,
                &user_id,
                &client_id,
                &scopes,
            )
            .await?,
        );
        Ok::<_, castellan_core::DomainError>(Some(claims))
    };
    match answer.await {
        Ok(Some(claims)) => Json(Value::Object(claims)).into_response(),
        Ok(None) => unauthorized(),
        Err(error) => super::error::OAuthError::from(error).into_response(),
    }
}
