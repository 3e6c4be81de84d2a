//! InstanceService end to end: custom domains route requests.

use reqwest::Method;
use serde_json::{Value, json};

use super::super::support::{LedgerProbe, Server};
use super::{INSTANCE, call_host, code, connect};

#[tokio::test]
async fn custom_domains_route_requests_to_the_instance() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let instance = |method: &'static str, body: Value| {
        let server = &server;
        async move { connect(server, INSTANCE, method, body, None).await }
    };
    let via = |host: &'static str| {
        let server = &server;
        async move {
            call_host(
                server,
                host,
                Method::POST,
                &format!("/{INSTANCE}/GetInstance"),
                Some(json!({})),
                None,
            )
            .await
        }
    };

    let (status, body) = instance("GetInstance", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let id = body["instance"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["instance"]["state"], "STATE_RUNNING");
    assert_eq!(body["instance"]["customDomains"][0]["domain"], "localhost");
    assert_eq!(body["instance"]["customDomains"][0]["generated"], true);
    assert_eq!(body["instance"]["customDomains"][0]["primary"], true);

    // Not routed before it is added.
    assert_eq!(code(&via("id.acme.test").await), (404, Some("not_found")));
    let answer = instance(
        "AddCustomDomain",
        json!({"instanceId": id, "customDomain": "ID.Acme.test"}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert!(answer.1["creationDate"].is_string());
    let (status, body) = via("id.acme.test").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["id"], id.as_str());
    let (status, body) = instance("ListCustomDomains", json!({"pagination": {"asc": true}})).await;
    assert_eq!(status, 200, "{body}");
    let domains: Vec<&str> = body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(domains, ["id.acme.test", "localhost"]);
    assert_eq!(body["pagination"]["totalResult"], "2");
    let (_, body) = instance(
        "ListCustomDomains",
        json!({"filters": [{"generatedFilter": false}]}),
    )
    .await;
    assert_eq!(body["domains"].as_array().map(Vec::len), Some(1), "{body}");

    // Bad input and conflicts write nothing.
    let head = probe.head().await;
    for (body, status, expected) in [
        (
            json!({"customDomain": "not a domain"}),
            400,
            "invalid_argument",
        ),
        (json!({"customDomain": "localhost"}), 409, "already_exists"),
        (
            json!({"instanceId": "other", "customDomain": "x.acme.test"}),
            404,
            "not_found",
        ),
    ] {
        let answer = instance("AddCustomDomain", body.clone()).await;
        assert_eq!(
            code(&answer),
            (status, Some(expected)),
            "{body}: {}",
            answer.1
        );
    }
    let answer = instance("RemoveCustomDomain", json!({"customDomain": "localhost"})).await;
    assert_eq!(
        code(&answer),
        (400, Some("failed_precondition")),
        "{}",
        answer.1
    );
    let answer = instance("DeleteInstance", json!({"instanceId": id})).await;
    assert_eq!(
        code(&answer),
        (400, Some("failed_precondition")),
        "{}",
        answer.1
    );
    let answer = instance("UpdateInstance", json!({"instanceName": "  "})).await;
    assert_eq!(
        code(&answer),
        (400, Some("invalid_argument")),
        "{}",
        answer.1
    );
    assert_eq!(probe.head().await, head, "a refused request wrote events");

    // Removing it stops the routing.
    let answer = instance(
        "RemoveCustomDomain",
        json!({"customDomain": "id.acme.test"}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(code(&via("id.acme.test").await), (404, Some("not_found")));
    assert_eq!(via("localhost").await.0, 200);

    // Rename, list, trusted domains.
    let answer = instance("UpdateInstance", json!({"instanceName": "Renamed"})).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (status, body) = instance("ListInstances", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instances"][0]["name"], "Renamed");
    assert_eq!(body["pagination"]["totalResult"], "1");
    let (_, body) = instance(
        "ListInstances",
        json!({"filters": [{"inIdsFilter": {"ids": ["other"]}}]}),
    )
    .await;
    assert_eq!(body["instances"], json!([]), "{body}");
    let answer = instance(
        "AddTrustedDomain",
        json!({"trustedDomain": "login.acme.test"}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (_, body) = instance("ListTrustedDomains", json!({})).await;
    assert_eq!(
        body["trustedDomain"][0]["domain"], "login.acme.test",
        "{body}"
    );
    let answer = instance(
        "RemoveTrustedDomain",
        json!({"trustedDomain": "login.acme.test"}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (_, body) = instance("ListTrustedDomains", json!({})).await;
    assert_eq!(body["trustedDomain"], json!([]), "{body}");
}

/// A new org's human admins follow the instance's password complexity settings.
#[tokio::test]
async fn new_org_admins_follow_the_instance_password_complexity() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (status, body) = connect(
        &server,
        super::ADMIN,
        "UpdatePasswordComplexityPolicy",
        json!({"minLength": "14", "hasUppercase": true, "hasLowercase": true, "hasNumber": true}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let org_with_admin = |name: &str, password: &str| {
        json!({
            "name": name,
            "admins": [{"human": {
                "username": format!("{}-admin", name.to_lowercase()),
                "profile": {"givenName": "Ada", "familyName": "Admin"},
                "email": {"email": format!("admin@{}.example.com", name.to_lowercase()), "isVerified": true},
                "password": {"password": password}
            }}]
        })
    };
    // Meets ZITADEL's defaults (8 characters), not the instance's 14.
    let (status, body) = server
        .connect("AddOrganization", org_with_admin("Short", "Sh0rt-Pass!"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_argument");
    assert!(!server.org_names().await.contains(&"Short".to_owned()));
    let (status, body) = server
        .connect("AddOrganization", org_with_admin("Long", "LongEnoughPass1"))
        .await;
    assert_eq!(status, 200, "{body}");
}
