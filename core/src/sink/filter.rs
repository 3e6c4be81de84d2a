//! Which events a sink delivers: by event type (exact, or a prefix pattern `user.*`; `*` is
//! every type) and by org (the event's resource owner). An empty list does not filter.

use serde::{Deserialize, Serialize};

use super::{BOOKKEEPING_EVENTS, MAX_FILTERS};
use crate::Event;
use crate::error::DomainError;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkFilter {
    pub event_types: Vec<String>,
    pub org_ids: Vec<String>,
}

impl SinkFilter {
    /// Trimmed, checked patterns and ids, without repeats.
    pub fn validated(&self) -> Result<SinkFilter, DomainError> {
        if self.event_types.len() > MAX_FILTERS || self.org_ids.len() > MAX_FILTERS {
            return Err(DomainError::invalid(
                "SINK-0013",
                format!("at most {MAX_FILTERS} event types and {MAX_FILTERS} org ids"),
            ));
        }
        let mut event_types: Vec<String> = Vec::new();
        for pattern in &self.event_types {
            let pattern = pattern.trim();
            if !valid_pattern(pattern) {
                return Err(DomainError::invalid(
                    "SINK-0014",
                    format!("{pattern:?} is not an event type or a prefix pattern like user.*"),
                ));
            }
            if !event_types.iter().any(|p| p == pattern) {
                event_types.push(pattern.to_owned());
            }
        }
        let mut org_ids: Vec<String> = Vec::new();
        for org in &self.org_ids {
            let org = org.trim();
            if org.is_empty() || org.len() > 200 || org.contains(char::is_whitespace) {
                return Err(DomainError::invalid(
                    "SINK-0015",
                    format!("{org:?} is not an org id"),
                ));
            }
            if !org_ids.iter().any(|o| o == org) {
                org_ids.push(org.to_owned());
            }
        }
        Ok(SinkFilter {
            event_types,
            org_ids,
        })
    }

    /// Whether an event of `event_type` owned by `resource_owner` passes.
    pub fn matches(&self, event_type: &str, resource_owner: &str) -> bool {
        let type_ok = self.event_types.is_empty()
            || self
                .event_types
                .iter()
                .any(|pattern| type_matches(pattern, event_type));
        let org_ok = self.org_ids.is_empty() || self.org_ids.iter().any(|o| o == resource_owner);
        type_ok && org_ok
    }
}

fn valid_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let body = pattern.strip_suffix(".*").unwrap_or(pattern);
    !body.is_empty()
        && body.len() <= 200
        && body.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

fn type_matches(pattern: &str, event_type: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(prefix) => event_type
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

/// Whether a sink of `instance_id` with `filter` delivers `event`: events of its own instance
/// that pass the filter, never the delivery bookkeeping.
pub fn delivers(instance_id: &str, filter: &SinkFilter, event: &Event) -> bool {
    event.instance_id == instance_id
        && !BOOKKEEPING_EVENTS.contains(&event.event_type.as_str())
        && filter.matches(&event.event_type, &event.resource_owner)
}
