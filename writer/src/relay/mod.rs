//! The relay: publishes the ledger's events to the event stream in commit order, resuming from a
//! durable checkpoint. Delivery is at-least-once (a crash between publishing and checkpointing
//! publishes a batch again); consumers apply events idempotently, so the effect is exactly once.
//!
//! Several relays may run for availability: they elect one leader through the ledger
//! ([`Ledger::try_lead`]); the others wait on standby and take over when the leader's session ends.

pub mod kafka;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use castellan_core::{Event, Position};
use tokio::sync::watch;

use crate::ledger::{EventFilter, Ledger, LedgerError};

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("ledger: {0}")]
    Ledger(#[from] LedgerError),
    #[error("encode event at position {position}: {message}")]
    Encode { position: i64, message: String },
    #[error("event stream: {0}")]
    Stream(String),
}

/// Where the relay publishes. `publish` returns only when every event is durably acknowledged,
/// and keeps the order of events with the same stream key.
#[async_trait]
pub trait EventSink: Send + Sync + 'static {
    async fn publish(&self, events: &[Event]) -> Result<(), RelayError>;
}

/// How often a standby relay tries to take the lead, and a leader checks it still has it.
const STANDBY_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct RelayConfig {
    /// The checkpoint's name in the ledger.
    pub name: String,
    pub batch_size: usize,
    /// How often to look for events appended by other processes.
    pub poll_interval: Duration,
    /// Only these event types (empty: every event).
    pub event_types: Vec<String>,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            name: "kafka-relay".into(),
            batch_size: 1000,
            poll_interval: Duration::from_millis(100),
            event_types: Vec::new(),
        }
    }
}

pub struct Relay {
    ledger: Arc<dyn Ledger>,
    sink: Arc<dyn EventSink>,
    config: RelayConfig,
}

impl Relay {
    pub fn new(ledger: Arc<dyn Ledger>, sink: Arc<dyn EventSink>, config: RelayConfig) -> Self {
        Self {
            ledger,
            sink,
            config,
        }
    }

    /// Publishes the next batch after the checkpoint; returns how many events it published.
    pub async fn step(&self) -> Result<usize, RelayError> {
        let after = self.ledger.load_checkpoint(&self.config.name).await?;
        let filter = EventFilter {
            after,
            limit: self.config.batch_size,
            event_types: self.config.event_types.clone(),
            ..EventFilter::default()
        };
        let events = self.ledger.read(&filter).await?;
        let Some(last) = events.last().map(|event| event.position) else {
            return Ok(0);
        };
        self.sink.publish(&events).await?;
        self.ledger
            .store_checkpoint(&self.config.name, last)
            .await?;
        metrics::counter!("castellan_relay_events_total").increment(events.len() as u64);
        Ok(events.len())
    }

    /// The position published so far.
    pub async fn position(&self) -> Result<Position, RelayError> {
        Ok(self.ledger.load_checkpoint(&self.config.name).await?)
    }

    /// Publishes until `shutdown` turns true, while it leads. Failures are retried with a growing
    /// pause; a lost lead is sought again.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut appended = self.ledger.appended();
        let mut backoff = Duration::from_millis(100);
        let mut lead: Option<Box<dyn crate::ledger::Leadership>> = None;
        let mut checked = std::time::Instant::now();
        while !*shutdown.borrow() {
            if lead.is_none() {
                match self.ledger.try_lead(&self.config.name).await {
                    Ok(Some(held)) => {
                        tracing::info!(relay = %self.config.name, "this relay leads");
                        lead = Some(held);
                    }
                    Ok(None) | Err(_) => {
                        // Another relay leads (or the ledger is away): stand by.
                        tokio::select! {
                            _ = tokio::time::sleep(STANDBY_INTERVAL) => {}
                            _ = shutdown.changed() => {}
                        }
                        continue;
                    }
                }
            } else if checked.elapsed() >= STANDBY_INTERVAL {
                checked = std::time::Instant::now();
                let held = match &lead {
                    Some(held) => held.is_held().await,
                    None => false,
                };
                if !held {
                    tracing::warn!(relay = %self.config.name, "lost the lead");
                    lead = None;
                    continue;
                }
            }
            match self.step().await {
                Ok(published) if published > 0 => {
                    backoff = Duration::from_millis(100);
                    continue;
                }
                Ok(_) => {
                    backoff = Duration::from_millis(100);
                    tokio::select! {
                        _ = appended.changed() => {}
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(relay = %self.config.name, %error, retry_in = ?backoff, "relay step failed");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.changed() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use castellan_core::NewEvent;
    use castellan_core::clock::Timestamp;

    use super::*;
    use crate::ledger::sqlite::SqliteLedger;
    use crate::ledger::{AggregateAppend, AppendBatch};

    /// Records what it is given; fails while `failing` is set.
    #[derive(Default)]
    struct RecordingSink {
        published: Mutex<Vec<Event>>,
        failing: Mutex<bool>,
    }

    #[async_trait]
    impl EventSink for RecordingSink {
        async fn publish(&self, events: &[Event]) -> Result<(), RelayError> {
            if *self.failing.lock().unwrap() {
                return Err(RelayError::Stream("broker down".into()));
            }
            self.published.lock().unwrap().extend_from_slice(events);
            Ok(())
        }
    }

    async fn ledger_with_events(count: usize) -> Arc<SqliteLedger> {
        let ledger = Arc::new(SqliteLedger::open_in_memory().await.unwrap());
        ledger.migrate().await.unwrap();
        for n in 0..count {
            let append = AggregateAppend {
                instance_id: "i".into(),
                aggregate_type: "org".into(),
                aggregate_id: format!("o{n}"),
                expected_version: 0,
                resource_owner: "o".into(),
                creator: "c".into(),
                events: vec![NewEvent {
                    event_type: "org.added".into(),
                    revision: 1,
                    payload: serde_json::json!({"name": format!("org {n}")}),
                }],
            };
            let batch = AppendBatch {
                appends: vec![append],
                unique: vec![],
                created_at: Timestamp(1),
            };
            ledger.append(batch).await.unwrap();
        }
        ledger
    }

    fn relay(ledger: Arc<SqliteLedger>, sink: Arc<RecordingSink>, batch_size: usize) -> Relay {
        Relay::new(
            ledger,
            sink,
            RelayConfig {
                batch_size,
                ..RelayConfig::default()
            },
        )
    }

    #[tokio::test]
    async fn publishes_in_order_and_resumes_from_the_checkpoint() {
        let ledger = ledger_with_events(7).await;
        let sink = Arc::new(RecordingSink::default());
        let first = relay(ledger.clone(), sink.clone(), 3);
        assert_eq!(first.step().await.unwrap(), 3);
        drop(first);
        // A new relay (a restart) continues after the checkpoint, not from the start.
        let second = relay(ledger.clone(), sink.clone(), 3);
        assert_eq!(second.step().await.unwrap(), 3);
        assert_eq!(second.step().await.unwrap(), 1);
        assert_eq!(second.step().await.unwrap(), 0);
        let published: Vec<i64> = sink
            .published
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.position.0)
            .collect();
        let all: Vec<i64> = ledger
            .read(&EventFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|e| e.position.0)
            .collect();
        assert_eq!(published, all, "every event once, in ledger order");
        assert_eq!(
            second.position().await.unwrap(),
            Position(*all.last().unwrap())
        );
    }

    #[tokio::test]
    async fn a_failed_publish_keeps_the_checkpoint_so_nothing_is_lost() {
        let ledger = ledger_with_events(4).await;
        let sink = Arc::new(RecordingSink::default());
        let relay = relay(ledger.clone(), sink.clone(), 2);
        assert_eq!(relay.step().await.unwrap(), 2);
        *sink.failing.lock().unwrap() = true;
        assert!(relay.step().await.is_err());
        let checkpoint = relay.position().await.unwrap();
        *sink.failing.lock().unwrap() = false;
        assert_eq!(relay.step().await.unwrap(), 2);
        assert!(relay.position().await.unwrap() > checkpoint);
        assert_eq!(sink.published.lock().unwrap().len(), 4);
    }
}
