//! A Castellan group as a SCIM Group resource, and a SCIM Group as a [`GroupWrite`].

use std::collections::BTreeSet;

use castellan_readers::queries::group::GroupView;
use serde_json::{Map, Value, json};

use super::group_write::GroupWrite;
use super::user_doc::datetime;
use crate::protocol::ScimError;
use crate::protocol::json::get_ci;
use crate::protocol::schema::GROUP_SCHEMA_ID;

/// The ETag of a group: its version.
pub fn etag(view: &GroupView) -> String {
    format!("W/\"{}\"", view.sequence)
}

/// The SCIM resource of a group with its member user ids.
pub fn to_resource(view: &GroupView, members: &[String], base_url: &str) -> Value {
    let mut object = Map::new();
    object.insert("schemas".into(), json!([GROUP_SCHEMA_ID]));
    object.insert("id".into(), Value::String(view.id.clone()));
    if !view.external_id.is_empty() {
        object.insert("externalId".into(), Value::String(view.external_id.clone()));
    }
    object.insert("displayName".into(), Value::String(view.name.clone()));
    if !members.is_empty() {
        let list: Vec<Value> = members
            .iter()
            .map(|id| {
                json!({
                    "value": id,
                    "$ref": format!("{base_url}/Users/{id}"),
                    "type": "User",
                })
            })
            .collect();
        object.insert("members".into(), Value::Array(list));
    }
    object.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "created": datetime(view.created),
            "lastModified": datetime(view.changed),
            "location": format!("{base_url}/Groups/{}", view.id),
            "version": etag(view),
        }),
    );
    Value::Object(object)
}

/// Reads a prepared SCIM Group into the write that makes it so.
pub fn desired(
    resource: &Value,
    group_id: &str,
    org_id: &str,
    create: bool,
) -> Result<GroupWrite, ScimError> {
    let object = resource
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the resource must be a JSON object"))?;
    let name = get_ci(object, "displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if name.is_empty() {
        return Err(ScimError::invalid_value("displayName is required"));
    }
    let mut members = BTreeSet::new();
    if let Some(Value::Array(list)) = get_ci(object, "members") {
        for member in list {
            let kind = member.get("type").and_then(Value::as_str).unwrap_or("User");
            if !kind.eq_ignore_ascii_case("User") {
                return Err(ScimError::invalid_value(
                    "only users can be members of a group",
                ));
            }
            let Some(id) = member.get("value").and_then(Value::as_str) else {
                return Err(ScimError::invalid_value(
                    "a member needs a value (the user id)",
                ));
            };
            members.insert(id.to_owned());
        }
    }
    Ok(GroupWrite {
        group_id: group_id.to_owned(),
        org_id: org_id.to_owned(),
        create,
        name: name.to_owned(),
        external_id: get_ci(object, "externalId")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        members,
    })
}
