//! `sortBy`/`sortOrder` (RFC 7644 §3.4.2.3).

use std::cmp::Ordering;

use serde_json::Value;

use super::model::AttrType;
use super::resource_type::AttributeLookup;
use crate::protocol::datetime::parse_datetime;
use crate::protocol::error::ScimError;
use crate::protocol::json::{attribute_value, get_ci};
use crate::protocol::path::AttrPath;

/// The `sortOrder` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Smallest first; the default.
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    /// Parses `ascending`/`descending` (any case); anything else is 400 `invalidValue`.
    pub fn parse(text: &str) -> Result<Self, ScimError> {
        if text.eq_ignore_ascii_case("ascending") {
            Ok(Self::Ascending)
        } else if text.eq_ignore_ascii_case("descending") {
            Ok(Self::Descending)
        } else {
            Err(ScimError::invalid_value(format!(
                "sortOrder must be 'ascending' or 'descending', not '{text}'"
            )))
        }
    }
}

/// Orders two resources by `sort_by`: strings case-insensitively unless the attribute is
/// caseExact, dateTimes chronologically, numbers numerically, `false` before `true`. A
/// multi-valued attribute sorts by its primary value, else its first. Resources without a value
/// sort last in ascending order (and so first in descending order, which reverses everything).
pub fn compare_for_sort(
    a: &Value,
    b: &Value,
    sort_by: &AttrPath,
    order: SortOrder,
    lookup: &dyn AttributeLookup,
) -> Ordering {
    let attribute = lookup.attribute(sort_by);
    let case_exact = attribute.is_some_and(|a| a.case_exact);
    let is_datetime = attribute.map(|a| a.kind == AttrType::DateTime);
    let ascending = match (sort_key(a, sort_by), sort_key(b, sort_by)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => compare_keys(x, y, case_exact, is_datetime),
    };
    match order {
        SortOrder::Ascending => ascending,
        SortOrder::Descending => ascending.reverse(),
    }
}

/// The value a resource sorts by, `None` when unassigned.
fn sort_key<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Value> {
    let raw = attribute_value(resource, path)?;
    let element = match raw {
        Value::Array(items) => items
            .iter()
            .find(|item| {
                item.as_object()
                    .and_then(|m| get_ci(m, "primary"))
                    .is_some_and(|p| p == &Value::Bool(true))
            })
            .or_else(|| items.first())?,
        other => other,
    };
    let key = match (element, path.sub.as_deref()) {
        (Value::Object(map), Some(sub)) => get_ci(map, sub)?,
        (Value::Object(map), None) => get_ci(map, "value")?,
        (_, Some(_)) => return None,
        (other, None) => other,
    };
    (!key.is_null()).then_some(key)
}

fn compare_keys(x: &Value, y: &Value, case_exact: bool, is_datetime: Option<bool>) -> Ordering {
    match (x, y) {
        (Value::String(s), Value::String(t)) => {
            let chronological = match is_datetime {
                Some(true) | None => parse_datetime(s).zip(parse_datetime(t)),
                Some(false) => None,
            };
            match chronological {
                Some((p, q)) => p.cmp(&q),
                None if case_exact => s.cmp(t),
                None => s
                    .to_lowercase()
                    .cmp(&t.to_lowercase())
                    .then_with(|| s.cmp(t)),
            }
        }
        (Value::Number(m), Value::Number(n)) => match (m.as_i64(), n.as_i64()) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => {
                let (p, q) = (m.as_f64().unwrap_or(0.0), n.as_f64().unwrap_or(0.0));
                p.total_cmp(&q)
            }
        },
        (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
        _ => type_rank(x).cmp(&type_rank(y)),
    }
}

fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Bool(_) => 0,
        Value::Number(_) => 1,
        Value::String(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}
