//! SQLite ledger: the embedded default.
//!
//! Tables `events` and `unique_constraints` (migrations in `schemas/migrations/sqlite-ledger/`).
//! The database runs in WAL mode with `synchronous=FULL`: every acknowledged append has been
//! fsynced to the WAL, so a power loss cannot take back an acknowledged command (`NORMAL` would
//! let the last commits before a crash disappear, which breaks the ledger's first invariant).
//!
//! **Global order.** Writes go through a pool of exactly one connection and every append is a
//! `BEGIN IMMEDIATE` transaction, so appends are serialized (also against other processes opening
//! the same file). Positions are assigned inside that transaction as `MAX(position) + 1, ...`, so
//! position order is commit order and a plain `position > after` tail never skips a row. Reads
//! use a separate pool; WAL lets them run beside the writer. See `docs/design/0001-ledger.md`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::clock::Timestamp;
use castellan_core::{Event, Position};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteExecutor, Transaction};
use tokio::sync::watch;

use super::{
    AggregateAppend, AppendBatch, Appended, EventFilter, Ledger, LedgerError, UniqueOp,
    first_conflict, notify, planned_events, unique_changes, validate_batch,
};

/// What [`Ledger::read`] returns when the filter's limit is 0.
const DEFAULT_READ_LIMIT: i64 = 1000;

/// Concurrent readers of a file ledger.
const READ_CONNECTIONS: u32 = 4;

/// Bytes of the database file each connection maps into memory (`PRAGMA mmap_size`). In WAL
/// mode a connection drops its whole page cache whenever another connection has committed, so
/// under a steady write load every read would copy its pages from the file again with `pread`;
/// mapped pages are read in place from the OS page cache instead. Profiled in issue #8. The
/// embedded read store maps its file the same way.
pub const MMAP_SIZE: &str = "1073741824";

/// How long a statement waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an append waits for the single writer connection.
const WRITER_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

const EVENT_COLUMNS: &str = "instance_id, aggregate_type, aggregate_id, sequence, event_type, \
     revision, payload, creator, resource_owner, created_at, position";

const CURRENT_VERSION: &str = "SELECT COALESCE(MAX(sequence), 0) FROM events \
     WHERE instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3";

const INSERT_EVENT: &str = "INSERT INTO events (instance_id, aggregate_type, aggregate_id, \
     sequence, event_type, revision, payload, creator, resource_owner, created_at, position) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

const CLAIM: &str = "INSERT INTO unique_constraints (instance_id, unique_type, unique_field) \
     VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

const RELEASE: &str = "DELETE FROM unique_constraints \
     WHERE instance_id = ?1 AND unique_type = ?2 AND unique_field = ?3";

/// The SQLite [`Ledger`]. Cheap to clone; clones share the pools and the append notifier.
#[derive(Clone, Debug)]
pub struct SqliteLedger {
    /// Exactly one connection: appends are serialized through it.
    writer: SqlitePool,
    /// Reads; the writer pool itself for an in-memory ledger.
    reader: SqlitePool,
    appended: Arc<watch::Sender<Position>>,
    /// Leads held in this process (an embedded ledger has no other processes that lead).
    leads: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl SqliteLedger {
    /// Opens (creating if missing) the ledger file at `path`. Does not migrate; call
    /// [`Ledger::migrate`].
    pub async fn open(path: &Path) -> Result<Self, LedgerError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("mmap_size", MMAP_SIZE);
        // The writer connects first, so the file exists and is in WAL mode before any reader.
        let writer = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .acquire_timeout(WRITER_ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(map_error)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(map_error)?;
        Ok(Self::from_pools(writer, reader))
    }

    /// A private in-memory ledger (for tests): one connection, kept open for the ledger's life,
    /// serves both appends and reads.
    pub async fn open_in_memory() -> Result<Self, LedgerError> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(WRITER_ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(map_error)?;
        Ok(Self::from_pools(pool.clone(), pool))
    }

    fn from_pools(writer: SqlitePool, reader: SqlitePool) -> Self {
        let (appended, _) = watch::channel(Position::START);
        Self {
            writer,
            reader,
            appended: Arc::new(appended),
            leads: Arc::default(),
        }
    }

    /// Runs an append up to, but not including, its commit, holding the single writer (so every
    /// other append waits). Commit with [`PreparedAppend::commit`]; dropping it rolls back.
    /// [`Ledger::append`] is exactly this followed by the commit.
    pub async fn prepare_append(&self, batch: AppendBatch) -> Result<PreparedAppend, LedgerError> {
        validate_batch(&batch)?;
        let mut transaction = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_error)?;

        let mut versions = Vec::with_capacity(batch.appends.len());
        for append in &batch.appends {
            versions.push(current_version(&mut *transaction, append).await?);
        }
        if let Some(conflict) = first_conflict(&batch.appends, &versions) {
            return Err(conflict);
        }

        apply_unique_ops(&mut transaction, &batch.unique).await?;

        let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events")
            .fetch_one(&mut *transaction)
            .await
            .map_err(map_error)?;
        let mut events = planned_events(&batch);
        for (position, event) in (last + 1..).zip(events.iter_mut()) {
            event.position = Position(position);
            insert_event(&mut transaction, event).await?;
        }

        Ok(PreparedAppend {
            transaction,
            events,
            notifier: Arc::clone(&self.appended),
        })
    }
}

/// An append whose transaction is still open; see [`SqliteLedger::prepare_append`].
#[derive(Debug)]
pub struct PreparedAppend {
    transaction: Transaction<'static, Sqlite>,
    events: Vec<Event>,
    notifier: Arc<watch::Sender<Position>>,
}

impl PreparedAppend {
    /// The events as they will be stored, with their positions.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Commits the append and notifies [`Ledger::appended`] subscribers.
    pub async fn commit(self) -> Result<Appended, LedgerError> {
        self.transaction.commit().await.map_err(map_error)?;
        let appended = Appended {
            events: self.events,
        };
        notify(&self.notifier, appended.position());
        Ok(appended)
    }
}

#[async_trait]
impl Ledger for SqliteLedger {
    async fn migrate(&self) -> Result<(), LedgerError> {
        sqlx::migrate!("../schemas/migrations/sqlite-ledger")
            .run(&self.writer)
            .await
            .map_err(|error| match error {
                sqlx::migrate::MigrateError::Execute(inner) => map_error(inner),
                other => LedgerError::Backend(format!("migrate: {other}")),
            })
    }

    async fn append(&self, batch: AppendBatch) -> Result<Appended, LedgerError> {
        self.prepare_append(batch).await?.commit().await
    }

    async fn read_aggregate(
        &self,
        instance_id: &str,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<Event>, LedgerError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events \
             WHERE instance_id = ?1 AND aggregate_type = ?2 AND aggregate_id = ?3 \
             ORDER BY sequence"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(instance_id)
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_all(&self.reader)
            .await
            .map_err(map_error)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn read(&self, filter: &EventFilter) -> Result<Vec<Event>, LedgerError> {
        let limit = match filter.limit {
            0 => DEFAULT_READ_LIMIT,
            limit => i64::try_from(limit).unwrap_or(i64::MAX),
        };
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE position > "
        ));
        query.push_bind(filter.after.0);
        if let Some(until) = filter.until {
            query.push(" AND position <= ").push_bind(until.0);
        }
        if let Some(instance_id) = &filter.instance_id {
            query
                .push(" AND instance_id = ")
                .push_bind(instance_id.clone());
        }
        push_in_list(&mut query, "aggregate_type", &filter.aggregate_types);
        if let Some(aggregate_id) = &filter.aggregate_id {
            query
                .push(" AND aggregate_id = ")
                .push_bind(aggregate_id.clone());
        }
        push_in_list(&mut query, "event_type", &filter.event_types);
        if let Some(creator) = &filter.creator {
            query.push(" AND creator = ").push_bind(creator.clone());
        }
        if let Some(owner) = &filter.resource_owner {
            query
                .push(" AND resource_owner = ")
                .push_bind(owner.clone());
        }
        if let Some(from) = filter.created_from {
            query
                .push(" AND created_at >= ")
                .push_bind(from.as_micros());
        }
        if let Some(until) = filter.created_until {
            query
                .push(" AND created_at <= ")
                .push_bind(until.as_micros());
        }
        if let Some(sequence) = filter.sequence_after {
            query.push(" AND sequence > ").push_bind(sequence);
        }
        let order = if filter.descending { "DESC" } else { "ASC" };
        query
            .push(format!(" ORDER BY position {order} LIMIT "))
            .push_bind(limit);
        let rows = query
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(map_error)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn head(&self) -> Result<Position, LedgerError> {
        let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events")
            .fetch_one(&self.reader)
            .await
            .map_err(map_error)?;
        Ok(Position(head))
    }

    async fn load_checkpoint(&self, name: &str) -> Result<Position, LedgerError> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM checkpoints WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.reader)
                .await
                .map_err(map_error)?;
        Ok(Position(position.unwrap_or(0)))
    }

    async fn store_checkpoint(&self, name: &str, position: Position) -> Result<(), LedgerError> {
        sqlx::query(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)",
        )
        .bind(name)
        .bind(position.0)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn try_lead(
        &self,
        name: &str,
    ) -> Result<Option<Box<dyn super::Leadership>>, LedgerError> {
        let mut leads = self
            .leads
            .lock()
            .map_err(|_| LedgerError::Backend("lead table poisoned".into()))?;
        if !leads.insert(name.to_owned()) {
            return Ok(None);
        }
        Ok(Some(Box::new(LocalLeadership {
            name: name.to_owned(),
            leads: self.leads.clone(),
        })))
    }

    fn appended(&self) -> watch::Receiver<Position> {
        self.appended.subscribe()
    }
}

/// Appends ` AND column IN (?, ?, ...)` unless `values` is empty.
fn push_in_list(query: &mut QueryBuilder<Sqlite>, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    query.push(format!(" AND {column} IN ("));
    let mut separated = query.separated(", ");
    for value in values {
        separated.push_bind(value.clone());
    }
    separated.push_unseparated(")");
}

async fn current_version<'e, E: SqliteExecutor<'e>>(
    executor: E,
    append: &AggregateAppend,
) -> Result<i64, LedgerError> {
    sqlx::query_scalar(CURRENT_VERSION)
        .bind(&append.instance_id)
        .bind(&append.aggregate_type)
        .bind(&append.aggregate_id)
        .fetch_one(executor)
        .await
        .map_err(map_error)
}

async fn apply_unique_ops(
    transaction: &mut Transaction<'static, Sqlite>,
    ops: &[UniqueOp],
) -> Result<(), LedgerError> {
    for change in unique_changes(ops) {
        let sql = if change.claim { CLAIM } else { RELEASE };
        let result = sqlx::query(sql)
            .bind(change.instance_id)
            .bind(change.unique_type)
            .bind(&change.stored_field)
            .execute(&mut **transaction)
            .await
            .map_err(map_error)?;
        if change.claim && result.rows_affected() == 0 {
            return Err(LedgerError::UniqueViolation {
                unique_type: change.unique_type.to_owned(),
                field: change.field.to_owned(),
            });
        }
    }
    Ok(())
}

async fn insert_event(
    transaction: &mut Transaction<'static, Sqlite>,
    event: &Event,
) -> Result<(), LedgerError> {
    let payload = serde_json::to_string(&event.payload)
        .map_err(|error| LedgerError::Invalid(format!("payload is not JSON: {error}")))?;
    let inserted = sqlx::query(INSERT_EVENT)
        .bind(&event.instance_id)
        .bind(&event.aggregate_type)
        .bind(&event.aggregate_id)
        .bind(event.sequence)
        .bind(&event.event_type)
        .bind(event.revision)
        .bind(payload)
        .bind(&event.creator)
        .bind(&event.resource_owner)
        .bind(event.created_at.as_micros())
        .bind(event.position.0)
        .execute(&mut **transaction)
        .await;
    match inserted {
        Ok(_) => Ok(()),
        // Cannot happen while this process is the only writer (versions were checked in the
        // same serialized transaction), but a sequence collision is a conflict, never a failure.
        Err(sqlx::Error::Database(db)) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            Err(LedgerError::Conflict {
                aggregate_type: event.aggregate_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                expected: event.sequence - 1,
                actual: event.sequence,
            })
        }
        Err(error) => Err(map_error(error)),
    }
}

fn event_from_row(row: &SqliteRow) -> Result<Event, LedgerError> {
    let decode = || -> Result<Event, sqlx::Error> {
        let payload: String = row.try_get("payload")?;
        let payload =
            serde_json::from_str(&payload).map_err(|error| sqlx::Error::ColumnDecode {
                index: "payload".into(),
                source: Box::new(error),
            })?;
        Ok(Event {
            instance_id: row.try_get("instance_id")?,
            aggregate_type: row.try_get("aggregate_type")?,
            aggregate_id: row.try_get("aggregate_id")?,
            sequence: row.try_get("sequence")?,
            event_type: row.try_get("event_type")?,
            revision: row.try_get("revision")?,
            payload,
            creator: row.try_get("creator")?,
            resource_owner: row.try_get("resource_owner")?,
            created_at: Timestamp::from_micros(row.try_get("created_at")?),
            position: Position(row.try_get("position")?),
        })
    };
    decode().map_err(|error| LedgerError::Backend(format!("decode event row: {error}")))
}

/// SQLite result codes (primary code, low byte) after which the same request may succeed later:
/// SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14).
fn is_transient_code(code: &str) -> bool {
    code.parse::<i64>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14))
}

/// Connection, pool and lock failures are [`LedgerError::Unavailable`]; everything else is
/// [`LedgerError::Backend`].
fn map_error(error: sqlx::Error) -> LedgerError {
    let transient = match &error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().as_deref().is_some_and(is_transient_code),
        _ => false,
    };
    if transient {
        LedgerError::Unavailable(error.to_string())
    } else {
        LedgerError::Backend(error.to_string())
    }
}

/// A lead held in this process; released on drop.
struct LocalLeadership {
    name: String,
    leads: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

#[async_trait]
impl super::Leadership for LocalLeadership {
    async fn is_held(&self) -> bool {
        true
    }
}

impl Drop for LocalLeadership {
    fn drop(&mut self) {
        if let Ok(mut leads) = self.leads.lock() {
            leads.remove(&self.name);
        }
    }
}
