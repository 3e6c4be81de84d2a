//! The group aggregate: a named set of users inside one organization, as ZITADEL's user groups
//! (`zitadel.group.v2`). Event types follow ZITADEL's (`internal/repository/group`): `group.added`,
//! `group.changed`, `group.removed`, `group.users.added`, `group.users.removed`.
//!
//! Names are unique per org, case-insensitively, claimed in the append transaction. Members are
//! users of the group's own org. Adding a member twice or removing a non-member changes nothing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "group";
/// Group names are unique per org (case-insensitive): `<org id>/<lower-cased name>`.
pub const UNIQUE_GROUP_NAME: &str = "group_name";
/// Unique claim type of external ids: one group per id within an org.
pub const UNIQUE_GROUP_EXTERNAL_ID: &str = "group_external_id";
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_DESCRIPTION_LEN: usize = 200;
/// How many user ids one membership call may name.
pub const MAX_USERS_PER_CALL: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum GroupEvent {
    #[serde(rename = "group.added")]
    Added { name: String, description: String },
    /// The name and description after the change; `previous_name` lets readers move their
    /// by-name index.
    #[serde(rename = "group.changed")]
    Changed {
        name: String,
        description: String,
        previous_name: String,
    },
    /// The group is gone and its name free again. Its members were removed just before (one
    /// `group.users.removed`), so every reader forgets the memberships too.
    #[serde(rename = "group.removed")]
    Removed { name: String },
    #[serde(rename = "group.users.added")]
    UsersAdded { user_ids: Vec<String> },
    #[serde(rename = "group.users.removed")]
    UsersRemoved { user_ids: Vec<String> },
    /// The id a provisioning client (SCIM) knows the group by; empty when cleared.
    #[serde(rename = "group.external_id.set")]
    ExternalIdSet { external_id: String },
}

impl EventPayload for GroupEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupState {
    #[default]
    Unspecified,
    Active,
    Removed,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    /// The owning org (the resource owner of the group's events).
    pub org_id: String,
    pub name: String,
    pub description: String,
    pub state: GroupState,
    /// The id a provisioning client (SCIM) knows the group by.
    pub external_id: Option<String>,
    /// The member user ids. Users removed since they were added stay here (their removal writes
    /// no group event); readers drop them.
    pub members: BTreeSet<String>,
}

impl Aggregate for Group {
    type Event = GroupEvent;

    fn apply(&mut self, event: &GroupEvent, meta: &EventMeta) {
        match event {
            GroupEvent::Added { name, description } => {
                self.org_id.clone_from(&meta.resource_owner);
                self.name.clone_from(name);
                self.description.clone_from(description);
                self.state = GroupState::Active;
            }
            GroupEvent::Changed {
                name, description, ..
            } => {
                self.name.clone_from(name);
                self.description.clone_from(description);
            }
            GroupEvent::Removed { .. } => {
                self.state = GroupState::Removed;
                self.members.clear();
            }
            GroupEvent::UsersAdded { user_ids } => {
                self.members.extend(user_ids.iter().cloned());
            }
            GroupEvent::UsersRemoved { user_ids } => {
                for user_id in user_ids {
                    self.members.remove(user_id);
                }
            }
            GroupEvent::ExternalIdSet { external_id } => {
                self.external_id = (!external_id.is_empty()).then(|| external_id.clone());
            }
        }
    }
}

impl Group {
    pub fn exists(&self) -> bool {
        self.state == GroupState::Active
    }

    /// NotFound unless the group exists (and is not removed).
    pub fn require_found(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("GROUP-0001", "Group not found")
}

/// The unique-claim field of a group name in an org.
pub fn unique_name(org_id: &str, name: &str) -> String {
    format!("{org_id}/{}", name.to_lowercase())
}

/// Trims and checks a group name.
pub fn validate_name(name: &str) -> Result<String, DomainError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME_LEN {
        return Err(DomainError::invalid(
            "GROUP-0002",
            format!("Group name must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Trims and checks a description (may be empty).
pub fn validate_description(description: &str) -> Result<String, DomainError> {
    let trimmed = description.trim();
    if trimmed.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(DomainError::invalid(
            "GROUP-0003",
            format!("Group description must be at most {MAX_DESCRIPTION_LEN} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// CreateGroup in org `org_id`.
pub fn add(
    state: &Group,
    org_id: &str,
    name: &str,
    description: &str,
) -> Result<Decision<GroupEvent>, DomainError> {
    if state.state != GroupState::Unspecified {
        return Err(DomainError::already_exists(
            "GROUP-0004",
            "Group already exists",
        ));
    }
    let name = validate_name(name)?;
    let description = validate_description(description)?;
    let mut decision = Decision::default();
    decision.claim(UNIQUE_GROUP_NAME, &unique_name(org_id, &name));
    decision
        .events
        .push(GroupEvent::Added { name, description });
    Ok(decision)
}

/// UpdateGroup: `None` keeps the current value. Nothing changed decides nothing (an empty
/// decision): the desired state is already there, as ZITADEL answers.
pub fn change(
    state: &Group,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Decision<GroupEvent>, DomainError> {
    state.require_found()?;
    let name = match name {
        Some(name) => validate_name(name)?,
        None => state.name.clone(),
    };
    let description = match description {
        Some(description) => validate_description(description)?,
        None => state.description.clone(),
    };
    if name == state.name && description == state.description {
        return Ok(Decision::default());
    }
    let mut decision = Decision::default();
    if name.to_lowercase() != state.name.to_lowercase() {
        decision.release(UNIQUE_GROUP_NAME, &unique_name(&state.org_id, &state.name));
        decision.claim(UNIQUE_GROUP_NAME, &unique_name(&state.org_id, &name));
    }
    decision.events.push(GroupEvent::Changed {
        name,
        description,
        previous_name: state.name.clone(),
    });
    Ok(decision)
}

/// DeleteGroup: the members go first (one event), then the group; the name is free again.
pub fn remove(state: &Group) -> Result<Decision<GroupEvent>, DomainError> {
    state.require_found()?;
    let mut decision = Decision::default();
    if !state.members.is_empty() {
        decision.events.push(GroupEvent::UsersRemoved {
            user_ids: state.members.iter().cloned().collect(),
        });
    }
    decision.events.push(GroupEvent::Removed {
        name: state.name.clone(),
    });
    decision.release(UNIQUE_GROUP_NAME, &unique_name(&state.org_id, &state.name));
    if let Some(external_id) = &state.external_id {
        decision.release(
            UNIQUE_GROUP_EXTERNAL_ID,
            &unique_name(&state.org_id, external_id),
        );
    }
    Ok(decision)
}

/// Sets (or with `None` clears) the external id, unique within the org.
pub fn set_external_id(
    state: &Group,
    external_id: Option<&str>,
) -> Result<Decision<GroupEvent>, DomainError> {
    state.require_found()?;
    let wanted = external_id.map(str::trim).filter(|e| !e.is_empty());
    if wanted.map(str::len).unwrap_or(0) > 200 {
        return Err(DomainError::invalid(
            "GROUP-0007",
            "External ids must be at most 200 characters",
        ));
    }
    if wanted == state.external_id.as_deref() {
        return Ok(Decision::default());
    }
    let mut decision = Decision::default();
    if let Some(old) = &state.external_id {
        decision.release(UNIQUE_GROUP_EXTERNAL_ID, &unique_name(&state.org_id, old));
    }
    if let Some(new) = wanted {
        decision.claim(UNIQUE_GROUP_EXTERNAL_ID, &unique_name(&state.org_id, new));
    }
    decision.events.push(GroupEvent::ExternalIdSet {
        external_id: wanted.unwrap_or_default().to_owned(),
    });
    Ok(decision)
}

/// What the writer found about a user named in AddUsersToGroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: String,
    /// The user's org, or `None` when no such user exists (in this instance).
    pub org_id: Option<String>,
}

/// The outcome of AddUsersToGroup: the events (possibly none) and the users that could not be
/// added because they do not exist or belong to another org.
#[derive(Clone, Debug, PartialEq)]
pub struct UsersAdded {
    pub decision: Decision<GroupEvent>,
    pub failed: Vec<String>,
}

fn check_count(count: usize) -> Result<(), DomainError> {
    if count == 0 || count > MAX_USERS_PER_CALL {
        return Err(DomainError::invalid(
            "GROUP-0005",
            format!("Name 1 to {MAX_USERS_PER_CALL} user ids"),
        ));
    }
    Ok(())
}

/// AddUsersToGroup: users of the group's org are added (those already members are skipped);
/// users that do not exist or belong to another org are reported as failed, as ZITADEL does
/// (the call does not fail for them).
pub fn add_users(state: &Group, candidates: &[Candidate]) -> Result<UsersAdded, DomainError> {
    state.require_found()?;
    check_count(candidates.len())?;
    let mut added: Vec<String> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for candidate in candidates {
        let same_org = candidate.org_id.as_deref() == Some(state.org_id.as_str());
        if !same_org {
            if !failed.contains(&candidate.user_id) {
                failed.push(candidate.user_id.clone());
            }
        } else if !state.members.contains(&candidate.user_id) && !added.contains(&candidate.user_id)
        {
            added.push(candidate.user_id.clone());
        }
    }
    let decision = if added.is_empty() {
        Decision::default()
    } else {
        Decision::of(GroupEvent::UsersAdded { user_ids: added })
    };
    Ok(UsersAdded { decision, failed })
}

/// RemoveUsersFromGroup: members among `user_ids` leave; the others are ignored.
pub fn remove_users(
    state: &Group,
    user_ids: &[String],
) -> Result<Decision<GroupEvent>, DomainError> {
    state.require_found()?;
    check_count(user_ids.len())?;
    let mut removed: Vec<String> = Vec::new();
    for user_id in user_ids {
        if state.members.contains(user_id) && !removed.contains(user_id) {
            removed.push(user_id.clone());
        }
    }
    if removed.is_empty() {
        return Ok(Decision::default());
    }
    Ok(Decision::of(GroupEvent::UsersRemoved { user_ids: removed }))
}

#[cfg(test)]
mod tests;
