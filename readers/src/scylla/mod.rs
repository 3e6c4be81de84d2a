//! The ScyllaDB read store: the same tables as the [embedded](crate::embedded) store, on
//! ScyllaDB or Apache Cassandra 5 through the `scylla` driver (CQL both accept). See
//! `docs/design/0006-scylla-read-store.md` and the schema in `schemas/cql/0001_read_store.cql`.
//!
//! Every write carries `USING TIMESTAMP <event position>`. Cassandra keeps, per cell, the write with
//! the highest timestamp (a tombstone wins a tie), so an older position can never overwrite state
//! written by a newer one, in whatever order the writes arrive: replays are harmless, and the
//! writes of one `apply` commute. Nothing here ever writes without an explicit timestamp.

mod errors;
mod schema;
mod write;

use errors::{decode, execution, new_session, next_row, pager, prepare, schema_agreement};
use schema::{quote_keyspace, schema_statements};
use write::Write;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::Position;
use futures_util::stream::FuturesUnordered;
use futures_util::{StreamExt as _, TryStreamExt as _};
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::OnceCell;

pub use scylla::statement::Consistency;

use crate::store::{Columns, Page, PositionedOp, ReadError, ReadStore, Row};

/// The schema, with `${keyspace}` and `${replication}` placeholders (see the file's header).
const SCHEMA: &str = include_str!("../../../schemas/cql/0001_read_store.cql");

/// How the keyspace is replicated when `migrate` creates it. An existing keyspace is left as it
/// is (change it with `ALTER KEYSPACE` and a repair).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replication {
    /// `SimpleStrategy`: one data center (development, tests, a single-DC cluster).
    Simple { replication_factor: u32 },
    /// `NetworkTopologyStrategy`: a replication factor per data center.
    NetworkTopology { datacenters: Vec<(String, u32)> },
}

impl Replication {
    fn cql(&self) -> Result<String, ReadError> {
        match self {
            Replication::Simple { replication_factor } => Ok(format!(
                "{{'class': 'SimpleStrategy', 'replication_factor': {replication_factor}}}"
            )),
            Replication::NetworkTopology { datacenters } => {
                if datacenters.is_empty() {
                    return Err(ReadError::Backend(
                        "NetworkTopologyStrategy needs at least one data center".into(),
                    ));
                }
                let mut entries = vec!["'class': 'NetworkTopologyStrategy'".to_owned()];
                for (datacenter, factor) in datacenters {
                    let valid = !datacenter.is_empty()
                        && datacenter
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                    if !valid {
                        return Err(ReadError::Backend(format!(
                            "invalid data center name {datacenter:?}"
                        )));
                    }
                    entries.push(format!("'{datacenter}': {factor}"));
                }
                Ok(format!("{{{}}}", entries.join(", ")))
            }
        }
    }
}

/// Settings of a [`ScyllaReadStore`]; [`Default`] suits a single local node.
#[derive(Clone, Debug)]
pub struct ScyllaOptions {
    /// Replication of the keyspace `migrate` creates (default: `SimpleStrategy`, RF 1).
    pub replication: Replication,
    /// Consistency of every read and write (default `LOCAL_QUORUM`, which is one replica at RF 1
    /// and gives read-your-writes at any RF).
    pub consistency: Consistency,
    /// Client-side timeout of one request (default 10 s).
    pub request_timeout: Duration,
    /// Credentials for `PasswordAuthenticator`, if the cluster requires them.
    pub credentials: Option<(String, String)>,
    /// An `apply` whose writes (rows and checkpoint) are estimated at most this many bytes goes in
    /// one LOGGED batch (all-or-nothing). Larger ones go as per-partition batches, then the
    /// checkpoint. Default 4 KiB, under Cassandra's `batch_size_warn_threshold` (5 KiB).
    pub max_logged_batch_bytes: usize,
    /// The most statements one LOGGED batch holds (default 64).
    pub max_logged_batch_statements: usize,
    /// How many per-partition writes of a large `apply` run at once (default 32).
    pub write_concurrency: usize,
}

impl Default for ScyllaOptions {
    fn default() -> Self {
        Self {
            replication: Replication::Simple {
                replication_factor: 1,
            },
            consistency: Consistency::LocalQuorum,
            request_timeout: Duration::from_secs(10),
            credentials: None,
            max_logged_batch_bytes: 4 * 1024,
            max_logged_batch_statements: 64,
            write_concurrency: 32,
        }
    }
}

pub struct ScyllaReadStore {
    session: Session,
    /// The keyspace name, double-quoted for CQL.
    keyspace: String,
    options: ScyllaOptions,
    /// Prepared on first use (by `migrate`, or by the first call on a migrated keyspace): the
    /// tables must exist before their statements can be prepared.
    statements: OnceCell<Statements>,
}

struct Statements {
    upsert: PreparedStatement,
    touch: PreparedStatement,
    delete: PreparedStatement,
    delete_partition: PreparedStatement,
    checkpoint_write: PreparedStatement,
    checkpoint_read: PreparedStatement,
    get: PreparedStatement,
    scan: PreparedStatement,
    page_first: PreparedStatement,
    page_after: PreparedStatement,
}

impl ScyllaReadStore {
    /// Connects to the cluster through `nodes` (`host:port`) with default options. The keyspace
    /// need not exist yet: `migrate` creates it.
    pub async fn connect(nodes: &[String], keyspace: &str) -> Result<Self, ReadError> {
        Self::connect_with(nodes, keyspace, ScyllaOptions::default()).await
    }

    pub async fn connect_with(
        nodes: &[String],
        keyspace: &str,
        options: ScyllaOptions,
    ) -> Result<Self, ReadError> {
        let keyspace = quote_keyspace(keyspace)?;
        let profile = ExecutionProfile::builder()
            .consistency(options.consistency)
            .request_timeout(Some(options.request_timeout))
            .build();
        let mut builder = SessionBuilder::new()
            .known_nodes(nodes)
            .default_execution_profile_handle(profile.into_handle());
        if let Some((user, password)) = &options.credentials {
            builder = builder.user(user, password);
        }
        let session = builder.build().await.map_err(new_session)?;
        Ok(Self {
            session,
            keyspace,
            options,
            statements: OnceCell::new(),
        })
    }

    /// The driver session (for operational tooling and tests).
    pub fn session(&self) -> &Session {
        &self.session
    }

    async fn statements(&self) -> Result<&Statements, ReadError> {
        self.statements
            .get_or_try_init(|| async {
                let ks = &self.keyspace;
                Ok(Statements {
                    upsert: self
                        .prepare(format!(
                            "UPDATE {ks}.read_rows USING TIMESTAMP ? SET cols = cols + ?, position = ? \
                             WHERE tbl = ? AND part = ? AND clust = ?"
                        ))
                        .await?,
                    touch: self
                        .prepare(format!(
                            "UPDATE {ks}.read_rows USING TIMESTAMP ? SET position = ? \
                             WHERE tbl = ? AND part = ? AND clust = ?"
                        ))
                        .await?,
                    delete: self
                        .prepare(format!(
                            "DELETE FROM {ks}.read_rows USING TIMESTAMP ? \
                             WHERE tbl = ? AND part = ? AND clust = ?"
                        ))
                        .await?,
                    delete_partition: self
                        .prepare(format!(
                            "DELETE FROM {ks}.read_rows USING TIMESTAMP ? WHERE tbl = ? AND part = ?"
                        ))
                        .await?,
                    checkpoint_write: self
                        .prepare(format!(
                            "UPDATE {ks}.checkpoints USING TIMESTAMP ? SET position = ? \
                             WHERE projection = ?"
                        ))
                        .await?,
                    checkpoint_read: self
                        .prepare(format!(
                            "SELECT position FROM {ks}.checkpoints WHERE projection = ?"
                        ))
                        .await?,
                    get: self
                        .prepare(format!(
                            "SELECT cols, position FROM {ks}.read_rows \
                             WHERE tbl = ? AND part = ? AND clust = ?"
                        ))
                        .await?,
                    scan: self
                        .prepare(format!(
                            "SELECT clust, cols, position FROM {ks}.read_rows \
                             WHERE tbl = ? AND part = ?"
                        ))
                        .await?,
                    page_first: self
                        .prepare(format!(
                            "SELECT clust, cols, position FROM {ks}.read_rows \
                             WHERE tbl = ? AND part = ? LIMIT ?"
                        ))
                        .await?,
                    page_after: self
                        .prepare(format!(
                            "SELECT clust, cols, position FROM {ks}.read_rows \
                             WHERE tbl = ? AND part = ? AND clust > ? LIMIT ?"
                        ))
                        .await?,
                })
            })
            .await
    }

    async fn prepare(&self, cql: String) -> Result<PreparedStatement, ReadError> {
        let mut statement = self.session.prepare(cql).await.map_err(prepare)?;
        // Every statement here is idempotent (writes carry explicit timestamps), so the driver may
        // retry and speculate freely.
        statement.set_is_idempotent(true);
        Ok(statement)
    }

    async fn execute_write(
        &self,
        statements: &Statements,
        write: &Write<'_>,
    ) -> Result<(), ReadError> {
        self.session
            .execute_unpaged(write.statement(statements), write)
            .await
            .map_err(execution)?;
        Ok(())
    }

    async fn execute_batch(
        &self,
        kind: BatchType,
        statements: &Statements,
        writes: &[Write<'_>],
    ) -> Result<(), ReadError> {
        if let [write] = writes {
            return self.execute_write(statements, write).await;
        }
        let mut batch = Batch::new(kind);
        batch.set_is_idempotent(true);
        for write in writes {
            batch.append_statement(write.statement(statements).clone());
        }
        self.session
            .batch(&batch, writes)
            .await
            .map_err(execution)?;
        Ok(())
    }
}

#[async_trait]
impl ReadStore for ScyllaReadStore {
    async fn migrate(&self) -> Result<(), ReadError> {
        let replication = self.options.replication.cql()?;
        for statement in schema_statements(SCHEMA) {
            let cql = statement
                .replace("${keyspace}", &self.keyspace)
                .replace("${replication}", &replication);
            self.session
                .query_unpaged(cql, ())
                .await
                .map_err(execution)?;
        }
        self.session
            .await_schema_agreement()
            .await
            .map_err(schema_agreement)?;
        self.statements().await?;
        Ok(())
    }

    async fn apply(
        &self,
        projection: &str,
        ops: &[PositionedOp],
        checkpoint: Position,
    ) -> Result<(), ReadError> {
        let statements = self.statements().await?;
        let mut writes: Vec<Write<'_>> = ops.iter().map(Write::from_op).collect();
        let checkpoint = Write::Checkpoint {
            position: checkpoint.0,
            projection,
        };
        let bytes: usize = writes.iter().map(Write::estimated_bytes).sum();
        if writes.len() < self.options.max_logged_batch_statements
            && bytes + checkpoint.estimated_bytes() <= self.options.max_logged_batch_bytes
        {
            // Small: rows and checkpoint all-or-nothing, in one LOGGED batch.
            writes.push(checkpoint);
            return self
                .execute_batch(BatchType::Logged, statements, &writes)
                .await;
        }
        // Large: one UNLOGGED batch per partition (atomic within its partition, and no batchlog),
        // several at a time; the checkpoint only once every row write has succeeded. A failure in
        // between leaves some rows newer than the checkpoint, which the replay from the checkpoint
        // rewrites with the same timestamps and values: harmless.
        let mut groups: Vec<Vec<Write<'_>>> = Vec::new();
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for write in writes {
            let key = write.partition_key();
            match index.get(&key).and_then(|at| groups.get_mut(*at)) {
                Some(group) => group.push(write),
                None => {
                    index.insert(key, groups.len());
                    groups.push(vec![write]);
                }
            }
        }
        let limit = self.options.write_concurrency.max(1);
        let mut remaining = groups.iter();
        let mut running = FuturesUnordered::new();
        loop {
            while running.len() < limit {
                let Some(group) = remaining.next() else {
                    break;
                };
                running.push(self.execute_batch(BatchType::Unlogged, statements, group));
            }
            match running.next().await {
                Some(done) => done?,
                None => break,
            }
        }
        self.execute_write(statements, &checkpoint).await
    }

    async fn checkpoint(&self, projection: &str) -> Result<Position, ReadError> {
        let statements = self.statements().await?;
        let result = self
            .session
            .execute_unpaged(&statements.checkpoint_read, (projection,))
            .await
            .map_err(execution)?
            .into_rows_result()
            .map_err(decode)?;
        let row = result.maybe_first_row::<(Option<i64>,)>().map_err(decode)?;
        Ok(Position(row.and_then(|(at,)| at).unwrap_or(0)))
    }

    async fn get(
        &self,
        table: &str,
        partition: &str,
        clustering: &str,
    ) -> Result<Option<Row>, ReadError> {
        let statements = self.statements().await?;
        let result = self
            .session
            .execute_unpaged(&statements.get, (table, partition, clustering))
            .await
            .map_err(execution)?
            .into_rows_result()
            .map_err(decode)?;
        let row = result
            .maybe_first_row::<(Option<BTreeMap<String, String>>, Option<i64>)>()
            .map_err(decode)?;
        match row {
            Some((cols, Some(position))) => {
                Ok(Some(to_row(clustering.to_owned(), cols, position)?))
            }
            _ => Ok(None),
        }
    }

    async fn scan(&self, table: &str, partition: &str) -> Result<Vec<Row>, ReadError> {
        let statements = self.statements().await?;
        let mut stream = self
            .session
            .execute_iter(statements.scan.clone(), (table, partition))
            .await
            .map_err(pager)?
            .rows_stream::<(String, Option<BTreeMap<String, String>>, Option<i64>)>()
            .map_err(decode)?;
        let mut rows = Vec::new();
        // Rows come in clustering order (clust ASC, compared as UTF-8 bytes).
        while let Some((clust, cols, position)) = stream.try_next().await.map_err(next_row)? {
            if let Some(position) = position {
                rows.push(to_row(clust, cols, position)?);
            }
        }
        Ok(rows)
    }

    async fn scan_page(
        &self,
        table: &str,
        partition: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, ReadError> {
        let statements = self.statements().await?;
        let limit = i32::try_from(limit.max(1)).unwrap_or(i32::MAX);
        let result = match after {
            None => {
                self.session
                    .execute_unpaged(&statements.page_first, (table, partition, limit))
                    .await
            }
            Some(after) => {
                self.session
                    .execute_unpaged(&statements.page_after, (table, partition, after, limit))
                    .await
            }
        }
        .map_err(execution)?
        .into_rows_result()
        .map_err(decode)?;
        let mut rows = Vec::new();
        let mut scanned = 0_i32;
        let mut last = None;
        for row in result
            .rows::<(String, Option<BTreeMap<String, String>>, Option<i64>)>()
            .map_err(decode)?
        {
            let (clust, cols, position) = row.map_err(decode)?;
            scanned += 1;
            last = Some(clust.clone());
            // A row whose cells were all deleted has no position: a tombstone, skipped.
            if let Some(position) = position {
                rows.push(to_row(clust, cols, position)?);
            }
        }
        let next = if scanned >= limit { last } else { None };
        Ok(Page { rows, next })
    }
}

fn to_row(
    clustering: String,
    cols: Option<BTreeMap<String, String>>,
    position: i64,
) -> Result<Row, ReadError> {
    let mut columns = Columns::new();
    // A row whose upserts named no column has a live position and a null (empty) map.
    for (name, text) in cols.unwrap_or_default() {
        let value = serde_json::from_str(&text)
            .map_err(|e| ReadError::Backend(format!("column {name:?} is not JSON: {e}")))?;
        columns.insert(name, value);
    }
    Ok(Row {
        clustering,
        columns,
        position: Position(position),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_in_string_literals_do_not_split() {
        assert_eq!(
            schema_statements("-- a; b\nCREATE x WITH comment = 'a; ''b'';';\n\nCREATE y;\n"),
            ["CREATE x WITH comment = 'a; ''b'';'", "CREATE y"]
        );
    }

    #[test]
    fn the_schema_file_splits_into_three_idempotent_statements() {
        let statements = schema_statements(SCHEMA);
        assert_eq!(statements.len(), 3);
        for statement in &statements {
            assert!(statement.contains("IF NOT EXISTS"), "{statement}");
            assert!(!statement.contains("--"), "{statement}");
        }
    }

    #[test]
    fn keyspace_names_are_checked_and_quoted() {
        assert_eq!(quote_keyspace("castellan").unwrap(), "\"castellan\"");
        assert!(quote_keyspace("").is_err());
        assert!(quote_keyspace("a\"; DROP").is_err());
        assert!(quote_keyspace(&"k".repeat(49)).is_err());
    }

    #[test]
    fn replication_maps() {
        assert_eq!(
            Replication::Simple {
                replication_factor: 1
            }
            .cql()
            .unwrap(),
            "{'class': 'SimpleStrategy', 'replication_factor': 1}"
        );
        assert_eq!(
            Replication::NetworkTopology {
                datacenters: vec![("dc1".into(), 3), ("dc2".into(), 2)]
            }
            .cql()
            .unwrap(),
            "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}"
        );
        assert!(
            Replication::NetworkTopology {
                datacenters: vec![("x'y".into(), 3)]
            }
            .cql()
            .is_err()
        );
    }
}
