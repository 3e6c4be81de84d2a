//! The Kafka sink: one topic, Castellan-assigned partitions (see `castellan_core::event::
//! partition_of`), an idempotent producer (`enable.idempotence`, `acks=all`), Avro values in the
//! Confluent wire format (through an [`EventEncoder`]).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::Event;
use castellan_core::event::{partition_of, stream_key};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};

use super::{EventSink, RelayError};

/// Turns an event into the bytes of a Kafka value.
pub trait EventEncoder: Send + Sync + 'static {
    fn encode(&self, event: &Event) -> Result<Vec<u8>, String>;
}

#[derive(Clone, Debug)]
pub struct KafkaSettings {
    pub brokers: String,
    pub topic: String,
    /// Partitions of the topic when the relay creates it.
    pub partitions: u32,
    pub replication_factor: i32,
}

pub struct KafkaSink {
    producer: FutureProducer,
    topic: String,
    partitions: u32,
    encoder: Arc<dyn EventEncoder>,
}

fn stream_error(error: impl std::fmt::Display) -> RelayError {
    RelayError::Stream(error.to_string())
}

/// Creates the topic unless it exists; returns its partition count.
pub async fn ensure_topic(settings: &KafkaSettings) -> Result<u32, RelayError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        // A metadata request must not create the topic with the broker's defaults.
        .set("allow.auto.create.topics", "false")
        .create()
        .map_err(stream_error)?;
    let topic = NewTopic::new(
        &settings.topic,
        i32::try_from(settings.partitions).unwrap_or(i32::MAX),
        TopicReplication::Fixed(settings.replication_factor),
    );
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin
        .create_topics([&topic], &options)
        .await
        .map_err(stream_error)?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => return Err(stream_error(format!("create topic {name}: {code}"))),
        }
    }
    // A new topic's partitions get leaders shortly after creation: wait (bounded) until all do.
    let mut last_error = String::new();
    for _ in 0..60 {
        match admin
            .inner()
            .fetch_metadata(Some(&settings.topic), Duration::from_secs(10))
        {
            Ok(metadata) => {
                let partitions: Vec<_> = metadata
                    .topics()
                    .iter()
                    .filter(|t| t.name() == settings.topic && t.error().is_none())
                    .flat_map(|t| t.partitions().iter())
                    .collect();
                let ready = !partitions.is_empty() && partitions.iter().all(|p| p.leader() >= 0);
                if ready {
                    return u32::try_from(partitions.len()).map_err(stream_error);
                }
                last_error = format!(
                    "topic {} has no partitions with leaders yet",
                    settings.topic
                );
            }
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(stream_error(last_error))
}

impl KafkaSink {
    pub async fn connect(
        settings: &KafkaSettings,
        encoder: Arc<dyn EventEncoder>,
    ) -> Result<Self, RelayError> {
        let partitions = ensure_topic(settings).await?;
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &settings.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("max.in.flight.requests.per.connection", "5")
            .set("linger.ms", "5")
            .set("compression.type", "lz4")
            .set("message.timeout.ms", "30000")
            .create()
            .map_err(stream_error)?;
        Ok(Self {
            producer,
            topic: settings.topic.clone(),
            partitions,
            encoder,
        })
    }

    pub fn partitions(&self) -> u32 {
        self.partitions
    }
}

#[async_trait]
impl EventSink for KafkaSink {
    async fn publish(&self, events: &[Event]) -> Result<(), RelayError> {
        let mut deliveries = Vec::with_capacity(events.len());
        for event in events {
            let value = self
                .encoder
                .encode(event)
                .map_err(|message| RelayError::Encode {
                    position: event.position.0,
                    message,
                })?;
            let key = stream_key(event);
            let partition = partition_of(&key, self.partitions);
            let position = event.position.0.to_string();
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "event_type",
                    value: Some(event.event_type.as_bytes()),
                })
                .insert(Header {
                    key: "position",
                    value: Some(position.as_bytes()),
                })
                .insert(Header {
                    key: "instance_id",
                    value: Some(event.instance_id.as_bytes()),
                });
            let record = FutureRecord::to(&self.topic)
                .key(&key)
                .payload(&value)
                .partition(i32::try_from(partition).unwrap_or(0))
                .headers(headers);
            // Enqueue in order; the idempotent producer keeps per-partition order on retries.
            match self.producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((error, _)) => return Err(stream_error(error)),
            }
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(stream_error(error)),
                Err(_) => return Err(stream_error("delivery canceled")),
            }
        }
        Ok(())
    }
}

impl Drop for KafkaSink {
    fn drop(&mut self) {
        let _ = self.producer.flush(Duration::from_secs(5));
    }
}
