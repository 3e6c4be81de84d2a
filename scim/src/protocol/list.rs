//! Query responses: pagination parameters (RFC 7644 §3.4.2.4) and the ListResponse body
//! (§3.4.2).

use serde_json::{Value, json};

use crate::protocol::error::ScimError;

/// The URN of a list response.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A requested page: `startIndex` (1-based) and `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The 1-based index of the first result.
    pub start_index: usize,
    /// The most results to return.
    pub count: usize,
}

impl Page {
    /// Reads the `startIndex` and `count` query parameters: a `startIndex` below 1 means 1, a
    /// negative `count` means 0, a missing `count` is `default_count`, and a `count` above
    /// `max_count` is capped. Non-integers are 400 `invalidValue`.
    pub fn from_params(
        start_index: Option<&str>,
        count: Option<&str>,
        default_count: usize,
        max_count: usize,
    ) -> Result<Self, ScimError> {
        let integer = |name: &str, text: &str| {
            text.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!("'{name}' must be an integer, not '{text}'"))
            })
        };
        let start_index = match start_index {
            Some(text) => usize::try_from(integer("startIndex", text)?.max(1)).unwrap_or(1),
            None => 1,
        };
        let count = match count {
            Some(text) => usize::try_from(integer("count", text)?.max(0)).unwrap_or(0),
            None => default_count,
        };
        Ok(Self {
            start_index,
            count: count.min(max_count),
        })
    }

    /// The 0-based offset of the first result.
    pub fn offset(&self) -> usize {
        self.start_index.saturating_sub(1)
    }
}

/// The ListResponse body for one page of (already projected) resources.
pub fn list_response(resources: Vec<Value>, total_results: u64, start_index: usize) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total_results,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameters_follow_the_rfc() {
        let page = |s, c| Page::from_params(s, c, 100, 200);
        assert_eq!(
            page(None, None).unwrap(),
            Page {
                start_index: 1,
                count: 100
            }
        );
        assert_eq!(
            page(Some("0"), Some("-5")).unwrap(),
            Page {
                start_index: 1,
                count: 0
            }
        );
        assert_eq!(page(Some("11"), Some("10")).unwrap().offset(), 10);
        assert_eq!(page(None, Some("1000")).unwrap().count, 200);
        assert!(page(Some("x"), None).is_err());
        assert!(page(None, Some("1.5")).is_err());
    }

    #[test]
    fn list_response_shape() {
        let body = list_response(vec![json!({"id": "1"})], 7, 3);
        assert_eq!(
            body,
            json!({
                "schemas": [LIST_RESPONSE_SCHEMA],
                "totalResults": 7,
                "startIndex": 3,
                "itemsPerPage": 1,
                "Resources": [{"id": "1"}],
            })
        );
    }
}
