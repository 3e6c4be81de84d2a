//! A reader process of the distributed mode: a Kafka consumer in a consumer group, applying every
//! projection to the read store and committing offsets only after the write. Several readers
//! share the partitions; a rebalance re-delivers uncommitted messages, which idempotent writes
//! make harmless.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::{Event, Position};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;

use crate::projections::Projection;
use crate::store::{PositionedOp, ReadError, ReadStore, RowOp};
use crate::tables::STREAM_PROGRESS;

/// Turns a Kafka value back into an event.
pub trait EventDecoder: Send + Sync + 'static {
    fn decode(&self, bytes: &[u8]) -> Result<Event, String>;
}

#[derive(Clone, Debug)]
pub struct ReaderSettings {
    pub brokers: String,
    pub topic: String,
    pub group_id: String,
    pub batch_size: usize,
}

pub struct StreamReader {
    consumer: StreamConsumer,
    store: Arc<dyn ReadStore>,
    projections: Vec<Box<dyn Projection>>,
    decoder: Arc<dyn EventDecoder>,
    batch_size: usize,
}

/// The name under which a stream reader's apply is recorded.
pub const STREAM_READER: &str = "stream_reader";

pub(crate) fn unavailable(error: impl std::fmt::Display) -> ReadError {
    ReadError::Unavailable(format!("kafka: {error}"))
}

/// A consumer in `settings.group_id` subscribed to `settings.topic`: offsets committed by hand,
/// from the earliest offset for a new group, reading committed transactions only.
pub(crate) fn subscribed_consumer(settings: &ReaderSettings) -> Result<StreamConsumer, ReadError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &settings.brokers)
        .set("group.id", &settings.group_id)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_committed")
        // A crashed reader's partitions move to the others after this long (Kafka's minimum):
        // it bounds how stale a read can be after a reader dies.
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "1500")
        .set("partition.assignment.strategy", "cooperative-sticky")
        .create()
        .map_err(unavailable)?;
    consumer
        .subscribe(&[&settings.topic])
        .map_err(unavailable)?;
    Ok(consumer)
}

/// Up to `batch_size` messages: waits at most `wait` for the first (none: an empty batch), then
/// takes what arrives within a few milliseconds. A receive error after the first message ends
/// the batch instead of dropping what was received (it comes up again on the next call).
pub(crate) async fn receive_batch(
    consumer: &StreamConsumer,
    wait: Duration,
    batch_size: usize,
) -> Result<Vec<OwnedMessage>, ReadError> {
    let mut messages = Vec::new();
    match tokio::time::timeout(wait, consumer.recv()).await {
        Err(_) => return Ok(messages),
        Ok(Err(error)) => return Err(unavailable(error)),
        Ok(Ok(message)) => messages.push(message.detach()),
    }
    while messages.len() < batch_size {
        match tokio::time::timeout(Duration::from_millis(5), consumer.recv()).await {
            Ok(Ok(message)) => messages.push(message.detach()),
            Ok(Err(error)) => {
                tracing::warn!(%error, "receive failed; handling the messages received so far");
                break;
            }
            Err(_) => break,
        }
    }
    Ok(messages)
}

impl StreamReader {
    pub fn new(
        settings: &ReaderSettings,
        store: Arc<dyn ReadStore>,
        projections: Vec<Box<dyn Projection>>,
        decoder: Arc<dyn EventDecoder>,
    ) -> Result<Self, ReadError> {
        let consumer = subscribed_consumer(settings)?;
        Ok(Self {
            consumer,
            store,
            projections,
            decoder,
            batch_size: settings.batch_size.max(1),
        })
    }

    /// Receives up to one batch (waiting at most `wait` for the first message), applies it and
    /// commits its offsets. Returns how many messages it applied.
    pub async fn step(&self, wait: Duration) -> Result<usize, ReadError> {
        let messages = receive_batch(&self.consumer, wait, self.batch_size).await?;
        if messages.is_empty() {
            return Ok(0);
        }
        let mut ops = Vec::new();
        let mut progress: Vec<(i32, Position)> = Vec::new();
        let mut offsets = TopicPartitionList::new();
        for message in &messages {
            let Some(bytes) = message.payload() else {
                continue;
            };
            let event = match self.decoder.decode(bytes) {
                Ok(event) => event,
                Err(error) => {
                    // A value this version cannot read is skipped loudly, not retried forever.
                    tracing::error!(partition = message.partition(), offset = message.offset(), %error, "undecodable event skipped");
                    continue;
                }
            };
            for projection in &self.projections {
                match projection.project(&event) {
                    Ok(projected) => ops.extend(projected.into_iter().map(|op| PositionedOp {
                        position: event.position,
                        op,
                    })),
                    Err(error) => {
                        tracing::error!(projection = projection.name(), position = event.position.0, %error, "event skipped by projection")
                    }
                }
            }
            match progress.iter_mut().find(|(p, _)| *p == message.partition()) {
                Some((_, at)) => *at = (*at).max(event.position),
                None => progress.push((message.partition(), event.position)),
            }
        }
        for message in &messages {
            offsets
                .add_partition_offset(
                    message.topic(),
                    message.partition(),
                    Offset::Offset(message.offset() + 1),
                )
                .map_err(unavailable)?;
        }
        // Progress is what read-your-writes trusts, so it is written only after every row it
        // vouches for: a separate, later write (a store's batch need not be isolated).
        let progress_ops: Vec<PositionedOp> = progress
            .iter()
            .map(|(partition, position)| PositionedOp {
                position: *position,
                op: RowOp::Upsert {
                    table: STREAM_PROGRESS,
                    partition: String::new(),
                    clustering: partition.to_string(),
                    columns: crate::projections::columns(&[(
                        "position",
                        serde_json::json!(position.0),
                    )]),
                },
            })
            .collect();
        // The consumer has moved past these messages: they must be applied before anything else
        // is received, or a later commit would skip them. So retry until the store takes them
        // (shutdown cancels this future; the offsets are then not committed and the messages
        // are delivered again).
        for batch in [&ops, &progress_ops] {
            let mut backoff = Duration::from_millis(100);
            while let Err(error) = self
                .store
                .apply(STREAM_READER, batch, Position::START)
                .await
            {
                tracing::warn!(%error, retry_in = ?backoff, messages = messages.len(), "read store refused a batch; retrying it");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
        // Only now that the rows are written may the offsets move on.
        self.consumer
            .commit(&offsets, CommitMode::Sync)
            .map_err(unavailable)?;
        metrics::counter!("castellan_reader_events_total").increment(messages.len() as u64);
        Ok(messages.len())
    }

    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(100);
        while !*shutdown.borrow() {
            tokio::select! {
                result = self.step(Duration::from_millis(500)) => match result {
                    Ok(_) => backoff = Duration::from_millis(100),
                    Err(error) => {
                        tracing::warn!(%error, retry_in = ?backoff, "reader step failed");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                },
                _ = shutdown.changed() => {}
            }
        }
    }
}
