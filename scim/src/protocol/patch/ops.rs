//! Attribute-level PATCH operations on the JSON object holding the attribute (the resource, or
//! an extension object): whole attributes, sub-attributes and values selected by a filter.

use serde_json::{Map, Value};

use super::PatchOpKind;
use crate::protocol::error::ScimError;
use crate::protocol::filter::{CompareOp, Filter, matches_element};
use crate::protocol::json::{get_ci, is_unassigned, remove_ci, set_ci};
use crate::protocol::path::AttrPath;
use crate::protocol::schema::{AttrType, Attribute, AttributeLookup, Mutability, check_type};

type Object = Map<String, Value>;

/// Checks a value against a simple (non-complex) attribute's type (400 `invalidValue`).
fn check_simple(value: &Value, attribute: &Attribute) -> Result<(), ScimError> {
    check_type(value, attribute)
}

/// A complex value with canonical sub-attribute names; a bare string becomes `{"value": ...}`
/// (Entra sets the manager as a plain id). Unknown or mistyped sub-attributes are `invalidValue`.
pub(super) fn complex_value(value: &Value, attribute: &Attribute) -> Result<Object, ScimError> {
    let mut out = Object::new();
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                let sub = attribute.sub_attribute(key).ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "'{}' has no sub-attribute '{key}'",
                        attribute.name
                    ))
                })?;
                check_simple(inner, sub)?;
                out.insert(sub.name.to_owned(), inner.clone());
            }
        }
        Value::String(_) if attribute.sub_attribute("value").is_some() => {
            out.insert("value".into(), value.clone());
        }
        other => {
            return Err(ScimError::invalid_value(format!(
                "'{}' is complex and cannot take {other}",
                attribute.name
            )));
        }
    }
    Ok(out)
}

/// The normalised values of a multi-valued attribute (a lone value counts as one).
fn items(value: &Value, attribute: &Attribute) -> Result<Vec<Value>, ScimError> {
    let raw: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    raw.into_iter()
        .filter(|v| !is_unassigned(v))
        .map(|v| {
            if attribute.kind == AttrType::Complex {
                complex_value(v, attribute).map(Value::Object)
            } else {
                check_simple(v, attribute).map(|()| v.clone())
            }
        })
        .collect()
}

/// Whether two values of a multi-valued attribute are the same value: equal, or complex values
/// with the same `value` and `type`.
fn same_item(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    let (Some(x), Some(y)) = (a.as_object(), b.as_object()) else {
        return false;
    };
    let kind = |m: &Object| {
        get_ci(m, "type")
            .and_then(Value::as_str)
            .map(str::to_lowercase)
    };
    get_ci(x, "value").is_some() && get_ci(x, "value") == get_ci(y, "value") && kind(x) == kind(y)
}

/// Whether a removal selector (`{"value": id}` or a whole value) selects `element`.
fn selected_by(element: &Value, selector: &Value) -> bool {
    match selector.as_object().and_then(|m| get_ci(m, "value")) {
        Some(value) => element.as_object().and_then(|m| get_ci(m, "value")) == Some(value),
        None => element == selector,
    }
}

fn is_primary(value: &Value) -> bool {
    value.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true))
}

/// Only one value may be primary (RFC 7643 §2.4): when `winner` is, the others stop being.
fn keep_single_primary(list: &mut [Value], winner: usize) {
    if !list.get(winner).is_some_and(is_primary) {
        return;
    }
    for (index, item) in list.iter_mut().enumerate() {
        if index != winner
            && is_primary(item)
            && let Some(object) = item.as_object_mut()
        {
            set_ci(object, "primary", Value::Bool(false));
        }
    }
}

fn take_list(container: &mut Object, attribute: &Attribute) -> Vec<Value> {
    match remove_ci(container, attribute.name) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn put_list(container: &mut Object, attribute: &Attribute, list: Vec<Value>) {
    if !list.is_empty() {
        container.insert(attribute.name.to_owned(), Value::Array(list));
    }
}

/// Merges sub-attributes into `target`; unassigned ones are removed.
fn merge_into(target: &mut Object, update: Object) {
    for (key, value) in update {
        if is_unassigned(&value) {
            remove_ci(target, &key);
        } else {
            set_ci(target, &key, value);
        }
    }
}

fn merge(container: &mut Object, attribute: &Attribute, update: Object) {
    let mut object = match remove_ci(container, attribute.name) {
        Some(Value::Object(object)) => object,
        _ => Object::new(),
    };
    merge_into(&mut object, update);
    if !object.is_empty() {
        container.insert(attribute.name.to_owned(), Value::Object(object));
    }
}

/// `add` of a whole attribute: multi-valued ones get new values appended (existing ones are not
/// duplicated), complex ones get sub-attributes merged, simple ones are set. Adding an
/// unassigned value changes nothing.
pub(super) fn add_whole(
    container: &mut Object,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    if is_unassigned(value) {
        return Ok(());
    }
    if attribute.multi_valued {
        let mut list = take_list(container, attribute);
        for item in items(value, attribute)? {
            if !list.iter().any(|existing| same_item(existing, &item)) {
                list.push(item);
                let last = list.len().saturating_sub(1);
                keep_single_primary(&mut list, last);
            }
        }
        put_list(container, attribute, list);
    } else if attribute.kind == AttrType::Complex {
        merge(container, attribute, complex_value(value, attribute)?);
    } else {
        check_simple(value, attribute)?;
        set_ci(container, attribute.name, value.clone());
    }
    Ok(())
}

/// `replace` of a whole attribute: multi-valued ones are replaced entirely, complex ones get the
/// given sub-attributes replaced (RFC 7644 §3.5.2.3), simple ones are set. An unassigned value
/// (`null`, `""`, `[]`, `{"value": ""}`) unassigns the attribute.
pub(super) fn replace_whole(
    container: &mut Object,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    if is_unassigned(value) {
        remove_ci(container, attribute.name);
        return Ok(());
    }
    if attribute.multi_valued {
        let mut list = items(value, attribute)?;
        if let Some(winner) = list.iter().rposition(is_primary) {
            keep_single_primary(&mut list, winner);
        }
        remove_ci(container, attribute.name);
        put_list(container, attribute, list);
    } else if attribute.kind == AttrType::Complex {
        merge(container, attribute, complex_value(value, attribute)?);
    } else {
        check_simple(value, attribute)?;
        set_ci(container, attribute.name, value.clone());
    }
    Ok(())
}

/// `remove` of a whole attribute; with a value on a multi-valued attribute (Entra and Okta
/// remove members as `"value": [{"value": "id"}]`) only the values it selects are removed
/// (an empty array selects nothing).
pub(super) fn remove_whole(container: &mut Object, attribute: &Attribute, value: Option<&Value>) {
    match value {
        Some(value) if attribute.multi_valued && !value.is_null() => {
            let selectors: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let mut list = take_list(container, attribute);
            list.retain(|element| !selectors.iter().any(|s| selected_by(element, s)));
            put_list(container, attribute, list);
        }
        _ => {
            remove_ci(container, attribute.name);
        }
    }
}

/// Adds, replaces or removes one sub-attribute of one complex value, honouring immutability.
fn set_sub(
    element: &mut Value,
    kind: PatchOpKind,
    sub: &Attribute,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let Some(object) = element.as_object_mut() else {
        return Err(ScimError::invalid_path(format!(
            "'{}' is not inside a complex value",
            sub.name
        )));
    };
    let new = match kind {
        PatchOpKind::Remove => None,
        PatchOpKind::Add | PatchOpKind::Replace => value.filter(|v| !is_unassigned(v)),
    };
    if kind == PatchOpKind::Add && new.is_none() {
        return Ok(());
    }
    let current = get_ci(object, sub.name).filter(|v| !is_unassigned(v));
    if sub.mutability == Mutability::Immutable && current.is_some() && current != new {
        return Err(ScimError::mutability(format!(
            "'{}' is immutable and already set",
            sub.name
        )));
    }
    match new {
        Some(value) => {
            check_simple(value, sub)?;
            set_ci(object, sub.name, value.clone());
        }
        None => {
            remove_ci(object, sub.name);
        }
    }
    Ok(())
}

/// An operation on `attribute.sub` without a filter: on a complex attribute the sub-attribute
/// is set or removed; on a multi-valued one, in every value.
pub(super) fn sub_op(
    container: &mut Object,
    kind: PatchOpKind,
    attribute: &Attribute,
    sub: &Attribute,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    if attribute.multi_valued {
        let mut list = take_list(container, attribute);
        if list.is_empty() && kind != PatchOpKind::Remove {
            return Err(ScimError::no_target(format!(
                "'{}' has no values",
                attribute.name
            )));
        }
        for element in &mut list {
            set_sub(element, kind, sub, value)?;
        }
        put_list(container, attribute, list);
        return Ok(());
    }
    let mut object = match remove_ci(container, attribute.name) {
        Some(Value::Object(object)) => Value::Object(object),
        _ => Value::Object(Object::new()),
    };
    set_sub(&mut object, kind, sub, value)?;
    if !is_unassigned(&object) {
        container.insert(attribute.name.to_owned(), object);
    }
    Ok(())
}

/// The values a filter such as `type eq "work" and primary eq true` describes, used when an
/// `add` to `emails[type eq "work"].value` finds no work email: one is created.
fn equality_seed(filter: &Filter, attribute: &Attribute) -> Option<Object> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.urn.is_none() && path.sub.is_none() => {
            let sub = attribute.sub_attribute(&path.name)?;
            let mut seed = Object::new();
            seed.insert(sub.name.to_owned(), value.clone());
            Some(seed)
        }
        Filter::And(left, right) => {
            let mut seed = equality_seed(left, attribute)?;
            seed.extend(equality_seed(right, attribute)?);
            Some(seed)
        }
        _ => None,
    }
}

/// The attribute, path and filter of a value-path operation (`attr[filter][.sub]`).
pub(super) struct Selection<'a> {
    /// The multi-valued attribute.
    pub attribute: &'a Attribute,
    /// Its path, for filter evaluation.
    pub path: &'a AttrPath,
    /// The value filter.
    pub filter: &'a Filter,
    /// The sub-attribute after the brackets.
    pub sub: Option<&'a Attribute>,
}

/// An operation on the values `filter` selects. No match is 400 `noTarget` (RFC 7644 §3.12),
/// except for `add`, which creates the value when the filter is a conjunction of `eq`.
pub(super) fn element_op(
    container: &mut Object,
    kind: PatchOpKind,
    selection: &Selection<'_>,
    value: Option<&Value>,
    lookup: &dyn AttributeLookup,
) -> Result<(), ScimError> {
    let Selection {
        attribute,
        path,
        filter,
        sub,
    } = *selection;
    let mut list = take_list(container, attribute);
    let mut matched = Vec::new();
    for (index, element) in list.iter().enumerate() {
        if matches_element(filter, path, element, lookup)? {
            matched.push(index);
        }
    }
    if matched.is_empty() {
        let seed = match kind {
            PatchOpKind::Add => equality_seed(filter, attribute),
            PatchOpKind::Remove | PatchOpKind::Replace => None,
        };
        let Some(seed) = seed else {
            return Err(ScimError::no_target(format!(
                "no value of '{path}' matches the filter"
            )));
        };
        let mut element = Value::Object(seed);
        match (sub, value) {
            (Some(sub), _) => set_sub(&mut element, PatchOpKind::Replace, sub, value)?,
            (None, Some(value)) => {
                if let Some(object) = element.as_object_mut() {
                    merge_into(object, complex_value(value, attribute)?);
                }
            }
            (None, None) => {}
        }
        if value.is_some_and(|v| !is_unassigned(v)) {
            list.push(element);
            let last = list.len().saturating_sub(1);
            keep_single_primary(&mut list, last);
        }
        put_list(container, attribute, list);
        return Ok(());
    }
    let mut removed = Vec::new();
    for &index in &matched {
        let Some(element) = list.get_mut(index) else {
            continue;
        };
        match (kind, sub) {
            (_, Some(sub)) => set_sub(element, kind, sub, value)?,
            (PatchOpKind::Remove, None) => removed.push(index),
            (PatchOpKind::Replace, None) if value.is_none_or(is_unassigned) => removed.push(index),
            (PatchOpKind::Replace, None) => {
                let replacement = value.map(|v| items(v, attribute)).transpose()?;
                if let Some(first) = replacement.and_then(|r| r.into_iter().next()) {
                    *element = first;
                }
            }
            (PatchOpKind::Add, None) => {
                let update = value.map(|v| complex_value(v, attribute)).transpose()?;
                if let (Some(object), Some(update)) = (element.as_object_mut(), update) {
                    merge_into(object, update);
                }
            }
        }
    }
    if let Some(&winner) = matched
        .iter()
        .rev()
        .find(|&&i| list.get(i).is_some_and(is_primary))
    {
        keep_single_primary(&mut list, winner);
    }
    let mut index = 0;
    list.retain(|_| {
        let keep = !removed.contains(&index);
        index += 1;
        keep
    });
    put_list(container, attribute, list);
    Ok(())
}
