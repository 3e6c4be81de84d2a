//! Administrators ("members"): the [`MEMBERS`] rows `principal_by_token` reads (partition: the
//! user, clustering: [`MemberScope::clustering`]) and the [`ADMINISTRATORS`] list rows
//! (partition: the instance, clustering: the scope's clustering then the user id).

use castellan_core::Event;
use castellan_core::administrator::AdministratorEvent;
use serde_json::json;

use super::columns;
use crate::queries::authorization::administrators::{ADMINISTRATORS, list_clustering};
use crate::queries::identity::MemberScope;
use crate::store::{RowOp, key};
use crate::tables::MEMBERS;

fn scope_columns(scope: &MemberScope) -> Vec<(&'static str, serde_json::Value)> {
    let (kind, id) = match scope {
        MemberScope::Instance => ("instance", ""),
        MemberScope::Org(id) => ("org", id.as_str()),
        MemberScope::Project(id) => ("project", id.as_str()),
        MemberScope::ProjectGrant(id) => ("project_grant", id.as_str()),
    };
    vec![("scope", json!(kind)), ("scope_id", json!(id))]
}

/// A member's roles on a scope (new when `added`, which also sets the creation time).
pub(super) fn set(
    event: &Event,
    user_id: &str,
    scope: &MemberScope,
    roles: &[String],
    added: bool,
) -> Vec<RowOp> {
    set_with(event, user_id, scope, roles, added, None)
}

fn set_with(
    event: &Event,
    user_id: &str,
    scope: &MemberScope,
    roles: &[String],
    added: bool,
    project_id: Option<&str>,
) -> Vec<RowOp> {
    let instance = event.instance_id.as_str();
    let at = json!(event.created_at.0);
    let mut listed = vec![
        ("user_id", json!(user_id)),
        ("roles", json!(roles)),
        ("changed", at.clone()),
    ];
    if added {
        listed.extend(scope_columns(scope));
        listed.push(("created", at));
        listed.push(("owner_org_id", json!(event.resource_owner)));
        listed.push(("project_id", json!(project_id.unwrap_or_default())));
    }
    vec![
        RowOp::Upsert {
            table: MEMBERS,
            partition: key(&[instance, user_id]),
            clustering: scope.clustering(),
            columns: columns(&[("roles", json!(roles))]),
        },
        RowOp::Upsert {
            table: ADMINISTRATORS,
            partition: instance.to_owned(),
            clustering: list_clustering(scope, user_id),
            columns: columns(&listed),
        },
    ]
}

pub(super) fn remove(event: &Event, user_id: &str, scope: &MemberScope) -> Vec<RowOp> {
    let instance = event.instance_id.as_str();
    vec![
        RowOp::Delete {
            table: MEMBERS,
            partition: key(&[instance, user_id]),
            clustering: scope.clustering(),
        },
        RowOp::Delete {
            table: ADMINISTRATORS,
            partition: instance.to_owned(),
            clustering: list_clustering(scope, user_id),
        },
    ]
}

fn project_scope(project_id: &str, project_grant_id: Option<&String>) -> MemberScope {
    match project_grant_id {
        Some(grant) => MemberScope::ProjectGrant(grant.clone()),
        None => MemberScope::Project(project_id.to_owned()),
    }
}

/// Project and project-grant administrators.
pub(super) fn project_scoped(event: &Event, typed: AdministratorEvent) -> Vec<RowOp> {
    match typed {
        AdministratorEvent::Added {
            project_id,
            project_grant_id,
            user_id,
            roles,
        } => {
            let scope = project_scope(&project_id, project_grant_id.as_ref());
            set_with(event, &user_id, &scope, &roles, true, Some(&project_id))
        }
        AdministratorEvent::Changed {
            project_id,
            project_grant_id,
            user_id,
            roles,
        } => {
            let scope = project_scope(&project_id, project_grant_id.as_ref());
            set_with(event, &user_id, &scope, &roles, false, Some(&project_id))
        }
        AdministratorEvent::Removed {
            project_id,
            project_grant_id,
            user_id,
        } => remove(
            event,
            &user_id,
            &project_scope(&project_id, project_grant_id.as_ref()),
        ),
    }
}
