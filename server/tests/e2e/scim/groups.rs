//! SCIM Groups: Okta's group push (create, member PATCHes, rename), Entra's member removal by
//! value, members of other orgs refused, and the `groups` attribute of users.
#![allow(clippy::disallowed_methods)]

use reqwest::Method;
use serde_json::{Value, json};

use super::{default_org, scim};
use crate::e2e::support::{LedgerProbe, Server};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async fn user(server: &Server, org: &str, name: &str) -> String {
    let (status, _, created) = scim(
        server,
        Method::POST,
        &format!("/scim/v2/{org}/Users"),
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
            "name": {"givenName": name, "familyName": "Test"},
            "emails": [{"value": format!("{name}@example.com"), "primary": true}]}),
        ),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|e| e["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[tokio::test]
async fn oktas_group_push_and_entras_member_removal() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let token = server.token.clone();
    let (ann, bob, cyd) = (
        user(&server, &org, "ann").await,
        user(&server, &org, "bob").await,
        user(&server, &org, "cyd").await,
    );
    let groups = format!("/scim/v2/{org}/Groups");
    // Okta: look the group up by displayName, create it with a member, then PATCH members.
    let lookup = format!("{groups}?filter=displayName%20eq%20%22Engineering%22");
    let (_, _, found) = scim(&server, Method::GET, &lookup, None, &token, &[]).await;
    assert_eq!(found["totalResults"], 0, "{found}");
    let (status, _, created) = scim(
        &server,
        Method::POST,
        &groups,
        Some(
            json!({"schemas": [GROUP], "displayName": "Engineering", "externalId": "okta-g1",
            "members": [{"value": ann}]}),
        ),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(member_ids(&created), vec![ann.clone()]);
    let group = format!("{groups}/{id}");
    let add = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": bob}, {"value": cyd}]}]});
    let (status, _, patched) = scim(&server, Method::PATCH, &group, Some(add), &token, &[]).await;
    assert_eq!(status, 200, "{patched}");
    let mut all = vec![ann.clone(), bob.clone(), cyd.clone()];
    all.sort();
    assert_eq!(member_ids(&patched), all);
    // Okta removes by a value filter; Entra by a value list.
    let remove = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": format!("members[value eq \"{ann}\"]")}]});
    let (status, _, patched) =
        scim(&server, Method::PATCH, &group, Some(remove), &token, &[]).await;
    assert_eq!(status, 200, "{patched}");
    let remove = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"value": bob}]}]});
    let (_, _, patched) = scim(&server, Method::PATCH, &group, Some(remove), &token, &[]).await;
    assert_eq!(member_ids(&patched), vec![cyd.clone()]);
    // Rename (Okta pushes the new name with PUT).
    let (status, _, renamed) = scim(
        &server,
        Method::PUT,
        &group,
        Some(
            json!({"schemas": [GROUP], "displayName": "Platform", "externalId": "okta-g1",
            "members": [{"value": cyd}]}),
        ),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        (status, renamed["displayName"].as_str()),
        (200, Some("Platform")),
        "{renamed}"
    );
    // Castellan's GroupService sees the same group and member.
    let listed = server
        .admin_ok(
            "zitadel.group.v2.GroupService",
            "ListGroupUsers",
            json!({"filters": [{"groupIds": {"ids": [id]}}]}),
        )
        .await;
    assert!(listed.to_string().contains(&cyd), "{listed}");
    // The user's resource names its group.
    let (_, _, member) = scim(
        &server,
        Method::GET,
        &format!("/scim/v2/{org}/Users/{cyd}"),
        None,
        &token,
        &[],
    )
    .await;
    assert_eq!(member["groups"][0]["value"], id.as_str(), "{member}");
    assert_eq!(member["groups"][0]["display"], "Platform");
    // The name is unique in the org; the externalId too.
    let (status, _, error) = scim(
        &server,
        Method::POST,
        &groups,
        Some(json!({"schemas": [GROUP], "displayName": "platform"})),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{error}"
    );
    // Deleting the group.
    let (status, _, _) = scim(&server, Method::DELETE, &group, None, &token, &[]).await;
    assert_eq!(status, 204);
    let (status, _, _) = scim(&server, Method::GET, &group, None, &token, &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn members_from_another_org_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let other = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({"name": "Other"}),
        )
        .await["organizationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = user(&server, &other, "stranger").await;
    let groups = format!("/scim/v2/{org}/Groups");
    let probe = LedgerProbe::open(dir.path()).await;
    let before = probe.head().await;
    for members in [
        json!([{"value": stranger}]),
        json!([{"value": "no-such-user"}]),
    ] {
        let (status, _, error) = scim(
            &server,
            Method::POST,
            &groups,
            Some(json!({"schemas": [GROUP], "displayName": "Mixed", "members": members})),
            &server.token,
            &[],
        )
        .await;
        assert_eq!(
            (status, error["scimType"].as_str()),
            (400, Some("invalidValue")),
            "{error}"
        );
    }
    assert_eq!(probe.head().await, before);
    // A group of the other org is not found through this org's path.
    let (status, _, created) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{other}/Groups"),
        Some(
            json!({"schemas": [GROUP], "displayName": "Theirs", "members": [{"value": stranger}]}),
        ),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let theirs = created["id"].as_str().unwrap();
    let (status, _, _) = scim(
        &server,
        Method::GET,
        &format!("{groups}/{theirs}"),
        None,
        &server.token,
        &[],
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_root_search_pages_across_users_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    let ann = user(&server, &org, "ann").await;
    user(&server, &org, "bob").await;
    for name in ["Red", "Blue"] {
        let (status, _, _) = scim(
            &server,
            Method::POST,
            &format!("/scim/v2/{org}/Groups"),
            Some(json!({"schemas": [GROUP], "displayName": name, "members": [{"value": ann}]})),
            &server.token,
            &[],
        )
        .await;
        assert_eq!(status, 201);
    }
    let page = |start: usize| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
               "startIndex": start, "count": 2})
    };
    let (_, _, first) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{org}/.search"),
        Some(page(1)),
        &server.token,
        &[],
    )
    .await;
    let total = first["totalResults"].as_u64().unwrap() as usize;
    let mut seen = Vec::new();
    let mut start = 1;
    while start <= total {
        let (status, _, listed) = scim(
            &server,
            Method::POST,
            &format!("/scim/v2/{org}/.search"),
            Some(page(start)),
            &server.token,
            &[],
        )
        .await;
        assert_eq!(status, 200, "{listed}");
        assert_eq!(listed["totalResults"].as_u64().unwrap() as usize, total);
        for resource in listed["Resources"].as_array().unwrap() {
            seen.push(resource["id"].as_str().unwrap().to_owned());
        }
        start += 2;
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), total, "every resource once: {seen:?}");
    assert_eq!(unique.len(), total);
    // Users (the admin, ann, bob) and both groups.
    assert_eq!(total, 5);
    // A filter only users have: no error, only users.
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                      "filter": "userName eq \"bob\""});
    let (status, _, found) = scim(
        &server,
        Method::POST,
        &format!("/scim/v2/{org}/.search"),
        Some(body),
        &server.token,
        &[],
    )
    .await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (200, Some(1)),
        "{found}"
    );
}
