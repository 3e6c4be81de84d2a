//! The Kafka sink against the real Kafka (`CASTELLAN_TEST_KAFKA_BROKERS`): a topic of Avro audit
//! events for analytics consumers. A consumer in the test reads the topic, fetches the writer
//! schemas by id from Castellan's own registry API with the project's registry client, decodes
//! the values, and gets exactly the filtered events (the ledger's events, field for field), once
//! in effect and in order per aggregate, across a restart.

use std::collections::HashMap;

use castellan_core::Event;
use castellan_schemas::SchemaRegistry;
use castellan_schemas::apache_avro::Schema;
use castellan_schemas::registry::ConfluentRegistryClient;
use castellan_writer::relay::kafka::{KafkaSettings, ensure_topic};
use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Headers;
use serde_json::json;

use super::*;

/// What the consumer read: the decoded events with their record keys, in arrival order.
struct Topic {
    consumer: StreamConsumer,
    registry: ConfluentRegistryClient,
    schemas: HashMap<u32, Arc<Schema>>,
    records: Vec<(String, Event)>,
}

impl Topic {
    /// Reads (bounded) until every expected position arrived.
    async fn read_until(&mut self, wanted: &[(i64, String)]) {
        let wanted: BTreeSet<i64> = wanted.iter().map(|(p, _)| *p).collect();
        for _ in 0..600 {
            let have: BTreeSet<i64> = self.records.iter().map(|(_, e)| e.position.0).collect();
            if wanted.is_subset(&have) {
                return;
            }
            let Ok(message) =
                tokio::time::timeout(Duration::from_millis(100), self.consumer.recv()).await
            else {
                continue;
            };
            let message = message.unwrap();
            let key = String::from_utf8(message.key().unwrap().to_vec()).unwrap();
            let value = message.payload().unwrap();
            assert_eq!(value[0], 0, "Confluent's magic byte");
            let id = u32::from_be_bytes(value[1..5].try_into().unwrap());
            if !self.schemas.contains_key(&id) {
                let schema = self.registry.schema_by_id(id).await.unwrap();
                self.schemas
                    .insert(id, schema.expect("the id is registered"));
            }
            let event =
                castellan_schemas::decode(value, |id| self.schemas.get(&id).map(|s| s.as_ref()))
                    .unwrap();
            let header = message
                .headers()
                .unwrap()
                .iter()
                .find(|h| h.key == "position")
                .and_then(|h| h.value)
                .unwrap();
            assert_eq!(header, event.position.0.to_string().as_bytes());
            self.records.push((key, event));
        }
        let have: BTreeSet<i64> = self.records.iter().map(|(_, e)| e.position.0).collect();
        panic!("missing {:?}", wanted.difference(&have).collect::<Vec<_>>());
    }

    fn deliveries(&self) -> Vec<(i64, String)> {
        self.records
            .iter()
            .map(|(_, e)| (e.position.0, e.aggregate_id.clone()))
            .collect()
    }
}

/// The project's registry client against a server's registry API.
// The test is the consumer's side, not Castellan's outbound traffic.
#[allow(clippy::disallowed_methods)]
fn registry_client(server: &Server) -> ConfluentRegistryClient {
    ConfluentRegistryClient::new(&server.base_url(), reqwest::Client::new())
}

/// The ledger's own events, by position.
async fn ledger_events(server: &Server) -> HashMap<i64, Event> {
    let probe = LedgerProbe::open(&server.data_dir).await;
    let mut out = HashMap::new();
    let mut after = castellan_core::Position::START;
    loop {
        let events = probe
            .ledger
            .read(&EventFilter {
                after,
                limit: 1000,
                ..EventFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = events.last() else {
            return out;
        };
        after = last.position;
        out.extend(events.into_iter().map(|e| (e.position.0, e)));
    }
}

#[tokio::test]
async fn a_kafka_topic_gets_the_filtered_events_in_avro_once_in_order_across_a_restart() {
    let Ok(brokers) = std::env::var("CASTELLAN_TEST_KAFKA_BROKERS") else {
        eprintln!("skipped: CASTELLAN_TEST_KAFKA_BROKERS is not set (infra/up starts Kafka)");
        return;
    };
    let topic = format!("castellan.audit.test.{}", rand::random::<u32>());
    ensure_topic(&KafkaSettings {
        brokers: brokers.clone(),
        topic: topic.clone(),
        partitions: 3,
        replication_factor: 1,
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &env()).await;
    let org = add_org(&server, "Analytics").await;
    let sink = create_sink(
        &server,
        json!({"name": "analytics", "kind": "kafka", "endpoint": brokers, "topic": topic,
               "filter": {"eventTypes": ["user.*"], "orgIds": [org]}}),
    )
    .await;
    assert_eq!(sink["topic"], topic.as_str());
    assert_eq!(sink["hasSecret"], false);

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", format!("analytics-{}", rand::random::<u32>()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    consumer.subscribe(&[topic.as_str()]).unwrap();
    let mut read = Topic {
        consumer,
        registry: registry_client(&server),
        schemas: HashMap::new(),
        records: Vec::new(),
    };

    for (name, org) in [("ann", Some(&org)), ("bob", None), ("cyd", Some(&org))] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let owner = org.clone();
    let keep = move |e: &castellan_core::Event| {
        e.event_type.starts_with("user.") && e.resource_owner == owner
    };
    let wanted = expected(&server, &keep).await;
    assert!(wanted.len() >= 2, "{wanted:?}");
    read.read_until(&wanted).await;

    // The registry client is bound to the first process's port; the ids do not change.
    let registry_url = server.base_url();
    let server = server.restart().await;
    read.registry = registry_client(&server);
    assert_ne!(registry_url, server.base_url());
    for (name, org) in [("dan", Some(&org)), ("eve", None)] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "UpdateHumanUser",
            json!({"userId": "cyd", "profile": {"givenName": "Cyd", "familyName": "Changed"}}),
        )
        .await;
    let wanted = expected(&server, &keep).await;
    assert!(wanted.iter().any(|(_, id)| id == "dan"));
    assert!(!wanted.iter().any(|(_, id)| id == "bob" || id == "eve"));
    read.read_until(&wanted).await;
    // Anything still in flight would show up as an unexpected extra.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    while let Ok(Ok(message)) =
        tokio::time::timeout(Duration::from_millis(500), read.consumer.recv()).await
    {
        let position = message
            .headers()
            .unwrap()
            .iter()
            .find(|h| h.key == "position")
            .and_then(|h| h.value)
            .map(|v| String::from_utf8_lossy(v).parse::<i64>().unwrap())
            .unwrap();
        assert!(
            wanted.iter().any(|(p, _)| *p == position),
            "an unexpected record at {position}"
        );
    }
    assert_once_in_order(&wanted, &read.deliveries());

    let ledger = ledger_events(&server).await;
    for (key, event) in &read.records {
        assert_eq!(key, &event.aggregate_id, "the key is the aggregate id");
        assert_eq!(
            Some(event),
            ledger.get(&event.position.0),
            "the ledger's event"
        );
    }
}
