//! The read-store contract: one suite, instantiated for every implementation of `ReadStore`:
//! the embedded (SQLite) store and the ScyllaDB store, run against the Cassandra 5 server of
//! `infra/cassandra-up` (`CASTELLAN_TEST_CASSANDRA_NODES`).

use castellan_core::Position;
use castellan_readers::store::{Columns, PositionedOp, ProjectionOps, ReadStore, RowOp};
use serde_json::json;

use super::group_queries::groups_and_memberships_are_queried_per_tenant;
use super::user_queries::users_are_listed_paged_filtered_and_sorted;

fn cols(value: serde_json::Value) -> Columns {
    match value {
        serde_json::Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

fn upsert(position: i64, part: &str, clust: &str, value: serde_json::Value) -> PositionedOp {
    PositionedOp {
        position: Position(position),
        op: RowOp::Upsert {
            table: "t",
            partition: part.into(),
            clustering: clust.into(),
            columns: cols(value),
        },
    }
}

fn delete(position: i64, part: &str, clust: &str) -> PositionedOp {
    PositionedOp {
        position: Position(position),
        op: RowOp::Delete {
            table: "t",
            partition: part.into(),
            clustering: clust.into(),
        },
    }
}

fn delete_partition(position: i64, part: &str) -> PositionedOp {
    PositionedOp {
        position: Position(position),
        op: RowOp::DeletePartition {
            table: "t",
            partition: part.into(),
        },
    }
}

async fn pages_walk_a_partition_in_order_skipping_deleted_rows(store: &dyn ReadStore) {
    let mut ops = vec![upsert(1, "a", "", json!({"n": "empty"}))];
    for i in 0..7 {
        ops.push(upsert(2 + i, "a", &format!("k{i}"), json!({"n": i})));
    }
    ops.push(upsert(20, "b", "k0", json!({"n": "other partition"})));
    ops.push(delete(21, "a", "k3"));
    store.apply("p", &ops, Position(21)).await.unwrap();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store
            .scan_page("t", "a", after.as_deref(), 3)
            .await
            .unwrap();
        pages += 1;
        assert!(page.rows.len() <= 3);
        seen.extend(page.rows.iter().map(|r| r.clustering.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not terminate");
    }
    assert_eq!(seen, ["", "k0", "k1", "k2", "k4", "k5", "k6"]);
    let first = store.scan_page("t", "a", None, 100).await.unwrap();
    assert_eq!(first.rows.len(), 7);
    assert_eq!(first.next, None);
    assert_eq!(first.rows[1].columns, cols(json!({"n": 0})));
    let tail = store.scan_page("t", "a", Some("k5"), 100).await.unwrap();
    let keys: Vec<_> = tail.rows.iter().map(|r| r.clustering.as_str()).collect();
    assert_eq!(keys, ["k6"]);
    assert!(
        store
            .scan_page("t", "none", None, 5)
            .await
            .unwrap()
            .rows
            .is_empty()
    );
}

async fn upserts_merge_columns_and_scan_in_clustering_order(store: &dyn ReadStore) {
    store
        .apply(
            "p",
            &[
                upsert(1, "a", "2", json!({"name": "two"})),
                upsert(2, "a", "1", json!({"name": "one", "x": 1})),
                upsert(3, "a", "1", json!({"x": 2})),
                upsert(4, "b", "1", json!({"name": "other partition"})),
            ],
            Position(4),
        )
        .await
        .unwrap();
    let rows = store.scan("t", "a").await.unwrap();
    let keys: Vec<_> = rows.iter().map(|r| r.clustering.as_str()).collect();
    assert_eq!(keys, ["1", "2"]);
    assert_eq!(rows[0].columns, cols(json!({"name": "one", "x": 2})));
    assert_eq!(rows[0].position, Position(3));
    assert_eq!(store.checkpoint("p").await.unwrap(), Position(4));
    assert_eq!(store.checkpoint("other").await.unwrap(), Position(0));
    assert!(store.get("t", "a", "3").await.unwrap().is_none());
}

async fn replaying_older_events_changes_nothing(store: &dyn ReadStore) {
    let ops = [
        upsert(10, "a", "1", json!({"name": "v1"})),
        upsert(11, "a", "1", json!({"name": "v2"})),
        upsert(12, "a", "2", json!({"name": "gone"})),
        delete(13, "a", "2"),
    ];
    store.apply("p", &ops, Position(13)).await.unwrap();
    // At-least-once delivery: the same events again, and an old one alone.
    store.apply("p", &ops, Position(13)).await.unwrap();
    store.apply("p", &ops[..1], Position(10)).await.unwrap();
    let row = store.get("t", "a", "1").await.unwrap().unwrap();
    assert_eq!(row.columns, cols(json!({"name": "v2"})));
    assert!(
        store.get("t", "a", "2").await.unwrap().is_none(),
        "a replayed upsert resurrected a row"
    );
    assert_eq!(
        store.checkpoint("p").await.unwrap(),
        Position(13),
        "checkpoints never go back"
    );
}

async fn deleted_partitions_stay_deleted_for_older_writes(store: &dyn ReadStore) {
    store
        .apply(
            "p",
            &[
                upsert(1, "a", "1", json!({"v": 1})),
                upsert(2, "a", "2", json!({"v": 2})),
                delete_partition(3, "a"),
            ],
            Position(3),
        )
        .await
        .unwrap();
    assert!(store.scan("t", "a").await.unwrap().is_empty());
    store
        .apply("p", &[upsert(2, "a", "2", json!({"v": 2}))], Position(3))
        .await
        .unwrap();
    assert!(store.scan("t", "a").await.unwrap().is_empty());
    store
        .apply("p", &[upsert(4, "a", "3", json!({"v": 3}))], Position(4))
        .await
        .unwrap();
    let rows = store.scan("t", "a").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].clustering, "3");
}

async fn a_recreated_row_starts_from_empty_columns(store: &dyn ReadStore) {
    store
        .apply(
            "p",
            &[
                upsert(1, "a", "1", json!({"old": true})),
                delete(2, "a", "1"),
                upsert(3, "a", "1", json!({"new": true})),
            ],
            Position(3),
        )
        .await
        .unwrap();
    let row = store.get("t", "a", "1").await.unwrap().unwrap();
    assert_eq!(row.columns, cols(json!({"new": true})));
}

async fn a_replayed_delete_does_not_remove_a_newer_row(store: &dyn ReadStore) {
    let ops = [
        upsert(1, "a", "1", json!({"old": true})),
        delete(2, "a", "1"),
        upsert(3, "a", "1", json!({"new": true})),
        delete_partition(4, "b"),
    ];
    store.apply("p", &ops, Position(4)).await.unwrap();
    // The delete alone, replayed after the row was recreated, and the whole stream again.
    store.apply("p", &ops[1..2], Position(2)).await.unwrap();
    store.apply("p", &ops, Position(4)).await.unwrap();
    let row = store.get("t", "a", "1").await.unwrap().unwrap();
    assert_eq!(row.columns, cols(json!({"new": true})));
    assert_eq!(row.position, Position(3));
    assert_eq!(store.scan("t", "a").await.unwrap(), [row]);
}

async fn merges_across_applies_keep_untouched_columns(store: &dyn ReadStore) {
    store
        .apply(
            "p",
            &[upsert(
                1,
                "a",
                "1",
                json!({"name": "one", "n": 1, "tags": ["x"]}),
            )],
            Position(1),
        )
        .await
        .unwrap();
    store
        .apply("p", &[upsert(2, "a", "1", json!({"n": 2}))], Position(2))
        .await
        .unwrap();
    // At-least-once: the first event again changes neither a column nor the row's position.
    store
        .apply(
            "p",
            &[upsert(
                1,
                "a",
                "1",
                json!({"name": "one", "n": 1, "tags": ["x"]}),
            )],
            Position(1),
        )
        .await
        .unwrap();
    let row = store.get("t", "a", "1").await.unwrap().unwrap();
    assert_eq!(
        row.columns,
        cols(json!({"name": "one", "n": 2, "tags": ["x"]}))
    );
    assert_eq!(row.position, Position(2));
    // An upsert that names no column still creates the row, and moves its position.
    store
        .apply(
            "p",
            &[
                upsert(3, "a", "2", json!({})),
                upsert(3, "a", "1", json!({})),
            ],
            Position(3),
        )
        .await
        .unwrap();
    let rows = store.scan("t", "a").await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].columns,
        cols(json!({"name": "one", "n": 2, "tags": ["x"]}))
    );
    assert_eq!(rows[0].position, Position(3));
    assert_eq!(
        (rows[1].clustering.as_str(), rows[1].position),
        ("2", Position(3))
    );
    assert!(rows[1].columns.is_empty());
    assert_eq!(store.checkpoint("p").await.unwrap(), Position(3));
}

async fn apply_all_applies_every_projection_and_moves_each_checkpoint(store: &dyn ReadStore) {
    store
        .apply(
            "q",
            &[upsert(1, "b", "1", json!({"v": "old"}))],
            Position(1),
        )
        .await
        .unwrap();
    let parts = [
        ProjectionOps {
            projection: "p",
            ops: vec![
                upsert(2, "a", "1", json!({"v": 1})),
                upsert(2, "a", "2", json!({"v": 2})),
            ],
        },
        ProjectionOps {
            projection: "q",
            ops: vec![
                delete(3, "a", "2"),
                upsert(3, "b", "2", json!({"v": "new"})),
            ],
        },
        ProjectionOps {
            projection: "idle",
            ops: Vec::new(),
        },
    ];
    store.apply_all(&parts, Position(3)).await.unwrap();
    let a = store.scan("t", "a").await.unwrap();
    // q's delete at 3 removes the row p wrote at 2, in whichever order the parts land.
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].clustering, "1");
    assert_eq!(a[0].columns, cols(json!({"v": 1})));
    let b = store.scan("t", "b").await.unwrap();
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(b[0].columns, cols(json!({"v": "old"})));
    assert_eq!(b[1].columns, cols(json!({"v": "new"})));
    for projection in ["p", "q", "idle"] {
        assert_eq!(
            store.checkpoint(projection).await.unwrap(),
            Position(3),
            "{projection}"
        );
    }
}

macro_rules! read_store_suite {
    ($module:ident, $open:expr) => {
        mod $module {
            use super::*;

            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test]
                    async fn $name() {
                        let (_guard, store) = $open.await;
                        store.migrate().await.unwrap();
                        super::$name(&store).await;
                    }
                };
            }

            case!(upserts_merge_columns_and_scan_in_clustering_order);
            case!(pages_walk_a_partition_in_order_skipping_deleted_rows);
            case!(replaying_older_events_changes_nothing);
            case!(deleted_partitions_stay_deleted_for_older_writes);
            case!(a_recreated_row_starts_from_empty_columns);
            case!(a_replayed_delete_does_not_remove_a_newer_row);
            case!(merges_across_applies_keep_untouched_columns);
            case!(apply_all_applies_every_projection_and_moves_each_checkpoint);
            case!(users_are_listed_paged_filtered_and_sorted);
            case!(groups_and_memberships_are_queried_per_tenant);
        }
    };
}

async fn open_embedded() -> (
    tempfile::TempDir,
    castellan_readers::embedded::EmbeddedReadStore,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = castellan_readers::embedded::EmbeddedReadStore::open(&dir.path().join("read.db"))
        .await
        .unwrap();
    (dir, store)
}

read_store_suite!(embedded, open_embedded());

/// A fresh keyspace on the test Cassandra, dropped (best effort) when the test ends, passed or not.
struct CassandraKeyspace {
    nodes: Vec<String>,
    keyspace: String,
}

impl Drop for CassandraKeyspace {
    fn drop(&mut self) {
        // The test's runtime is single-threaded and busy dropping us, so the drop runs on a
        // runtime (and a session) of its own.
        let nodes = std::mem::take(&mut self.nodes);
        let keyspace = std::mem::take(&mut self.keyspace);
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let Ok(session) = scylla::client::session_builder::SessionBuilder::new()
                    .known_nodes(&nodes)
                    .build()
                    .await
                else {
                    return;
                };
                let drop = format!("DROP KEYSPACE IF EXISTS \"{keyspace}\"");
                if let Err(error) = session.query_unpaged(drop, ()).await {
                    eprintln!("could not drop test keyspace {keyspace}: {error}");
                }
            });
        });
        let _ = dropper.join();
    }
}

fn cassandra_nodes() -> Vec<String> {
    let nodes = std::env::var("CASTELLAN_TEST_CASSANDRA_NODES").unwrap_or_default();
    let nodes: Vec<String> = nodes
        .split(',')
        .map(str::trim)
        .filter(|node| !node.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(
        !nodes.is_empty(),
        "the Cassandra read-store tests need a server: set CASTELLAN_TEST_CASSANDRA_NODES \
         (e.g. 127.0.0.1:59042, from infra/cassandra-up) or run scripts/test"
    );
    nodes
}

fn fresh_keyspace() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    // RandomState is seeded randomly per process (and moves on per instance).
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!(
        "castellan_test_{random:016x}_{:x}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn open_cassandra() -> (
    CassandraKeyspace,
    castellan_readers::scylla::ScyllaReadStore,
) {
    open_cassandra_with(castellan_readers::scylla::ScyllaOptions::default()).await
}

/// Every apply too large for one LOGGED batch: per-partition batches, then the checkpoint.
async fn open_cassandra_unbatched() -> (
    CassandraKeyspace,
    castellan_readers::scylla::ScyllaReadStore,
) {
    open_cassandra_with(castellan_readers::scylla::ScyllaOptions {
        max_logged_batch_bytes: 0,
        write_concurrency: 2,
        ..castellan_readers::scylla::ScyllaOptions::default()
    })
    .await
}

async fn open_cassandra_with(
    options: castellan_readers::scylla::ScyllaOptions,
) -> (
    CassandraKeyspace,
    castellan_readers::scylla::ScyllaReadStore,
) {
    let nodes = cassandra_nodes();
    let keyspace = fresh_keyspace();
    let guard = CassandraKeyspace {
        nodes: nodes.clone(),
        keyspace: keyspace.clone(),
    };
    let store =
        castellan_readers::scylla::ScyllaReadStore::connect_with(&nodes, &keyspace, options)
            .await
            .unwrap_or_else(|error| panic!("cannot reach Cassandra at {nodes:?}: {error}"));
    (guard, store)
}

read_store_suite!(cassandra, open_cassandra());
read_store_suite!(cassandra_unbatched, open_cassandra_unbatched());
