//! Groups, their names and their members (both ways: members of a group, groups of a user), and
//! the owner rows behind their authorization. A removed user's memberships disappear with the
//! user's by-user partition; the group events are not rewritten for it.

use castellan_core::event::decode;
use castellan_core::group::{AGGREGATE_TYPE, GroupEvent};
use castellan_core::permission::Target;
use castellan_core::user::UserEvent;
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::queries::owner::{self, remove_owner, set_owner};
use crate::store::{RowOp, key};
use crate::tables::{GROUP_MEMBERS, GROUP_NAMES, GROUPS, GROUPS_BY_ORG, GROUPS_BY_USER};

pub struct GroupProjection;

impl Projection for GroupProjection {
    fn name(&self) -> &'static str {
        "groups_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type == castellan_core::user::AGGREGATE_TYPE {
            return user_ops(event);
        }
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        group_ops(event)
    }
}

/// A removed user leaves every group (see [`GROUPS_BY_USER`]).
fn user_ops(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    if event.event_type != "user.removed" {
        return Ok(Vec::new());
    }
    match decode::<UserEvent>(event)? {
        UserEvent::Removed { .. } => Ok(vec![RowOp::DeletePartition {
            table: GROUPS_BY_USER,
            partition: key(&[&event.instance_id, &event.aggregate_id]),
        }]),
        _ => Ok(Vec::new()),
    }
}

fn group_ops(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    let group_id = event.aggregate_id.as_str();
    let org_id = event.resource_owner.as_str();
    let org_part = key(&[instance, org_id]);
    let at = json!(event.created_at.0);
    let group_rows = |pairs: &[(&str, serde_json::Value)]| {
        let mut cols = columns(pairs);
        cols.insert("changed".into(), at.clone());
        cols.insert("sequence".into(), json!(event.sequence));
        vec![
            RowOp::Upsert {
                table: GROUPS,
                partition: instance.to_owned(),
                clustering: group_id.to_owned(),
                columns: cols.clone(),
            },
            RowOp::Upsert {
                table: GROUPS_BY_ORG,
                partition: org_part.clone(),
                clustering: group_id.to_owned(),
                columns: cols,
            },
        ]
    };
    let name_row = |name: &str| RowOp::Upsert {
        table: GROUP_NAMES,
        partition: org_part.clone(),
        clustering: name.to_lowercase(),
        columns: columns(&[("id", json!(group_id)), ("name", json!(name))]),
    };
    let unname = |name: &str| RowOp::Delete {
        table: GROUP_NAMES,
        partition: org_part.clone(),
        clustering: name.to_lowercase(),
    };
    let ops = match decode::<GroupEvent>(event)? {
        GroupEvent::Added { name, description } => {
            let mut ops = group_rows(&[
                ("id", json!(group_id)),
                ("org_id", json!(org_id)),
                ("name", json!(name)),
                ("description", json!(description)),
                ("created", at.clone()),
            ]);
            ops.push(name_row(&name));
            ops.push(set_owner(
                instance,
                owner::GROUP,
                group_id,
                &Target::org(org_id),
            ));
            ops
        }
        GroupEvent::Changed {
            name,
            description,
            previous_name,
        } => {
            let mut ops = group_rows(&[("name", json!(name)), ("description", json!(description))]);
            if previous_name.to_lowercase() != name.to_lowercase() {
                ops.push(unname(&previous_name));
            }
            ops.push(name_row(&name));
            ops
        }
        GroupEvent::Removed { name } => vec![
            RowOp::Delete {
                table: GROUPS,
                partition: instance.to_owned(),
                clustering: group_id.to_owned(),
            },
            RowOp::Delete {
                table: GROUPS_BY_ORG,
                partition: org_part.clone(),
                clustering: group_id.to_owned(),
            },
            unname(&name),
            RowOp::DeletePartition {
                table: GROUP_MEMBERS,
                partition: key(&[instance, group_id]),
            },
            remove_owner(instance, owner::GROUP, group_id),
        ],
        GroupEvent::ExternalIdSet { external_id } => {
            group_rows(&[("external_id", json!(external_id))])
        }
        GroupEvent::UsersAdded { user_ids } => user_ids
            .iter()
            .flat_map(|user_id| {
                [
                    RowOp::Upsert {
                        table: GROUP_MEMBERS,
                        partition: key(&[instance, group_id]),
                        clustering: user_id.clone(),
                        columns: columns(&[
                            ("user_id", json!(user_id)),
                            ("group_id", json!(group_id)),
                            ("org_id", json!(org_id)),
                            ("created", at.clone()),
                        ]),
                    },
                    RowOp::Upsert {
                        table: GROUPS_BY_USER,
                        partition: key(&[instance, user_id]),
                        clustering: group_id.to_owned(),
                        columns: columns(&[
                            ("group_id", json!(group_id)),
                            ("org_id", json!(org_id)),
                            ("created", at.clone()),
                        ]),
                    },
                ]
            })
            .collect(),
        GroupEvent::UsersRemoved { user_ids } => user_ids
            .iter()
            .flat_map(|user_id| {
                [
                    RowOp::Delete {
                        table: GROUP_MEMBERS,
                        partition: key(&[instance, group_id]),
                        clustering: user_id.clone(),
                    },
                    RowOp::Delete {
                        table: GROUPS_BY_USER,
                        partition: key(&[instance, user_id]),
                        clustering: group_id.to_owned(),
                    },
                ]
            })
            .collect(),
    };
    Ok(ops)
}
