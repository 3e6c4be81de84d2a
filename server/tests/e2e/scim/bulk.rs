//! SCIM Bulk: bulkId cross-references in any order, failOnErrors, and the size limits.
#![allow(clippy::disallowed_methods)]

use reqwest::Method;
use serde_json::{Value, json};

use super::{default_org, scim};
use crate::e2e::support::{LedgerProbe, Server};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

fn user_op(bulk_id: &str, name: &str) -> Value {
    json!({"method": "POST", "path": "/Users", "bulkId": bulk_id, "data": {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
        "name": {"givenName": name, "familyName": "Bulk"},
        "emails": [{"value": format!("{name}@example.com"), "primary": true}]}})
}

#[tokio::test]
async fn bulk_resolves_references_in_any_order_and_stops_after_fail_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let bulk = format!("/scim/v2/{org}/Bulk");
    // The group comes first and names users created later in the same request.
    let request = json!({"schemas": [BULK], "Operations": [
        {"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tour Guides",
            "members": [{"type": "User", "value": "bulkId:u1"}, {"type": "User", "value": "bulkId:u2"}]}},
        user_op("u1", "alice"),
        user_op("u2", "bob"),
        {"method": "PATCH", "path": "/Users/bulkId:u1", "data": {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]}},
    ]});
    let (status, _, response) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(request),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{response}");
    let ops = response["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 4, "{response}");
    for op in ops {
        assert!(
            matches!(op["status"].as_str(), Some("200" | "201")),
            "{response}"
        );
    }
    let group_location = ops[0]["location"].as_str().unwrap();
    let group_path = group_location
        .split_once(&format!("localhost:{}", server.port))
        .unwrap()
        .1;
    let (_, _, group) = scim(&server, Method::GET, group_path, None, &server.token, &[]).await;
    assert_eq!(group["members"].as_array().unwrap().len(), 2, "{group}");
    let (_, _, found) = scim(
        &server,
        Method::GET,
        &format!("/scim/v2/{org}/Users?filter=userName%20eq%20%22alice%22"),
        None,
        &server.token,
        &[],
    )
    .await;
    assert_eq!(found["Resources"][0]["title"], "Lead", "{found}");

    // failOnErrors: 1 stops at the first failure; later operations do not run.
    let request = json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
        user_op("d1", "alice"),
        user_op("d2", "carol"),
    ]});
    let (status, _, response) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(request),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{response}");
    let ops = response["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "{response}");
    assert_eq!(ops[0]["status"], "409");
    assert_eq!(ops[0]["response"]["scimType"], "uniqueness");
    let (_, _, found) = scim(
        &server,
        Method::GET,
        &format!("/scim/v2/{org}/Users?filter=userName%20eq%20%22carol%22"),
        None,
        &server.token,
        &[],
    )
    .await;
    assert_eq!(found["totalResults"], 0);
    // A reference nothing defines (or a cycle): 409 for those operations.
    let request = json!({"schemas": [BULK], "Operations": [
        {"method": "PATCH", "path": "/Users/bulkId:nowhere", "data": {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "X"}]}},
    ]});
    let (_, _, response) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(request),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(response["Operations"][0]["status"], "409", "{response}");
}

#[tokio::test]
async fn bulk_limits_are_scim_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let bulk = format!("/scim/v2/{org}/Bulk");
    let probe = LedgerProbe::open(dir.path()).await;
    let before = probe.head().await;
    let many: Vec<Value> = (0..101)
        .map(|n| user_op(&format!("b{n}"), &format!("u{n}")))
        .collect();
    let (status, _, error) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(json!({"schemas": [BULK], "Operations": many})),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (413, Some("tooMany")),
        "{error}"
    );
    let huge = "x".repeat(1_100_000);
    let (status, _, error) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(json!({"schemas": [BULK], "Operations": [], "padding": huge})),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 413, "{error}");
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    let (status, _, error) = scim(
        &server,
        Method::POST,
        &bulk,
        Some(json!({"Operations": []})),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (400, Some("invalidSyntax")),
        "{error}"
    );
    assert_eq!(probe.head().await, before);
    // The service provider config says what the limits are.
    let (_, _, config) = scim(
        &server,
        Method::GET,
        &format!("/scim/v2/{org}/ServiceProviderConfig"),
        None,
        &server.token,
        &[],
    )
    .await;
    assert_eq!(config["bulk"]["supported"], true);
    assert_eq!(config["bulk"]["maxOperations"], 100);
    assert_eq!(config["bulk"]["maxPayloadSize"], 1_000_000);
}
