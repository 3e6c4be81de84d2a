//! Type coercion of incoming bodies: Microsoft Entra sends booleans as strings (`"True"`).

use serde_json::Value;

use super::model::{AttrType, Attribute, Schema};
use super::resource_type::{COMMON_ATTRIBUTES, ResourceType};

/// Turns `"true"`/`"False"` (any case, surrounding spaces ignored) into JSON booleans wherever the
/// schema declares a boolean attribute, in core attributes, sub-attributes and extension objects.
/// Everything else is left as it is. Call it on POST and PUT bodies; PATCH applies it itself.
pub fn coerce(resource: &mut Value, resource_type: &ResourceType) {
    let Some(object) = resource.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        if let Some(extension) = resource_type.extension(key) {
            coerce_object(value, extension);
        } else if let Some(attribute) = top_attribute(resource_type.schema, key) {
            coerce_value(value, attribute);
        }
    }
}

fn top_attribute(schema: &Schema, key: &str) -> Option<&'static Attribute> {
    schema.attribute(key).or_else(|| {
        COMMON_ATTRIBUTES
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(key))
    })
}

fn coerce_object(value: &mut Value, schema: &Schema) {
    if let Some(object) = value.as_object_mut() {
        for (key, inner) in object.iter_mut() {
            if let Some(attribute) = schema.attribute(key) {
                coerce_value(inner, attribute);
            }
        }
    }
}

/// Coerces one attribute value (an array element by element, an object sub-attribute by
/// sub-attribute).
pub fn coerce_value(value: &mut Value, attribute: &Attribute) {
    match value {
        Value::Array(items) => {
            for item in items {
                coerce_value(item, attribute);
            }
        }
        Value::Object(object) if attribute.kind == AttrType::Complex => {
            for (key, inner) in object.iter_mut() {
                if let Some(sub) = attribute.sub_attribute(key) {
                    coerce_value(inner, sub);
                }
            }
        }
        Value::String(text) if attribute.kind == AttrType::Boolean => {
            if let Some(flag) = parse_bool(text) {
                *value = Value::Bool(flag);
            }
        }
        _ => {}
    }
}

/// `"true"`/`"false"` in any case, ignoring surrounding spaces.
pub fn parse_bool(text: &str) -> Option<bool> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("true") {
        Some(true)
    } else if trimmed.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
