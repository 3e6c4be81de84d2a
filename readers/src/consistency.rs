//! Read-your-writes: after a command, wait until the read model includes its events.
//!
//! Embedded: the in-process projector publishes its position. Distributed: reader processes
//! record, per stream partition, the last position they applied (table `stream_progress`); an
//! event is visible once its partition's progress has reached it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use castellan_core::event::{partition_of, stream_key};
use castellan_core::{Event, Position};

use crate::runner::Projector;
use crate::store::{ReadError, ReadStore};
use crate::tables::STREAM_PROGRESS;

#[async_trait]
pub trait Consistency: Send + Sync + 'static {
    /// Waits until every event of `events` is applied to the read model.
    async fn wait_for(&self, events: &[Event], timeout: Duration) -> Result<(), ReadError>;
}

#[async_trait]
impl Consistency for Projector {
    async fn wait_for(&self, events: &[Event], timeout: Duration) -> Result<(), ReadError> {
        match events.iter().map(|event| event.position).max() {
            Some(position) => Projector::wait_for(self, position, timeout).await,
            None => Ok(()),
        }
    }
}

/// Waits on the progress reader processes record in the read store.
pub struct StreamConsistency {
    store: Arc<dyn ReadStore>,
    partitions: u32,
    poll: Duration,
}

impl StreamConsistency {
    pub fn new(store: Arc<dyn ReadStore>, partitions: u32) -> Self {
        Self {
            store,
            partitions,
            poll: Duration::from_millis(10),
        }
    }

    /// The position applied on a partition (0 if none).
    pub async fn progress(&self, partition: u32) -> Result<Position, ReadError> {
        let row = self
            .store
            .get(STREAM_PROGRESS, "", &partition.to_string())
            .await?;
        Ok(Position(
            row.and_then(|r| {
                r.columns
                    .get("position")
                    .and_then(serde_json::Value::as_i64)
            })
            .unwrap_or(0),
        ))
    }
}

#[async_trait]
impl Consistency for StreamConsistency {
    async fn wait_for(&self, events: &[Event], timeout: Duration) -> Result<(), ReadError> {
        let mut needed: Vec<(u32, Position)> = Vec::new();
        for event in events {
            let partition = partition_of(&stream_key(event), self.partitions);
            match needed.iter_mut().find(|(p, _)| *p == partition) {
                Some((_, at)) => *at = (*at).max(event.position),
                None => needed.push((partition, event.position)),
            }
        }
        let deadline = Instant::now() + timeout;
        let mut highest = Position::START;
        for (partition, position) in needed {
            highest = highest.max(position);
            loop {
                if self.progress(partition).await? >= position {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(ReadError::Timeout(position));
                }
                tokio::time::sleep(self.poll).await;
            }
        }
        Ok(())
    }
}
