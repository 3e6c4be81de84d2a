//! Introspection (RFC 7662) and revocation (RFC 7009).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use castellan_api::access_token::verify_access_token;
use castellan_api::bound_token::parse_token;
use castellan_api::state::AppState;
use castellan_core::oidc::grant::Grant;
use castellan_writer::commands::oidc::{RevokeAccessToken, TerminateGrant};
use castellan_writer::writer::CommandContext;
use serde_json::{Value, json};

use super::client::{authenticate_app, offered};
use super::error::OAuthError;
use super::{field, form, instance, issuer};
use crate::claims::claims_of_user;
use crate::flow::run;

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let instance = instance(&state, &headers).await?;
    let iss = issuer(&state, &headers)?;
    let form = form(&body)?;
    let client = authenticate_app(&state, &instance.id, &iss, &offered(&headers, &form)?).await?;
    if !client.confidential {
        return Err(OAuthError::invalid_client());
    }
    let token =
        field(&form, "token").ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let inactive = || Json(json!({"active": false})).into_response();
    let Some(verified) = verify_access_token(&state, &instance.id, token).await? else {
        return Ok(inactive());
    };
    // A resource server learns only about tokens meant for it (its project or itself).
    let grant = &verified.grant;
    let meant_for_caller = grant.audience.contains(&client.app.project_id)
        || grant.audience.contains(&client.app.client_id)
        || grant.client_id == client.app.client_id;
    if !meant_for_caller {
        return Ok(inactive());
    }
    let mut claims = claims_of_user(&state, &instance.id, &verified.user, &verified.scopes).await?;
    claims.extend(
        crate::claims::requested_role_claims(
            &state,
            &instance.id,
            &grant.user_id,
            &grant.client_id,
            &verified.scopes,
        )
        .await?,
    );
    let seconds = |at: castellan_core::clock::Timestamp| at.0.div_euclid(1_000_000);
    claims.insert("active".into(), json!(true));
    claims.insert("scope".into(), json!(verified.scopes.join(" ")));
    claims.insert("client_id".into(), json!(grant.client_id));
    claims.insert("token_type".into(), json!("Bearer"));
    claims.insert("exp".into(), json!(seconds(verified.expiration)));
    claims.insert("iat".into(), json!(seconds(verified.issued_at)));
    claims.insert("nbf".into(), json!(seconds(verified.issued_at)));
    claims.insert("sub".into(), json!(grant.user_id));
    claims.insert("aud".into(), json!(grant.audience));
    claims.insert("iss".into(), json!(iss));
    claims.insert("jti".into(), json!(verified.token_id));
    if let Some(sid) = &grant.session_id {
        claims.insert("sid".into(), json!(sid));
    }
    if let Some(actor) = &grant.actor {
        claims.insert(
            "act".into(),
            json!({"iss": actor.issuer, "sub": actor.subject}),
        );
    }
    Ok(Json(Value::Object(claims)).into_response())
}

/// Revokes an access token, or a refresh token together with its grant. Unknown tokens and
/// tokens of other clients are answered 200 all the same (RFC 7009 §2.2).
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let instance = instance(&state, &headers).await?;
    let iss = issuer(&state, &headers)?;
    let form = form(&body)?;
    let client = authenticate_app(&state, &instance.id, &iss, &offered(&headers, &form)?).await?;
    let token =
        field(&form, "token").ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let client_id = client.app.client_id.clone();
    let ignore_nothing = |result: Result<_, castellan_core::DomainError>| match result {
        Ok(_) => Ok(()),
        Err(error) if error.code == castellan_writer::writer::NOTHING_TO_CHANGE => Ok(()),
        Err(error) => Err(OAuthError::from(error)),
    };
    if let Some(verified) = verify_access_token(&state, &instance.id, token).await? {
        if verified.grant.client_id == client_id {
            let command = RevokeAccessToken {
                grant_id: verified.grant_id,
                token_id: verified.token_id,
            };
            ignore_nothing(run(&state, &instance.id, &client_id, &command).await)?;
        }
    } else if let Some((grant_id, hash)) = parse_token(token) {
        let ctx = CommandContext {
            instance_id: instance.id.clone(),
            creator: client_id.clone(),
        };
        let grant = state.writer.load::<Grant>(&ctx, grant_id).await?.state;
        let current = grant
            .refresh_token
            .as_ref()
            .is_some_and(|(stored, _)| castellan_core::ct_eq(stored, &hash));
        if grant.grant.client_id == client_id && current {
            let command = TerminateGrant {
                grant_id: grant_id.to_owned(),
                reason: "revoked".into(),
            };
            ignore_nothing(run(&state, &instance.id, &client_id, &command).await)?;
        }
    }
    Ok(StatusCode::OK.into_response())
}
