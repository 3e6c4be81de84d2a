//! Outbound SCIM in the distributed mode: the target's worker reads the relay's Kafka topic in a
//! consumer group of its own (no ledger tail), and keeps delivering across a restart and an
//! outage of the target.

use std::time::Duration;

use serde_json::json;
use sqlx::Connection;

use super::{
    Proxy, ScimPeer, active, add_user, create_target, dead_letters, env, eventually, family,
    rename, user_call,
};
use crate::e2e::distributed::{Deployment, wait_until_usable};

#[tokio::test]
async fn a_target_is_fed_from_kafka_in_the_distributed_mode() {
    let peer = ScimPeer::start().await;
    let proxy = Proxy::start(&peer.base).await;
    let deployment = Deployment::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = deployment
        .start_with(dir.path(), "api,relay,reader", &env("8"))
        .await;
    wait_until_usable(&server).await;
    let target = create_target(&server, &proxy.url).await;
    add_user(&server, "ada").await;
    add_user(&server, "bob").await;
    eventually(&peer, "ada and bob", |users, _| {
        users.contains_key("ada") && users.contains_key("bob")
    })
    .await;

    proxy.set_up(false);
    rename(&server, "ada", "Lovelace").await;
    user_call(&server, "DeactivateUser", json!({"userId": "bob"})).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    proxy.set_up(true);
    eventually(&peer, "the changes made during the outage", |users, _| {
        family(users, "ada").as_deref() == Some("Lovelace") && active(users, "bob") == Some(false)
    })
    .await;

    let server = server.restart().await;
    wait_until_usable(&server).await;
    add_user(&server, "carol").await;
    eventually(&peer, "carol after the restart", |users, _| {
        users.contains_key("carol")
    })
    .await;
    assert!(dead_letters(&server, &target).await.is_empty());
    // The worker read Kafka, not the ledger: no ledger checkpoint was ever stored for it.
    let mut db = sqlx::PgConnection::connect(deployment.postgres_dsn())
        .await
        .unwrap();
    let ledger_checkpoints: i64 =
        sqlx::query_scalar("SELECT count(*) FROM castellan.checkpoints WHERE name = $1")
            .bind(format!("scim_target:{target}"))
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(ledger_checkpoints, 0);
    assert_eq!(
        peer.by_external_id("Users").await.len(),
        4,
        "ada, bob, carol and the first admin, each once"
    );
    server.stop();
}
