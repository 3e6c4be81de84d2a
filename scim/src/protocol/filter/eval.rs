//! Filter evaluation against JSON resources (RFC 7644 §3.4.2.2, RFC 7643 §2.1).

use std::cmp::Ordering;

use serde_json::Value;

use super::{CompareOp, Filter};
use crate::protocol::datetime::parse_datetime;
use crate::protocol::error::ScimError;
use crate::protocol::json::{collect, get_ci, is_unassigned, values_at};
use crate::protocol::path::AttrPath;
use crate::protocol::schema::{AttrType, Attribute, AttributeLookup, parse_bool};

/// What a comparison is evaluated against: the whole resource, or one value of a multi-valued
/// attribute inside `attr[...]`.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource(&'a Value),
    Element {
        parent: &'a AttrPath,
        element: &'a Value,
    },
}

impl Filter {
    /// Checks the filter against the schema once, before any resource is evaluated: ordering
    /// operators on booleans, binaries, complex values or with a boolean/null comparison value,
    /// substring operators on non-strings, and value filters on simple attributes are all
    /// 400 `invalidFilter`.
    pub fn validate(&self, lookup: &dyn AttributeLookup) -> Result<(), ScimError> {
        self.validate_in(None, lookup)
    }

    fn validate_in(
        &self,
        parent: Option<&AttrPath>,
        lookup: &dyn AttributeLookup,
    ) -> Result<(), ScimError> {
        match self {
            Self::And(left, right) | Self::Or(left, right) => {
                left.validate_in(parent, lookup)?;
                right.validate_in(parent, lookup)
            }
            Self::Not(inner) => inner.validate_in(parent, lookup),
            Self::Present(_) => Ok(()),
            Self::ValuePath { path, filter } => {
                if let Some(attribute) = lookup.attribute(path)
                    && attribute.kind != AttrType::Complex
                    && !attribute.multi_valued
                {
                    return Err(ScimError::invalid_filter(format!(
                        "'{path}' is neither multi-valued nor complex and takes no value filter"
                    )));
                }
                filter.validate_in(Some(path), lookup)
            }
            Self::Compare { path, op, value } => {
                let full = full_path(parent, path);
                check_comparison(&full, *op, value, definition(&full, lookup))
            }
        }
    }

    /// Whether `resource` matches. Attribute names ignore case; strings compare
    /// case-insensitively unless the schema says `caseExact`; a multi-valued attribute matches
    /// when any of its values does; `ne` matches when no value is equal (so also when the
    /// attribute is absent); dateTimes compare chronologically, numbers numerically.
    pub fn matches(
        &self,
        resource: &Value,
        lookup: &dyn AttributeLookup,
    ) -> Result<bool, ScimError> {
        self.validate(lookup)?;
        self.eval(Scope::Resource(resource), lookup)
    }

    fn eval(&self, scope: Scope<'_>, lookup: &dyn AttributeLookup) -> Result<bool, ScimError> {
        match self {
            Self::And(left, right) => Ok(left.eval(scope, lookup)? && right.eval(scope, lookup)?),
            Self::Or(left, right) => Ok(left.eval(scope, lookup)? || right.eval(scope, lookup)?),
            Self::Not(inner) => Ok(!inner.eval(scope, lookup)?),
            Self::Present(path) => Ok(raw_values(scope, path)
                .into_iter()
                .any(|v| !is_unassigned(v))),
            Self::ValuePath { path, filter } => {
                let Scope::Resource(resource) = scope else {
                    return Err(ScimError::invalid_filter("value filters cannot nest"));
                };
                let mut elements = Vec::new();
                if let Some(raw) = crate::protocol::json::attribute_value(resource, path) {
                    collect(raw, None, &mut elements);
                }
                for element in elements {
                    if filter.eval(
                        Scope::Element {
                            parent: path,
                            element,
                        },
                        lookup,
                    )? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Self::Compare { path, op, value } => {
                let full = match scope {
                    Scope::Resource(_) => path.clone(),
                    Scope::Element { parent, .. } => full_path(Some(parent), path),
                };
                let attribute = definition(&full, lookup);
                let found = values(scope, path);
                if value.is_null() && matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    let present = found.iter().any(|v| !is_unassigned(v));
                    return Ok(present == (*op == CompareOp::Ne));
                }
                let test = if *op == CompareOp::Ne {
                    CompareOp::Eq
                } else {
                    *op
                };
                let mut any = false;
                for actual in found {
                    if compare(actual, test, value, attribute)? {
                        any = true;
                        break;
                    }
                }
                Ok(if *op == CompareOp::Ne { !any } else { any })
            }
        }
    }
}

/// Whether one value of the multi-valued attribute `parent` matches the value filter `filter`
/// (whose paths name sub-attributes of `parent`); PATCH uses it to select values.
pub(crate) fn matches_element(
    filter: &Filter,
    parent: &AttrPath,
    element: &Value,
    lookup: &dyn AttributeLookup,
) -> Result<bool, ScimError> {
    filter.validate_in(Some(parent), lookup)?;
    filter.eval(Scope::Element { parent, element }, lookup)
}

/// `parent.name` inside `parent[...]`, else the path itself.
fn full_path(parent: Option<&AttrPath>, path: &AttrPath) -> AttrPath {
    match parent {
        Some(parent) => parent.clone().with_sub(path.name.clone()),
        None => path.clone(),
    }
}

/// The definition used for comparisons; a complex attribute named without a sub-attribute is
/// compared through its `value` sub-attribute.
fn definition<'a>(path: &AttrPath, lookup: &'a dyn AttributeLookup) -> Option<&'a Attribute> {
    let attribute = lookup.attribute(path)?;
    if attribute.kind == AttrType::Complex && path.sub.is_none() {
        return lookup
            .attribute(&path.clone().with_sub("value"))
            .or(Some(attribute));
    }
    Some(attribute)
}

/// The values a path reaches in the scope, arrays flattened.
fn raw_values<'a>(scope: Scope<'a>, path: &AttrPath) -> Vec<&'a Value> {
    match scope {
        Scope::Resource(resource) => values_at(resource, path),
        Scope::Element { element, .. } => match element {
            Value::Object(map) => {
                let mut out = Vec::new();
                if let Some(inner) = get_ci(map, &path.name) {
                    collect(inner, None, &mut out);
                }
                out
            }
            primitive if path.name.eq_ignore_ascii_case("value") => vec![primitive],
            _ => Vec::new(),
        },
    }
}

/// The values a comparison sees; complex values stand for their `value` sub-attribute.
fn values<'a>(scope: Scope<'a>, path: &AttrPath) -> Vec<&'a Value> {
    raw_values(scope, path)
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(map) => get_ci(map, "value"),
            other => Some(other),
        })
        .collect()
}

fn check_comparison(
    path: &AttrPath,
    op: CompareOp,
    value: &Value,
    attribute: Option<&Attribute>,
) -> Result<(), ScimError> {
    let refuse = |why: &str| Err(ScimError::invalid_filter(format!("'{path}': {why}")));
    if op.is_ordering() && matches!(value, Value::Bool(_) | Value::Null) {
        return refuse("gt, lt, ge and le need a string, number or dateTime value");
    }
    if op.is_substring() && !value.is_string() {
        return refuse("co, sw and ew need a string value");
    }
    let Some(attribute) = attribute else {
        return Ok(());
    };
    match attribute.kind {
        AttrType::Boolean if op != CompareOp::Eq && op != CompareOp::Ne => {
            refuse("boolean attributes support only eq, ne and pr")
        }
        AttrType::Binary if op.is_ordering() => refuse("binary attributes cannot be ordered"),
        AttrType::Complex => refuse("complex attributes need a sub-attribute or pr"),
        AttrType::Integer | AttrType::Decimal if op.is_substring() => {
            refuse("numbers do not support co, sw and ew")
        }
        AttrType::DateTime
            if op.is_ordering() && value.as_str().and_then(parse_datetime).is_none() =>
        {
            refuse("dateTime attributes compare with an xsd:dateTime string")
        }
        _ => Ok(()),
    }
}

fn compare(
    actual: &Value,
    op: CompareOp,
    expected: &Value,
    attribute: Option<&Attribute>,
) -> Result<bool, ScimError> {
    match (actual, expected) {
        (Value::String(a), Value::String(b)) => Ok(compare_strings(a, op, b, attribute)),
        (Value::Number(a), Value::Number(b)) => {
            let ordering = match (a.as_i64(), b.as_i64()) {
                (Some(i), Some(j)) => Some(i.cmp(&j)),
                _ => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
            };
            Ok(ordering.is_some_and(|o| ordered(o, op)))
        }
        (Value::Bool(_), _) if op != CompareOp::Eq => Err(ScimError::invalid_filter(
            "boolean attributes support only eq, ne and pr",
        )),
        (Value::Bool(a), expected) => {
            let b = match expected {
                Value::Bool(b) => Some(*b),
                Value::String(s) => parse_bool(s),
                _ => None,
            };
            Ok(b == Some(*a))
        }
        _ => Ok(false),
    }
}

fn compare_strings(a: &str, op: CompareOp, b: &str, attribute: Option<&Attribute>) -> bool {
    let kind = attribute.map(|at| at.kind);
    if !op.is_substring()
        && matches!(kind, Some(AttrType::DateTime) | None)
        && let Some((x, y)) = parse_datetime(a).zip(parse_datetime(b))
    {
        return ordered(x.cmp(&y), op);
    }
    let case_exact = attribute.is_some_and(|at| at.case_exact);
    let (a, b) = if case_exact {
        (a.to_owned(), b.to_owned())
    } else {
        (a.to_lowercase(), b.to_lowercase())
    };
    match op {
        CompareOp::Co => a.contains(&b),
        CompareOp::Sw => a.starts_with(&b),
        CompareOp::Ew => a.ends_with(&b),
        _ => ordered(a.cmp(&b), op),
    }
}

/// Whether an ordering satisfies `op` (`eq`, `ne` and the ordering operators).
fn ordered(ordering: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
