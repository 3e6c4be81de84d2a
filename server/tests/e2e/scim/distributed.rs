//! SCIM in the distributed mode: writes go through the PostgreSQL ledger and Kafka, reads come
//! from Cassandra, and a SCIM response still shows the write it made (read-your-writes).
#![allow(clippy::disallowed_methods)]

use reqwest::Method;
use serde_json::json;

use super::{default_org, scim};
use crate::e2e::distributed::{Deployment, wait_until_usable};

#[tokio::test]
async fn scim_users_and_groups_are_served_from_cassandra() {
    let deployment = Deployment::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = deployment.start(dir.path(), "api,relay,reader").await;
    wait_until_usable(&server).await;
    let org = default_org(&server).await;
    let token = server.token.clone();
    let (status, _, created) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{org}/Users"),
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "dora", "externalId": "ext-dora",
            "name": {"givenName": "Dora", "familyName": "Dist"},
            "emails": [{"value": "dora@example.com", "primary": true}]}),
        ),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    for filter in [
        "userName%20eq%20%22DORA%22",
        "externalId%20eq%20%22ext-dora%22",
    ] {
        let (status, _, found) = scim(
            &server,
            Method::GET,
            &format!("/scim/v2/{org}/Users?filter={filter}"),
            None,
            &token,
            &[],
        )
        .await;
        assert_eq!(
            (status, &found["totalResults"]),
            (200, &json!(1)),
            "{found}"
        );
    }
    let (status, _, group) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{org}/Groups"),
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Distributed", "members": [{"value": id}]}),
        ),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["members"][0]["value"], id.as_str());
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]});
    let (status, _, patched) = scim(
        &server,
        Method::PATCH,
        &format!("/scim/v2/{org}/Users/{id}"),
        Some(patch),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        (status, &patched["active"]),
        (200, &json!(false)),
        "{patched}"
    );
    assert_eq!(patched["groups"][0]["display"], "Distributed", "{patched}");
    server.stop();
}
