//! Recognising filters a store can answer with an indexed lookup instead of a scan.

use super::{CompareOp, Filter};
use crate::protocol::schema::{GROUP_SCHEMA_ID, ResourceType, USER_SCHEMA_ID};

/// An attribute the store indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexedAttribute {
    /// `id` (caseExact).
    Id,
    /// `externalId` (caseExact).
    ExternalId,
    /// `userName` of a User (case-insensitive).
    UserName,
    /// `displayName` of a Group (case-insensitive).
    DisplayName,
}

/// An equality lookup on an indexed attribute, found in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedLookup<'a> {
    /// The attribute.
    pub attribute: IndexedAttribute,
    /// The value it must equal.
    pub value: &'a str,
    /// Whether the comparison is case-sensitive (`id`, `externalId`); otherwise the store must
    /// compare case-insensitively.
    pub case_exact: bool,
    /// Whether the filter is exactly this equality. When `false` the lookup only narrows the
    /// candidates (it came from one side of an `and`) and the caller must still evaluate the
    /// whole filter on each candidate with [`Filter::matches`].
    pub exact: bool,
}

/// Recognises `id eq "x"`, `externalId eq "x"`, `userName eq "x"` (Users) and
/// `displayName eq "x"` (Groups), also core-URN-qualified, alone or as one side of an `and`.
pub fn indexed_lookup<'a>(
    filter: &'a Filter,
    resource_type: &ResourceType,
) -> Option<IndexedLookup<'a>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: serde_json::Value::String(value),
        } if path.sub.is_none()
            && path
                .urn
                .as_deref()
                .is_none_or(|urn| urn.eq_ignore_ascii_case(resource_type.schema.id)) =>
        {
            let core = resource_type.schema.id;
            let (attribute, case_exact) = if path.is_simple("id") {
                (IndexedAttribute::Id, true)
            } else if path.is_simple("externalId") {
                (IndexedAttribute::ExternalId, true)
            } else if path.is_simple("userName") && core == USER_SCHEMA_ID {
                (IndexedAttribute::UserName, false)
            } else if path.is_simple("displayName") && core == GROUP_SCHEMA_ID {
                (IndexedAttribute::DisplayName, false)
            } else {
                return None;
            };
            Some(IndexedLookup {
                attribute,
                value,
                case_exact,
                exact: true,
            })
        }
        Filter::And(left, right) => indexed_lookup(left, resource_type)
            .or_else(|| indexed_lookup(right, resource_type))
            .map(|lookup| IndexedLookup {
                exact: false,
                ..lookup
            }),
        _ => None,
    }
}
