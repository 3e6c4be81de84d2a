//! ZITADEL's official SDKs, unchanged, against a running Castellan: the Python SDK
//! (`zitadel-client` v4 from PyPI, installed by `infra/python-env`) and the Node package
//! (`@zitadel/client` from npm, installed by `infra/node-env`).

use serde_json::json;

use super::support::Server;

fn required(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("set {name} or run scripts/test, which installs the SDKs"))
}

/// A new org for the SDK to work in, owned by the admin (an IAM_OWNER).
async fn new_org(server: &Server, name: &str) -> String {
    let (status, body) = server
        .connect("AddOrganization", json!({ "name": name }))
        .await;
    assert_eq!(status, 200, "{body}");
    body["organizationId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_official_python_sdk_drives_the_identity_core() {
    let python = required("CASTELLAN_TEST_PYTHON");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org_id = new_org(&server, "Python SDK Inc").await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sdk_identity.py");
    let output = tokio::process::Command::new(python)
        .args([
            script,
            &format!("http://localhost:{}", server.port),
            &server.token,
            &org_id,
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Python SDK flow failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What the SDK did is visible to a plain client too.
    let created: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let (status, body) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.user.v2.UserService/GetUserByID",
            &json!({ "userId": created["human"] }).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["human"]["profile"]["givenName"], "Augusta");
    assert_eq!(body["user"]["state"], "USER_STATE_ACTIVE");
    let (status, _) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.user.v2.UserService/GetUserByID",
            &json!({ "userId": created["machine"] }).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 404, "the machine user was deleted through the SDK");
}

#[tokio::test]
async fn the_official_node_package_drives_users_orgs_and_settings() {
    let node = required("CASTELLAN_TEST_NODE");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org_id = new_org(&server, "Node SDK Inc").await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node/sdk_identity.mjs");
    let output = tokio::process::Command::new(node)
        .args([
            script,
            &format!("http://localhost:{}", server.port),
            &server.token,
            &org_id,
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Node SDK flow failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let (status, _) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.user.v2.UserService/GetUserByID",
            &json!({ "userId": created["user"] }).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 404, "the user was deleted through the Node SDK");
}

/// The SDKs' own authenticators — client credentials and the private-key JWT profile — obtain
/// tokens from Castellan's OpenID Provider and call the API with them.
#[tokio::test]
async fn the_official_python_sdk_authenticates_with_its_own_authenticators() {
    use base64::Engine as _;
    let python = required("CASTELLAN_TEST_PYTHON");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let users = "zitadel.user.v2.UserService";
    server
        .admin_ok(
            users,
            "CreateUser",
            json!({"userId": "sdk-robot", "username": "sdk-robot", "machine": {"name": "SDK robot"}}),
        )
        .await;
    // Reading users needs a role: the robot administers the instance.
    server
        .admin_ok(
            "zitadel.internal_permission.v2.InternalPermissionService",
            "CreateAdministrator",
            json!({"userId": "sdk-robot", "resource": {"instance": true}, "roles": ["IAM_OWNER"]}),
        )
        .await;
    let secret = server
        .admin_ok(users, "AddSecret", json!({"userId": "sdk-robot"}))
        .await["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = server
        .admin_ok(
            users,
            "AddKey",
            json!({"userId": "sdk-robot", "expirationDate": "2100-01-01T00:00:00Z"}),
        )
        .await;
    let key_file = dir.path().join("sdk-robot-key.json");
    std::fs::write(
        &key_file,
        base64::engine::general_purpose::STANDARD
            .decode(key["keyContent"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sdk_auth.py");
    let output = tokio::process::Command::new(python)
        .args([
            script,
            &format!("http://localhost:{}", server.port),
            "sdk-robot",
            &secret,
            key_file.to_str().unwrap(),
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the SDK's authenticators failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("client_credentials: ok"), "{stdout}");
    assert!(stdout.contains("private_key: ok"), "{stdout}");
}
