//! Harnesses (a fresh ledger per test, per backend) and builders shared by the suite.

use std::any::Any;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::clock::Timestamp;
use castellan_core::{Event, NewEvent, Position};
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::ledger::sqlite::SqliteLedger;
use castellan_writer::ledger::{
    AggregateAppend, AppendBatch, Appended, EventFilter, Ledger, LedgerError,
};
use serde_json::{Value, json};

/// The instance most tests write to.
pub const INSTANCE: &str = "instance-1";
/// The (injected) command time of the builders' batches; microsecond precision on purpose.
pub const CREATED_AT: Timestamp = Timestamp(1_700_000_000_123_457);
/// How long one test may run before it fails instead of hanging.
const TEST_TIMEOUT: Duration = Duration::from_secs(180);
/// How long [`settle`] waits for the safe head to reach a position.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A ledger the suite can drive, plus the one hook the load tests need.
#[async_trait]
pub trait TestLedger: Ledger {
    /// Appends like [`Ledger::append`], but holds the transaction open for `hold` before the
    /// commit, so that commits happen out of the order in which the batches started.
    async fn append_holding(
        &self,
        batch: AppendBatch,
        hold: Duration,
    ) -> Result<Appended, LedgerError>;
}

#[async_trait]
impl TestLedger for SqliteLedger {
    async fn append_holding(
        &self,
        batch: AppendBatch,
        hold: Duration,
    ) -> Result<Appended, LedgerError> {
        let prepared = self.prepare_append(batch).await?;
        tokio::time::sleep(hold).await;
        prepared.commit().await
    }
}

#[async_trait]
impl TestLedger for PostgresLedger {
    async fn append_holding(
        &self,
        batch: AppendBatch,
        hold: Duration,
    ) -> Result<Appended, LedgerError> {
        let prepared = self.prepare_append(batch).await?;
        tokio::time::sleep(hold).await;
        prepared.commit().await
    }
}

/// Runs a test body on its own task with a timeout; returns its panic instead of unwinding, so
/// the harness can clean up first.
async fn run_isolated<Fut>(body: Fut) -> Result<(), Box<dyn Any + Send>>
where
    Fut: Future<Output = ()> + Send + 'static,
{
    let guarded = async move {
        if tokio::time::timeout(TEST_TIMEOUT, body).await.is_err() {
            panic!("test did not finish within {TEST_TIMEOUT:?}");
        }
    };
    match tokio::spawn(guarded).await {
        Ok(()) => Ok(()),
        Err(error) if error.is_panic() => Err(error.into_panic()),
        Err(error) => Err(Box::new(format!("test task failed: {error}"))),
    }
}

pub mod sqlite {
    use std::future::Future;
    use std::sync::Arc;

    use castellan_writer::ledger::Ledger;
    use castellan_writer::ledger::sqlite::SqliteLedger;

    /// A migrated ledger in a fresh temporary file.
    pub async fn run<F, Fut>(test: F)
    where
        F: FnOnce(Arc<SqliteLedger>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let directory = tempfile::tempdir().unwrap();
        let ledger = SqliteLedger::open(&directory.path().join("ledger.db"))
            .await
            .unwrap();
        ledger.migrate().await.unwrap();
        let outcome = super::run_isolated(test(Arc::new(ledger))).await;
        drop(directory);
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    /// A migrated private in-memory ledger.
    pub async fn run_in_memory<F, Fut>(test: F)
    where
        F: FnOnce(Arc<SqliteLedger>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let ledger = SqliteLedger::open_in_memory().await.unwrap();
        ledger.migrate().await.unwrap();
        if let Err(panic) = super::run_isolated(test(Arc::new(ledger))).await {
            std::panic::resume_unwind(panic);
        }
    }
}

pub mod postgres {
    use std::future::Future;
    use std::str::FromStr;
    use std::sync::Arc;
    use std::time::Duration;

    use castellan_writer::ledger::Ledger;
    use castellan_writer::ledger::postgres::PostgresLedger;
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

    /// Names the server the PostgreSQL tests create their databases on.
    pub const URL_VARIABLE: &str = "CASTELLAN_TEST_POSTGRES_URL";

    /// A migrated ledger in a database created for this test (and dropped after it).
    pub async fn run<F, Fut>(test: F)
    where
        F: FnOnce(Arc<PostgresLedger>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Ok(url) = std::env::var(URL_VARIABLE) else {
            panic!(
                "set {URL_VARIABLE} (for example \
                 postgres://castellan:castellan@127.0.0.1:55432/postgres) or run scripts/test: \
                 the PostgreSQL ledger contract needs a server"
            );
        };
        let admin_options = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|error| panic!("{URL_VARIABLE} is not a PostgreSQL URL: {error}"));
        let mut admin = admin_options
            .connect()
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {URL_VARIABLE}={url}: {error}"));
        let database = format!("ledger_test_{:016x}", super::random_u64());
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut admin)
            .await
            .unwrap();

        let pool = PgPoolOptions::new()
            .max_connections(20)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(admin_options.clone().database(&database))
            .await
            .unwrap();
        let ledger = PostgresLedger::from_pool(pool.clone());
        let outcome = match ledger.migrate().await {
            Ok(()) => super::run_isolated(test(Arc::new(ledger))).await,
            Err(error) => Err(Box::new(format!("migrate failed: {error}")) as _),
        };

        let _closed = tokio::time::timeout(Duration::from_secs(10), pool.close()).await;
        let dropped = sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await;
        if let Err(error) = dropped {
            eprintln!("could not drop test database {database}: {error}");
        }
        let _closed = admin.close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

/// A random number that differs per call and per process (no extra dependency).
pub fn random_u64() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one((std::process::id(), CALLS.fetch_add(1, Ordering::Relaxed)))
}

/// A small deterministic generator for batch shapes (xorshift64*), seeded randomly.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Self {
        Self(random_u64() | 1)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        low + self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % (high - low + 1)
    }
}

pub fn new_event(event_type: &str, payload: Value) -> NewEvent {
    NewEvent {
        event_type: event_type.to_owned(),
        revision: 1,
        payload,
    }
}

/// `count` events `{aggregate_type}.changed` with payload `{"n": i}`.
pub fn changes(aggregate_type: &str, count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|n| new_event(&format!("{aggregate_type}.changed"), json!({ "n": n })))
        .collect()
}

/// Events for one aggregate of [`INSTANCE`].
pub fn aggregate(
    aggregate_type: &str,
    aggregate_id: &str,
    expected_version: i64,
    events: Vec<NewEvent>,
) -> AggregateAppend {
    AggregateAppend {
        instance_id: INSTANCE.to_owned(),
        aggregate_type: aggregate_type.to_owned(),
        aggregate_id: aggregate_id.to_owned(),
        expected_version,
        resource_owner: "org-1".to_owned(),
        creator: "user-admin".to_owned(),
        events,
    }
}

pub fn batch(appends: Vec<AggregateAppend>) -> AppendBatch {
    AppendBatch {
        appends,
        unique: Vec::new(),
        created_at: CREATED_AT,
    }
}

/// Waits until a gap-free read can return `position` (on PostgreSQL the safe head may trail
/// commits briefly while other transactions in the cluster are running).
pub async fn settle<L: Ledger + ?Sized>(ledger: &L, position: Position) {
    let deadline = tokio::time::Instant::now() + SETTLE_TIMEOUT;
    loop {
        let head = ledger.head().await.unwrap();
        if head >= position {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "head stuck at {head:?} while waiting for {position:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The whole stream (as far as the safe head), in position order, page by page.
pub async fn read_all<L: Ledger + ?Sized>(ledger: &L) -> Vec<Event> {
    let mut all: Vec<Event> = Vec::new();
    loop {
        let after = all.last().map(|event| event.position).unwrap_or_default();
        let page = ledger
            .read(&EventFilter {
                after,
                ..EventFilter::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// Settles on `position`, then reads the whole stream.
pub async fn read_all_through<L: Ledger + ?Sized>(ledger: &L, position: Position) -> Vec<Event> {
    settle(ledger, position).await;
    read_all(ledger).await
}

/// Asserts that positions strictly increase.
pub fn assert_strictly_increasing(events: &[Event]) {
    for pair in events.windows(2) {
        assert!(
            pair[0].position < pair[1].position,
            "positions out of order: {:?} then {:?}",
            pair[0].position,
            pair[1].position
        );
    }
}
