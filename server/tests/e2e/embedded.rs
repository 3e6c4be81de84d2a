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

#[tokio::test]
async fn setup_runs_once_and_start_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let pat_path = dir.path().join("secrets").join("pat.txt");
    let run = |command: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_castellan"))
            .arg(command)
            .env_clear()
            .env("CASTELLAN_DATA_DIR", dir.path())
            .env("CASTELLAN_FIRSTINSTANCE_PATPATH", &pat_path)
            .env("CASTELLAN_FIRSTINSTANCE_ORG_HUMAN_PASSWORD", "Password1!")
            .env("CASTELLAN_LOG_FORMAT", "json")
            .env("CASTELLAN_LOG_LEVEL", "info")
            .output()
            .unwrap()
    };
    let init = run("init");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(!pat_path.exists(), "init only migrates");
    let setup = run("setup");
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let logs = String::from_utf8_lossy(&setup.stderr);
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON log lines"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "first instance created"),
        "{logs}"
    );
    assert!(
        !dir.path().join("admin.password").exists(),
        "a configured password is not generated"
    );
    let token = std::fs::read_to_string(&pat_path).unwrap();
    let setup_again = run("setup");
    assert!(setup_again.status.success());
    assert_eq!(
        std::fs::read_to_string(&pat_path).unwrap(),
        token,
        "setup is idempotent"
    );

    let server = Server::start(
        dir.path(),
        &[(
            "CASTELLAN_FIRSTINSTANCE_PATPATH",
            pat_path.to_str().unwrap(),
        )],
    )
    .await;
    let (status, _) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.org.v2.OrganizationService/ListOrganizations",
            "{}",
            Some("application/json"),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "the token from setup works after start");
    server.stop();
}

#[tokio::test]
async fn a_bad_setting_stops_the_binary_with_a_clear_message() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_castellan"))
        .arg("start")
        .env_clear()
        .env("CASTELLAN_PORT", "eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("CASTELLAN_PORT"));
}
