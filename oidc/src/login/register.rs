//! Self-registration, when the instance's login settings allow it (`allowRegister`): the new
//! human user joins the instance's default org with a password that meets that org's complexity
//! settings, is signed in at once and the auth request finishes. Registration necessarily tells
//! whether a username is taken; the login pages still never tell whether a user exists.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_core::clock::Timestamp;
use castellan_core::settings::LoginPolicy;
use castellan_core::user::{self, HumanProfile, NewHuman, User};
use castellan_readers::queries::settings::{password_complexity, resolve};
use castellan_writer::commands::user::CreateUser;
use castellan_writer::secrets::hash_password_with;
use serde::Deserialize;

use super::look::Look;
use super::{
    AuthRequestQuery, Refusal, authenticate, csrf_token, finish, form_for_request, html, page,
    pending_request,
};
use crate::endpoints::instance;
use crate::flow::run;

/// Whether the instance's login settings open registration.
pub async fn open(state: &AppState, instance_id: &str) -> bool {
    resolve::<LoginPolicy>(state.store(), instance_id, None)
        .await
        .is_ok_and(|effective| effective.policy.allow_register)
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<AuthRequestQuery>,
) -> Response {
    let look = Look::of(&state, None, &headers, &[]).await;
    let Ok(instance) = instance(&state, &headers).await else {
        return html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_instance),
            &[],
        );
    };
    let Some(request) = pending_request(&state, &instance.id, &query.auth_request).await else {
        return html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_request),
            &[],
        );
    };
    let look = Look::of(
        &state,
        Some(&instance.id),
        &headers,
        &request.params.ui_locales,
    )
    .await;
    if !open(&state, &instance.id).await {
        return html(
            StatusCode::FORBIDDEN,
            page::error_page(&look, look.texts.register_closed),
            &[],
        );
    }
    let (csrf, cookies) = csrf_token(&headers);
    html(
        StatusCode::OK,
        page::register_page(&look, &query.auth_request, &csrf, None),
        &cookies,
    )
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "givenName", default)]
    given_name: String,
    #[serde(rename = "familyName", default)]
    family_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    username: String,
    #[serde(rename = "newPassword", default)]
    new_password: String,
    #[serde(default)]
    confirmation: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let (instance, look) =
        match form_for_request(&state, &headers, &form.csrf, &form.auth_request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    if !open(&state, &instance.id).await {
        return html(
            StatusCode::FORBIDDEN,
            page::error_page(&look, look.texts.register_closed),
            &[],
        );
    }
    let again = |message: &str| {
        html(
            StatusCode::OK,
            page::register_page(&look, &form.auth_request, &form.csrf, Some(message)),
            &[],
        )
    };
    if form.new_password != form.confirmation {
        return again(look.texts.passwords_differ);
    }
    let org_id = instance.default_org_id.clone();
    match password_complexity(state.store(), &instance.id, &org_id).await {
        Ok(complexity) => {
            if let Err(error) = complexity.check(&form.new_password) {
                return again(&error.message);
            }
        }
        Err(_) => return again(look.texts.login_failed),
    }
    let username = if form.username.trim().is_empty() {
        form.email.trim().to_owned()
    } else {
        form.username.trim().to_owned()
    };
    let hasher = state.config.password_hasher;
    let password = form.new_password.clone();
    let hash = state
        .writer
        .hash_work(move || hash_password_with(&password, &hasher))
        .await;
    let Ok(Ok(hash)) = hash else {
        return again(look.texts.login_failed);
    };
    let human = NewHuman {
        username: username.clone(),
        profile: HumanProfile {
            given_name: form.given_name.trim().to_owned(),
            family_name: form.family_name.trim().to_owned(),
            ..HumanProfile::default()
        },
        email: form.email.trim().to_owned(),
        email_verified: false,
        password_hash: Some(hash),
        password_change_required: false,
    };
    // With a mail relay, the new address gets a verification code (mailed by the notifier).
    let verification = if state.config.mail {
        match crate::login::reset::sealed_code(&state).await {
            Ok(code) => Some(code),
            Err(error) => {
                tracing::warn!(%error, "no verification code for the new user");
                None
            }
        }
    } else {
        None
    };
    let user_id = state.writer.next_id();
    let command = CreateUser {
        org_id,
        user_id: user_id.clone(),
        decide: move |current: &User, at: Timestamp| {
            let added = user::add_human(current, human.clone())?;
            let Some((hash, delivery)) = &verification else {
                return Ok(added);
            };
            user::chain(current, added, |after| {
                user::add_code(
                    after,
                    user::CodePurpose::Email,
                    hash.clone(),
                    delivery.clone(),
                    at,
                )
            })
        },
    };
    match run(&state, &instance.id, &user_id, &command).await {
        Ok(_) => {}
        Err(error) if error.kind == castellan_core::ErrorKind::AlreadyExists => {
            return again(look.texts.register_taken);
        }
        Err(error) if error.kind == castellan_core::ErrorKind::InvalidArgument => {
            return again(&error.message);
        }
        Err(error) => {
            tracing::warn!(%error, "registration failed");
            return again(look.texts.login_failed);
        }
    }
    match authenticate(
        &state,
        &instance.id,
        &username,
        &form.new_password,
        address,
        &headers,
    )
    .await
    {
        Ok(session) => {
            finish(
                &look,
                &state,
                &instance.id,
                &session.user_id,
                &form.auth_request,
                &session.session_id,
                &session.session_token,
            )
            .await
        }
        Err(Refusal::TooMany) => again(look.texts.too_many),
        Err(_) => again(look.texts.login_failed),
    }
}
