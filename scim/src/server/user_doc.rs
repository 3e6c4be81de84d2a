//! A Castellan user as a SCIM User resource, and a SCIM User as what Castellan should store.
//!
//! Native fields: `userName`; `name.givenName`/`familyName`; `displayName`; `nickName`;
//! `preferredLanguage`; the primary (else first) email and phone; `active` (active and initial
//! users are active; inactive and locked ones are not); `password` (write-only). Everything else
//! the client sends — other name parts, all emails and phone numbers with their types, addresses,
//! the enterprise extension, ... — is kept as user metadata under `urn:zitadel:scim:<attribute>`
//! (JSON), so a resource reads back as it was written. `externalId` is the metadata entry
//! `urn:zitadel:scim:externalId` (or `urn:zitadel:scim:{domain}:externalId` when the token's user
//! has the metadata `urn:zitadel:scim:provisioningDomain`), as in ZITADEL. The native fields
//! override what the metadata says, so changes made through the v2 API show in SCIM.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use castellan_api::proto::timestamp::ProtoTimestamp;
use castellan_core::clock::Timestamp;
use castellan_readers::queries::user::{UserStateView, UserView};
use serde_json::{Map, Value, json};

use crate::protocol::ScimError;
use crate::protocol::json::get_ci;
use crate::protocol::schema::USER_SCHEMA_ID;

/// Metadata keys of SCIM attributes start with this.
pub const META_PREFIX: &str = "urn:zitadel:scim:";
/// The native attributes (`name`, `displayName`, `active`) the client left unset, as a JSON list:
/// Castellan always has them, but the resource reads back without them.
pub const UNSET: &str = "urn:zitadel:scim:unset";
/// Native attributes a client may leave unset.
const OPTIONAL_NATIVE: &[&str] = &["name", "displayName", "active"];

/// The metadata entry that names the provisioning domain of a service account.
pub const PROVISIONING_DOMAIN: &str = "urn:zitadel:scim:provisioningDomain";

/// Top-level attributes with a native home (not kept as metadata).
const NATIVE: &[&str] = &[
    "schemas",
    "id",
    "meta",
    "userName",
    "displayName",
    "nickName",
    "preferredLanguage",
    "active",
    "password",
    "externalId",
    "groups",
];

/// The metadata key of `externalId` for a provisioning domain.
pub fn external_id_key(domain: Option<&str>) -> String {
    match domain {
        Some(domain) if !domain.trim().is_empty() => {
            format!("{META_PREFIX}{}:externalId", domain.trim())
        }
        _ => format!("{META_PREFIX}externalId"),
    }
}

/// RFC 3339 in UTC (the API's one timestamp format: 0, 3 or 6 fractional digits).
pub fn datetime(at: Timestamp) -> String {
    ProtoTimestamp::from_micros(at.0)
        .to_rfc3339()
        .unwrap_or_default()
}

/// The ETag of a user: its version.
pub fn etag(view: &UserView) -> String {
    format!("W/\"{}\"", view.sequence)
}

/// Decoded metadata (key → text).
pub fn decode_metadata(
    entries: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    entries
        .into_iter()
        .filter_map(|(key, value)| {
            let bytes = B64.decode(value).ok()?;
            Some((key, String::from_utf8(bytes).ok()?))
        })
        .collect()
}

/// Replaces the value of the primary (else first) entry of a multi-valued attribute, or adds
/// one.
fn overlay_primary(object: &mut Map<String, Value>, name: &str, value: &str) {
    if value.is_empty() {
        // Nothing native (none, or a form Castellan does not keep): the stored list stands.
        return;
    }
    let mut list = match object.remove(name) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    let index = list
        .iter()
        .position(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or(if list.is_empty() { None } else { Some(0) });
    match index.and_then(|i| list.get_mut(i)) {
        Some(Value::Object(entry)) => {
            entry.insert("value".into(), Value::String(value.to_owned()));
        }
        _ => list.insert(0, json!({"value": value, "primary": true})),
    }
    object.insert(name.to_owned(), Value::Array(list));
}

/// The SCIM resource of a user.
pub fn to_resource(
    view: &UserView,
    metadata: &BTreeMap<String, String>,
    external_id_key: &str,
    base_url: &str,
) -> Value {
    let mut object = Map::new();
    for (key, text) in metadata {
        let Some(attribute) = key.strip_prefix(META_PREFIX) else {
            continue;
        };
        if key == external_id_key || attribute.ends_with(":externalId") || attribute == "externalId"
        {
            continue;
        }
        if attribute == "provisioningDomain" || key == UNSET {
            continue;
        }
        if let Ok(value) = serde_json::from_str::<Value>(text)
            && !value.is_null()
        {
            object.insert(attribute.to_owned(), value);
        }
    }
    let mut schemas = vec![Value::String(USER_SCHEMA_ID.to_owned())];
    for key in object.keys() {
        if key.starts_with("urn:") {
            schemas.push(Value::String(key.clone()));
        }
    }
    object.insert("schemas".into(), Value::Array(schemas));
    object.insert("id".into(), Value::String(view.id.clone()));
    if let Some(external) = metadata.get(external_id_key) {
        object.insert("externalId".into(), Value::String(external.clone()));
    }
    object.insert("userName".into(), Value::String(view.username.clone()));
    let unset: Vec<String> = metadata
        .get(UNSET)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let is_unset = |name: &str| unset.iter().any(|u| u == name);
    // The name: the stored parts, with Castellan's given and family names.
    if !is_unset("name") {
        let mut name = match object.remove("name") {
            Some(Value::Object(name)) => name,
            _ => Map::new(),
        };
        name.insert("givenName".into(), Value::String(view.given_name.clone()));
        name.insert("familyName".into(), Value::String(view.family_name.clone()));
        object.insert("name".into(), Value::Object(name));
    }
    for (attribute, value) in [
        ("displayName", &view.display_name),
        ("nickName", &view.nick_name),
        ("preferredLanguage", &view.preferred_language),
    ] {
        if !value.is_empty() && !is_unset(attribute) {
            object.insert(attribute.into(), Value::String(value.clone()));
        }
    }
    overlay_primary(&mut object, "emails", &view.email);
    overlay_primary(&mut object, "phoneNumbers", &view.phone);
    let active = view.state == UserStateView::Active;
    if !(active && is_unset("active")) {
        object.insert("active".into(), Value::Bool(active));
    }
    object.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": datetime(view.created),
            "lastModified": datetime(view.changed),
            "location": format!("{base_url}/Users/{}", view.id),
            "version": etag(view),
        }),
    );
    Value::Object(object)
}

/// What a SCIM User asks Castellan to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub nick_name: String,
    pub preferred_language: String,
    pub email: String,
    pub phone: String,
    pub active: bool,
    pub password: Option<String>,
    pub external_id: Option<String>,
    /// Metadata key → text, for every SCIM attribute without a native home.
    pub metadata: BTreeMap<String, String>,
}

fn text_at<'a>(object: &'a Map<String, Value>, name: &str) -> &'a str {
    get_ci(object, name).and_then(Value::as_str).unwrap_or("")
}

/// The primary (else first) `value` of a multi-valued attribute.
fn primary_value(object: &Map<String, Value>, name: &str) -> String {
    let Some(Value::Array(list)) = get_ci(object, name) else {
        return String::new();
    };
    let primary = list
        .iter()
        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| list.first());
    primary
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// Reads a prepared (coerced, validated) SCIM User.
pub fn desired(resource: &Value, external_id_key: &str) -> Result<Desired, ScimError> {
    let object = resource
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the resource must be a JSON object"))?;
    let username = text_at(object, "userName").trim().to_owned();
    if username.is_empty() {
        return Err(ScimError::invalid_value("userName is required"));
    }
    let name = get_ci(object, "name").and_then(Value::as_object);
    let part = |key: &str| {
        name.map(|n| text_at(n, key).trim().to_owned())
            .unwrap_or_default()
    };
    // Castellan requires given and family names; a client that sends none gets the user name
    // in both (the resource reads back with the name it sent: none).
    let given_name = Some(part("givenName"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| username.clone());
    let family_name = Some(part("familyName"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| username.clone());
    let display_name = text_at(object, "displayName").trim().to_owned();
    let display_name = if display_name.is_empty() {
        part("formatted")
    } else {
        display_name
    };
    let mut metadata = BTreeMap::new();
    for (key, value) in object {
        if NATIVE.iter().any(|n| n.eq_ignore_ascii_case(key)) || value.is_null() {
            continue;
        }
        metadata.insert(format!("{META_PREFIX}{key}"), value.to_string());
    }
    let unset: Vec<&str> = OPTIONAL_NATIVE
        .iter()
        .copied()
        .filter(|n| get_ci(object, n).is_none_or(Value::is_null))
        .collect();
    if !unset.is_empty() {
        metadata.insert(UNSET.to_owned(), json!(unset).to_string());
    }
    let external_id = Some(text_at(object, "externalId").to_owned()).filter(|e| !e.is_empty());
    if let Some(external) = &external_id {
        metadata.insert(external_id_key.to_owned(), external.clone());
    }
    Ok(Desired {
        username,
        given_name,
        family_name,
        display_name,
        nick_name: text_at(object, "nickName").trim().to_owned(),
        preferred_language: text_at(object, "preferredLanguage").trim().to_owned(),
        email: primary_value(object, "emails"),
        // Castellan keeps international numbers; any other form stays in the metadata only.
        phone: Some(primary_value(object, "phoneNumbers"))
            .filter(|p| castellan_core::user::validate_phone(p).is_ok())
            .unwrap_or_default(),
        active: get_ci(object, "active")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        password: get_ci(object, "password")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        external_id,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_rfc3339() {
        assert_eq!(datetime(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            datetime(Timestamp(1_714_000_000_123_456)),
            "2024-04-24T23:06:40.123456Z"
        );
    }

    #[test]
    fn a_resource_splits_into_native_fields_and_metadata() {
        let resource = json!({
            "schemas": [USER_SCHEMA_ID],
            "userName": "bjensen",
            "externalId": "ext-1",
            "name": {"givenName": "Barbara", "familyName": "Jensen", "middleName": "J"},
            "emails": [{"value": "b@example.com", "type": "work"}, {"value": "home@example.com", "type": "home", "primary": true}],
            "active": false,
            "title": "Tour Guide",
        });
        let d = desired(&resource, "urn:zitadel:scim:externalId").unwrap();
        assert_eq!(d.username, "bjensen");
        assert_eq!(d.email, "home@example.com");
        assert!(!d.active);
        assert_eq!(d.external_id.as_deref(), Some("ext-1"));
        assert_eq!(d.metadata["urn:zitadel:scim:title"], "\"Tour Guide\"");
        assert_eq!(d.metadata["urn:zitadel:scim:externalId"], "ext-1");
        assert!(d.metadata.contains_key("urn:zitadel:scim:emails"));
        assert!(!d.metadata.contains_key("urn:zitadel:scim:userName"));
    }

    #[test]
    fn without_a_name_the_username_fills_in_and_none_reads_back() {
        let d = desired(&json!({"userName": "x"}), "k").unwrap();
        assert_eq!((d.given_name.as_str(), d.family_name.as_str()), ("x", "x"));
        assert_eq!(d.metadata[UNSET], r#"["name","displayName","active"]"#);
    }
}
