//! Administrators ("members" in ZITADEL's event names): users holding ZITADEL's own roles on the
//! instance, an org, a project or a project grant.
//!
//! Instance and org administrators are events of the instance and org aggregates
//! (`instance.member.*`, `org.member.*`). Project and project-grant administrators live in this
//! module's aggregate, one per project or grant (`administrator.*`), so they do not depend on
//! the project aggregate. The rules shared by every scope are here: roles must be ZITADEL roles
//! of the scope, listed once; a user is added once, then changed or removed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};
use crate::permission::{RoleScope, scope_of};

pub const AGGREGATE_TYPE: &str = "administrator";

/// The members of one scope: user id → roles.
pub type Members = BTreeMap<String, Vec<String>>;

fn scope_name(scope: RoleScope) -> &'static str {
    match scope {
        RoleScope::Instance => "the instance",
        RoleScope::Org => "an organization",
        RoleScope::Project => "a project",
        RoleScope::ProjectGrant => "a project grant",
    }
}

/// Checks administrator roles: at least one, each a ZITADEL role of `scope`, none twice.
pub fn validate_roles(roles: &[String], scope: RoleScope) -> Result<Vec<String>, DomainError> {
    if roles.is_empty() {
        return Err(DomainError::invalid(
            "ADMIN-0001",
            "At least one role is required",
        ));
    }
    let mut checked: Vec<String> = Vec::with_capacity(roles.len());
    for role in roles {
        let role = role.trim();
        match scope_of(role) {
            None => {
                return Err(DomainError::invalid(
                    "ADMIN-0002",
                    format!("Unknown role {role:?}"),
                ));
            }
            Some(found) if found != scope => {
                return Err(DomainError::invalid(
                    "ADMIN-0003",
                    format!("Role {role:?} cannot be held on {}", scope_name(scope)),
                ));
            }
            Some(_) => {}
        }
        if checked.iter().any(|r| r == role) {
            return Err(DomainError::invalid(
                "ADMIN-0004",
                format!("Role {role:?} is listed twice"),
            ));
        }
        checked.push(role.to_owned());
    }
    Ok(checked)
}

/// A new member's checked roles; AlreadyExists when the user already is one.
pub fn check_add(
    members: &Members,
    user_id: &str,
    roles: &[String],
    scope: RoleScope,
) -> Result<Vec<String>, DomainError> {
    if members.contains_key(user_id) {
        return Err(DomainError::already_exists(
            "ADMIN-0005",
            "The user already is an administrator of this resource",
        ));
    }
    validate_roles(roles, scope)
}

fn not_a_member() -> DomainError {
    DomainError::not_found(
        "ADMIN-0006",
        "The user is not an administrator of this resource",
    )
}

/// A member's new checked roles; NotFound when the user is no member, FailedPrecondition when
/// nothing changes.
pub fn check_change(
    members: &Members,
    user_id: &str,
    roles: &[String],
    scope: RoleScope,
) -> Result<Vec<String>, DomainError> {
    let Some(current) = members.get(user_id) else {
        return Err(not_a_member());
    };
    let roles = validate_roles(roles, scope)?;
    let mut old = current.clone();
    let mut new = roles.clone();
    old.sort();
    new.sort();
    if old == new {
        return Err(DomainError::precondition(
            "ADMIN-0007",
            "The administrator's roles have not changed",
        ));
    }
    Ok(roles)
}

/// Whether `user_id` is a member (removing a non-member changes nothing).
pub fn is_member(members: &Members, user_id: &str) -> bool {
    members.contains_key(user_id)
}

/// The members after `user_id` gets `roles` (or leaves, when `None`).
pub fn members_after(members: &Members, user_id: &str, roles: Option<&[String]>) -> Members {
    let mut after = members.clone();
    match roles {
        Some(roles) => {
            after.insert(user_id.to_owned(), roles.to_vec());
        }
        None => {
            after.remove(user_id);
        }
    }
    after
}

/// Project and project-grant administrators. `project_grant_id` is set for a grant's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum AdministratorEvent {
    #[serde(rename = "administrator.added")]
    Added {
        project_id: String,
        #[serde(default)]
        project_grant_id: Option<String>,
        user_id: String,
        roles: Vec<String>,
    },
    #[serde(rename = "administrator.changed")]
    Changed {
        project_id: String,
        #[serde(default)]
        project_grant_id: Option<String>,
        user_id: String,
        roles: Vec<String>,
    },
    #[serde(rename = "administrator.removed")]
    Removed {
        project_id: String,
        #[serde(default)]
        project_grant_id: Option<String>,
        user_id: String,
    },
}

impl EventPayload for AdministratorEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

/// The administrators of one project or one project grant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Administrators {
    pub members: Members,
}

impl Aggregate for Administrators {
    type Event = AdministratorEvent;

    fn apply(&mut self, event: &AdministratorEvent, _meta: &EventMeta) {
        match event {
            AdministratorEvent::Added { user_id, roles, .. }
            | AdministratorEvent::Changed { user_id, roles, .. } => {
                self.members.insert(user_id.clone(), roles.clone());
            }
            AdministratorEvent::Removed { user_id, .. } => {
                self.members.remove(user_id);
            }
        }
    }
}

/// A project, or a grant of it: what project and grant administrators hang off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectScope {
    pub project_id: String,
    pub project_grant_id: Option<String>,
}

impl ProjectScope {
    /// The id of the scope's [`Administrators`] aggregate.
    pub fn aggregate_id(&self) -> String {
        match &self.project_grant_id {
            None => format!("project:{}", self.project_id),
            Some(grant) => format!("project_grant:{grant}"),
        }
    }

    pub fn role_scope(&self) -> RoleScope {
        if self.project_grant_id.is_some() {
            RoleScope::ProjectGrant
        } else {
            RoleScope::Project
        }
    }
}

pub fn add(
    state: &Administrators,
    scope: &ProjectScope,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<AdministratorEvent>, DomainError> {
    let roles = check_add(&state.members, user_id, roles, scope.role_scope())?;
    Ok(Decision::of(AdministratorEvent::Added {
        project_id: scope.project_id.clone(),
        project_grant_id: scope.project_grant_id.clone(),
        user_id: user_id.to_owned(),
        roles,
    }))
}

pub fn change(
    state: &Administrators,
    scope: &ProjectScope,
    user_id: &str,
    roles: &[String],
) -> Result<Decision<AdministratorEvent>, DomainError> {
    let roles = check_change(&state.members, user_id, roles, scope.role_scope())?;
    Ok(Decision::of(AdministratorEvent::Changed {
        project_id: scope.project_id.clone(),
        project_grant_id: scope.project_grant_id.clone(),
        user_id: user_id.to_owned(),
        roles,
    }))
}

/// Removes an administrator; removing a user who is none decides nothing.
pub fn remove(
    state: &Administrators,
    scope: &ProjectScope,
    user_id: &str,
) -> Result<Decision<AdministratorEvent>, DomainError> {
    if !is_member(&state.members, user_id) {
        return Ok(Decision::default());
    }
    Ok(Decision::of(AdministratorEvent::Removed {
        project_id: scope.project_id.clone(),
        project_grant_id: scope.project_grant_id.clone(),
        user_id: user_id.to_owned(),
    }))
}

#[cfg(test)]
#[path = "administrator_tests.rs"]
mod tests;
