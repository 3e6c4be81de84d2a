//! The distributed mode: the ledger in PostgreSQL, events on Kafka (Avro), read models in
//! ScyllaDB. One process runs any subset of the roles `api`, `relay` and `reader`.

use std::sync::Arc;
use std::time::Duration;

use castellan_api::state::{ApiConfig, AppState};
use castellan_core::Event;
use castellan_core::clock::{Clock, SystemClock};
use castellan_core::ids::SnowflakeIds;
use castellan_readers::consistency::StreamConsistency;
use castellan_readers::projections;
use castellan_readers::scylla::ScyllaReadStore;
use castellan_readers::store::ReadStore;
use castellan_readers::stream::{EventDecoder, ReaderSettings, StreamReader};
use castellan_schemas::catalog::SchemaCatalog;
use castellan_schemas::registry::{
    ConfluentRegistryClient, EmbeddedRegistry, SchemaIds, SchemaRegistry,
};
use castellan_writer::Writer;
use castellan_writer::ledger::Ledger;
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::relay::kafka::{EventEncoder, KafkaSettings, KafkaSink, ensure_topic};
use castellan_writer::relay::{Relay, RelayConfig};

use crate::ServerError;
use crate::config::Config;

/// Events to Avro with the registered schema ids (also what Kafka sinks send).
pub(crate) struct AvroEncoder(pub(crate) Arc<SchemaIds>);

impl EventEncoder for AvroEncoder {
    fn encode(&self, event: &Event) -> Result<Vec<u8>, String> {
        self.0.encode(event).map_err(|error| error.to_string())
    }
}

struct AvroDecoder(Arc<SchemaIds>);

impl EventDecoder for AvroDecoder {
    fn decode(&self, bytes: &[u8]) -> Result<Event, String> {
        self.0.decode(bytes).map_err(|error| error.to_string())
    }
}

fn setting(message: impl Into<String>) -> ServerError {
    ServerError::Config(message.into())
}

/// What the distributed roles share.
pub struct Parts {
    pub ledger: Arc<dyn Ledger>,
    pub store: Arc<dyn ReadStore>,
    pub registry: Arc<EmbeddedRegistry>,
    pub ids: Arc<SchemaIds>,
    pub kafka: KafkaSettings,
    pub partitions: u32,
}

pub async fn connect(config: &Config) -> Result<Parts, ServerError> {
    if config.database.postgres.dsn.trim().is_empty() {
        return Err(setting(
            "the distributed mode needs CASTELLAN_DATABASE_POSTGRES_DSN",
        ));
    }
    let nodes: Vec<String> = config
        .cassandra
        .nodes
        .split(',')
        .map(|node| node.trim().to_owned())
        .filter(|node| !node.is_empty())
        .collect();
    if nodes.is_empty() {
        return Err(setting(
            "the distributed mode needs CASTELLAN_CASSANDRA_NODES",
        ));
    }
    let ledger = Arc::new(
        PostgresLedger::connect(&config.database.postgres.dsn)
            .await
            .map_err(crate::storage::StorageError::from)?,
    );
    ledger
        .migrate()
        .await
        .map_err(crate::storage::StorageError::from)?;
    let store = ScyllaReadStore::connect(&nodes, &config.cassandra.keyspace).await?;
    store.migrate().await?;

    let catalog =
        SchemaCatalog::new(&config.kafka.topic).map_err(|e| setting(format!("schemas: {e}")))?;
    let registry =
        EmbeddedRegistry::new(catalog.clone()).map_err(|e| setting(format!("schemas: {e}")))?;
    let ids = if config.schema_registry.url.trim().is_empty() {
        registry.ids()
    } else {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| setting(format!("schema registry client: {e}")))?;
        ConfluentRegistryClient::new(&config.schema_registry.url, http)
            .register(&catalog)
            .await
            .map_err(|e| setting(format!("schema registry: {e}")))?
    };
    let kafka = KafkaSettings {
        brokers: config.kafka.brokers.clone(),
        topic: config.kafka.topic.clone(),
        partitions: config.kafka.partitions,
        replication_factor: config.kafka.replication_factor,
    };
    let partitions = ensure_topic(&kafka)
        .await
        .map_err(|e| ServerError::Stream(e.to_string()))?;
    Ok(Parts {
        ledger,
        store: Arc::new(store),
        registry: Arc::new(registry),
        ids: Arc::new(ids),
        kafka,
        partitions,
    })
}

/// Starts the relay and reader roles this process runs; returns their tasks.
pub async fn spawn_workers(
    config: &Config,
    parts: &Parts,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, ServerError> {
    let mut tasks = Vec::new();
    if config.has_role("relay") {
        let sink = KafkaSink::connect(&parts.kafka, Arc::new(AvroEncoder(parts.ids.clone())))
            .await
            .map_err(|e| ServerError::Stream(e.to_string()))?;
        let relay = Arc::new(Relay::new(
            parts.ledger.clone(),
            Arc::new(sink),
            RelayConfig::default(),
        ));
        tasks.push(tokio::spawn(relay.run(shutdown.clone())));
        tracing::info!("relay role started");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let master_key = crate::master_key::load(config)?;
        if let Some(task) = crate::notifier::spawn(
            config,
            parts.ledger.clone(),
            clock,
            master_key.clone(),
            shutdown.clone(),
        )? {
            tasks.push(task);
        }
        let encoder = Arc::new(AvroEncoder(parts.ids.clone()));
        // Dead letters and reconcile records of the sinks and SCIM targets (no ids generated).
        let writer = Arc::new(Writer::new(
            parts.ledger.clone(),
            Arc::new(SystemClock),
            Arc::new(SnowflakeIds::new(SystemClock, node_id())),
        ));
        if let Some(task) = crate::sinks::spawn(
            config,
            writer.clone(),
            master_key.clone(),
            encoder,
            shutdown.clone(),
        )? {
            tasks.push(task);
        }
        let feed = castellan_scim::outbound::supervisor::Feed::Kafka {
            brokers: parts.kafka.brokers.clone(),
            topic: parts.kafka.topic.clone(),
            decoder: Arc::new(AvroDecoder(parts.ids.clone())),
        };
        if let Some(task) =
            crate::scim_outbound::spawn(config, writer, master_key, feed, shutdown.clone())?
        {
            tasks.push(task);
        }
    }
    if config.has_role("reader") {
        let settings = ReaderSettings {
            brokers: parts.kafka.brokers.clone(),
            topic: parts.kafka.topic.clone(),
            group_id: config.kafka.group_id.clone(),
            batch_size: 500,
        };
        let reader = StreamReader::new(
            &settings,
            parts.store.clone(),
            projections::all(),
            Arc::new(AvroDecoder(parts.ids.clone())),
        )?;
        tasks.push(tokio::spawn(Arc::new(reader).run(shutdown.clone())));
        tracing::info!("reader role started");
    }
    Ok(tasks)
}

/// The API's state in the distributed mode.
pub fn app_state(config: &Config, parts: &Parts) -> Result<(AppState, Arc<Writer>), ServerError> {
    let outbound = crate::outbound_config::outbound_parts(config).map_err(ServerError::Config)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let writer = Arc::new(Writer::new(
        parts.ledger.clone(),
        clock.clone(),
        Arc::new(SnowflakeIds::new(SystemClock, node_id())),
    ));
    let app = AppState {
        event_encoder: Arc::new(AvroEncoder(parts.ids.clone())),
        writer: writer.clone(),
        store: parts.store.clone(),
        consistency: Arc::new(StreamConsistency::new(
            parts.store.clone(),
            parts.partitions,
        )),
        clock,
        config: ApiConfig {
            validate_org_domains: config.domain_policy.validate_org_domains,
            // Long enough to ride out a reader's crash (session timeout 6 s + rebalance).
            consistency_timeout: Duration::from_secs(15),
            domain_check: outbound.domain_check,
            password_hasher: config.password_hasher.params(),
            external_secure: config.external_secure,
            mail: crate::notifier::mail_enabled(config),
            ..ApiConfig::default()
        },
        outbound: outbound.outbound,
        dns: outbound.dns,
        master_key: crate::master_key::load(config)?,
        limits: castellan_api::limits::Limits::new(config.rate_limits),
    };
    Ok((app, writer))
}

/// API processes generate ids concurrently: each picks a node number (10 bits) at random, so two
/// processes collide only if they also draw the same millisecond and sequence.
fn node_id() -> u16 {
    rand::random::<u16>() & 0x3ff
}
