//! The read-store trait: query-shaped tables of JSON rows, addressed by
//! (table, partition key, clustering key), as a wide-column store (ScyllaDB) lays them out.
//!
//! Every write carries the position of the event that caused it, and a store never lets an
//! older position overwrite a newer one (ScyllaDB: `USING TIMESTAMP <position>`; embedded: a
//! position column per row and per deleted partition). Replaying events is therefore harmless.
//! A projection's checkpoint is written in the same atomic step as its rows.

use async_trait::async_trait;
use castellan_core::Position;

pub type Columns = serde_json::Map<String, serde_json::Value>;

#[derive(Clone, Debug, PartialEq)]
pub enum RowOp {
    /// Sets the given columns, keeping the row's others (creates the row if absent).
    Upsert {
        table: &'static str,
        partition: String,
        clustering: String,
        columns: Columns,
    },
    /// Deletes one row.
    Delete {
        table: &'static str,
        partition: String,
        clustering: String,
    },
    /// Deletes every row of a partition.
    DeletePartition {
        table: &'static str,
        partition: String,
    },
}

/// A row op and the position of the event that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct PositionedOp {
    pub position: Position,
    pub op: RowOp,
}

/// One projection's ops for [`ReadStore::apply_all`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionOps<'a> {
    pub projection: &'a str,
    pub ops: Vec<PositionedOp>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub clustering: String,
    pub columns: Columns,
    pub position: Position,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("read store unavailable: {0}")]
    Unavailable(String),
    #[error("read store failure: {0}")]
    Backend(String),
    #[error("timed out waiting for position {0:?}")]
    Timeout(Position),
}

#[async_trait]
pub trait ReadStore: Send + Sync + 'static {
    async fn migrate(&self) -> Result<(), ReadError>;

    /// Applies ops in order and moves the projection's checkpoint, atomically.
    async fn apply(
        &self,
        projection: &str,
        ops: &[PositionedOp],
        checkpoint: Position,
    ) -> Result<(), ReadError>;

    /// Applies the ops of several projections and moves each one's checkpoint to `checkpoint`.
    /// Every part is atomic as in [`ReadStore::apply`]; a store may make the whole call one
    /// transaction (the embedded store does, so the projector commits once per ledger batch
    /// instead of once per projection). The default applies the parts one after the other.
    async fn apply_all(
        &self,
        parts: &[ProjectionOps<'_>],
        checkpoint: Position,
    ) -> Result<(), ReadError> {
        for part in parts {
            self.apply(part.projection, &part.ops, checkpoint).await?;
        }
        Ok(())
    }

    /// The last position a projection has applied (0 if none).
    async fn checkpoint(&self, projection: &str) -> Result<Position, ReadError>;

    async fn get(
        &self,
        table: &str,
        partition: &str,
        clustering: &str,
    ) -> Result<Option<Row>, ReadError>;

    /// Every live row of a partition, in clustering-key order.
    async fn scan(&self, table: &str, partition: &str) -> Result<Vec<Row>, ReadError>;

    /// Up to `limit` rows of a partition whose clustering key sorts after `after` (all when
    /// `None`), in clustering order. Queries walk a partition page by page with this, so no query
    /// holds a whole tenant in memory.
    async fn scan_page(
        &self,
        table: &str,
        partition: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, ReadError>;
}

/// One page of a partition scan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The live rows of the page, in clustering order (may be fewer than asked when rows were
    /// deleted).
    pub rows: Vec<Row>,
    /// Where the next page starts (pass as `after`); `None` when the partition is exhausted.
    pub next: Option<String>,
}

/// Joins key parts into one partition key (`\u{1f}` cannot appear in ids, names or domains the
/// API accepts as key parts).
pub fn key(parts: &[&str]) -> String {
    parts.join("\u{1f}")
}
