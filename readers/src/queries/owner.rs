//! Who owns a resource: the lookup behind every permission check on a resource by id.

use castellan_core::permission::Target;
use serde_json::json;

use super::text;
use crate::projections::columns;
use crate::store::{ReadError, ReadStore, RowOp, key};
use crate::tables::RESOURCE_OWNERS;

pub const USER: &str = "user";
pub const PROJECT: &str = "project";
pub const APPLICATION: &str = "application";
pub const PROJECT_GRANT: &str = "project_grant";
pub const AUTHORIZATION: &str = "authorization";
pub const GROUP: &str = "group";

/// The owner of resource `kind`/`id` in the instance, if the resource exists.
pub async fn owner_of(
    store: &dyn ReadStore,
    instance_id: &str,
    kind: &str,
    id: &str,
) -> Result<Option<Target>, ReadError> {
    let Some(row) = store
        .get(RESOURCE_OWNERS, instance_id, &key(&[kind, id]))
        .await?
    else {
        return Ok(None);
    };
    let optional = |name: &str| Some(text(&row.columns, name)).filter(|v| !v.is_empty());
    Ok(Some(Target {
        org_id: text(&row.columns, "org_id"),
        project_id: optional("project_id"),
        project_grant_id: optional("project_grant_id"),
    }))
}

/// The row op that records (or moves) a resource's owner; projections emit it when the
/// resource is created.
pub fn set_owner(instance_id: &str, kind: &str, id: &str, owner: &Target) -> RowOp {
    RowOp::Upsert {
        table: RESOURCE_OWNERS,
        partition: instance_id.to_owned(),
        clustering: key(&[kind, id]),
        columns: columns(&[
            ("org_id", json!(owner.org_id)),
            (
                "project_id",
                json!(owner.project_id.clone().unwrap_or_default()),
            ),
            (
                "project_grant_id",
                json!(owner.project_grant_id.clone().unwrap_or_default()),
            ),
        ]),
    }
}

/// The row op that forgets a removed resource.
pub fn remove_owner(instance_id: &str, kind: &str, id: &str) -> RowOp {
    RowOp::Delete {
        table: RESOURCE_OWNERS,
        partition: instance_id.to_owned(),
        clustering: key(&[kind, id]),
    }
}
