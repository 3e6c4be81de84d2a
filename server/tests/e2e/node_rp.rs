//! An independent RP library in another language — `openid-client` v6 (npm, by panva), run by
//! `tests/node/oidc_rp.mjs` — against Castellan: discovery, code + PKCE through the hosted login
//! pages with the ID token checked against the JWKS, userinfo, refresh with rotation, token
//! exchange, revocation then introspection inactive, client credentials, the JWT profile and the
//! device flow. The Node packages are installed by `infra/node-env`.

use base64::Engine as _;
use serde_json::json;

use super::support::Server;

const USERS: &str = "zitadel.user.v2.UserService";
const PROJECTS: &str = "zitadel.project.v2.ProjectService";
const APPS: &str = "zitadel.application.v2.ApplicationService";

#[tokio::test]
async fn openid_client_for_node_completes_every_flow() {
    let node = std::env::var("CASTELLAN_TEST_NODE").unwrap_or_else(|_| {
        panic!(
            "set CASTELLAN_TEST_NODE (eval \"$(bash infra/node-env)\" installs openid-client and \
             prints it) or run scripts/test"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;

    server
        .admin_ok(
            USERS,
            "CreateUser",
            json!({"userId": "ada", "username": "ada", "human": {
            "profile": {"givenName": "Ada", "familyName": "Lovelace"},
            "email": {"email": "ada@example.com", "isVerified": true},
            "password": {"password": "Secret-Passw0rd!"}}}),
        )
        .await;
    let user = server
        .admin_ok(USERS, "GetUserByID", json!({"userId": "ada"}))
        .await;
    let org = user["user"]["details"]["resourceOwner"].as_str().unwrap();
    server
        .admin_ok(
            PROJECTS,
            "CreateProject",
            json!({"organizationId": org, "name": "Node RP", "projectId": "node-rp"}),
        )
        .await;
    let app = server
        .admin_ok(
            APPS,
            "CreateApplication",
            json!({"projectId": "node-rp", "name": "openid-client", "oidcConfiguration": {
            "redirectUris": ["https://rp.test/cb"],
            "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": [
                "OIDC_GRANT_TYPE_AUTHORIZATION_CODE",
                "OIDC_GRANT_TYPE_REFRESH_TOKEN",
                "OIDC_GRANT_TYPE_DEVICE_CODE",
                "OIDC_GRANT_TYPE_TOKEN_EXCHANGE"
            ],
            "applicationType": "OIDC_APP_TYPE_WEB",
            "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}}),
        )
        .await;
    let client_id = app["oidcConfiguration"]["clientId"].as_str().unwrap();
    let client_secret = app["oidcConfiguration"]["clientSecret"].as_str().unwrap();

    server
        .admin_ok(
            USERS,
            "CreateUser",
            json!({"userId": "robot", "username": "robot", "machine": {"name": "Robot"}}),
        )
        .await;
    let secret = server
        .admin_ok(USERS, "AddSecret", json!({"userId": "robot"}))
        .await;
    let machine_secret = secret["clientSecret"].as_str().unwrap();
    let key = server
        .admin_ok(
            USERS,
            "AddKey",
            json!({"userId": "robot", "expirationDate": "2100-01-01T00:00:00Z"}),
        )
        .await;
    let key_file = dir.path().join("robot-key.json");
    std::fs::write(
        &key_file,
        base64::engine::general_purpose::STANDARD
            .decode(key["keyContent"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node/oidc_rp.mjs");
    let output = tokio::process::Command::new(node)
        .args([
            script,
            &format!("http://localhost:{}", server.port),
            client_id,
            client_secret,
            "robot",
            machine_secret,
            key_file.to_str().unwrap(),
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "openid-client failed ({}):\n--- stdout\n{stdout}--- stderr\n{stderr}",
        output.status
    );
    assert!(stdout.contains("all steps passed"), "{stdout}");
}
