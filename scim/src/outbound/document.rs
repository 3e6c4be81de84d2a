//! The SCIM documents Castellan wants a target to hold: a user or group's state mapped to the
//! core schemas (plus the target's attribute mappings), and the comparison that tells whether
//! the target already holds it.
//!
//! The default user document: `externalId` = the Castellan user id (the key every push looks
//! the user up by), `userName`, `name` (given, family, formatted), `displayName`, `nickName`,
//! `preferredLanguage`, one primary work email, a work phone, and `active` (false for a
//! deactivated user; a locked user stays active: locking is a login matter). Mappings then set
//! (or, when the source is empty, remove) further attributes.

use base64::Engine;
use castellan_core::group::Group;
use castellan_core::scim_target::AttributeMapping;
use castellan_core::user::{User, UserState};
use serde_json::{Map, Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The value of a mapping source for a user (empty when the user has none).
fn source_value(user: &User, user_id: &str, source: &str) -> String {
    if let Some(key) = source.strip_prefix("metadata.") {
        return user
            .metadata
            .get(key)
            .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
    }
    match source {
        "id" => user_id.to_owned(),
        "userName" => user.username.clone(),
        "email" => user.email.clone(),
        "givenName" => user.profile.given_name.clone(),
        "familyName" => user.profile.family_name.clone(),
        "displayName" => user.profile.display_name.clone(),
        "nickName" => user.profile.nick_name.clone(),
        "preferredLanguage" => user.profile.preferred_language.clone(),
        "phone" => user.phone.clone(),
        "orgId" => user.org_id.clone(),
        _ => String::new(),
    }
}

fn put_if(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}

/// The user as the target should hold it (without the target's `id`).
pub fn user_document(user: &User, user_id: &str, mapping: &[AttributeMapping]) -> Value {
    let profile = &user.profile;
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([USER_SCHEMA]));
    doc.insert("externalId".into(), Value::String(user_id.to_owned()));
    doc.insert("userName".into(), Value::String(user.username.clone()));
    let mut name = Map::new();
    put_if(&mut name, "givenName", &profile.given_name);
    put_if(&mut name, "familyName", &profile.family_name);
    let formatted = format!("{} {}", profile.given_name, profile.family_name);
    put_if(&mut name, "formatted", formatted.trim());
    if !name.is_empty() {
        doc.insert("name".into(), Value::Object(name));
    }
    put_if(&mut doc, "displayName", &profile.display_name);
    put_if(&mut doc, "nickName", &profile.nick_name);
    put_if(&mut doc, "preferredLanguage", &profile.preferred_language);
    if !user.email.is_empty() {
        doc.insert(
            "emails".into(),
            json!([{"value": user.email, "type": "work", "primary": true}]),
        );
    }
    if !user.phone.is_empty() {
        doc.insert(
            "phoneNumbers".into(),
            json!([{"value": user.phone, "type": "work"}]),
        );
    }
    doc.insert(
        "active".into(),
        Value::Bool(matches!(user.state, UserState::Active | UserState::Locked)),
    );
    for entry in mapping {
        let value = source_value(user, user_id, &entry.source);
        set_path(&mut doc, &entry.target, &value);
    }
    Value::Object(doc)
}

/// Sets (or, for an empty value, removes) `target`: `attr`, `attr.sub`, or either after a
/// schema URN, which then joins `schemas`.
fn set_path(doc: &mut Map<String, Value>, target: &str, value: &str) {
    let (container, path) = match target.rfind(':') {
        Some(index) if target.starts_with("urn:") => {
            let urn = target.get(..index).unwrap_or_default();
            let path = target.get(index + 1..).unwrap_or_default();
            if !value.is_empty() {
                if let Some(Value::Array(schemas)) = doc.get_mut("schemas")
                    && !schemas.iter().any(|s| s.as_str() == Some(urn))
                {
                    schemas.push(Value::String(urn.to_owned()));
                }
                doc.entry(urn.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            match doc.get_mut(urn) {
                Some(Value::Object(extension)) => (extension, path),
                _ => return,
            }
        }
        _ => (doc, target),
    };
    let (head, sub) = match path.split_once('.') {
        Some((head, sub)) => (head, Some(sub)),
        None => (path, None),
    };
    match sub {
        None if value.is_empty() => {
            container.remove(head);
        }
        None => {
            container.insert(head.to_owned(), Value::String(value.to_owned()));
        }
        Some(sub) => {
            if value.is_empty() {
                if let Some(Value::Object(inner)) = container.get_mut(head) {
                    inner.remove(sub);
                }
                return;
            }
            let inner = container
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                inner.insert(sub.to_owned(), Value::String(value.to_owned()));
            }
        }
    }
}

/// The group as the target should hold it; `members` are the target's ids of its members.
pub fn group_document(group: &Group, group_id: &str, members: &[String]) -> Value {
    let members: Vec<Value> = members.iter().map(|id| json!({ "value": id })).collect();
    json!({
        "schemas": [GROUP_SCHEMA],
        "externalId": group_id,
        "displayName": group.name,
        "members": members,
    })
}

/// Whether `remote` already holds everything `desired` says: every attribute of `desired`
/// (names compared case-insensitively, as SCIM does) is in `remote` with the same value;
/// arrays hold the same number of elements, each desired one matched by a remote one.
/// `schemas` is not compared (servers add their extensions).
pub fn holds(remote: &Value, desired: &Value) -> bool {
    match (remote, desired) {
        (Value::Object(remote), Value::Object(desired)) => desired.iter().all(|(key, want)| {
            if key == "schemas" {
                return true;
            }
            remote
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .is_some_and(|(_, have)| holds(have, want))
        }),
        (Value::Array(remote), Value::Array(desired)) => {
            remote.len() == desired.len()
                && desired
                    .iter()
                    .all(|want| remote.iter().any(|have| holds(have, want)))
        }
        (remote, desired) => remote == desired,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use castellan_core::user::HumanProfile;

    use super::*;

    fn user() -> User {
        let mut user = User {
            org_id: "org-1".into(),
            state: UserState::Active,
            username: "ada@example.com".into(),
            email: "ada@example.com".into(),
            profile: HumanProfile {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                ..HumanProfile::default()
            },
            ..User::default()
        };
        user.metadata.insert(
            "department".into(),
            base64::engine::general_purpose::STANDARD.encode("Analytics"),
        );
        user
    }

    #[test]
    fn the_default_document_keys_the_user_by_its_castellan_id() {
        let doc = user_document(&user(), "u-1", &[]);
        assert_eq!(doc["externalId"], "u-1");
        assert_eq!(doc["userName"], "ada@example.com");
        assert_eq!(doc["name"]["formatted"], "Ada Lovelace");
        assert_eq!(doc["emails"][0]["primary"], true);
        assert_eq!(doc["active"], true);
        assert!(
            doc.get("displayName").is_none(),
            "empty values are left out"
        );
        let mut inactive = user();
        inactive.state = UserState::Inactive;
        assert_eq!(user_document(&inactive, "u-1", &[])["active"], false);
    }

    #[test]
    fn mappings_set_extension_attributes_and_empty_sources_remove() {
        let mapping = vec![
            AttributeMapping {
                target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
                    .into(),
                source: "metadata.department".into(),
            },
            AttributeMapping {
                target: "name.givenName".into(),
                source: "nickName".into(),
            },
            AttributeMapping {
                target: "title".into(),
                source: "metadata.title".into(),
            },
        ];
        let doc = user_document(&user(), "u-1", &mapping);
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(doc[enterprise]["department"], "Analytics");
        assert_eq!(doc["schemas"][1], enterprise);
        assert!(doc["name"].get("givenName").is_none());
        assert!(doc.get("title").is_none());
    }

    #[test]
    fn a_remote_with_extra_attributes_holds_the_document_and_a_changed_one_does_not() {
        let desired = user_document(&user(), "u-1", &[]);
        let mut remote = desired.clone();
        remote["id"] = json!("remote-1");
        remote["meta"] = json!({"resourceType": "User"});
        remote["schemas"] = json!([USER_SCHEMA, "urn:x"]);
        assert!(holds(&remote, &desired));
        remote["name"]["familyName"] = json!("Byron");
        assert!(!holds(&remote, &desired));
        let mut fewer = desired.clone();
        fewer["emails"] = json!([]);
        assert!(!holds(&fewer, &desired));
    }
}
