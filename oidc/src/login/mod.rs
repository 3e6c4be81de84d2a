//! The hosted login: login name → password (→ TOTP code, see [`totp`]) → back to the app with
//! a code. It works without
//! JavaScript, protects its forms with a double-submit CSRF cookie, and answers an unknown login
//! name exactly like a wrong password (after spending the time of a hash verification), so the
//! pages reveal nothing about which users exist. A locked or inactive user gets the same answer.

pub mod change;
pub mod device;
pub mod look;
pub mod page;
mod register;
pub(crate) mod reset;
mod sso;
pub mod texts;
mod totp;
mod verify_mail;

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_core::oidc::auth_request::AuthRequest;
use castellan_readers::queries::login::user_by_login_name;
use castellan_readers::queries::settings::lockout;
use castellan_writer::commands::session::{
    ChangeSession, SessionChange, SessionOutcome, verify_nothing,
};
use castellan_writer::secrets::{new_bearer_token, token_hash};
use castellan_writer::writer::CommandContext;
use serde::Deserialize;

use crate::endpoints::instance;
use crate::flow::{finish_auth_request, run};
use look::Look;

const CSRF_COOKIE: &str = "castellan_csrf";
const SESSION_COOKIE: &str = "castellan_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/ui/login/login",
            get(login_name_form).post(login_name_submit),
        )
        .route("/ui/login/password", axum::routing::post(password_submit))
        .route(
            "/ui/login/password/change",
            axum::routing::post(change::submit),
        )
        .route("/ui/login/select", axum::routing::post(sso::select_account))
        .route("/ui/login/totp", axum::routing::post(totp::submit))
        .route(
            "/ui/login/register",
            get(register::form).post(register::submit),
        )
        .route(
            "/ui/login/password/reset",
            axum::routing::post(reset::request),
        )
        .route(
            "/ui/login/password/reset/set",
            get(reset::link).post(reset::set),
        )
        .route(
            "/ui/login/mail/verify",
            get(verify_mail::form).post(verify_mail::submit),
        )
        .route("/device", get(device::form).post(device::login))
        .route("/device/decide", axum::routing::post(device::decide))
        .route("/device/totp", axum::routing::post(device::totp))
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn html(status: StatusCode, body: String, set_cookies: &[String]) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' *",
        ),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    for value in set_cookies {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

fn csrf_cookie(value: &str) -> String {
    format!("{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict")
}

/// The browser's CSRF token, and the cookie to set when it has none yet.
fn csrf_token(headers: &HeaderMap) -> (String, Vec<String>) {
    match cookie(headers, CSRF_COOKIE) {
        Some(existing) if !existing.is_empty() => (existing, Vec::new()),
        _ => {
            let (fresh, _) = new_bearer_token();
            let set = vec![csrf_cookie(&fresh)];
            (fresh, set)
        }
    }
}

/// What every form handler checks first: the CSRF token, then the instance; answers the error
/// page itself when either fails. Returns the instance and its look (branding, language from
/// the browser; handlers that know the auth request refine the language).
async fn prelude(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(castellan_readers::queries::identity::InstanceView, Look), Response> {
    let look = Look::of(state, None, headers, &[]).await;
    if !check_csrf(headers, csrf) {
        return Err(html(
            StatusCode::FORBIDDEN,
            page::error_page(&look, look.texts.form_expired),
            &[],
        ));
    }
    let Ok(instance) = instance(state, headers).await else {
        return Err(html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_instance),
            &[],
        ));
    };
    let look = Look::of(state, Some(&instance.id), headers, &[]).await;
    Ok((instance, look))
}

/// [`prelude`] for a form that continues an auth request: the request must still be pending,
/// and its `ui_locales` choose the language.
async fn form_for_request(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    auth_request: &str,
) -> Result<(castellan_readers::queries::identity::InstanceView, Look), Response> {
    let (instance, look) = prelude(state, headers, csrf).await?;
    let Some(request) = pending_request(state, &instance.id, auth_request).await else {
        return Err(html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_request),
            &[],
        ));
    };
    let look = Look::of(
        state,
        Some(&instance.id),
        headers,
        &request.params.ui_locales,
    )
    .await;
    Ok((instance, look))
}

fn session_cookie(session_id: &str, session_token: &str) -> String {
    format!("{SESSION_COOKIE}={session_id}:{session_token}; Path=/; HttpOnly; SameSite=Lax")
}

/// Why a sign-in was refused; the pages show one text (`Texts::wrong`) for every kind of wrong
/// credential.
enum Refusal {
    Wrong,
    TooMany,
    Failed,
}

/// A session opened by a correct login name and password.
struct Authenticated {
    session_id: String,
    session_token: String,
    user_id: String,
    org_id: String,
}

/// Checks a login name and password and opens a session.
async fn authenticate(
    state: &AppState,
    instance_id: &str,
    login_name: &str,
    password: &str,
    address: Option<std::net::IpAddr>,
    headers: &HeaderMap,
) -> Result<Authenticated, Refusal> {
    if !state.limits.allow_login(instance_id, login_name, address) {
        return Err(Refusal::TooMany);
    }
    let hasher = state.config.password_hasher;
    let user = user_by_login_name(state.store(), instance_id, login_name)
        .await
        .ok()
        .flatten();
    let Some(user) = user else {
        verify_nothing(&state.writer, password, &hasher).await;
        return Err(Refusal::Wrong);
    };
    let max_attempts = lockout(state.store(), instance_id, &user.org_id)
        .await
        .map(|policy| policy.max_password_attempts)
        .unwrap_or(0);
    let session_id = state.writer.next_id();
    let (session_token, session_hash) = new_bearer_token();
    let command = ChangeSession {
        session_id: session_id.clone(),
        change: SessionChange {
            create: true,
            new_token_hash: session_hash,
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            user_id: Some(user.id.clone()),
            password: Some(password.to_owned()),
            max_password_attempts: max_attempts,
            hasher,
            ..SessionChange::default()
        },
    };
    match run(state, instance_id, &user.id, &command).await {
        Ok(committed) => match committed.output {
            SessionOutcome::Changed(_) => Ok(Authenticated {
                session_id,
                session_token,
                user_id: user.id,
                org_id: user.org_id,
            }),
            SessionOutcome::PasswordRejected { .. } | SessionOutcome::TotpRejected { .. } => {
                Err(Refusal::Wrong)
            }
        },
        // Locked, inactive or password-less users look like a wrong password.
        Err(error) if error.code.starts_with("USER-") => Err(Refusal::Wrong),
        Err(error) => {
            tracing::error!(%error, "login failed");
            Err(Refusal::Failed)
        }
    }
}

fn check_csrf(headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, CSRF_COOKIE)
        .is_some_and(|c| !c.is_empty() && castellan_core::ct_eq(&c, submitted))
}

#[derive(Deserialize)]
pub struct AuthRequestQuery {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
}

async fn pending_request(state: &AppState, instance_id: &str, id: &str) -> Option<AuthRequest> {
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "LOGIN".into(),
    };
    let loaded = state.writer.load::<AuthRequest>(&ctx, id).await.ok()?;
    loaded
        .state
        .pending(state.clock.now())
        .then_some(loaded.state)
}

async fn login_name_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<AuthRequestQuery>,
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
    let Some(request) = pending_request(&state, &instance.id, &query.auth_request).await else {
        return html(
            StatusCode::NOT_FOUND,
            page::error_page(&look, look.texts.unknown_request),
            &[],
        );
    };
    look = Look::of(
        &state,
        Some(&instance.id),
        &headers,
        &request.params.ui_locales,
    )
    .await;
    let (csrf, cookies) = csrf_token(&headers);
    let hint = request.params.login_hint.unwrap_or_default();
    // Account selection: the account this browser is signed in with, if any.
    let account = match browser_session(&state, &instance.id, &headers).await {
        Some((_, _, view)) => {
            castellan_readers::queries::user::get_user(state.store(), &instance.id, &view.user_id)
                .await
                .ok()
                .flatten()
                .map(|user| user.login_name)
        }
        None => None,
    };
    html(
        StatusCode::OK,
        page::login_name_page(
            &look,
            &query.auth_request,
            &csrf,
            &hint,
            account.as_deref(),
            register::open(&state, &instance.id).await,
            None,
        ),
        &cookies,
    )
}

#[derive(Deserialize)]
pub struct LoginNameForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "loginName", default)]
    login_name: String,
}

async fn login_name_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginNameForm>,
) -> Response {
    let (instance, look) =
        match form_for_request(&state, &headers, &form.csrf, &form.auth_request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    let reset = reset::offered(&state, &instance.id, &instance.default_org_id).await;
    // Every login name proceeds to the password page: nothing tells whether it exists.
    html(
        StatusCode::OK,
        page::password_page(
            &look,
            &form.auth_request,
            &form.csrf,
            form.login_name.trim(),
            None,
            reset,
        ),
        &[],
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(rename = "authRequest", default)]
    auth_request: String,
    #[serde(default)]
    csrf: String,
    #[serde(rename = "loginName", default)]
    login_name: String,
    #[serde(default)]
    password: String,
}

async fn password_submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let (instance, look) =
        match form_for_request(&state, &headers, &form.csrf, &form.auth_request).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    let reset = reset::offered(&state, &instance.id, &instance.default_org_id).await;
    let wrong = || {
        html(
            StatusCode::OK,
            page::password_page(
                &look,
                &form.auth_request,
                &form.csrf,
                &form.login_name,
                Some(look.texts.wrong),
                reset,
            ),
            &[],
        )
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
        Err(Refusal::Wrong) => return wrong(),
        Err(Refusal::TooMany) => {
            return html(
                StatusCode::TOO_MANY_REQUESTS,
                page::password_page(
                    &look,
                    &form.auth_request,
                    &form.csrf,
                    &form.login_name,
                    Some(look.texts.too_many),
                    reset,
                ),
                &[],
            );
        }
        Err(Refusal::Failed) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::error_page(&look, look.texts.login_failed),
                &[],
            );
        }
    };
    match totp::second_factor(&state, &instance.id, &session.user_id, &session.org_id).await {
        Ok(totp::SecondFactor::NotNeeded) => {}
        Ok(totp::SecondFactor::Totp) => {
            // The password is proven; the code page finishes the request with this session.
            return html(
                StatusCode::OK,
                page::totp_page(&look, &form.auth_request, &form.csrf, None),
                &[session_cookie(&session.session_id, &session.session_token)],
            );
        }
        Ok(totp::SecondFactor::Missing) => {
            return html(
                StatusCode::FORBIDDEN,
                page::error_page(&look, look.texts.mfa_missing),
                &[],
            );
        }
        Err(error) => {
            tracing::error!(%error, "second factor lookup failed");
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::error_page(&look, look.texts.login_failed),
                &[],
            );
        }
    }
    if change::change_needed(&state, &instance.id, &session.user_id).await {
        return html(
            StatusCode::OK,
            page::change_password_page(&look, &form.auth_request, &form.csrf, None),
            &[session_cookie(&session.session_id, &session.session_token)],
        );
    }
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

/// Finishes the auth request with a session and sends the browser back to the app (a redirect,
/// or the form_post page), keeping the session in the browser's cookie.
async fn finish(
    look: &Look,
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    auth_request: &str,
    session_id: &str,
    session_token: &str,
) -> Response {
    match finish_auth_request(
        state,
        instance_id,
        user_id,
        auth_request,
        session_id,
        &token_hash(session_token),
    )
    .await
    .and_then(|callback| callback.response())
    {
        Ok(mut response) => {
            if let Ok(value) = HeaderValue::from_str(&session_cookie(session_id, session_token)) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            tracing::warn!(%error, "finishing the auth request failed");
            html(
                StatusCode::BAD_REQUEST,
                page::error_page(look, look.texts.unknown_request),
                &[],
            )
        }
    }
}

pub(crate) use sso::{browser_session, logout};
