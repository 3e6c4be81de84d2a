//! The authorization read model: one row per authorization (partition: instance), an index by
//! user and one by project (ids only; the row is read from the main table), and the owner row
//! every RPC on an authorization id is authorized by.

use castellan_core::authorization::AuthorizationEvent;
use castellan_core::event::decode;
use castellan_core::permission::Target;
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::queries::authorization::{
    AUTHORIZATIONS, AUTHORIZATIONS_BY_PROJECT, AUTHORIZATIONS_BY_USER,
};
use crate::queries::owner::{self, remove_owner, set_owner};
use crate::store::{RowOp, key};

pub struct AuthorizationProjection;

fn index(table: &'static str, instance: &str, by: &str, id: &str) -> RowOp {
    RowOp::Upsert {
        table,
        partition: key(&[instance, by]),
        clustering: id.to_owned(),
        columns: columns(&[("id", json!(id))]),
    }
}

fn unindex(table: &'static str, instance: &str, by: &str, id: &str) -> RowOp {
    RowOp::Delete {
        table,
        partition: key(&[instance, by]),
        clustering: id.to_owned(),
    }
}

impl Projection for AuthorizationProjection {
    fn name(&self) -> &'static str {
        "authorizations_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type != castellan_core::authorization::AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        let instance = event.instance_id.as_str();
        let id = event.aggregate_id.as_str();
        let at = json!(event.created_at.0);
        let row = |pairs: &[(&str, serde_json::Value)]| RowOp::Upsert {
            table: AUTHORIZATIONS,
            partition: instance.to_owned(),
            clustering: id.to_owned(),
            columns: columns(pairs),
        };
        let ops = match decode::<AuthorizationEvent>(event)? {
            AuthorizationEvent::Added {
                user_id,
                project_id,
                org_id,
                project_grant_id,
                role_keys,
            } => vec![
                row(&[
                    ("id", json!(id)),
                    ("user_id", json!(user_id)),
                    ("project_id", json!(project_id)),
                    ("org_id", json!(org_id)),
                    (
                        "project_grant_id",
                        json!(project_grant_id.clone().unwrap_or_default()),
                    ),
                    ("role_keys", json!(role_keys)),
                    ("state", json!("active")),
                    ("created", at.clone()),
                    ("changed", at),
                ]),
                index(AUTHORIZATIONS_BY_USER, instance, &user_id, id),
                index(AUTHORIZATIONS_BY_PROJECT, instance, &project_id, id),
                set_owner(
                    instance,
                    owner::AUTHORIZATION,
                    id,
                    &Target {
                        org_id,
                        project_id: Some(project_id),
                        project_grant_id,
                    },
                ),
            ],
            AuthorizationEvent::Changed { role_keys } => {
                vec![row(&[("role_keys", json!(role_keys)), ("changed", at)])]
            }
            AuthorizationEvent::Deactivated {} => {
                vec![row(&[("state", json!("inactive")), ("changed", at)])]
            }
            AuthorizationEvent::Reactivated {} => {
                vec![row(&[("state", json!("active")), ("changed", at)])]
            }
            AuthorizationEvent::Removed {
                user_id,
                project_id,
                ..
            } => vec![
                RowOp::Delete {
                    table: AUTHORIZATIONS,
                    partition: instance.to_owned(),
                    clustering: id.to_owned(),
                },
                unindex(AUTHORIZATIONS_BY_USER, instance, &user_id, id),
                unindex(AUTHORIZATIONS_BY_PROJECT, instance, &project_id, id),
                remove_owner(instance, owner::AUTHORIZATION, id),
            ],
        };
        Ok(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use castellan_core::Position;
    use castellan_core::clock::Timestamp;
    use castellan_core::event::encode;

    fn event(e: &AuthorizationEvent) -> Event {
        let new = encode(e).unwrap();
        Event {
            instance_id: "i".into(),
            aggregate_type: "authorization".into(),
            aggregate_id: "a1".into(),
            sequence: 1,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "c".into(),
            resource_owner: "o".into(),
            created_at: Timestamp(5),
            position: Position(1),
        }
    }

    #[test]
    fn added_writes_row_indexes_and_owner_and_removed_deletes_them() {
        let added = AuthorizationProjection
            .project(&event(&AuthorizationEvent::Added {
                user_id: "u".into(),
                project_id: "p".into(),
                org_id: "o".into(),
                project_grant_id: None,
                role_keys: vec!["r".into()],
            }))
            .unwrap();
        assert_eq!(added.len(), 4);
        let removed = AuthorizationProjection
            .project(&event(&AuthorizationEvent::Removed {
                user_id: "u".into(),
                project_id: "p".into(),
                org_id: "o".into(),
            }))
            .unwrap();
        assert_eq!(removed.len(), 4);
        assert!(removed.iter().all(|op| matches!(op, RowOp::Delete { .. })));
    }
}
