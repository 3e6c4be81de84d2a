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
    // Instance settings (InstanceService).
    #[serde(rename = "instance.changed")]
    Changed { name: String },
    #[serde(rename = "instance.domain.removed")]
    DomainRemoved { domain: String },
    #[serde(rename = "instance.trusted_domain.added")]
    TrustedDomainAdded { domain: String },
    #[serde(rename = "instance.trusted_domain.removed")]
    TrustedDomainRemoved { domain: String },
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
    /// The domains the instance was created with (they cannot be removed).
    pub generated_domains: Vec<String>,
    pub trusted_domains: Vec<String>,
}

impl Aggregate for Instance {
    type Event = InstanceEvent;

    fn apply(&mut self, event: &InstanceEvent, _meta: &EventMeta) {
        match event {
            InstanceEvent::Added { name } => self.name.clone_from(name),
            InstanceEvent::DomainAdded { domain, generated } => {
                self.domains.push(domain.clone());
                if *generated {
                    self.generated_domains.push(domain.clone());
                }
            }
            InstanceEvent::DefaultOrgSet { org_id } => self.default_org_id = Some(org_id.clone()),
            InstanceEvent::MemberAdded { user_id, roles }
            | InstanceEvent::MemberChanged { user_id, roles } => {
                self.members.insert(user_id.clone(), roles.clone());
            }
            InstanceEvent::MemberRemoved { user_id } => {
                self.members.remove(user_id);
            }
            InstanceEvent::Changed { name } => self.name.clone_from(name),
            InstanceEvent::DomainRemoved { domain } => self.domains.retain(|d| d != domain),
            InstanceEvent::TrustedDomainAdded { domain } => {
                self.trusted_domains.push(domain.clone());
            }
            InstanceEvent::TrustedDomainRemoved { domain } => {
                self.trusted_domains.retain(|d| d != domain);
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

pub const MAX_INSTANCE_NAME_LEN: usize = 200;

fn require_exists(state: &Instance) -> Result<(), DomainError> {
    if state.exists() {
        Ok(())
    } else {
        Err(DomainError::not_found("INST-0003", "Instance not found"))
    }
}

/// UpdateInstance: a new name.
pub fn change_name(state: &Instance, name: &str) -> Result<Decision<InstanceEvent>, DomainError> {
    require_exists(state)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_INSTANCE_NAME_LEN {
        return Err(DomainError::invalid(
            "INST-0004",
            format!("Instance name must be 1 to {MAX_INSTANCE_NAME_LEN} characters"),
        ));
    }
    if name == state.name {
        return Err(DomainError::precondition(
            "INST-0005",
            "The instance name has not changed",
        ));
    }
    Ok(Decision::of(InstanceEvent::Changed {
        name: name.to_owned(),
    }))
}

/// AddCustomDomain: a domain that routes requests to the instance, unique across all instances.
pub fn add_custom_domain(
    state: &Instance,
    domain: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    require_exists(state)?;
    let domain = crate::org::validate_domain(domain)?;
    if state.domains.contains(&domain) {
        return Err(DomainError::already_exists(
            "INST-0006",
            "The domain is already a domain of the instance",
        ));
    }
    let mut decision = Decision::of(InstanceEvent::DomainAdded {
        domain: domain.clone(),
        generated: false,
    });
    decision.claim(UNIQUE_INSTANCE_DOMAIN, &domain);
    Ok(decision)
}

/// RemoveCustomDomain: generated domains stay (the instance must stay reachable).
pub fn remove_custom_domain(
    state: &Instance,
    domain: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    require_exists(state)?;
    let domain = domain.trim().to_ascii_lowercase();
    if !state.domains.contains(&domain) {
        return Err(DomainError::not_found("INST-0007", "Domain not found"));
    }
    if state.generated_domains.contains(&domain) {
        return Err(DomainError::precondition(
            "INST-0008",
            "A generated domain of the instance cannot be removed",
        ));
    }
    let mut decision = Decision::of(InstanceEvent::DomainRemoved {
        domain: domain.clone(),
    });
    decision.release(UNIQUE_INSTANCE_DOMAIN, &domain);
    Ok(decision)
}

/// AddTrustedDomain: a domain the instance may be addressed by in responses (no routing, so not
/// unique).
pub fn add_trusted_domain(
    state: &Instance,
    domain: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    require_exists(state)?;
    let domain = crate::org::validate_domain(domain)?;
    if state.trusted_domains.contains(&domain) {
        return Err(DomainError::already_exists(
            "INST-0009",
            "The trusted domain already exists",
        ));
    }
    Ok(Decision::of(InstanceEvent::TrustedDomainAdded { domain }))
}

pub fn remove_trusted_domain(
    state: &Instance,
    domain: &str,
) -> Result<Decision<InstanceEvent>, DomainError> {
    require_exists(state)?;
    let domain = domain.trim().to_ascii_lowercase();
    if !state.trusted_domains.contains(&domain) {
        return Err(DomainError::not_found(
            "INST-0010",
            "Trusted domain not found",
        ));
    }
    Ok(Decision::of(InstanceEvent::TrustedDomainRemoved { domain }))
}

/// Whether some member still holds IAM_OWNER.
fn keeps_an_owner(members: &crate::administrator::Members) -> bool {
    members
        .values()
        .any(|roles| roles.iter().any(|r| r == crate::permission::IAM_OWNER))
}

fn last_owner() -> DomainError {
    DomainError::precondition(
        "INST-0011",
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

#[cfg(test)]
mod settings_tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::event::Position;

    fn instance() -> Instance {
        let mut state = Instance::default();
        let meta = EventMeta {
            sequence: 1,
            created_at: Timestamp(0),
            resource_owner: "i".into(),
            position: Position(1),
        };
        for event in add(&Instance::default(), "Castellan", "localhost")
            .unwrap()
            .events
        {
            state.apply(&event, &meta);
        }
        state
    }

    #[test]
    fn custom_domains_are_claimed_and_released_and_generated_ones_stay() {
        let state = instance();
        let added = add_custom_domain(&state, "ID.Example.com").unwrap();
        assert_eq!(added.claims.len(), 1);
        assert_eq!(added.claims[0].field, "id.example.com");
        assert_eq!(
            add_custom_domain(&state, "localhost").unwrap_err().kind,
            crate::ErrorKind::AlreadyExists
        );
        assert!(add_custom_domain(&state, "not a domain").is_err());
        assert_eq!(
            remove_custom_domain(&state, "localhost").unwrap_err().kind,
            crate::ErrorKind::FailedPrecondition
        );
        assert_eq!(
            remove_custom_domain(&state, "nope.example.com")
                .unwrap_err()
                .kind,
            crate::ErrorKind::NotFound
        );
    }

    #[test]
    fn names_and_trusted_domains_are_checked() {
        let state = instance();
        assert!(change_name(&state, " ").is_err());
        assert!(change_name(&state, "Castellan").is_err());
        assert!(change_name(&state, "Renamed").is_ok());
        assert!(add_trusted_domain(&state, "login.example.com").is_ok());
        assert_eq!(
            remove_trusted_domain(&state, "login.example.com")
                .unwrap_err()
                .kind,
            crate::ErrorKind::NotFound
        );
    }
}
