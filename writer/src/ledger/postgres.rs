//! PostgreSQL ledger: the production source of truth.
//!
//! Tables live in the schema `castellan` (`castellan.events`, `castellan.unique_constraints`),
//! created by the migrations in `schemas/migrations/postgres/`; the migration history is kept in
//! `castellan._ledger_migrations`, so other components may migrate the same database with their
//! own history table.
//!
//! **Global order.** An event's position is `(xid << 16) | index`, where `xid` is the appending
//! transaction's id and `index` its place in the batch. Position reads ([`Ledger::read`],
//! [`Ledger::head`]) only return positions below `xmin << 16`, where `xmin` is the oldest
//! transaction id still running when the statement's snapshot was taken. Every transaction below
//! `xmin` has finished and every later one gets a larger id, so no row can ever appear below that
//! bound after a read: tailing by position is gap-free. The caveat: a long-running transaction
//! that holds an xid anywhere in the cluster holds the tail back. See
//! `docs/design/0001-ledger.md`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::clock::Timestamp;
use castellan_core::{Event, Position};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{PgExecutor, Postgres, QueryBuilder, Row, Transaction};
use tokio::sync::watch;

use super::{
    AggregateAppend, AppendBatch, Appended, EventFilter, Ledger, LedgerError, UniqueOp,
    first_conflict, notify, planned_events, unique_changes, validate_batch,
};

/// What [`Ledger::read`] returns when the filter's limit is 0.
const DEFAULT_READ_LIMIT: i64 = 1000;

/// Where sqlx records which ledger migrations ran.
const MIGRATIONS_TABLE: &str = "castellan._ledger_migrations";

/// Pool size for [`PostgresLedger::connect`].
const MAX_CONNECTIONS: u32 = 16;

/// How long an operation waits for a pooled connection before failing as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The lowest position that a transaction still running (or starting later) could write; rows
/// strictly below it are final. Must be evaluated in the same statement as the read.
const SAFE_BOUND: &str = "(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)";

const EVENT_COLUMNS: &str = "instance_id, aggregate_type, aggregate_id, sequence, event_type, \
     revision, payload, creator, resource_owner, created_at, position";

/// The current version (last sequence, 0 if none) of each aggregate, in argument order. Reads
/// only; it must run before anything assigns the transaction its id.
const CURRENT_VERSIONS: &str = "\
    SELECT COALESCE((SELECT max(e.sequence) FROM castellan.events e \
                     WHERE e.instance_id = a.instance_id \
                       AND e.aggregate_type = a.aggregate_type \
                       AND e.aggregate_id = a.aggregate_id), 0) AS version \
    FROM UNNEST($1::text[], $2::text[], $3::text[]) WITH ORDINALITY \
         AS a(instance_id, aggregate_type, aggregate_id, ordinal) \
    ORDER BY a.ordinal";

/// Inserts a batch and returns the transaction's position base. Rows are inserted in key order
/// (so concurrent batches touching the same aggregates lock them in one order and cannot
/// deadlock), while each position follows the batch order.
const INSERT_EVENTS: &str = "\
    WITH batch AS (SELECT pg_current_xact_id()::text::bigint << 16 AS base), \
    inserted AS ( \
        INSERT INTO castellan.events (instance_id, aggregate_type, aggregate_id, sequence, \
            event_type, revision, payload, creator, resource_owner, created_at, position) \
        SELECT u.instance_id, u.aggregate_type, u.aggregate_id, u.sequence, u.event_type, \
            u.revision, u.payload, u.creator, u.resource_owner, $10, batch.base | (u.ordinal - 1) \
        FROM batch, UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], \
                           $6::smallint[], $7::jsonb[], $8::text[], $9::text[]) WITH ORDINALITY \
             AS u(instance_id, aggregate_type, aggregate_id, sequence, event_type, revision, \
                  payload, creator, resource_owner, ordinal) \
        ORDER BY u.instance_id, u.aggregate_type, u.aggregate_id, u.sequence \
        RETURNING 1) \
    SELECT (SELECT base FROM batch) AS base, (SELECT count(*) FROM inserted) AS inserted";

const CLAIM: &str = "INSERT INTO castellan.unique_constraints (instance_id, unique_type, \
     unique_field) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

const RELEASE: &str = "DELETE FROM castellan.unique_constraints \
     WHERE instance_id = $1 AND unique_type = $2 AND unique_field = $3";

/// The PostgreSQL [`Ledger`]. Cheap to clone; clones share the pool and the append notifier.
#[derive(Clone, Debug)]
pub struct PostgresLedger {
    pool: PgPool,
    appended: Arc<watch::Sender<Position>>,
}

impl PostgresLedger {
    /// Connects a pool of up to 16 connections to `url` (`postgres://user:pass@host:port/db`).
    /// Does not migrate; call [`Ledger::migrate`].
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(map_error)?;
        Ok(Self::from_pool(pool))
    }

    /// Uses an existing pool (its size bounds the number of concurrent appends and reads).
    pub fn from_pool(pool: PgPool) -> Self {
        let (appended, _) = watch::channel(Position::START);
        Self {
            pool,
            appended: Arc::new(appended),
        }
    }

    /// The pool this ledger uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs an append up to, but not including, its commit: the versions are checked, the
    /// unique constraints applied and the events inserted inside an open transaction. Commit it
    /// with [`PreparedAppend::commit`]; dropping it rolls back. [`Ledger::append`] is exactly
    /// this followed by the commit.
    pub async fn prepare_append(&self, batch: AppendBatch) -> Result<PreparedAppend, LedgerError> {
        validate_batch(&batch)?;
        let mut transaction = self.pool.begin().await.map_err(map_error)?;

        // Versions first, with no transaction id assigned yet: a batch that saw another's
        // committed events therefore always gets a larger xid, hence larger positions.
        let versions = current_versions(&mut *transaction, &batch.appends)
            .await
            .map_err(map_error)?;
        if let Some(conflict) = first_conflict(&batch.appends, &versions) {
            return Err(conflict);
        }

        apply_unique_ops(&mut transaction, &batch.unique).await?;

        let mut events = planned_events(&batch);
        match insert_events(&mut transaction, &events, batch.created_at).await {
            Ok((base, inserted)) => {
                if usize::try_from(inserted).ok() != Some(events.len()) {
                    return Err(LedgerError::Backend(format!(
                        "inserted {inserted} events, expected {}",
                        events.len()
                    )));
                }
                for (index, event) in (0_i64..).zip(events.iter_mut()) {
                    event.position = Position(base | index);
                }
            }
            Err(error) if is_unique_violation(&error) => {
                // A concurrent batch committed the same sequence after our version check.
                rollback(transaction).await;
                return Err(self.conflict_after_race(&batch.appends).await);
            }
            Err(error) => return Err(map_error(error)),
        }

        Ok(PreparedAppend {
            transaction,
            events,
            notifier: Arc::clone(&self.appended),
        })
    }

    /// Names the aggregate that a concurrent writer moved, after our insert collided with it.
    async fn conflict_after_race(&self, appends: &[AggregateAppend]) -> LedgerError {
        match current_versions(&self.pool, appends).await {
            Ok(versions) => first_conflict(appends, &versions).unwrap_or_else(|| {
                // Every aggregate is where we expected: the winner must have rolled back in the
                // meantime. Still a conflict; the caller retries against fresh state.
                conflict_unknown(appends)
            }),
            Err(_) => conflict_unknown(appends),
        }
    }
}

/// An append whose transaction is still open; see [`PostgresLedger::prepare_append`].
#[derive(Debug)]
pub struct PreparedAppend {
    transaction: Transaction<'static, Postgres>,
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
impl Ledger for PostgresLedger {
    async fn migrate(&self) -> Result<(), LedgerError> {
        let mut migrator = sqlx::migrate!("../schemas/migrations/postgres");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.create_schema("castellan");
        migrator.run(&self.pool).await.map_err(|error| match error {
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
            "SELECT {EVENT_COLUMNS} FROM castellan.events \
             WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 \
             ORDER BY sequence"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(instance_id)
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn read(&self, filter: &EventFilter) -> Result<Vec<Event>, LedgerError> {
        let limit = match filter.limit {
            0 => DEFAULT_READ_LIMIT,
            limit => i64::try_from(limit).unwrap_or(i64::MAX),
        };
        let mut query = QueryBuilder::<Postgres>::new(format!(
            "SELECT {EVENT_COLUMNS} FROM castellan.events WHERE position < {SAFE_BOUND} \
             AND position > "
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
        if !filter.aggregate_types.is_empty() {
            query
                .push(" AND aggregate_type = ANY(")
                .push_bind(filter.aggregate_types.clone())
                .push(")");
        }
        if let Some(aggregate_id) = &filter.aggregate_id {
            query
                .push(" AND aggregate_id = ")
                .push_bind(aggregate_id.clone());
        }
        if !filter.event_types.is_empty() {
            query
                .push(" AND event_type = ANY(")
                .push_bind(filter.event_types.clone())
                .push(")");
        }
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
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn head(&self) -> Result<Position, LedgerError> {
        let sql = format!(
            "SELECT COALESCE(max(position), 0) FROM castellan.events WHERE position < {SAFE_BOUND}"
        );
        let head: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(Position(head))
    }

    async fn load_checkpoint(&self, name: &str) -> Result<Position, LedgerError> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM castellan.checkpoints WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_error)?;
        Ok(Position(position.unwrap_or(0)))
    }

    async fn store_checkpoint(&self, name: &str, position: Position) -> Result<(), LedgerError> {
        sqlx::query(
            "INSERT INTO castellan.checkpoints (name, position) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET position = GREATEST(castellan.checkpoints.position, excluded.position), \
             updated_at = now()",
        )
        .bind(name)
        .bind(position.0)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn try_lead(
        &self,
        name: &str,
    ) -> Result<Option<Box<dyn super::Leadership>>, LedgerError> {
        // A session-level advisory lock on a connection of its own: it lives exactly as long as
        // that session, so a crashed leader's lock is released by PostgreSQL itself.
        let mut connection = self.pool.acquire().await.map_err(map_error)?.detach();
        let acquired: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 7))")
                .bind(name)
                .fetch_one(&mut connection)
                .await
                .map_err(map_error)?;
        if !acquired {
            let _ = sqlx::Connection::close(connection).await;
            return Ok(None);
        }
        Ok(Some(Box::new(PgLeadership {
            connection: tokio::sync::Mutex::new(connection),
        })))
    }

    fn appended(&self) -> watch::Receiver<Position> {
        self.appended.subscribe()
    }
}

/// A conflict whose actual version could not be read: reported as one past the expected one.
fn conflict_unknown(appends: &[AggregateAppend]) -> LedgerError {
    match appends.first() {
        Some(append) => LedgerError::Conflict {
            aggregate_type: append.aggregate_type.clone(),
            aggregate_id: append.aggregate_id.clone(),
            expected: append.expected_version,
            actual: append.expected_version + 1,
        },
        None => LedgerError::Invalid("a batch needs at least one aggregate".into()),
    }
}

async fn current_versions<'e, E: PgExecutor<'e>>(
    executor: E,
    appends: &[AggregateAppend],
) -> Result<Vec<i64>, sqlx::Error> {
    let instance_ids: Vec<&str> = appends.iter().map(|a| a.instance_id.as_str()).collect();
    let aggregate_types: Vec<&str> = appends.iter().map(|a| a.aggregate_type.as_str()).collect();
    let aggregate_ids: Vec<&str> = appends.iter().map(|a| a.aggregate_id.as_str()).collect();
    sqlx::query_scalar(CURRENT_VERSIONS)
        .bind(instance_ids)
        .bind(aggregate_types)
        .bind(aggregate_ids)
        .fetch_all(executor)
        .await
}

async fn apply_unique_ops(
    transaction: &mut Transaction<'static, Postgres>,
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

/// Inserts the events in one statement; returns the position base and the inserted row count.
async fn insert_events(
    transaction: &mut Transaction<'static, Postgres>,
    events: &[Event],
    created_at: Timestamp,
) -> Result<(i64, i64), sqlx::Error> {
    let strings = |field: fn(&Event) -> &str| events.iter().map(field).collect::<Vec<&str>>();
    let sequences: Vec<i64> = events.iter().map(|event| event.sequence).collect();
    let revisions: Vec<i16> = events.iter().map(|event| event.revision).collect();
    let payloads: Vec<Json<&serde_json::Value>> =
        events.iter().map(|event| Json(&event.payload)).collect();
    let row = sqlx::query(INSERT_EVENTS)
        .bind(strings(|event| &event.instance_id))
        .bind(strings(|event| &event.aggregate_type))
        .bind(strings(|event| &event.aggregate_id))
        .bind(sequences)
        .bind(strings(|event| &event.event_type))
        .bind(revisions)
        .bind(payloads)
        .bind(strings(|event| &event.creator))
        .bind(strings(|event| &event.resource_owner))
        .bind(created_at.as_micros())
        .fetch_one(&mut **transaction)
        .await?;
    Ok((row.try_get("base")?, row.try_get("inserted")?))
}

async fn rollback(transaction: Transaction<'static, Postgres>) {
    if let Err(error) = transaction.rollback().await {
        tracing::warn!(%error, "rolling back a conflicting append failed");
    }
}

fn event_from_row(row: &PgRow) -> Result<Event, LedgerError> {
    let decode = || -> Result<Event, sqlx::Error> {
        Ok(Event {
            instance_id: row.try_get("instance_id")?,
            aggregate_type: row.try_get("aggregate_type")?,
            aggregate_id: row.try_get("aggregate_id")?,
            sequence: row.try_get("sequence")?,
            event_type: row.try_get("event_type")?,
            revision: row.try_get("revision")?,
            payload: row.try_get("payload")?,
            creator: row.try_get("creator")?,
            resource_owner: row.try_get("resource_owner")?,
            created_at: Timestamp::from_micros(row.try_get("created_at")?),
            position: Position(row.try_get("position")?),
        })
    };
    decode().map_err(|error| LedgerError::Backend(format!("decode event row: {error}")))
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505"))
}

/// SQLSTATEs after which the same request may succeed later: connection exceptions (class 08),
/// shutdowns and connection limits, serialization failures and deadlocks.
fn is_transient_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
        )
}

/// Connection and pool failures are [`LedgerError::Unavailable`]; data exceptions (class 22,
/// e.g. a payload string with `\u0000`, which `jsonb` cannot store) are [`LedgerError::Invalid`];
/// everything else is [`LedgerError::Backend`].
fn map_error(error: sqlx::Error) -> LedgerError {
    if let sqlx::Error::Database(db) = &error
        && db
            .code()
            .as_deref()
            .is_some_and(|code| code.starts_with("22"))
    {
        return LedgerError::Invalid(error.to_string());
    }
    let transient = match &error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().as_deref().is_some_and(is_transient_sqlstate),
        _ => false,
    };
    if transient {
        LedgerError::Unavailable(error.to_string())
    } else {
        LedgerError::Backend(error.to_string())
    }
}

/// A lead held as a session-level advisory lock on a dedicated connection.
struct PgLeadership {
    connection: tokio::sync::Mutex<sqlx::PgConnection>,
}

#[async_trait]
impl super::Leadership for PgLeadership {
    async fn is_held(&self) -> bool {
        let mut connection = self.connection.lock().await;
        sqlx::query("SELECT 1")
            .execute(&mut *connection)
            .await
            .is_ok()
    }
}
