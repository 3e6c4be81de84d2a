//! Applying a parsed PATCH request to a resource: path resolution, mutability, atomicity.

use serde_json::{Map, Value, json};

use super::ops::{Selection, add_whole, element_op, remove_whole, replace_whole, sub_op};
use super::{PatchOpKind, PatchOperation, PatchPath, PatchRequest};
use crate::protocol::error::ScimError;
use crate::protocol::json::{get_ci, get_ci_mut, is_unassigned, remove_ci};
use crate::protocol::path::AttrPath;
use crate::protocol::schema::{
    Location, Mutability, ResourceType, Schema, coerce_value, sync_schemas,
};

/// Applies every operation in order to `resource` (a User or Group of `resource_type`). The
/// PATCH is atomic: on any error `resource` is left untouched. Values are coerced to the
/// schema's types (string booleans) first; `readOnly` attributes (`id`, `meta`, a User's
/// `groups`) are 400 `mutability`, as are changes to an `immutable` attribute already set;
/// unknown attributes are `invalidPath`; mistyped values `invalidValue`; value filters matching
/// nothing `noTarget`. Afterwards `schemas` lists exactly the extensions the resource carries.
pub fn apply_patch(
    resource: &mut Value,
    request: &PatchRequest,
    resource_type: &ResourceType,
) -> Result<(), ScimError> {
    if !resource.is_object() {
        return Err(ScimError::invalid_syntax(
            "the resource is not a JSON object",
        ));
    }
    let mut working = resource.clone();
    for (index, operation) in request.operations.iter().enumerate() {
        apply_operation(&mut working, operation, resource_type).map_err(|e| ScimError {
            detail: format!("operation {index}: {}", e.detail),
            ..e
        })?;
    }
    sync_schemas(&mut working, resource_type);
    *resource = working;
    Ok(())
}

fn apply_operation(
    resource: &mut Value,
    operation: &PatchOperation,
    resource_type: &ResourceType,
) -> Result<(), ScimError> {
    let value = operation.value.as_ref();
    match (&operation.path, operation.op, value) {
        (Some(path), op, value) => apply_path(resource, op, path, value, resource_type, false),
        (None, PatchOpKind::Add | PatchOpKind::Replace, Some(value)) => {
            apply_object(resource, operation.op, value, resource_type, None)
        }
        (None, _, _) => Err(ScimError::no_target("the operation needs a 'path'")),
    }
}

/// An add/replace whose value is an object of attributes: the resource itself (no path) or an
/// extension object. Keys may be URN-qualified (`urn:...:enterprise:2.0:User:employeeNumber`)
/// or extension URNs holding an object; `schemas` is ignored (kept in sync afterwards).
fn apply_object(
    resource: &mut Value,
    kind: PatchOpKind,
    value: &Value,
    resource_type: &ResourceType,
    extension: Option<&'static Schema>,
) -> Result<(), ScimError> {
    let object = value.as_object().ok_or_else(|| {
        ScimError::invalid_value("without a path the value must be an object of attributes")
    })?;
    for (key, inner) in object {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if extension.is_none()
            && let Some(schema) = resource_type.extension(key)
        {
            apply_extension(resource, kind, inner, resource_type, schema)?;
            continue;
        }
        let text = match extension {
            Some(schema) => format!("{}:{key}", schema.id),
            None => key.clone(),
        };
        let path = PatchPath::parse(&text)?;
        apply_path(resource, kind, &path, Some(inner), resource_type, true)?;
    }
    Ok(())
}

/// An operation whose target is a whole extension object.
fn apply_extension(
    resource: &mut Value,
    kind: PatchOpKind,
    value: &Value,
    resource_type: &ResourceType,
    schema: &'static Schema,
) -> Result<(), ScimError> {
    let unassign =
        kind == PatchOpKind::Remove || (kind == PatchOpKind::Replace && is_unassigned(value));
    if unassign {
        if let Some(top) = resource.as_object_mut() {
            remove_ci(top, schema.id);
        }
        return Ok(());
    }
    if !value.is_object() {
        return Err(ScimError::invalid_value(format!(
            "'{}' takes an object",
            schema.id
        )));
    }
    apply_object(resource, kind, value, resource_type, Some(schema))
}

fn apply_path(
    resource: &mut Value,
    kind: PatchOpKind,
    path: &PatchPath,
    value: Option<&Value>,
    resource_type: &ResourceType,
    lenient: bool,
) -> Result<(), ScimError> {
    if let Some(schema) = resource_type.extension(&path.raw) {
        let value = value.unwrap_or(&Value::Null);
        return apply_extension(resource, kind, value, resource_type, schema);
    }
    let top = AttrPath {
        sub: None,
        ..path.attribute.clone()
    };
    let resolved = resource_type
        .resolve(&top)
        .ok_or_else(|| ScimError::invalid_path(format!("unknown attribute '{}'", path.raw)))?;
    let attribute = resolved.attribute;
    let sub = match path.attribute.sub.as_deref().or(path.sub.as_deref()) {
        Some(name) => Some(attribute.sub_attribute(name).ok_or_else(|| {
            ScimError::invalid_path(format!("unknown sub-attribute in '{}'", path.raw))
        })?),
        None => None,
    };
    if path.filter.is_some() && !attribute.multi_valued {
        return Err(ScimError::invalid_path(format!(
            "'{}' is not multi-valued and takes no value filter",
            attribute.name
        )));
    }
    let mut value = value.cloned();
    if let Some(value) = value.as_mut() {
        coerce_value(value, sub.unwrap_or(attribute));
    }
    let Some(container) = container_mut(resource, resolved.location, kind != PatchOpKind::Remove)?
    else {
        return match path.filter {
            Some(_) => Err(ScimError::no_target(format!(
                "'{}' matches nothing",
                path.raw
            ))),
            None => Ok(()),
        };
    };
    let whole = path.filter.is_none() && sub.is_none();
    let current = get_ci(container, attribute.name).filter(|v| !is_unassigned(v));
    if attribute.mutability == Mutability::ReadOnly
        || sub.is_some_and(|s| s.mutability == Mutability::ReadOnly)
    {
        if lenient && whole && value.as_ref() == current {
            return Ok(());
        }
        return Err(ScimError::mutability(format!("'{}' is readOnly", path.raw)));
    }
    if attribute.mutability == Mutability::Immutable
        && whole
        && let Some(current) = current
    {
        if kind != PatchOpKind::Remove && value.as_ref() == Some(current) {
            return Ok(());
        }
        return Err(ScimError::mutability(format!(
            "'{}' is immutable and already set",
            path.raw
        )));
    }
    match (&path.filter, sub) {
        (None, None) => match (kind, value.as_ref()) {
            (PatchOpKind::Add, Some(value)) => add_whole(container, attribute, value),
            (PatchOpKind::Replace, Some(value)) => replace_whole(container, attribute, value),
            (PatchOpKind::Remove, value) => {
                remove_whole(container, attribute, value);
                Ok(())
            }
            (_, None) => Err(ScimError::invalid_value("add and replace need a 'value'")),
        },
        (None, Some(sub)) => sub_op(container, kind, attribute, sub, value.as_ref()),
        (Some(filter), sub) => {
            let selection = Selection {
                attribute,
                path: &top,
                filter,
                sub,
            };
            element_op(container, kind, &selection, value.as_ref(), resource_type)
        }
    }
}

/// The object an attribute at `location` lives in; an extension object is created when
/// `create` (and `None` is returned when it is absent and not created).
fn container_mut(
    resource: &mut Value,
    location: Location,
    create: bool,
) -> Result<Option<&mut Map<String, Value>>, ScimError> {
    let top = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_syntax("the resource is not a JSON object"))?;
    let Location::Extension(id) = location else {
        return Ok(Some(top));
    };
    if get_ci(top, id).is_none_or(Value::is_null) {
        if !create {
            return Ok(None);
        }
        remove_ci(top, id);
        top.insert(id.to_owned(), json!({}));
    }
    match get_ci_mut(top, id) {
        Some(Value::Object(extension)) => Ok(Some(extension)),
        _ => Err(ScimError::invalid_value(format!("'{id}' is not an object"))),
    }
}
