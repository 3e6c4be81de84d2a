//! One target's delivery: the [`EventSink`] a relay (embedded: the ledger tail with the
//! checkpoint `scim_target:<id>`) or a Kafka consumer (distributed) hands batches of events to.
//!
//! A batch is turned into the resources it touched (users first, then groups, each once, in
//! the order of their first event), and each resource is pushed as it is now ([`Pusher`]).
//! A push that fails transiently is tried again after a doubling pause, at most
//! `max_attempts` times; then, or at once for a permanent failure, it becomes a dead letter
//! (`scim_target.delivery.failed`) and delivery moves on. Once one push has used up its
//! attempts the target counts as down and the next pushes get one attempt each until one goes
//! through, so a long outage dead-letters the backlog instead of stalling on every resource
//! (a replay or a reconcile run repairs it). `publish` returns only when every resource is
//! pushed or dead-lettered: at-least-once, ordered per resource, memory bounded by the batch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use castellan_core::Event;
use castellan_core::scim_target::{self, DeadLetter, ScimTarget};
use castellan_writer::Writer;
use castellan_writer::commands::scim_target::OnScimTarget;
use castellan_writer::relay::{EventSink, RelayError};
use castellan_writer::writer::CommandContext;
use serde_json::Value;

use super::RetryPolicy;
use super::client::PushError;
use super::push::{Pushed, Pusher, Scope};

/// The creator of the bookkeeping events.
pub const CREATOR: &str = "castellan-scim-outbound";

/// User events that change what a target holds (others, like password checks, do not).
const USER_EVENTS: [&str; 12] = [
    "user.human.added",
    "user.username.changed",
    "user.human.profile.changed",
    "user.human.email.changed",
    "user.human.phone.changed",
    "user.human.phone.removed",
    "user.deactivated",
    "user.reactivated",
    "user.removed",
    "user.metadata.set",
    "user.metadata.removed",
    "user.username.org.scoped",
];

/// The resources (type, id) a batch touched for a target, users before groups, each once.
pub fn touched(target: &ScimTarget, events: &[Event]) -> Vec<(&'static str, String)> {
    let mut users: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let add = |list: &mut Vec<String>, id: &str| {
        if !list.iter().any(|x| x == id) {
            list.push(id.to_owned());
        }
    };
    for event in events {
        if event.resource_owner != target.org_id {
            continue;
        }
        match event.aggregate_type.as_str() {
            "user" if USER_EVENTS.contains(&event.event_type.as_str()) => {
                add(&mut users, &event.aggregate_id);
            }
            "group" => {
                let in_filter = target.filter.group_ids.contains(&event.aggregate_id);
                if in_filter {
                    // Joining or leaving a filter group moves users in or out of scope.
                    let ids = event.payload.get("user_ids").and_then(Value::as_array);
                    for id in ids.into_iter().flatten().filter_map(Value::as_str) {
                        add(&mut users, id);
                    }
                }
                if target.settings.push_groups && target.filter.includes_group(&event.aggregate_id)
                {
                    add(&mut groups, &event.aggregate_id);
                }
            }
            _ => {}
        }
    }
    users
        .into_iter()
        .map(|id| (scim_target::USER, id))
        .chain(groups.into_iter().map(|id| (scim_target::GROUP, id)))
        .collect()
}

pub struct TargetWorker {
    pub instance_id: String,
    pub target_id: String,
    pub pusher: Pusher,
    pub writer: Arc<Writer>,
    pub retry: RetryPolicy,
    /// The last push used up its attempts on a transient failure.
    down: AtomicBool,
}

impl TargetWorker {
    pub fn new(
        instance_id: &str,
        target_id: &str,
        pusher: Pusher,
        writer: Arc<Writer>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            instance_id: instance_id.to_owned(),
            target_id: target_id.to_owned(),
            pusher,
            writer,
            retry,
            down: AtomicBool::new(false),
        }
    }

    async fn push(&self, scope: &Scope, kind: &str, id: &str) -> Result<Pushed, PushError> {
        if kind == scim_target::USER {
            self.pusher.sync_user(scope, id).await
        } else {
            self.pusher.sync_group(scope, id).await
        }
    }

    async fn push_with_retries(
        &self,
        scope: &Scope,
        kind: &str,
        id: &str,
    ) -> Result<Pushed, PushError> {
        let max_attempts = if self.down.load(Ordering::Relaxed) {
            1
        } else {
            self.retry.max_attempts.max(1)
        };
        let mut attempt = 1;
        loop {
            match self.push(scope, kind, id).await {
                Ok(pushed) => {
                    self.down.store(false, Ordering::Relaxed);
                    return Ok(pushed);
                }
                Err(error) if error.is_transient() && attempt < max_attempts => {
                    metrics::counter!("castellan_scim_push_retried_total", "target" => self.target_id.clone())
                        .increment(1);
                    tracing::debug!(target_id = %self.target_id, attempt, %error, "SCIM push failed; retrying");
                    tokio::time::sleep(self.retry.delay(attempt)).await;
                    attempt += 1;
                }
                Err(error) => {
                    if error.is_transient() {
                        self.down.store(true, Ordering::Relaxed);
                    }
                    return Err(error);
                }
            }
        }
    }

    async fn dead_letter(
        &self,
        position: i64,
        kind: &str,
        id: &str,
        error: &PushError,
    ) -> Result<(), RelayError> {
        let ctx = CommandContext {
            instance_id: self.instance_id.clone(),
            creator: CREATOR.to_owned(),
        };
        let letter = DeadLetter {
            position,
            resource_type: kind.to_owned(),
            resource_id: id.to_owned(),
            error: error.to_string(),
        };
        let command = OnScimTarget::new(
            &self.target_id,
            &self.pusher.target.org_id,
            |state: &ScimTarget| Ok(scim_target::record_failure(state, &letter)),
        );
        match self.writer.execute_or_unchanged(&ctx, &command).await {
            Ok(_) => {}
            // The target was removed meanwhile: nothing to record.
            Err(e) if e.code == "SCIMT-0001" => {}
            Err(e) => return Err(RelayError::Stream(format!("record a dead letter: {e}"))),
        }
        metrics::counter!("castellan_scim_push_failed_total", "target" => self.target_id.clone())
            .increment(1);
        tracing::warn!(target_id = %self.target_id, resource = %id, %error, "SCIM push failed; dead-lettered");
        Ok(())
    }
}

#[async_trait]
impl EventSink for TargetWorker {
    async fn publish(&self, events: &[Event]) -> Result<(), RelayError> {
        let resources = touched(&self.pusher.target, events);
        if resources.is_empty() {
            return Ok(());
        }
        let position = events.last().map_or(0, |e| e.position.0);
        let scope = match self.pusher.scope().await {
            Ok(scope) => scope,
            Err(error) => return Err(RelayError::Stream(error.to_string())),
        };
        for (kind, id) in resources {
            match self.push_with_retries(&scope, kind, &id).await {
                Ok(pushed) => {
                    if pushed != Pushed::Skipped {
                        metrics::counter!("castellan_scim_push_sent_total", "target" => self.target_id.clone())
                            .increment(1);
                    }
                }
                Err(error) => self.dead_letter(position, kind, &id, &error).await?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use castellan_core::Position;
    use castellan_core::clock::Timestamp;
    use castellan_core::scim_target::TargetFilter;
    use serde_json::json;

    use super::*;

    fn event(
        aggregate_type: &str,
        id: &str,
        event_type: &str,
        owner: &str,
        payload: Value,
    ) -> Event {
        Event {
            instance_id: "i".into(),
            aggregate_type: aggregate_type.into(),
            aggregate_id: id.into(),
            sequence: 1,
            event_type: event_type.into(),
            revision: 1,
            payload,
            creator: "c".into(),
            resource_owner: owner.into(),
            created_at: Timestamp(1),
            position: Position(1),
        }
    }

    #[test]
    fn a_batch_touches_each_resource_once_users_first_and_only_of_the_targets_org() {
        let mut target = ScimTarget {
            org_id: "org".into(),
            ..ScimTarget::default()
        };
        let batch = vec![
            event("group", "g1", "group.added", "org", json!({})),
            event("user", "u1", "user.human.added", "org", json!({})),
            event(
                "user",
                "u1",
                "user.human.password.check.failed",
                "org",
                json!({}),
            ),
            event(
                "user",
                "u2",
                "user.human.password.check.failed",
                "org",
                json!({}),
            ),
            event("user", "u3", "user.human.added", "other-org", json!({})),
            event("user", "u1", "user.deactivated", "org", json!({})),
            event(
                "group",
                "g1",
                "group.users.added",
                "org",
                json!({"user_ids": ["u4"]}),
            ),
        ];
        assert_eq!(touched(&target, &batch), vec![("user", "u1".to_owned())]);

        target.settings.push_groups = true;
        target.filter = TargetFilter {
            group_ids: vec!["g1".into()],
        };
        assert_eq!(
            touched(&target, &batch),
            vec![
                ("user", "u1".to_owned()),
                ("user", "u4".to_owned()),
                ("group", "g1".to_owned()),
            ],
            "joining a filter group brings the user into scope"
        );
    }
}
