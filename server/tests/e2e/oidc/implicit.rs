//! Implicit and hybrid flows and the form_post response mode: a single-page app configured for
//! `id_token token` signs in through the hosted login and gets its tokens in the fragment
//! (checked with the `openidconnect` crate: signature, nonce, at_hash); an `id_token` response
//! carries the user's claims; a hybrid web app gets a code and an ID token with c_hash and
//! exchanges the code; form_post answers with an auto-submitting page, also through
//! OIDCService.CreateCallback; and the refusals: a code-only app asking for tokens, a missing
//! nonce, tokens in the query.

#![allow(clippy::disallowed_methods)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AccessToken, AccessTokenHash, ClientId, CsrfToken, IssuerUrl, Nonce, RedirectUrl, Scope,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Browser, hidden, location, log_in, setup, token, urlencode};
use crate::e2e::support::Server;

const PASSWORD: &str = "Secret-Passw0rd!";

async fn create_app(server: &Server, name: &str, config: Value) -> (String, Option<String>) {
    let body = json!({"projectId": "shop", "name": name, "oidcConfiguration": config});
    let (status, app) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.application.v2.ApplicationService/CreateApplication",
            &body.to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 200, "{app}");
    let oidc = &app["oidcConfiguration"];
    (
        oidc["clientId"].as_str().unwrap().to_owned(),
        oidc["clientSecret"].as_str().map(str::to_owned),
    )
}

/// A single-page app: implicit only (`id_token token` and `id_token`), no secret.
async fn spa(server: &Server) -> String {
    create_app(
        server,
        "SPA",
        json!({"redirectUris": ["https://spa.test/cb"],
               "responseTypes": ["OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN", "OIDC_RESPONSE_TYPE_ID_TOKEN"],
               "grantTypes": ["OIDC_GRANT_TYPE_IMPLICIT", "OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
               "applicationType": "OIDC_APP_TYPE_USER_AGENT",
               "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE"}),
    )
    .await
    .0
}

/// A confidential web app allowing code and both implicit response types: every hybrid type.
async fn hybrid(server: &Server) -> (String, String) {
    let (id, secret) = create_app(
        server,
        "Hybrid",
        json!({"redirectUris": ["https://hybrid.test/cb"],
               "responseTypes": ["OIDC_RESPONSE_TYPE_CODE", "OIDC_RESPONSE_TYPE_ID_TOKEN",
                                 "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN"],
               "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_IMPLICIT"],
               "applicationType": "OIDC_APP_TYPE_WEB",
               "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC",
               "accessTokenType": "OIDC_TOKEN_TYPE_JWT"}),
    )
    .await;
    (id, secret.unwrap())
}

fn fragment(url: &str) -> Vec<(String, String)> {
    let parsed = url::Url::parse(url).unwrap();
    assert!(parsed.query().is_none(), "nothing in the query: {url}");
    url::form_urlencoded::parse(parsed.fragment().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn authorize(client_id: &str, redirect: &str, response_type: &str, extra: &str) -> String {
    format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri={}&response_type={}\
         &scope=openid%20profile%20email&state=st-1{extra}",
        urlencode(client_id),
        urlencode(redirect),
        urlencode(response_type)
    )
}

/// Verifies an ID token against the published keys; returns its claims.
async fn verify(browser: &mut Browser, server: &Server, id_token: &str, client_id: &str) -> Value {
    let jwks: Value = browser.get("/oauth/v2/keys").await.json().await.unwrap();
    let keys: Vec<castellan_jose::Jwk> = serde_json::from_value(jwks["keys"].clone()).unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let expect = castellan_jose::Expectations {
        issuer: Some(format!("http://localhost:{}", server.port)),
        audience: Some(client_id.to_owned()),
        leeway: 60,
        ..castellan_jose::Expectations::at(now)
    };
    castellan_jose::verify_with_set(id_token, &keys, &expect).unwrap()
}

/// The left half of the SHA-256 (the default key signs with RS256), base64url.
fn half_sha256(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(value.as_bytes())[..16])
}

#[tokio::test]
async fn an_implicit_spa_gets_its_tokens_in_the_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    setup(&server).await;
    let spa_id = spa(&server).await;
    let issuer = format!("http://localhost:{}", server.port);
    let mut browser = Browser::new(&server);

    let discovery: Value = browser
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    for value in ["id_token token", "code id_token"] {
        assert!(
            discovery["response_types_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(value))
        );
    }
    assert!(
        discovery["response_modes_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("form_post"))
    );
    assert!(
        discovery["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("implicit"))
    );

    // The openidconnect crate as the RP: implicit `id_token token`.
    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer).unwrap(), &http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(metadata, ClientId::new(spa_id.clone()), None)
        .set_redirect_uri(RedirectUrl::new("https://spa.test/cb".into()).unwrap());
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::Implicit(true),
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .url();
    let callback = log_in(&mut browser, url.as_str(), "ada", PASSWORD).await;
    assert!(callback.starts_with("https://spa.test/cb#"), "{callback}");
    let params = fragment(&callback);
    assert_eq!(get(&params, "state"), Some(csrf.secret().as_str()));
    assert_eq!(get(&params, "token_type"), Some("Bearer"));
    let expires_in: i64 = get(&params, "expires_in").unwrap().parse().unwrap();
    assert!(expires_in > 0);
    assert!(get(&params, "refresh_token").is_none());
    assert!(get(&params, "code").is_none());
    let access = get(&params, "access_token").unwrap().to_owned();
    let id_token: CoreIdToken = get(&params, "id_token").unwrap().parse().unwrap();
    let verifier = client
        .id_token_verifier()
        .set_other_audience_verifier_fn(|aud| aud.as_str() == "shop");
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "ada");
    let expected = AccessTokenHash::from_token(
        &AccessToken::new(access.clone()),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected));
    assert!(claims.auth_time().is_some());
    // Sent with an access token, the ID token leaves the user's claims to userinfo.
    assert!(claims.email().is_none());
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
    assert_eq!(info["email"], "ada@example.com", "{info}");

    // `id_token` alone (single sign-on now): the ID token carries the user's claims.
    let callback = log_in(
        &mut browser,
        &authorize(&spa_id, "https://spa.test/cb", "id_token", "&nonce=n-2"),
        "ada",
        PASSWORD,
    )
    .await;
    let params = fragment(&callback);
    assert!(get(&params, "access_token").is_none());
    let claims = verify(
        &mut browser,
        &server,
        get(&params, "id_token").unwrap(),
        &spa_id,
    )
    .await;
    assert_eq!(claims["nonce"], "n-2");
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["given_name"], "Ada");
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert!(claims.get("at_hash").is_none());
    assert!(claims["auth_time"].as_i64().is_some());

    // Refusals go to the registered redirect URI, in the fragment.
    let refused = |response_type: &str, extra: &str| {
        authorize(&spa_id, "https://spa.test/cb", response_type, extra)
    };
    let response = browser.get(&refused("id_token token", "")).await;
    assert_eq!(response.status(), 303);
    let params = fragment(&location(&response));
    assert_eq!(get(&params, "error"), Some("invalid_request"), "{params:?}");
    assert!(get(&params, "error_description").unwrap().contains("nonce"));
    assert_eq!(get(&params, "state"), Some("st-1"));
    let response = browser
        .get(&refused("id_token token", "&nonce=n&response_mode=query"))
        .await;
    let params = fragment(&location(&response));
    assert_eq!(get(&params, "error"), Some("invalid_request"), "{params:?}");
    assert!(get(&params, "error_description").unwrap().contains("query"));
    // The SPA is not configured for codes.
    let response = browser
        .get(&refused("code id_token", "&nonce=n&code_challenge=abc"))
        .await;
    let params = fragment(&location(&response));
    assert_eq!(get(&params, "error"), Some("unsupported_response_type"));
    // An unregistered redirect URI is never redirected to.
    let response = browser
        .get(&authorize(
            &spa_id,
            "https://evil.test/cb",
            "id_token token",
            "&nonce=n",
        ))
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn hybrid_code_id_token_then_the_code_exchange_and_refusals_for_code_only_apps() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (shop_id, _) = setup(&server).await;
    let (hybrid_id, secret) = hybrid(&server).await;
    let mut browser = Browser::new(&server);

    // A code-only app asking for tokens: unsupported_response_type at its redirect URI.
    let response = browser
        .get(&authorize(
            &shop_id,
            "https://shop.test/cb",
            "id_token token",
            "&nonce=n",
        ))
        .await;
    assert_eq!(response.status(), 303);
    let target = location(&response);
    assert!(target.starts_with("https://shop.test/cb#"), "{target}");
    let params = fragment(&target);
    assert_eq!(get(&params, "error"), Some("unsupported_response_type"));
    assert_eq!(get(&params, "state"), Some("st-1"));

    let callback = log_in(
        &mut browser,
        &authorize(
            &hybrid_id,
            "https://hybrid.test/cb",
            "code id_token",
            "&nonce=n-h",
        ),
        "ada",
        PASSWORD,
    )
    .await;
    assert!(
        callback.starts_with("https://hybrid.test/cb#"),
        "{callback}"
    );
    let params = fragment(&callback);
    let code = get(&params, "code").unwrap().to_owned();
    assert!(get(&params, "access_token").is_none());
    let claims = verify(
        &mut browser,
        &server,
        get(&params, "id_token").unwrap(),
        &hybrid_id,
    )
    .await;
    assert_eq!(claims["nonce"], "n-h");
    assert_eq!(claims["c_hash"], half_sha256(&code).as_str());
    assert!(claims.get("at_hash").is_none());
    assert_eq!(claims["sub"], "ada");

    let (status, tokens) = token(
        &server,
        (&hybrid_id, &secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://hybrid.test/cb"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let exchanged = verify(
        &mut browser,
        &server,
        tokens["id_token"].as_str().unwrap(),
        &hybrid_id,
    )
    .await;
    assert_eq!(exchanged["sub"], "ada");
    assert_eq!(exchanged["nonce"], "n-h");
    assert_eq!(
        exchanged["at_hash"],
        half_sha256(tokens["access_token"].as_str().unwrap()).as_str()
    );

    // `code id_token token`: the JWT access token and both hashes.
    let callback = log_in(
        &mut browser,
        &authorize(
            &hybrid_id,
            "https://hybrid.test/cb",
            "code id_token token",
            "&nonce=n-3",
        ),
        "ada",
        PASSWORD,
    )
    .await;
    let params = fragment(&callback);
    let code = get(&params, "code").unwrap();
    let access = get(&params, "access_token").unwrap();
    assert_eq!(
        access.split('.').count(),
        3,
        "the app asks for JWT access tokens"
    );
    let claims = verify(
        &mut browser,
        &server,
        get(&params, "id_token").unwrap(),
        &hybrid_id,
    )
    .await;
    assert_eq!(claims["c_hash"], half_sha256(code).as_str());
    assert_eq!(claims["at_hash"], half_sha256(access).as_str());
}

#[tokio::test]
async fn form_post_answers_with_an_auto_submitting_form() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (shop_id, _) = setup(&server).await;
    let spa_id = spa(&server).await;
    let mut browser = Browser::new(&server);

    // The hosted login answers form_post with the page.
    let page = log_in(
        &mut browser,
        &authorize(
            &spa_id,
            "https://spa.test/cb",
            "id_token token",
            "&nonce=n-f&response_mode=form_post",
        ),
        "ada",
        PASSWORD,
    )
    .await;
    assert!(
        page.contains("<form method=\"post\" action=\"https://spa.test/cb\">"),
        "{page}"
    );
    assert!(page.contains("<noscript>"));
    assert_eq!(hidden(&page, "state"), "st-1");
    assert_eq!(hidden(&page, "token_type"), "Bearer");
    let access = hidden(&page, "access_token");
    let claims = verify(&mut browser, &server, &hidden(&page, "id_token"), &spa_id).await;
    assert_eq!(claims["nonce"], "n-f");
    assert_eq!(claims["at_hash"], half_sha256(&access).as_str());

    // With single sign-on the authorization endpoint answers with the page itself; its headers
    // allow only the nonce'd script and the redirect URI's origin as the form target.
    let response = browser
        .get(&authorize(
            &shop_id,
            "https://shop.test/cb",
            "code",
            "&response_mode=form_post&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        ))
        .await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("form-action https://shop.test;"), "{csp}");
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    let script_nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(page.contains(&format!("<script nonce=\"{script_nonce}\">")));
    assert!(!hidden(&page, "code").is_empty());
    assert!(!page.contains("name=\"access_token\""));

    // A custom login UI (CreateCallback) gets a link to Castellan's form_post page.
    let response = browser
        .get(&authorize(
            &spa_id,
            "https://spa.test/cb",
            "id_token",
            "&nonce=n-v2&response_mode=form_post&prompt=login",
        ))
        .await;
    let login = location(&response);
    let auth_request = login.split("authRequest=").nth(1).unwrap().to_owned();
    let call = |method: &str, body: Value, token: String| {
        let path = format!("/zitadel.{method}");
        let server = &server;
        async move {
            server
                .raw(
                    reqwest::Method::POST,
                    &path,
                    &body.to_string(),
                    Some("application/json"),
                    Some(&token),
                )
                .await
        }
    };
    // The login UI's machine user, with ZITADEL's IAM_LOGIN_CLIENT role.
    let admin = server.token.clone();
    let (status, body) = call(
        "user.v2.UserService/CreateUser",
        json!({"userId": "login", "username": "login", "machine": {"name": "Login UI"}}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, pat) = call(
        "user.v2.UserService/AddPersonalAccessToken",
        json!({"userId": "login", "expirationDate": "2099-01-01T00:00:00Z"}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, 200, "{pat}");
    let (status, body) = call(
        "internal_permission.v2.InternalPermissionService/CreateAdministrator",
        json!({"userId": "login", "resource": {"instance": true}, "roles": ["IAM_LOGIN_CLIENT"]}),
        admin,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let login_ui = pat["token"].as_str().unwrap().to_owned();
    let (status, session) = call(
        "session.v2.SessionService/CreateSession",
        json!({"checks": {"user": {"userId": "ada"}, "password": {"password": PASSWORD}}}),
        login_ui.clone(),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    let (status, callback) = call(
        "oidc.v2.OIDCService/CreateCallback",
        json!({"authRequestId": format!("V2_{auth_request}"), "session": {
            "sessionId": session["sessionId"], "sessionToken": session["sessionToken"]}}),
        login_ui,
    )
    .await;
    assert_eq!(status, 200, "{callback}");
    let link = callback["callbackUrl"].as_str().unwrap();
    let prefix = format!(
        "http://localhost:{}/oauth/v2/authorize/form_post?ticket=",
        server.port
    );
    assert!(link.starts_with(&prefix), "{link}");
    assert!(!link.contains("id_token"), "the response is sealed: {link}");
    let page = browser.get(link).await.text().await.unwrap();
    assert!(page.contains("action=\"https://spa.test/cb\""), "{page}");
    let claims = verify(&mut browser, &server, &hidden(&page, "id_token"), &spa_id).await;
    assert_eq!(claims["nonce"], "n-v2");
    assert_eq!(claims["email"], "ada@example.com");
    // A tampered ticket is refused.
    let response = browser.get(&format!("{link}x")).await;
    assert_eq!(response.status(), 400);
}
