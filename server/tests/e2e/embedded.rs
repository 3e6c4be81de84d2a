//! The embedded default: no configuration, a data directory, and everything survives a restart.

use serde_json::json;

use super::support::{Server, names};

#[tokio::test]
async fn first_start_writes_the_pat_and_orgs_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    eprintln!("embedded first start: ready after {:?}", server.ready_after);
    assert_eq!(server.token.len(), 43, "the PAT file holds one token");
    assert!(dir.path().join("ledger.db").exists());

    let (status, created) = server
        .connect("AddOrganization", json!({"name": "Acme"}))
        .await;
    assert_eq!(status, 200, "{created}");
    let acme_id = created["organizationId"].as_str().unwrap().to_owned();
    assert_eq!(created["details"]["resourceOwner"], acme_id.as_str());

    let (status, created) = server
        .rest(
            reqwest::Method::POST,
            "/v2/organizations",
            Some(json!({"name": "Globex"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert!(
        created["organizationId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );

    // Read-your-writes: the list right after the commands already has both.
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);
    let (status, listed) = server
        .rest(
            reqwest::Method::POST,
            "/v2/organizations/_search",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(names(&listed), ["Castellan", "Acme", "Globex"]);
    assert_eq!(listed["details"]["totalResult"], "3");

    let token_before = server.token.clone();
    let server = server.restart().await;
    assert_eq!(
        server.token, token_before,
        "a restart must not run the first-instance setup again"
    );
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);
    let (status, found) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"idQuery": {"id": acme_id}}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(names(&found), ["Acme"]);
    server.stop();
}

#[tokio::test]
async fn health_readiness_and_metrics_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (status, _) = server
        .raw(reqwest::Method::GET, "/debug/healthz", "", None, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .raw(reqwest::Method::GET, "/debug/ready", "", None, None)
        .await;
    assert_eq!(status, 200);
    server.org_names().await;
    let (status, metrics) = server
        .raw(reqwest::Method::GET, "/debug/metrics", "", None, None)
        .await;
    assert_eq!(status, 200);
    let text = metrics.as_str().unwrap_or_default();
    assert!(text.contains("castellan_http_requests_total"), "{text}");
    server.stop();
}
