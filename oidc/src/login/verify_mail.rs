//! `/ui/login/mail/verify`: the link in the verification mail (after self-registration, or an
//! email change through the API) and the form it opens. A wrong or expired code changes
//! nothing; guesses count against the login rate limit of the user.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_core::clock::Timestamp;
use castellan_core::user::{self, CodePurpose, User};
use castellan_writer::commands::user::OnUser;
use serde::Deserialize;

use super::{csrf_token, html, page, prelude};
use crate::flow::run;

#[derive(Deserialize)]
pub struct VerifyQuery {
    #[serde(rename = "userID", default)]
    user_id: String,
    #[serde(default)]
    code: String,
}

/// `GET`: the form, with the link's code filled in.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<VerifyQuery>,
) -> Response {
    let (csrf, cookies) = csrf_token(&headers);
    let look = super::look::Look::of(&state, None, &headers, &[]).await;
    html(
        StatusCode::OK,
        page::verify_mail_page(&look, &csrf, &query.user_id, &query.code, None),
        &cookies,
    )
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "userID", default)]
    user_id: String,
    #[serde(default)]
    code: String,
}

/// `POST`: checks the code and marks the email verified.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<VerifyForm>,
) -> Response {
    let (instance, look) = match prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let wrong = |message: &str| {
        html(
            StatusCode::OK,
            page::verify_mail_page(&look, &form.csrf, &form.user_id, &form.code, Some(message)),
            &[],
        )
    };
    let user_id = form.user_id.trim().to_owned();
    if !state.limits.allow_login(&instance.id, &user_id, address) {
        return wrong(look.texts.too_many);
    }
    let Some((_, matched)) = super::reset::check_pending_code(
        &state,
        &instance.id,
        Some(&user_id),
        CodePurpose::Email,
        &form.code,
    )
    .await
    else {
        return wrong(look.texts.reset_wrong_code);
    };
    let command = OnUser::new(&user_id, move |current: &User, at: Timestamp| {
        user::verify_code(current, CodePurpose::Email, matched, at)
    });
    match run(&state, &instance.id, &user_id, &command).await {
        Ok(_) => html(
            StatusCode::OK,
            page::message_page(&look, look.texts.verify_title, look.texts.verify_done),
            &[],
        ),
        Err(_) => wrong(look.texts.reset_wrong_code),
    }
}
