use serde_json::json;

use super::*;
use crate::protocol::error::ScimType;
use crate::protocol::schema::AttributeLookup;
use crate::protocol::schema::{
    ENTERPRISE_USER_SCHEMA_ID, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, USER_SCHEMA_ID,
};

fn kind(result: Result<Value, ScimError>) -> Option<ScimType> {
    result.unwrap_err().scim_type
}

#[test]
fn create_drops_read_only_coerces_and_syncs_schemas() {
    let body = json!({
        "id": "client-chosen",
        "meta": {"created": "2020-01-01T00:00:00Z"},
        "groups": [{"value": "g1"}],
        "userName": "bjensen",
        "active": "True",
        ENTERPRISE_USER_SCHEMA_ID: {"employeeNumber": "7"},
    });
    let prepared = prepare_create(&body, &USER_RESOURCE_TYPE).unwrap();
    assert_eq!(
        prepared,
        json!({
            "schemas": [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
            "userName": "bjensen",
            "active": true,
            ENTERPRISE_USER_SCHEMA_ID: {"employeeNumber": "7"},
        })
    );
}

#[test]
fn create_requires_required_attributes_and_types() {
    assert_eq!(
        kind(prepare_create(
            &json!({"displayName": "x"}),
            &USER_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(
            &json!({"userName": ""}),
            &USER_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(
            &json!({"userName": "a", "active": "yes"}),
            &USER_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(
            &json!({"userName": "a", "emails": [{"value": 3}]}),
            &USER_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(
            &json!({"userName": "a", ENTERPRISE_USER_SCHEMA_ID: "x"}),
            &USER_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(
            &json!({"members": []}),
            &GROUP_RESOURCE_TYPE
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        kind(prepare_create(&json!(["x"]), &GROUP_RESOURCE_TYPE)),
        Some(ScimType::InvalidSyntax)
    );
    assert!(
        prepare_create(
            &json!({"displayName": "Admins", "custom": 1}),
            &GROUP_RESOURCE_TYPE
        )
        .is_ok()
    );
}

#[test]
fn replace_keeps_stored_read_only_values() {
    let existing = json!({
        "schemas": [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
        "id": "u1",
        "userName": "old",
        "groups": [{"value": "g1"}],
        "meta": {"resourceType": "User"},
        ENTERPRISE_USER_SCHEMA_ID: {"department": "R&D"},
    });
    let body = json!({
        "schemas": [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
        "id": "other",
        "userName": "new",
        "groups": [],
    });
    let replaced = prepare_replace(&existing, &body, &USER_RESOURCE_TYPE).unwrap();
    assert_eq!(
        replaced,
        json!({
            "schemas": [USER_SCHEMA_ID],
            "id": "u1",
            "userName": "new",
            "groups": [{"value": "g1"}],
            "meta": {"resourceType": "User"},
        })
    );
}

#[test]
fn check_type_per_kind() {
    let attribute = |path: &str| {
        USER_RESOURCE_TYPE
            .attribute(&crate::protocol::path::AttrPath::parse(path).unwrap())
            .unwrap()
    };
    assert!(check_type(&json!("2024-01-01T00:00:00Z"), attribute("meta.created")).is_ok());
    assert!(check_type(&json!("yesterday"), attribute("meta.created")).is_err());
    assert!(check_type(&json!(null), attribute("active")).is_ok());
    assert!(check_type(&json!([{"value": "a"}]), attribute("emails")).is_ok());
    assert!(check_type(&json!({"value": "a", "primary": "x"}), attribute("emails")).is_err());
    assert!(check_type(&json!("x"), attribute("name")).is_err());
}

#[test]
fn sync_schemas_adds_and_removes_extensions() {
    let mut resource = json!({"userName": "a", ENTERPRISE_USER_SCHEMA_ID: {}});
    sync_schemas(&mut resource, &USER_RESOURCE_TYPE);
    assert_eq!(
        resource,
        json!({"schemas": [USER_SCHEMA_ID], "userName": "a"})
    );
    let mut resource =
        json!({"schemas": [USER_SCHEMA_ID], ENTERPRISE_USER_SCHEMA_ID: {"division": "d"}});
    sync_schemas(&mut resource, &USER_RESOURCE_TYPE);
    assert_eq!(
        resource["schemas"],
        json!([USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID])
    );
}

#[test]
fn replace_refuses_changing_a_set_immutable_attribute() {
    use crate::protocol::schema::{Attribute, Mutability, ResourceType, Schema};
    const ATTRIBUTES: &[Attribute] =
        &[Attribute::string("badge", "Set once.").mutability(Mutability::Immutable)];
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
    let existing = json!({"id": "t1", "badge": "A"});
    assert!(prepare_replace(&existing, &json!({"badge": "A"}), &THING).is_ok());
    assert_eq!(
        kind(prepare_replace(&existing, &json!({"badge": "B"}), &THING)),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        kind(prepare_replace(&existing, &json!({}), &THING)),
        Some(ScimType::Mutability)
    );
    let unset = json!({"id": "t1"});
    assert!(prepare_replace(&unset, &json!({"badge": "B"}), &THING).is_ok());
}
