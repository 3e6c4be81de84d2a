//! The organization aggregate: name, state, domains, metadata and members.
//!
//! Event types follow ZITADEL's (`org.added`, `org.domain.verified`, ...), so an event consumer
//! written for one reads the other.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "org";
/// Org names are unique per instance (case-insensitive).
pub const UNIQUE_ORG_NAME: &str = "org_name";
/// A verified domain belongs to one org per instance.
pub const UNIQUE_ORG_DOMAIN: &str = "org_domain";
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_METADATA_KEY_LEN: usize = 200;
pub const MAX_METADATA_VALUE_LEN: usize = 500_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgState {
    #[default]
    Unspecified,
    Active,
    Inactive,
    Removed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainValidationType {
    Http,
    Dns,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum OrgEvent {
    #[serde(rename = "org.added")]
    Added { name: String },
    #[serde(rename = "org.changed")]
    Changed { name: String },
    #[serde(rename = "org.deactivated")]
    Deactivated {},
    #[serde(rename = "org.reactivated")]
    Reactivated {},
    #[serde(rename = "org.removed")]
    Removed { name: String },
    #[serde(rename = "org.domain.added")]
    DomainAdded { domain: String },
    #[serde(rename = "org.domain.verification.added")]
    DomainVerificationAdded {
        domain: String,
        validation_type: DomainValidationType,
        token: String,
    },
    #[serde(rename = "org.domain.verification.failed")]
    DomainVerificationFailed { domain: String },
    #[serde(rename = "org.domain.verified")]
    DomainVerified { domain: String },
    #[serde(rename = "org.domain.primary.set")]
    DomainPrimarySet { domain: String },
    #[serde(rename = "org.domain.removed")]
    DomainRemoved { domain: String, was_verified: bool },
    /// `value` is base64 (standard alphabet), as ZITADEL stores metadata.
    #[serde(rename = "org.metadata.set")]
    MetadataSet { key: String, value: String },
    #[serde(rename = "org.metadata.removed")]
    MetadataRemoved { key: String },
    #[serde(rename = "org.member.added")]
    MemberAdded { user_id: String, roles: Vec<String> },
    #[serde(rename = "org.member.changed")]
    MemberChanged { user_id: String, roles: Vec<String> },
    #[serde(rename = "org.member.removed")]
    MemberRemoved { user_id: String },
}

impl EventPayload for OrgEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrgDomain {
    pub verified: bool,
    pub primary: bool,
    pub validation: Option<(DomainValidationType, String)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Org {
    pub name: String,
    pub state: OrgState,
    pub domains: BTreeMap<String, OrgDomain>,
    pub metadata: BTreeMap<String, String>,
    pub members: BTreeMap<String, Vec<String>>,
}

impl Aggregate for Org {
    type Event = OrgEvent;

    fn apply(&mut self, event: &OrgEvent, _meta: &EventMeta) {
        match event {
            OrgEvent::Added { name } => {
                self.name.clone_from(name);
                self.state = OrgState::Active;
            }
            OrgEvent::Changed { name } => self.name.clone_from(name),
            OrgEvent::Deactivated {} => self.state = OrgState::Inactive,
            OrgEvent::Reactivated {} => self.state = OrgState::Active,
            OrgEvent::Removed { .. } => self.state = OrgState::Removed,
            OrgEvent::DomainAdded { domain } => {
                self.domains.insert(domain.clone(), OrgDomain::default());
            }
            OrgEvent::DomainVerificationAdded {
                domain,
                validation_type,
                token,
            } => {
                if let Some(entry) = self.domains.get_mut(domain) {
                    entry.validation = Some((*validation_type, token.clone()));
                }
            }
            OrgEvent::DomainVerificationFailed { .. } => {}
            OrgEvent::DomainVerified { domain } => {
                if let Some(entry) = self.domains.get_mut(domain) {
                    entry.verified = true;
                }
            }
            OrgEvent::DomainPrimarySet { domain } => {
                for (name, entry) in self.domains.iter_mut() {
                    entry.primary = name == domain;
                }
            }
            OrgEvent::DomainRemoved { domain, .. } => {
                self.domains.remove(domain);
            }
            OrgEvent::MetadataSet { key, value } => {
                self.metadata.insert(key.clone(), value.clone());
            }
            OrgEvent::MetadataRemoved { key } => {
                self.metadata.remove(key);
            }
            OrgEvent::MemberAdded { user_id, roles }
            | OrgEvent::MemberChanged { user_id, roles } => {
                self.members.insert(user_id.clone(), roles.clone());
            }
            OrgEvent::MemberRemoved { user_id } => {
                self.members.remove(user_id);
            }
        }
    }
}

impl Org {
    pub fn exists(&self) -> bool {
        !matches!(self.state, OrgState::Unspecified | OrgState::Removed)
    }

    pub fn primary_domain(&self) -> Option<&str> {
        self.domains
            .iter()
            .find(|(_, d)| d.primary)
            .map(|(name, _)| name.as_str())
    }

    fn require_exists(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(DomainError::not_found("ORG-0001", "Organization not found"))
        }
    }
}

/// Trims and checks an org name.
pub fn validate_name(name: &str) -> Result<String, DomainError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(
            "ORG-0002",
            "Organization name must not be empty",
        ));
    }
    if trimmed.chars().count() > MAX_NAME_LEN {
        return Err(DomainError::invalid(
            "ORG-0003",
            format!("Organization name must be at most {MAX_NAME_LEN} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Checks a DNS domain name: labels of letters, digits and hyphens, at most 253 characters.
pub fn validate_domain(domain: &str) -> Result<String, DomainError> {
    let lower = domain.trim().to_ascii_lowercase();
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if lower.is_empty() || lower.len() > 253 || !lower.split('.').all(label_ok) {
        return Err(DomainError::invalid(
            "ORG-0004",
            format!("Invalid domain {domain:?}"),
        ));
    }
    Ok(lower)
}

/// The domain ZITADEL generates for a new org: the name, lower-cased, with every character that
/// cannot stand in a DNS label replaced by '-', under the instance's domain.
pub fn generated_domain(name: &str, instance_domain: &str) -> String {
    let mut label = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if !label.ends_with('-') {
            label.push('-');
        }
    }
    let label = label.trim_matches('-');
    let label = if label.is_empty() { "org" } else { label };
    let label: String = label.chars().take(63).collect();
    format!("{}.{instance_domain}", label.trim_end_matches('-'))
}

/// AddOrganization: the org, its generated domain (verified and primary) and its first members.
pub fn add(
    state: &Org,
    name: &str,
    instance_domain: &str,
    members: &[(String, Vec<String>)],
) -> Result<Decision<OrgEvent>, DomainError> {
    if state.state != OrgState::Unspecified {
        return Err(DomainError::already_exists(
            "ORG-0005",
            "Organization already exists",
        ));
    }
    let name = validate_name(name)?;
    let domain = validate_domain(&generated_domain(&name, instance_domain))?;
    let mut decision = Decision::default();
    decision.claim(UNIQUE_ORG_NAME, &name);
    decision.claim(UNIQUE_ORG_DOMAIN, &domain);
    decision.events.push(OrgEvent::Added { name });
    decision.events.push(OrgEvent::DomainAdded {
        domain: domain.clone(),
    });
    decision.events.push(OrgEvent::DomainVerified {
        domain: domain.clone(),
    });
    decision.events.push(OrgEvent::DomainPrimarySet { domain });
    for (user_id, roles) in members {
        decision.events.push(OrgEvent::MemberAdded {
            user_id: user_id.clone(),
            roles: roles.clone(),
        });
    }
    Ok(decision)
}

pub fn rename(state: &Org, name: &str) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let name = validate_name(name)?;
    if name == state.name {
        return Err(DomainError::precondition(
            "ORG-0006",
            "Organization name has not changed",
        ));
    }
    let mut decision = Decision::default();
    if !name.eq_ignore_ascii_case(&state.name) {
        decision.release(UNIQUE_ORG_NAME, &state.name);
        decision.claim(UNIQUE_ORG_NAME, &name);
    }
    decision.events.push(OrgEvent::Changed { name });
    Ok(decision)
}

pub fn deactivate(state: &Org) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if state.state == OrgState::Inactive {
        return Err(DomainError::precondition(
            "ORG-0007",
            "Organization is already deactivated",
        ));
    }
    Ok(Decision::of(OrgEvent::Deactivated {}))
}

pub fn activate(state: &Org) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if state.state == OrgState::Active {
        return Err(DomainError::precondition(
            "ORG-0008",
            "Organization is already active",
        ));
    }
    Ok(Decision::of(OrgEvent::Reactivated {}))
}

/// DeleteOrganization: releases the name and every verified domain.
pub fn remove(state: &Org, is_default_org: bool) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if is_default_org {
        return Err(DomainError::precondition(
            "ORG-0009",
            "The default organization of the instance cannot be deleted",
        ));
    }
    let mut decision = Decision::of(OrgEvent::Removed {
        name: state.name.clone(),
    });
    decision.release(UNIQUE_ORG_NAME, &state.name);
    for (domain, entry) in &state.domains {
        if entry.verified {
            decision.release(UNIQUE_ORG_DOMAIN, domain);
        }
    }
    Ok(decision)
}

/// AddOrganizationDomain. Without domain validation (the instance default, as in ZITADEL's
/// `ValidateOrgDomains: false`) the domain is verified at once and claimed instance-wide.
pub fn add_domain(
    state: &Org,
    domain: &str,
    validate_org_domains: bool,
) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let domain = validate_domain(domain)?;
    if state.domains.contains_key(&domain) {
        return Err(DomainError::already_exists(
            "ORG-0010",
            "Domain already exists on the organization",
        ));
    }
    let mut decision = Decision::of(OrgEvent::DomainAdded {
        domain: domain.clone(),
    });
    if !validate_org_domains {
        decision.claim(UNIQUE_ORG_DOMAIN, &domain);
        decision.events.push(OrgEvent::DomainVerified { domain });
    }
    Ok(decision)
}

pub fn remove_domain(state: &Org, domain: &str) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let domain = domain.trim().to_ascii_lowercase();
    let Some(entry) = state.domains.get(&domain) else {
        return Err(DomainError::not_found(
            "ORG-0011",
            "Domain not found on the organization",
        ));
    };
    if entry.primary {
        return Err(DomainError::precondition(
            "ORG-0012",
            "The primary domain cannot be deleted",
        ));
    }
    let mut decision = Decision::of(OrgEvent::DomainRemoved {
        domain: domain.clone(),
        was_verified: entry.verified,
    });
    if entry.verified {
        decision.release(UNIQUE_ORG_DOMAIN, &domain);
    }
    Ok(decision)
}

pub fn generate_domain_validation(
    state: &Org,
    domain: &str,
    validation_type: DomainValidationType,
    token: String,
) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let domain = domain.trim().to_ascii_lowercase();
    let Some(entry) = state.domains.get(&domain) else {
        return Err(DomainError::not_found(
            "ORG-0011",
            "Domain not found on the organization",
        ));
    };
    if entry.verified {
        return Err(DomainError::precondition(
            "ORG-0013",
            "Domain is already verified",
        ));
    }
    Ok(Decision::of(OrgEvent::DomainVerificationAdded {
        domain,
        validation_type,
        token,
    }))
}

/// The pending validation of a domain, for the edge that performs the HTTP or DNS check.
pub fn pending_validation(
    state: &Org,
    domain: &str,
) -> Result<(String, DomainValidationType, String), DomainError> {
    state.require_exists()?;
    let domain = domain.trim().to_ascii_lowercase();
    let Some(entry) = state.domains.get(&domain) else {
        return Err(DomainError::not_found(
            "ORG-0011",
            "Domain not found on the organization",
        ));
    };
    if entry.verified {
        return Err(DomainError::precondition(
            "ORG-0013",
            "Domain is already verified",
        ));
    }
    match &entry.validation {
        Some((kind, token)) => Ok((domain, *kind, token.clone())),
        None => Err(DomainError::precondition(
            "ORG-0014",
            "Generate a domain validation before verifying the domain",
        )),
    }
}

/// The outcome of a domain check: verified (and claimed) or failed.
pub fn record_domain_check(domain: &str, passed: bool) -> Decision<OrgEvent> {
    if passed {
        let mut decision = Decision::of(OrgEvent::DomainVerified {
            domain: domain.to_owned(),
        });
        decision.claim(UNIQUE_ORG_DOMAIN, domain);
        decision
    } else {
        Decision::of(OrgEvent::DomainVerificationFailed {
            domain: domain.to_owned(),
        })
    }
}

pub fn set_metadata(
    state: &Org,
    entries: &[(String, String)],
) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if entries.is_empty() {
        return Err(DomainError::invalid(
            "ORG-0015",
            "At least one metadata entry is required",
        ));
    }
    let mut decision = Decision::default();
    for (key, value) in entries {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_METADATA_KEY_LEN {
            return Err(DomainError::invalid(
                "ORG-0016",
                format!("Metadata keys must be 1 to {MAX_METADATA_KEY_LEN} characters"),
            ));
        }
        if value.is_empty() || value.len() > MAX_METADATA_VALUE_LEN {
            return Err(DomainError::invalid(
                "ORG-0017",
                "Metadata values must not be empty",
            ));
        }
        if state.metadata.get(key) != Some(value) {
            decision.events.push(OrgEvent::MetadataSet {
                key: key.to_owned(),
                value: value.clone(),
            });
        }
    }
    if decision.events.is_empty() {
        return Err(DomainError::precondition(
            "ORG-0018",
            "Metadata has not changed",
        ));
    }
    Ok(decision)
}

pub fn remove_metadata(state: &Org, keys: &[String]) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if keys.is_empty() {
        return Err(DomainError::invalid(
            "ORG-0019",
            "At least one metadata key is required",
        ));
    }
    let mut decision = Decision::default();
    for key in keys {
        if !state.metadata.contains_key(key) {
            return Err(DomainError::not_found(
                "ORG-0020",
                format!("Metadata key {key:?} not found"),
            ));
        }
        decision
            .events
            .push(OrgEvent::MetadataRemoved { key: key.clone() });
    }
    Ok(decision)
}

/// Makes a user an administrator of the org.
pub fn add_member(
    state: &Org,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let roles = crate::administrator::check_add(
        &state.members,
        user_id,
        roles,
        crate::permission::RoleScope::Org,
    )?;
    Ok(Decision::of(OrgEvent::MemberAdded {
        user_id: user_id.to_owned(),
        roles,
    }))
}

/// Replaces an org administrator's roles.
pub fn change_member(
    state: &Org,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    let roles = crate::administrator::check_change(
        &state.members,
        user_id,
        roles,
        crate::permission::RoleScope::Org,
    )?;
    Ok(Decision::of(OrgEvent::MemberChanged {
        user_id: user_id.to_owned(),
        roles,
    }))
}

/// Removes an org administrator (nothing when the user is none).
pub fn remove_member(state: &Org, user_id: &str) -> Result<Decision<OrgEvent>, DomainError> {
    state.require_exists()?;
    if !crate::administrator::is_member(&state.members, user_id) {
        return Ok(Decision::default());
    }
    Ok(Decision::of(OrgEvent::MemberRemoved {
        user_id: user_id.to_owned(),
    }))
}

#[cfg(test)]
#[path = "org_tests.rs"]
mod tests;
