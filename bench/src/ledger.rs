//! Ledger append throughput, straight against the `Ledger` trait (no HTTP, no commands).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use castellan_core::NewEvent;
use castellan_core::clock::{Clock, SystemClock};
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::ledger::sqlite::SqliteLedger;
use castellan_writer::ledger::{AggregateAppend, AppendBatch, Ledger, LedgerError};
use serde_json::json;

use crate::Result;
use crate::stats::Latencies;

const INSTANCE: &str = "bench-instance";
const AGGREGATE_TYPE: &str = "bench";

/// How much work each scenario does.
#[derive(Clone, Copy, Debug)]
pub struct LedgerConfig {
    /// Events of the sequential and concurrent scenarios.
    pub events: u64,
}

impl LedgerConfig {
    /// Appends per batch scenario: enough events to match `events`, but at least 50 appends so
    /// that the percentiles mean something.
    fn batch_appends(self, batch_size: u64) -> u64 {
        (self.events / batch_size).max(50)
    }

    /// Successful appends of the contended scenario.
    fn contended_appends(self) -> u64 {
        (self.events / 4).max(50)
    }
}

/// One measured scenario.
#[derive(Debug)]
pub struct LedgerResult {
    pub backend: String,
    pub scenario: String,
    /// Successful appends.
    pub appends: u64,
    pub events: u64,
    pub elapsed: Duration,
    /// Append latency (for the contended scenario: from the first attempt to the success).
    pub latencies: Latencies,
    pub note: String,
}

/// Runs every scenario against a SQLite ledger in a new temporary directory under `tmp_base`.
pub async fn sqlite(config: LedgerConfig, tmp_base: &Path) -> Result<Vec<LedgerResult>> {
    let dir = tempfile::Builder::new()
        .prefix("castellan-bench-ledger-")
        .tempdir_in(tmp_base)?;
    let ledger = SqliteLedger::open(&dir.path().join("ledger.db")).await?;
    ledger.migrate().await?;
    let results = run_all("sqlite", Arc::new(ledger), config).await;
    dir.close()?;
    results
}

/// Runs every scenario against a PostgreSQL ledger in the (fresh) database at `url`.
pub async fn postgres(config: LedgerConfig, url: &str) -> Result<Vec<LedgerResult>> {
    let ledger = PostgresLedger::connect(url).await?;
    ledger.migrate().await?;
    let pool = ledger.pool().clone();
    let results = run_all("postgres", Arc::new(ledger), config).await;
    pool.close().await;
    results
}

async fn run_all(
    backend: &str,
    ledger: Arc<dyn Ledger>,
    config: LedgerConfig,
) -> Result<Vec<LedgerResult>> {
    warm_up(&ledger).await?;
    let mut results = Vec::new();
    let mut push = |result: LedgerResult| {
        print_result(&result);
        results.push(result);
    };

    push(sequential(backend, &ledger, config.events).await?);
    for batch_size in [10, 100] {
        push(
            batched(
                backend,
                &ledger,
                batch_size,
                config.batch_appends(batch_size),
            )
            .await?,
        );
    }
    for tasks in [1, 4, 16] {
        push(concurrent(backend, &ledger, tasks, config.events).await?);
    }
    push(contended(backend, &ledger, 8, config.contended_appends()).await?);
    Ok(results)
}

fn print_result(result: &LedgerResult) {
    let mut latencies = result.latencies.clone();
    println!(
        "  {:<8} {:<44} {:>6} appends {:>7} events in {:>7.2}s = {:>7} events/s, p50 {} ms, p99 {} ms {}",
        result.backend,
        result.scenario,
        result.appends,
        result.events,
        result.elapsed.as_secs_f64(),
        crate::stats::rate(result.events as f64, result.elapsed),
        crate::stats::ms(latencies.percentile(50.0)),
        crate::stats::ms(latencies.percentile(99.0)),
        result.note,
    );
}

fn event(n: u64) -> NewEvent {
    NewEvent {
        event_type: "bench.appended".into(),
        revision: 1,
        payload: json!({ "name": format!("bench-object-{n}"), "n": n }),
    }
}

fn batch(aggregate_id: &str, expected_version: i64, events: Vec<NewEvent>) -> AppendBatch {
    AppendBatch {
        appends: vec![AggregateAppend {
            instance_id: INSTANCE.into(),
            aggregate_type: AGGREGATE_TYPE.into(),
            aggregate_id: aggregate_id.into(),
            expected_version,
            resource_owner: INSTANCE.into(),
            creator: "castellan-bench".into(),
            events,
        }],
        unique: Vec::new(),
        created_at: SystemClock.now(),
    }
}

/// Opens the pool's connections and warms caches; not measured.
async fn warm_up(ledger: &Arc<dyn Ledger>) -> Result<()> {
    let mut handles = Vec::new();
    for task in 0..16_u64 {
        let ledger = Arc::clone(ledger);
        handles.push(tokio::spawn(async move {
            for n in 0..4_u64 {
                let id = format!("warmup-{task}-{n}");
                ledger.append(batch(&id, 0, vec![event(n)])).await?;
            }
            Ok::<(), LedgerError>(())
        }));
    }
    for handle in handles {
        handle.await??;
    }
    Ok(())
}

/// (a) One event per append, each to a new aggregate, one after the other.
async fn sequential(backend: &str, ledger: &Arc<dyn Ledger>, events: u64) -> Result<LedgerResult> {
    let mut latencies = Latencies::with_capacity(usize::try_from(events).unwrap_or_default());
    let started = Instant::now();
    for n in 0..events {
        let id = format!("seq-{n}");
        let begin = Instant::now();
        ledger.append(batch(&id, 0, vec![event(n)])).await?;
        latencies.record(begin.elapsed());
    }
    Ok(LedgerResult {
        backend: backend.into(),
        scenario: "single event, new aggregate, sequential".into(),
        appends: events,
        events,
        elapsed: started.elapsed(),
        latencies,
        note: String::new(),
    })
}

/// (b) `batch_size` events per append (one new aggregate per batch), sequential.
async fn batched(
    backend: &str,
    ledger: &Arc<dyn Ledger>,
    batch_size: u64,
    appends: u64,
) -> Result<LedgerResult> {
    let mut latencies = Latencies::with_capacity(usize::try_from(appends).unwrap_or_default());
    let started = Instant::now();
    for a in 0..appends {
        let id = format!("batch{batch_size}-{a}");
        let events = (0..batch_size).map(|n| event(a * batch_size + n)).collect();
        let begin = Instant::now();
        ledger.append(batch(&id, 0, events)).await?;
        latencies.record(begin.elapsed());
    }
    Ok(LedgerResult {
        backend: backend.into(),
        scenario: format!("batch of {batch_size} events, sequential"),
        appends,
        events: appends * batch_size,
        elapsed: started.elapsed(),
        latencies,
        note: String::new(),
    })
}

/// (c) `tasks` writers, each appending single events to its own aggregate; `events` in total.
async fn concurrent(
    backend: &str,
    ledger: &Arc<dyn Ledger>,
    tasks: u64,
    events: u64,
) -> Result<LedgerResult> {
    let per_task = (events / tasks).max(1);
    let started = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let ledger = Arc::clone(ledger);
        handles.push(tokio::spawn(async move {
            let id = format!("conc{tasks}-{task}");
            let mut latencies = Latencies::with_capacity(usize::try_from(per_task).unwrap_or(0));
            for n in 0..per_task {
                let expected = i64::try_from(n).unwrap_or(i64::MAX);
                let begin = Instant::now();
                ledger.append(batch(&id, expected, vec![event(n)])).await?;
                latencies.record(begin.elapsed());
            }
            Ok::<Latencies, LedgerError>(latencies)
        }));
    }
    let mut latencies = Latencies::default();
    for handle in handles {
        latencies.merge(handle.await??);
    }
    let elapsed = started.elapsed();
    Ok(LedgerResult {
        backend: backend.into(),
        scenario: format!("{tasks} concurrent writer(s), own aggregates"),
        appends: per_task * tasks,
        events: per_task * tasks,
        elapsed,
        latencies,
        note: String::new(),
    })
}

/// (d) `tasks` writers appending single events to ONE aggregate, retrying on conflict with the
/// version the conflict reports, until `target` appends succeeded.
async fn contended(
    backend: &str,
    ledger: &Arc<dyn Ledger>,
    tasks: u64,
    target: u64,
) -> Result<LedgerResult> {
    let successes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let ledger = Arc::clone(ledger);
        let successes = Arc::clone(&successes);
        handles.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let mut attempts = 0_u64;
            let mut conflicts = 0_u64;
            let mut expected = 0_i64;
            'appends: while successes.load(Ordering::Relaxed) < target {
                let first_attempt = Instant::now();
                loop {
                    attempts += 1;
                    let n = u64::try_from(expected).unwrap_or_default();
                    match ledger
                        .append(batch("contended", expected, vec![event(n)]))
                        .await
                    {
                        Ok(appended) => {
                            expected = appended
                                .events
                                .last()
                                .map_or(expected + 1, |event| event.sequence);
                            successes.fetch_add(1, Ordering::Relaxed);
                            latencies.record(first_attempt.elapsed());
                            break;
                        }
                        Err(LedgerError::Conflict { actual, .. }) => {
                            conflicts += 1;
                            expected = actual;
                            if successes.load(Ordering::Relaxed) >= target {
                                break 'appends;
                            }
                        }
                        Err(other) => return Err(other),
                    }
                }
            }
            Ok::<_, LedgerError>((latencies, attempts, conflicts))
        }));
    }
    let mut latencies = Latencies::default();
    let (mut attempts, mut conflicts) = (0_u64, 0_u64);
    for handle in handles {
        let (task_latencies, task_attempts, task_conflicts) = handle.await??;
        latencies.merge(task_latencies);
        attempts += task_attempts;
        conflicts += task_conflicts;
    }
    let elapsed = started.elapsed();
    let appends = successes.load(Ordering::Relaxed);
    let conflict_rate = if attempts == 0 {
        0.0
    } else {
        conflicts as f64 * 100.0 / attempts as f64
    };
    Ok(LedgerResult {
        backend: backend.into(),
        scenario: format!("{tasks} writers, ONE aggregate, retry on conflict"),
        appends,
        events: appends,
        elapsed,
        latencies,
        note: format!(
            "{attempts} attempts, {conflicts} conflicts ({conflict_rate:.1}% of attempts); latency includes retries"
        ),
    })
}
