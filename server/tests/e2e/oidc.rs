//! The OpenID Provider end to end: a confidential web client signs a user in through the hosted
//! login pages with code + PKCE, verifies the ID token against the JWKS, calls userinfo,
//! refreshes (rotation; reusing an old refresh token revokes the family), introspects and
//! revokes; a wrong redirect URI is never redirected to and a replayed code revokes its tokens.

// The test is the RP: it talks to the server directly, and reads the real clock to check token times.
#![allow(clippy::disallowed_methods)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::e2e::support::Server;

mod claims;
mod flows;
mod implicit;
mod login;
mod logout;
mod mail;
mod rp;

pub(super) const VERIFIER: &str = "a-code-verifier-that-is-long-enough-for-pkce-1234567890";

pub(super) struct Browser {
    http: reqwest::Client,
    base: String,
    host: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub(super) fn new(server: &Server) -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: server.base_url(),
            host: format!("localhost:{}", server.port),
            cookies: Vec::new(),
        }
    }

    fn remember(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(super) async fn get(&mut self, path_or_url: &str) -> reqwest::Response {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let response = self
            .http
            .get(url)
            .header("Host", &self.host)
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    pub(super) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Host", &self.host)
            .header("Cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }
}

pub(super) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub(super) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

pub(super) fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub(super) async fn token(
    server: &Server,
    client: (&str, &str),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/v2/token", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .basic_auth(client.0, Some(client.1))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(super) async fn introspect(server: &Server, client: (&str, &str), access_token: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/oauth/v2/introspect", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .basic_auth(client.0, Some(client.1))
        .form(&[("token", access_token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(super) async fn setup(server: &Server) -> (String, String) {
    let call = |service: &str, method: &str, body: Value| {
        let path = format!("/{service}/{method}");
        async move {
            server
                .raw(
                    reqwest::Method::POST,
                    &path,
                    &body.to_string(),
                    Some("application/json"),
                    Some(&server.token),
                )
                .await
        }
    };
    let (status, body) = call(
        "zitadel.user.v2.UserService",
        "CreateUser",
        json!({"userId": "ada", "username": "ada", "human": {
            "profile": {"givenName": "Ada", "familyName": "Lovelace"},
            "email": {"email": "ada@example.com", "isVerified": true},
            "password": {"password": "Secret-Passw0rd!"}}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, user) = call(
        "zitadel.user.v2.UserService",
        "GetUserByID",
        json!({"userId": "ada"}),
    )
    .await;
    let org = user["user"]["details"]["resourceOwner"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = call(
        "zitadel.project.v2.ProjectService",
        "CreateProject",
        json!({"organizationId": org, "name": "Shop", "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, app) = call(
        "zitadel.application.v2.ApplicationService",
        "CreateApplication",
        json!({"projectId": "shop", "name": "Web", "oidcConfiguration": {
            "redirectUris": ["https://shop.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
            "applicationType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}}),
    )
    .await;
    assert_eq!(status, 200, "{app}");
    (
        app["oidcConfiguration"]["clientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        app["oidcConfiguration"]["clientSecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Authorize → login name → password; returns the redirect to the client.
async fn sign_in(browser: &mut Browser, client_id: &str, password: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code\
         &scope=openid%20profile%20email%20offline_access&state=xyz&nonce=n-1\
         &code_challenge={challenge}&code_challenge_method=S256",
        urlencode(client_id)
    );
    log_in(browser, &authorize, "ada", password).await
}

/// Follows an authorize URL to the login pages and signs in; returns where the login redirects
/// (or the page's HTML when it does not).
pub(super) async fn log_in(
    browser: &mut Browser,
    authorize: &str,
    login_name: &str,
    password: &str,
) -> String {
    let response = browser.get(authorize).await;
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let login = location(&response);
    if !login.starts_with("/ui/login/") {
        // Single sign-on: the browser's session finished the request without a page.
        return login;
    }
    let page = browser.get(&login).await.text().await.unwrap();
    let auth_request = hidden(&page, "authRequest");
    let csrf = hidden(&page, "csrf");
    let page = browser
        .post(
            "/ui/login/login",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", login_name),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"password\""));
    let response = browser
        .post(
            "/ui/login/password",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", login_name),
                ("password", password),
            ],
        )
        .await;
    if response.status() == 303 {
        location(&response)
    } else {
        response.text().await.unwrap()
    }
}

pub(super) fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn code_flow_with_pkce_through_the_hosted_login() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, secret) = setup(&server).await;
    let client = (client_id.as_str(), secret.as_str());

    // A wrong redirect URI is never redirected to.
    let mut browser = Browser::new(&server);
    let response = browser
        .get(&format!(
            "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fevil.test%2Fcb&response_type=code&scope=openid",
            urlencode(&client_id)
        ))
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());

    // A wrong password shows the same message as an unknown user, and no code.
    let wrong = sign_in(&mut browser, &client_id, "nope").await;
    assert!(
        wrong.contains("The login name or password is wrong."),
        "{wrong}"
    );

    let callback = sign_in(&mut browser, &client_id, "Secret-Passw0rd!").await;
    assert!(callback.starts_with("https://shop.test/cb?"), "{callback}");
    assert_eq!(query_param(&callback, "state").as_deref(), Some("xyz"));
    let code = query_param(&callback, "code").unwrap();

    // PKCE mismatch fails; the right verifier works once.
    let exchange = |verifier: &'static str| {
        let code = code.clone();
        let server = &server;
        async move {
            token(
                server,
                client,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", "https://shop.test/cb"),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let (status, body) =
        exchange("a-wrong-verifier-that-is-long-enough-for-pkce-12345678901").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, tokens) = exchange(VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // The ID token verifies against the published keys.
    let jwks: Value = browser.get("/oauth/v2/keys").await.json().await.unwrap();
    let keys: Vec<castellan_jose::Jwk> = serde_json::from_value(jwks["keys"].clone()).unwrap();
    let issuer = format!("http://localhost:{}", server.port);
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let expect = castellan_jose::Expectations {
        issuer: Some(issuer.clone()),
        audience: Some(client_id.clone()),
        leeway: 60,
        ..castellan_jose::Expectations::at(now)
    };
    let claims =
        castellan_jose::verify_with_set(tokens["id_token"].as_str().unwrap(), &keys, &expect)
            .unwrap();
    assert_eq!(claims["sub"], "ada");
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["amr"], json!(["pwd"]));
    let discovery: Value = browser
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());

    // Userinfo answers the scopes' claims.
    let info: Value = reqwest::Client::new()
        .get(format!("{}/oidc/v1/userinfo", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], "ada");
    assert_eq!(info["email"], "ada@example.com");
    assert_eq!(info["given_name"], "Ada");

    // A replayed code fails and revokes what the code issued.
    let (status, _) = exchange(VERIFIER).await;
    assert_eq!(status, 400);
    assert_eq!(introspect(&server, client, &access).await["active"], false);

    // A fresh sign-in; refresh rotates; reusing the old refresh token revokes the family.
    let callback = sign_in(&mut browser, &client_id, "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = token(
        &server,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://shop.test/cb"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let first_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, rotated) = token(
        &server,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &first_refresh),
        ],
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let second_access = rotated["access_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated["refresh_token"].as_str().unwrap(), first_refresh);
    let active = introspect(&server, client, &second_access).await;
    assert_eq!(active["active"], true, "{active}");
    assert_eq!(active["sub"], "ada");
    let (status, reused) = token(
        &server,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &first_refresh),
        ],
    )
    .await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        introspect(&server, client, &second_access).await["active"],
        false
    );
    let (status, _) = token(
        &server,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rotated["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let _ = refresh;

    // Revocation of an access token takes effect at introspection at once.
    let callback = sign_in(&mut browser, &client_id, "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (_, tokens) = token(
        &server,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://shop.test/cb"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(&server, client, &access).await["active"], true);
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth/v2/revoke", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .basic_auth(client.0, Some(client.1))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(introspect(&server, client, &access).await["active"], false);
    // A wrong client secret is invalid_client with 401.
    let (status, body) = token(
        &server,
        (client.0, "wrong"),
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}
