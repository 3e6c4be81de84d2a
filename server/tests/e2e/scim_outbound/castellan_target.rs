//! Castellan as a target of its own hub: OAuth 2 client credentials from Castellan's token
//! endpoint authenticate the pushes into Castellan's SCIM server.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{add_user, dead_letters, env, user_call};
use crate::e2e::support::Server;

/// Castellan as its own downstream: users of the default org are pushed to another org's SCIM
/// endpoint of the same server, authenticated with OAuth 2 client credentials that Castellan's
/// token endpoint issues to a machine user administering that org.
#[tokio::test]
async fn client_credentials_authenticate_the_pushes_to_castellans_own_scim_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &env("8")).await;
    let downstream = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({"name": "Downstream"}),
        )
        .await["organizationId"]
        .as_str()
        .unwrap()
        .to_owned();
    user_call(
        &server,
        "CreateUser",
        json!({"userId": "pusher", "username": "pusher", "organizationId": downstream,
               "machine": {"name": "SCIM pusher"}}),
    )
    .await;
    server
        .admin_ok(
            "zitadel.internal_permission.v2.InternalPermissionService",
            "CreateAdministrator",
            json!({"userId": "pusher", "resource": {"organizationId": downstream},
                   "roles": ["ORG_OWNER"]}),
        )
        .await;
    let secret = user_call(&server, "AddSecret", json!({"userId": "pusher"})).await["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!("http://localhost:{}", server.port);
    let (status, target) = server
        .rest(
            Method::POST,
            "/castellan/v1/scim/targets",
            Some(json!({
                "name": "Downstream org",
                "baseUrl": format!("{base}/scim/v2/{downstream}"),
                "auth": "client_credentials",
                "tokenUrl": format!("{base}/oauth/v2/token"),
                "clientId": "pusher",
                "scope": "openid urn:zitadel:iam:org:project:id:zitadel:aud",
                "secret": secret,
                // usernames are unique per instance: the copy is named by the user id
                "mapping": [{"target": "userName", "source": "id"}],
            })),
        )
        .await;
    assert_eq!(status, 201, "{target}");
    assert_eq!(target["auth"], "client_credentials");
    let target_id = target["id"].as_str().unwrap().to_owned();
    add_user(&server, "ada").await;
    let find = |id: &'static str| {
        let server = &server;
        let downstream = downstream.clone();
        async move {
            let path = format!("/scim/v2/{downstream}/Users?filter=externalId%20eq%20%22{id}%22");
            let (status, found) = server.rest(Method::GET, &path, None).await;
            assert_eq!(status, 200, "{found}");
            found["Resources"][0].clone()
        }
    };
    let mut copy = Value::Null;
    for _ in 0..300 {
        copy = find("ada").await;
        if copy["active"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(copy["userName"], "ada", "{copy}");
    assert_eq!(copy["name"]["familyName"], "Original", "{copy}");
    user_call(&server, "DeactivateUser", json!({"userId": "ada"})).await;
    for _ in 0..300 {
        copy = find("ada").await;
        if copy["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(copy["active"], false, "{copy}");
    assert!(dead_letters(&server, &target_id).await.is_empty());
}
