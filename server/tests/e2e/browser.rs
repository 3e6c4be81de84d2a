//! The hosted login in a real headless Chromium, driven through WebDriver: code + PKCE from the
//! authorize endpoint through the login name and password pages back to the relying party's
//! redirect URI, then the code exchanged for tokens. A wrong password, an unknown login name and a
//! locked user all get the same answer; the forms refuse a post without the CSRF cookie.
//!
//! Needs `CASTELLAN_TEST_CHROMEDRIVER` and `CASTELLAN_TEST_CHROMIUM` (scripts/test sets them
//! through infra/browser-env); without them the test fails rather than passing unseen.

// The test is the browser's relying party and a plain HTTP client of the login: it talks to the
// server directly.
#![allow(clippy::disallowed_methods)]

mod driver;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fantoccini::Client;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use self::driver::{Callback, Chromedriver, element, fill_and_submit};
use crate::e2e::support::Server;

const VERIFIER: &str = "a-browser-code-verifier-long-enough-for-pkce-0123456789";
const PASSWORD: &str = "Secret-Passw0rd!";
const WRONG: &str = "The login name or password is wrong.";

/// User `ada` with a password, project `shop` and a confidential web app redirecting to
/// `redirect_uri` (http: development mode). Returns the client id and secret.
async fn setup(server: &Server, redirect_uri: &str) -> (String, String) {
    const USERS: &str = "zitadel.user.v2.UserService";
    server
        .admin_ok(
            USERS,
            "CreateUser",
            json!({"userId": "ada", "username": "ada", "human": {
            "profile": {"givenName": "Ada", "familyName": "Lovelace"},
            "email": {"email": "ada@example.com", "isVerified": true},
            "password": {"password": PASSWORD}}}),
        )
        .await;
    let user = server
        .admin_ok(USERS, "GetUserByID", json!({"userId": "ada"}))
        .await;
    let org = user["user"]["details"]["resourceOwner"].as_str().unwrap();
    server
        .admin_ok(
            "zitadel.project.v2.ProjectService",
            "CreateProject",
            json!({"organizationId": org, "name": "Shop", "projectId": "shop"}),
        )
        .await;
    let app = server
        .admin_ok(
            "zitadel.application.v2.ApplicationService",
            "CreateApplication",
            json!({"projectId": "shop", "name": "Web", "oidcConfiguration": {
            "redirectUris": [redirect_uri], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
            "applicationType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC",
            "developmentMode": true}}),
        )
        .await;
    let config = &app["oidcConfiguration"];
    (
        config["clientId"].as_str().unwrap().to_owned(),
        config["clientSecret"].as_str().unwrap().to_owned(),
    )
}

async fn user_state(server: &Server) -> String {
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": "ada"}),
        )
        .await;
    user["user"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The relying party and the server the browser signs in to.
struct Login<'a> {
    browser: &'a Client,
    server: &'a Server,
    callback: &'a Callback,
    client_id: &'a str,
}

impl Login<'_> {
    fn origin(&self) -> String {
        format!("http://localhost:{}", self.server.port)
    }

    /// Opens the authorize endpoint (code + PKCE S256) and waits for the login name page.
    async fn authorize(&self, state: &str) {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
        let url = format!(
            "{}/oauth/v2/authorize?client_id={}&redirect_uri={}&response_type=code\
             &scope=openid%20profile%20email&state={state}&nonce=n-{state}\
             &code_challenge={challenge}&code_challenge_method=S256",
            self.origin(),
            encode(self.client_id),
            encode(&self.callback.redirect_uri()),
        );
        self.browser.goto(&url).await.unwrap();
        element(self.browser, "#loginName").await;
    }

    /// From the login name page: the login name, then the password.
    async fn sign_in(&self, login_name: &str, password: &str) {
        fill_and_submit(self.browser, "#loginName", login_name).await;
        fill_and_submit(self.browser, "#password", password).await;
    }

    /// The page shows the generic error, on the login's own password page, and the relying
    /// party has not been called.
    async fn assert_refused(&self, calls_before: usize) {
        let error = element(self.browser, "#error").await.text().await.unwrap();
        assert_eq!(error, WRONG);
        let url = self.browser.current_url().await.unwrap();
        assert_eq!(url.origin().ascii_serialization(), self.origin());
        assert_eq!(url.path(), "/ui/login/password");
        element(self.browser, "#password").await;
        assert_eq!(self.callback.received().len(), calls_before);
    }

    /// The browser is on the relying party's page with a code for `state`; returns the code.
    async fn assert_signed_in(&self, state: &str) -> String {
        let text = element(self.browser, "#signed-in")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(text, "signed in");
        let url = self.browser.current_url().await.unwrap();
        assert_eq!(url.host_str(), Some("shop.test"));
        assert_eq!(url.port(), Some(self.callback.port));
        assert_eq!(url.path(), "/cb");
        let query: std::collections::HashMap<String, String> =
            url.query_pairs().into_owned().collect();
        assert_eq!(query.get("state").map(String::as_str), Some(state));
        let code = query.get("code").cloned().unwrap_or_default();
        assert!(!code.is_empty(), "no code in {url}");
        // The relying party really received it.
        assert_eq!(self.callback.received().last(), Some(&query));
        code
    }
}

#[tokio::test]
async fn hosted_login_in_a_real_browser() {
    // Fail at once, before starting anything, when the browser is not configured.
    let driver = Chromedriver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let callback = Callback::start().await;
    let (client_id, secret) = setup(&server, &callback.redirect_uri()).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = driver.session(profile.path()).await;
    let login = Login {
        browser: &browser,
        server: &server,
        callback: &callback,
        client_id: &client_id,
    };

    // An unknown login name proceeds to the password page and is then refused.
    login.authorize("unknown").await;
    login.sign_in("nobody", PASSWORD).await;
    login.assert_refused(0).await;

    // A wrong password gets the very same answer.
    login.authorize("wrong").await;
    login.sign_in("ada", "not-the-password").await;
    login.assert_refused(0).await;

    // CSRF: the page's token is accepted only together with the browser's cookie.
    csrf(&login).await;

    // The full sign-in lands on the redirect URI with a code and the state.
    login.authorize("full").await;
    login.sign_in("ada", PASSWORD).await;
    let code = login.assert_signed_in("full").await;
    let tokens = exchange(&server, (&client_id, &secret), &callback, &code).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["sub"], "ada");
    let audience = &claims["aud"];
    assert!(
        audience == client_id.as_str()
            || audience
                .as_array()
                .is_some_and(|list| list.iter().any(|a| a == client_id.as_str())),
        "{claims}"
    );
    assert_eq!(claims["nonce"], "n-full");
    assert_eq!(claims["iss"], login.origin());

    // The browser is now signed in (single sign-on would skip the pages): start afresh.
    // (Cookies are deleted for the page's origin: go to Castellan's first.)
    browser
        .goto(&format!("{}/device", login.origin()))
        .await
        .unwrap();
    browser.delete_all_cookies().await.unwrap();

    // Two wrong passwords lock the user; the right one is then refused just the same.
    server
        .admin_ok(
            "zitadel.admin.v1.AdminService",
            "UpdateLockoutPolicy",
            json!({"maxPasswordAttempts": "2"}),
        )
        .await;
    let calls = callback.received().len();
    login.authorize("locked").await;
    login.sign_in("ada", "wrong-once").await;
    login.assert_refused(calls).await;
    assert_eq!(user_state(&server).await, "USER_STATE_ACTIVE");
    fill_and_submit(&browser, "#password", "wrong-twice").await;
    login.assert_refused(calls).await;
    fill_and_submit(&browser, "#password", PASSWORD).await;
    login.assert_refused(calls).await;
    assert_eq!(user_state(&server).await, "USER_STATE_LOCKED");

    // Unlocked, the same login request goes through with the right password.
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "UnlockUser",
            json!({"userId": "ada"}),
        )
        .await;
    assert_eq!(user_state(&server).await, "USER_STATE_ACTIVE");
    fill_and_submit(&browser, "#password", PASSWORD).await;
    let code = login.assert_signed_in("locked").await;
    let tokens = exchange(&server, (&client_id, &secret), &callback, &code).await;
    assert!(tokens["id_token"].is_string(), "{tokens}");

    browser.close().await.unwrap();
}

/// Exchanges a code (client_secret_basic, the PKCE verifier) and returns the token response.
async fn exchange(
    server: &Server,
    (client_id, secret): (&str, &str),
    callback: &Callback,
    code: &str,
) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &callback.redirect_uri()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");
    tokens
}

/// On the password page the browser shows: its form posted by another client with the page's
/// CSRF token is refused without the browser's CSRF cookie (and with a different one), and
/// accepted with it.
async fn csrf(login: &Login<'_>) {
    let field = |name: &'static str| async move {
        element(login.browser, &format!("input[name={name}]"))
            .await
            .attr("value")
            .await
            .unwrap()
            .unwrap_or_default()
    };
    let auth_request = field("authRequest").await;
    let token = field("csrf").await;
    let cookie = login
        .browser
        .get_named_cookie("castellan_csrf")
        .await
        .unwrap();
    assert_eq!(cookie.value(), token);
    let post = |cookie: Option<String>| {
        let form = [
            ("authRequest", auth_request.clone()),
            ("csrf", token.clone()),
            ("loginName", "nobody".to_owned()),
            ("password", "irrelevant".to_owned()),
        ];
        let server = login.server;
        async move {
            let mut request = reqwest::Client::new()
                .post(format!("{}/ui/login/password", server.base_url()))
                .header("Host", format!("localhost:{}", server.port))
                .form(&form);
            if let Some(cookie) = cookie {
                request = request.header("Cookie", cookie);
            }
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, _) = post(None).await;
    assert_eq!(status, 403);
    let (status, _) = post(Some("castellan_csrf=forged".to_owned())).await;
    assert_eq!(status, 403);
    let (status, page) = post(Some(format!("castellan_csrf={token}"))).await;
    assert_eq!(status, 200);
    assert!(page.contains(WRONG), "{page}");
}
