//! `castellan start` with a PostgreSQL ledger.

use serde_json::json;
use sqlx::Connection;

use super::support::Server;

/// A fresh database on the test server named by `CASTELLAN_TEST_POSTGRES_URL`.
async fn fresh_database() -> String {
    let url = std::env::var("CASTELLAN_TEST_POSTGRES_URL")
        .expect("set CASTELLAN_TEST_POSTGRES_URL or run scripts/test, which starts PostgreSQL");
    let name = format!("castellan_e2e_{}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

#[tokio::test]
async fn orgs_persist_in_postgres_across_restarts() {
    let dsn = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("CASTELLAN_DATABASE_POSTGRES_DSN", &dsn)]).await;
    assert!(
        !dir.path().join("ledger.db").exists(),
        "the ledger must be in PostgreSQL"
    );
    let (status, _) = server
        .connect("AddOrganization", json!({"name": "Acme"}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .rest(
            reqwest::Method::POST,
            "/v2/organizations",
            Some(json!({"name": "Globex"})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);
    let server = server.restart().await;
    assert_eq!(server.org_names().await, ["Castellan", "Acme", "Globex"]);

    let mut db = sqlx::PgConnection::connect(&dsn).await.unwrap();
    let (events,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM castellan.events WHERE aggregate_type = 'org'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(events >= 12, "org events are in PostgreSQL, found {events}");
    server.stop();
}
