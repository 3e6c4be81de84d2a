//! A Kafka consumer that hands the event stream to any [`EventSink`] (an outbound SCIM target's
//! worker, for one): a consumer group of its own, batches decoded from Avro, offsets committed
//! only after the sink took the batch. At-least-once: a crash or a rebalance before the commit
//! delivers the batch again, which the sink's idempotent handling makes harmless. Per-aggregate
//! order holds because the relay partitions by aggregate and a partition has one consumer in the
//! group.

use std::sync::Arc;
use std::time::Duration;

use castellan_writer::relay::EventSink;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;

use crate::store::ReadError;
use crate::stream::{
    EventDecoder, ReaderSettings, receive_batch, subscribed_consumer, unavailable,
};

pub struct KafkaFeed {
    consumer: StreamConsumer,
    sink: Arc<dyn EventSink>,
    decoder: Arc<dyn EventDecoder>,
    batch_size: usize,
}

impl KafkaFeed {
    pub fn new(
        settings: &ReaderSettings,
        sink: Arc<dyn EventSink>,
        decoder: Arc<dyn EventDecoder>,
    ) -> Result<Self, ReadError> {
        let consumer = subscribed_consumer(settings)?;
        Ok(Self {
            consumer,
            sink,
            decoder,
            batch_size: settings.batch_size.max(1),
        })
    }

    /// Receives up to one batch (waiting at most `wait` for the first message), hands it to the
    /// sink (again and again until it takes it) and commits its offsets.
    pub async fn step(&self, wait: Duration) -> Result<usize, ReadError> {
        let messages = receive_batch(&self.consumer, wait, self.batch_size).await?;
        if messages.is_empty() {
            return Ok(0);
        }
        let mut events = Vec::with_capacity(messages.len());
        let mut offsets = TopicPartitionList::new();
        for message in &messages {
            offsets
                .add_partition_offset(
                    message.topic(),
                    message.partition(),
                    Offset::Offset(message.offset() + 1),
                )
                .map_err(unavailable)?;
            let Some(bytes) = message.payload() else {
                continue;
            };
            match self.decoder.decode(bytes) {
                Ok(event) => events.push(event),
                Err(error) => {
                    tracing::error!(partition = message.partition(), offset = message.offset(), %error, "undecodable event skipped");
                }
            }
        }
        // The consumer has moved past these messages: the sink must take them before anything
        // else is received, or a later commit would skip them.
        let mut backoff = Duration::from_millis(100);
        while let Err(error) = self.sink.publish(&events).await {
            tracing::warn!(%error, retry_in = ?backoff, "the sink refused a batch; retrying it");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        self.consumer
            .commit(&offsets, CommitMode::Sync)
            .map_err(unavailable)?;
        Ok(messages.len())
    }

    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(100);
        while !*shutdown.borrow() {
            tokio::select! {
                result = self.step(Duration::from_millis(500)) => match result {
                    Ok(_) => backoff = Duration::from_millis(100),
                    Err(error) => {
                        tracing::warn!(%error, retry_in = ?backoff, "feed step failed");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                },
                _ = shutdown.changed() => {}
            }
        }
    }
}
