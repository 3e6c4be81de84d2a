//! The steady write load: AddOrganization with a unique name at a fixed rate, each call recorded
//! as acknowledged (HTTP 200 with an id: it must survive every fault) or not (an error, or no
//! answer within the client timeout: it may or may not have been written). Calls are not retried:
//! a retry under a new name would be a new write, under the same name a conflict.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::node::Api;

/// Longer than the API's read-your-writes bound (15 s in the distributed mode), so that a call
/// waiting for a lagging read model is still answered.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Debug)]
pub struct Ack {
    pub id: String,
    pub name: String,
    /// Since the scenario's start.
    pub sent: Duration,
    pub acked: Duration,
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub name: String,
    pub sent: Duration,
    pub at: Duration,
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct LoadLog {
    pub acks: Vec<Ack>,
    pub failures: Vec<Failure>,
    /// Ticks skipped because `max_in_flight` calls were outstanding (client back-pressure).
    pub not_sent: u64,
    /// Calls outstanding: sequence number → when sent.
    pub in_flight: BTreeMap<u64, Duration>,
}

impl LoadLog {
    /// Failure reasons and how often each occurred.
    pub fn reasons(&self) -> BTreeMap<String, usize> {
        let mut reasons = BTreeMap::new();
        for failure in &self.failures {
            *reasons.entry(failure.reason.clone()).or_insert(0) += 1;
        }
        reasons
    }
}

pub struct Load {
    log: Arc<Mutex<LoadLog>>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Load {
    pub fn start(api: Api, prefix: String, rate: u32, max_in_flight: usize, t0: Instant) -> Load {
        let log = Arc::new(Mutex::new(LoadLog::default()));
        let (stop, mut stopped) = watch::channel(false);
        let shared = log.clone();
        let task = tokio::spawn(async move {
            let permits = Arc::new(Semaphore::new(max_in_flight));
            let mut calls = JoinSet::new();
            let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut n: u64 = 0;
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = stopped.changed() => break,
                }
                while calls.try_join_next().is_some() {}
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    if let Ok(mut log) = shared.lock() {
                        log.not_sent += 1;
                    }
                    continue;
                };
                n += 1;
                let name = format!("{prefix}-{n:06}");
                let api = api.clone();
                let log = shared.clone();
                let sent = t0.elapsed();
                if let Ok(mut log) = log.lock() {
                    log.in_flight.insert(n, sent);
                }
                calls.spawn(async move {
                    let result = api.add_org(&name, CALL_TIMEOUT).await;
                    let at = t0.elapsed();
                    drop(permit);
                    if let Ok(mut log) = log.lock() {
                        log.in_flight.remove(&n);
                        match result {
                            Ok(id) => log.acks.push(Ack {
                                id,
                                name,
                                sent,
                                acked: at,
                            }),
                            Err(reason) => log.failures.push(Failure {
                                name,
                                sent,
                                at,
                                reason,
                            }),
                        }
                    }
                });
            }
            // Let the outstanding calls finish (each is bounded by CALL_TIMEOUT).
            while calls.join_next().await.is_some() {}
        });
        Load { log, stop, task }
    }

    /// When the oldest outstanding call was sent.
    pub fn oldest_in_flight(&self) -> Option<Duration> {
        self.log
            .lock()
            .ok()
            .and_then(|log| log.in_flight.values().min().copied())
    }

    pub fn snapshot(&self) -> LoadLog {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// Stops sending, waits for the outstanding calls, returns the log.
    pub async fn stop(self) -> LoadLog {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }
}
