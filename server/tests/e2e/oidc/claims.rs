//! The `groups` claim end to end: asked for by the `groups` scope, in the ID token (the app
//! asserts user claims there), userinfo and introspection; gone when not asked for and when the
//! user leaves a group.
// The test plays the RP: its own HTTP client and the real clock.
#![allow(clippy::disallowed_methods)]

use serde_json::{Value, json};

use super::{Browser, introspect, log_in, query_param, token};
use crate::e2e::support::Server;

const GROUPS: &str = "zitadel.group.v2.GroupService";

async fn userinfo(server: &Server, access_token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}/oidc/v1/userinfo", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Signs in (or reuses the browser's session) with `scope` and exchanges the code.
async fn tokens(
    server: &Server,
    browser: &mut Browser,
    client: (&str, &str),
    scope: &str,
) -> Value {
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fgroups.test%2Fcb&response_type=code&scope={}",
        super::urlencode(client.0),
        super::urlencode(scope)
    );
    let callback = log_in(browser, &authorize, "ada", "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = token(
        server,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://groups.test/cb"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

fn id_token_claims(id_token: &str) -> Value {
    use base64::Engine as _;
    let payload = id_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_groups_scope_asserts_the_users_groups() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    super::setup(&server).await;
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": "ada"}),
        )
        .await;
    let org = user["user"]["details"]["resourceOwner"]
        .as_str()
        .unwrap()
        .to_owned();
    for (id, name) in [
        ("g-admins", "Admins"),
        ("g-staff", "Staff"),
        ("g-other", "Other"),
    ] {
        server
            .admin_ok(
                GROUPS,
                "CreateGroup",
                json!({"organizationId": org, "name": name, "id": id}),
            )
            .await;
    }
    for group in ["g-admins", "g-staff"] {
        server
            .admin_ok(
                GROUPS,
                "AddUsersToGroup",
                json!({"id": group, "userIds": ["ada"]}),
            )
            .await;
    }
    let app = server
        .admin_ok(
            "zitadel.application.v2.ApplicationService",
            "CreateApplication",
            json!({"projectId": "shop", "name": "Grouped", "oidcConfiguration": {
                "redirectUris": ["https://groups.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
                "idTokenUserinfoAssertion": true,
                "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}}),
        )
        .await;
    let client_id = app["oidcConfiguration"]["clientId"].as_str().unwrap();
    let secret = app["oidcConfiguration"]["clientSecret"].as_str().unwrap();
    let client = (client_id, secret);
    let both = json!([
        {"value": "g-admins", "display": "Admins"},
        {"value": "g-staff", "display": "Staff"}
    ]);

    let mut browser = Browser::new(&server);
    let with_groups = tokens(&server, &mut browser, client, "openid groups").await;
    let access = with_groups["access_token"].as_str().unwrap().to_owned();
    let id_token = id_token_claims(with_groups["id_token"].as_str().unwrap());
    assert_eq!(id_token["groups"], both, "{id_token}");
    assert_eq!(userinfo(&server, &access).await["groups"], both);
    let introspected = introspect(&server, client, &access).await;
    assert_eq!(introspected["active"], true, "{introspected}");
    assert_eq!(introspected["groups"], both);

    // Without the scope: no claim anywhere.
    let without = tokens(&server, &mut browser, client, "openid profile").await;
    let plain_access = without["access_token"].as_str().unwrap();
    assert!(
        id_token_claims(without["id_token"].as_str().unwrap())
            .get("groups")
            .is_none()
    );
    assert!(
        userinfo(&server, plain_access)
            .await
            .get("groups")
            .is_none()
    );
    assert!(
        introspect(&server, client, plain_access)
            .await
            .get("groups")
            .is_none()
    );

    // Leaving a group shows at once in userinfo for the token issued before.
    server
        .admin_ok(
            GROUPS,
            "RemoveUsersFromGroup",
            json!({"id": "g-staff", "userIds": ["ada"]}),
        )
        .await;
    assert_eq!(
        userinfo(&server, &access).await["groups"],
        json!([{"value": "g-admins", "display": "Admins"}])
    );

    let discovery: Value = browser
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    for list in ["scopes_supported", "claims_supported"] {
        assert!(
            discovery[list]
                .as_array()
                .unwrap()
                .contains(&json!("groups")),
            "{list}"
        );
    }
}
