//! The browser's login session: single sign-on (an active session finishes new auth requests),
//! account selection ("continue as …") and logout, which ends the session and the grants it
//! produced and tells their clients by back-channel logout.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_api::state::AppState;
use castellan_readers::queries::project::app_by_client_id;
use castellan_writer::commands::session::TerminateSession;
use castellan_writer::secrets::token_hash;
use serde::Deserialize;

use super::look::Look;
use super::{SESSION_COOKIE, cookie, html, page, prelude};
use crate::endpoints::instance;
use crate::flow::{finish_auth_request, run};

/// The browser's login session, when its cookie names an active session with the right token:
/// (session id, token hash, session).
pub(crate) async fn browser_session(
    state: &AppState,
    instance_id: &str,
    headers: &HeaderMap,
) -> Option<(
    String,
    String,
    castellan_readers::queries::oidc::SessionView,
)> {
    let (session_id, token) = cookie(headers, SESSION_COOKIE)
        .and_then(|c| c.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())))?;
    let hash = token_hash(&token);
    let view = castellan_readers::queries::oidc::session(state.store(), instance_id, &session_id)
        .await
        .ok()
        .flatten()?;
    let valid = view.active(state.clock.now())
        && castellan_core::ct_eq(&view.token_hash, &hash)
        && !view.user_id.is_empty()
        && view.password_checked_at.is_some();
    valid.then_some((session_id, hash, view))
}

#[derive(Deserialize)]
pub struct SelectForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
}

/// "Continue as …": finishes the request with the browser's login session.
pub async fn select_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SelectForm>,
) -> Response {
    let (instance, look) = match prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let expired = || {
        html(
            StatusCode::BAD_REQUEST,
            page::error_page(&look, look.texts.sign_in_expired),
            &[],
        )
    };
    let Some((session_id, hash, view)) = browser_session(&state, &instance.id, &headers).await
    else {
        return expired();
    };
    match finish_auth_request(
        &state,
        &instance.id,
        &view.user_id,
        &form.auth_request,
        &session_id,
        &hash,
    )
    .await
    .and_then(|callback| callback.response())
    {
        Ok(response) => response,
        Err(_) => expired(),
    }
}

/// Ends the browser's session and the grants it produced, then returns to the app.
pub async fn logout(
    state: AppState,
    headers: HeaderMap,
    params: Vec<(String, String)>,
) -> Response {
    let mut look = Look::of(&state, None, &headers, &[]).await;
    let Ok(instance) = instance(&state, &headers).await else {
        return html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_instance),
            &[],
        );
    };
    look = Look::of(&state, Some(&instance.id), &headers, &[]).await;
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    if let Some((session_id, token)) = cookie(&headers, SESSION_COOKIE)
        .as_deref()
        .and_then(|c| c.split_once(':'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    {
        let terminate = TerminateSession {
            session_id: session_id.clone(),
            token_hash: Some(token_hash(&token)),
            require_token: true,
        };
        if run(&state, &instance.id, "LOGIN", &terminate).await.is_ok() {
            let issuer = crate::endpoints::issuer(&state, &headers).ok();
            if let Err(error) = crate::backchannel::end_session_grants(
                &state,
                &instance.id,
                "LOGIN",
                &session_id,
                "logout",
                issuer,
            )
            .await
            {
                tracing::warn!(%error, "ending the grants of a logged-out session failed");
            }
        }
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let (Some(client_id), Some(target)) = (param("client_id"), param("post_logout_redirect_uri"))
        && let Ok(Some(app)) = app_by_client_id(state.store(), &instance.id, &client_id).await
        && app
            .config
            .oidc
            .as_ref()
            .is_some_and(|oidc| oidc.post_logout_redirect_uris.contains(&target))
    {
        let mut url = target;
        if let Some(state_value) = param("state")
            && let Ok(mut parsed) = url::Url::parse(&url)
        {
            parsed.query_pairs_mut().append_pair("state", &state_value);
            url = parsed.to_string();
        }
        let mut response = Redirect::to(&url).into_response();
        if let Ok(value) = HeaderValue::from_str(&clear) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        return response;
    }
    html(
        StatusCode::OK,
        page::message_page(&look, look.texts.signed_out_title, look.texts.signed_out),
        &[clear],
    )
}
