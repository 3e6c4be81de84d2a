//! PostgreSQL only: commits out of xid order, deterministically. The transaction-id horizon must
//! hold back every position at or above the oldest running transaction until it finishes.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::{Event, Position};
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::ledger::{EventFilter, Ledger, LedgerError};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::support::postgres::run;
use crate::support::{INSTANCE, aggregate, batch, changes, read_all_through, settle};

/// What the ledger reads after `after` right now.
async fn read_after(ledger: &PostgresLedger, after: Position) -> Vec<Event> {
    ledger
        .read(&EventFilter {
            after,
            ..EventFilter::default()
        })
        .await
        .unwrap()
}

/// Positions a naive tail (`position > after`, no horizon) would deliver right now.
async fn naive_positions(ledger: &PostgresLedger, after: Position) -> Vec<Position> {
    let positions: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM castellan.events WHERE position > $1 ORDER BY position",
    )
    .bind(after.0)
    .fetch_all(ledger.pool())
    .await
    .unwrap();
    positions.into_iter().map(Position).collect()
}

/// For a while, the gap-free read after `after` returns nothing and the head stays at `after`.
async fn assert_held_back(ledger: &PostgresLedger, after: Position) {
    for _ in 0..10 {
        let read = read_after(ledger, after).await;
        assert!(read.is_empty(), "read past an open transaction: {read:?}");
        assert_eq!(ledger.head().await.unwrap(), after);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A first appends (xid taken, uncommitted); B starts later and commits first. B is visible to
/// a naive tail, so a naive tailer would deliver B and then never see A. `read` must hold B
/// back until A commits, then deliver A before B.
async fn later_commit_waits_for_earlier_transaction(ledger: Arc<PostgresLedger>) {
    let before = ledger
        .append(batch(vec![aggregate(
            "user",
            "before",
            0,
            changes("user", 1),
        )]))
        .await
        .unwrap();
    settle(&*ledger, before.position()).await;

    let held = ledger
        .prepare_append(batch(vec![aggregate("user", "a", 0, changes("user", 2))]))
        .await
        .unwrap();
    let a_events = held.events().to_vec();
    let b = ledger
        .append(batch(vec![aggregate("user", "b", 0, changes("user", 1))]))
        .await
        .unwrap();
    assert!(a_events[0].position > before.position());
    assert!(b.position() > a_events[1].position, "B must sort after A");

    // The scenario is real: B is committed and visible below A's future commit.
    assert_eq!(
        naive_positions(&ledger, before.position()).await,
        vec![b.position()]
    );
    assert_held_back(&ledger, before.position()).await;
    // Aggregate reads are not bounded by the horizon.
    assert_eq!(
        ledger.read_aggregate(INSTANCE, "user", "b").await.unwrap(),
        b.events
    );

    let a = held.commit().await.unwrap();
    assert_eq!(a.events, a_events);
    settle(&*ledger, b.position()).await;
    let tail = read_after(&ledger, before.position()).await;
    let expected: Vec<Event> = a.events.iter().chain(&b.events).cloned().collect();
    assert_eq!(tail, expected);
    assert_eq!(ledger.head().await.unwrap(), b.position());
}

/// An open transaction that rolls back releases the tail without leaving anything behind.
async fn rolled_back_transaction_releases_the_tail(ledger: Arc<PostgresLedger>) {
    let held = ledger
        .prepare_append(batch(vec![aggregate("user", "a", 0, changes("user", 3))]))
        .await
        .unwrap();
    let b = ledger
        .append(batch(vec![aggregate("user", "b", 0, changes("user", 1))]))
        .await
        .unwrap();
    assert_held_back(&ledger, Position::START).await;
    drop(held);
    assert_eq!(read_all_through(&*ledger, b.position()).await, b.events);
    assert!(
        ledger
            .read_aggregate(INSTANCE, "user", "a")
            .await
            .unwrap()
            .is_empty()
    );
}

/// The documented caveat: any transaction holding an xid (here: a plain connection, not the
/// ledger) holds the tail back until it ends.
async fn foreign_transaction_holds_back_the_tail(ledger: Arc<PostgresLedger>) {
    let mut foreign: PgConnection = ledger.pool().acquire().await.unwrap().detach();
    let mut transaction = foreign.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *transaction)
        .await
        .unwrap();
    let b = ledger
        .append(batch(vec![aggregate("user", "b", 0, changes("user", 2))]))
        .await
        .unwrap();
    assert_held_back(&ledger, Position::START).await;
    transaction.commit().await.unwrap();
    assert_eq!(read_all_through(&*ledger, b.position()).await, b.events);
    foreign.close().await.unwrap();
}

/// Two batches pass the version check for the same new aggregate; the second's insert waits for
/// the first's and then collides on the primary key. That must be a conflict naming the actual
/// version, and the loser writes nothing.
async fn insert_race_is_a_conflict(ledger: Arc<PostgresLedger>) {
    let mut loser_batch = batch(vec![
        aggregate("org", "loser-only", 0, changes("org", 1)),
        aggregate("user", "contested", 0, changes("user", 1)),
    ]);
    loser_batch.appends.reverse();
    let winner = ledger
        .prepare_append(batch(vec![aggregate(
            "user",
            "contested",
            0,
            changes("user", 2),
        )]))
        .await
        .unwrap();
    let loser = tokio::spawn({
        let ledger = Arc::clone(&ledger);
        async move { ledger.append(loser_batch).await }
    });

    // Wait until the loser is blocked on the winner's uncommitted row.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(ledger.pool())
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            !loser.is_finished(),
            "the loser finished before the winner committed"
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "the loser never blocked"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let won = winner.commit().await.unwrap();
    match loser.await.unwrap() {
        Err(LedgerError::Conflict {
            aggregate_id,
            expected,
            actual,
            ..
        }) => {
            assert_eq!(aggregate_id, "contested");
            assert_eq!(expected, 0);
            assert_eq!(actual, 2);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(read_all_through(&*ledger, won.position()).await, won.events);
    assert!(
        ledger
            .read_aggregate(INSTANCE, "org", "loser-only")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_later_commit_waits_for_earlier_transaction() {
    run(later_commit_waits_for_earlier_transaction).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_rolled_back_transaction_releases_the_tail() {
    run(rolled_back_transaction_releases_the_tail).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_foreign_transaction_holds_back_the_tail() {
    run(foreign_transaction_holds_back_the_tail).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_insert_race_is_a_conflict() {
    run(insert_race_is_a_conflict).await;
}
