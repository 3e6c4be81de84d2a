//! The embedded read store: a SQLite file beside the ledger. A product in its own right (the
//! default deployment serves every query from it), and the reference the contract suite holds
//! the ScyllaDB store to.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use castellan_core::Position;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, SqliteConnection, SqlitePool};

use crate::store::{Columns, Page, PositionedOp, ProjectionOps, ReadError, ReadStore, Row, RowOp};

pub struct EmbeddedReadStore {
    pool: SqlitePool,
}

fn backend(error: sqlx::Error) -> ReadError {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            ReadError::Unavailable(error.to_string())
        }
        other => ReadError::Backend(other.to_string()),
    }
}

impl EmbeddedReadStore {
    /// Opens (creating if needed) the store at `path`.
    pub async fn open(path: &Path) -> Result<Self, ReadError> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(backend)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // The read store is rebuilt from the ledger, so it need not be durable per commit.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10))
            // Every commit of the projections empties the readers' page caches (WAL mode);
            // mapped pages are then read in place instead of copied with `pread` (issue #8).
            .pragma("mmap_size", castellan_writer::ledger::sqlite::MMAP_SIZE);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl ReadStore for EmbeddedReadStore {
    async fn migrate(&self) -> Result<(), ReadError> {
        sqlx::migrate!("../schemas/migrations/sqlite-read")
            .run(&self.pool)
            .await
            .map_err(|e| ReadError::Backend(e.to_string()))
    }

    async fn apply(
        &self,
        projection: &str,
        ops: &[PositionedOp],
        checkpoint: Position,
    ) -> Result<(), ReadError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        apply_in(&mut tx, projection, ops, checkpoint).await?;
        tx.commit().await.map_err(backend)
    }

    async fn apply_all(
        &self,
        parts: &[ProjectionOps<'_>],
        checkpoint: Position,
    ) -> Result<(), ReadError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for part in parts {
            apply_in(&mut tx, part.projection, &part.ops, checkpoint).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn checkpoint(&self, projection: &str) -> Result<Position, ReadError> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT position FROM read_checkpoints WHERE projection = ?")
                .bind(projection)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(Position(at.unwrap_or(0)))
    }

    async fn get(
        &self,
        table: &str,
        partition: &str,
        clustering: &str,
    ) -> Result<Option<Row>, ReadError> {
        let row = sqlx::query(
            "SELECT clust, position, data FROM read_rows WHERE tbl = ? AND part = ? AND clust = ? AND deleted = 0",
        )
        .bind(table)
        .bind(partition)
        .bind(clustering)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(|row| to_row(&row)).transpose()
    }

    async fn scan(&self, table: &str, partition: &str) -> Result<Vec<Row>, ReadError> {
        let rows = sqlx::query(
            "SELECT clust, position, data FROM read_rows WHERE tbl = ? AND part = ? AND deleted = 0 ORDER BY clust",
        )
        .bind(table)
        .bind(partition)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(to_row).collect()
    }

    async fn scan_page(
        &self,
        table: &str,
        partition: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, ReadError> {
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        // Deleted rows are kept as tombstones; they count towards the page so that `next` moves
        // on even through a run of them.
        let rows = sqlx::query(
            "SELECT clust, position, data, deleted FROM read_rows \
             WHERE tbl = ? AND part = ? AND (? IS NULL OR clust > ?) ORDER BY clust LIMIT ?",
        )
        .bind(table)
        .bind(partition)
        .bind(after)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= limit;
        let next = if full {
            rows.last().map(|row| row.get::<String, _>("clust"))
        } else {
            None
        };
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            if row.get::<i64, _>("deleted") == 0 {
                page.push(to_row(row)?);
            }
        }
        Ok(Page { rows: page, next })
    }
}

fn parse(data: &str) -> Result<Columns, ReadError> {
    match serde_json::from_str(data) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(ReadError::Backend("row data is not an object".into())),
        Err(e) => Err(ReadError::Backend(format!("row data: {e}"))),
    }
}

fn to_row(row: &sqlx::sqlite::SqliteRow) -> Result<Row, ReadError> {
    Ok(Row {
        clustering: row.get("clust"),
        position: Position(row.get("position")),
        columns: parse(row.get("data"))?,
    })
}

/// One projection's ops and its checkpoint, inside the caller's transaction.
async fn apply_in(
    conn: &mut SqliteConnection,
    projection: &str,
    ops: &[PositionedOp],
    checkpoint: Position,
) -> Result<(), ReadError> {
    for positioned in ops {
        let position = positioned.position.0;
        match &positioned.op {
            RowOp::Upsert {
                table,
                partition,
                clustering,
                columns,
            } => {
                let tombstone: Option<i64> = sqlx::query_scalar(
                    "SELECT position FROM read_partition_tombstones WHERE tbl = ? AND part = ?",
                )
                .bind(*table)
                .bind(partition)
                .fetch_optional(&mut *conn)
                .await
                .map_err(backend)?;
                if tombstone.is_some_and(|at| at >= position) {
                    continue;
                }
                let existing = sqlx::query(
                    "SELECT position, deleted, data FROM read_rows WHERE tbl = ? AND part = ? AND clust = ?",
                )
                .bind(*table)
                .bind(partition)
                .bind(clustering)
                .fetch_optional(&mut *conn)
                .await
                .map_err(backend)?;
                let mut merged = Columns::new();
                if let Some(row) = existing {
                    let at: i64 = row.get("position");
                    if at >= position {
                        continue;
                    }
                    let deleted: i64 = row.get("deleted");
                    if deleted == 0 {
                        merged = parse(row.get("data"))?;
                    }
                }
                for (name, value) in columns {
                    merged.insert(name.clone(), value.clone());
                }
                let data = serde_json::Value::Object(merged).to_string();
                sqlx::query(
                    "INSERT INTO read_rows (tbl, part, clust, position, deleted, data) VALUES (?, ?, ?, ?, 0, ?) \
                     ON CONFLICT (tbl, part, clust) DO UPDATE SET position = excluded.position, deleted = 0, data = excluded.data",
                )
                .bind(*table)
                .bind(partition)
                .bind(clustering)
                .bind(position)
                .bind(data)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            }
            RowOp::Delete {
                table,
                partition,
                clustering,
            } => {
                sqlx::query(
                    "INSERT INTO read_rows (tbl, part, clust, position, deleted, data) VALUES (?, ?, ?, ?, 1, '{}') \
                     ON CONFLICT (tbl, part, clust) DO UPDATE SET position = excluded.position, deleted = 1, data = '{}' \
                     WHERE read_rows.position < excluded.position",
                )
                .bind(*table)
                .bind(partition)
                .bind(clustering)
                .bind(position)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            }
            RowOp::DeletePartition { table, partition } => {
                sqlx::query(
                    "UPDATE read_rows SET deleted = 1, data = '{}', position = ? \
                     WHERE tbl = ? AND part = ? AND position < ?",
                )
                .bind(position)
                .bind(*table)
                .bind(partition)
                .bind(position)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
                sqlx::query(
                    "INSERT INTO read_partition_tombstones (tbl, part, position) VALUES (?, ?, ?) \
                     ON CONFLICT (tbl, part) DO UPDATE SET position = max(position, excluded.position)",
                )
                .bind(*table)
                .bind(partition)
                .bind(position)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            }
        }
    }
    sqlx::query(
        "INSERT INTO read_checkpoints (projection, position) VALUES (?, ?) \
         ON CONFLICT (projection) DO UPDATE SET position = max(position, excluded.position)",
    )
    .bind(projection)
    .bind(checkpoint.0)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    Ok(())
}
