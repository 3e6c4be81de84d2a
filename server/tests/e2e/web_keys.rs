//! End-to-end tests of `zitadel.webkey.v2.WebKeyService`: keys are created initial, one is
//! active at a time, and only inactive keys can be deleted.

use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

const WEB_KEYS: &str = "zitadel.webkey.v2.WebKeyService";

async fn call(server: &Server, method: &str, body: Value) -> (u16, Value) {
    let token = server.token.clone();
    server
        .raw(
            reqwest::Method::POST,
            &format!("/{WEB_KEYS}/{method}"),
            &body.to_string(),
            Some("application/json"),
            Some(&token),
        )
        .await
}

async fn ok(server: &Server, method: &str, body: Value) -> Value {
    let (status, response) = call(server, method, body.clone()).await;
    assert_eq!(status, 200, "{method} {body}: {response}");
    response
}

async fn create(server: &Server, body: Value) -> String {
    let created = ok(server, "CreateWebKey", body).await;
    assert!(created["creationDate"].as_str().unwrap().ends_with('Z'));
    created["id"].as_str().unwrap().to_owned()
}

/// The listed key `id`, if any.
async fn key(server: &Server, id: &str) -> Option<Value> {
    let listed = ok(server, "ListWebKeys", json!({})).await;
    listed["webKeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["id"] == id)
        .cloned()
}

async fn state(server: &Server, id: &str) -> String {
    key(server, id).await.unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn code(response: &(u16, Value)) -> (u16, Option<&str>) {
    (response.0, response.1["code"].as_str())
}

#[tokio::test]
async fn web_keys_are_created_activated_and_deleted_in_zitadels_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;

    let a = create(&server, json!({"ed25519": {}})).await;
    let b = create(&server, json!({"ecdsa": {"curve": "ECDSA_CURVE_P384"}})).await;
    let c = create(&server, json!({})).await;
    let listed = key(&server, &a).await.unwrap();
    assert_eq!(listed["state"], "STATE_INITIAL");
    assert_eq!(listed["ed25519"], json!({}));
    assert!(listed["creationDate"].is_string() && listed["changeDate"].is_string());
    assert!(listed.get("rsa").is_none());
    assert_eq!(
        key(&server, &b).await.unwrap()["ecdsa"]["curve"],
        "ECDSA_CURVE_P384"
    );
    assert_eq!(
        key(&server, &c).await.unwrap()["rsa"],
        json!({"bits": "RSA_BITS_2048", "hasher": "RSA_HASHER_SHA256"})
    );

    // An initial key cannot be deleted.
    let refused = call(&server, "DeleteWebKey", json!({"id": a})).await;
    assert_eq!(
        code(&refused),
        (400, Some("failed_precondition")),
        "{}",
        refused.1
    );

    // Activating B makes A (active until then) inactive.
    let activated = ok(&server, "ActivateWebKey", json!({"id": a})).await;
    assert!(activated["changeDate"].is_string());
    assert_eq!(state(&server, &a).await, "STATE_ACTIVE");
    ok(&server, "ActivateWebKey", json!({"id": b})).await;
    assert_eq!(state(&server, &a).await, "STATE_INACTIVE");
    assert_eq!(state(&server, &b).await, "STATE_ACTIVE");
    assert_eq!(state(&server, &c).await, "STATE_INITIAL");
    // Activating the active key again changes nothing.
    let again = ok(&server, "ActivateWebKey", json!({"id": b})).await;
    assert!(again.get("changeDate").is_none(), "{again}");

    // The active key cannot be deleted; the inactive one can (over REST too).
    let refused = call(&server, "DeleteWebKey", json!({"id": b})).await;
    assert_eq!(
        code(&refused),
        (400, Some("failed_precondition")),
        "{}",
        refused.1
    );
    let (status, deleted) = server
        .rest(reqwest::Method::DELETE, &format!("/v2/web_keys/{a}"), None)
        .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletionDate"].is_string(), "{deleted}");
    assert!(key(&server, &a).await.is_none());
    // Deleting an unknown key reaches the desired state: success without a date.
    let unknown = ok(&server, "DeleteWebKey", json!({"id": a})).await;
    assert!(unknown.get("deletionDate").is_none(), "{unknown}");
    let (status, listed) = server
        .rest(reqwest::Method::GET, "/v2/web_keys", None)
        .await;
    assert_eq!(status, 200, "{listed}");
    assert!(listed["webKeys"].as_array().unwrap().len() >= 2);

    // Bad input writes nothing.
    let before = probe.head().await;
    let cases = [
        (
            "CreateWebKey",
            json!({"ecdsa": {"curve": "ECDSA_CURVE_P512"}}),
            400,
            "invalid_argument",
        ),
        (
            "CreateWebKey",
            json!({"rsa": {}, "ed25519": {}}),
            400,
            "invalid_argument",
        ),
        (
            "CreateWebKey",
            json!({"rsa": {"bits": "RSA_BITS_1024"}}),
            400,
            "invalid_argument",
        ),
        (
            "ActivateWebKey",
            json!({"id": "no-such-key"}),
            404,
            "not_found",
        ),
        ("ActivateWebKey", json!({}), 400, "invalid_argument"),
        ("DeleteWebKey", json!({"id": ""}), 400, "invalid_argument"),
    ];
    for (method, body, status, expected) in cases {
        let answer = call(&server, method, body.clone()).await;
        assert_eq!(
            code(&answer),
            (status, Some(expected)),
            "{method} {body}: {}",
            answer.1
        );
    }
    assert_eq!(probe.head().await, before, "a refused call wrote");

    // Without iam.web_key.* permissions: denied.
    let (status, denied) = server
        .raw(
            reqwest::Method::POST,
            &format!("/{WEB_KEYS}/ListWebKeys"),
            "{}",
            Some("application/json"),
            Some("not-a-token"),
        )
        .await;
    assert_eq!(status, 401, "{denied}");
}
