//! Starts one worker per active sink and stops it when the sink is removed. It follows the
//! sinks' configuration events in the ledger (the source of truth: no read store needed, so it
//! runs wherever the ledger is, in the embedded process and in the distributed `relay` role),
//! polling every few seconds. A changed sink (settings, filter, secret) gets a fresh worker; the
//! checkpoint `sink:<id>` stays, so delivery resumes where it was.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use castellan_core::Position;
use castellan_core::event::fold;
use castellan_core::sink::{self, Sink};
use castellan_jose::MasterKey;
use castellan_writer::Writer;
use castellan_writer::ledger::{Ledger, LedgerError, changed_aggregates};
use castellan_writer::relay::{Relay, RelayConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::transport::{Transport, TransportSettings};
use crate::worker::{RetryPolicy, SinkWorker};

/// The events that start, change or stop a worker.
const CONFIG_EVENTS: [&str; 4] = [
    "sink.added",
    "sink.changed",
    "sink.secret.changed",
    "sink.removed",
];

#[derive(Clone)]
pub struct SupervisorConfig {
    /// How often the sink list is looked at again.
    pub poll_interval: Duration,
    /// Events a worker reads from the ledger at a time (its memory bound).
    pub batch_size: usize,
    pub retry: RetryPolicy,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(3),
            batch_size: 100,
            retry: RetryPolicy::default(),
        }
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// The sink's version the worker was built from.
    version: i64,
}

pub struct Supervisor {
    writer: Arc<Writer>,
    key: MasterKey,
    transport: TransportSettings,
    config: SupervisorConfig,
}

type SinkKey = (String, String);

impl Supervisor {
    pub fn new(
        writer: Arc<Writer>,
        key: MasterKey,
        transport: TransportSettings,
        config: SupervisorConfig,
    ) -> Self {
        Self {
            writer,
            key,
            transport,
            config,
        }
    }

    fn ledger(&self) -> &Arc<dyn Ledger> {
        self.writer.ledger()
    }

    /// Runs until `shutdown` turns true; then stops every worker.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut cursor = Position::START;
        let mut running: BTreeMap<SinkKey, Running> = BTreeMap::new();
        while !*shutdown.borrow() {
            match self.changed_sinks(&mut cursor).await {
                Ok(changed) => {
                    for key in changed {
                        self.reconcile(&key, &mut running).await;
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the sinks"),
            }
            self.report_lag(&running).await;
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

    /// The sinks whose configuration changed after `cursor`; moves the cursor.
    async fn changed_sinks(&self, cursor: &mut Position) -> Result<BTreeSet<SinkKey>, LedgerError> {
        changed_aggregates(
            self.ledger().as_ref(),
            cursor,
            sink::AGGREGATE_TYPE,
            &CONFIG_EVENTS,
        )
        .await
    }

    /// Starts, restarts or stops the worker of one sink to match its current state.
    async fn reconcile(&self, key: &SinkKey, running: &mut BTreeMap<SinkKey, Running>) {
        let (instance_id, sink_id) = key;
        let loaded = match self
            .ledger()
            .read_aggregate(instance_id, sink::AGGREGATE_TYPE, sink_id)
            .await
        {
            Ok(events) => fold::<Sink>(&events).ok(),
            Err(error) => {
                tracing::warn!(%error, sink = %sink_id, "cannot load a sink");
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
            tracing::info!(sink = %sink_id, "sink worker stopped");
        }
        let Some((state, version)) = current else {
            metrics::gauge!("castellan_sink_lag", "sink" => sink_id.clone()).set(0.0);
            return;
        };
        match self.spawn(instance_id, sink_id, &state, version) {
            Ok(worker) => {
                running.insert(key.clone(), worker);
            }
            Err(error) => tracing::warn!(sink = %sink_id, %error, "sink worker not started"),
        }
    }

    fn spawn(
        &self,
        instance_id: &str,
        sink_id: &str,
        state: &Sink,
        version: i64,
    ) -> Result<Running, crate::DeliveryError> {
        let transport = Transport::build(instance_id, sink_id, state, &self.key, &self.transport)?;
        let worker = SinkWorker {
            instance_id: instance_id.to_owned(),
            sink_id: sink_id.to_owned(),
            filter: state.filter.clone(),
            transport,
            writer: self.writer.clone(),
            retry: self.config.retry,
        };
        let relay = Arc::new(Relay::new(
            self.ledger().clone(),
            Arc::new(worker),
            RelayConfig {
                name: sink::checkpoint_name(sink_id),
                batch_size: self.config.batch_size,
                ..RelayConfig::default()
            },
        ));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(relay.run(stopped));
        tracing::info!(sink = %sink_id, kind = state.kind.as_str(), "sink worker started");
        Ok(Running {
            stop,
            task,
            version,
        })
    }

    /// Lag of every running sink: the ledger's head position minus the sink's checkpoint.
    async fn report_lag(&self, running: &BTreeMap<SinkKey, Running>) {
        let Ok(head) = self.ledger().head().await else {
            return;
        };
        for (_, sink_id) in running.keys() {
            if let Ok(done) = self
                .ledger()
                .load_checkpoint(&sink::checkpoint_name(sink_id))
                .await
            {
                let lag = head.0.saturating_sub(done.0);
                metrics::gauge!("castellan_sink_lag", "sink" => sink_id.clone()).set(lag as f64);
            }
        }
    }
}
