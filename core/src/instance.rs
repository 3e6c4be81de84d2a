//! The instance aggregate: a virtual tenant, found by the request's host (its domains), with a
//! default org and instance-level members (IAM_OWNER, ...).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "instance";
/// Instance domains are unique across the whole system, so the writer scopes this claim to the
/// empty instance id (as ZITADEL does for global constraints).
pub const UNIQUE_INSTANCE_DOMAIN: &str = "instance_domain";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum InstanceEvent {
    #[serde(rename = "instance.added")]
    Added { name: String },
    #[serde(rename = "instance.domain.added")]
    DomainAdded { domain: String, generated: bool },
    #[serde(rename = "instance.default.org.set")]
    DefaultOrgSet { org_id: String },
    #[serde(rename = "instance.member.added")]
    MemberAdded { user_id: String, roles: Vec<String> },
    #[serde(rename = "instance.member.changed")]
    MemberChanged { user_id: String, roles: Vec<String> },
    #[serde(rename = "instance.member.removed")]
    MemberRemoved { user_id: String },
}

impl EventPayload for InstanceEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instance {
    pub name: String,
    pub domains: Vec<String>,
    pub default_org_id: Option<String>,
    pub members: BTreeMap<String, Vec<String>>,
}

impl Aggregate for Instance {
    type Event = InstanceEvent;

    fn apply(&mut self, event: &InstanceEvent, _meta: &EventMeta) {
        match event {
            InstanceEvent::Added { name } => self.name.clone_from(name),
            InstanceEvent::DomainAdded { domain, .. } => self.domains.push(domain.clone()),
            InstanceEvent::DefaultOrgSet { org_id } => self.default_org_id = Some(org_id.clone()),
            InstanceEvent::MemberAdded { user_id, roles }
            | InstanceEvent::MemberChanged { user_id, roles } => {
                self.members.insert(user_id.clone(), roles.clone());
            }
            InstanceEvent::MemberRemoved { user_id } => {
                self.members.remove(user_id);
            }
        }
    }
}

impl Instance {
    pub fn exists(&self) -> bool {
        !self.name.is_empty()
    }
}

/// Creates an instance reachable at `domain`.
pub fn add(
    state: &Instance,
    name: &str,
    domain: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    if state.exists() {
        return Err(DomainError::already_exists(
            "INST-0001",
            "Instance already exists",
        ));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid(
            "INST-0002",
            "Instance name must not be empty",
        ));
    }
    let domain = crate::org::validate_domain(domain)?;
    let mut decision = Decision::of(InstanceEvent::Added {
        name: name.to_owned(),
    });
    decision.claim(UNIQUE_INSTANCE_DOMAIN, &domain);
    decision.events.push(InstanceEvent::DomainAdded {
        domain,
        generated: true,
    });
    Ok(decision)
}

/// Whether some member still holds IAM_OWNER.
fn keeps_an_owner(members: &crate::administrator::Members) -> bool {
    members
        .values()
        .any(|roles| roles.iter().any(|r| r == crate::permission::IAM_OWNER))
}

fn last_owner() -> DomainError {
    DomainError::precondition(
        "INST-0004",
        "The instance's last IAM_OWNER cannot be removed",
    )
}

/// Makes a user an instance administrator.
pub fn add_member(
    state: &Instance,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<InstanceEvent>, DomainError> {
    let roles = crate::administrator::check_add(
        &state.members,
        user_id,
        roles,
        crate::permission::RoleScope::Instance,
    )?;
    Ok(Decision::of(InstanceEvent::MemberAdded {
        user_id: user_id.to_owned(),
        roles,
    }))
}

/// Replaces an instance administrator's roles; refused when no IAM_OWNER would remain.
pub fn change_member(
    state: &Instance,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<InstanceEvent>, DomainError> {
    let roles = crate::administrator::check_change(
        &state.members,
        user_id,
        roles,
        crate::permission::RoleScope::Instance,
    )?;
    let after = crate::administrator::members_after(&state.members, user_id, Some(&roles));
    if !keeps_an_owner(&after) {
        return Err(last_owner());
    }
    Ok(Decision::of(InstanceEvent::MemberChanged {
        user_id: user_id.to_owned(),
        roles,
    }))
}

/// Removes an instance administrator (nothing when the user is none); refused when no
/// IAM_OWNER would remain, so an instance is never left without an owner.
pub fn remove_member(
    state: &Instance,
    user_id: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    if !crate::administrator::is_member(&state.members, user_id) {
        return Ok(Decision::default());
    }
    let after = crate::administrator::members_after(&state.members, user_id, None);
    if !keeps_an_owner(&after) {
        return Err(last_owner());
    }
    Ok(Decision::of(InstanceEvent::MemberRemoved {
        user_id: user_id.to_owned(),
    }))
}
