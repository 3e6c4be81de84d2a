//! Applying operations: members, noTarget, mutability, types, atomicity, multi-valued values.

use serde_json::json;

use super::*;

#[test]
fn group_member_add_and_remove() {
    let added = patch_group(json!([
        {"op": "Add", "path": "members", "value": [{"value": "u3"}, {"value": "u1"}]},
    ]));
    assert_eq!(
        added["members"],
        json!([{"value": "u1"}, {"value": "u2", "display": "Two"}, {"value": "u3"}])
    );
    let by_filter = patch_group(json!([{"op": "remove", "path": "members[value eq \"u1\"]"}]));
    assert_eq!(
        by_filter["members"],
        json!([{"value": "u2", "display": "Two"}])
    );
    let by_value = patch_group(json!([
        {"op": "Remove", "path": "members", "value": [{"value": "u2"}, {"value": "absent"}]},
    ]));
    assert_eq!(by_value["members"], json!([{"value": "u1"}]));
    let none = patch_group(json!([{"op": "remove", "path": "members", "value": []}]));
    assert_eq!(none, group(), "an empty selection removes nothing");
    let all = patch_group(json!([{"op": "remove", "path": "members"}]));
    assert!(all.get("members").is_none());
    let last = patch_group(
        json!([{"op": "remove", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]}]),
    );
    assert!(last.get("members").is_none(), "no values left: unassigned");
    let renamed =
        patch_group(json!([{"op": "replace", "value": {"id": "g1", "displayName": "Ops"}}]));
    assert_eq!(renamed["displayName"], "Ops");
    let replaced =
        patch_group(json!([{"op": "replace", "path": "members", "value": [{"value": "u9"}]}]));
    assert_eq!(replaced["members"], json!([{"value": "u9"}]));
    let bare = patch_group(json!([{"op": "add", "path": "members", "value": "u4"}]));
    assert_eq!(
        bare["members"].as_array().unwrap().last(),
        Some(&json!({"value": "u4"}))
    );
}

#[test]
fn filters_matching_nothing_are_no_target() {
    assert_eq!(
        group_error(json!([{"op": "remove", "path": "members[value eq \"nope\"]"}])),
        Some(ScimType::NoTarget)
    );
    assert_eq!(
        user_error(
            json!([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x@y"}])
        ),
        (400, Some(ScimType::NoTarget))
    );
    assert_eq!(
        user_error(
            json!([{"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "x@y"}}])
        ),
        (400, Some(ScimType::NoTarget))
    );
    assert_eq!(
        user_error(
            json!([{"op": "add", "path": "emails[type co \"home\"].value", "value": "x@y"}])
        ),
        (400, Some(ScimType::NoTarget)),
        "add creates a value only for eq filters"
    );
    assert_eq!(
        user_error(json!([{"op": "remove", "path": "phoneNumbers[type eq \"work\"]"}])),
        (400, Some(ScimType::NoTarget))
    );
}

#[test]
fn mutability_errors() {
    for operation in [
        json!({"op": "replace", "path": "id", "value": "u2"}),
        json!({"op": "remove", "path": "id"}),
        json!({"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}),
        json!({"op": "add", "path": "groups", "value": [{"value": "g2"}]}),
        json!({"op": "replace", "value": {"id": "other"}}),
        json!({"op": "replace", "path": "schemas", "value": [CORE]}),
    ] {
        assert_eq!(
            user_error(json!([operation])),
            (400, Some(ScimType::Mutability)),
            "{operation}"
        );
    }
    assert_eq!(
        group_error(
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u5"}])
        ),
        Some(ScimType::Mutability),
        "members.value is immutable"
    );
    let same = patch_group(
        json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u1"}]),
    );
    assert_eq!(same, group());
}

#[test]
fn invalid_paths_and_values() {
    for (operation, expected) in [
        (
            json!({"op": "add", "path": "nope", "value": 1}),
            ScimType::InvalidPath,
        ),
        (
            json!({"op": "add", "path": "name.nope", "value": 1}),
            ScimType::InvalidPath,
        ),
        (
            json!({"op": "add", "path": "userName[value eq \"x\"]", "value": 1}),
            ScimType::InvalidPath,
        ),
        (
            json!({"op": "add", "path": "urn:other:2.0:User:x", "value": 1}),
            ScimType::InvalidPath,
        ),
        (
            json!({"op": "add", "path": "employeeNumber", "value": "1"}),
            ScimType::InvalidPath,
        ),
        (
            json!({"op": "replace", "path": "userName", "value": 5}),
            ScimType::InvalidValue,
        ),
        (
            json!({"op": "add", "path": "emails", "value": [{"value": "x", "kind": "y"}]}),
            ScimType::InvalidValue,
        ),
        (
            json!({"op": "add", "path": "name", "value": 3}),
            ScimType::InvalidValue,
        ),
        (
            json!({"op": "add", "path": "emails[type eq \"work\"].primary", "value": "often"}),
            ScimType::InvalidValue,
        ),
        (
            json!({"op": "add", "path": "emails[type gt true]", "value": {}}),
            ScimType::InvalidFilter,
        ),
    ] {
        assert_eq!(
            user_error(json!([operation])),
            (400, Some(expected)),
            "{operation}"
        );
    }
}

#[test]
fn failing_operation_leaves_resource_untouched() {
    let error = patch_on(
        &user(),
        &USER_RESOURCE_TYPE,
        json!([
            {"op": "replace", "path": "displayName", "value": "changed"},
            {"op": "replace", "path": "id", "value": "x"},
        ]),
    )
    .unwrap_err();
    assert!(error.detail.starts_with("operation 1:"), "{}", error.detail);
}

#[test]
fn multi_valued_add_replace_and_primary() {
    let added = patch_user(json!([
        {"op": "add", "path": "emails", "value": [{"value": "b@home.example", "type": "home", "primary": "true"}]},
        {"op": "add", "path": "emails", "value": {"value": "b@work.example", "type": "work"}},
    ]));
    assert_eq!(
        added["emails"],
        json!([
            {"value": "b@work.example", "type": "work", "primary": false},
            {"value": "b@home.example", "type": "home", "primary": true},
        ]),
        "one primary; an existing value is not duplicated"
    );
    let replaced = patch_user(
        json!([{"op": "replace", "path": "emails", "value": [{"value": "n@x", "type": "other"}]}]),
    );
    assert_eq!(
        replaced["emails"],
        json!([{"value": "n@x", "type": "other"}])
    );
    let element = patch_user(json!([
        {"op": "replace", "path": "emails[type eq \"work\"]", "value": {"value": "w@x", "type": "work"}}
    ]));
    assert_eq!(element["emails"], json!([{"value": "w@x", "type": "work"}]));
    let merged = patch_user(
        json!([{"op": "add", "path": "emails[type eq \"work\"]", "value": {"display": "Work"}}]),
    );
    assert_eq!(merged["emails"][0]["display"], "Work");
    let all_subs = patch_user(json!([{"op": "replace", "path": "emails.type", "value": "other"}]));
    assert_eq!(all_subs["emails"][0]["type"], "other");
}

#[test]
fn empty_values_unassign_on_replace_and_do_nothing_on_add() {
    let cleared = patch_user(json!([
        {"op": "Replace", "path": "name.givenName", "value": ""},
        {"op": "Replace", "path": "emails", "value": []},
        {"op": "Replace", "path": "externalId", "value": null},
    ]));
    assert_eq!(cleared["name"], json!({"familyName": "Jensen"}));
    assert!(cleared.get("emails").is_none());
    assert!(cleared.get("externalId").is_none());
    let untouched = patch_user(
        json!([{"op": "Add", "path": "emails", "value": []}, {"op": "Add", "path": "title", "value": ""}]),
    );
    assert_eq!(untouched, user());
    let removed = patch_user(
        json!([{"op": "remove", "path": "name.givenName"}, {"op": "remove", "path": "name.familyName"}]),
    );
    assert!(
        removed.get("name").is_none(),
        "a complex value without sub-attributes is unassigned"
    );
    let absent = patch_user(
        json!([{"op": "remove", "path": "nickName"}, {"op": "remove", "path": format!("{ENTERPRISE}:manager")}]),
    );
    assert_eq!(absent, user(), "removing what is not there is not an error");
}

#[test]
fn attribute_names_ignore_case_and_become_canonical() {
    let patched = patch_user(json!([
        {"op": "replace", "path": "DISPLAYNAME", "value": "B"},
        {"op": "replace", "path": "Name.GivenName", "value": "Barb"},
    ]));
    assert_eq!(patched["displayName"], "B");
    assert_eq!(patched["name"]["givenName"], "Barb");
    assert!(patched.get("DISPLAYNAME").is_none());
}

mod immutable {
    use super::*;
    use crate::protocol::schema::{Attribute, Mutability, Schema};

    const ATTRIBUTES: &[Attribute] = &[
        Attribute::string("badge", "Set once.").mutability(Mutability::Immutable),
        Attribute::string("displayName", "Free."),
    ];
    const SCHEMA: Schema = Schema {
        id: "urn:example:Thing",
        name: "Thing",
        description: "A test resource",
        attributes: ATTRIBUTES,
    };
    const THING: ResourceType = ResourceType {
        name: "Thing",
        endpoint: "/Things",
        description: "A test resource",
        schema: &SCHEMA,
        extensions: &[],
    };

    #[test]
    fn immutable_attributes_are_set_once() {
        let unset = json!({"schemas": ["urn:example:Thing"], "id": "t1"});
        let set = patch_on(
            &unset,
            &THING,
            json!([{"op": "add", "path": "badge", "value": "A"}]),
        )
        .unwrap();
        assert_eq!(set["badge"], "A");
        let same = patch_on(
            &set,
            &THING,
            json!([{"op": "replace", "path": "badge", "value": "A"}]),
        );
        assert_eq!(same.unwrap(), set);
        for operation in [
            json!({"op": "replace", "path": "badge", "value": "B"}),
            json!({"op": "add", "value": {"badge": "B"}}),
            json!({"op": "remove", "path": "badge"}),
        ] {
            let error = patch_on(&set, &THING, json!([operation])).unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::Mutability), "{operation}");
        }
    }
}
