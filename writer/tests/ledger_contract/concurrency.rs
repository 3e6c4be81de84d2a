//! Concurrent writers: optimistic concurrency on one aggregate, and a gap-free tail under load.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use castellan_core::{Event, Position};
use castellan_writer::ledger::{EventFilter, LedgerError};
use serde_json::json;
use tokio::sync::{Barrier, watch};

use crate::support::{
    INSTANCE, Rng, TestLedger, aggregate, assert_strictly_increasing, batch, changes, new_event,
    read_all_through,
};

const RACERS: usize = 16;

/// The version of the shared aggregate (its last sequence).
async fn version_of<L: TestLedger>(ledger: &L, aggregate_id: &str) -> i64 {
    let events = ledger
        .read_aggregate(INSTANCE, "user", aggregate_id)
        .await
        .unwrap();
    events.last().map(|event| event.sequence).unwrap_or(0)
}

fn assert_gapless_sequences(events: &[Event]) {
    let sequences: Vec<i64> = events.iter().map(|event| event.sequence).collect();
    let expected: Vec<i64> = (1..).take(events.len()).collect();
    assert_eq!(sequences, expected);
    assert_strictly_increasing(events);
}

pub async fn racing_appends_have_one_winner_per_version<L: TestLedger>(ledger: Arc<L>) {
    const ROUNDS: i64 = 5;
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for racer in 0..RACERS {
        let ledger = Arc::clone(&ledger);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let mut wins = Vec::new();
            let mut conflicts = 0;
            for round in 0..ROUNDS {
                barrier.wait().await; // the previous round is over
                let version = version_of(&*ledger, "racer").await;
                assert_eq!(version, round, "exactly one append per round");
                barrier.wait().await; // everyone read the same version
                let event = new_event("user.changed", json!({ "racer": racer, "round": round }));
                let result = ledger
                    .append(batch(vec![aggregate(
                        "user",
                        "racer",
                        version,
                        vec![event],
                    )]))
                    .await;
                match result {
                    Ok(appended) => wins.push((round, appended.events)),
                    Err(LedgerError::Conflict {
                        expected, actual, ..
                    }) => {
                        assert_eq!(expected, version);
                        assert!(actual > version, "actual {actual} <= expected {expected}");
                        conflicts += 1;
                    }
                    Err(other) => panic!("racer {racer}: {other:?}"),
                }
            }
            (racer, wins, conflicts)
        }));
    }

    let mut winners: BTreeMap<i64, (usize, Vec<Event>)> = BTreeMap::new();
    let mut conflicts = 0;
    for task in tasks {
        let (racer, wins, lost) = task.await.unwrap();
        conflicts += lost;
        for (round, events) in wins {
            let previous = winners.insert(round, (racer, events));
            assert!(previous.is_none(), "two winners in round {round}");
        }
    }
    assert_eq!(winners.len(), ROUNDS as usize, "a round without a winner");
    assert_eq!(conflicts, ROUNDS as usize * (RACERS - 1));

    let stream = ledger
        .read_aggregate(INSTANCE, "user", "racer")
        .await
        .unwrap();
    assert_gapless_sequences(&stream);
    for (event, (round, (racer, won))) in stream.iter().zip(&winners) {
        assert_eq!(event.sequence, round + 1);
        assert_eq!(event.payload["racer"], json!(racer));
        assert_eq!(std::slice::from_ref(event), &won[..]);
    }
}

pub async fn retrying_appends_all_land<L: TestLedger>(ledger: Arc<L>) {
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for racer in 0..RACERS {
        let ledger = Arc::clone(&ledger);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0_usize;
            let mut version = version_of(&*ledger, "counter").await;
            // Every racer read version 0 before anyone appends: at least RACERS - 1 conflicts.
            barrier.wait().await;
            loop {
                let event = new_event("user.changed", json!({ "racer": racer }));
                let result = ledger
                    .append(batch(vec![aggregate(
                        "user",
                        "counter",
                        version,
                        vec![event],
                    )]))
                    .await;
                match result {
                    Ok(_) => return conflicts,
                    Err(LedgerError::Conflict { .. }) => {
                        conflicts += 1;
                        assert!(conflicts < 10_000, "racer {racer} starves");
                        version = version_of(&*ledger, "counter").await;
                    }
                    Err(other) => panic!("racer {racer}: {other:?}"),
                }
            }
        }));
    }
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.unwrap();
    }
    assert!(conflicts >= RACERS - 1, "only {conflicts} conflicts");

    let stream = ledger
        .read_aggregate(INSTANCE, "user", "counter")
        .await
        .unwrap();
    assert_eq!(stream.len(), RACERS);
    assert_gapless_sequences(&stream);
    let mut racers: Vec<u64> = stream
        .iter()
        .map(|event| event.payload["racer"].as_u64().unwrap())
        .collect();
    racers.sort_unstable();
    assert_eq!(racers, (0..RACERS as u64).collect::<Vec<_>>());
}

/// Tails `read(after = last)` until it has delivered `target` (once the writers set it),
/// publishing how many events it has seen on `progress`. Returns what it saw and how many
/// non-empty reads happened while the writers were running.
async fn tail<L: TestLedger>(
    ledger: Arc<L>,
    target: watch::Receiver<Option<Position>>,
    progress: watch::Sender<usize>,
) -> (Vec<Event>, usize) {
    let mut rng = Rng::new();
    let mut seen: Vec<Event> = Vec::new();
    let mut reads_during_load = 0;
    loop {
        let after = seen.last().map(|event| event.position).unwrap_or_default();
        let limit = rng.between(1, 40) as usize;
        let page = ledger
            .read(&EventFilter {
                after,
                limit,
                ..EventFilter::default()
            })
            .await
            .unwrap();
        let finished = *target.borrow();
        if page.is_empty() {
            if finished.is_some_and(|target| after >= target) {
                return (seen, reads_during_load);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        }
        assert!(page.len() <= limit);
        assert!(page[0].position > after);
        assert_strictly_increasing(&page);
        if finished.is_none() {
            reads_during_load += 1;
        }
        seen.extend(page);
        progress.send_replace(seen.len());
    }
}

pub async fn tail_is_gap_free_under_concurrent_appends<L: TestLedger>(ledger: Arc<L>) {
    const WRITERS: usize = 8;
    const BATCHES_PER_WRITER: usize = 30;
    let (target_tx, target_rx) = watch::channel(None);
    let (progress_tx, progress_rx) = watch::channel(0);
    let tailer = tokio::spawn(tail(Arc::clone(&ledger), target_rx, progress_tx));

    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let ledger = Arc::clone(&ledger);
        let mut progress = progress_rx.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = Rng::new();
            let mut versions = [0_i64; 3];
            let mut written: Vec<Event> = Vec::new();
            for round in 0..BATCHES_PER_WRITER {
                if round == BATCHES_PER_WRITER / 2 {
                    // Halfway, make sure the tailer is reading while writes are still to come
                    // (its tail may trail while other transactions in the cluster run).
                    progress.wait_for(|seen| *seen > 0).await.unwrap();
                }
                // 1-5 events over one or two of this writer's aggregates.
                let size = rng.between(1, 5) as usize;
                let first = rng.between(0, 2) as usize;
                let split = if size > 1 && rng.between(0, 1) == 1 {
                    rng.between(1, size as u64 - 1) as usize
                } else {
                    size
                };
                let mut parts = vec![(first, split)];
                if split < size {
                    parts.push(((first + 1) % 3, size - split));
                }
                let appends = parts
                    .iter()
                    .map(|&(index, count)| {
                        let id = format!("w{writer}-a{index}");
                        aggregate("user", &id, versions[index], changes("user", count))
                    })
                    .collect();
                let hold = match rng.between(0, 9) {
                    0..=2 => Duration::from_millis(rng.between(1, 15)),
                    _ => Duration::ZERO,
                };
                let appended = ledger.append_holding(batch(appends), hold).await.unwrap();
                for &(index, count) in &parts {
                    versions[index] += count as i64;
                }
                written.extend(appended.events);
            }
            written
        }));
    }
    let mut written: Vec<Event> = Vec::new();
    for writer in writers {
        written.extend(writer.await.unwrap());
    }
    written.sort_by_key(|event| event.position);
    let last = written.last().unwrap().position;
    target_tx.send(Some(last)).unwrap();

    let (seen, reads_during_load) = tailer.await.unwrap();
    let full = read_all_through(&*ledger, last).await;
    assert_eq!(full.len(), written.len());
    assert_eq!(
        full, written,
        "the table differs from what the writers were told"
    );
    assert_eq!(
        seen.len(),
        full.len(),
        "the tailer missed or repeated events"
    );
    assert_eq!(seen, full, "the tailer's stream differs from the table");
    assert!(
        reads_during_load > 0,
        "the tailer did not run during the load"
    );

    // Per-aggregate order survives in the global order.
    let mut by_aggregate: BTreeMap<&str, Vec<Event>> = BTreeMap::new();
    for event in &seen {
        by_aggregate
            .entry(event.aggregate_id.as_str())
            .or_default()
            .push(event.clone());
    }
    for (aggregate_id, events) in by_aggregate {
        assert_gapless_sequences(&events);
        let stored = ledger
            .read_aggregate(INSTANCE, "user", aggregate_id)
            .await
            .unwrap();
        assert_eq!(stored, events, "{aggregate_id}");
    }
}
