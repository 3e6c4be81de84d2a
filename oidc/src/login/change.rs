//! The password-change step of the hosted login: after a correct password that has expired
//! (password expiry settings) or must be changed (`passwordChangeRequired`), the login asks for a
//! new one before it finishes. The session opened by the password check proves the user; the
//! new password must meet the org's complexity settings.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use castellan_api::state::AppState;
use castellan_core::clock::Timestamp;
use castellan_core::user::{self, PasswordProof, User};
use castellan_readers::queries::oidc::session;
use castellan_readers::queries::settings::{password_complexity, password_expiry};
use castellan_writer::commands::user::OnUser;
use castellan_writer::secrets::{hash_password_with, token_hash};
use castellan_writer::writer::CommandContext;
use serde::Deserialize;

use super::{SESSION_COOKIE, cookie, html, page};
use crate::flow::{finish_auth_request, run};

/// How long after the password check the change may follow.
const FRESH_MICROS: i64 = 10 * 60 * 1_000_000;

/// Whether the user must choose a new password before the login finishes.
pub async fn change_needed(state: &AppState, instance_id: &str, user_id: &str) -> bool {
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "LOGIN".into(),
    };
    let Ok(loaded) = state.writer.load::<User>(&ctx, user_id).await else {
        return false;
    };
    let user = loaded.state;
    let max_age = password_expiry(state.store(), instance_id, &user.org_id)
        .await
        .map(|policy| policy.max_age_days)
        .unwrap_or(0);
    user.password_change_required || user::password_expired(&user, max_age, state.clock.now())
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "newPassword", default)]
    new_password: String,
    #[serde(default)]
    confirmation: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    let (instance, look) = match super::prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let again = |message: &str| {
        html(
            StatusCode::OK,
            page::change_password_page(&look, &form.auth_request, &form.csrf, Some(message)),
            &[],
        )
    };
    let expired = || {
        html(
            StatusCode::BAD_REQUEST,
            page::error_page(&look, look.texts.sign_in_expired),
            &[],
        )
    };
    // The session from the password step, fresh and unchanged.
    let Some((session_id, token)) = cookie(&headers, SESSION_COOKIE)
        .and_then(|c| c.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())))
    else {
        return expired();
    };
    let now = state.clock.now();
    let view = session(state.store(), &instance.id, &session_id)
        .await
        .ok()
        .flatten();
    let Some(view) = view.filter(|v| {
        v.active(now)
            && castellan_core::ct_eq(&v.token_hash, &token_hash(&token))
            && v.password_checked_at
                .is_some_and(|at| now.0.saturating_sub(at.0) < FRESH_MICROS)
    }) else {
        return expired();
    };
    if form.new_password != form.confirmation {
        return again(look.texts.passwords_differ);
    }
    let complexity = password_complexity(state.store(), &instance.id, &view.org_id).await;
    let Ok(complexity) = complexity else {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            page::error_page(&look, look.texts.change_failed),
            &[],
        );
    };
    if let Err(error) = complexity.check(&form.new_password) {
        return again(&error.message);
    }
    let hasher = state.config.password_hasher;
    let password = form.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password_with(&password, &hasher)).await;
    let Ok(Ok(hash)) = hash else {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            page::error_page(&look, look.texts.change_failed),
            &[],
        );
    };
    let command = OnUser::new(&view.user_id, move |user: &User, at: Timestamp| {
        user::set_password(user, hash.clone(), false, PasswordProof::Administrator, at)
    });
    if let Err(error) = run(&state, &instance.id, &view.user_id, &command).await {
        tracing::warn!(%error, "changing the password at login failed");
        return again(look.texts.change_failed);
    }
    match finish_auth_request(
        &state,
        &instance.id,
        &view.user_id,
        &form.auth_request,
        &session_id,
        &token_hash(&token),
    )
    .await
    .and_then(|callback| callback.response())
    {
        Ok(response) => response,
        Err(_) => {
            let mut response = expired();
            response.headers_mut().remove(header::LOCATION);
            response
        }
    }
}
