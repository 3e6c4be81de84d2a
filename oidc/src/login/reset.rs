//! Password reset and email verification in the hosted login, by a code mailed through the
//! notifier (see [`crate::notify`]).
//!
//! "Forgot password?" (offered when a mail relay is configured and the login settings do not
//! hide it) asks for a code for the login name on the password page. The answer is the same
//! whether or not the user exists ("if the account exists, a code is on its way"), and the
//! request counts against the login rate limit of that name, so it can neither enumerate users
//! nor flood a mailbox. The code (from the mail, or its link) and a new password that meets the
//! org's complexity settings then set the password; the login continues on the password page.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_core::clock::Timestamp;
use castellan_core::user::{self, CodeDelivery, CodePurpose, PasswordProof, User};
use castellan_readers::queries::login::user_by_login_name;
use castellan_readers::queries::settings::{login as login_settings, password_complexity};
use castellan_writer::commands::user::OnUser;
use castellan_writer::secrets::{hash_password_with, new_code, verify};
use castellan_writer::writer::CommandContext;
use serde::Deserialize;

use super::{csrf_token, form_for_request, html, page, prelude};
use crate::endpoints::issuer;
use crate::flow::run;

/// Whether the hosted login offers password reset in this instance.
pub async fn offered(state: &AppState, instance_id: &str, org_id: &str) -> bool {
    if !state.config.mail {
        return false;
    }
    login_settings(state.store(), instance_id, org_id)
        .await
        .map(|policy| !policy.hide_password_reset)
        .unwrap_or(false)
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "loginName", default)]
    login_name: String,
}

/// `POST /ui/login/password/reset`: mail a code to the user behind the login name, if any.
pub async fn request(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<RequestForm>,
) -> Response {
    let (instance, look) =
        match form_for_request(&state, &headers, &form.csrf, &form.auth_request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    if !offered(&state, &instance.id, &instance.default_org_id).await {
        return html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.reset_unavailable),
            &[],
        );
    }
    let login_name = form.login_name.trim();
    if !state.limits.allow_login(&instance.id, login_name, address) {
        return html(
            StatusCode::TOO_MANY_REQUESTS,
            page::error_page(&look, look.texts.too_many),
            &[],
        );
    }
    let user = user_by_login_name(state.store(), &instance.id, login_name)
        .await
        .ok()
        .flatten();
    match (user, issuer(&state, &headers)) {
        (Some(user), Ok(origin)) => {
            let template = format!(
                "{origin}/ui/login/password/reset/set?authRequest={}&userID={{{{.UserID}}}}&code={{{{.Code}}}}",
                url_encode(&form.auth_request)
            );
            if let Err(error) = send_code(&state, &instance.id, &user.id, template).await {
                // Not shown: the page must read the same whether or not the user exists.
                tracing::info!(%error, "no password reset code for this user");
            }
        }
        (None, _) => {
            // The time of a code's hash, so an unknown name answers as slowly as a known one.
            let _ = state.writer.hash_work(new_code).await;
        }
        (Some(_), Err(_)) => {}
    }
    html(
        StatusCode::OK,
        page::reset_page(
            &look,
            &form.auth_request,
            &form.csrf,
            login_name,
            "",
            "",
            Some(look.texts.reset_sent),
            None,
        ),
        &[],
    )
}

/// A new code to mail: its hash, and the delivery carrying it sealed (link: the default page).
pub async fn sealed_code(
    state: &AppState,
) -> Result<(String, CodeDelivery), castellan_core::DomainError> {
    let (code, hash) = state
        .writer
        .hash_work(new_code)
        .await
        .map_err(|e| castellan_core::DomainError::internal("LOGIN-0010", e.to_string()))??;
    let sealed_code = state
        .master_key
        .encrypt(code.as_bytes(), castellan_api::user::SEALED_CODE_CONTEXT)
        .map_err(|e| castellan_core::DomainError::internal("LOGIN-0011", e.to_string()))?;
    Ok((
        hash,
        CodeDelivery::Sent {
            sealed_code,
            url_template: None,
        },
    ))
}

async fn send_code(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    url_template: String,
) -> Result<(), castellan_core::DomainError> {
    let (hash, delivery) = sealed_code(state).await?;
    let delivery = match delivery {
        CodeDelivery::Sent { sealed_code, .. } => CodeDelivery::Sent {
            sealed_code,
            url_template: Some(url_template),
        },
        returned => returned,
    };
    let command = OnUser::new(user_id, move |user: &User, at: Timestamp| {
        user::add_code(
            user,
            CodePurpose::PasswordReset,
            hash.clone(),
            delivery.clone(),
            at,
        )
    });
    run(state, instance_id, user_id, &command).await.map(|_| ())
}

/// Checks `presented` against the user's pending code for `purpose`: the user and whether it
/// matched, or `None` when there is no such user or no pending code (after spending a code
/// hash's time, so the answer takes as long either way).
pub(super) async fn check_pending_code(
    state: &AppState,
    instance_id: &str,
    user_id: Option<&str>,
    purpose: CodePurpose,
    presented: &str,
) -> Option<(User, bool)> {
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "LOGIN".into(),
    };
    let user = match user_id {
        Some(id) => state
            .writer
            .load::<User>(&ctx, id)
            .await
            .ok()
            .map(|l| l.state),
        None => None,
    };
    let pending = user
        .as_ref()
        .and_then(|u| u.codes.get(&purpose).map(|c| c.code_hash.clone()));
    let (Some(user), Some(pending)) = (user, pending) else {
        let _ = state.writer.hash_work(new_code).await;
        return None;
    };
    let code = presented.trim().to_owned();
    let matched = state
        .writer
        .hash_work(move || verify(&code, &pending).matched)
        .await
        .unwrap_or(false);
    Some((user, matched))
}

fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(rename = "userID", default)]
    user_id: String,
    #[serde(default)]
    code: String,
}

/// `GET /ui/login/password/reset/set`: the link in the mail, with the code filled in.
pub async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LinkQuery>,
) -> Response {
    let (csrf, cookies) = csrf_token(&headers);
    let look = super::look::Look::of(&state, None, &headers, &[]).await;
    html(
        StatusCode::OK,
        page::reset_page(
            &look,
            &query.auth_request,
            &csrf,
            "",
            &query.user_id,
            &query.code,
            None,
            None,
        ),
        &cookies,
    )
}

#[derive(Deserialize)]
pub struct SetForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "loginName", default)]
    login_name: String,
    #[serde(rename = "userID", default)]
    user_id: String,
    #[serde(default)]
    code: String,
    #[serde(rename = "newPassword", default)]
    new_password: String,
    #[serde(default)]
    confirmation: String,
}

/// `POST /ui/login/password/reset/set`: the code and the new password.
pub async fn set(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<SetForm>,
) -> Response {
    let (instance, look) = match prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let again = |message: &str| {
        html(
            StatusCode::OK,
            page::reset_page(
                &look,
                &form.auth_request,
                &form.csrf,
                &form.login_name,
                &form.user_id,
                &form.code,
                None,
                Some(message),
            ),
            &[],
        )
    };
    // Guessing codes counts like guessing passwords.
    let subject = if form.user_id.is_empty() {
        form.login_name.trim()
    } else {
        form.user_id.trim()
    };
    if !state.limits.allow_login(&instance.id, subject, address) {
        return again(look.texts.too_many);
    }
    if form.new_password != form.confirmation {
        return again(look.texts.passwords_differ);
    }
    let user_id = if form.user_id.trim().is_empty() {
        user_by_login_name(state.store(), &instance.id, form.login_name.trim())
            .await
            .ok()
            .flatten()
            .map(|user| user.id)
    } else {
        Some(form.user_id.trim().to_owned())
    };
    let Some((loaded, true)) = check_pending_code(
        &state,
        &instance.id,
        user_id.as_deref(),
        CodePurpose::PasswordReset,
        &form.code,
    )
    .await
    else {
        return again(look.texts.reset_wrong_code);
    };
    let org_id = loaded.org_id.clone();
    match password_complexity(state.store(), &instance.id, &org_id).await {
        Ok(complexity) => {
            if let Err(error) = complexity.check(&form.new_password) {
                return again(&error.message);
            }
        }
        Err(_) => return again(look.texts.change_failed),
    }
    let hasher = state.config.password_hasher;
    let password = form.new_password.clone();
    let Ok(Ok(hash)) = state
        .writer
        .hash_work(move || hash_password_with(&password, &hasher))
        .await
    else {
        return again(look.texts.change_failed);
    };
    // A matched code implies a user id.
    let Some(id) = user_id else {
        return again(look.texts.reset_wrong_code);
    };
    let command = OnUser::new(&id, move |user: &User, at: Timestamp| {
        user::set_password(
            user,
            hash.clone(),
            false,
            PasswordProof::ResetCode(true),
            at,
        )
    });
    if let Err(error) = run(&state, &instance.id, &id, &command).await {
        tracing::info!(%error, "password reset refused");
        return again(look.texts.reset_wrong_code);
    }
    if form.auth_request.is_empty() {
        return html(
            StatusCode::OK,
            page::message_page(&look, look.texts.reset_title, look.texts.reset_done),
            &[],
        );
    }
    let login_name = castellan_readers::queries::user::get_user(state.store(), &instance.id, &id)
        .await
        .ok()
        .flatten()
        .map(|user| user.login_name)
        .unwrap_or_default();
    html(
        StatusCode::OK,
        page::password_page(
            &look,
            &form.auth_request,
            &form.csrf,
            &login_name,
            Some(look.texts.reset_done),
            false,
        ),
        &[],
    )
}
