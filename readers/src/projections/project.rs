//! Projects, their roles, applications and grants, and the owner rows behind their
//! authorization.

use castellan_core::event::decode;
use castellan_core::permission::Target;
use castellan_core::project::{AGGREGATE_TYPE, AppConfig, ProjectEvent, ProjectSettings};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::queries::owner::{self, remove_owner, set_owner};
use crate::queries::project::APPLICATION_KEY;
use crate::store::{Columns, RowOp, key};
use crate::tables::{
    APPLICATION_CLIENT_IDS, APPLICATION_KEYS, APPLICATIONS, PROJECT_GRANTS,
    PROJECT_GRANTS_BY_INSTANCE, PROJECT_GRANTS_BY_ORG, PROJECT_ROLES, PROJECTS, PROJECTS_BY_NAME,
};

pub struct ProjectProjection;

fn settings_columns(settings: &ProjectSettings) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("name", json!(settings.name)),
        (
            "project_role_assertion",
            json!(settings.project_role_assertion),
        ),
        (
            "authorization_required",
            json!(settings.authorization_required),
        ),
        (
            "project_access_required",
            json!(settings.project_access_required),
        ),
        (
            "private_labeling_setting",
            json!(settings.private_labeling_setting),
        ),
    ]
}

fn app_kind(config: &AppConfig) -> &'static str {
    if config.oidc.is_some() {
        "oidc"
    } else if config.api.is_some() {
        "api"
    } else {
        "saml"
    }
}

fn config_columns(
    config: &AppConfig,
) -> Result<Vec<(&'static str, serde_json::Value)>, DomainError> {
    let value = serde_json::to_value(config)
        .map_err(|e| DomainError::internal("PROJ-0013", format!("encode app config: {e}")))?;
    let client_id = config_client_id(config);
    let entity_id = config
        .saml
        .as_ref()
        .map(|s| s.entity_id.clone())
        .unwrap_or_default();
    Ok(vec![
        ("config", value),
        ("type", json!(app_kind(config))),
        ("client_id", json!(client_id)),
        ("entity_id", json!(entity_id)),
    ])
}

impl Projection for ProjectProjection {
    fn name(&self) -> &'static str {
        "projects_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        let instance = event.instance_id.as_str();
        let project_id = event.aggregate_id.as_str();
        let org_id = event.resource_owner.as_str();
        let project_part = key(&[instance, project_id]);
        let stamp = |mut cols: Columns| {
            cols.insert("changed".into(), json!(event.created_at.0));
            cols.insert("sequence".into(), json!(event.sequence));
            cols
        };
        let project_row = |pairs: &[(&str, serde_json::Value)]| RowOp::Upsert {
            table: PROJECTS,
            partition: instance.to_owned(),
            clustering: project_id.to_owned(),
            columns: stamp(columns(pairs)),
        };
        let app_row = |app_id: &str, pairs: &[(&str, serde_json::Value)]| RowOp::Upsert {
            table: APPLICATIONS,
            partition: instance.to_owned(),
            clustering: app_id.to_owned(),
            columns: stamp(columns(pairs)),
        };
        let grant_rows = |grant_id: &str, pairs: &[(&str, serde_json::Value)]| {
            vec![
                RowOp::Upsert {
                    table: PROJECT_GRANTS,
                    partition: project_part.clone(),
                    clustering: grant_id.to_owned(),
                    columns: stamp(columns(pairs)),
                },
                RowOp::Upsert {
                    table: PROJECT_GRANTS_BY_INSTANCE,
                    partition: instance.to_owned(),
                    clustering: key(&[project_id, grant_id]),
                    columns: stamp(columns(pairs)),
                },
            ]
        };
        let in_project = |grant: Option<&str>| Target {
            org_id: org_id.to_owned(),
            project_id: Some(project_id.to_owned()),
            project_grant_id: grant.map(str::to_owned),
        };
        let created = json!(event.created_at.0);
        let name_key = |name: &str| key(&[&name.to_lowercase(), project_id]);
        let name_row = |name: &str| RowOp::Upsert {
            table: PROJECTS_BY_NAME,
            partition: instance.to_owned(),
            clustering: name_key(name),
            columns: columns(&[
                ("id", json!(project_id)),
                ("org_id", json!(org_id)),
                ("name", json!(name)),
            ]),
        };
        let ops = match decode::<ProjectEvent>(event)? {
            ProjectEvent::Added(settings) => {
                let mut pairs = settings_columns(&settings);
                pairs.extend([
                    ("id", json!(project_id)),
                    ("org_id", json!(org_id)),
                    ("state", json!("active")),
                    ("created", created),
                ]);
                vec![
                    project_row(&pairs),
                    name_row(&settings.name),
                    set_owner(instance, owner::PROJECT, project_id, &in_project(None)),
                ]
            }
            ProjectEvent::Changed {
                settings,
                previous_name,
            } => {
                let mut ops = vec![project_row(&settings_columns(&settings))];
                if name_key(&previous_name) != name_key(&settings.name) {
                    ops.push(RowOp::Delete {
                        table: PROJECTS_BY_NAME,
                        partition: instance.to_owned(),
                        clustering: name_key(&previous_name),
                    });
                }
                ops.push(name_row(&settings.name));
                ops
            }
            ProjectEvent::Deactivated {} => vec![project_row(&[("state", json!("inactive"))])],
            ProjectEvent::Reactivated {} => vec![project_row(&[("state", json!("active"))])],
            ProjectEvent::Removed { name } => vec![
                RowOp::Delete {
                    table: PROJECTS,
                    partition: instance.to_owned(),
                    clustering: project_id.to_owned(),
                },
                RowOp::Delete {
                    table: PROJECTS_BY_NAME,
                    partition: instance.to_owned(),
                    clustering: name_key(&name),
                },
                RowOp::DeletePartition {
                    table: PROJECT_ROLES,
                    partition: project_part.clone(),
                },
                RowOp::DeletePartition {
                    table: PROJECT_GRANTS,
                    partition: project_part.clone(),
                },
                RowOp::DeletePartition {
                    table: PROJECT_GRANTS_BY_ORG,
                    partition: project_part.clone(),
                },
                remove_owner(instance, owner::PROJECT, project_id),
            ],
            ProjectEvent::RoleAdded {
                key: role,
                display_name,
                group,
            } => vec![
                RowOp::Upsert {
                    table: PROJECT_ROLES,
                    partition: project_part.clone(),
                    clustering: role.clone(),
                    columns: stamp(columns(&[
                        ("key", json!(role)),
                        ("display_name", json!(display_name)),
                        ("group", json!(group)),
                        ("created", created),
                    ])),
                },
                project_row(&[]),
            ],
            ProjectEvent::RoleChanged {
                key: role,
                display_name,
                group,
            } => vec![
                RowOp::Upsert {
                    table: PROJECT_ROLES,
                    partition: project_part.clone(),
                    clustering: role.clone(),
                    columns: stamp(columns(&[
                        ("key", json!(role)),
                        ("display_name", json!(display_name)),
                        ("group", json!(group)),
                    ])),
                },
                project_row(&[]),
            ],
            ProjectEvent::RoleRemoved { key: role } => vec![
                RowOp::Delete {
                    table: PROJECT_ROLES,
                    partition: project_part.clone(),
                    clustering: role,
                },
                project_row(&[]),
            ],
            ProjectEvent::ApplicationAdded {
                app_id,
                name,
                config,
                ..
            } => {
                let mut pairs = config_columns(&config)?;
                pairs.extend([
                    ("id", json!(app_id)),
                    ("project_id", json!(project_id)),
                    ("org_id", json!(org_id)),
                    ("name", json!(name)),
                    ("state", json!("active")),
                    ("created", created),
                ]);
                let mut ops = vec![
                    app_row(&app_id, &pairs),
                    set_owner(instance, owner::APPLICATION, &app_id, &in_project(None)),
                ];
                let client_id = config_client_id(&config);
                if !client_id.is_empty() {
                    ops.push(RowOp::Upsert {
                        table: APPLICATION_CLIENT_IDS,
                        partition: instance.to_owned(),
                        clustering: client_id,
                        columns: columns(&[
                            ("app_id", json!(app_id)),
                            ("project_id", json!(project_id)),
                        ]),
                    });
                }
                ops
            }
            ProjectEvent::ApplicationChanged {
                app_id,
                name,
                config,
            } => {
                let mut pairs = config_columns(&config)?;
                pairs.push(("name", json!(name)));
                vec![app_row(&app_id, &pairs)]
            }
            ProjectEvent::ApplicationDeactivated { app_id } => {
                vec![app_row(&app_id, &[("state", json!("inactive"))])]
            }
            ProjectEvent::ApplicationReactivated { app_id } => {
                vec![app_row(&app_id, &[("state", json!("active"))])]
            }
            ProjectEvent::ApplicationSecretChanged { app_id, .. } => vec![app_row(&app_id, &[])],
            ProjectEvent::ApplicationRemoved { app_id, client_id } => {
                let mut ops = vec![
                    RowOp::Delete {
                        table: APPLICATIONS,
                        partition: instance.to_owned(),
                        clustering: app_id.clone(),
                    },
                    remove_owner(instance, owner::APPLICATION, &app_id),
                ];
                if !client_id.is_empty() {
                    ops.push(RowOp::Delete {
                        table: APPLICATION_CLIENT_IDS,
                        partition: instance.to_owned(),
                        clustering: client_id,
                    });
                }
                ops
            }
            ProjectEvent::ApplicationKeyAdded {
                app_id,
                key_id,
                public_key,
                expiration,
            } => vec![
                RowOp::Upsert {
                    table: APPLICATION_KEYS,
                    partition: instance.to_owned(),
                    clustering: key_id.clone(),
                    columns: columns(&[
                        ("id", json!(key_id)),
                        ("app_id", json!(app_id)),
                        ("project_id", json!(project_id)),
                        ("org_id", json!(org_id)),
                        ("public_key", json!(public_key)),
                        ("expiration", json!(expiration.map(|at| at.0))),
                        ("created", created),
                    ]),
                },
                set_owner(instance, APPLICATION_KEY, &key_id, &in_project(None)),
                app_row(&app_id, &[]),
            ],
            ProjectEvent::ApplicationKeyRemoved { app_id, key_id } => vec![
                RowOp::Delete {
                    table: APPLICATION_KEYS,
                    partition: instance.to_owned(),
                    clustering: key_id.clone(),
                },
                remove_owner(instance, APPLICATION_KEY, &key_id),
                app_row(&app_id, &[]),
            ],
            ProjectEvent::GrantAdded {
                grant_id,
                granted_org_id,
                role_keys,
            } => {
                let mut ops = grant_rows(
                    &grant_id,
                    &[
                        ("id", json!(grant_id)),
                        ("project_id", json!(project_id)),
                        ("org_id", json!(org_id)),
                        ("granted_org_id", json!(granted_org_id)),
                        ("role_keys", json!(role_keys)),
                        ("state", json!("active")),
                        ("created", created),
                    ],
                );
                ops.push(RowOp::Upsert {
                    table: PROJECT_GRANTS_BY_ORG,
                    partition: project_part.clone(),
                    clustering: granted_org_id,
                    columns: columns(&[("grant_id", json!(grant_id))]),
                });
                ops.push(set_owner(
                    instance,
                    owner::PROJECT_GRANT,
                    &grant_id,
                    &in_project(Some(&grant_id)),
                ));
                ops
            }
            ProjectEvent::GrantChanged {
                grant_id,
                role_keys,
            } => grant_rows(&grant_id, &[("role_keys", json!(role_keys))]),
            ProjectEvent::GrantDeactivated { grant_id } => {
                grant_rows(&grant_id, &[("state", json!("inactive"))])
            }
            ProjectEvent::GrantReactivated { grant_id } => {
                grant_rows(&grant_id, &[("state", json!("active"))])
            }
            ProjectEvent::GrantRemoved {
                grant_id,
                granted_org_id,
            } => vec![
                RowOp::Delete {
                    table: PROJECT_GRANTS,
                    partition: project_part.clone(),
                    clustering: grant_id.clone(),
                },
                RowOp::Delete {
                    table: PROJECT_GRANTS_BY_INSTANCE,
                    partition: instance.to_owned(),
                    clustering: key(&[project_id, &grant_id]),
                },
                RowOp::Delete {
                    table: PROJECT_GRANTS_BY_ORG,
                    partition: project_part.clone(),
                    clustering: granted_org_id,
                },
                remove_owner(instance, owner::PROJECT_GRANT, &grant_id),
            ],
        };
        Ok(ops)
    }
}

fn config_client_id(config: &AppConfig) -> String {
    config
        .oidc
        .as_ref()
        .map(|o| o.client_id.clone())
        .or_else(|| config.api.as_ref().map(|a| a.client_id.clone()))
        .unwrap_or_default()
}
