//! The back-channel logout worker: delivers the logout tokens the ledger asks for.
//!
//! It reads `oidc_session.backchannel_logout.{requested,delivered,failed}` in ledger order and
//! keeps the requests not yet settled. Each due request is tried (all due ones concurrently,
//! so one slow client holds up no other): the token is signed at delivery time with the
//! instance's active key (its two-minute `exp` counts from the attempt, not from the logout),
//! and a 2xx answer records `delivered`. A failure is tried again after 1, 2, 4, … seconds (at
//! most `max_retry` apart); after `max_attempts` tries the worker records `failed` and logs an
//! error.
//!
//! The durable checkpoint (`backchannel-logout` in the ledger) is the position before the
//! oldest request still open, so a restarted worker — or another process taking over — reads
//! the open requests again and resumes them (their attempt count starts again). A crash
//! between a delivery and its `delivered` event sends that token again (at-least-once; a
//! logout token is idempotent for the client). Several processes elect one worker through the
//! ledger, like the relay.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use castellan_api::state::AppState;
use castellan_core::event::decode;
use castellan_core::oidc::grant::{Grant, GrantEvent, LogoutOutcome};
use castellan_core::{Event, Position};
use castellan_writer::commands::oidc::SettleLogout;
use castellan_writer::ledger::{EventFilter, Leadership, Ledger};
use castellan_writer::writer::CommandContext;
use tokio::sync::watch;
use tokio::time::Instant;

use super::{DELIVERED, FAILED, REQUESTED, logout_token, post};

/// The worker's checkpoint and leadership name in the ledger.
pub const NAME: &str = "backchannel-logout";
const CREATOR: &str = "SYSTEM-BACKCHANNEL";
const BATCH: usize = 500;
/// After an append wakes the worker, it waits this long before it reads the ledger, so a burst
/// of appends (a busy server appends hundreds of events a second, few of them logouts) costs
/// one read, not one per append (issue #8 profile).
const COALESCE: Duration = Duration::from_millis(50);

#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The pause after the first failed attempt; it doubles after each further one.
    pub first_retry: Duration,
    /// The longest pause between attempts.
    pub max_retry: Duration,
    /// Attempts before the delivery is given up (recorded as failed).
    pub max_attempts: u32,
    /// How often to look for requests appended by other processes, and to check the lead.
    pub poll_interval: Duration,
}

impl Default for WorkerConfig {
    /// 12 attempts over about 18 minutes: 1, 2, 4, … 256 s, then 5 minutes apart.
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(300),
            max_attempts: 12,
            poll_interval: Duration::from_secs(1),
        }
    }
}

impl WorkerConfig {
    /// The pause after `attempts` failed attempts, or `None` when the delivery gives up.
    pub fn retry_after(&self, attempts: u32) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        Some(
            self.first_retry
                .saturating_mul(1_u32 << doublings)
                .min(self.max_retry),
        )
    }
}

/// A requested delivery not yet settled.
#[derive(Clone, Debug)]
struct Pending {
    instance_id: String,
    grant_id: String,
    position: Position,
    uri: String,
    issuer: String,
    attempts: u32,
    due: Instant,
}

pub struct LogoutWorker {
    state: AppState,
    config: WorkerConfig,
}

/// Starts the worker on its own task.
pub fn spawn(
    state: AppState,
    config: WorkerConfig,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let worker = Arc::new(LogoutWorker { state, config });
    tokio::spawn(worker.run(shutdown))
}

impl LogoutWorker {
    fn ledger(&self) -> &Arc<dyn Ledger> {
        self.state.writer.ledger()
    }

    /// Delivers while it leads, until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut appended = self.ledger().appended();
        let mut lead: Option<Box<dyn Leadership>> = None;
        let mut checked = Instant::now();
        let mut pending: BTreeMap<(String, String), Pending> = BTreeMap::new();
        let mut scanned = Position(0);
        let mut stored: Option<Position> = None;
        while !*shutdown.borrow() {
            if lead.is_none() {
                if let Ok(Some(held)) = self.ledger().try_lead(NAME).await {
                    match self.ledger().load_checkpoint(NAME).await {
                        Ok(checkpoint) => {
                            tracing::info!("this process delivers back-channel logouts");
                            lead = Some(held);
                            pending.clear();
                            scanned = checkpoint;
                            stored = Some(checkpoint);
                            checked = Instant::now();
                        }
                        Err(error) => {
                            tracing::warn!(%error, "back-channel logout checkpoint unreadable");
                        }
                    }
                }
                if lead.is_none() {
                    tokio::select! {
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            } else if checked.elapsed() >= self.config.poll_interval {
                checked = Instant::now();
                let held = match &lead {
                    Some(held) => held.is_held().await,
                    None => false,
                };
                if !held {
                    tracing::warn!("lost the lead of back-channel logout delivery");
                    lead = None;
                    continue;
                }
            }
            if let Err(error) = self.scan(&mut pending, &mut scanned).await {
                tracing::warn!(%error, "reading back-channel logout requests failed");
            }
            self.deliver_due(&mut pending).await;
            let checkpoint = pending
                .values()
                .map(|p| Position(p.position.0.saturating_sub(1)))
                .min()
                .unwrap_or(scanned);
            if stored != Some(checkpoint) {
                match self.ledger().store_checkpoint(NAME, checkpoint).await {
                    Ok(()) => stored = Some(checkpoint),
                    Err(error) => tracing::warn!(%error, "storing the back-channel checkpoint"),
                }
            }
            let next_due = pending.values().map(|p| p.due).min();
            let wake = next_due
                .map(|due| due.min(Instant::now() + self.config.poll_interval))
                .unwrap_or_else(|| Instant::now() + self.config.poll_interval);
            tokio::select! {
                _ = appended.changed() => {
                    tokio::select! {
                        _ = tokio::time::sleep(COALESCE) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                _ = tokio::time::sleep_until(wake) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Reads the logout events after `scanned`: requests open, settlements close.
    async fn scan(
        &self,
        pending: &mut BTreeMap<(String, String), Pending>,
        scanned: &mut Position,
    ) -> Result<(), castellan_writer::ledger::LedgerError> {
        loop {
            let filter = EventFilter {
                after: *scanned,
                limit: BATCH,
                event_types: vec![REQUESTED.into(), DELIVERED.into(), FAILED.into()],
                ..EventFilter::default()
            };
            let events = self.ledger().read(&filter).await?;
            let Some(last) = events.last().map(|event| event.position) else {
                return Ok(());
            };
            for event in &events {
                apply(pending, event);
            }
            *scanned = last;
            if events.len() < BATCH {
                return Ok(());
            }
        }
    }

    /// Tries every due delivery at once; records the settled ones.
    async fn deliver_due(&self, pending: &mut BTreeMap<(String, String), Pending>) {
        let now = Instant::now();
        let mut attempts = tokio::task::JoinSet::new();
        for (key, item) in pending.iter().filter(|(_, p)| p.due <= now) {
            let state = self.state.clone();
            let key = key.clone();
            let item = item.clone();
            attempts.spawn(async move {
                let result = attempt(&state, &item).await;
                (key, result)
            });
        }
        while let Some(joined) = attempts.join_next().await {
            let Ok((key, result)) = joined else {
                continue;
            };
            let Some(item) = pending.get_mut(&key) else {
                continue;
            };
            item.attempts = item.attempts.saturating_add(1);
            let outcome = match result {
                Ok(Attempt::Delivered) => {
                    metrics::counter!("castellan_backchannel_logout_delivered_total").increment(1);
                    LogoutOutcome::Delivered {
                        attempts: item.attempts,
                    }
                }
                Ok(Attempt::Settled) => {
                    pending.remove(&key);
                    continue;
                }
                Err(error) => match self.config.retry_after(item.attempts) {
                    Some(wait) => {
                        tracing::warn!(uri = %item.uri, attempt = item.attempts, %error, retry_in = ?wait, "back-channel logout not delivered");
                        item.due = Instant::now() + wait;
                        continue;
                    }
                    None => {
                        tracing::error!(uri = %item.uri, grant = %item.grant_id, attempts = item.attempts, %error, "back-channel logout given up");
                        metrics::counter!("castellan_backchannel_logout_failed_total").increment(1);
                        LogoutOutcome::Failed {
                            attempts: item.attempts,
                            error,
                        }
                    }
                },
            };
            let ctx = CommandContext {
                instance_id: item.instance_id.clone(),
                creator: CREATOR.into(),
            };
            let command = SettleLogout {
                grant_id: item.grant_id.clone(),
                outcome,
            };
            match self.state.writer.execute_or_unchanged(&ctx, &command).await {
                Ok(_) => {
                    pending.remove(&key);
                }
                // Not recorded: a later round delivers (and records) again.
                Err(error) => {
                    tracing::warn!(%error, "recording a back-channel logout failed");
                    if let Some(item) = pending.get_mut(&key) {
                        item.due = Instant::now() + self.config.first_retry;
                    }
                }
            }
        }
    }
}

enum Attempt {
    Delivered,
    /// Settled meanwhile (another worker), or nothing to deliver any more.
    Settled,
}

async fn attempt(state: &AppState, item: &Pending) -> Result<Attempt, String> {
    let ctx = CommandContext {
        instance_id: item.instance_id.clone(),
        creator: CREATOR.into(),
    };
    let grant = state
        .writer
        .load::<Grant>(&ctx, &item.grant_id)
        .await
        .map_err(|error| error.to_string())?;
    if grant
        .state
        .logout
        .as_ref()
        .is_none_or(|logout| logout.settled)
    {
        return Ok(Attempt::Settled);
    }
    let token = logout_token(state, &item.instance_id, &item.issuer, &grant.state.grant).await?;
    post(state, &item.uri, &token).await?;
    Ok(Attempt::Delivered)
}

fn apply(pending: &mut BTreeMap<(String, String), Pending>, event: &Event) {
    let key = (event.instance_id.clone(), event.aggregate_id.clone());
    match decode::<GrantEvent>(event) {
        Ok(GrantEvent::LogoutRequested { uri, issuer }) => {
            pending.insert(
                key,
                Pending {
                    instance_id: event.instance_id.clone(),
                    grant_id: event.aggregate_id.clone(),
                    position: event.position,
                    uri,
                    issuer,
                    attempts: 0,
                    due: Instant::now(),
                },
            );
        }
        Ok(GrantEvent::LogoutDelivered { .. } | GrantEvent::LogoutFailed { .. }) => {
            pending.remove(&key);
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, position = event.position.0, "an undecodable logout event");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_and_give_up_at_the_bound() {
        let config = WorkerConfig::default();
        let waits: Vec<Option<u64>> = (1..=12)
            .map(|n| config.retry_after(n).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            waits,
            vec![
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(64),
                Some(128),
                Some(256),
                Some(300),
                Some(300),
                None
            ]
        );
        let quick = WorkerConfig {
            max_attempts: 2,
            ..WorkerConfig::default()
        };
        assert_eq!(quick.retry_after(1), Some(Duration::from_secs(1)));
        assert_eq!(quick.retry_after(2), None);
    }
}
