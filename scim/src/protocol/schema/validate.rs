//! Checking and preparing whole resources: POST bodies, PUT bodies (RFC 7644 §3.3, §3.5.1) and
//! PATCH results.

use serde_json::{Map, Value, json};

use super::coerce::coerce;
use super::model::{AttrType, Attribute, Mutability};
use super::resource_type::{COMMON_ATTRIBUTES, ResourceType};
use crate::protocol::datetime::parse_datetime;
use crate::protocol::error::ScimError;
use crate::protocol::json::{get_ci, get_ci_mut, is_unassigned, key_ci, remove_ci};

/// Checks that a value has the attribute's declared type (400 `invalidValue`): a complex value
/// must be an object whose known sub-attributes are typed, a multi-valued one an array (or a
/// lone value), a dateTime a parseable xsd:dateTime string. `null` is always accepted.
pub fn check_type(value: &Value, attribute: &Attribute) -> Result<(), ScimError> {
    if let (true, Value::Array(items)) = (attribute.multi_valued, value) {
        return items
            .iter()
            .try_for_each(|item| check_single(item, attribute));
    }
    check_single(value, attribute)
}

fn check_single(value: &Value, attribute: &Attribute) -> Result<(), ScimError> {
    let ok = match attribute.kind {
        AttrType::String | AttrType::Reference | AttrType::Binary => value.is_string(),
        AttrType::DateTime => value.as_str().is_some_and(|s| parse_datetime(s).is_some()),
        AttrType::Boolean => value.is_boolean(),
        AttrType::Integer => value.is_i64() || value.is_u64(),
        AttrType::Decimal => value.is_number(),
        AttrType::Complex => match value {
            Value::Object(object) => {
                for (key, inner) in object {
                    if let Some(sub) = attribute.sub_attribute(key) {
                        check_type(inner, sub)?;
                    }
                }
                true
            }
            _ => false,
        },
    };
    if ok || value.is_null() {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "'{}' must be of type {}, not {value}",
            attribute.name,
            attribute.kind.as_str()
        )))
    }
}

fn top_attribute(resource_type: &ResourceType, key: &str) -> Option<&'static Attribute> {
    resource_type.schema.attribute(key).or_else(|| {
        COMMON_ATTRIBUTES
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(key))
    })
}

/// Checks a whole resource: required attributes (e.g. `userName`, a Group's `displayName`) and
/// required extensions are present and known attributes are typed (400 `invalidValue`).
/// Unknown attributes are ignored.
pub fn validate_resource(resource: &Value, resource_type: &ResourceType) -> Result<(), ScimError> {
    let object = resource
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the resource must be a JSON object"))?;
    for attribute in resource_type.schema.attributes {
        let value = get_ci(object, attribute.name);
        if attribute.required && value.is_none_or(is_unassigned) {
            return Err(ScimError::invalid_value(format!(
                "'{}' is required",
                attribute.name
            )));
        }
    }
    for (key, value) in object {
        if let Some(schema) = resource_type.extension(key) {
            let inner = value.as_object().ok_or_else(|| {
                ScimError::invalid_value(format!("'{}' must be an object", schema.id))
            })?;
            for (name, inner_value) in inner {
                if let Some(attribute) = schema.attribute(name) {
                    check_type(inner_value, attribute)?;
                }
            }
        } else if let Some(attribute) = top_attribute(resource_type, key) {
            check_type(value, attribute)?;
        }
    }
    for extension in resource_type.extensions.iter().filter(|e| e.required) {
        if get_ci(object, extension.schema.id).is_none_or(is_unassigned) {
            return Err(ScimError::invalid_value(format!(
                "the extension '{}' is required",
                extension.schema.id
            )));
        }
    }
    Ok(())
}

/// Drops empty extension objects and makes `schemas` list the core schema and exactly the
/// extensions the resource carries.
pub fn sync_schemas(resource: &mut Value, resource_type: &ResourceType) {
    let Some(top) = resource.as_object_mut() else {
        return;
    };
    if key_ci(top, "schemas").is_none() {
        top.insert("schemas".into(), json!([resource_type.schema.id]));
    }
    for extension in resource_type.extensions {
        let id = extension.schema.id;
        let present = get_ci(top, id).is_some_and(|v| !is_unassigned(v));
        if !present {
            remove_ci(top, id);
        }
        let Some(Value::Array(schemas)) = get_ci_mut(top, "schemas") else {
            continue;
        };
        let is_id = |s: &Value| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(id));
        let listed = schemas.iter().any(is_id);
        if present && !listed {
            schemas.push(json!(id));
        } else if !present && listed {
            schemas.retain(|s| !is_id(s));
        }
    }
}

/// Prepares a POST body: string booleans coerced, `readOnly` attributes the client sent (`id`,
/// `meta`, a User's `groups`) dropped as RFC 7643 §7 says, `schemas` synced, then validated.
/// The server then adds `id` and `meta`.
pub fn prepare_create(body: &Value, resource_type: &ResourceType) -> Result<Value, ScimError> {
    let mut resource = body.clone();
    coerce(&mut resource, resource_type);
    let object = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_syntax("the resource must be a JSON object"))?;
    drop_read_only(object, resource_type);
    sync_schemas(&mut resource, resource_type);
    validate_resource(&resource, resource_type)?;
    Ok(resource)
}

/// Prepares a PUT body against the stored resource (RFC 7644 §3.5.1): like [`prepare_create`],
/// but `readOnly` attributes keep the stored values, and an `immutable` attribute already set
/// must be sent unchanged (else 400 `mutability`).
pub fn prepare_replace(
    existing: &Value,
    body: &Value,
    resource_type: &ResourceType,
) -> Result<Value, ScimError> {
    let mut resource = body.clone();
    coerce(&mut resource, resource_type);
    let stored = existing.as_object().cloned().unwrap_or_default();
    let object = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_syntax("the resource must be a JSON object"))?;
    drop_read_only(object, resource_type);
    for (key, value) in &stored {
        let Some(attribute) = top_attribute(resource_type, key) else {
            continue;
        };
        match attribute.mutability {
            Mutability::ReadOnly if attribute.name != "schemas" => {
                object.insert(attribute.name.to_owned(), value.clone());
            }
            Mutability::Immutable
                if !is_unassigned(value) && get_ci(object, key) != Some(value) =>
            {
                return Err(ScimError::mutability(format!(
                    "'{}' is immutable and already set",
                    attribute.name
                )));
            }
            _ => {}
        }
    }
    sync_schemas(&mut resource, resource_type);
    validate_resource(&resource, resource_type)?;
    Ok(resource)
}

fn drop_read_only(object: &mut Map<String, Value>, resource_type: &ResourceType) {
    let read_only: Vec<String> = object
        .keys()
        .filter(|key| {
            top_attribute(resource_type, key)
                .is_some_and(|a| a.mutability == Mutability::ReadOnly && a.name != "schemas")
        })
        .cloned()
        .collect();
    for key in read_only {
        object.remove(&key);
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
