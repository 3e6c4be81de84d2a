//! The distributed mode against real PostgreSQL, Kafka and Cassandra: every role in one process,
//! roles split over processes (with a reader crashing), and an Avro consumer no one here wrote.

use std::path::Path;

use serde_json::json;
use sqlx::Connection;

use super::support::{Server, names};

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("set {name} or run scripts/test, which starts PostgreSQL, Kafka and Cassandra")
    })
}

/// Settings for one isolated distributed deployment: its own database, topic, keyspace, group.
pub(crate) struct Deployment {
    env: Vec<(String, String)>,
    topic: String,
    brokers: String,
}

impl Deployment {
    pub(crate) async fn new() -> Deployment {
        let url = required("CASTELLAN_TEST_POSTGRES_URL");
        let brokers = required("CASTELLAN_TEST_KAFKA_BROKERS");
        let nodes = required("CASTELLAN_TEST_CASSANDRA_NODES");
        let suffix = rand::random::<u32>();
        let database = format!("castellan_dist_{suffix}");
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let topic = format!("castellan.test.{suffix}");
        let env = vec![
            (
                "CASTELLAN_DATABASE_POSTGRES_DSN".to_owned(),
                format!("{base}/{database}"),
            ),
            ("CASTELLAN_KAFKA_BROKERS".to_owned(), brokers.clone()),
            ("CASTELLAN_KAFKA_TOPIC".to_owned(), topic.clone()),
            ("CASTELLAN_KAFKA_PARTITIONS".to_owned(), "4".to_owned()),
            (
                "CASTELLAN_KAFKA_GROUPID".to_owned(),
                format!("readers-{suffix}"),
            ),
            ("CASTELLAN_CASSANDRA_NODES".to_owned(), nodes),
            (
                "CASTELLAN_CASSANDRA_KEYSPACE".to_owned(),
                format!("castellan_dist_{suffix}"),
            ),
        ];
        Deployment {
            env,
            topic,
            brokers,
        }
    }

    pub(crate) async fn start(&self, dir: &Path, roles: &str) -> Server {
        self.start_with(dir, roles, &[]).await
    }

    /// The deployment's PostgreSQL database.
    pub(crate) fn postgres_dsn(&self) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == "CASTELLAN_DATABASE_POSTGRES_DSN")
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    /// Like [`Deployment::start`], with more `CASTELLAN_*` settings.
    pub(crate) async fn start_with(
        &self,
        dir: &Path,
        roles: &str,
        extra: &[(&str, &str)],
    ) -> Server {
        let mut env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.push(("CASTELLAN_ROLES", roles));
        env.extend_from_slice(extra);
        Server::start(dir, &env).await
    }
}

/// Waits (bounded) until the admin's token has reached the read model.
pub(crate) async fn wait_until_usable(api: &Server) {
    for _ in 0..300 {
        let (status, _) = api.connect("ListOrganizations", json!({})).await;
        if status == 200 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the admin token never became usable");
}

#[tokio::test]
async fn all_roles_in_one_process_serve_and_survive_a_restart() {
    let deployment = Deployment::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = deployment.start(dir.path(), "api,relay,reader").await;
    wait_until_usable(&server).await;
    let (status, body) = server
        .connect("AddOrganization", json!({"name": "Acme"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .rest(
            reqwest::Method::POST,
            "/v2/organizations",
            Some(json!({"name": "Globex"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Read-your-writes: the command answered after the readers applied it.
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);
    let server = server.restart().await;
    wait_until_usable(&server).await;
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);
    server.stop();
}

#[tokio::test]
async fn split_roles_keep_every_write_through_a_reader_crash() {
    let deployment = Deployment::new().await;
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let api = deployment.start(dirs[0].path(), "api").await;
    let relay = deployment.start(dirs[1].path(), "relay").await;
    let mut reader_a = Some(deployment.start(dirs[2].path(), "reader").await);
    let reader_b = deployment.start(dirs[3].path(), "reader").await;
    wait_until_usable(&api).await;

    let mut expected = vec!["Castellan".to_owned()];
    for n in 0..40 {
        if n == 20 {
            // A reader dies mid-stream (SIGKILL); the group rebalances onto the other one.
            reader_a.take().unwrap().crash();
        }
        let name = format!("Org {n:02}");
        let (status, body) = api.connect("AddOrganization", json!({"name": name})).await;
        assert_eq!(status, 200, "{body}");
        let id = body["organizationId"].as_str().unwrap().to_owned();
        // Another process wrote it; this query must still see it (read-your-writes).
        let (status, found) = api
            .connect(
                "ListOrganizations",
                json!({"queries": [{"idQuery": {"id": id}}]}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            names(&found),
            std::slice::from_ref(&name),
            "org {n} not visible right after its write"
        );
        expected.push(name);
    }
    let (_, all) = api
        .connect("ListOrganizations", json!({"query": {"limit": 1000}}))
        .await;
    assert_eq!(
        names(&all),
        expected,
        "every acknowledged write is in the read model, once"
    );
    drop(reader_b);
    drop(relay);
    api.stop();
}

#[tokio::test]
async fn a_stock_confluent_avro_consumer_decodes_the_event_topic() {
    let python = required("CASTELLAN_TEST_PYTHON");
    let deployment = Deployment::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = deployment.start(dir.path(), "api,relay,reader").await;
    wait_until_usable(&server).await;
    let (status, _) = server
        .connect("AddOrganization", json!({"name": "Avro Acme"}))
        .await;
    assert_eq!(status, 200);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/avro_consumer.py");
    let output = tokio::process::Command::new(python)
        .args([
            script,
            &deployment.brokers,
            &deployment.topic,
            &server.base_url(),
            "Avro Acme",
        ])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Confluent consumer did not decode org.added: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("\"name\": \"Avro Acme\""), "{stdout}");
    server.stop();
}

/// The identity core on the production path: ZITADEL's Python SDK against an API process whose
/// reads come from Cassandra, fed by a separate relay and reader through Kafka.
#[tokio::test]
async fn the_official_python_sdk_drives_the_identity_core_across_split_roles() {
    let python = required("CASTELLAN_TEST_PYTHON");
    let deployment = Deployment::new().await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let api = deployment.start(dirs[0].path(), "api").await;
    let relay = deployment.start(dirs[1].path(), "relay").await;
    let reader = deployment.start(dirs[2].path(), "reader").await;
    wait_until_usable(&api).await;
    let (status, body) = api
        .connect("AddOrganization", json!({"name": "Distributed SDK Inc"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let org_id = body["organizationId"].as_str().unwrap().to_owned();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sdk_identity.py");
    let output = tokio::process::Command::new(python)
        .args([
            script,
            &format!("http://localhost:{}", api.port),
            &api.token,
            &org_id,
        ])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "the Python SDK flow failed in the distributed mode: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    drop(reader);
    drop(relay);
    api.stop();
}

/// Settings events travel the Avro relay and land in Cassandra like every other event.
#[tokio::test]
async fn settings_flow_through_the_relay_into_cassandra() {
    use super::settings::{ADMIN, MANAGEMENT, SETTINGS, add_org, connect};
    let deployment = Deployment::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = deployment.start(dir.path(), "api,relay,reader").await;
    wait_until_usable(&server).await;
    let acme = add_org(&server, "Acme").await;
    let answer = connect(
        &server,
        ADMIN,
        "UpdateLockoutPolicy",
        json!({"maxPasswordAttempts": 5}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let answer = connect(
        &server,
        MANAGEMENT,
        "AddCustomLockoutPolicy",
        json!({"maxPasswordAttempts": 2}),
        Some(&acme),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let lockout = |ctx: serde_json::Value| {
        let server = &server;
        async move {
            let (status, body) = connect(
                server,
                SETTINGS,
                "GetLockoutSettings",
                json!({"ctx": ctx}),
                None,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body["settings"]["maxPasswordAttempts"].clone()
        }
    };
    assert_eq!(lockout(json!({"orgId": acme})).await, "2");
    assert_eq!(lockout(json!({"instance": true})).await, "5");
    let server = server.restart().await;
    wait_until_usable(&server).await;
    let (status, body) = connect(
        &server,
        SETTINGS,
        "GetLockoutSettings",
        json!({"ctx": {"orgId": acme}}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_ORG"
    );
    server.stop();
}
