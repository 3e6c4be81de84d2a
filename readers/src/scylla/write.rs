//! One CQL write of an `apply`, with the values of its prepared statement.

use std::collections::BTreeMap;

use scylla::errors::SerializationError;
use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::statement::prepared::PreparedStatement;

use super::Statements;
use crate::store::{PositionedOp, RowOp};

/// One CQL write, with the values of its prepared statement.
pub(super) enum Write<'a> {
    Upsert {
        position: i64,
        table: &'a str,
        partition: &'a str,
        clustering: &'a str,
        /// Column name → the value's JSON text.
        cols: BTreeMap<&'a str, String>,
    },
    /// An Upsert that names no column: it still creates (or touches) the row.
    Touch {
        position: i64,
        table: &'a str,
        partition: &'a str,
        clustering: &'a str,
    },
    Delete {
        position: i64,
        table: &'a str,
        partition: &'a str,
        clustering: &'a str,
    },
    DeletePartition {
        position: i64,
        table: &'a str,
        partition: &'a str,
    },
    Checkpoint {
        position: i64,
        projection: &'a str,
    },
}

impl<'a> Write<'a> {
    pub(super) fn from_op(positioned: &'a PositionedOp) -> Self {
        let position = positioned.position.0;
        match &positioned.op {
            RowOp::Upsert {
                table,
                partition,
                clustering,
                columns,
            } if columns.is_empty() => Write::Touch {
                position,
                table,
                partition,
                clustering,
            },
            RowOp::Upsert {
                table,
                partition,
                clustering,
                columns,
            } => Write::Upsert {
                position,
                table,
                partition,
                clustering,
                cols: columns
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.to_string()))
                    .collect(),
            },
            RowOp::Delete {
                table,
                partition,
                clustering,
            } => Write::Delete {
                position,
                table,
                partition,
                clustering,
            },
            RowOp::DeletePartition { table, partition } => Write::DeletePartition {
                position,
                table,
                partition,
            },
        }
    }

    pub(super) fn statement<'s>(&self, statements: &'s Statements) -> &'s PreparedStatement {
        match self {
            Write::Upsert { .. } => &statements.upsert,
            Write::Touch { .. } => &statements.touch,
            Write::Delete { .. } => &statements.delete,
            Write::DeletePartition { .. } => &statements.delete_partition,
            Write::Checkpoint { .. } => &statements.checkpoint_write,
        }
    }

    /// The CQL partition the write lands in (`("", projection)` for a checkpoint).
    pub(super) fn partition_key(&self) -> (&'a str, &'a str) {
        match self {
            Write::Upsert {
                table, partition, ..
            }
            | Write::Touch {
                table, partition, ..
            }
            | Write::Delete {
                table, partition, ..
            }
            | Write::DeletePartition {
                table, partition, ..
            } => (table, partition),
            Write::Checkpoint { projection, .. } => ("", projection),
        }
    }

    /// A generous estimate of the mutation's size (keys, values, cell overheads).
    pub(super) fn estimated_bytes(&self) -> usize {
        const OVERHEAD: usize = 48;
        match self {
            Write::Upsert {
                table,
                partition,
                clustering,
                cols,
                ..
            } => {
                OVERHEAD
                    + table.len()
                    + partition.len()
                    + clustering.len()
                    + cols
                        .iter()
                        .map(|(name, value)| name.len() + value.len() + 24)
                        .sum::<usize>()
            }
            Write::Touch {
                table,
                partition,
                clustering,
                ..
            }
            | Write::Delete {
                table,
                partition,
                clustering,
                ..
            } => OVERHEAD + table.len() + partition.len() + clustering.len(),
            Write::DeletePartition {
                table, partition, ..
            } => OVERHEAD + table.len() + partition.len(),
            Write::Checkpoint { projection, .. } => OVERHEAD + projection.len(),
        }
    }
}

impl SerializeRow for Write<'_> {
    fn serialize(
        &self,
        ctx: &RowSerializationContext<'_>,
        writer: &mut RowWriter,
    ) -> Result<(), SerializationError> {
        match self {
            Write::Upsert {
                position,
                table,
                partition,
                clustering,
                cols,
            } => (position, cols, position, table, partition, clustering).serialize(ctx, writer),
            Write::Touch {
                position,
                table,
                partition,
                clustering,
            } => (position, position, table, partition, clustering).serialize(ctx, writer),
            Write::Delete {
                position,
                table,
                partition,
                clustering,
            } => (position, table, partition, clustering).serialize(ctx, writer),
            Write::DeletePartition {
                position,
                table,
                partition,
            } => (position, table, partition).serialize(ctx, writer),
            Write::Checkpoint {
                position,
                projection,
            } => (position, position, projection).serialize(ctx, writer),
        }
    }

    fn is_empty(&self) -> bool {
        false
    }
}
