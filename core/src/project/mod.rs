//! The project aggregate: a project, its roles, its applications and its project grants, as in
//! ZITADEL (one aggregate type `project`). Event types follow ZITADEL's naming.
//!
//! Applications are in [`app`], project grants in [`grant`].

pub mod app;
pub mod grant;
pub mod key;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub use app::{ApiAuthMethod, ApiConfig, AppConfig, AppState, Application, OidcConfig, SamlConfig};
pub use grant::{GrantState, ProjectGrant};

pub const AGGREGATE_TYPE: &str = "project";
/// Project names are unique per owning org (case-insensitive), as in ZITADEL.
pub const UNIQUE_PROJECT_NAME: &str = "project_name";
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_ROLE_LEN: usize = 200;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivateLabeling {
    #[default]
    Unspecified,
    EnforceProjectResourceOwnerPolicy,
    AllowLoginUserResourceOwnerPolicy,
}

/// The settings of a project that `UpdateProject` changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSettings {
    pub name: String,
    pub project_role_assertion: bool,
    pub authorization_required: bool,
    pub project_access_required: bool,
    pub private_labeling_setting: PrivateLabeling,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum ProjectEvent {
    #[serde(rename = "project.added")]
    Added(ProjectSettings),
    #[serde(rename = "project.changed")]
    Changed {
        #[serde(flatten)]
        settings: ProjectSettings,
        /// The name before the change (readers keep a by-name index).
        #[serde(default)]
        previous_name: String,
    },
    #[serde(rename = "project.deactivated")]
    Deactivated {},
    #[serde(rename = "project.reactivated")]
    Reactivated {},
    #[serde(rename = "project.removed")]
    Removed { name: String },
    #[serde(rename = "project.role.added")]
    RoleAdded {
        key: String,
        display_name: String,
        group: String,
    },
    #[serde(rename = "project.role.changed")]
    RoleChanged {
        key: String,
        display_name: String,
        group: String,
    },
    #[serde(rename = "project.role.removed")]
    RoleRemoved { key: String },
    #[serde(rename = "project.application.added")]
    ApplicationAdded {
        app_id: String,
        name: String,
        config: AppConfig,
        /// SHA-256 (hex) of the client secret, for confidential clients; never the secret.
        secret_hash: Option<String>,
    },
    #[serde(rename = "project.application.changed")]
    ApplicationChanged {
        app_id: String,
        name: String,
        config: AppConfig,
    },
    #[serde(rename = "project.application.deactivated")]
    ApplicationDeactivated { app_id: String },
    #[serde(rename = "project.application.reactivated")]
    ApplicationReactivated { app_id: String },
    #[serde(rename = "project.application.removed")]
    ApplicationRemoved { app_id: String, client_id: String },
    #[serde(rename = "project.application.secret.changed")]
    ApplicationSecretChanged { app_id: String, secret_hash: String },
    #[serde(rename = "project.application.key.added")]
    ApplicationKeyAdded {
        app_id: String,
        key_id: String,
        /// The public key, SubjectPublicKeyInfo PEM. The private key is never stored.
        public_key: String,
        expiration: Option<Timestamp>,
    },
    #[serde(rename = "project.application.key.removed")]
    ApplicationKeyRemoved { app_id: String, key_id: String },
    #[serde(rename = "project.grant.added")]
    GrantAdded {
        grant_id: String,
        granted_org_id: String,
        role_keys: Vec<String>,
    },
    #[serde(rename = "project.grant.changed")]
    GrantChanged {
        grant_id: String,
        role_keys: Vec<String>,
    },
    #[serde(rename = "project.grant.deactivated")]
    GrantDeactivated { grant_id: String },
    #[serde(rename = "project.grant.reactivated")]
    GrantReactivated { grant_id: String },
    #[serde(rename = "project.grant.removed")]
    GrantRemoved {
        grant_id: String,
        granted_org_id: String,
    },
}

impl EventPayload for ProjectEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProjectState {
    #[default]
    Unspecified,
    Active,
    Inactive,
    Removed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Role {
    pub display_name: String,
    pub group: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// The owning org (the resource owner of the project's events).
    pub org_id: String,
    pub settings: ProjectSettings,
    pub state: ProjectState,
    pub roles: BTreeMap<String, Role>,
    pub apps: BTreeMap<String, Application>,
    pub grants: BTreeMap<String, ProjectGrant>,
}

impl Aggregate for Project {
    type Event = ProjectEvent;

    fn apply(&mut self, event: &ProjectEvent, meta: &EventMeta) {
        match event {
            ProjectEvent::Added(settings) => {
                self.org_id.clone_from(&meta.resource_owner);
                self.settings = settings.clone();
                self.state = ProjectState::Active;
            }
            ProjectEvent::Changed { settings, .. } => self.settings = settings.clone(),
            ProjectEvent::Deactivated {} => self.state = ProjectState::Inactive,
            ProjectEvent::Reactivated {} => self.state = ProjectState::Active,
            ProjectEvent::Removed { .. } => {
                self.state = ProjectState::Removed;
                self.roles.clear();
                self.apps.clear();
                self.grants.clear();
            }
            ProjectEvent::RoleAdded {
                key,
                display_name,
                group,
            }
            | ProjectEvent::RoleChanged {
                key,
                display_name,
                group,
            } => {
                self.roles.insert(
                    key.clone(),
                    Role {
                        display_name: display_name.clone(),
                        group: group.clone(),
                    },
                );
            }
            ProjectEvent::RoleRemoved { key } => {
                self.roles.remove(key);
            }
            _ => {
                app::apply(self, event);
                key::apply(self, event);
                grant::apply(self, event);
            }
        }
    }
}

impl Project {
    pub fn exists(&self) -> bool {
        !matches!(
            self.state,
            ProjectState::Unspecified | ProjectState::Removed
        )
    }

    /// NotFound unless the project exists (and is not removed).
    pub fn require_found(&self) -> Result<(), DomainError> {
        self.require_exists()
    }

    pub(crate) fn require_exists(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(DomainError::not_found("PROJ-0001", "Project not found"))
        }
    }
}

fn unique_name(org_id: &str, name: &str) -> String {
    format!("{org_id}/{}", name.to_lowercase())
}

/// Trims and checks a name of a project or an application.
pub fn validate_name(name: &str, what: &str) -> Result<String, DomainError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME_LEN {
        return Err(DomainError::invalid(
            "PROJ-0002",
            format!("{what} name must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// CreateProject in org `org_id`.
pub fn add(
    state: &Project,
    org_id: &str,
    settings: ProjectSettings,
) -> Result<Decision<ProjectEvent>, DomainError> {
    if state.state != ProjectState::Unspecified {
        return Err(DomainError::already_exists(
            "PROJ-0003",
            "Project already exists",
        ));
    }
    let name = validate_name(&settings.name, "Project")?;
    let mut decision = Decision::default();
    decision.claim(UNIQUE_PROJECT_NAME, &unique_name(org_id, &name));
    decision
        .events
        .push(ProjectEvent::Added(ProjectSettings { name, ..settings }));
    Ok(decision)
}

/// UpdateProject: `changes` holds the settings as they should be after the call.
pub fn change(
    state: &Project,
    changes: ProjectSettings,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let name = validate_name(&changes.name, "Project")?;
    let settings = ProjectSettings { name, ..changes };
    if settings == state.settings {
        return Err(DomainError::precondition(
            "PROJ-0004",
            "Project has not changed",
        ));
    }
    let mut decision = Decision::default();
    if settings.name.to_lowercase() != state.settings.name.to_lowercase() {
        decision.release(
            UNIQUE_PROJECT_NAME,
            &unique_name(&state.org_id, &state.settings.name),
        );
        decision.claim(
            UNIQUE_PROJECT_NAME,
            &unique_name(&state.org_id, &settings.name),
        );
    }
    decision.events.push(ProjectEvent::Changed {
        settings,
        previous_name: state.settings.name.clone(),
    });
    Ok(decision)
}

pub fn deactivate(state: &Project) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    if state.state == ProjectState::Inactive {
        return Err(DomainError::precondition(
            "PROJ-0005",
            "Project is already deactivated",
        ));
    }
    Ok(Decision::of(ProjectEvent::Deactivated {}))
}

pub fn activate(state: &Project) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    if state.state == ProjectState::Active {
        return Err(DomainError::precondition(
            "PROJ-0006",
            "Project is already active",
        ));
    }
    Ok(Decision::of(ProjectEvent::Reactivated {}))
}

/// DeleteProject: its grants and applications go with it (one event each, so every reader
/// forgets them), then the project; the name is free again.
pub fn remove(state: &Project) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let mut decision = Decision::default();
    for (grant_id, grant) in &state.grants {
        decision.events.push(ProjectEvent::GrantRemoved {
            grant_id: grant_id.clone(),
            granted_org_id: grant.granted_org_id.clone(),
        });
    }
    for (app_id, app) in &state.apps {
        decision
            .events
            .extend(key::removals(app_id, app.keys.keys().cloned()));
        decision.events.push(ProjectEvent::ApplicationRemoved {
            app_id: app_id.clone(),
            client_id: app.client_id().to_owned(),
        });
    }
    decision.events.push(ProjectEvent::Removed {
        name: state.settings.name.clone(),
    });
    decision.release(
        UNIQUE_PROJECT_NAME,
        &unique_name(&state.org_id, &state.settings.name),
    );
    Ok(decision)
}

fn validate_role(key: &str, display_name: &str, group: &str) -> Result<String, DomainError> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_ROLE_LEN || key.chars().any(char::is_whitespace)
    {
        return Err(DomainError::invalid(
            "PROJ-0007",
            format!("Role key must be 1 to {MAX_ROLE_LEN} characters without spaces"),
        ));
    }
    let display = display_name.trim();
    if display.is_empty() || display.chars().count() > MAX_ROLE_LEN {
        return Err(DomainError::invalid(
            "PROJ-0008",
            format!("Role display name must be 1 to {MAX_ROLE_LEN} characters"),
        ));
    }
    if group.trim().chars().count() > MAX_ROLE_LEN {
        return Err(DomainError::invalid(
            "PROJ-0009",
            format!("Role group must be at most {MAX_ROLE_LEN} characters"),
        ));
    }
    Ok(key.to_owned())
}

pub fn add_role(
    state: &Project,
    key: &str,
    display_name: &str,
    group: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let key = validate_role(key, display_name, group)?;
    if state.roles.contains_key(&key) {
        return Err(DomainError::already_exists(
            "PROJ-0010",
            "Role key already exists on the project",
        ));
    }
    Ok(Decision::of(ProjectEvent::RoleAdded {
        key,
        display_name: display_name.trim().to_owned(),
        group: group.trim().to_owned(),
    }))
}

/// UpdateProjectRole: `None` keeps the current value.
pub fn change_role(
    state: &Project,
    key: &str,
    display_name: Option<&str>,
    group: Option<&str>,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let Some(role) = state.roles.get(key.trim()) else {
        return Err(DomainError::not_found(
            "PROJ-0011",
            "Project role not found",
        ));
    };
    let display_name = display_name.unwrap_or(&role.display_name);
    let group = group.unwrap_or(&role.group);
    let key = validate_role(key, display_name, group)?;
    let changed = Role {
        display_name: display_name.trim().to_owned(),
        group: group.trim().to_owned(),
    };
    if &changed == role {
        return Err(DomainError::precondition(
            "PROJ-0012",
            "Project role has not changed",
        ));
    }
    Ok(Decision::of(ProjectEvent::RoleChanged {
        key,
        display_name: changed.display_name,
        group: changed.group,
    }))
}

/// RemoveProjectRole: the key is also taken out of every project grant that has it.
pub fn remove_role(state: &Project, key: &str) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    let key = key.trim();
    if !state.roles.contains_key(key) {
        return Err(DomainError::not_found(
            "PROJ-0011",
            "Project role not found",
        ));
    }
    let mut decision = Decision::default();
    for (grant_id, grant) in &state.grants {
        if grant.role_keys.iter().any(|k| k == key) {
            decision.events.push(ProjectEvent::GrantChanged {
                grant_id: grant_id.clone(),
                role_keys: grant
                    .role_keys
                    .iter()
                    .filter(|k| *k != key)
                    .cloned()
                    .collect(),
            });
        }
    }
    decision.events.push(ProjectEvent::RoleRemoved {
        key: key.to_owned(),
    });
    Ok(decision)
}

#[cfg(test)]
mod tests;
