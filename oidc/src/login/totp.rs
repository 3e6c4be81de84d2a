//! The hosted login's second step: users with a verified TOTP generator (or whose org forces
//! MFA) enter a code after their password. The password step keeps its session in the
//! `castellan_session` cookie and does not finish the auth request; this step checks the code
//! on that session (a new session token, so a new cookie) and then finishes the request.
//!
//! A wrong code, a replayed one and a locked user all get `Texts::totp_wrong`; wrong codes count
//! towards the org's `max_otp_attempts`, and submissions share the login rate limit.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_api::user::totp::unseal;
use castellan_core::DomainError;
use castellan_core::session::Session;
use castellan_core::user::User;
use castellan_readers::queries::settings;
use castellan_writer::commands::session::{
    ChangeSession, SessionChange, SessionOutcome, TotpCheck,
};
use castellan_writer::secrets::{new_bearer_token, token_hash};
use castellan_writer::writer::CommandContext;
use serde::Deserialize;

use super::{SESSION_COOKIE, cookie, finish, html, page};
use crate::flow::run;

/// What a user needs after the password.
#[derive(Debug, PartialEq, Eq)]
pub enum SecondFactor {
    NotNeeded,
    Totp,
    /// The org forces MFA and the user has no second factor.
    Missing,
}

fn ctx(instance_id: &str) -> CommandContext {
    CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "LOGIN".into(),
    }
}

/// Whether the user must give a TOTP code: it has a verified generator, or its org's login
/// settings force MFA.
pub async fn second_factor(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    org_id: &str,
) -> Result<SecondFactor, DomainError> {
    let user = state
        .writer
        .load::<User>(&ctx(instance_id), user_id)
        .await?;
    if user.state.otp.as_ref().is_some_and(|otp| otp.verified) {
        return Ok(SecondFactor::Totp);
    }
    let policy = settings::login(state.store(), instance_id, org_id)
        .await
        .map_err(castellan_api::error::read_error)?;
    Ok(if policy.force_mfa {
        SecondFactor::Missing
    } else {
        SecondFactor::NotNeeded
    })
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// The browser's login session: (session id, session token).
pub(super) fn login_session(headers: &HeaderMap) -> Option<(String, String)> {
    cookie(headers, SESSION_COOKIE)
        .as_deref()
        .and_then(|value| value.split_once(':'))
        .map(|(id, token)| (id.to_owned(), token.to_owned()))
}

pub(super) enum Checked {
    /// The code was accepted: the session's new token.
    Accepted(String),
    Wrong,
    TooMany,
}

/// Checks the code on the browser's session; `None` when there is no usable session.
pub(super) async fn check_code(
    state: &AppState,
    instance_id: &str,
    session_id: &str,
    session_token: &str,
    code: &str,
    address: Option<std::net::IpAddr>,
) -> Result<Option<(String, Checked)>, DomainError> {
    let current_hash = token_hash(session_token);
    let session = state
        .writer
        .load::<Session>(&ctx(instance_id), session_id)
        .await?;
    let user_id = match &session.state.user_id {
        Some(user_id)
            if session.state.active(state.clock.now())
                && session.state.password_checked_at.is_some()
                && castellan_core::ct_eq(&session.state.token_hash, &current_hash) =>
        {
            user_id.clone()
        }
        _ => return Ok(None),
    };
    if !state.limits.allow_login(instance_id, &user_id, address) {
        return Ok(Some((user_id, Checked::TooMany)));
    }
    let user = state
        .writer
        .load::<User>(&ctx(instance_id), &user_id)
        .await?;
    let Ok(secret) = unseal(state, &user_id, &user.state, true) else {
        return Ok(Some((user_id, Checked::Wrong)));
    };
    let max_otp_attempts = settings::lockout(state.store(), instance_id, &user.state.org_id)
        .await
        .map(|policy| policy.max_otp_attempts)
        .unwrap_or(0);
    let (new_token, new_token_hash) = new_bearer_token();
    let command = ChangeSession {
        session_id: session_id.to_owned(),
        change: SessionChange {
            current_token_hash: Some(current_hash),
            new_token_hash,
            totp: Some(TotpCheck {
                code: code.to_owned(),
                secret,
            }),
            max_otp_attempts,
            ..SessionChange::default()
        },
    };
    let checked = match run(state, instance_id, &user_id, &command).await {
        Ok(committed) => match committed.output {
            SessionOutcome::Changed(_) => Checked::Accepted(new_token),
            SessionOutcome::TotpRejected { .. } | SessionOutcome::PasswordRejected { .. } => {
                Checked::Wrong
            }
        },
        // A locked or deactivated user, or a generator removed meanwhile, looks like a wrong
        // code.
        Err(error) if error.code.starts_with("USER-") || error.code == "SESSION-0105" => {
            Checked::Wrong
        }
        Err(error) => return Err(error),
    };
    Ok(Some((user_id, checked)))
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<TotpForm>,
) -> Response {
    let (instance, look) =
        match super::form_for_request(&state, &headers, &form.csrf, &form.auth_request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    let expired = || {
        html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_request),
            &[],
        )
    };
    let Some((session_id, session_token)) = login_session(&headers) else {
        return expired();
    };
    let again = |status: StatusCode, message: &str| {
        html(
            status,
            page::totp_page(&look, &form.auth_request, &form.csrf, Some(message)),
            &[],
        )
    };
    match check_code(
        &state,
        &instance.id,
        &session_id,
        &session_token,
        &form.code,
        address,
    )
    .await
    {
        Ok(Some((user_id, Checked::Accepted(new_token)))) => {
            finish(
                &look,
                &state,
                &instance.id,
                &user_id,
                &form.auth_request,
                &session_id,
                &new_token,
            )
            .await
        }
        Ok(Some((_, Checked::Wrong))) => again(StatusCode::OK, look.texts.totp_wrong),
        Ok(Some((_, Checked::TooMany))) => {
            again(StatusCode::TOO_MANY_REQUESTS, look.texts.too_many)
        }
        Ok(None) => expired(),
        Err(error) => {
            tracing::error!(%error, "TOTP check failed");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::error_page(&look, look.texts.login_failed),
                &[],
            )
        }
    }
}
