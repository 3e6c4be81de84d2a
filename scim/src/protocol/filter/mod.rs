//! SCIM filters (RFC 7644 §3.4.2.2): the AST, a recursive-descent parser, evaluation against JSON
//! resources and recognition of filters a store can answer with an index.

mod eval;
mod index;
mod parse;

pub(crate) use eval::matches_element;
pub use index::{IndexedAttribute, IndexedLookup, indexed_lookup};
pub(crate) use parse::parse_path_expression;
pub use parse::{DEFAULT_MAX_FILTER_LENGTH, parse_filter, parse_filter_with_limit};

use serde_json::Value;

use crate::protocol::path::AttrPath;

/// A comparison operator; keywords are case-insensitive on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains (strings).
    Co,
    /// Starts with (strings).
    Sw,
    /// Ends with (strings).
    Ew,
    /// Greater than.
    Gt,
    /// Less than.
    Lt,
    /// Greater than or equal.
    Ge,
    /// Less than or equal.
    Le,
}

impl CompareOp {
    /// The operator for a (case-insensitive) keyword, `pr` excluded.
    pub fn from_keyword(word: &str) -> Option<Self> {
        let op = match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "lt" => Self::Lt,
            "ge" => Self::Ge,
            "le" => Self::Le,
            _ => return None,
        };
        Some(op)
    }

    /// Whether this is one of the ordering operators `gt`, `lt`, `ge`, `le`.
    pub fn is_ordering(self) -> bool {
        matches!(self, Self::Gt | Self::Lt | Self::Ge | Self::Le)
    }

    /// Whether this is one of the substring operators `co`, `sw`, `ew`.
    pub fn is_substring(self) -> bool {
        matches!(self, Self::Co | Self::Sw | Self::Ew)
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath op compValue`; the value is a JSON string, number, boolean or null.
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The comparison value.
        value: Value,
    },
    /// `attrPath pr`.
    Present(AttrPath),
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
    /// `left or right`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (inner)`.
    Not(Box<Filter>),
    /// `attrPath[valFilter]`: some value of the multi-valued (or complex) attribute matches
    /// `filter`, whose paths name sub-attributes of that value.
    ValuePath {
        /// The multi-valued or complex attribute.
        path: AttrPath,
        /// The filter each value is tested with.
        filter: Box<Filter>,
    },
}

#[cfg(test)]
mod tests;
