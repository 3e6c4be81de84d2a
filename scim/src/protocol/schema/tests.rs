use std::cmp::Ordering;

use serde_json::{Value, json};

use super::*;
use crate::protocol::path::AttrPath;

const BASE: &str = "https://idp.example.com/scim/v2/org1";

fn path(text: &str) -> AttrPath {
    AttrPath::parse(text).unwrap()
}

fn attribute_json<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn user_schema_renders_rfc_characteristics() {
    let schema = USER_SCHEMA.to_json(BASE);
    assert_eq!(
        schema["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"])
    );
    assert_eq!(schema["id"], USER_SCHEMA_ID);
    assert_eq!(schema["name"], "User");
    assert_eq!(schema["meta"]["resourceType"], "Schema");
    assert_eq!(
        schema["meta"]["location"],
        format!("{BASE}/Schemas/{USER_SCHEMA_ID}")
    );
    let user_name = attribute_json(&schema, "userName");
    assert_eq!(user_name["type"], "string");
    assert_eq!(user_name["required"], true);
    assert_eq!(user_name["caseExact"], false);
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["mutability"], "readWrite");
    let password = attribute_json(&schema, "password");
    assert_eq!(password["mutability"], "writeOnly");
    assert_eq!(password["returned"], "never");
    let emails = attribute_json(&schema, "emails");
    assert_eq!(emails["multiValued"], true);
    assert_eq!(emails["type"], "complex");
    let types = &emails["subAttributes"].as_array().unwrap()[2];
    assert_eq!(types["canonicalValues"], json!(["work", "home", "other"]));
    let groups = attribute_json(&schema, "groups");
    assert_eq!(groups["mutability"], "readOnly");
    let reference = &groups["subAttributes"][1];
    assert_eq!(reference["name"], "$ref");
    assert_eq!(reference["referenceTypes"], json!(["User", "Group"]));
    assert!(
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["name"] != "id")
    );
}

#[test]
fn enterprise_and_group_schemas() {
    let enterprise = ENTERPRISE_USER_SCHEMA.to_json(BASE);
    let manager = attribute_json(&enterprise, "manager");
    assert_eq!(manager["type"], "complex");
    assert_eq!(manager["subAttributes"][2]["name"], "displayName");
    assert_eq!(manager["subAttributes"][2]["mutability"], "readOnly");
    let group = GROUP_SCHEMA.to_json(BASE);
    let members = attribute_json(&group, "members");
    assert_eq!(members["multiValued"], true);
    assert_eq!(members["subAttributes"][0]["mutability"], "immutable");
    let all = all_schemas_json(BASE);
    let ids: Vec<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA_ID]
    );
    assert_eq!(
        schema_by_id(&GROUP_SCHEMA_ID.to_uppercase()).map(|s| s.name),
        Some("Group")
    );
    assert!(schema_by_id("urn:nope").is_none());
}

#[test]
fn resource_types_documents() {
    let user = USER_RESOURCE_TYPE.to_json(&format!("{BASE}/"));
    assert_eq!(
        user,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_SCHEMA_ID,
            "schemaExtensions": [{"schema": ENTERPRISE_USER_SCHEMA_ID, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{BASE}/ResourceTypes/User")},
        })
    );
    let group = GROUP_RESOURCE_TYPE.to_json(BASE);
    assert_eq!(group["endpoint"], "/Groups");
    assert_eq!(group["schemaExtensions"], json!([]));
}

#[test]
fn service_provider_config_reflects_parameters() {
    let config = ServiceProviderConfig {
        documentation_uri: Some("https://docs.example.com/scim".into()),
        patch: true,
        bulk: Some(BulkLimits {
            max_operations: 100,
            max_payload_size: 1_048_576,
        }),
        filter_max_results: Some(200),
        change_password: true,
        sort: true,
        etag: false,
    }
    .to_json(BASE);
    assert_eq!(
        config["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    assert_eq!(config["patch"], json!({"supported": true}));
    assert_eq!(
        config["bulk"],
        json!({"supported": true, "maxOperations": 100, "maxPayloadSize": 1_048_576})
    );
    assert_eq!(
        config["filter"],
        json!({"supported": true, "maxResults": 200})
    );
    assert_eq!(config["changePassword"]["supported"], true);
    assert_eq!(config["sort"]["supported"], true);
    assert_eq!(config["etag"]["supported"], false);
    assert_eq!(
        config["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    assert_eq!(config["documentationUri"], "https://docs.example.com/scim");
    assert_eq!(
        config["meta"]["location"],
        format!("{BASE}/ServiceProviderConfig")
    );
    let minimal = ServiceProviderConfig::default().to_json(BASE);
    assert_eq!(minimal["bulk"]["supported"], false);
    assert_eq!(minimal["filter"]["supported"], false);
    assert!(minimal.get("documentationUri").is_none());
}

#[test]
fn lookup_by_path_is_case_insensitive_and_urn_aware() {
    let rt = &USER_RESOURCE_TYPE;
    let resolved = rt.resolve(&path("USERNAME")).unwrap();
    assert_eq!(resolved.attribute.name, "userName");
    assert_eq!(resolved.location, Location::Core);
    assert_eq!(
        rt.resolve(&path("name.GIVENNAME")).unwrap().target().name,
        "givenName"
    );
    let core = rt
        .resolve(&path("urn:ietf:params:scim:schemas:core:2.0:User:active"))
        .unwrap();
    assert_eq!(core.attribute.kind, AttrType::Boolean);
    let manager = rt
        .resolve(&path(&format!("{ENTERPRISE_USER_SCHEMA_ID}:manager.value")))
        .unwrap();
    assert_eq!(
        manager.location,
        Location::Extension(ENTERPRISE_USER_SCHEMA_ID)
    );
    assert_eq!(manager.attribute.name, "manager");
    assert_eq!(manager.target().name, "value");
    assert!(
        rt.resolve(&path("employeeNumber")).is_none(),
        "extension names need the URN"
    );
    assert!(rt.resolve(&path("name.nope")).is_none());
    assert!(rt.resolve(&path("urn:other:schema:attr")).is_none());
    let id = rt.attribute(&path("ID")).unwrap();
    assert!(id.case_exact);
    assert_eq!(id.mutability, Mutability::ReadOnly);
    assert_eq!(id.returned, Returned::Always);
    assert!(rt.attribute(&path("externalId")).unwrap().case_exact);
    assert!(!rt.attribute(&path("userName")).unwrap().case_exact);
    assert_eq!(
        rt.attribute(&path("meta.lastModified")).unwrap().kind,
        AttrType::DateTime
    );
    assert_eq!(
        rt.attribute(&path("groups")).unwrap().mutability,
        Mutability::ReadOnly
    );
    assert!(
        GROUP_RESOURCE_TYPE
            .attribute(&path("members.value"))
            .unwrap()
            .case_exact
    );
    assert!(GROUP_RESOURCE_TYPE.attribute(&path("userName")).is_none());
    assert!(Schemaless.attribute(&path("id")).is_none());
}

#[test]
fn coerce_turns_string_booleans_into_booleans() {
    let mut user = json!({
        "userName": "a",
        "active": "False",
        "nickName": "true",
        "emails": [{"value": "a@b", "primary": "TRUE"}, {"value": "c@d", "primary": " false "}],
        "phoneNumbers": [{"value": "1", "primary": "yes"}],
        ENTERPRISE_USER_SCHEMA_ID: {"employeeNumber": "true"},
    });
    coerce(&mut user, &USER_RESOURCE_TYPE);
    assert_eq!(user["active"], json!(false));
    assert_eq!(user["nickName"], json!("true"), "strings stay strings");
    assert_eq!(user["emails"][0]["primary"], json!(true));
    assert_eq!(user["emails"][1]["primary"], json!(false));
    assert_eq!(
        user["phoneNumbers"][0]["primary"],
        json!("yes"),
        "not a boolean spelling"
    );
    assert_eq!(
        user[ENTERPRISE_USER_SCHEMA_ID]["employeeNumber"],
        json!("true")
    );
    let mut other = json!("not an object");
    coerce(&mut other, &USER_RESOURCE_TYPE);
    assert_eq!(other, json!("not an object"));
}

fn full_user() -> Value {
    json!({
        "schemas": [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
        "id": "u1",
        "externalId": "e1",
        "userName": "bjensen",
        "password": "secret",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@x", "type": "work"}],
        "meta": {"resourceType": "User"},
        ENTERPRISE_USER_SCHEMA_ID: {"employeeNumber": "7", "department": "R&D"},
        "custom": 1,
    })
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn project_default_drops_never_returned() {
    let out = project(&full_user(), &[], &[], &USER_RESOURCE_TYPE);
    let mut expected = full_user();
    expected.as_object_mut().unwrap().remove("password");
    assert_eq!(out, expected);
}

#[test]
fn project_attributes_keeps_requested_and_always() {
    let out = project(
        &full_user(),
        &strings(&["userName", "name.givenName", "password"]),
        &[],
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(
        out,
        json!({
            "schemas": [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
            "id": "u1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara"},
        })
    );
    let out = project(
        &full_user(),
        &strings(&[
            &format!("{ENTERPRISE_USER_SCHEMA_ID}:employeeNumber"),
            "EMAILS.value",
        ]),
        &[],
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(
        out[ENTERPRISE_USER_SCHEMA_ID],
        json!({"employeeNumber": "7"})
    );
    assert_eq!(out["emails"], json!([{"value": "b@x"}]));
    let out = project(
        &full_user(),
        &strings(&[ENTERPRISE_USER_SCHEMA_ID]),
        &[],
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(out[ENTERPRISE_USER_SCHEMA_ID]["department"], "R&D");
    assert!(out.get("userName").is_none());
    let out = project(
        &full_user(),
        &strings(&["urn:ietf:params:scim:schemas:core:2.0:User:userName"]),
        &[],
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(out["userName"], "bjensen");
    assert!(out.get(ENTERPRISE_USER_SCHEMA_ID).is_none());
}

#[test]
fn project_excluded_attributes_never_removes_always() {
    let out = project(
        &full_user(),
        &[],
        &strings(&["id", "emails", "name.familyName", "schemas", "custom"]),
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(out["id"], "u1");
    assert!(out.get("schemas").is_some());
    assert!(out.get("emails").is_none());
    assert!(out.get("custom").is_none());
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
    let out = project(
        &full_user(),
        &[],
        &strings(&[&format!("{ENTERPRISE_USER_SCHEMA_ID}:employeeNumber")]),
        &USER_RESOURCE_TYPE,
    );
    assert_eq!(out[ENTERPRISE_USER_SCHEMA_ID], json!({"department": "R&D"}));
    assert_eq!(
        split_attribute_list(" userName, name.givenName ,,emails "),
        strings(&["userName", "name.givenName", "emails"])
    );
}

fn sorted(mut users: Vec<Value>, by: &str, order: SortOrder) -> Vec<Value> {
    let by = path(by);
    users.sort_by(|a, b| compare_for_sort(a, b, &by, order, &USER_RESOURCE_TYPE));
    users.into_iter().map(|u| u["id"].clone()).collect()
}

#[test]
fn sort_by_strings_case_insensitively_missing_last() {
    let users = vec![
        json!({"id": "1", "userName": "charlie"}),
        json!({"id": "2"}),
        json!({"id": "3", "userName": "Alice"}),
        json!({"id": "4", "userName": "bob"}),
    ];
    assert_eq!(
        sorted(users.clone(), "userName", SortOrder::Ascending),
        [json!("3"), json!("4"), json!("1"), json!("2")]
    );
    assert_eq!(
        sorted(users, "USERNAME", SortOrder::Descending),
        [json!("2"), json!("1"), json!("4"), json!("3")]
    );
    let ids = vec![json!({"id": "b"}), json!({"id": "B"}), json!({"id": "a"})];
    assert_eq!(
        sorted(ids, "id", SortOrder::Ascending),
        [json!("B"), json!("a"), json!("b")],
        "id is caseExact"
    );
}

#[test]
fn sort_by_primary_or_first_value_and_dates() {
    let users = vec![
        json!({"id": "1", "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}]}),
        json!({"id": "2", "emails": [{"value": "m@x"}, {"value": "b@x"}]}),
        json!({"id": "3", "emails": []}),
    ];
    assert_eq!(
        sorted(users.clone(), "emails.value", SortOrder::Ascending),
        [json!("1"), json!("2"), json!("3")]
    );
    assert_eq!(
        sorted(users, "emails", SortOrder::Ascending),
        [json!("1"), json!("2"), json!("3")]
    );
    let users = vec![
        json!({"id": "1", "meta": {"lastModified": "2024-01-01T10:00:00+02:00"}}),
        json!({"id": "2", "meta": {"lastModified": "2024-01-01T09:00:00Z"}}),
        json!({"id": "3", "meta": {"lastModified": "2024-01-01T08:30:00Z"}}),
    ];
    assert_eq!(
        sorted(users, "meta.lastModified", SortOrder::Ascending),
        [json!("1"), json!("3"), json!("2")]
    );
    let a = json!({"n": 10});
    let b = json!({"n": 9});
    assert_eq!(
        compare_for_sort(&a, &b, &path("n"), SortOrder::Ascending, &Schemaless),
        Ordering::Greater
    );
    assert_eq!(
        SortOrder::parse("DESCENDING").unwrap(),
        SortOrder::Descending
    );
    assert!(SortOrder::parse("up").is_err());
}
