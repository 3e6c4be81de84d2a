//! The read-store contract: one suite, instantiated for every implementation of `ReadStore`.
//! (The ScyllaDB store joins with issue #3 by adding one line to `read_store_suite!`.)

use castellan_core::Position;
use castellan_readers::store::{Columns, PositionedOp, ReadStore, RowOp};
use serde_json::json;

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
            case!(replaying_older_events_changes_nothing);
            case!(deleted_partitions_stay_deleted_for_older_writes);
            case!(a_recreated_row_starts_from_empty_columns);
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
