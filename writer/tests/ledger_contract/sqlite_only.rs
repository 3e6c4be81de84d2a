//! SQLite only: the file survives a reopen, and two ledgers on one file (as two processes would
//! be) still append in one gap-free order.

use std::sync::Arc;

use castellan_core::{Event, Position};
use castellan_writer::ledger::Ledger;
use castellan_writer::ledger::sqlite::SqliteLedger;

use crate::support::{INSTANCE, aggregate, assert_strictly_increasing, batch, changes, read_all};

#[tokio::test]
async fn sqlite_reopen_keeps_acknowledged_events() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ledger.db");
    let first = {
        let ledger = SqliteLedger::open(&path).await.unwrap();
        ledger.migrate().await.unwrap();
        let appended = ledger
            .append(batch(vec![aggregate(
                "user",
                "user-1",
                0,
                changes("user", 3),
            )]))
            .await
            .unwrap();
        assert!(
            directory.path().join("ledger.db-wal").exists(),
            "the ledger is not in WAL mode"
        );
        appended
    };

    let reopened = SqliteLedger::open(&path).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(read_all(&reopened).await, first.events);
    assert_eq!(reopened.head().await.unwrap(), first.position());
    let next = reopened
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            3,
            changes("user", 1),
        )]))
        .await
        .unwrap();
    assert_eq!(next.events[0].sequence, 4);
    assert!(next.position() > first.position());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_ledgers_on_one_file_share_one_order() {
    const WRITERS: usize = 6;
    const BATCHES: usize = 20;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ledger.db");
    let one = Arc::new(SqliteLedger::open(&path).await.unwrap());
    one.migrate().await.unwrap();
    let two = Arc::new(SqliteLedger::open(&path).await.unwrap());

    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let ledger = if writer % 2 == 0 {
            Arc::clone(&one)
        } else {
            Arc::clone(&two)
        };
        tasks.push(tokio::spawn(async move {
            let id = format!("writer-{writer}");
            for version in 0..BATCHES as i64 {
                let appends = vec![aggregate("user", &id, version, changes("user", 1))];
                ledger.append(batch(appends)).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let all: Vec<Event> = read_all(&*two).await;
    assert_eq!(all.len(), WRITERS * BATCHES);
    assert_strictly_increasing(&all);
    // One writer at a time: positions are dense, 1..=N.
    let positions: Vec<Position> = all.iter().map(|event| event.position).collect();
    let dense: Vec<Position> = (1..=all.len() as i64).map(Position).collect();
    assert_eq!(positions, dense);
    for writer in 0..WRITERS {
        let stream = one
            .read_aggregate(INSTANCE, "user", &format!("writer-{writer}"))
            .await
            .unwrap();
        let sequences: Vec<i64> = stream.iter().map(|event| event.sequence).collect();
        assert_eq!(sequences, (1..=BATCHES as i64).collect::<Vec<_>>());
    }
}

/// A tail filtered by event type only (the back-channel logout worker, the mail notifier, sinks
/// with an event type filter) must seek through an index: a walk of every event after the
/// consumer's last match cost one full scan per append and grew with the ledger (issue #8).
#[tokio::test]
async fn sqlite_event_type_tails_use_an_index() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ledger.db");
    let ledger = SqliteLedger::open(&path).await.unwrap();
    ledger.migrate().await.unwrap();
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        path.display()
    ))
    .await
    .unwrap();
    // The statement `Ledger::read` builds for `after` + `event_types` + `limit`.
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT * FROM events WHERE position > ? \
         AND event_type IN (?, ?, ?) ORDER BY position ASC LIMIT ?",
    )
    .bind(0_i64)
    .bind("a")
    .bind("b")
    .bind("c")
    .bind(100_i64)
    .fetch_all(&mut connection)
    .await
    .unwrap();
    let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
    assert!(
        steps
            .iter()
            .any(|step| step.starts_with("SEARCH events USING INDEX events_event_position")),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|step| step.starts_with("SCAN")),
        "{steps:?}"
    );
}
