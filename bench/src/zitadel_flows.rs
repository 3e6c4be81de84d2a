//! One iteration of each ZITADEL scenario against Castellan, as a client does it. Every function
//! returns `Err` with what failed, which the load loop counts as an error.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api::truncate;
use crate::zitadel_setup::{Fixture, OIDC, PASSWORD, REDIRECT_URI, SESSIONS, call, text};

type Outcome<T = ()> = std::result::Result<T, String>;

const VERIFIER: &str = "castellan-bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const CSRF_COOKIE: &str = "castellan_csrf=";

/// POSTs a form to an OAuth endpoint (basic client authentication when `basic` is given) and
/// returns the JSON answer of a 200.
pub(crate) async fn oauth_form(
    f: &Fixture,
    path: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Outcome<Value> {
    let mut request = f
        .http
        .post(f.target.url(path))
        .header("Host", f.target.host())
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{path}: HTTP {status}: {}", truncate(&text, 200)));
    }
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

fn pick(list: &[String], n: usize) -> &str {
    list.get(n % list.len().max(1)).map_or("", String::as_str)
}

/// A client credentials token of the machine user (its secret is an argon2id hash).
pub(crate) async fn client_credentials(f: &Fixture) -> Outcome<Value> {
    oauth_form(
        f,
        "/oauth/v2/token",
        Some(("bench-robot", &f.robot_secret)),
        &[
            ("grant_type", "client_credentials"),
            // The project's audience, so that its API apps may introspect the token.
            (
                "scope",
                "openid profile urn:zitadel:iam:org:project:id:bench-api:aud",
            ),
        ],
    )
    .await
}

pub(crate) async fn userinfo(f: &Fixture, token: &str) -> Outcome {
    let response = f
        .http
        .get(f.target.url("/oidc/v1/userinfo"))
        .header("Host", f.target.host())
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match response.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("userinfo: HTTP {status}")),
    }
}

/// machine_client_credentials_login: a token, then userinfo with it.
pub(crate) async fn machine_client_credentials_login(f: &Fixture) -> Outcome {
    let token = client_credentials(f).await?;
    userinfo(f, &text(&token, "/access_token")).await
}

/// machine_jwt_profile_grant: a token for a JWT signed with the machine user's key.
pub(crate) async fn jwt_profile_grant(f: &Fixture, n: usize) -> Outcome {
    let token = oauth_form(
        f,
        "/oauth/v2/token",
        None,
        &[
            ("grant_type", JWT_BEARER),
            ("scope", "openid profile"),
            ("assertion", pick(&f.robot_grants, n)),
        ],
    )
    .await?;
    token
        .get("access_token")
        .map(|_| ())
        .ok_or_else(|| format!("no access_token: {token}"))
}

fn active(body: &Value) -> Outcome {
    if body.pointer("/active") == Some(&Value::Bool(true)) {
        Ok(())
    } else {
        Err(format!("inactive: {body}"))
    }
}

/// introspect as ZITADEL measures it: the API app authenticates with a JWT signed by its key.
pub(crate) async fn introspect_jwt(f: &Fixture, n: usize) -> Outcome {
    let body = oauth_form(
        f,
        "/oauth/v2/introspect",
        None,
        &[
            ("token", &f.introspect_token),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", pick(&f.api_jwt_assertions, n)),
        ],
    )
    .await?;
    active(&body)
}

/// introspect with basic authentication (the form the peer shares).
pub(crate) async fn introspect_basic(f: &Fixture) -> Outcome {
    let (id, secret) = (&f.api_basic.0, &f.api_basic.1);
    let body = oauth_form(
        f,
        "/oauth/v2/introspect",
        Some((id, secret)),
        &[("token", &f.introspect_token)],
    )
    .await?;
    active(&body)
}

/// A Connect call with `token` (not the admin's): the JSON answer of a 200.
async fn call_as(f: &Fixture, token: &str, method: &str, body: Value) -> Outcome<Value> {
    let response = f
        .http
        .post(f.target.url(&format!("/{method}")))
        .header("Host", f.target.host())
        .header("Content-Type", "application/json")
        .bearer_auth(token)
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("{method}: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{method}: HTTP {status}: {}", truncate(&text, 200)));
    }
    serde_json::from_str(&text).map_err(|e| format!("{method}: {e}"))
}

async fn create_session(f: &Fixture, checks: Value) -> Outcome<(String, String)> {
    create_session_as(f, &f.target.token, checks).await
}

async fn create_session_as(f: &Fixture, token: &str, checks: Value) -> Outcome<(String, String)> {
    let session = call_as(
        f,
        token,
        &format!("{SESSIONS}/CreateSession"),
        json!({ "checks": checks }),
    )
    .await?;
    Ok((
        text(&session, "/sessionId"),
        text(&session, "/sessionToken"),
    ))
}

/// add_session: CreateSession with a user check only.
pub(crate) async fn add_session(f: &Fixture) -> Outcome {
    create_session(f, json!({"user": {"loginName": "bench-ada"}}))
        .await
        .map(|_| ())
}

/// password_session: CreateSession with user and password checks.
pub(crate) async fn password_session(f: &Fixture) -> Outcome {
    create_session(
        f,
        json!({"user": {"loginName": "bench-ada"}, "password": {"password": PASSWORD}}),
    )
    .await
    .map(|_| ())
}

/// otp_session: CreateSession with user and password checks, then SetSession with the TOTP code
/// of a user of the pool that still has an unused time step.
pub(crate) async fn otp_session(f: &Fixture, n: usize) -> Outcome {
    let count = f.otp_users.len();
    let claimed = (0..count).find_map(|k| {
        let user = f.otp_users.get((n + k) % count)?;
        user.claim().map(|code| (user, code))
    });
    let Some((user, code)) = claimed else {
        return Err(format!(
            "every one of the {count} TOTP users used its accepted time steps"
        ));
    };
    let (session_id, token) = create_session(
        f,
        json!({"user": {"loginName": user.login_name}, "password": {"password": PASSWORD}}),
    )
    .await?;
    call(
        &f.target,
        &f.http,
        &format!("{SESSIONS}/SetSession"),
        json!({"sessionId": session_id, "sessionToken": token, "checks": {"totp": {"code": code}}}),
    )
    .await
    .map(|_| ())
}

fn authorize_path(f: &Fixture) -> String {
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(VERIFIER.as_bytes()));
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &f.web.0)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("state", "bench")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("/oauth/v2/authorize?{query}")
}

fn location(response: &reqwest::Response) -> Outcome<String> {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("HTTP {} without a Location", response.status()))
}

/// The auth request's id, from `/oauth/v2/authorize` (a redirect to the login page).
async fn authorize(f: &Fixture) -> Outcome<(String, String)> {
    let response = f
        .http
        .get(f.target.url(&authorize_path(f)))
        .header("Host", f.target.host())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let login = location(&response)?;
    let id = query_param(&format!("http://x{login}"), "authRequest")
        .ok_or_else(|| format!("authorize went to {login}"))?;
    Ok((login, id))
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The code of the callback URL, exchanged for tokens.
async fn exchange(f: &Fixture, callback: &str) -> Outcome<Value> {
    let code = query_param(callback, "code").ok_or_else(|| format!("no code in {callback}"))?;
    oauth_form(
        f,
        "/oauth/v2/token",
        Some((&f.web.0, &f.web.1)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// oidc_session: authorize → CreateSession (user and password checks: a callback needs an
/// authenticated user) → CreateCallback → code exchange, as a
/// custom login UI does it with its service account (IAM_LOGIN_CLIENT).
pub(crate) async fn oidc_session(f: &Fixture) -> Outcome {
    let (_, id) = authorize(f).await?;
    let login = &f.login_client;
    let (session_id, session_token) = create_session_as(
        f,
        login,
        json!({"user": {"loginName": "bench-ada"}, "password": {"password": PASSWORD}}),
    )
    .await?;
    let callback = call_as(
        f,
        login,
        &format!("{OIDC}/CreateCallback"),
        json!({"authRequestId": format!("V2_{id}"),
            "session": {"sessionId": session_id, "sessionToken": session_token}}),
    )
    .await?;
    exchange(f, &text(&callback, "/callbackUrl"))
        .await
        .map(|_| ())
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html.get(start..)?.split('"').next().map(str::to_owned)
}

/// human_password_login: the hosted login pages form by form, as a browser without JavaScript
/// does it (authorize → login name page → login name form → password form → callback → token).
/// Returns the token response.
pub(crate) async fn human_password_login(f: &Fixture) -> Outcome<Value> {
    let (login, _) = authorize(f).await?;
    let page = f
        .http
        .get(f.target.url(&login))
        .header("Host", f.target.host())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(CSRF_COOKIE))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
        .ok_or("the login page set no CSRF cookie")?;
    let html = page.text().await.map_err(|e| e.to_string())?;
    let (Some(auth_request), Some(csrf)) = (hidden(&html, "authRequest"), hidden(&html, "csrf"))
    else {
        return Err(format!("login page: {}", truncate(&html, 200)));
    };
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        f.http
            .post(f.target.url(path))
            .header("Host", f.target.host())
            .header("Cookie", &csrf_cookie)
            .form(&form)
            .send()
    };
    let name = post(
        "/ui/login/login",
        vec![
            ("authRequest", auth_request.clone()),
            ("csrf", csrf.clone()),
            ("loginName", "bench-ada".into()),
        ],
    )
    .await
    .map_err(|e| e.to_string())?;
    let html = name.text().await.map_err(|e| e.to_string())?;
    if !html.contains("name=\"password\"") {
        return Err(format!("no password form: {}", truncate(&html, 200)));
    }
    let done = post(
        "/ui/login/password",
        vec![
            ("authRequest", auth_request),
            ("csrf", csrf),
            ("loginName", "bench-ada".into()),
            ("password", PASSWORD.into()),
        ],
    )
    .await
    .map_err(|e| e.to_string())?;
    let callback = location(&done)?;
    exchange(f, &callback).await
}
