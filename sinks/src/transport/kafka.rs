//! A Kafka topic of audit events for analytics consumers (issue #7, 3a). Values are Avro in
//! Confluent's wire format, encoded exactly as the relay encodes `castellan.events` (the same
//! [`EventEncoder`], so the same schema ids); the key is the aggregate id, so the events of an
//! aggregate share a partition and keep their order; the producer is idempotent (`acks=all`).
//! `send` returns only when the broker acknowledged every record of the unit, so the sink's
//! checkpoint never passes an event Kafka does not have.
//!
//! librdkafka connects by itself, so the address policy is applied before it does: the bootstrap
//! brokers must resolve to allowed addresses only, and so must every broker the cluster's
//! metadata names (the addresses it will connect to next). The topic is not created: it must
//! exist (a missing topic is a transient failure, retried, then dead letters).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use castellan_core::Event;
use castellan_outbound::AddressPolicy;
use castellan_writer::relay::kafka::EventEncoder;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use tokio::sync::OnceCell;

use super::DeliveryError;
use castellan_core::sink::split_host_port;

pub struct Kafka {
    /// `host:port,host:port…`
    pub brokers: String,
    pub topic: String,
    pub policy: AddressPolicy,
    pub encoder: Arc<dyn EventEncoder>,
    /// How long a record may wait for its acknowledgement (and the metadata request).
    pub timeout: Duration,
    producer: OnceCell<FutureProducer>,
}

fn transient(what: &str, error: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::Transient(format!("kafka {what}: {error}"))
}

/// Errors retrying cannot fix; every other produce error is worth another attempt.
fn judge(error: &KafkaError) -> DeliveryError {
    let permanent = matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::InvalidTopic
                | RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::ClusterAuthorizationFailed
                | RDKafkaErrorCode::InvalidRecord
        )
    );
    if permanent {
        DeliveryError::Permanent(format!("kafka produce: {error}"))
    } else {
        transient("produce", error)
    }
}

impl Kafka {
    pub fn new(
        brokers: &str,
        topic: &str,
        policy: AddressPolicy,
        encoder: Arc<dyn EventEncoder>,
        timeout: Duration,
    ) -> Self {
        Self {
            brokers: brokers.to_owned(),
            topic: topic.to_owned(),
            policy,
            encoder,
            timeout,
            producer: OnceCell::new(),
        }
    }

    /// Every address of `host:port` must be one outbound calls may reach.
    async fn check(&self, host: &str, port: u16) -> Result<(), DeliveryError> {
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| transient(&format!("resolve {host}"), e))?
            .collect();
        if resolved.is_empty() || resolved.iter().any(|a| !self.policy.allows(a.ip())) {
            return Err(DeliveryError::Permanent(format!(
                "kafka broker {host}:{port} resolves to addresses outbound calls may not reach"
            )));
        }
        Ok(())
    }

    /// The producer, created on first use once the brokers passed the address policy.
    async fn producer(&self) -> Result<&FutureProducer, DeliveryError> {
        self.producer.get_or_try_init(|| self.connect()).await
    }

    async fn connect(&self) -> Result<FutureProducer, DeliveryError> {
        for broker in self.brokers.split(',') {
            let (host, port) = split_host_port(broker.trim()).ok_or_else(|| {
                DeliveryError::Permanent(format!("kafka broker {broker} is not host:port"))
            })?;
            self.check(&host, port).await?;
        }
        let timeout_ms = self.timeout.as_millis().max(1000).to_string();
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("max.in.flight.requests.per.connection", "5")
            .set("linger.ms", "5")
            .set("compression.type", "lz4")
            .set("message.timeout.ms", &timeout_ms)
            .create()
            .map_err(|e| DeliveryError::Permanent(format!("kafka producer: {e}")))?;
        let client = producer.clone();
        let topic = self.topic.clone();
        let wait = self.timeout;
        // The metadata is not Send: keep only the broker addresses and whether the topic is there.
        let (brokers, known) = tokio::task::spawn_blocking(move || {
            client
                .client()
                .fetch_metadata(Some(&topic), wait)
                .map(|metadata| {
                    let brokers: Vec<(String, u16)> = metadata
                        .brokers()
                        .iter()
                        .map(|b| (b.host().to_owned(), u16::try_from(b.port()).unwrap_or(0)))
                        .collect();
                    let known = metadata.topics().iter().any(|t| {
                        t.name() == topic && t.error().is_none() && !t.partitions().is_empty()
                    });
                    (brokers, known)
                })
        })
        .await
        .map_err(|e| transient("metadata", e))?
        .map_err(|e| transient("metadata", e))?;
        for (host, port) in brokers {
            self.check(&host, port).await?;
        }
        if !known {
            return Err(DeliveryError::Transient(format!(
                "kafka topic {} does not exist",
                self.topic
            )));
        }
        Ok(producer)
    }

    /// Sends the unit and waits until the broker acknowledged every record.
    pub async fn send(&self, events: &[&Event]) -> Result<(), DeliveryError> {
        let mut values = Vec::with_capacity(events.len());
        for event in events {
            let value = self.encoder.encode(event).map_err(|e| {
                DeliveryError::Permanent(format!(
                    "kafka: event {} has no Avro encoding: {e}",
                    event.position.0
                ))
            })?;
            values.push(value);
        }
        let producer = self.producer().await?;
        let mut deliveries = Vec::with_capacity(events.len());
        for (event, value) in events.iter().zip(&values) {
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
                .key(event.aggregate_id.as_bytes())
                .payload(value)
                .headers(headers);
            // Enqueued in ledger order; the idempotent producer keeps it per partition.
            match producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((error, _)) => return Err(judge(&error)),
            }
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(judge(&error)),
                Err(_) => return Err(transient("produce", "delivery canceled")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Json;

    impl EventEncoder for Json {
        fn encode(&self, event: &Event) -> Result<Vec<u8>, String> {
            Ok(event.payload.to_string().into_bytes())
        }
    }

    #[tokio::test]
    async fn brokers_outside_the_address_policy_are_refused_before_connecting() {
        let kafka = Kafka::new(
            "127.0.0.1:9092",
            "audit",
            AddressPolicy::default(),
            Arc::new(Json),
            Duration::from_secs(1),
        );
        let event = crate::format::tests::event("user.human.added", "{}");
        let refused = kafka.send(&[&event]).await;
        assert!(
            matches!(&refused, Err(DeliveryError::Permanent(m)) if m.contains("may not reach")),
            "{refused:?}"
        );
    }
}
