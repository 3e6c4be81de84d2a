//! The sequences real provisioning clients send, ETags, filters over HTTP, and tenant isolation.
#![allow(clippy::disallowed_methods)]

use reqwest::Method;
use serde_json::{Value, json};

use super::{default_org, scim};
use crate::e2e::support::{LedgerProbe, Server};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn email_of(user_name: &str) -> String {
    if user_name.contains('@') {
        user_name.to_owned()
    } else {
        format!("{user_name}@example.com")
    }
}

fn new_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": email_of(user_name), "type": "work", "primary": true}],
        "active": true,
    })
}

async fn castellan_state(server: &Server, id: &str) -> String {
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": id}),
        )
        .await;
    user["user"]["state"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn oktas_provisioning_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let token = server.token.clone();
    let users = format!("/scim/v2/{org}/Users");
    // 1. Lookup by userName: nobody yet.
    let lookup = format!(
        "{users}?filter=userName%20eq%20%22bjensen%40example.com%22&startIndex=1&count=100"
    );
    let (status, _, found) = scim(&server, Method::GET, &lookup, None, &token, &[]).await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (200, Some(0)),
        "{found}"
    );
    // 2. Create.
    let (status, _, created) = scim(
        &server,
        Method::POST,
        &users,
        Some(new_user("bjensen@example.com", "okta-1")),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["externalId"], "okta-1");
    // The lookup now finds it (case-insensitively).
    let lookup = format!("{users}?filter=userName%20eq%20%22BJENSEN%40example.com%22");
    let (_, _, found) = scim(&server, Method::GET, &lookup, None, &token, &[]).await;
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    // 3. Profile updates by PUT.
    let mut updated = new_user("bjensen@example.com", "okta-1");
    updated["name"]["familyName"] = json!("Jensen-Smith");
    let (status, _, put) = scim(
        &server,
        Method::PUT,
        &format!("{users}/{id}"),
        Some(updated),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["name"]["familyName"], "Jensen-Smith");
    // 4. Deactivation: PATCH active=false without a path.
    let deactivate = json!({"schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": false}}]});
    let (status, _, patched) = scim(
        &server,
        Method::PATCH,
        &format!("{users}/{id}"),
        Some(deactivate),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["active"], false);
    assert_eq!(castellan_state(&server, &id).await, "USER_STATE_INACTIVE");
    // A second create with the same userName is a uniqueness error.
    let (status, _, error) = scim(
        &server,
        Method::POST,
        &users,
        Some(new_user("bjensen@example.com", "okta-2")),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{error}"
    );
    assert_eq!(error["status"], "409");
}

#[tokio::test]
async fn entras_provisioning_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let token = server.token.clone();
    let users = format!("/scim/v2/{org}/Users");
    // Entra probes with a random externalId filter, then creates.
    let probe = format!("{users}?filter=externalId%20eq%20%22{}%22", "a7c1");
    let (status, _, found) = scim(&server, Method::GET, &probe, None, &token, &[]).await;
    assert_eq!((status, found["totalResults"].as_u64()), (200, Some(0)));
    let mut body = new_user("alice@contoso.com", "a7c1");
    body["schemas"] = json!([USER, ENTERPRISE]);
    body[ENTERPRISE] = json!({"department": "Sales"});
    let (status, _, created) = scim(&server, Method::POST, &users, Some(body), &token, &[]).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, _, found) = scim(&server, Method::GET, &probe, None, &token, &[]).await;
    assert_eq!(found["totalResults"], 1, "{found}");
    // Capitalised ops, string booleans, the manager's URN path, a work-email value path and an
    // empty-value remove, in one PATCH.
    let patch = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "mgr-42"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "alice@fabrikam.com"},
        {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": ""},
        {"op": "Add", "path": "title", "value": "Engineer"},
    ]});
    let (status, _, patched) = scim(
        &server,
        Method::PATCH,
        &format!("{users}/{id}"),
        Some(patch),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["active"], false);
    assert_eq!(
        patched[ENTERPRISE]["manager"]["value"], "mgr-42",
        "{patched}"
    );
    assert!(patched[ENTERPRISE].get("department").is_none(), "{patched}");
    assert_eq!(patched["emails"][0]["value"], "alice@fabrikam.com");
    assert_eq!(patched["title"], "Engineer");
    // Castellan's own API sees the new email and the deactivation.
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": id}),
        )
        .await;
    assert_eq!(
        user["user"]["human"]["email"]["email"],
        "alice@fabrikam.com"
    );
    assert_eq!(user["user"]["state"], "USER_STATE_INACTIVE");
    // Reactivation with "True".
    let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "True"}]});
    let (status, _, patched) = scim(
        &server,
        Method::PATCH,
        &format!("{users}/{id}"),
        Some(patch),
        &token,
        &[],
    )
    .await;
    assert_eq!((status, &patched["active"]), (200, &json!(true)));
    // A bad PATCH path is a SCIM error and changes nothing.
    let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "nonsense", "value": 1}]});
    let (status, _, error) = scim(
        &server,
        Method::PATCH,
        &format!("{users}/{id}"),
        Some(patch),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (400, Some("invalidPath")),
        "{error}"
    );
    // A changed externalId is found under the new value only (the index drops the old one).
    let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "externalId", "value": "a7c2"}]});
    let (status, _, _) = scim(
        &server,
        Method::PATCH,
        &format!("{users}/{id}"),
        Some(patch),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, old) = scim(&server, Method::GET, &probe, None, &token, &[]).await;
    assert_eq!(old["totalResults"], 0, "{old}");
    let renamed = format!("{users}?filter=externalId%20eq%20%22a7c2%22");
    let (_, _, new) = scim(&server, Method::GET, &renamed, None, &token, &[]).await;
    assert_eq!(new["totalResults"], 1, "{new}");
    // Deletion.
    let (status, _, _) = scim(
        &server,
        Method::DELETE,
        &format!("{users}/{id}"),
        None,
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, error) = scim(
        &server,
        Method::GET,
        &format!("{users}/{id}"),
        None,
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 404, "{error}");
}

#[tokio::test]
async fn etags_guard_writes_and_filters_work_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let token = server.token.clone();
    let users = format!("/scim/v2/{org}/Users");
    let mut ids = Vec::new();
    for (name, title) in [("ann", "Engineer"), ("bob", "Manager"), ("cyd", "Engineer")] {
        let mut body = new_user(name, &format!("ext-{name}"));
        body["title"] = json!(title);
        let (status, etag, created) =
            scim(&server, Method::POST, &users, Some(body), &token, &[]).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(etag.as_deref(), created["meta"]["version"].as_str());
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let ann = format!("{users}/{}", ids[0]);
    let (_, etag, _) = scim(&server, Method::GET, &ann, None, &token, &[]).await;
    let etag = etag.unwrap();
    // If-None-Match with the current version: 304.
    let (status, _, _) = scim(
        &server,
        Method::GET,
        &ann,
        None,
        &token,
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(status, 304);
    // A stale If-Match: 412 and nothing changes.
    let replace = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "CTO"}]});
    let probe = LedgerProbe::open(dir.path()).await;
    let before = probe.head().await;
    let (status, _, error) = scim(
        &server,
        Method::PATCH,
        &ann,
        Some(replace.clone()),
        &token,
        &[("If-Match", "W/\"1\"")],
    )
    .await;
    assert_eq!(status, 412, "{error}");
    assert_eq!(probe.head().await, before);
    // The current one: the write goes through, with a new version.
    let (status, new_etag, patched) = scim(
        &server,
        Method::PATCH,
        &ann,
        Some(replace),
        &token,
        &[("If-Match", &etag)],
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
    // Filters: a value-path, and/or/not, co/sw, pr; sorting and paging; attributes.
    let cases = [
        ("title eq \"Engineer\"", vec!["cyd"]),
        (
            "title eq \"Engineer\" or userName eq \"bob\"",
            vec!["bob", "cyd"],
        ),
        (
            "not (title eq \"Manager\") and userName sw \"a\"",
            vec!["ann"],
        ),
        (
            "emails[type eq \"work\" and value co \"@example\"]",
            vec!["ann", "bob", "cyd"],
        ),
        ("externalId eq \"ext-bob\"", vec!["bob"]),
        ("title pr and userName ew \"d\"", vec!["cyd"]),
        (
            "meta.created gt \"2000-01-01T00:00:00Z\" and title pr",
            vec!["ann", "bob", "cyd"],
        ),
    ];
    for (filter, expected) in cases {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": filter, "sortBy": "userName", "attributes": ["userName"]});
        let (status, _, found) = scim(
            &server,
            Method::POST,
            &format!("{users}/.search"),
            Some(body),
            &token,
            &[],
        )
        .await;
        assert_eq!(status, 200, "{filter}: {found}");
        let names: Vec<&str> = found["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["userName"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{filter}");
        assert!(
            found["Resources"][0].get("emails").is_none(),
            "attributes=userName: {found}"
        );
    }
    let page = format!("{users}?sortBy=userName&sortOrder=descending&startIndex=2&count=1");
    let (_, _, found) = scim(&server, Method::GET, &page, None, &token, &[]).await;
    // ann, bob, castellan-admin, cyd: descending, second.
    assert_eq!(found["totalResults"], 4);
    assert_eq!(found["Resources"][0]["userName"], "castellan-admin");
    let bad = format!("{users}?filter=userName%20eq");
    let (status, _, error) = scim(&server, Method::GET, &bad, None, &token, &[]).await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (400, Some("invalidFilter")),
        "{error}"
    );
}

#[tokio::test]
async fn a_token_of_one_org_cannot_reach_another_orgs_users() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let home = default_org(&server).await;
    let (status, _, victim) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{home}/Users"),
        Some(new_user("victim", "v-1")),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 201);
    let victim_id = victim["id"].as_str().unwrap().to_owned();
    // A machine made user manager of a new org "Other" only.
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "CreateUser",
            json!({"userId": "prov", "machine": {"name": "Provisioner"}}),
        )
        .await;
    let other = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({"name": "Other", "admins": [{"userId": "prov", "roles": ["ORG_USER_MANAGER"]}]}),
        )
        .await;
    let other_id = other["organizationId"].as_str().unwrap().to_owned();
    let token = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "AddPersonalAccessToken",
            json!({"userId": "prov"}),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Its own org works.
    let (status, _, created) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{other_id}/Users"),
        Some(new_user("mine", "m-1")),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let probe = LedgerProbe::open(dir.path()).await;
    let before = probe.head().await;
    // The home org: 403 for every method, and nothing written.
    let home_users = format!("/scim/v2/{home}/Users");
    let attempts = [
        (Method::GET, home_users.clone(), None),
        (Method::GET, format!("{home_users}/{victim_id}"), None),
        (
            Method::POST,
            home_users.clone(),
            Some(new_user("intruder", "i-1")),
        ),
        (
            Method::PATCH,
            format!("{home_users}/{victim_id}"),
            Some(
                json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": false}}]}),
            ),
        ),
        (Method::DELETE, format!("{home_users}/{victim_id}"), None),
    ];
    for (method, path, body) in attempts {
        let (status, _, error) = scim(&server, method.clone(), &path, body, &token, &[]).await;
        assert_eq!(status, 403, "{method} {path}: {error}");
        assert_eq!(
            error["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    }
    // The victim through the token's own org: not found.
    let (status, _, _) = scim(
        &server,
        Method::GET,
        &format!("/scim/v2/{other_id}/Users/{victim_id}"),
        None,
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = scim(
        &server,
        Method::DELETE,
        &format!("/scim/v2/{other_id}/Users/{victim_id}"),
        None,
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(probe.head().await, before, "a refused request wrote events");
    assert_eq!(
        castellan_state(&server, &victim_id).await,
        "USER_STATE_ACTIVE"
    );
    // No token at all: 401 in SCIM's format.
    let (status, _, error) = scim(&server, Method::GET, &home_users, None, "nope", &[]).await;
    assert_eq!((status, error["status"].as_str()), (401, Some("401")));
}
