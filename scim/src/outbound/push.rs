//! Pushing one resource to one target: state-based and idempotent. The resource's current state
//! is folded from the ledger (the source of truth, never older than the event that asked for
//! the push), mapped to the document the target should hold, and compared with what the target
//! holds under the same `externalId` (the Castellan id): created when missing, replaced when
//! different, left alone when equal, deprovisioned when removed or out of the target's scope.
//! Pushing twice, or an old event after a newer one, converges on the same target state.

use std::collections::BTreeSet;
use std::sync::Arc;

use castellan_core::event::{Aggregate, EventPayload, fold};
use castellan_core::group::{self, Group};
use castellan_core::scim_target::{self, Deprovision, ReconcileCounts, ScimTarget};
use castellan_core::user::{self, User, UserKind, UserState};
use castellan_writer::ledger::{Ledger, aggregates_created};
use serde_json::Value;

use super::client::{Endpoint, PushError, ScimClient};
use super::document::{group_document, holds, user_document};

/// What a push did at the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    Created,
    Updated,
    Deprovisioned,
    Unchanged,
    /// Not a resource of this target (another org, a machine user, groups not pushed).
    Skipped,
}

/// The users a target receives: every user of the org, or the members of its filter groups.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    members: Option<BTreeSet<String>>,
}

impl Scope {
    pub fn includes(&self, user_id: &str) -> bool {
        self.members.as_ref().is_none_or(|m| m.contains(user_id))
    }
}

/// What a reconcile run did, and which resources it repaired or could not.
#[derive(Clone, Debug, Default)]
pub struct ReconcileReport {
    pub counts: ReconcileCounts,
    /// (resource type, id) of every resource now right at the target.
    pub repaired: Vec<(String, String)>,
    pub failures: Vec<(String, String, String)>,
}

pub struct Pusher {
    pub client: ScimClient,
    pub ledger: Arc<dyn Ledger>,
    pub instance_id: String,
    pub target: ScimTarget,
}

fn transient(error: impl std::fmt::Display) -> PushError {
    PushError::Transient(format!("ledger: {error}"))
}

fn remote_id(remote: &Value) -> Option<String> {
    remote.get("id").and_then(Value::as_str).map(str::to_owned)
}

fn with_id(document: &Value, id: &str) -> Value {
    let mut document = document.clone();
    if let Value::Object(map) = &mut document {
        map.insert("id".into(), Value::String(id.to_owned()));
    }
    document
}

impl Pusher {
    fn org_id(&self) -> &str {
        &self.target.org_id
    }

    /// The aggregate's state folded from the ledger; `None` when it has no events.
    async fn load<A: Aggregate>(&self, id: &str) -> Result<Option<A>, PushError> {
        let events = self
            .ledger
            .read_aggregate(
                &self.instance_id,
                <A::Event as EventPayload>::AGGREGATE_TYPE,
                id,
            )
            .await
            .map_err(transient)?;
        if events.is_empty() {
            return Ok(None);
        }
        let (state, _) =
            fold::<A>(&events).map_err(|e| PushError::Permanent(format!("fold {id}: {e}")))?;
        Ok(Some(state))
    }

    /// The target's user scope now.
    pub async fn scope(&self) -> Result<Scope, PushError> {
        if self.target.filter.group_ids.is_empty() {
            return Ok(Scope::default());
        }
        let mut members = BTreeSet::new();
        for group_id in &self.target.filter.group_ids {
            if let Some(group) = self.load::<Group>(group_id).await?
                && group.exists()
                && group.org_id == self.org_id()
            {
                members.extend(group.members.iter().cloned());
            }
        }
        Ok(Scope {
            members: Some(members),
        })
    }

    /// The target's copy of a user: by `externalId`, else (when `adopt_by` is given) an
    /// unclaimed account with that `userName`.
    async fn find_user(
        &self,
        user_id: &str,
        adopt_by: Option<&str>,
    ) -> Result<Option<Value>, PushError> {
        if let Some(found) = self
            .client
            .find(Endpoint::Users, "externalId", user_id)
            .await?
        {
            return Ok(Some(found));
        }
        let Some(username) = adopt_by.filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let found = self
            .client
            .find(Endpoint::Users, "userName", username)
            .await?;
        Ok(found.filter(|remote| {
            remote
                .get("externalId")
                .and_then(Value::as_str)
                .is_none_or(|e| e.is_empty() || e == user_id)
        }))
    }

    /// Pushes one user as it is now.
    pub async fn sync_user(&self, scope: &Scope, user_id: &str) -> Result<Pushed, PushError> {
        let Some(user) = self.load::<User>(user_id).await? else {
            return Ok(Pushed::Skipped);
        };
        if user.org_id != self.org_id() || user.kind != UserKind::Human {
            return Ok(Pushed::Skipped);
        }
        let in_scope = user.state != UserState::Removed && scope.includes(user_id);
        let adopt = in_scope.then_some(user.username.as_str());
        let remote = self.find_user(user_id, adopt).await?;
        if !in_scope {
            return self.deprovision_user(remote.as_ref()).await;
        }
        let desired = user_document(&user, user_id, &self.target.mapping);
        self.upsert(Endpoint::Users, remote.as_ref(), &desired)
            .await
    }

    async fn deprovision_user(&self, remote: Option<&Value>) -> Result<Pushed, PushError> {
        let Some(id) = remote.and_then(remote_id) else {
            return Ok(Pushed::Unchanged);
        };
        match self.target.settings.deprovision {
            Deprovision::Delete => {
                self.client.delete(Endpoint::Users, &id).await?;
                Ok(Pushed::Deprovisioned)
            }
            Deprovision::Deactivate => {
                let active = remote
                    .and_then(|r| r.get("active"))
                    .and_then(Value::as_bool);
                if active == Some(false) {
                    return Ok(Pushed::Unchanged);
                }
                if self.client.deactivate(&id).await? {
                    Ok(Pushed::Deprovisioned)
                } else {
                    Ok(Pushed::Unchanged)
                }
            }
        }
    }

    /// Creates, replaces or leaves alone.
    async fn upsert(
        &self,
        endpoint: Endpoint,
        remote: Option<&Value>,
        desired: &Value,
    ) -> Result<Pushed, PushError> {
        match remote {
            Some(remote) if holds(remote, desired) => Ok(Pushed::Unchanged),
            Some(remote) => {
                let id = remote_id(remote).ok_or_else(|| {
                    PushError::Permanent("the target's resource has no id".into())
                })?;
                if self
                    .client
                    .replace(endpoint, &id, &with_id(desired, &id))
                    .await?
                {
                    Ok(Pushed::Updated)
                } else {
                    self.client.create(endpoint, desired).await?;
                    Ok(Pushed::Created)
                }
            }
            None => {
                self.client.create(endpoint, desired).await?;
                Ok(Pushed::Created)
            }
        }
    }

    /// Pushes one group as it is now, with the target's ids of its members in scope.
    pub async fn sync_group(&self, scope: &Scope, group_id: &str) -> Result<Pushed, PushError> {
        if !self.target.settings.push_groups || !self.target.filter.includes_group(group_id) {
            return Ok(Pushed::Skipped);
        }
        let Some(group) = self.load::<Group>(group_id).await? else {
            return Ok(Pushed::Skipped);
        };
        if group.org_id != self.org_id() {
            return Ok(Pushed::Skipped);
        }
        let mut remote = self
            .client
            .find(Endpoint::Groups, "externalId", group_id)
            .await?;
        if !group.exists() {
            return match remote.as_ref().and_then(remote_id) {
                Some(id) => {
                    self.client.delete(Endpoint::Groups, &id).await?;
                    Ok(Pushed::Deprovisioned)
                }
                None => Ok(Pushed::Unchanged),
            };
        }
        if remote.is_none() {
            remote = self
                .client
                .find(Endpoint::Groups, "displayName", &group.name)
                .await?
                .filter(|r| {
                    r.get("externalId")
                        .and_then(Value::as_str)
                        .is_none_or(|e| e.is_empty() || e == group_id)
                });
        }
        let mut members = Vec::new();
        for member in &group.members {
            if !scope.includes(member) {
                continue;
            }
            match self.load::<User>(member).await? {
                Some(user) if user.state != UserState::Removed && user.kind == UserKind::Human => {}
                _ => continue,
            }
            if let Some(id) = self
                .find_user(member, None)
                .await?
                .as_ref()
                .and_then(remote_id)
            {
                members.push(id);
            }
        }
        let desired = group_document(&group, group_id, &members);
        self.upsert(Endpoint::Groups, remote.as_ref(), &desired)
            .await
    }

    /// The ids of every aggregate of `aggregate_type` ever created in the org by `created`.
    async fn ids_created(
        &self,
        aggregate_type: &str,
        created: &str,
    ) -> Result<Vec<String>, PushError> {
        aggregates_created(
            self.ledger.as_ref(),
            &self.instance_id,
            aggregate_type,
            created,
            self.org_id(),
        )
        .await
        .map_err(transient)
    }

    /// Compares the target with Castellan and repairs it: every human user the org ever had
    /// (so removed ones are deprovisioned too), then every group when groups are pushed.
    pub async fn reconcile(&self) -> Result<ReconcileReport, PushError> {
        let scope = self.scope().await?;
        let mut report = ReconcileReport::default();
        for user_id in self
            .ids_created(user::AGGREGATE_TYPE, "user.human.added")
            .await?
        {
            let result = self.sync_user(&scope, &user_id).await;
            tally(&mut report, scim_target::USER, &user_id, result);
        }
        if self.target.settings.push_groups {
            for group_id in self
                .ids_created(group::AGGREGATE_TYPE, "group.added")
                .await?
            {
                let result = self.sync_group(&scope, &group_id).await;
                tally(&mut report, scim_target::GROUP, &group_id, result);
            }
        }
        Ok(report)
    }
}

fn tally(report: &mut ReconcileReport, kind: &str, id: &str, result: Result<Pushed, PushError>) {
    let counts = &mut report.counts;
    match result {
        Ok(pushed) => {
            match pushed {
                Pushed::Created => counts.created += 1,
                Pushed::Updated => counts.updated += 1,
                Pushed::Deprovisioned => counts.deprovisioned += 1,
                Pushed::Unchanged => counts.unchanged += 1,
                Pushed::Skipped => return,
            }
            report.repaired.push((kind.to_owned(), id.to_owned()));
        }
        Err(error) => {
            counts.failed += 1;
            report
                .failures
                .push((kind.to_owned(), id.to_owned(), error.to_string()));
        }
    }
}
