//! Back-channel logout delivery, token exchange and the device flow, end to end.
// The test plays the RP: its own HTTP client and the real clock.
#![allow(clippy::disallowed_methods)]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{Browser, hidden, location, log_in, query_param};
use crate::e2e::support::Server;

const APPS: &str = "zitadel.application.v2.ApplicationService";

/// A second app on the project `shop` (created by `super::setup`).
async fn app(server: &Server, name: &str, config: Value) -> (String, String) {
    let app = server
        .admin_ok(
            APPS,
            "CreateApplication",
            json!({"projectId": "shop", "name": name, "oidcConfiguration": config}),
        )
        .await;
    (
        app["oidcConfiguration"]["clientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        app["oidcConfiguration"]["clientSecret"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// An HTTP endpoint that records the forms POSTed to it.
async fn receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = received.clone();
    let router = axum::Router::new().route(
        "/bcl",
        axum::routing::post(move |body: String| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (port, received)
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[tokio::test]
async fn logout_reaches_the_client_by_back_channel_and_revokes_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8")],
    )
    .await;
    super::setup(&server).await;
    let (bcl_port, received) = receiver().await;
    let (client_id, secret) = app(
        &server,
        "Back channel",
        json!({"redirectUris": ["https://bc.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
               "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
               "postLogoutRedirectUris": ["https://bc.test/bye"],
               "backChannelLogoutUri": format!("http://127.0.0.1:{bcl_port}/bcl"),
               "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}),
    )
    .await;
    let mut browser = Browser::new(&server);
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fbc.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    let callback = log_in(&mut browser, &authorize, "ada", "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = server
        .oauth_post(
            "/oauth/v2/token",
            Some((&client_id, &secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://bc.test/cb"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let sid = {
        let keys: Value = browser.get("/oauth/v2/keys").await.json().await.unwrap();
        let keys: Vec<castellan_jose::Jwk> = serde_json::from_value(keys["keys"].clone()).unwrap();
        let claims = castellan_jose::verify_with_set(
            tokens["id_token"].as_str().unwrap(),
            &keys,
            &castellan_jose::Expectations::at(now()),
        )
        .unwrap();
        claims["sid"].as_str().unwrap().to_owned()
    };

    let response = browser
        .get(&format!(
            "/oidc/v1/end_session?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fbc.test%2Fbye&state=s1",
            super::urlencode(&client_id)
        ))
        .await;
    assert_eq!(location(&response), "https://bc.test/bye?state=s1");
    // The delivery is asynchronous: wait (bounded) for the RP to receive it.
    let mut body = None;
    for _ in 0..100 {
        if let Some(first) = received.lock().unwrap().first().cloned() {
            body = Some(first);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let body = body.expect("no back-channel logout arrived");
    let token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let keys: Value = browser.get("/oauth/v2/keys").await.json().await.unwrap();
    let keys: Vec<castellan_jose::Jwk> = serde_json::from_value(keys["keys"].clone()).unwrap();
    let claims = castellan_jose::verify_with_set(
        &token,
        &keys,
        &castellan_jose::Expectations {
            audience: Some(client_id.clone()),
            ..castellan_jose::Expectations::at(now())
        },
    )
    .unwrap();
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["sub"], "ada");
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(claims.get("nonce").is_none());
    let (_, introspected) = server
        .oauth_post(
            "/oauth/v2/introspect",
            Some((&client_id, &secret)),
            &[("token", &access)],
        )
        .await;
    assert_eq!(introspected["active"], false);
}

#[tokio::test]
async fn token_exchange_and_the_device_flow() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    super::setup(&server).await;
    let (client_id, secret) = app(
        &server,
        "Exchanger",
        json!({"redirectUris": ["https://tx.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
               "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_TOKEN_EXCHANGE",
                              "OIDC_GRANT_TYPE_DEVICE_CODE"],
               "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}),
    )
    .await;
    let client = (client_id.as_str(), secret.as_str());

    // Device flow: pending until the user approves at /device, then tokens, once.
    let (status, started) = server
        .oauth_post(
            "/oauth/v2/device_authorization",
            Some(client),
            &[("scope", "openid profile")],
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let user_code = started["user_code"].as_str().unwrap().to_owned();
    assert!(
        started["verification_uri"]
            .as_str()
            .unwrap()
            .ends_with("/device")
    );
    let poll_form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code.as_str()),
    ];
    let poll = || server.oauth_post("/oauth/v2/token", Some(client), &poll_form);
    let (status, pending) = poll().await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let mut browser = Browser::new(&server);
    let page = browser.get("/device").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let consent = browser
        .post(
            "/device",
            &[
                ("csrf", &csrf),
                ("userCode", &user_code.to_lowercase()),
                ("loginName", "ada"),
                ("password", "Secret-Passw0rd!"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(consent.contains("id=\"approve\""), "{consent}");
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
    let (status, tokens) = poll().await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["id_token"].is_string());
    let (status, again) = poll().await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Token exchange: the device's access token for a new one of the same user.
    let subject = tokens["access_token"].as_str().unwrap();
    let (status, exchanged) = server
        .oauth_post(
            "/oauth/v2/token",
            Some(client),
            &[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("subject_token", subject),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{exchanged}");
    assert_eq!(
        exchanged["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    let new_token = exchanged["access_token"].as_str().unwrap();
    assert_ne!(new_token, subject);
    let (_, introspected) = server
        .oauth_post(
            "/oauth/v2/introspect",
            Some(client),
            &[("token", new_token)],
        )
        .await;
    assert_eq!(
        (
            introspected["active"].as_bool(),
            introspected["sub"].as_str()
        ),
        (Some(true), Some("ada"))
    );
    // ZITADEL's matrix: refresh tokens cannot be exchanged; a user id needs an actor token;
    // a scope beyond the subject token's is refused.
    for (token, kind) in [
        ("x", "urn:ietf:params:oauth:token-type:refresh_token"),
        ("ada", "urn:zitadel:params:oauth:token-type:user_id"),
    ] {
        let (status, body) = server
            .oauth_post(
                "/oauth/v2/token",
                Some(client),
                &[
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                    ),
                    ("subject_token", token),
                    ("subject_token_type", kind),
                ],
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{kind}"
        );
    }
    let (status, body) = server
        .oauth_post(
            "/oauth/v2/token",
            Some(client),
            &[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("subject_token", subject),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("scope", "openid email"),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    // An unknown subject token is invalid_grant.
    let (status, body) = server
        .oauth_post(
            "/oauth/v2/token",
            Some(client),
            &[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                (
                    "subject_token",
                    "123.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                ),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
