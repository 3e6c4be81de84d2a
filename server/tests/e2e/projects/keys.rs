//! Application keys: generated RSA key pairs, the private key returned once.

use base64::Engine;
use castellan_writer::ledger::{EventFilter, Ledger};
use serde_json::{Value, json};

use super::{add_org, app, code, project, total};
use crate::e2e::support::{LedgerProbe, Server};

#[tokio::test]
async fn application_keys_through_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    let (status, _) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Shop", "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, jwt) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "Backend", "applicationId": "backend",
               "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}),
    )
    .await;
    assert_eq!(status, 200, "{jwt}");
    let client_id = jwt["apiConfiguration"]["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "Basic", "applicationId": "basic", "apiConfiguration": {}}),
    )
    .await;
    assert_eq!(status, 200);

    let before = probe.head().await;
    for (body, expected) in [
        (
            json!({"applicationId": "basic"}),
            (400, Some("failed_precondition")),
        ),
        (
            json!({"applicationId": "backend", "expirationDate": "2001-01-01T00:00:00Z"}),
            (400, Some("invalid_argument")),
        ),
        (
            json!({"applicationId": "backend", "expirationDate": "not a date"}),
            (400, Some("invalid_argument")),
        ),
        (json!({"applicationId": "nope"}), (404, Some("not_found"))),
        (
            json!({"applicationId": "backend", "projectId": "other"}),
            (404, Some("not_found")),
        ),
    ] {
        let answer = app(&server, "CreateApplicationKey", body.clone()).await;
        assert_eq!(code(&answer), expected, "{body}: {}", answer.1);
    }
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    let (status, created) = app(
        &server,
        "CreateApplicationKey",
        json!({"applicationId": "backend", "projectId": "shop", "expirationDate": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let key_id = created["keyId"].as_str().unwrap().to_owned();
    assert!(created["creationDate"].is_string());
    let details = base64::engine::general_purpose::STANDARD
        .decode(created["keyDetails"].as_str().unwrap())
        .unwrap();
    let file: Value = serde_json::from_slice(&details).unwrap();
    assert_eq!(file["type"], "application");
    assert_eq!(file["keyId"], key_id.as_str());
    assert_eq!(file["appId"], "backend");
    assert_eq!(file["clientId"], client_id.as_str());
    let private_key = file["key"].as_str().unwrap();
    assert!(private_key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    // Only the public key is kept.
    let events = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["project".into()],
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let stored =
        serde_json::to_string(&events.iter().map(|e| &e.payload).collect::<Vec<_>>()).unwrap();
    assert!(stored.contains("BEGIN PUBLIC KEY"));
    assert!(!stored.contains("PRIVATE KEY"));

    let (status, got) = app(&server, "GetApplicationKey", json!({"keyId": key_id})).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["keyId"], key_id.as_str());
    assert_eq!(got["expirationDate"], "2999-01-01T00:00:00Z");
    let (status, second) = app(
        &server,
        "CreateApplicationKey",
        json!({"applicationId": "backend"}),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let (_, got) = app(
        &server,
        "GetApplicationKey",
        json!({"keyId": second["keyId"]}),
    )
    .await;
    assert!(got.get("expirationDate").is_none(), "no expiration: {got}");
    assert_eq!(
        app(&server, "GetApplicationKey", json!({"keyId": "nope"}))
            .await
            .0,
        404
    );

    let (_, listed) = app(
        &server,
        "ListApplicationKeys",
        json!({"filters": [{"applicationIdFilter": {"applicationId": "backend"}}]}),
    )
    .await;
    assert_eq!(total(&listed), 2, "{listed}");
    assert_eq!(listed["keys"][0]["keyId"], key_id.as_str());
    assert_eq!(listed["keys"][0]["organizationId"], "acme");
    assert_eq!(listed["keys"][0]["projectId"], "shop");
    let (_, none) = app(
        &server,
        "ListApplicationKeys",
        json!({"filters": [{"projectIdFilter": {"projectId": "other"}}]}),
    )
    .await;
    assert_eq!(total(&none), 0);

    let (status, deleted) = app(
        &server,
        "DeleteApplicationKey",
        json!({"keyId": key_id, "applicationId": "backend", "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletionDate"].is_string());
    assert_eq!(
        app(&server, "GetApplicationKey", json!({"keyId": key_id}))
            .await
            .0,
        404
    );
    let again = app(&server, "DeleteApplicationKey", json!({"keyId": key_id})).await;
    assert_eq!(code(&again), (404, Some("not_found")));

    // Deleting the application deletes its remaining key.
    let (status, _) = app(
        &server,
        "DeleteApplication",
        json!({"applicationId": "backend"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, listed) = app(&server, "ListApplicationKeys", json!({})).await;
    assert_eq!(total(&listed), 0, "{listed}");
    server.stop();
}
