//! PATCH (RFC 7644 §3.5.2): parsing a PatchOp request and applying it to a JSON resource.
//!
//! Client quirks handled: `op` in any case (Microsoft Entra sends `Add`, `Replace`, `Remove`),
//! booleans sent as strings (`"False"`), the Enterprise `manager` set as a bare id string,
//! members removed with `{"op":"remove","path":"members","value":[{"value":"id"}]}` (Entra,
//! Okta), `replace` with an empty value (`""`, `null`, `[]`, `{"value":""}`) meaning "unassign",
//! and `add` to `emails[type eq "work"].value` creating the work email when there is none.

mod apply;
mod ops;

pub use apply::apply_patch;

use serde_json::Value;

use crate::protocol::error::ScimError;
use crate::protocol::filter::{Filter, parse_path_expression};
use crate::protocol::json::get_ci;
use crate::protocol::path::AttrPath;

/// The URN a PATCH body's `schemas` must contain.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH operation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// `add`.
    Add,
    /// `remove`.
    Remove,
    /// `replace`.
    Replace,
}

/// A PATCH `path`: `attrPath` or `attrPath[valFilter][.subAttr]` (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The path as sent (it may also be a whole extension schema URN).
    pub raw: String,
    /// The attribute (with its sub-attribute when there is no value filter).
    pub attribute: AttrPath,
    /// The value filter inside `[...]`, if any.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`, if any.
    pub sub: Option<String>,
}

impl PatchPath {
    /// Parses a path; failures are 400 `invalidPath`.
    pub fn parse(text: &str) -> Result<Self, ScimError> {
        let (attribute, filter, sub) = parse_path_expression(text).map_err(|reason| {
            ScimError::invalid_path(format!("invalid path '{text}': {reason}"))
        })?;
        Ok(Self {
            raw: text.to_owned(),
            attribute,
            filter,
            sub,
        })
    }
}

/// One operation of a PATCH request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOpKind,
    /// Where; `None` means the resource itself (add/replace with an object value).
    pub path: Option<PatchPath>,
    /// The value; required for add and replace.
    pub value: Option<Value>,
}

/// A parsed PATCH request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    /// The operations, applied in order.
    pub operations: Vec<PatchOperation>,
}

/// Parses a PATCH body. `schemas` must contain [`PATCH_OP_SCHEMA`] and `Operations` must be a
/// non-empty array (400 `invalidSyntax` otherwise); `op` is case-insensitive (an unknown op is
/// `invalidSyntax`); a bad `path` is `invalidPath`; add/replace without `value` is
/// `invalidValue`; remove without `path` is `noTarget`.
pub fn parse_patch(body: &Value) -> Result<PatchRequest, ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the PATCH body must be a JSON object"))?;
    let has_schema = get_ci(object, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|schemas| {
            schemas.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
            })
        });
    if !has_schema {
        return Err(ScimError::invalid_syntax(format!(
            "'schemas' must contain '{PATCH_OP_SCHEMA}'"
        )));
    }
    let operations = match get_ci(object, "Operations") {
        Some(Value::Array(operations)) if !operations.is_empty() => operations,
        _ => {
            return Err(ScimError::invalid_syntax(
                "'Operations' must be a non-empty array",
            ));
        }
    };
    let operations = operations
        .iter()
        .enumerate()
        .map(|(index, operation)| {
            parse_operation(operation).map_err(|e| ScimError {
                detail: format!("operation {index}: {}", e.detail),
                ..e
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(PatchRequest { operations })
}

fn parse_operation(operation: &Value) -> Result<PatchOperation, ScimError> {
    let object = operation
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("an operation must be a JSON object"))?;
    let op = match get_ci(object, "op").and_then(Value::as_str) {
        Some(op) if op.eq_ignore_ascii_case("add") => PatchOpKind::Add,
        Some(op) if op.eq_ignore_ascii_case("remove") => PatchOpKind::Remove,
        Some(op) if op.eq_ignore_ascii_case("replace") => PatchOpKind::Replace,
        Some(op) => {
            return Err(ScimError::invalid_syntax(format!(
                "'op' must be add, remove or replace, not '{op}'"
            )));
        }
        None => return Err(ScimError::invalid_syntax("'op' must be a string")),
    };
    let path = match get_ci(object, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.trim().is_empty() => None,
        Some(Value::String(text)) => Some(PatchPath::parse(text.trim())?),
        Some(_) => return Err(ScimError::invalid_path("'path' must be a string")),
    };
    let value = get_ci(object, "value").cloned();
    match op {
        PatchOpKind::Remove if path.is_none() => Err(ScimError::no_target("remove needs a 'path'")),
        PatchOpKind::Add | PatchOpKind::Replace if value.is_none() => {
            Err(ScimError::invalid_value("add and replace need a 'value'"))
        }
        _ => Ok(PatchOperation { op, path, value }),
    }
}

#[cfg(test)]
mod tests;
