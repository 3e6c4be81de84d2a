//! The distributed pipeline: relay throughput (ledger → Kafka), reader throughput (Kafka →
//! Cassandra) with one and two reader processes, and end-to-end lag from commit to queryable at a
//! fixed write rate. Real `castellan` processes per role; real PostgreSQL, Kafka and Cassandra.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use castellan_core::clock::Timestamp;
use castellan_core::event::{encode, partition_of, stream_key};
use castellan_core::org::OrgEvent;
use castellan_core::{Event, Position};
use castellan_readers::scylla::ScyllaReadStore;
use castellan_readers::store::{ReadError, ReadStore};
use castellan_readers::tables::STREAM_PROGRESS;
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::ledger::{AggregateAppend, AppendBatch, Ledger};
use sqlx::Row;

use crate::Result;
use crate::pg::FreshDatabase;
use crate::stats::Latencies;

const PARTITIONS: u32 = 6;

/// When the progress table was read, and the position applied per partition.
type Sample = (Instant, Vec<Position>);
const INSTANCE: &str = "bench-instance";
/// A bound on every wait (not a measurement).
const WAIT_LIMIT: Duration = Duration::from_secs(300);

#[derive(Clone, Debug)]
pub struct PipelineConfig {
    pub bin: PathBuf,
    pub tmp_base: PathBuf,
    pub postgres_url: String,
    pub brokers: String,
    pub cassandra_nodes: String,
    /// Events written before the relay and reader throughput runs.
    pub events: u64,
    /// Events per second during the lag measurement.
    pub rate: u32,
    pub lag_duration: Duration,
}

#[derive(Debug)]
pub struct Throughput {
    pub what: String,
    pub events: u64,
    pub elapsed: Duration,
    pub note: String,
}

#[derive(Debug)]
pub struct PipelineResults {
    pub throughput: Vec<Throughput>,
    pub lag_rate: u32,
    pub lag_events: u64,
    pub lag: Latencies,
    pub lag_poll: Duration,
    pub lag_unseen: u64,
}

/// One castellan process running some roles.
struct RoleProcess {
    child: Child,
    _dir: tempfile::TempDir,
}

impl RoleProcess {
    fn spawn(config: &PipelineConfig, env: &[(String, String)], roles: &str) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("castellan-pipeline-")
            .tempdir_in(&config.tmp_base)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = std::fs::File::create(dir.path().join("castellan.log"))?;
        let mut command = Command::new(&config.bin);
        command
            .arg("start")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CASTELLAN_PORT", port.to_string())
            .env("CASTELLAN_DATA_DIR", dir.path())
            .env("CASTELLAN_LOG_LEVEL", "warn")
            .env("CASTELLAN_ROLES", roles)
            .stdout(Stdio::null())
            .stderr(log);
        for (name, value) in env {
            command.env(name, value);
        }
        Ok(Self {
            child: command.spawn()?,
            _dir: dir,
        })
    }
}

impl Drop for RoleProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn deployment_env(
    config: &PipelineConfig,
    dsn: &str,
    suffix: u32,
    keyspace: &str,
    group: &str,
) -> Vec<(String, String)> {
    vec![
        ("CASTELLAN_DATABASE_POSTGRES_DSN".into(), dsn.into()),
        ("CASTELLAN_KAFKA_BROKERS".into(), config.brokers.clone()),
        (
            "CASTELLAN_KAFKA_TOPIC".into(),
            format!("castellan.bench.{suffix}"),
        ),
        ("CASTELLAN_KAFKA_PARTITIONS".into(), PARTITIONS.to_string()),
        ("CASTELLAN_KAFKA_GROUPID".into(), group.into()),
        (
            "CASTELLAN_CASSANDRA_NODES".into(),
            config.cassandra_nodes.clone(),
        ),
        ("CASTELLAN_CASSANDRA_KEYSPACE".into(), keyspace.into()),
    ]
}

/// Appends `count` org.added events (each its own aggregate) in batches of `batch`.
async fn write_orgs(
    ledger: &PostgresLedger,
    from: u64,
    count: u64,
    batch: u64,
) -> Result<Vec<Event>> {
    let mut written = Vec::with_capacity(count as usize);
    let mut n = from;
    while n < from + count {
        let end = (n + batch).min(from + count);
        let mut appends = Vec::new();
        for id in n..end {
            let event = encode(&OrgEvent::Added {
                name: format!("Bench org {id}"),
            })?;
            appends.push(AggregateAppend {
                instance_id: INSTANCE.into(),
                aggregate_type: "org".into(),
                aggregate_id: format!("bench-org-{id}"),
                expected_version: 0,
                resource_owner: format!("bench-org-{id}"),
                creator: "bench".into(),
                events: vec![event],
            });
        }
        let appended = ledger
            .append(AppendBatch {
                appends,
                unique: Vec::new(),
                created_at: Timestamp(0),
            })
            .await?;
        written.extend(appended.events);
        n = end;
    }
    Ok(written)
}

/// The highest position per partition among `events`.
fn targets(events: &[Event]) -> Vec<Position> {
    let mut highest = vec![Position::START; PARTITIONS as usize];
    for event in events {
        let partition = partition_of(&stream_key(event), PARTITIONS) as usize;
        if let Some(slot) = highest.get_mut(partition) {
            *slot = (*slot).max(event.position);
        }
    }
    highest
}

async fn progress(store: &ScyllaReadStore) -> std::result::Result<Vec<Position>, ReadError> {
    let mut positions = Vec::with_capacity(PARTITIONS as usize);
    for partition in 0..PARTITIONS {
        let row = store
            .get(STREAM_PROGRESS, "", &partition.to_string())
            .await?;
        positions.push(Position(
            row.and_then(|r| {
                r.columns
                    .get("position")
                    .and_then(serde_json::Value::as_i64)
            })
            .unwrap_or(0),
        ));
    }
    Ok(positions)
}

async fn wait_for_progress(store: &ScyllaReadStore, targets: &[Position]) -> Result<()> {
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        let reached = progress(store).await.unwrap_or_default();
        if reached.len() == targets.len() && reached.iter().zip(targets).all(|(r, t)| r >= t) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("readers did not reach the ledger's head in time".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn relay_checkpoint(dsn: &str) -> Result<i64> {
    let pool = sqlx::PgPool::connect(dsn).await?;
    let row = sqlx::query("SELECT position FROM castellan.checkpoints WHERE name = 'kafka-relay'")
        .fetch_optional(&pool)
        .await?;
    pool.close().await;
    Ok(row
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .unwrap_or(0))
}

async fn open_store(config: &PipelineConfig, keyspace: &str) -> Result<ScyllaReadStore> {
    let nodes: Vec<String> = config
        .cassandra_nodes
        .split(',')
        .map(str::to_owned)
        .collect();
    let store = ScyllaReadStore::connect(&nodes, keyspace).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn run(config: &PipelineConfig) -> Result<PipelineResults> {
    let database = FreshDatabase::create(&config.postgres_url).await?;
    let result = measure(config, &database.url).await;
    database.drop_now().await?;
    result
}

async fn measure(config: &PipelineConfig, dsn: &str) -> Result<PipelineResults> {
    let suffix = rand::random::<u32>();
    let ledger = PostgresLedger::connect(dsn).await?;
    ledger.migrate().await?;
    println!("pipeline: writing {} events to the ledger", config.events);
    let written = write_orgs(&ledger, 0, config.events, 100).await?;
    let head = written.last().map(|e| e.position.0).unwrap_or(0);
    let mut throughput = Vec::new();

    // Relay: from spawn until its checkpoint covers the whole ledger.
    let env_one = deployment_env(
        config,
        dsn,
        suffix,
        &format!("bench_one_{suffix}"),
        &format!("bench-one-{suffix}"),
    );
    let started = Instant::now();
    let relay = RoleProcess::spawn(config, &env_one, "relay")?;
    loop {
        if relay_checkpoint(dsn).await.unwrap_or(0) >= head {
            break;
        }
        if started.elapsed() > WAIT_LIMIT {
            return Err("the relay did not publish the ledger in time".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    throughput.push(Throughput {
        what: "relay: ledger → Kafka (acks=all, idempotent)".into(),
        events: config.events,
        elapsed: started.elapsed(),
        note: "from process spawn (includes connecting and creating the topic)".into(),
    });

    // Readers: a fresh group and keyspace each time, so both runs do the same work.
    let targets = targets(&written);
    for readers in [1usize, 2] {
        let keyspace = format!("bench_r{readers}_{suffix}");
        let env = deployment_env(
            config,
            dsn,
            suffix,
            &keyspace,
            &format!("bench-r{readers}-{suffix}"),
        );
        let store = open_store(config, &keyspace).await?;
        let started = Instant::now();
        let processes: Vec<RoleProcess> = (0..readers)
            .map(|_| RoleProcess::spawn(config, &env, "reader"))
            .collect::<Result<_>>()?;
        wait_for_progress(&store, &targets).await?;
        throughput.push(Throughput {
            what: format!("readers: Kafka → Cassandra, {readers} process(es)"),
            events: config.events,
            elapsed: started.elapsed(),
            note: "from process spawn (includes joining the group)".into(),
        });
        drop(processes);
    }

    // Lag: a relay and one reader running; commit at a fixed rate, watch the progress table.
    let lag_keyspace = format!("bench_lag_{suffix}");
    let lag_env = deployment_env(
        config,
        dsn,
        suffix,
        &lag_keyspace,
        &format!("bench-lag-{suffix}"),
    );
    let lag_store = Arc::new(open_store(config, &lag_keyspace).await?);
    let reader = RoleProcess::spawn(config, &lag_env, "reader")?;
    // Let the reader catch up with the backlog first, so only fresh events are timed.
    wait_for_progress(&lag_store, &targets).await?;
    let poll = Duration::from_millis(10);
    // A separate task samples the progress table; each sample is (when, position per partition).
    let samples: Arc<std::sync::Mutex<Vec<Sample>>> = Arc::default();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let sampler = {
        let samples = samples.clone();
        let store = lag_store.clone();
        tokio::spawn(async move {
            while !*stopped.borrow() {
                let reached = progress(&store).await;
                if let (Ok(reached), Ok(mut all)) = (reached, samples.lock()) {
                    all.push((Instant::now(), reached));
                }
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stopped.changed() => {}
                }
            }
        })
    };
    let total = (f64::from(config.rate) * config.lag_duration.as_secs_f64()) as u64;
    let interval = Duration::from_secs_f64(1.0 / f64::from(config.rate.max(1)));
    let mut commits: Vec<(usize, Position, Instant)> = Vec::with_capacity(total as usize);
    let mut next = Instant::now();
    for n in 0..total {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let events = write_orgs(&ledger, config.events + n, 1, 1).await?;
        let committed = Instant::now();
        for event in events {
            let partition = partition_of(&stream_key(&event), PARTITIONS) as usize;
            commits.push((partition, event.position, committed));
        }
    }
    let final_targets = {
        let mut highest = vec![Position::START; PARTITIONS as usize];
        for (partition, position, _) in &commits {
            if let Some(slot) = highest.get_mut(*partition) {
                *slot = (*slot).max(*position);
            }
        }
        highest
    };
    let caught_up = wait_for_progress(&lag_store, &final_targets).await;
    tokio::time::sleep(poll * 3).await;
    let _ = stop.send(true);
    let _ = sampler.await;
    caught_up?;
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let mut lag = Latencies::with_capacity(commits.len());
    let mut unseen = 0;
    for (partition, position, committed) in &commits {
        let visible = samples.iter().find(|(at, reached)| {
            at >= committed && reached.get(*partition).is_some_and(|p| p >= position)
        });
        match visible {
            Some((at, _)) => lag.record(at.saturating_duration_since(*committed)),
            None => unseen += 1,
        }
    }
    drop(reader);
    drop(relay);
    Ok(PipelineResults {
        throughput,
        lag_rate: config.rate,
        lag_events: commits.len() as u64,
        lag,
        lag_poll: poll,
        lag_unseen: unseen,
    })
}
