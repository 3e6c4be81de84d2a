//! The authorization endpoint (`/oauth/v2/authorize`) and RP-initiated logout
//! (`/oidc/v1/end_session`). A request whose client or redirect URI cannot be trusted is answered
//! with an error page and never redirected; later errors go back to the redirect URI.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use castellan_api::state::AppState;
use castellan_core::oidc::auth_request::AuthRequestParams;
use castellan_core::oidc::pkce;
use castellan_core::project::app::{OidcAuthMethod, OidcConfig};
use castellan_readers::queries::project::app_by_client_id;
use castellan_writer::commands::oidc::AddAuthRequest;

use super::instance;
use crate::flow::{Callback, fail_auth_request, finish_auth_request, run};
use crate::login::look::Look;
use crate::login::page::error_page;
use crate::response_type::{ModeError, ResponseType};

type Params = Vec<(String, String)>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(error_page(&Look::default(), message)),
    )
        .into_response()
}

fn redirect_error(params: &AuthRequestParams, error: &str, description: &str) -> Response {
    let mut values = vec![
        ("error".to_owned(), error.to_owned()),
        ("error_description".to_owned(), description.to_owned()),
    ];
    if let Some(state) = &params.state {
        values.push(("state".into(), state.clone()));
    }
    let callback = Callback {
        redirect_uri: params.redirect_uri.clone(),
        response_mode: params.response_mode.clone(),
        params: values,
        issuer: params.issuer.clone(),
    };
    match callback.response() {
        Ok(response) => response,
        Err(_) => bad_request("The redirect URI is invalid."),
    }
}

/// Checks the response type and mode against the client (see [`crate::response_type`]); on
/// success the request carries the canonical response type and the mode to answer in. On
/// failure (an OAuth error code and description) it carries the mode the error goes back in:
/// the requested one when it is usable, else the response type's default (the fragment for
/// tokens).
fn check_response(
    request: &mut AuthRequestParams,
    requested_mode: Option<&str>,
    oidc: &OidcConfig,
) -> Result<ResponseType, (&'static str, &'static str)> {
    let parsed = ResponseType::parse(&request.response_type);
    let fallback = parsed.map_or("query", ResponseType::default_mode);
    request.response_mode = match requested_mode {
        Some(mode @ ("query" | "fragment" | "form_post")) => mode.to_owned(),
        _ => fallback.to_owned(),
    };
    let Some(response_type) = parsed else {
        return Err((
            "unsupported_response_type",
            "response_type must be code, id_token or id_token token, or a hybrid combination",
        ));
    };
    match response_type.mode(requested_mode) {
        Ok(mode) => request.response_mode = mode.to_owned(),
        Err(error) => {
            request.response_mode = fallback.to_owned();
            let description = match error {
                ModeError::TokensInQuery => "tokens are never returned in the query",
                ModeError::Unknown => "response_mode must be query, fragment or form_post",
            };
            return Err(("invalid_request", description));
        }
    }
    if !response_type.allowed_for(oidc) {
        return Err((
            "unsupported_response_type",
            "the client is not configured for this response_type",
        ));
    }
    request.response_type = response_type.canonical();
    Ok(response_type)
}

pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let Ok(instance) = instance(&state, &headers).await else {
        return bad_request("Unknown instance.");
    };
    let Some(client_id) = param(&params, "client_id") else {
        return bad_request("client_id is missing.");
    };
    let app = match app_by_client_id(state.store(), &instance.id, client_id).await {
        Ok(Some(app)) if app.active => app,
        Ok(_) => return bad_request("The client is unknown."),
        Err(_) => return bad_request("The request could not be handled."),
    };
    let Some(oidc) = app.config.oidc.clone() else {
        return bad_request("The client is not an OIDC application.");
    };
    let Some(redirect_uri) = param(&params, "redirect_uri") else {
        return bad_request("redirect_uri is missing.");
    };
    // Exact string match (RFC 6749 §3.1.2.3; OAuth 2.1), never a prefix.
    if !oidc.redirect_uris.iter().any(|uri| uri == redirect_uri) {
        return bad_request("The redirect_uri is not registered for this client.");
    }
    let mut request = AuthRequestParams {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scopes: super::scopes(param(&params, "scope")),
        response_type: param(&params, "response_type")
            .unwrap_or_default()
            .to_owned(),
        response_mode: String::new(),
        state: param(&params, "state").map(str::to_owned),
        nonce: param(&params, "nonce").map(str::to_owned),
        code_challenge: None,
        prompt: super::scopes(param(&params, "prompt")),
        ui_locales: super::scopes(param(&params, "ui_locales")),
        max_age: param(&params, "max_age").and_then(|v| v.parse().ok()),
        login_hint: param(&params, "login_hint").map(str::to_owned),
        hint_user_id: None,
        issuer: super::issuer(&state, &headers).ok(),
    };
    let response_type = match check_response(&mut request, param(&params, "response_mode"), &oidc) {
        Ok(response_type) => response_type,
        Err((error, description)) => return redirect_error(&request, error, description),
    };
    if !request.scopes.iter().any(|s| s == "openid") {
        return redirect_error(&request, "invalid_scope", "the openid scope is required");
    }
    if response_type.nonce_required() && request.nonce.is_none() {
        return redirect_error(
            &request,
            "invalid_request",
            "nonce is required when the response carries an ID token",
        );
    }
    // PKCE protects the code; responses without one have nothing to bind it to.
    match param(&params, "code_challenge").filter(|_| response_type.code) {
        Some(challenge) => {
            match pkce::challenge(challenge, param(&params, "code_challenge_method")) {
                Ok(challenge) => request.code_challenge = Some(challenge),
                Err(error) => return redirect_error(&request, "invalid_request", &error.message),
            }
        }
        None if response_type.code && oidc.auth_method == OidcAuthMethod::None => {
            return redirect_error(
                &request,
                "invalid_request",
                "public clients must use PKCE (code_challenge with S256)",
            );
        }
        None => {}
    }
    let prompt = |value: &str| request.prompt.iter().any(|p| p == value);
    let id = state.writer.next_id();
    let command = AddAuthRequest {
        id: id.clone(),
        params: request.clone(),
    };
    if let Err(error) = run(&state, &instance.id, "OIDC", &command).await {
        tracing::error!(%error, "storing an auth request failed");
        return redirect_error(&request, "server_error", "the request could not be stored");
    }
    // Single sign-on: an active login session of this browser finishes the request at once,
    // unless the RP asks for a fresh login or an account choice, or the login is older than
    // max_age.
    let session = if prompt("login") {
        None
    } else {
        crate::login::browser_session(&state, &instance.id, &headers).await
    };
    let fresh_enough = |view: &castellan_readers::queries::oidc::SessionView| {
        let auth_time = [view.password_checked_at, view.totp_checked_at]
            .into_iter()
            .flatten()
            .max();
        match (request.max_age, auth_time) {
            (Some(max_age), Some(at)) => {
                state.clock.now().0.saturating_sub(at.0) <= max_age.saturating_mul(1_000_000)
            }
            (Some(_), None) => false,
            (None, _) => true,
        }
    };
    if let Some((session_id, hash, view)) = session.filter(|(_, _, view)| fresh_enough(view))
        && !prompt("select_account")
    {
        match finish_auth_request(&state, &instance.id, &view.user_id, &id, &session_id, &hash)
            .await
            .and_then(|callback| callback.response())
        {
            Ok(response) => return response,
            Err(error) => tracing::info!(%error, "the browser session cannot finish the request"),
        }
    }
    if prompt("none") {
        return match fail_auth_request(
            &state,
            &instance.id,
            "OIDC",
            &id,
            "login_required",
            Some("the user must log in"),
        )
        .await
        .and_then(|callback| callback.response())
        {
            Ok(response) => response,
            Err(_) => redirect_error(&request, "login_required", "the user must log in"),
        };
    }
    Redirect::to(&format!("/ui/login/login?authRequest={id}")).into_response()
}

/// RP-initiated logout: ends the browser's login session and its grants, then returns to a
/// registered `post_logout_redirect_uri` (or shows a page).
pub async fn end_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    crate::login::logout(state, headers, params).await
}
