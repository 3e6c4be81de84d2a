//! Machine users and credentials: tokens, secrets, keys, imported password hashes, and callers
//! without permission.

use serde_json::{Value, json};

use super::{ada, call, call_as, fails, get_user, ok};
use crate::e2e::support::{LedgerProbe, Server};

#[tokio::test]
async fn machines_tokens_secrets_and_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let created = ok(
        &server,
        "CreateUser",
        json!({"userId": "robot-1", "machine": {"name": "Robot", "description": "builds"}}),
    )
    .await;
    assert_eq!(created["id"], "robot-1");
    let user = get_user(&server, "robot-1").await;
    // Without a username, a machine's username is its id.
    assert_eq!(user["username"], "robot-1");
    assert_eq!(user["machine"]["name"], "Robot");
    assert_eq!(user["machine"]["hasSecret"], false);
    assert_eq!(
        user["machine"]["accessTokenType"],
        "ACCESS_TOKEN_TYPE_BEARER"
    );
    fails(
        &server,
        &probe,
        "CreateUser",
        json!({"userId": "robot-2", "machine": {"name": "  "}}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "robot-1", "newPassword": {"password": "Password1!"}}),
        "failed_precondition",
    )
    .await;
    ok(
        &server,
        "UpdateUser",
        json!({"userId": "robot-1", "machine": {"description": "deploys"}}),
    )
    .await;
    assert_eq!(
        get_user(&server, "robot-1").await["machine"]["description"],
        "deploys"
    );

    // A token for the machine: it authenticates, but the machine holds no permission.
    let pat = ok(
        &server,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1", "expirationDate": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let token = pat["token"].as_str().unwrap().to_owned();
    let token_id = pat["tokenId"].as_str().unwrap().to_owned();
    fails(
        &server,
        &probe,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1", "expirationDate": "2001-01-01T00:00:00Z"}),
        "invalid_argument",
    )
    .await;
    let before = probe.head().await;
    let human = json!({"userId": "eve-1", "username": "eve",
        "human": {"profile": {"givenName": "Eve", "familyName": "E"},
                  "email": {"email": "eve@example.com"}}});
    let (status, denied) = call_as(&server, "CreateUser", human.clone(), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied")),
        "{denied}"
    );
    let (status, denied) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let (status, denied) =
        call_as(&server, "DeleteUser", json!({"userId": "robot-1"}), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied"))
    );
    assert_eq!(probe.head().await, before);

    let listed = ok(
        &server,
        "ListPersonalAccessTokens",
        json!({"filters": [{"userIdFilter": {"id": "robot-1"}}]}),
    )
    .await;
    assert_eq!(listed["pagination"]["totalResult"], "1");
    assert_eq!(listed["result"][0]["id"], token_id.as_str());
    assert_eq!(
        listed["result"][0]["expirationDate"],
        "2099-01-01T00:00:00Z"
    );

    // Secrets are returned once; the user shows that it has one.
    let secret = ok(&server, "AddSecret", json!({"userId": "robot-1"})).await;
    assert!(secret["clientSecret"].as_str().unwrap().len() >= 32);
    assert_eq!(
        get_user(&server, "robot-1").await["machine"]["hasSecret"],
        true
    );
    ok(&server, "RemoveSecret", json!({"userId": "robot-1"})).await;
    fails(
        &server,
        &probe,
        "RemoveSecret",
        json!({"userId": "robot-1"}),
        "not_found",
    )
    .await;

    // Metadata.
    let set = ok(
        &server,
        "SetUserMetadata",
        json!({"userId": "robot-1", "metadata": [{"key": "a", "value": "MQ=="},
                                                 {"key": "b", "value": "Mg=="}]}),
    )
    .await;
    assert!(set["setDate"].as_str().is_some());
    fails(
        &server,
        &probe,
        "SetUserMetadata",
        json!({"userId": "robot-1", "metadata": [{"key": "", "value": "MQ=="}]}),
        "invalid_argument",
    )
    .await;
    let page = ok(
        &server,
        "ListUserMetadata",
        json!({"userId": "robot-1", "pagination": {"limit": 1, "offset": "1"}}),
    )
    .await;
    assert_eq!(page["pagination"]["totalResult"], "2");
    assert_eq!(page["metadata"][0]["key"], "b");
    ok(
        &server,
        "DeleteUserMetadata",
        json!({"userId": "robot-1", "keys": ["a"]}),
    )
    .await;
    fails(
        &server,
        &probe,
        "DeleteUserMetadata",
        json!({"userId": "robot-1", "keys": ["a"]}),
        "not_found",
    )
    .await;

    // A deactivated or locked user's token does not authenticate, until the user is back.
    ok(&server, "DeactivateUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    ok(&server, "ReactivateUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 403);
    ok(&server, "LockUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    ok(&server, "UnlockUser", json!({"userId": "robot-1"})).await;

    // Removing the token revokes it.
    ok(
        &server,
        "RemovePersonalAccessToken",
        json!({"userId": "robot-1", "tokenId": token_id}),
    )
    .await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);

    // Deleting a machine revokes its tokens and frees its username.
    let pat = ok(
        &server,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1"}),
    )
    .await;
    let token = pat["token"].as_str().unwrap().to_owned();
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 403);
    ok(&server, "DeleteUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    let listed = ok(
        &server,
        "ListPersonalAccessTokens",
        json!({"filters": [{"userIdFilter": {"id": "robot-1"}}]}),
    )
    .await;
    assert_eq!(listed["result"], json!([]));
    ok(
        &server,
        "CreateUser",
        json!({"userId": "robot-3", "username": "robot-1", "machine": {"name": "Again"}}),
    )
    .await;
}

/// bcrypt of "Password1!" (cost 4), as another system would export it.
const BCRYPT_HASH: &str = "$2y$04$f2DG2EaWXFkaQhl6LHpRmes0NF1ZVLztsdzY8Rk126kRfWP8GEAU.";

#[tokio::test]
async fn imported_hashes_verify_and_secrets_are_never_stored_in_clear() {
    use castellan_writer::ledger::{EventFilter, Ledger};

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[("CASTELLAN_PASSWORDHASHER_MEMORYKIB", "8192")],
    )
    .await;
    let probe = LedgerProbe::open(dir.path()).await;
    let mut imported = ada();
    imported["userId"] = json!("imp-1");
    imported["human"]["password"] =
        json!({"hashedPassword": {"hash": BCRYPT_HASH, "changeRequired": false}});
    let created = ok(&server, "CreateUser", imported).await;
    let email_code = created["emailCode"].as_str().unwrap().to_owned();
    let mut unsupported = ada();
    unsupported["userId"] = json!("imp-2");
    unsupported["username"] = json!("imp2");
    unsupported["human"]["password"] = json!({"hashedPassword": {"hash": "md5$abc"}});
    fails(
        &server,
        &probe,
        "CreateUser",
        unsupported,
        "invalid_argument",
    )
    .await;

    // The imported bcrypt hash proves the current password.
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Password9!"}),
        "invalid_argument",
    )
    .await;
    ok(
        &server,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Password1!"}),
    )
    .await;
    ok(
        &server,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password3!"},
               "currentPassword": "Password2!"}),
    )
    .await;

    let events = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["user".into()],
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let mine: Vec<_> = events
        .iter()
        .filter(|e| e.aggregate_id == "imp-1")
        .collect();
    let hashes: Vec<&str> = mine
        .iter()
        .filter(|e| e.event_type == "user.human.password.changed")
        .map(|e| e.payload["password_hash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes[0], BCRYPT_HASH);
    // New passwords: argon2id with the configured memory.
    assert!(
        hashes[1].starts_with("$argon2id$v=19$m=8192,"),
        "{}",
        hashes[1]
    );
    for event in &mine {
        let text = event.payload.to_string();
        for secret in [
            "Password1!",
            "Password2!",
            "Password3!",
            email_code.as_str(),
        ] {
            assert!(
                !text.contains(secret),
                "{} stores {secret}",
                event.event_type
            );
        }
    }
}

#[tokio::test]
async fn machine_keys_are_generated_or_registered_listed_and_removed() {
    use base64::Engine;
    use castellan_writer::ledger::Ledger as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    ok(
        &server,
        "CreateUser",
        json!({"userId": "svc-1", "machine": {"name": "Service"}}),
    )
    .await;
    ok(&server, "CreateUser", ada()).await;

    // Generated: the private key comes back once, in ZITADEL's key-file format.
    let added = ok(
        &server,
        "AddKey",
        json!({"userId": "svc-1", "expirationDate": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let key_id = added["keyId"].as_str().unwrap().to_owned();
    let content = b64.decode(added["keyContent"].as_str().unwrap()).unwrap();
    let file: Value = serde_json::from_slice(&content).unwrap();
    assert_eq!(file["type"], "serviceaccount");
    assert_eq!(file["keyId"], key_id.as_str());
    assert_eq!(file["userId"], "svc-1");
    assert_eq!(file["expirationDate"], "2099-01-01T00:00:00Z");
    let private = file["key"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----"));

    // Registered: a caller's public key (here: made from a generated pair).
    let (_, public) = castellan_writer::secrets::generate_rsa_key().unwrap();
    let registered = ok(
        &server,
        "AddKey",
        json!({"userId": "svc-1", "publicKey": b64.encode(public.as_bytes())}),
    )
    .await;
    assert!(registered.get("keyContent").is_none());
    let second = registered["keyId"].as_str().unwrap().to_owned();

    // No private key is stored.
    let before = probe.head().await;
    for body in [
        json!({"userId": "svc-1", "publicKey": b64.encode(b"not a key")}),
        json!({"userId": "svc-1", "expirationDate": "2001-01-01T00:00:00Z"}),
    ] {
        let (status, error) = call(&server, "AddKey", body).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (400, Some("invalid_argument")),
            "{error}"
        );
    }
    let (status, error) = call(&server, "AddKey", json!({"userId": "ada-1"})).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("failed_precondition")),
        "{error}"
    );
    assert_eq!(probe.head().await, before);

    let listed = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"userIdFilter": {"id": "svc-1"}}]}),
    )
    .await;
    assert_eq!(listed["pagination"]["totalResult"], "2");
    let ids: Vec<&str> = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&key_id.as_str()) && ids.contains(&second.as_str()));
    let one = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"keyIdFilter": {"id": key_id}}]}),
    )
    .await;
    assert_eq!(one["result"][0]["expirationDate"], "2099-01-01T00:00:00Z");

    ok(
        &server,
        "RemoveKey",
        json!({"userId": "svc-1", "keyId": key_id}),
    )
    .await;
    fails(
        &server,
        &probe,
        "RemoveKey",
        json!({"userId": "svc-1", "keyId": key_id}),
        "not_found",
    )
    .await;
    // Deleting the user removes its remaining keys.
    ok(&server, "DeleteUser", json!({"userId": "svc-1"})).await;
    let listed = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"userIdFilter": {"id": "svc-1"}}]}),
    )
    .await;
    assert_eq!(listed["result"], json!([]));
    let events = probe
        .ledger
        .read(&castellan_writer::ledger::EventFilter {
            aggregate_types: vec!["user".into()],
            ..castellan_writer::ledger::EventFilter::default()
        })
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| !e.payload.to_string().contains("PRIVATE KEY"))
    );
}
