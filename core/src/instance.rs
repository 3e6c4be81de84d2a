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
            InstanceEvent::MemberAdded { user_id, roles } => {
                self.members.insert(user_id.clone(), roles.clone());
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
