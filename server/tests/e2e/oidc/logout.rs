//! Logout beyond the logout endpoint: the Session API's DeleteSession ends the session's grants
//! and logs their clients out by back channel, and a back-channel logout the client could not
//! take reaches it later, also across a restart of Castellan.
// The test plays the RP: its own HTTP client and the real clock.
#![allow(clippy::disallowed_methods)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::{Browser, introspect, location, log_in, query_param, token};
use castellan_writer::ledger::{EventFilter, Ledger as _};

use crate::e2e::support::{LedgerProbe, Server, free_port};

type Received = Arc<Mutex<Vec<String>>>;

/// An RP endpoint on `port` that records the forms POSTed to `/bcl`.
async fn receiver(port: u16) -> Received {
    let received: Received = Arc::default();
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
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    received
}

/// An app on `shop` with a back-channel logout URI on `port`.
async fn app(server: &Server, port: u16) -> (String, String) {
    let app = server
        .admin_ok(
            "zitadel.application.v2.ApplicationService",
            "CreateApplication",
            json!({"projectId": "shop", "name": "Logged out", "oidcConfiguration": {
                "redirectUris": ["https://bc.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                "postLogoutRedirectUris": ["https://bc.test/bye"],
                "backChannelLogoutUri": format!("http://127.0.0.1:{port}/bcl"),
                "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}}),
        )
        .await;
    let config = &app["oidcConfiguration"];
    (
        config["clientId"].as_str().unwrap().to_owned(),
        config["clientSecret"].as_str().unwrap().to_owned(),
    )
}

/// Signs in and exchanges the code: (tokens, the login session id from the ID token).
async fn sign_in(server: &Server, browser: &mut Browser, client: (&str, &str)) -> (Value, String) {
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fbc.test%2Fcb&response_type=code&scope=openid%20offline_access",
        super::urlencode(client.0)
    );
    let callback = log_in(browser, &authorize, "ada", "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = token(
        server,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://bc.test/cb"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let sid = claims(tokens["id_token"].as_str().unwrap())["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    (tokens, sid)
}

fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Waits (bounded) for the RP to receive a logout token; returns its claims.
async fn logout_token(received: &Received, within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(body) = received.lock().unwrap().first().cloned() {
            let token = url::form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "logout_token")
                .map(|(_, v)| v.into_owned())
                .unwrap();
            return claims(&token);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no back-channel logout arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The payloads of the logout events of `event_type` in the ledger.
async fn logout_events(dir: &std::path::Path, event_type: &str) -> Vec<Value> {
    let probe = LedgerProbe::open(dir).await;
    let filter = EventFilter {
        event_types: vec![format!("oidc_session.backchannel_logout.{event_type}")],
        ..EventFilter::default()
    };
    probe
        .ledger
        .read(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.payload)
        .collect()
}

const ALLOW_LOCAL: (&str, &str) = ("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8");

#[tokio::test]
async fn delete_session_ends_its_grants_and_logs_the_client_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[ALLOW_LOCAL]).await;
    super::setup(&server).await;
    let port = free_port();
    let received = receiver(port).await;
    let (client_id, secret) = app(&server, port).await;
    let client = (client_id.as_str(), secret.as_str());
    let mut browser = Browser::new(&server);
    let (tokens, sid) = sign_in(&server, &mut browser, client).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(introspect(&server, client, access).await["active"], true);

    let (status, body) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.session.v2.SessionService/DeleteSession",
            &json!({"sessionId": sid}).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(introspect(&server, client, access).await["active"], false);
    assert_eq!(introspect(&server, client, refresh).await["active"], false);
    let (status, refused) = token(
        &server,
        client,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"], "invalid_grant");
    let logout = logout_token(&received, Duration::from_secs(10)).await;
    assert_eq!(logout["sid"], sid.as_str());
    assert_eq!(logout["sub"], "ada");
    assert_eq!(logout["aud"], client_id.as_str());
    assert_eq!(logout["iss"], format!("http://localhost:{}", server.port));
}

#[tokio::test]
async fn a_logout_the_client_missed_reaches_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[ALLOW_LOCAL]).await;
    super::setup(&server).await;
    // The RP's endpoint is down: nothing listens on its port yet.
    let port = free_port();
    let (client_id, secret) = app(&server, port).await;
    let client = (client_id.as_str(), secret.as_str());
    let mut browser = Browser::new(&server);
    let (tokens, sid) = sign_in(&server, &mut browser, client).await;
    let issuer = format!("http://localhost:{}", server.port);
    let response = browser
        .get(&format!(
            "/oidc/v1/end_session?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fbc.test%2Fbye",
            super::urlencode(&client_id)
        ))
        .await;
    assert_eq!(location(&response), "https://bc.test/bye");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(introspect(&server, client, access).await["active"], false);
    // Let a couple of deliveries fail, then restart Castellan with the logout still pending.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let server = server.restart().await;
    let received = receiver(port).await;
    let logout = logout_token(&received, Duration::from_secs(20)).await;
    assert_eq!(logout["sid"], sid.as_str());
    assert_eq!(logout["aud"], client_id.as_str());
    assert_eq!(logout["iss"], issuer.as_str());
    // Delivered once: settled in the ledger, not sent again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(received.lock().unwrap().len(), 1);
    assert_eq!(logout_events(dir.path(), "requested").await.len(), 1);
    let delivered = logout_events(dir.path(), "delivered").await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(logout_events(dir.path(), "failed").await.is_empty());
    drop(server);
}

#[tokio::test]
async fn a_logout_past_the_attempt_bound_is_recorded_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ALLOW_LOCAL,
            ("CASTELLAN_BACKCHANNEL_MAXATTEMPTS", "3"),
            ("CASTELLAN_BACKCHANNEL_FIRSTRETRYMILLIS", "100"),
        ],
    )
    .await;
    super::setup(&server).await;
    let port = free_port();
    let (client_id, secret) = app(&server, port).await;
    let mut browser = Browser::new(&server);
    sign_in(&server, &mut browser, (&client_id, &secret)).await;
    browser
        .get(&format!(
            "/oidc/v1/end_session?client_id={}",
            super::urlencode(&client_id)
        ))
        .await;
    // Attempts at 0, 0.1 and 0.3 s; then it gives up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let failed = logout_events(dir.path(), "failed").await;
        if !failed.is_empty() || tokio::time::Instant::now() > deadline {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(failed.len(), 1, "the failure was not recorded");
    assert_eq!(failed[0]["attempts"], 3);
    assert!(
        failed[0]["error"].as_str().unwrap().contains("refused"),
        "{failed:?}"
    );
    // Given up for good: an RP that comes up later gets nothing.
    let received = receiver(port).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(received.lock().unwrap().is_empty());
    assert!(logout_events(dir.path(), "delivered").await.is_empty());
}
