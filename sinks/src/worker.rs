//! One sink's delivery: the [`EventSink`] its relay hands the ledger's events to.
//!
//! Events of the sink's instance that pass its filter are sent in ledger order, in units of at
//! most [`Transport::max_batch`]. A unit that fails transiently is tried again after a pause
//! that doubles (up to `max_delay`), at most `max_attempts` times; then (or at once, for a
//! permanent failure) each of its events becomes a dead letter (`sink.delivery.failed`) and
//! delivery moves on. `publish` returns only when every event is delivered or dead-lettered,
//! so the relay's checkpoint never passes an event that is neither; and it holds no more than
//! the relay's batch: back-pressure, not buffering.

use std::sync::Arc;

use async_trait::async_trait;
use castellan_core::Event;
use castellan_core::sink::{self, DeadLetter, Sink, SinkFilter};
use castellan_writer::Writer;
use castellan_writer::commands::sink::OnSink;
use castellan_writer::relay::{EventSink, RelayError};
use castellan_writer::writer::CommandContext;

use crate::transport::{DeliveryError, Transport};

/// The creator of the dead-letter events.
pub const CREATOR: &str = "castellan-sink";

/// Counts delivered events of a sink (`castellan_sink_sent_total{sink}`).
pub fn count_sent(sink_id: &str, events: u64) {
    metrics::counter!("castellan_sink_sent_total", "sink" => sink_id.to_owned()).increment(events);
}

pub use castellan_outbound::RetryPolicy;

pub struct SinkWorker {
    pub instance_id: String,
    pub sink_id: String,
    pub filter: SinkFilter,
    pub transport: Transport,
    pub writer: Arc<Writer>,
    pub retry: RetryPolicy,
}

impl SinkWorker {
    /// The events of `batch` this sink delivers.
    pub fn selected<'a>(&self, batch: &'a [Event]) -> Vec<&'a Event> {
        batch
            .iter()
            .filter(|event| sink::filter::delivers(&self.instance_id, &self.filter, event))
            .collect()
    }

    /// Sends one unit with retries; the last error when it never went through.
    async fn send_with_retries(&self, unit: &[&Event]) -> Result<(), DeliveryError> {
        let mut attempt = 1;
        loop {
            match self.transport.send(unit).await {
                Ok(()) => return Ok(()),
                Err(error) if error.is_transient() && attempt < self.retry.max_attempts => {
                    metrics::counter!("castellan_sink_retried_total", "sink" => self.sink_id.clone())
                        .increment(1);
                    tracing::debug!(sink = %self.sink_id, attempt, %error, "delivery failed; retrying");
                    tokio::time::sleep(self.retry.delay(attempt)).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Records the events of a unit that failed for good as dead letters.
    async fn dead_letter(&self, unit: &[&Event], error: &DeliveryError) -> Result<(), RelayError> {
        let ctx = CommandContext {
            instance_id: self.instance_id.clone(),
            creator: CREATOR.to_owned(),
        };
        for event in unit {
            let letter = DeadLetter {
                position: event.position.0,
                event_type: event.event_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                error: error.to_string(),
            };
            let command = OnSink::new(&self.sink_id, |state: &Sink| {
                Ok(sink::record_failure(state, &letter))
            });
            self.writer
                .execute_or_unchanged(&ctx, &command)
                .await
                .map_err(|e| RelayError::Stream(format!("record a dead letter: {e}")))?;
        }
        metrics::counter!("castellan_sink_failed_total", "sink" => self.sink_id.clone())
            .increment(unit.len() as u64);
        tracing::warn!(sink = %self.sink_id, events = unit.len(), %error, "delivery failed; dead-lettered");
        Ok(())
    }
}

#[async_trait]
impl EventSink for SinkWorker {
    async fn publish(&self, events: &[Event]) -> Result<(), RelayError> {
        let selected = self.selected(events);
        for unit in selected.chunks(self.transport.max_batch().max(1)) {
            match self.send_with_retries(unit).await {
                Ok(()) => count_sent(&self.sink_id, unit.len() as u64),
                Err(error) => self.dead_letter(unit, &error).await?,
            }
        }
        if let Some(last) = events.last() {
            let head = self
                .writer
                .ledger()
                .head()
                .await
                .map_err(RelayError::from)?;
            let lag = head.0.saturating_sub(last.position.0);
            metrics::gauge!("castellan_sink_lag", "sink" => self.sink_id.clone()).set(lag as f64);
        }
        Ok(())
    }
}
