//! The authorization (ZITADEL's "user grant") aggregate: a user's role keys on a project, given
//! by the org that owns the project or by an org the project was granted to.
//!
//! The aggregate id is the authorization id; the resource owner is the granting org. One
//! authorization exists per (user, project, granting org): the ledger enforces it with a unique
//! claim, released when the authorization is removed.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "authorization";
/// One authorization per (user, project, granting org) in an instance.
pub const UNIQUE_AUTHORIZATION: &str = "authorization";
pub const MAX_ROLE_KEY_LEN: usize = 200;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthorizationState {
    #[default]
    Unspecified,
    Active,
    Inactive,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum AuthorizationEvent {
    /// `org_id` is the granting org (also the event's resource owner); `project_grant_id` is set
    /// when that org holds the project through a grant.
    #[serde(rename = "authorization.added")]
    Added {
        user_id: String,
        project_id: String,
        org_id: String,
        #[serde(default)]
        project_grant_id: Option<String>,
        role_keys: Vec<String>,
    },
    #[serde(rename = "authorization.changed")]
    Changed { role_keys: Vec<String> },
    #[serde(rename = "authorization.deactivated")]
    Deactivated {},
    #[serde(rename = "authorization.reactivated")]
    Reactivated {},
    #[serde(rename = "authorization.removed")]
    Removed {
        user_id: String,
        project_id: String,
        org_id: String,
    },
}

impl EventPayload for AuthorizationEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Authorization {
    pub user_id: String,
    pub project_id: String,
    pub org_id: String,
    pub project_grant_id: Option<String>,
    pub role_keys: Vec<String>,
    pub state: AuthorizationState,
}

impl Aggregate for Authorization {
    type Event = AuthorizationEvent;

    fn apply(&mut self, event: &AuthorizationEvent, _meta: &EventMeta) {
        match event {
            AuthorizationEvent::Added {
                user_id,
                project_id,
                org_id,
                project_grant_id,
                role_keys,
            } => {
                self.user_id.clone_from(user_id);
                self.project_id.clone_from(project_id);
                self.org_id.clone_from(org_id);
                self.project_grant_id.clone_from(project_grant_id);
                self.role_keys.clone_from(role_keys);
                self.state = AuthorizationState::Active;
            }
            AuthorizationEvent::Changed { role_keys } => self.role_keys.clone_from(role_keys),
            AuthorizationEvent::Deactivated {} => self.state = AuthorizationState::Inactive,
            AuthorizationEvent::Reactivated {} => self.state = AuthorizationState::Active,
            AuthorizationEvent::Removed { .. } => self.state = AuthorizationState::Removed,
        }
    }
}

impl Authorization {
    pub fn exists(&self) -> bool {
        matches!(
            self.state,
            AuthorizationState::Active | AuthorizationState::Inactive
        )
    }

    fn require_exists(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(DomainError::not_found(
                "AUTHZ-0101",
                "Authorization not found",
            ))
        }
    }
}

/// The unique value of an authorization: user, project and granting org.
pub fn unique_key(user_id: &str, project_id: &str, org_id: &str) -> String {
    format!("{user_id}\u{1f}{project_id}\u{1f}{org_id}")
}

/// Trims role keys and checks them: none empty, none too long, none twice. Order is kept.
pub fn validate_role_keys(role_keys: &[String]) -> Result<Vec<String>, DomainError> {
    let mut keys: Vec<String> = Vec::with_capacity(role_keys.len());
    for key in role_keys {
        let key = key.trim();
        if key.is_empty() {
            return Err(DomainError::invalid(
                "AUTHZ-0102",
                "Role keys must not be empty",
            ));
        }
        if key.chars().count() > MAX_ROLE_KEY_LEN {
            return Err(DomainError::invalid(
                "AUTHZ-0103",
                format!("Role keys must be at most {MAX_ROLE_KEY_LEN} characters"),
            ));
        }
        if keys.iter().any(|k| k == key) {
            return Err(DomainError::invalid(
                "AUTHZ-0104",
                format!("Role key {key:?} is listed twice"),
            ));
        }
        keys.push(key.to_owned());
    }
    Ok(keys)
}

/// What a new authorization grants; the API edge checked that the user and project exist and
/// that the granting org may grant these roles.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAuthorization {
    pub user_id: String,
    pub project_id: String,
    pub org_id: String,
    pub project_grant_id: Option<String>,
    pub role_keys: Vec<String>,
}

pub fn add(
    state: &Authorization,
    new: NewAuthorization,
) -> Result<Decision<AuthorizationEvent>, DomainError> {
    if state.state != AuthorizationState::Unspecified {
        return Err(DomainError::already_exists(
            "AUTHZ-0105",
            "Authorization already exists",
        ));
    }
    for (value, what) in [
        (&new.user_id, "user_id"),
        (&new.project_id, "project_id"),
        (&new.org_id, "organization_id"),
    ] {
        if value.trim().is_empty() {
            return Err(DomainError::invalid(
                "AUTHZ-0106",
                format!("{what} is required"),
            ));
        }
    }
    let role_keys = validate_role_keys(&new.role_keys)?;
    let mut decision = Decision::default();
    decision.claim(
        UNIQUE_AUTHORIZATION,
        &unique_key(&new.user_id, &new.project_id, &new.org_id),
    );
    decision.events.push(AuthorizationEvent::Added {
        user_id: new.user_id,
        project_id: new.project_id,
        org_id: new.org_id,
        project_grant_id: new.project_grant_id,
        role_keys,
    });
    Ok(decision)
}

/// Replaces the role keys (already checked against the project by the edge).
pub fn change_roles(
    state: &Authorization,
    role_keys: &[String],
) -> Result<Decision<AuthorizationEvent>, DomainError> {
    state.require_exists()?;
    let role_keys = validate_role_keys(role_keys)?;
    let mut old = state.role_keys.clone();
    let mut new = role_keys.clone();
    old.sort();
    new.sort();
    if old == new {
        return Err(DomainError::precondition(
            "AUTHZ-0107",
            "The authorization's roles have not changed",
        ));
    }
    Ok(Decision::of(AuthorizationEvent::Changed { role_keys }))
}

/// Deactivates an active authorization; an inactive one is left as it is (no events), as
/// ZITADEL answers success when the desired state is already reached.
pub fn deactivate(state: &Authorization) -> Result<Decision<AuthorizationEvent>, DomainError> {
    state.require_exists()?;
    if state.state == AuthorizationState::Inactive {
        return Ok(Decision::default());
    }
    Ok(Decision::of(AuthorizationEvent::Deactivated {}))
}

/// Reactivates an inactive authorization; an active one is left as it is (no events).
pub fn activate(state: &Authorization) -> Result<Decision<AuthorizationEvent>, DomainError> {
    state.require_exists()?;
    if state.state == AuthorizationState::Active {
        return Ok(Decision::default());
    }
    Ok(Decision::of(AuthorizationEvent::Reactivated {}))
}

pub fn remove(state: &Authorization) -> Result<Decision<AuthorizationEvent>, DomainError> {
    state.require_exists()?;
    let mut decision = Decision::of(AuthorizationEvent::Removed {
        user_id: state.user_id.clone(),
        project_id: state.project_id.clone(),
        org_id: state.org_id.clone(),
    });
    decision.release(
        UNIQUE_AUTHORIZATION,
        &unique_key(&state.user_id, &state.project_id, &state.org_id),
    );
    Ok(decision)
}

#[cfg(test)]
#[path = "authorization_tests.rs"]
mod tests;
