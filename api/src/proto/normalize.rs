//! The one place where a request's JSON is brought into canonical proto3 JSON form before it is
//! decoded into a typed message:
//!
//! - `null` means "not set" for every field (proto3 JSON; the official SDKs send explicit nulls),
//!   so object members whose value is `null` are dropped, at every depth;
//! - a field may be named by its original proto name (`organization_id`) or its lowerCamelCase
//!   JSON name (`organizationId`); names are rewritten to the JSON name, so the wire types only
//!   know one spelling. Where both spellings of one field are present, the JSON name wins.
//!
//! Values of `google.protobuf.Struct` fields (free-form JSON such as hosted-login translations)
//! are kept as sent: their keys are data, not field names.

use serde_json::{Map, Value};

/// Fields whose values are free-form JSON objects, not messages.
const OPAQUE_FIELDS: &[&str] = &["translations", "customTexts"];

/// Rewrites `value` in place into canonical form.
pub fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => normalize_object(map),
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

fn normalize_object(map: &mut Map<String, Value>) {
    let entries = std::mem::take(map);
    let mut renamed = Vec::new();
    for (name, mut value) in entries {
        if value.is_null() {
            continue;
        }
        let json_name = json_name(&name);
        if !OPAQUE_FIELDS.contains(&json_name.as_str()) {
            normalize(&mut value);
        }
        if json_name == name {
            map.insert(name, value);
        } else {
            renamed.push((json_name, value));
        }
    }
    for (name, value) in renamed {
        map.entry(name).or_insert(value);
    }
}

/// The lowerCamelCase JSON name of a proto field name (`organization_id` → `organizationId`);
/// names without underscores are returned unchanged.
pub fn json_name(name: &str) -> String {
    if !name.contains('_') {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nulls_are_dropped_and_names_become_json_names_at_every_depth() {
        let mut value = json!({
            "organization_id": "o1",
            "userId": null,
            "human": {
                "profile": {"given_name": "Ada", "nick_name": null},
                "email": {"email": "a@b.c", "is_verified": true}
            },
            "queries": [{"user_name_query": {"user_name": "x", "method": null}}],
            "keep": [null, 1]
        });
        normalize(&mut value);
        assert_eq!(
            value,
            json!({
                "organizationId": "o1",
                "human": {
                    "profile": {"givenName": "Ada"},
                    "email": {"email": "a@b.c", "isVerified": true}
                },
                "queries": [{"userNameQuery": {"userName": "x"}}],
                "keep": [null, 1]
            })
        );
    }

    #[test]
    fn the_json_name_wins_over_the_proto_name_and_struct_values_are_kept() {
        let mut value = json!({
            "org_id": "proto",
            "orgId": "json",
            "translations": {"common_title": "Hi", "x": null}
        });
        normalize(&mut value);
        assert_eq!(
            value,
            json!({"orgId": "json", "translations": {"common_title": "Hi", "x": null}})
        );
    }

    #[test]
    fn json_names_follow_protoc() {
        assert_eq!(json_name("organization_id"), "organizationId");
        assert_eq!(json_name("idp_links"), "idpLinks");
        assert_eq!(json_name("asc"), "asc");
        assert_eq!(json_name("totp_secret"), "totpSecret");
    }
}
