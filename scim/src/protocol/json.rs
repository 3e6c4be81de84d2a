//! Case-insensitive access to JSON objects: SCIM attribute names ignore case (RFC 7643 §2.1).

use serde_json::{Map, Value};

use crate::protocol::path::AttrPath;

/// The stored spelling of `key` in `map`, compared case-insensitively.
pub fn key_ci(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// The value under `key`, compared case-insensitively.
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The mutable value under `key`, compared case-insensitively.
pub fn get_ci_mut<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    map.iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Removes every spelling of `key`; returns the first value removed.
pub fn remove_ci(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    let keys: Vec<String> = map
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(key))
        .cloned()
        .collect();
    let mut first = None;
    for k in keys {
        let removed = map.remove(&k);
        if first.is_none() {
            first = removed;
        }
    }
    first
}

/// Stores `value` under `key`, replacing any other spelling of it.
pub fn set_ci(map: &mut Map<String, Value>, key: &str, value: Value) {
    remove_ci(map, key);
    map.insert(key.to_owned(), value);
}

/// Whether `value` is unassigned in SCIM's sense (RFC 7643 §2.5): null, an empty array, an empty
/// string, or an object whose members are all unassigned.
pub fn is_unassigned(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.iter().all(is_unassigned),
        Value::Object(map) => map.values().all(is_unassigned),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The object holding `path`'s attribute: the extension object keyed by its URN when the resource
/// has one, otherwise the resource itself (unqualified and core-qualified names are top-level).
pub fn container<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Map<String, Value>> {
    let top = resource.as_object()?;
    match path.urn.as_deref().and_then(|urn| get_ci(top, urn)) {
        Some(Value::Object(extension)) => Some(extension),
        _ => Some(top),
    }
}

/// The raw value of `path`'s top-level attribute (its sub-attribute is not followed).
pub fn attribute_value<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Value> {
    get_ci(container(resource, path)?, &path.name)
}

/// Every value `path` reaches, with multi-valued attributes flattened: `emails.value` yields each
/// email's `value`. A complex value addressed without a sub-attribute yields the object itself.
pub fn values_at<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let mut out = Vec::new();
    if let Some(value) = attribute_value(resource, path) {
        collect(value, path.sub.as_deref(), &mut out);
    }
    out
}

/// Pushes `value` (following `sub`), flattening arrays.
pub fn collect<'a>(value: &'a Value, sub: Option<&str>, out: &mut Vec<&'a Value>) {
    match (value, sub) {
        (Value::Array(items), _) => {
            for item in items {
                collect(item, sub, out);
            }
        }
        (Value::Object(map), Some(sub)) => {
            if let Some(inner) = get_ci(map, sub) {
                collect(inner, None, out);
            }
        }
        (_, Some(_)) => {}
        (other, None) => out.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_ignore_case() {
        let mut map = json!({"userName": "a", "Active": true})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(get_ci(&map, "USERNAME"), Some(&json!("a")));
        assert_eq!(key_ci(&map, "active").as_deref(), Some("Active"));
        set_ci(&mut map, "active", json!(false));
        assert_eq!(map.get("active"), Some(&json!(false)));
        assert!(!map.contains_key("Active"));
        *get_ci_mut(&mut map, "username").unwrap() = json!("b");
        assert_eq!(remove_ci(&mut map, "userNAME"), Some(json!("b")));
        assert!(get_ci(&map, "userName").is_none());
    }

    #[test]
    fn values_follow_urns_sub_attributes_and_arrays() {
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let user = json!({
            "userName": "a",
            "emails": [{"value": "x@a"}, {"value": "y@a"}],
            enterprise: {"manager": {"value": "m"}},
        });
        let emails = AttrPath::parse("emails.value").unwrap();
        assert_eq!(
            values_at(&user, &emails),
            vec![&json!("x@a"), &json!("y@a")]
        );
        let manager = AttrPath::parse(&format!("{enterprise}:manager.value")).unwrap();
        assert_eq!(values_at(&user, &manager), vec![&json!("m")]);
        let core = AttrPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:USERNAME").unwrap();
        assert_eq!(values_at(&user, &core), vec![&json!("a")]);
        assert!(values_at(&user, &AttrPath::new("missing")).is_empty());
        assert!(values_at(&json!("not an object"), &AttrPath::new("a")).is_empty());
    }

    #[test]
    fn unassigned_values() {
        for value in [
            json!(null),
            json!(""),
            json!([]),
            json!({}),
            json!({"value": ""}),
        ] {
            assert!(is_unassigned(&value), "{value}");
        }
        for value in [json!(false), json!(0), json!("x"), json!([{"value": "1"}])] {
            assert!(!is_unassigned(&value), "{value}");
        }
    }
}
