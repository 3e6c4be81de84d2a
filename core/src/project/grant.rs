//! Project grants: a project shared with another org, with a subset of its roles.

use super::{Project, ProjectEvent};
use crate::error::DomainError;
use crate::event::Decision;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GrantState {
    #[default]
    Active,
    Inactive,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectGrant {
    pub granted_org_id: String,
    pub role_keys: Vec<String>,
    pub state: GrantState,
}

pub(super) fn apply(project: &mut Project, event: &ProjectEvent) {
    match event {
        ProjectEvent::GrantAdded {
            grant_id,
            granted_org_id,
            role_keys,
        } => {
            project.grants.insert(
                grant_id.clone(),
                ProjectGrant {
                    granted_org_id: granted_org_id.clone(),
                    role_keys: role_keys.clone(),
                    state: GrantState::Active,
                },
            );
        }
        ProjectEvent::GrantChanged {
            grant_id,
            role_keys,
        } => {
            if let Some(grant) = project.grants.get_mut(grant_id) {
                grant.role_keys.clone_from(role_keys);
            }
        }
        ProjectEvent::GrantDeactivated { grant_id } => {
            if let Some(grant) = project.grants.get_mut(grant_id) {
                grant.state = GrantState::Inactive;
            }
        }
        ProjectEvent::GrantReactivated { grant_id } => {
            if let Some(grant) = project.grants.get_mut(grant_id) {
                grant.state = GrantState::Active;
            }
        }
        ProjectEvent::GrantRemoved { grant_id, .. } => {
            project.grants.remove(grant_id);
        }
        _ => {}
    }
}

impl Project {
    /// The grant of the project to `granted_org_id`, with its id.
    pub fn grant_for_org(&self, granted_org_id: &str) -> Option<(&String, &ProjectGrant)> {
        self.grants
            .iter()
            .find(|(_, grant)| grant.granted_org_id == granted_org_id)
    }

    fn require_grant(&self, granted_org_id: &str) -> Result<(&String, &ProjectGrant), DomainError> {
        self.require_exists()?;
        self.grant_for_org(granted_org_id)
            .ok_or_else(|| DomainError::not_found("GRANT-0001", "Project grant not found"))
    }
}

fn checked_keys(state: &Project, role_keys: &[String]) -> Result<Vec<String>, DomainError> {
    let mut keys: Vec<String> = Vec::with_capacity(role_keys.len());
    for key in role_keys {
        let key = key.trim();
        if !state.roles.contains_key(key) {
            return Err(DomainError::precondition(
                "GRANT-0002",
                format!("Role key {key:?} does not exist on the project"),
            ));
        }
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    Ok(keys)
}

/// CreateProjectGrant. The granted org's existence is checked by the caller.
pub fn add_grant(
    state: &Project,
    grant_id: &str,
    granted_org_id: &str,
    role_keys: &[String],
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    if granted_org_id == state.org_id {
        return Err(DomainError::invalid(
            "GRANT-0003",
            "A project cannot be granted to the organization that owns it",
        ));
    }
    if state.grant_for_org(granted_org_id).is_some() || state.grants.contains_key(grant_id) {
        return Err(DomainError::already_exists(
            "GRANT-0004",
            "The project is already granted to this organization",
        ));
    }
    let role_keys = checked_keys(state, role_keys)?;
    Ok(Decision::of(ProjectEvent::GrantAdded {
        grant_id: grant_id.to_owned(),
        granted_org_id: granted_org_id.to_owned(),
        role_keys,
    }))
}

pub fn change_grant(
    state: &Project,
    granted_org_id: &str,
    role_keys: &[String],
) -> Result<Decision<ProjectEvent>, DomainError> {
    let (grant_id, grant) = state.require_grant(granted_org_id)?;
    let role_keys = checked_keys(state, role_keys)?;
    if role_keys == grant.role_keys {
        return Err(DomainError::precondition(
            "GRANT-0005",
            "Project grant has not changed",
        ));
    }
    Ok(Decision::of(ProjectEvent::GrantChanged {
        grant_id: grant_id.clone(),
        role_keys,
    }))
}

pub fn deactivate_grant(
    state: &Project,
    granted_org_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let (grant_id, grant) = state.require_grant(granted_org_id)?;
    if grant.state == GrantState::Inactive {
        return Err(DomainError::precondition(
            "GRANT-0006",
            "Project grant is already deactivated",
        ));
    }
    Ok(Decision::of(ProjectEvent::GrantDeactivated {
        grant_id: grant_id.clone(),
    }))
}

pub fn activate_grant(
    state: &Project,
    granted_org_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let (grant_id, grant) = state.require_grant(granted_org_id)?;
    if grant.state == GrantState::Active {
        return Err(DomainError::precondition(
            "GRANT-0007",
            "Project grant is already active",
        ));
    }
    Ok(Decision::of(ProjectEvent::GrantReactivated {
        grant_id: grant_id.clone(),
    }))
}

pub fn remove_grant(
    state: &Project,
    granted_org_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let (grant_id, grant) = state.require_grant(granted_org_id)?;
    Ok(Decision::of(ProjectEvent::GrantRemoved {
        grant_id: grant_id.clone(),
        granted_org_id: grant.granted_org_id.clone(),
    }))
}
