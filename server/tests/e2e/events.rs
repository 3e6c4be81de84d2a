//! The Event API end to end: `POST /admin/v1/events/_search` with ZITADEL's filters (event
//! types, aggregate types and id, editor, resource owner, creation date, order and limit), paging
//! by position in both directions, the type listings, and the `events.read` permission.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::Server;

async fn search(server: &Server, body: Value) -> Vec<Value> {
    let (status, found) = server
        .rest(Method::POST, "/admin/v1/events/_search", Some(body))
        .await;
    assert_eq!(status, 200, "{found}");
    found["events"].as_array().unwrap().clone()
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"]["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn events_are_searched_filtered_and_paged_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    for name in ["ann", "bob", "cyd"] {
        server
            .admin_ok(
                "zitadel.user.v2.UserService",
                "CreateUser",
                json!({"userId": name, "username": name, "human": {
                    "profile": {"givenName": name, "familyName": "Audit"},
                    "email": {"email": format!("{name}@example.com"), "isVerified": true}}}),
            )
            .await;
    }
    // Newest first by default; ZITADEL's example body (snake_case) works too.
    let added = search(
        &server,
        json!({"asc": false, "limit": 1000, "event_types": ["user.human.added"], "aggregate_types": ["user"]}),
    )
    .await;
    let ids: Vec<&str> = added
        .iter()
        .map(|e| e["aggregate"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(&ids[..3], ["cyd", "bob", "ann"], "{added:?}");
    let first = &added[0];
    assert_eq!(first["aggregate"]["type"]["type"], "user");
    assert_eq!(
        first["type"]["localized"]["localizedMessage"],
        "User human added"
    );
    assert!(first["creationDate"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["payload"]["username"], "cyd");
    assert!(!first["editor"]["userId"].as_str().unwrap().is_empty());
    // One aggregate's events, oldest first, and by editor.
    let bobs = search(&server, json!({"asc": true, "aggregateId": "bob"})).await;
    assert!(types(&bobs).contains(&"user.human.added".to_owned()));
    assert!(bobs.iter().all(|e| e["aggregate"]["id"] == "bob"));
    let editor = first["editor"]["userId"].as_str().unwrap();
    let by_editor = search(&server, json!({"editorUserId": editor, "limit": 2})).await;
    assert_eq!(by_editor.len(), 2);
    assert!(by_editor.iter().all(|e| e["editor"]["userId"] == editor));
    let nobody = search(&server, json!({"editorUserId": "nobody"})).await;
    assert!(nobody.is_empty());
    // Paging by position: two pages of two, ascending, continue where the last one ended.
    let page_one = search(
        &server,
        json!({"asc": true, "limit": 2, "aggregateTypes": ["user"]}),
    )
    .await;
    let last = page_one[1]["position"].as_str().unwrap();
    let page_two = search(
        &server,
        json!({"asc": true, "limit": 2, "aggregateTypes": ["user"], "position": last}),
    )
    .await;
    let position = |e: &Value| e["position"].as_str().unwrap().parse::<i64>().unwrap();
    assert!(position(&page_two[0]) > position(&page_one[1]));
    let all_users = search(&server, json!({"asc": true, "aggregateTypes": ["user"]})).await;
    assert_eq!(
        &all_users[2..4],
        &page_two[..],
        "pages follow the global order"
    );
    // Descending pages continue below the last position.
    let newest = search(&server, json!({"limit": 2})).await;
    let older = search(
        &server,
        json!({"limit": 2, "position": newest[1]["position"].as_str().unwrap()}),
    )
    .await;
    assert!(position(&older[0]) < position(&newest[1]));
    // A creation date in the future finds nothing; one in the past finds everything.
    assert!(
        search(&server, json!({"creationDate": "2999-01-01T00:00:00Z"}))
            .await
            .is_empty()
    );
    assert!(
        !search(&server, json!({"creationDate": "2000-01-01T00:00:00Z"}))
            .await
            .is_empty()
    );
    // Bad input is a clear error.
    let (status, error) = server
        .rest(
            Method::POST,
            "/admin/v1/events/_search",
            Some(json!({"creationDate": "soon"})),
        )
        .await;
    assert_eq!((status, error["code"].as_i64()), (400, Some(3)), "{error}");
    // The type listings.
    let (status, listed) = server
        .rest(
            Method::POST,
            "/admin/v1/events/types/_search",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        listed
            .to_string()
            .contains("\"user.human.password.check.failed\"")
    );
    let (_, aggregates) = server
        .rest(
            Method::POST,
            "/admin/v1/aggregates/types/_search",
            Some(json!({})),
        )
        .await;
    assert!(
        aggregates.to_string().contains("\"AggregateTypes.user\""),
        "{aggregates}"
    );
}

#[tokio::test]
async fn reading_events_needs_events_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "CreateUser",
            json!({"userId": "mgr", "machine": {"name": "Manager"}}),
        )
        .await;
    let org = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({"name": "Other", "admins": [{"userId": "mgr", "roles": ["ORG_OWNER"]}]}),
        )
        .await;
    assert!(org["organizationId"].is_string());
    let token = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "AddPersonalAccessToken",
            json!({"userId": "mgr"}),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, error) = server
        .raw(
            Method::POST,
            "/admin/v1/events/_search",
            "{}",
            Some("application/json"),
            Some(&token),
        )
        .await;
    assert_eq!((status, error["code"].as_i64()), (403, Some(7)), "{error}");
    let (status, _) = server
        .raw(
            Method::POST,
            "/admin/v1/events/_search",
            "{}",
            Some("application/json"),
            None,
        )
        .await;
    assert_eq!(status, 401);
}
