//! Starts one delivery worker per active SCIM target and stops it when the target is removed.
//! It follows the targets' configuration events in the ledger (no read store needed, so it runs
//! wherever the ledger is: the embedded process and the distributed `relay` role), polling
//! every few seconds. A changed target gets a fresh worker; its checkpoint
//! `scim_target:<id>` stays, so delivery resumes where it was. A new target starts at the
//! beginning of the ledger: its first run provisions the org's history (state-based, so each
//! resource is pushed as it is now).
//!
//! Where a worker reads the event stream from is the [`Feed`]: the ledger itself (embedded:
//! a relay with the durable checkpoint `scim_target:<id>`, leader-elected), or Kafka (the
//! distributed mode: a consumer group `castellan-scim-target-<id>` per target, offsets
//! committed after each batch, partitions shared by the relay processes).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use castellan_core::Position;
use castellan_core::event::fold;
use castellan_core::scim_target::{self, ScimTarget};
use castellan_jose::MasterKey;
use castellan_outbound::Outbound;
use castellan_readers::feed::KafkaFeed;
use castellan_readers::stream::{EventDecoder, ReaderSettings};
use castellan_writer::Writer;
use castellan_writer::ledger::{Ledger, LedgerError, changed_aggregates};
use castellan_writer::relay::{EventSink, Relay, RelayConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::worker::TargetWorker;
use super::{RetryPolicy, pusher_for};

/// The events that start, change or stop a worker.
const CONFIG_EVENTS: [&str; 4] = [
    "scim_target.added",
    "scim_target.changed",
    "scim_target.secret.changed",
    "scim_target.removed",
];

/// Where the workers read the event stream.
#[derive(Clone)]
pub enum Feed {
    /// The ledger's tail (the embedded log).
    Ledger,
    /// The relay's Kafka topic, one consumer group per target.
    Kafka {
        brokers: String,
        topic: String,
        decoder: Arc<dyn EventDecoder>,
    },
}

/// The Kafka consumer group of a target.
pub fn consumer_group(target_id: &str) -> String {
    format!("castellan-scim-target-{target_id}")
}

#[derive(Clone)]
pub struct SupervisorConfig {
    pub poll_interval: Duration,
    /// Events a worker reads from the ledger at a time (its memory bound).
    pub batch_size: usize,
    pub relay_poll_interval: Duration,
    pub retry: RetryPolicy,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(3),
            batch_size: 200,
            relay_poll_interval: Duration::from_millis(200),
            retry: RetryPolicy {
                max_attempts: 8,
                ..RetryPolicy::default()
            },
        }
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    version: i64,
}

pub struct Supervisor {
    writer: Arc<Writer>,
    key: MasterKey,
    http: Outbound,
    config: SupervisorConfig,
    feed: Feed,
}

type TargetKey = (String, String);

impl Supervisor {
    pub fn new(
        writer: Arc<Writer>,
        key: MasterKey,
        http: Outbound,
        config: SupervisorConfig,
        feed: Feed,
    ) -> Self {
        Self {
            writer,
            key,
            http,
            config,
            feed,
        }
    }

    fn ledger(&self) -> &Arc<dyn Ledger> {
        self.writer.ledger()
    }

    /// Runs until `shutdown` turns true; then stops every worker.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut cursor = Position::START;
        let mut running: BTreeMap<TargetKey, Running> = BTreeMap::new();
        while !*shutdown.borrow() {
            match self.changed_targets(&mut cursor).await {
                Ok(changed) => {
                    for key in changed {
                        self.reconcile(&key, &mut running).await;
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the SCIM targets"),
            }
            if matches!(self.feed, Feed::Ledger) {
                self.report_lag(&running).await;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        for (_, worker) in running {
            let _ = worker.stop.send(true);
            let _ = worker.task.await;
        }
    }

    async fn changed_targets(
        &self,
        cursor: &mut Position,
    ) -> Result<BTreeSet<TargetKey>, LedgerError> {
        changed_aggregates(
            self.ledger().as_ref(),
            cursor,
            scim_target::AGGREGATE_TYPE,
            &CONFIG_EVENTS,
        )
        .await
    }

    /// Starts, restarts or stops the worker of one target to match its current state.
    async fn reconcile(&self, key: &TargetKey, running: &mut BTreeMap<TargetKey, Running>) {
        let (instance_id, target_id) = key;
        let loaded = match self
            .ledger()
            .read_aggregate(instance_id, scim_target::AGGREGATE_TYPE, target_id)
            .await
        {
            Ok(events) => fold::<ScimTarget>(&events).ok(),
            Err(error) => {
                tracing::warn!(%error, target_id = %target_id, "cannot load a SCIM target");
                None
            }
        };
        let current = loaded.filter(|(state, _)| state.exists());
        if let (Some((_, version)), Some(worker)) = (&current, running.get(key))
            && worker.version == *version
        {
            return;
        }
        if let Some(worker) = running.remove(key) {
            let _ = worker.stop.send(true);
            let _ = worker.task.await;
            tracing::info!(target_id = %target_id, "SCIM target worker stopped");
        }
        let Some((state, version)) = current else {
            metrics::gauge!("castellan_scim_push_lag", "target" => target_id.clone()).set(0.0);
            return;
        };
        let pusher = match pusher_for(
            &self.http,
            &self.key,
            self.ledger().clone(),
            instance_id,
            target_id,
            state,
        ) {
            Ok(pusher) => pusher,
            Err(error) => {
                tracing::warn!(target_id = %target_id, %error, "SCIM target worker not started");
                return;
            }
        };
        let worker = TargetWorker::new(
            instance_id,
            target_id,
            pusher,
            self.writer.clone(),
            self.config.retry,
        );
        let worker: Arc<dyn EventSink> = Arc::new(worker);
        let (stop, stopped) = watch::channel(false);
        let task = match &self.feed {
            Feed::Ledger => {
                let relay = Arc::new(Relay::new(
                    self.ledger().clone(),
                    worker,
                    RelayConfig {
                        name: scim_target::checkpoint_name(target_id),
                        batch_size: self.config.batch_size,
                        poll_interval: self.config.relay_poll_interval,
                        event_types: Vec::new(),
                    },
                ));
                tokio::spawn(relay.run(stopped))
            }
            Feed::Kafka {
                brokers,
                topic,
                decoder,
            } => {
                let settings = ReaderSettings {
                    brokers: brokers.clone(),
                    topic: topic.clone(),
                    group_id: consumer_group(target_id),
                    batch_size: self.config.batch_size,
                };
                match KafkaFeed::new(&settings, worker, decoder.clone()) {
                    Ok(feed) => tokio::spawn(Arc::new(feed).run(stopped)),
                    Err(error) => {
                        tracing::warn!(target_id = %target_id, %error, "SCIM target worker not started");
                        return;
                    }
                }
            }
        };
        tracing::info!(target_id = %target_id, "SCIM target worker started");
        running.insert(
            key.clone(),
            Running {
                stop,
                task,
                version,
            },
        );
    }

    /// Lag of every running target: the ledger's head position minus its checkpoint.
    async fn report_lag(&self, running: &BTreeMap<TargetKey, Running>) {
        let Ok(head) = self.ledger().head().await else {
            return;
        };
        for (_, target_id) in running.keys() {
            if let Ok(done) = self
                .ledger()
                .load_checkpoint(&scim_target::checkpoint_name(target_id))
                .await
            {
                let lag = head.0.saturating_sub(done.0);
                metrics::gauge!("castellan_scim_push_lag", "target" => target_id.clone())
                    .set(lag as f64);
            }
        }
    }
}
