//! What the scenario checks once the faults are over: the ledger, the Kafka topic, and the read
//! model in Cassandra against a rebuild from the ledger.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use castellan_core::Position;
use castellan_core::clock::{Clock, SystemClock};
use castellan_readers::embedded::EmbeddedReadStore;
use castellan_readers::projections;
use castellan_readers::queries::org::{OrgSort, list_domains, list_metadata, list_orgs};
use castellan_readers::queries::{Paging, identity};
use castellan_readers::runner::Projector;
use castellan_readers::scylla::ScyllaReadStore;
use castellan_readers::store::{Columns, ReadStore};
use castellan_readers::tables::STREAM_PROGRESS;
use castellan_writer::ledger::postgres::PostgresLedger;
use futures_util::{StreamExt as _, TryStreamExt as _};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sqlx::Row as _;

// ---------------------------------------------------------------------------------------------
// Ledger
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct LedgerEvent {
    pub position: i64,
    pub event_type: String,
    pub aggregate_id: String,
    /// `payload.name` (org.added).
    pub name: Option<String>,
    /// Microseconds since the epoch (the command's time).
    pub created_at: i64,
}

pub async fn ledger_events(pool: &sqlx::PgPool) -> Result<Vec<LedgerEvent>, String> {
    let rows = sqlx::query(
        "SELECT position, event_type, aggregate_id, payload->>'name' AS name, created_at \
         FROM castellan.events ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| format!("read castellan.events: {e}"))?;
    Ok(rows
        .iter()
        .map(|row| LedgerEvent {
            position: row.get("position"),
            event_type: row.get("event_type"),
            aggregate_id: row.get("aggregate_id"),
            name: row.get("name"),
            created_at: row.get("created_at"),
        })
        .collect())
}

/// The relay's durable checkpoint (0 if none yet).
pub async fn relay_checkpoint(pool: &sqlx::PgPool) -> Result<i64, String> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM castellan.checkpoints WHERE name = 'kafka-relay'")
            .fetch_optional(pool)
            .await
            .map_err(|e| format!("read castellan.checkpoints: {e}"))?;
    Ok(position.unwrap_or(0))
}

pub async fn instance_id(pool: &sqlx::PgPool) -> Result<String, String> {
    sqlx::query_scalar(
        "SELECT instance_id FROM castellan.events WHERE aggregate_type = 'instance' \
         ORDER BY position LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .map_err(|e| format!("no instance in the ledger: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Kafka
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub struct TopicScan {
    pub messages: u64,
    /// The `position` header of every message, in partition/offset order.
    pub positions: Vec<i64>,
    pub without_position: u64,
}

/// Reads the whole topic, every partition from its low to its high watermark, with a consumer
/// of its own (no group offsets are committed).
pub async fn scan_topic(brokers: &str, topic: &str) -> Result<TopicScan, String> {
    let brokers = brokers.to_owned();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || scan_topic_blocking(&brokers, &topic))
        .await
        .map_err(|e| format!("scan task: {e}"))?
}

fn scan_topic_blocking(brokers: &str, topic: &str) -> Result<TopicScan, String> {
    let group = format!("chaos-check-{}", rand::random::<u32>());
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_uncommitted")
        .create()
        .map_err(|e| format!("consumer: {e}"))?;
    let timeout = Duration::from_secs(30);
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| format!("metadata: {e}"))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().iter().map(|p| p.id()).collect())
        .unwrap_or_default();
    if partitions.is_empty() {
        return Err(format!("topic {topic} has no partitions"));
    }
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    let mut assignment = TopicPartitionList::new();
    for partition in &partitions {
        let (low, high) = consumer
            .fetch_watermarks(topic, *partition, timeout)
            .map_err(|e| format!("watermarks of {partition}: {e}"))?;
        if high > low {
            ends.insert(*partition, high);
            assignment
                .add_partition_offset(topic, *partition, Offset::Offset(low))
                .map_err(|e| format!("assign: {e}"))?;
        }
    }
    let mut scan = TopicScan::default();
    if ends.is_empty() {
        return Ok(scan);
    }
    consumer
        .assign(&assignment)
        .map_err(|e| format!("assign: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ends.is_empty() {
        if Instant::now() > deadline {
            return Err(format!(
                "topic scan incomplete after 120 s; partitions left: {ends:?}"
            ));
        }
        let Some(result) = consumer.poll(Duration::from_millis(500)) else {
            continue;
        };
        let message = result.map_err(|e| format!("consume: {e}"))?;
        scan.messages += 1;
        let position = message.headers().and_then(|headers| {
            headers
                .iter()
                .find(|h| h.key == "position")
                .and_then(|h| h.value)
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|s| s.parse::<i64>().ok())
        });
        match position {
            Some(position) => scan.positions.push(position),
            None => scan.without_position += 1,
        }
        if let Some(end) = ends.get(&message.partition())
            && message.offset() + 1 >= *end
        {
            ends.remove(&message.partition());
        }
    }
    Ok(scan)
}

// ---------------------------------------------------------------------------------------------
// Read model
// ---------------------------------------------------------------------------------------------

/// Rebuilds every projection from the ledger into a fresh embedded store at `path`, until it
/// has applied `head` (bounded: the ledger's tail only shows positions below the oldest running
/// transaction of the whole PostgreSQL cluster, which another test may hold back briefly).
pub async fn rebuild(
    ledger_url: &str,
    path: &Path,
    head: i64,
) -> Result<Arc<EmbeddedReadStore>, String> {
    let ledger = Arc::new(
        PostgresLedger::connect(ledger_url)
            .await
            .map_err(|e| format!("ledger: {e}"))?,
    );
    let store = Arc::new(
        EmbeddedReadStore::open(path)
            .await
            .map_err(|e| format!("embedded store: {e}"))?,
    );
    store
        .migrate()
        .await
        .map_err(|e| format!("migrate embedded store: {e}"))?;
    let projector = Projector::new(ledger, store.clone(), projections::all());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reached = projector
            .catch_up()
            .await
            .map_err(|e| format!("rebuild: {e}"))?;
        if reached >= Position(head) {
            return Ok(store);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the rebuild reached {} but the ledger's head is {head}",
                reached.0
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub type RowKey = (String, String, String);
type RowValue = (Columns, i64);

/// Every live row of the keyspace's `read_rows` (a full scan), without `stream_progress` (the
/// readers' own bookkeeping, which a rebuild does not write).
pub async fn cassandra_rows(
    store: &ScyllaReadStore,
    keyspace: &str,
) -> Result<BTreeMap<RowKey, RowValue>, String> {
    let cql = format!("SELECT tbl, part, clust, cols, position FROM \"{keyspace}\".read_rows");
    let mut stream = store
        .session()
        .query_iter(cql, ())
        .await
        .map_err(|e| format!("scan read_rows: {e}"))?
        .rows_stream::<(
            String,
            String,
            String,
            Option<BTreeMap<String, String>>,
            Option<i64>,
        )>()
        .map_err(|e| format!("scan read_rows: {e}"))?;
    let mut rows = BTreeMap::new();
    while let Some((tbl, part, clust, cols, position)) = stream
        .try_next()
        .await
        .map_err(|e| format!("scan read_rows: {e}"))?
    {
        let Some(position) = position else {
            continue;
        };
        if tbl == STREAM_PROGRESS {
            continue;
        }
        let mut columns = Columns::new();
        for (name, text) in cols.unwrap_or_default() {
            let value = serde_json::from_str(&text)
                .map_err(|e| format!("{tbl}/{part}/{clust}: column {name} is not JSON: {e}"))?;
            columns.insert(name, value);
        }
        rows.insert((tbl, part, clust), (columns, position));
    }
    Ok(rows)
}

/// Every live row of an embedded store's file.
pub async fn embedded_rows(path: &Path) -> Result<BTreeMap<RowKey, RowValue>, String> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .map_err(|e| format!("open {}: {e}", path.display()))?;
    let rows =
        sqlx::query("SELECT tbl, part, clust, position, data FROM read_rows WHERE deleted = 0")
            .fetch_all(&pool)
            .await
            .map_err(|e| format!("read {}: {e}", path.display()))?;
    let mut all = BTreeMap::new();
    for row in rows {
        let data: String = row.get("data");
        let columns = match serde_json::from_str(&data) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return Err(format!("row data is not a JSON object: {data}")),
        };
        all.insert(
            (row.get("tbl"), row.get("part"), row.get("clust")),
            (columns, row.get::<i64, _>("position")),
        );
    }
    pool.close().await;
    Ok(all)
}

#[derive(Debug, Default)]
pub struct RowDiff {
    pub compared: usize,
    /// In the rebuild, not in Cassandra.
    pub missing: usize,
    /// In Cassandra, not in the rebuild.
    pub extra: usize,
    /// In both, with other columns or position.
    pub differing: usize,
    pub examples: Vec<String>,
    /// Every row missing in Cassandra.
    pub missing_keys: Vec<RowKey>,
    /// Every row that differs.
    pub differing_keys: Vec<RowKey>,
    /// Rows per logical table in the rebuild.
    pub per_table: BTreeMap<String, usize>,
}

impl RowDiff {
    pub fn equal(&self) -> bool {
        self.missing == 0 && self.extra == 0 && self.differing == 0
    }
}

pub fn diff_rows(
    cassandra: &BTreeMap<RowKey, RowValue>,
    rebuilt: &BTreeMap<RowKey, RowValue>,
) -> RowDiff {
    let mut diff = RowDiff::default();
    let keys: BTreeSet<&RowKey> = cassandra.keys().chain(rebuilt.keys()).collect();
    for key in keys {
        diff.compared += 1;
        let example = |what: &str| {
            format!(
                "{what}: {}/{}/{}",
                key.0,
                key.1.replace('\u{1f}', "·"),
                key.2
            )
        };
        match (cassandra.get(key), rebuilt.get(key)) {
            (None, Some(_)) => {
                diff.missing += 1;
                diff.missing_keys.push(key.clone());
                if diff.examples.len() < 10 {
                    diff.examples.push(example("missing in Cassandra"));
                }
            }
            (Some(_), None) => {
                diff.extra += 1;
                if diff.examples.len() < 10 {
                    diff.examples.push(example("extra in Cassandra"));
                }
            }
            (Some(a), Some(b)) if a != b => {
                diff.differing += 1;
                diff.differing_keys.push(key.clone());
                if diff.examples.len() < 10 {
                    diff.examples.push(format!(
                        "{} (Cassandra {:?} @{}, rebuild {:?} @{})",
                        example("differs"),
                        a.0,
                        a.1,
                        b.0,
                        b.1
                    ));
                }
            }
            _ => {}
        }
    }
    for key in rebuilt.keys() {
        *diff.per_table.entry(key.0.clone()).or_insert(0) += 1;
    }
    diff
}

#[derive(Debug, Default)]
pub struct QueryDiff {
    pub orgs_cassandra: usize,
    pub orgs_rebuilt: usize,
    pub orgs_missing: usize,
    pub orgs_extra: usize,
    pub orgs_differing: usize,
    /// Org ids listed more than once across the pages of one store.
    pub duplicate_org_ids: usize,
    pub domains_differing: usize,
    pub domains_compared: usize,
    pub metadata_differing: usize,
    pub metadata_compared: usize,
    pub identity_equal: bool,
    pub examples: Vec<String>,
    /// Orgs the rebuild lists and Cassandra does not.
    pub missing_org_ids: Vec<String>,
    /// Orgs listed by both with a different view, domains or metadata.
    pub differing_org_ids: Vec<String>,
}

async fn all_orgs(
    store: &dyn ReadStore,
    instance: &str,
) -> Result<Vec<castellan_readers::queries::org::OrgView>, String> {
    let mut all = Vec::new();
    loop {
        let page = list_orgs(
            store,
            instance,
            &[],
            OrgSort::Unspecified,
            Paging {
                offset: all.len() as u64,
                limit: 1000,
                asc: true,
            },
        )
        .await
        .map_err(|e| format!("list_orgs: {e}"))?;
        let empty = page.items.is_empty();
        all.extend(page.items);
        if empty || all.len() as u64 >= page.total {
            return Ok(all);
        }
    }
}

/// The queries the API serves, on both stores: every org (all pages), each org's domains and
/// metadata, the instance by its domain and the admin behind the token.
pub async fn diff_queries(
    cassandra: &dyn ReadStore,
    rebuilt: &dyn ReadStore,
    instance: &str,
    domain: &str,
    token: &str,
) -> Result<QueryDiff, String> {
    let mut diff = QueryDiff::default();
    let a = all_orgs(cassandra, instance).await?;
    let b = all_orgs(rebuilt, instance).await?;
    diff.orgs_cassandra = a.len();
    diff.orgs_rebuilt = b.len();
    let ids_a: BTreeSet<&str> = a.iter().map(|o| o.id.as_str()).collect();
    let ids_b: BTreeSet<&str> = b.iter().map(|o| o.id.as_str()).collect();
    diff.duplicate_org_ids = (a.len() - ids_a.len()) + (b.len() - ids_b.len());
    let by_id_a: BTreeMap<&str, _> = a.iter().map(|o| (o.id.as_str(), o)).collect();
    let by_id_b: BTreeMap<&str, _> = b.iter().map(|o| (o.id.as_str(), o)).collect();
    for id in ids_a.union(&ids_b) {
        match (by_id_a.get(id), by_id_b.get(id)) {
            (Some(_), None) => diff.orgs_extra += 1,
            (None, Some(_)) => {
                diff.orgs_missing += 1;
                diff.missing_org_ids.push((*id).to_owned());
                if diff.examples.len() < 10 {
                    diff.examples.push(format!("org {id} missing in Cassandra"));
                }
            }
            (Some(x), Some(y)) if x != y => {
                diff.orgs_differing += 1;
                diff.differing_org_ids.push((*id).to_owned());
                if diff.examples.len() < 10 {
                    diff.examples
                        .push(format!("org {id}: Cassandra {x:?}, rebuild {y:?}"));
                }
            }
            _ => {}
        }
    }
    let ids: Vec<String> = ids_a.union(&ids_b).map(|s| (*s).to_owned()).collect();
    let results: Vec<Result<(String, bool, bool), String>> =
        futures_util::stream::iter(ids.into_iter().map(|id| async move {
            let da = list_domains(cassandra, instance, &id, "")
                .await
                .map_err(|e| format!("list_domains: {e}"))?;
            let db = list_domains(rebuilt, instance, &id, "")
                .await
                .map_err(|e| format!("list_domains: {e}"))?;
            let ma = list_metadata(cassandra, instance, &id)
                .await
                .map_err(|e| format!("list_metadata: {e}"))?;
            let mb = list_metadata(rebuilt, instance, &id)
                .await
                .map_err(|e| format!("list_metadata: {e}"))?;
            Ok((id, da == db, ma == mb))
        }))
        .buffer_unordered(32)
        .collect()
        .await;
    for result in results {
        let (id, domains_equal, metadata_equal) = result?;
        diff.domains_compared += 1;
        diff.metadata_compared += 1;
        if !domains_equal {
            diff.domains_differing += 1;
            diff.differing_org_ids.push(id.clone());
            if diff.examples.len() < 10 {
                diff.examples.push(format!("org {id}: domains differ"));
            }
        }
        if !metadata_equal {
            diff.metadata_differing += 1;
            diff.differing_org_ids.push(id.clone());
            if diff.examples.len() < 10 {
                diff.examples.push(format!("org {id}: metadata differs"));
            }
        }
    }
    let hash = castellan_writer::secrets::token_hash(token);
    let now = SystemClock.now();
    let ia = identity::instance_by_domain(cassandra, domain)
        .await
        .map_err(|e| format!("instance_by_domain: {e}"))?;
    let ib = identity::instance_by_domain(rebuilt, domain)
        .await
        .map_err(|e| format!("instance_by_domain: {e}"))?;
    let pa = identity::principal_by_token(cassandra, instance, &hash, now)
        .await
        .map_err(|e| format!("principal_by_token: {e}"))?;
    let pb = identity::principal_by_token(rebuilt, instance, &hash, now)
        .await
        .map_err(|e| format!("principal_by_token: {e}"))?;
    diff.identity_equal = ia == ib && pa == pb && ia.is_some() && pa.is_some();
    if !diff.identity_equal {
        diff.examples.push(format!(
            "identity: Cassandra {ia:?} {pa:?}, rebuild {ib:?} {pb:?}"
        ));
    }
    Ok(diff)
}
