//! The `/device` pages (RFC 8628 §3.3): the user types the code the device shows and signs in,
//! then allows or denies the device. The same rules as the login pages apply: CSRF cookie, rate
//! limit, and one answer for unknown users, wrong passwords and locked users.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_readers::queries::oidc::device_by_user_code;
use castellan_writer::commands::oidc::DecideDevice;
use castellan_writer::secrets::token_hash;
use serde::Deserialize;

use super::look::Look;
use super::{SESSION_COOKIE, authenticate, cookie, csrf_token, html, page, session_cookie};
use crate::endpoints::device::normalize_user_code;
use crate::endpoints::instance;
use crate::flow::run;

#[derive(Deserialize)]
pub struct DeviceQuery {
    #[serde(default)]
    user_code: String,
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DeviceQuery>,
) -> Response {
    let instance_id = instance(&state, &headers).await.ok().map(|i| i.id);
    let look = Look::of(&state, instance_id.as_deref(), &headers, &[]).await;
    let (csrf, cookies) = csrf_token(&headers);
    html(
        StatusCode::OK,
        page::device_page(&look, &csrf, &query.user_code, None),
        &cookies,
    )
}

#[derive(Deserialize)]
pub struct DeviceLogin {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "userCode", default)]
    user_code: String,
    #[serde(rename = "loginName", default)]
    login_name: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<DeviceLogin>,
) -> Response {
    let (instance, look) = match super::prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let retry = |message: &str| {
        html(
            StatusCode::OK,
            page::device_page(&look, &form.csrf, &form.user_code, Some(message)),
            &[],
        )
    };
    let code = normalize_user_code(&form.user_code);
    let device = device_by_user_code(state.store(), &instance.id, &code, state.clock.now())
        .await
        .ok()
        .flatten();
    let Some(device) = device else {
        return retry(look.texts.device_unknown);
    };
    let session = match authenticate(
        &state,
        &instance.id,
        &form.login_name,
        &form.password,
        address,
        &headers,
    )
    .await
    {
        Ok(session) => session,
        Err(response) => {
            return match response {
                super::Refusal::Wrong => retry(look.texts.wrong),
                super::Refusal::TooMany => retry(look.texts.too_many),
                super::Refusal::Failed => html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    page::error_page(&look, look.texts.login_failed),
                    &[],
                ),
            };
        }
    };
    match super::totp::second_factor(&state, &instance.id, &session.user_id, &session.org_id).await
    {
        Ok(super::totp::SecondFactor::NotNeeded) => {}
        Ok(super::totp::SecondFactor::Totp) => {
            // The password is proven; the code page continues on this session.
            return html(
                StatusCode::OK,
                page::device_totp_page(&look, &form.csrf, &code, None),
                &[session_cookie(&session.session_id, &session.session_token)],
            );
        }
        Ok(super::totp::SecondFactor::Missing) => return retry(look.texts.mfa_missing),
        Err(error) => {
            tracing::error!(%error, "second factor lookup failed");
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::error_page(&look, look.texts.login_failed),
                &[],
            );
        }
    }
    consent(
        &look,
        &form.csrf,
        &code,
        &device,
        &session.session_id,
        &session.session_token,
    )
}

/// The consent page, with the (checked) session in its cookie.
fn consent(
    look: &super::look::Look,
    csrf: &str,
    code: &str,
    device: &castellan_readers::queries::oidc::DeviceCodeView,
    session_id: &str,
    session_token: &str,
) -> Response {
    html(
        StatusCode::OK,
        page::device_consent_page(
            look,
            csrf,
            code,
            &device.client_id,
            &device.scopes.join(" "),
        ),
        &[session_cookie(session_id, session_token)],
    )
}

#[derive(Deserialize)]
pub struct DeviceTotpForm {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "userCode", default)]
    user_code: String,
    #[serde(default)]
    code: String,
}

/// `POST /device/totp`: the TOTP code of a user who needs one, on the password step's session.
pub async fn totp(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<DeviceTotpForm>,
) -> Response {
    let (instance, look) = match super::prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let code = normalize_user_code(&form.user_code);
    let device = device_by_user_code(state.store(), &instance.id, &code, state.clock.now())
        .await
        .ok()
        .flatten();
    let unknown = || {
        html(
            StatusCode::BAD_REQUEST,
            page::error_page(&look, look.texts.device_unknown),
            &[],
        )
    };
    let (Some(device), Some((session_id, session_token))) =
        (device, super::totp::login_session(&headers))
    else {
        return unknown();
    };
    let again = |status: StatusCode, message: &str| {
        html(
            status,
            page::device_totp_page(&look, &form.csrf, &code, Some(message)),
            &[],
        )
    };
    match super::totp::check_code(
        &state,
        &instance.id,
        &session_id,
        &session_token,
        &form.code,
        address,
    )
    .await
    {
        Ok(Some((_, super::totp::Checked::Accepted(new_token)))) => {
            consent(&look, &form.csrf, &code, &device, &session_id, &new_token)
        }
        Ok(Some((_, super::totp::Checked::Wrong))) => again(StatusCode::OK, look.texts.totp_wrong),
        Ok(Some((_, super::totp::Checked::TooMany))) => {
            again(StatusCode::TOO_MANY_REQUESTS, look.texts.too_many)
        }
        Ok(None) => unknown(),
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

#[derive(Deserialize)]
pub struct DeviceDecision {
    #[serde(default)]
    csrf: String,
    #[serde(rename = "userCode", default)]
    user_code: String,
    #[serde(default)]
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<DeviceDecision>,
) -> Response {
    let (instance, look) = match super::prelude(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let code = normalize_user_code(&form.user_code);
    let device = device_by_user_code(state.store(), &instance.id, &code, state.clock.now())
        .await
        .ok()
        .flatten();
    let session = cookie(&headers, SESSION_COOKIE).and_then(|c| {
        c.split_once(':')
            .map(|(id, token)| (id.to_owned(), token_hash(token)))
    });
    let (Some(device), Some(session)) = (device, session) else {
        return html(
            StatusCode::BAD_REQUEST,
            page::error_page(&look, look.texts.device_unknown),
            &[],
        );
    };
    let approve = form.decision == "approve";
    let command = DecideDevice {
        id: device.device_id,
        approval: approve.then_some(session),
    };
    match run(&state, &instance.id, "LOGIN", &command).await {
        Ok(_) if approve => html(
            StatusCode::OK,
            page::message_page(
                &look,
                look.texts.device_connected_title,
                look.texts.device_connected,
            ),
            &[],
        ),
        Ok(_) => html(
            StatusCode::OK,
            page::message_page(
                &look,
                look.texts.device_denied_title,
                look.texts.device_denied,
            ),
            &[],
        ),
        Err(_) => html(
            StatusCode::BAD_REQUEST,
            page::error_page(&look, look.texts.device_unknown),
            &[],
        ),
    }
}
