//! TOTP end to end: registration through the UserService (codes computed here from the returned
//! secret with the same RFC 6238 crate an authenticator would match), the Session API's `totp`
//! check with replay refusal and lockout at `maxOtpAttempts`, and the hosted login's code step
//! (ID token `amr` = pwd, otp, mfa), plus forced MFA for a user without a second factor.

// The test is the authenticator app: it reads the real clock, as the server does.
#![allow(clippy::disallowed_methods)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret};

use super::oidc::{Browser, VERIFIER, hidden, location, log_in, query_param, setup, urlencode};
use super::support::Server;

const USERS: &str = "zitadel.user.v2.UserService";
const SESSIONS: &str = "zitadel.session.v2.SessionService";
const ADMIN_V1: &str = "zitadel.admin.v1.AdminService";

async fn call(server: &Server, service: &str, method: &str, body: Value) -> (u16, Value) {
    server
        .raw(
            reqwest::Method::POST,
            &format!("/{service}/{method}"),
            &body.to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await
}

async fn ok(server: &Server, service: &str, method: &str, body: Value) -> Value {
    let (status, response) = call(server, service, method, body.clone()).await;
    assert_eq!(status, 200, "{method} {body}: {response}");
    response
}

fn error_code(response: &(u16, Value)) -> (u16, Option<&str>) {
    (response.0, response.1["code"].as_str())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The authenticator app: codes of the secret RegisterTOTP returned (base32).
struct App(totp_rs::Totp);

impl App {
    fn new(base32: &str) -> Self {
        let secret = Secret::try_from_base32(base32).unwrap();
        App(Builder::new().with_secret(secret).build().unwrap())
    }

    fn code(&self) -> String {
        self.0.generate(now()).to_string()
    }

    /// A code that matches none of the steps the server accepts now.
    fn wrong_code(&self) -> String {
        let t = now();
        let valid: Vec<String> = [t - 30, t, t + 30]
            .iter()
            .map(|at| self.0.generate(*at).to_string())
            .collect();
        (0..10)
            .map(|n| format!("{n}{n}{n}{n}{n}{n}"))
            .find(|code| !valid.contains(code))
            .unwrap()
    }
}

async fn methods(server: &Server, user_id: &str) -> Value {
    ok(
        server,
        USERS,
        "ListAuthenticationMethodTypes",
        json!({"userId": user_id}),
    )
    .await["authMethodTypes"]
        .clone()
}

/// RegisterTOTP + VerifyTOTPRegistration; returns the user's authenticator.
async fn register(server: &Server, user_id: &str) -> App {
    let registered = ok(server, USERS, "RegisterTOTP", json!({"userId": user_id})).await;
    let secret = registered["secret"].as_str().unwrap();
    let uri = registered["uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/localhost:"), "{uri}");
    assert!(
        uri.contains(&format!("secret={secret}&issuer=localhost")),
        "{uri}"
    );
    assert_eq!(secret.len(), 32, "20 bytes in base32");
    let app = App::new(secret);
    let wrong = call(
        server,
        USERS,
        "VerifyTOTPRegistration",
        json!({"userId": user_id, "code": app.wrong_code()}),
    )
    .await;
    assert_eq!(
        error_code(&wrong),
        (400, Some("invalid_argument")),
        "{wrong:?}"
    );
    ok(
        server,
        USERS,
        "VerifyTOTPRegistration",
        json!({"userId": user_id, "code": app.code()}),
    )
    .await;
    app
}

#[tokio::test]
async fn totp_is_registered_then_checked_by_sessions_once_per_step_with_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    ok(
        &server,
        ADMIN_V1,
        "UpdateLockoutPolicy",
        json!({"maxOtpAttempts": "3"}),
    )
    .await;
    ok(
        &server,
        USERS,
        "CreateUser",
        json!({"userId": "ada", "username": "ada", "human": {
            "profile": {"givenName": "Ada", "familyName": "Lovelace"},
            "email": {"email": "ada@example.com", "isVerified": true},
            "password": {"password": {"password": "Password1!"}}}}),
    )
    .await;
    assert_eq!(
        methods(&server, "ada").await,
        json!(["AUTHENTICATION_METHOD_TYPE_PASSWORD"])
    );
    // Verifying needs a registration.
    let none = call(
        &server,
        USERS,
        "VerifyTOTPRegistration",
        json!({"userId": "ada", "code": "123456"}),
    )
    .await;
    assert_eq!(error_code(&none), (404, Some("not_found")), "{none:?}");

    let app = register(&server, "ada").await;
    assert_eq!(
        methods(&server, "ada").await,
        json!([
            "AUTHENTICATION_METHOD_TYPE_PASSWORD",
            "AUTHENTICATION_METHOD_TYPE_TOTP"
        ])
    );
    let again = call(&server, USERS, "RegisterTOTP", json!({"userId": "ada"})).await;
    assert_eq!(
        error_code(&again),
        (409, Some("already_exists")),
        "{again:?}"
    );

    // User + password, then the code on the same session.
    let created = ok(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"checks": {"user": {"userId": "ada"}, "password": {"password": "Password1!"}}}),
    )
    .await;
    let session_id = created["sessionId"].as_str().unwrap().to_owned();
    let token = created["sessionToken"].as_str().unwrap().to_owned();
    let code = app.code();
    let set = ok(
        &server,
        SESSIONS,
        "SetSession",
        json!({"sessionId": session_id, "sessionToken": token, "checks": {"totp": {"code": code}}}),
    )
    .await;
    let token = set["sessionToken"].as_str().unwrap().to_owned();
    let got = ok(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": session_id}),
    )
    .await;
    let factors = &got["session"]["factors"];
    assert!(factors["totp"]["verifiedAt"].as_str().is_some(), "{got}");
    assert!(
        factors["password"]["verifiedAt"].as_str().is_some(),
        "{got}"
    );

    // The same step is not accepted twice (failure 1), wrong codes count too (2, then 3: locked).
    let set_totp = |code: String, token: String| {
        let session_id = session_id.clone();
        let server = &server;
        async move {
            call(
                server,
                SESSIONS,
                "SetSession",
                json!({"sessionId": session_id, "sessionToken": token, "checks": {"totp": {"code": code}}}),
            )
            .await
        }
    };
    let replay = set_totp(code.clone(), token.clone()).await;
    assert_eq!(
        error_code(&replay),
        (400, Some("invalid_argument")),
        "{replay:?}"
    );
    let wrong = set_totp(app.wrong_code(), token.clone()).await;
    assert_eq!(
        error_code(&wrong),
        (400, Some("invalid_argument")),
        "{wrong:?}"
    );
    let user = ok(&server, USERS, "GetUserByID", json!({"userId": "ada"})).await;
    assert_eq!(user["user"]["state"], "USER_STATE_ACTIVE", "{user}");
    let locking = set_totp(app.wrong_code(), token.clone()).await;
    assert_eq!(
        error_code(&locking),
        (400, Some("invalid_argument")),
        "{locking:?}"
    );
    let user = ok(&server, USERS, "GetUserByID", json!({"userId": "ada"})).await;
    assert_eq!(user["user"]["state"], "USER_STATE_LOCKED", "{user}");
    let locked = set_totp(app.code(), token.clone()).await;
    assert_eq!(
        error_code(&locked),
        (400, Some("failed_precondition")),
        "{locked:?}"
    );

    // A session without a verified generator cannot check a code; removal ends TOTP.
    ok(&server, USERS, "RemoveTOTP", json!({"userId": "ada"})).await;
    assert_eq!(
        methods(&server, "ada").await,
        json!(["AUTHENTICATION_METHOD_TYPE_PASSWORD"])
    );
    let removed = call(&server, USERS, "RemoveTOTP", json!({"userId": "ada"})).await;
    assert_eq!(
        error_code(&removed),
        (404, Some("not_found")),
        "{removed:?}"
    );
}

fn authorize_url(client_id: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code\
         &scope=openid%20profile&state=xyz&nonce=n-1\
         &code_challenge={challenge}&code_challenge_method=S256",
        urlencode(client_id)
    )
}

/// Submits the TOTP page of a login in progress.
async fn submit_code(browser: &mut Browser, page: &str, code: &str) -> reqwest::Response {
    assert!(page.contains("id=\"code\""), "{page}");
    let auth_request = hidden(page, "authRequest");
    let csrf = hidden(page, "csrf");
    browser
        .post(
            "/ui/login/totp",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("code", code),
            ],
        )
        .await
}

async fn id_token_claims(server: &Server, client: (&str, &str), code: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .basic_auth(client.0, Some(client.1))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "https://shop.test/cb"),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_hosted_login_asks_for_the_code_after_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, client_secret) = setup(&server).await;
    let app = register(&server, "ada").await;
    let password = "Secret-Passw0rd!";

    // Password → code page (no redirect yet); a wrong code → the generic error.
    let mut browser = Browser::new(&server);
    let page = log_in(&mut browser, &authorize_url(&client_id), "ada", password).await;
    assert!(!page.starts_with("https://shop.test"), "{page}");
    let wrong = submit_code(&mut browser, &page, &app.wrong_code()).await;
    assert_eq!(wrong.status(), 200);
    let wrong_page = wrong.text().await.unwrap();
    assert!(wrong_page.contains("The code is wrong."), "{wrong_page}");
    let code = app.code();
    let done = submit_code(&mut browser, &wrong_page, &code).await;
    assert_eq!(done.status(), 303);
    let callback = location(&done);
    assert!(callback.starts_with("https://shop.test/cb?"), "{callback}");
    assert_eq!(query_param(&callback, "state").as_deref(), Some("xyz"));
    let claims = id_token_claims(
        &server,
        (&client_id, &client_secret),
        &query_param(&callback, "code").unwrap(),
    )
    .await;
    let amr = claims["amr"].as_array().unwrap();
    for method in ["pwd", "otp", "mfa"] {
        assert!(amr.contains(&json!(method)), "{claims}");
    }

    // Another login with the code of the same step is refused.
    let mut other = Browser::new(&server);
    let page = log_in(&mut other, &authorize_url(&client_id), "ada", password).await;
    let replay = submit_code(&mut other, &page, &code).await;
    assert_eq!(replay.status(), 200);
    assert!(replay.text().await.unwrap().contains("The code is wrong."));

    // Forced MFA: a user without a second factor cannot finish the login.
    ok(
        &server,
        ADMIN_V1,
        "UpdateLoginPolicy",
        json!({"allowUsernamePassword": true, "forceMfa": true}),
    )
    .await;
    ok(
        &server,
        USERS,
        "CreateUser",
        json!({"userId": "bob", "username": "bob", "human": {
            "profile": {"givenName": "Bob", "familyName": "Builder"},
            "email": {"email": "bob@example.com", "isVerified": true},
            "password": {"password": {"password": password}}}}),
    )
    .await;
    let mut third = Browser::new(&server);
    let page = log_in(&mut third, &authorize_url(&client_id), "bob", password).await;
    assert!(page.contains("second factor"), "{page}");
    assert!(!page.contains("id=\"code\""), "{page}");
}

#[tokio::test]
async fn the_device_login_asks_for_the_code_after_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (shop_client, _) = setup(&server).await;
    let app = register(&server, "ada").await;
    let created = ok(
        &server,
        "zitadel.application.v2.ApplicationService",
        "CreateApplication",
        json!({"projectId": "shop", "name": "TV", "oidcConfiguration": {
            "redirectUris": ["https://tv.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_DEVICE_CODE"], "applicationType": "OIDC_APP_TYPE_NATIVE",
            "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE"}}),
    )
    .await;
    let client_id = created["oidcConfiguration"]["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, started) = server
        .oauth_post(
            "/oauth/v2/device_authorization",
            None,
            &[("client_id", client_id.as_str()), ("scope", "openid")],
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let user_code = started["user_code"].as_str().unwrap().to_owned();
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(&server);
    let page = browser.get("/device").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let page = browser
        .post(
            "/device",
            &[
                ("csrf", &csrf),
                ("userCode", &user_code),
                ("loginName", "ada"),
                ("password", "Secret-Passw0rd!"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    // The password alone does not reach the consent page.
    assert!(page.contains("action=\"/device/totp\""), "{page}");
    assert!(!page.contains("id=\"approve\""), "{page}");
    let submit = |code: String| {
        let (csrf, user_code) = (csrf.clone(), user_code.clone());
        (csrf, user_code, code)
    };
    let (c, u, wrong) = submit(app.wrong_code());
    let page = browser
        .post(
            "/device/totp",
            &[("csrf", &c), ("userCode", &u), ("code", &wrong)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The code is wrong."), "{page}");
    // The decision needs the code step: approving with the password-only session is refused.
    let early = browser
        .post(
            "/device/decide",
            &[
                ("csrf", &csrf),
                ("userCode", &user_code),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(early.status(), 400);
    // Nor does single sign-on accept that session for an auth request.
    let sso = browser.get(&authorize_url(&shop_client)).await;
    assert!(
        location(&sso).starts_with("/ui/login/login"),
        "{:?}",
        location(&sso)
    );
    let (c, u, code) = submit(app.code());
    let page = browser
        .post(
            "/device/totp",
            &[("csrf", &c), ("userCode", &u), ("code", &code)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"approve\""), "{page}");
    let done = browser
        .post(
            "/device/decide",
            &[
                ("csrf", &csrf),
                ("userCode", &user_code),
                ("decision", "approve"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("Device connected"), "{done}");
    let (status, tokens) = server
        .oauth_post(
            "/oauth/v2/token",
            None,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code.as_str()),
                ("client_id", client_id.as_str()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    let claims = castellan_jose::peek(tokens["id_token"].as_str().unwrap())
        .unwrap()
        .claims;
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(amr.contains(&"otp") && amr.contains(&"mfa"), "{claims}");
}
