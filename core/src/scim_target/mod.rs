//! The SCIM target aggregate: an outbound SCIM 2.0 connector of one org (issue #7). Castellan
//! pushes the org's users (and, when asked, its groups) to the target's `/Users` and `/Groups`
//! as they change. A target names where (`base_url`), how to authenticate (a bearer token, or
//! OAuth 2 client credentials), how Castellan attributes map onto the target's, which users
//! (all of the org, or members of some groups) and what removal means there (delete, or
//! `active=false`).
//!
//! The credential (bearer token or client secret) is sealed by the edge with the master key;
//! events carry only the sealed string. Pushes that failed for good are dead letters recorded on
//! the target (`scim_target.delivery.failed`) until a replay delivers them
//! (`scim_target.dead_letter.resolved`); reconcile runs are recorded too
//! (`scim_target.reconciled`), so the audit trail shows every change to a connector.

pub mod spec;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::spec::{AttributeMapping, AuthKind, Deprovision, TargetFilter, TargetSettings};
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "scim_target";
pub const MAX_ERROR_LEN: usize = 1000;
/// The resource types a target receives.
pub const USER: &str = "user";
pub const GROUP: &str = "group";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum ScimTargetEvent {
    #[serde(rename = "scim_target.added")]
    Added {
        name: String,
        settings: TargetSettings,
        mapping: Vec<AttributeMapping>,
        filter: TargetFilter,
        /// The bearer token or client secret sealed with the master key.
        sealed_secret: String,
    },
    /// Name, settings, mapping and filter after the change.
    #[serde(rename = "scim_target.changed")]
    Changed {
        name: String,
        settings: TargetSettings,
        mapping: Vec<AttributeMapping>,
        filter: TargetFilter,
    },
    #[serde(rename = "scim_target.secret.changed")]
    SecretChanged { sealed_secret: String },
    #[serde(rename = "scim_target.removed")]
    Removed {},
    /// Pushing the resource the event at `position` changed failed for good: a dead letter (one
    /// open letter per resource; the replay pushes the resource's state as it is then).
    #[serde(rename = "scim_target.delivery.failed")]
    DeliveryFailed {
        position: i64,
        resource_type: String,
        resource_id: String,
        error: String,
    },
    /// The dead letter of this resource was delivered by a replay or a reconcile run.
    #[serde(rename = "scim_target.dead_letter.resolved")]
    DeadLetterResolved {
        resource_type: String,
        resource_id: String,
    },
    /// A reconcile run compared the target with Castellan and repaired it.
    #[serde(rename = "scim_target.reconciled")]
    Reconciled {
        created: i64,
        updated: i64,
        deprovisioned: i64,
        unchanged: i64,
        failed: i64,
    },
}

impl EventPayload for ScimTargetEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

/// The event types of the delivery bookkeeping.
pub const BOOKKEEPING_EVENTS: [&str; 3] = [
    "scim_target.delivery.failed",
    "scim_target.dead_letter.resolved",
    "scim_target.reconciled",
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetState {
    #[default]
    Unspecified,
    Active,
    Removed,
}

/// A push that failed for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub position: i64,
    pub resource_type: String,
    pub resource_id: String,
    pub error: String,
}

/// What the last reconcile run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileCounts {
    pub created: i64,
    pub updated: i64,
    pub deprovisioned: i64,
    pub unchanged: i64,
    pub failed: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScimTarget {
    /// The owning org (the resource owner of the target's events).
    pub org_id: String,
    pub name: String,
    pub settings: TargetSettings,
    pub mapping: Vec<AttributeMapping>,
    pub filter: TargetFilter,
    pub sealed_secret: String,
    pub state: TargetState,
    /// Open dead letters by (resource type, resource id).
    pub dead_letters: BTreeMap<(String, String), DeadLetter>,
    pub last_reconcile: Option<ReconcileCounts>,
}

impl Aggregate for ScimTarget {
    type Event = ScimTargetEvent;

    fn apply(&mut self, event: &ScimTargetEvent, meta: &EventMeta) {
        match event {
            ScimTargetEvent::Added {
                name,
                settings,
                mapping,
                filter,
                sealed_secret,
            } => {
                self.org_id.clone_from(&meta.resource_owner);
                self.name.clone_from(name);
                self.settings.clone_from(settings);
                self.mapping.clone_from(mapping);
                self.filter.clone_from(filter);
                self.sealed_secret.clone_from(sealed_secret);
                self.state = TargetState::Active;
            }
            ScimTargetEvent::Changed {
                name,
                settings,
                mapping,
                filter,
            } => {
                self.name.clone_from(name);
                self.settings.clone_from(settings);
                self.mapping.clone_from(mapping);
                self.filter.clone_from(filter);
            }
            ScimTargetEvent::SecretChanged { sealed_secret } => {
                self.sealed_secret.clone_from(sealed_secret);
            }
            ScimTargetEvent::Removed {} => {
                self.state = TargetState::Removed;
                self.dead_letters.clear();
            }
            ScimTargetEvent::DeliveryFailed {
                position,
                resource_type,
                resource_id,
                error,
            } => {
                self.dead_letters.insert(
                    (resource_type.clone(), resource_id.clone()),
                    DeadLetter {
                        position: *position,
                        resource_type: resource_type.clone(),
                        resource_id: resource_id.clone(),
                        error: error.clone(),
                    },
                );
            }
            ScimTargetEvent::DeadLetterResolved {
                resource_type,
                resource_id,
            } => {
                self.dead_letters
                    .remove(&(resource_type.clone(), resource_id.clone()));
            }
            ScimTargetEvent::Reconciled {
                created,
                updated,
                deprovisioned,
                unchanged,
                failed,
            } => {
                self.last_reconcile = Some(ReconcileCounts {
                    created: *created,
                    updated: *updated,
                    deprovisioned: *deprovisioned,
                    unchanged: *unchanged,
                    failed: *failed,
                });
            }
        }
    }
}

impl ScimTarget {
    pub fn exists(&self) -> bool {
        self.state == TargetState::Active
    }

    /// NotFound unless the target exists in `org_id` (a target of another org is not found).
    pub fn require_in(&self, org_id: &str) -> Result<(), DomainError> {
        if self.exists() && self.org_id == org_id {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("SCIMT-0001", "SCIM target not found")
}

/// What a caller asks a target to be (create or full update).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetSpec {
    pub name: String,
    pub settings: TargetSettings,
    pub mapping: Vec<AttributeMapping>,
    pub filter: TargetFilter,
}

/// The associated data a target's secret is sealed with: it opens only for this target.
pub fn secret_context(instance_id: &str, target_id: &str) -> Vec<u8> {
    format!("castellan-scim-target-secret:{instance_id}:{target_id}").into_bytes()
}

/// The durable checkpoint (and leader-election name) of a target's delivery.
pub fn checkpoint_name(target_id: &str) -> String {
    format!("scim_target:{target_id}")
}

/// Creates a target in the command's org; `sealed_secret` is the credential sealed by the edge.
pub fn add(
    state: &ScimTarget,
    spec: &TargetSpec,
    sealed_secret: &str,
) -> Result<Decision<ScimTargetEvent>, DomainError> {
    if state.state != TargetState::Unspecified {
        return Err(DomainError::already_exists(
            "SCIMT-0002",
            "SCIM target already exists",
        ));
    }
    let spec = spec::validate(spec)?;
    if sealed_secret.is_empty() {
        return Err(DomainError::invalid(
            "SCIMT-0003",
            "a SCIM target needs a secret (the bearer token or the client secret)",
        ));
    }
    Ok(Decision::of(ScimTargetEvent::Added {
        name: spec.name,
        settings: spec.settings,
        mapping: spec.mapping,
        filter: spec.filter,
        sealed_secret: sealed_secret.to_owned(),
    }))
}

/// Replaces name, settings, mapping and filter; a new sealed secret when given.
pub fn change(
    state: &ScimTarget,
    org_id: &str,
    spec: &TargetSpec,
    sealed_secret: Option<&str>,
) -> Result<Decision<ScimTargetEvent>, DomainError> {
    state.require_in(org_id)?;
    let spec = spec::validate(spec)?;
    let mut decision = Decision::default();
    if spec.name != state.name
        || spec.settings != state.settings
        || spec.mapping != state.mapping
        || spec.filter != state.filter
    {
        decision.events.push(ScimTargetEvent::Changed {
            name: spec.name,
            settings: spec.settings,
            mapping: spec.mapping,
            filter: spec.filter,
        });
    }
    if let Some(sealed) = sealed_secret.filter(|s| !s.is_empty()) {
        decision.events.push(ScimTargetEvent::SecretChanged {
            sealed_secret: sealed.to_owned(),
        });
    }
    Ok(decision)
}

pub fn remove(state: &ScimTarget, org_id: &str) -> Result<Decision<ScimTargetEvent>, DomainError> {
    state.require_in(org_id)?;
    Ok(Decision::of(ScimTargetEvent::Removed {}))
}

fn letter_key(resource_type: &str, resource_id: &str) -> (String, String) {
    (resource_type.to_owned(), resource_id.to_owned())
}

/// Records a dead letter (once per resource while it is open; a target removed meanwhile
/// records nothing).
pub fn record_failure(state: &ScimTarget, letter: &DeadLetter) -> Decision<ScimTargetEvent> {
    let key = letter_key(&letter.resource_type, &letter.resource_id);
    if !state.exists() || state.dead_letters.contains_key(&key) {
        return Decision::default();
    }
    let error: String = letter.error.chars().take(MAX_ERROR_LEN).collect();
    Decision::of(ScimTargetEvent::DeliveryFailed {
        position: letter.position,
        resource_type: letter.resource_type.clone(),
        resource_id: letter.resource_id.clone(),
        error,
    })
}

/// The open dead letter of a resource, or NotFound.
pub fn dead_letter<'a>(
    state: &'a ScimTarget,
    org_id: &str,
    resource_type: &str,
    resource_id: &str,
) -> Result<&'a DeadLetter, DomainError> {
    state.require_in(org_id)?;
    state
        .dead_letters
        .get(&letter_key(resource_type, resource_id))
        .ok_or_else(|| {
            DomainError::not_found("SCIMT-0004", "No open dead letter for this resource")
        })
}

/// Marks the dead letter of a resource delivered.
pub fn resolve(
    state: &ScimTarget,
    org_id: &str,
    resource_type: &str,
    resource_id: &str,
) -> Result<Decision<ScimTargetEvent>, DomainError> {
    let letter = dead_letter(state, org_id, resource_type, resource_id)?;
    Ok(Decision::of(ScimTargetEvent::DeadLetterResolved {
        resource_type: letter.resource_type.clone(),
        resource_id: letter.resource_id.clone(),
    }))
}

/// Records a reconcile run; dead letters of resources it repaired are resolved with it.
pub fn reconciled(
    state: &ScimTarget,
    org_id: &str,
    counts: ReconcileCounts,
    repaired: &[(String, String)],
) -> Result<Decision<ScimTargetEvent>, DomainError> {
    state.require_in(org_id)?;
    let mut decision = Decision::of(ScimTargetEvent::Reconciled {
        created: counts.created,
        updated: counts.updated,
        deprovisioned: counts.deprovisioned,
        unchanged: counts.unchanged,
        failed: counts.failed,
    });
    for letter in state.dead_letters.values() {
        if repaired
            .iter()
            .any(|(kind, id)| *kind == letter.resource_type && *id == letter.resource_id)
        {
            decision.events.push(ScimTargetEvent::DeadLetterResolved {
                resource_type: letter.resource_type.clone(),
                resource_id: letter.resource_id.clone(),
            });
        }
    }
    Ok(decision)
}

#[cfg(test)]
mod tests;
