use serde_json::{Value, json};

use super::*;
use crate::protocol::error::ScimType;
use crate::protocol::schema::{GROUP_RESOURCE_TYPE, ResourceType, USER_RESOURCE_TYPE};

pub(super) const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(super) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub(super) fn user() -> Value {
    json!({
        "schemas": [CORE],
        "id": "u1",
        "externalId": "e1",
        "userName": "bjensen",
        "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@work.example", "type": "work", "primary": true}],
        "groups": [{"value": "g1"}],
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z"},
    })
}

pub(super) fn group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g1",
        "displayName": "Admins",
        "members": [{"value": "u1"}, {"value": "u2", "display": "Two"}],
    })
}

pub(super) fn body(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

pub(super) fn patch_on(
    resource: &Value,
    rt: &ResourceType,
    operations: Value,
) -> Result<Value, ScimError> {
    let request = parse_patch(&body(operations))?;
    let mut patched = resource.clone();
    let result = apply_patch(&mut patched, &request, rt);
    if result.is_err() {
        assert_eq!(
            &patched, resource,
            "a failed PATCH leaves the resource untouched"
        );
    }
    result.map(|()| patched)
}

pub(super) fn patch_user(operations: Value) -> Value {
    patch_on(&user(), &USER_RESOURCE_TYPE, operations).unwrap()
}

pub(super) fn patch_group(operations: Value) -> Value {
    patch_on(&group(), &GROUP_RESOURCE_TYPE, operations).unwrap()
}

pub(super) fn user_error(operations: Value) -> (u16, Option<ScimType>) {
    let error = patch_on(&user(), &USER_RESOURCE_TYPE, operations).unwrap_err();
    (error.status, error.scim_type)
}

pub(super) fn group_error(operations: Value) -> Option<ScimType> {
    patch_on(&group(), &GROUP_RESOURCE_TYPE, operations)
        .unwrap_err()
        .scim_type
}

#[test]
fn request_parsing_errors() {
    let kind = |value: Value| parse_patch(&value).unwrap_err().scim_type;
    assert_eq!(kind(json!([])), Some(ScimType::InvalidSyntax));
    assert_eq!(
        kind(json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]})),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(
        kind(json!({"schemas": ["urn:x"], "Operations": []})),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(kind(body(json!([]))), Some(ScimType::InvalidSyntax));
    assert_eq!(
        kind(body(json!({"op": "add"}))),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(
        kind(body(json!([{"op": "move", "path": "title"}]))),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(
        kind(body(json!([{"path": "title"}]))),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(kind(body(json!(["add"]))), Some(ScimType::InvalidSyntax));
    assert_eq!(
        kind(body(json!([{"op": "add", "path": "title"}]))),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(body(json!([{"op": "remove"}]))),
        Some(ScimType::NoTarget)
    );
    assert_eq!(
        kind(body(
            json!([{"op": "add", "path": "emails[type eq]", "value": 1}])
        )),
        Some(ScimType::InvalidPath)
    );
    assert_eq!(
        kind(body(json!([{"op": "add", "path": "a.b.c", "value": 1}]))),
        Some(ScimType::InvalidPath)
    );
    assert_eq!(
        kind(body(json!([{"op": "add", "path": 3, "value": 1}]))),
        Some(ScimType::InvalidPath)
    );
    let error = parse_patch(&body(
        json!([{"op": "add", "path": "title", "value": 1}, {"op": "nope"}]),
    ))
    .unwrap_err();
    assert!(error.detail.starts_with("operation 1:"), "{}", error.detail);
}

#[test]
fn ops_are_case_insensitive_and_paths_parse() {
    let request = parse_patch(&json!({
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "x"},
            {"op": "REPLACE", "path": "name.givenName", "value": "y"},
            {"op": "Remove", "path": "members[value eq \"1\"]"},
        ]
    }))
    .unwrap();
    let ops: Vec<PatchOpKind> = request.operations.iter().map(|o| o.op).collect();
    assert_eq!(
        ops,
        [PatchOpKind::Add, PatchOpKind::Replace, PatchOpKind::Remove]
    );
    let first = request.operations[0].path.as_ref().unwrap();
    assert_eq!(first.attribute, AttrPath::new("emails"));
    assert!(first.filter.is_some());
    assert_eq!(first.sub.as_deref(), Some("value"));
}

#[test]
fn okta_replace_without_path() {
    let patched = patch_user(json!([{"op": "replace", "value": {"active": false}}]));
    assert_eq!(patched["active"], json!(false));
    assert_eq!(patched["userName"], "bjensen");
    let patched = patch_user(
        json!([{"op": "replace", "value": {"id": "u1", "active": true, "schemas": ["x"]}}]),
    );
    assert_eq!(
        patched["schemas"],
        json!([CORE]),
        "an unchanged id and schemas are ignored"
    );
}

#[test]
fn entra_capitalised_ops_and_string_booleans() {
    let patched = patch_user(json!([
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Replace", "path": "displayName", "value": "Babs"},
        {"op": "Add", "path": "name.familyName", "value": "Jensen-Smith"},
    ]));
    assert_eq!(patched["active"], json!(false));
    assert_eq!(patched["displayName"], "Babs");
    assert_eq!(
        patched["name"],
        json!({"givenName": "Barbara", "familyName": "Jensen-Smith"})
    );
    let patched = patch_user(json!([{"op": "Replace", "value": {"active": "True"}}]));
    assert_eq!(patched["active"], json!(true));
    assert_eq!(
        user_error(json!([{"op": "Replace", "path": "active", "value": "maybe"}])),
        (400, Some(ScimType::InvalidValue))
    );
}

#[test]
fn entra_email_value_paths() {
    let mut without_emails = user();
    without_emails.as_object_mut().unwrap().remove("emails");
    let added = patch_on(
        &without_emails,
        &USER_RESOURCE_TYPE,
        json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "new@work.example"}]),
    )
    .unwrap();
    assert_eq!(
        added["emails"],
        json!([{"type": "work", "value": "new@work.example"}])
    );
    let replaced = patch_user(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "other@work.example"}
    ]));
    assert_eq!(
        replaced["emails"],
        json!([{"value": "other@work.example", "type": "work", "primary": true}])
    );
    let added_home = patch_user(json!([
        {"op": "Add", "path": "emails[type eq \"home\"].value", "value": "b@home.example"}
    ]));
    assert_eq!(added_home["emails"].as_array().unwrap().len(), 2);
    let removed = patch_user(json!([{"op": "Remove", "path": "emails[type eq \"work\"].value"}]));
    assert_eq!(
        removed["emails"],
        json!([{"type": "work", "primary": true}])
    );
}

#[test]
fn enterprise_manager_and_department() {
    let manager = format!("{ENTERPRISE}:manager");
    let patched = patch_user(json!([
        {"op": "Add", "path": manager, "value": "boss-id"},
        {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "R&D"},
    ]));
    assert_eq!(
        patched[ENTERPRISE],
        json!({"manager": {"value": "boss-id"}, "department": "R&D"})
    );
    assert_eq!(patched["schemas"], json!([CORE, ENTERPRISE]));
    let replaced = patch_on(
        &patched,
        &USER_RESOURCE_TYPE,
        json!([
            {"op": "Replace", "path": manager, "value": {"value": "other-boss"}}
        ]),
    )
    .unwrap();
    assert_eq!(
        replaced[ENTERPRISE]["manager"],
        json!({"value": "other-boss"})
    );
    let removed = patch_on(
        &replaced,
        &USER_RESOURCE_TYPE,
        json!([
            {"op": "Remove", "path": manager},
            {"op": "Remove", "path": format!("{ENTERPRISE}:department")},
        ]),
    )
    .unwrap();
    assert!(
        removed.get(ENTERPRISE).is_none(),
        "an empty extension object is dropped"
    );
    assert_eq!(removed["schemas"], json!([CORE]));
    let emptied = patch_on(
        &patched,
        &USER_RESOURCE_TYPE,
        json!([
            {"op": "Replace", "path": manager, "value": {"value": ""}}
        ]),
    )
    .unwrap();
    assert_eq!(emptied[ENTERPRISE], json!({"department": "R&D"}));
    let sub = patch_user(
        json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager.value"), "value": "m"}]),
    );
    assert_eq!(sub[ENTERPRISE]["manager"], json!({"value": "m"}));
    assert_eq!(
        user_error(
            json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager.displayName"), "value": "M"}])
        ),
        (400, Some(ScimType::Mutability))
    );
}

#[test]
fn no_path_values_with_urn_keys() {
    let patched = patch_user(json!([
        {"op": "Add", "value": {
            format!("{ENTERPRISE}:employeeNumber"): "7",
            ENTERPRISE: {"costCenter": "CC1"},
            "nickName": "Babs",
            "name": {"middleName": "J"},
        }}
    ]));
    assert_eq!(
        patched[ENTERPRISE],
        json!({"employeeNumber": "7", "costCenter": "CC1"})
    );
    assert_eq!(patched["nickName"], "Babs");
    assert_eq!(patched["name"]["middleName"], "J");
    assert_eq!(
        patched["name"]["givenName"], "Barbara",
        "complex values merge"
    );
    assert!(
        patched["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(ENTERPRISE))
    );
    let removed = patch_on(
        &patched,
        &USER_RESOURCE_TYPE,
        json!([{"op": "remove", "path": ENTERPRISE}]),
    )
    .unwrap();
    assert!(removed.get(ENTERPRISE).is_none());
    assert_eq!(removed["schemas"], json!([CORE]));
    assert_eq!(
        user_error(json!([{"op": "add", "value": "x"}])),
        (400, Some(ScimType::InvalidValue))
    );
    assert_eq!(
        user_error(json!([{"op": "add", "value": {"nope": 1}}])),
        (400, Some(ScimType::InvalidPath))
    );
}

mod apply;
