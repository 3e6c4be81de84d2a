//! ZITADEL's Event API (admin v1): `ListEvents` (`POST /admin/v1/events/_search`) over the
//! ledger, and the event-type and aggregate-type listings. Permission `events.read` (IAM_OWNER,
//! IAM_OWNER_VIEWER). Every read is narrowed to the caller's instance and is one bounded ledger
//! query (at most 1000 events; page on with `position`), never the whole ledger.
//!
//! Differences from ZITADEL: `sequence` is the aggregate's sequence (as in ZITADEL) and pages
//! only within one aggregate; the global order is `position` (returned with each event; pass
//! the last one back as `position` for the next page, in either direction). `creationDate` (or
//! `range.since`) and `range.until` bound the commit time. Localized names are English.

use std::collections::HashMap;

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::{Event, Position};
use castellan_readers::queries::user::get_user;
use castellan_writer::ledger::EventFilter;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::proto::timestamp::ProtoTimestamp;
use crate::state::AppState;

/// The most events one call returns (ZITADEL's examples use 1000).
pub const MAX_EVENTS: usize = 1000;

fn text(request: &Value, name: &str) -> Option<String> {
    request
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn texts(request: &Value, name: &str) -> Vec<String> {
    request
        .get(name)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A uint64 field: proto-JSON sends it as a string, some clients as a number.
fn number(request: &Value, name: &str) -> Result<Option<i64>, DomainError> {
    let invalid = || DomainError::invalid("EVENTS-0001", format!("{name} must be a number"));
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().filter(|v| *v >= 0).map(Some).ok_or_else(invalid),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .map(Some)
            .ok_or_else(invalid),
        Some(_) => Err(invalid()),
    }
}

fn time(value: Option<&Value>, name: &str) -> Result<Option<Timestamp>, DomainError> {
    match value.and_then(Value::as_str) {
        None => Ok(None),
        Some(text) => ProtoTimestamp::parse_rfc3339(text)
            .map(|t| Some(Timestamp(t.micros())))
            .map_err(|e| DomainError::invalid("EVENTS-0002", format!("{name}: {e}"))),
    }
}

/// The ledger filter a request asks for, always within the caller's instance.
pub fn filter_of(instance_id: &str, request: &Value) -> Result<EventFilter, DomainError> {
    let asc = request.get("asc").and_then(Value::as_bool).unwrap_or(false);
    let limit = number(request, "limit")?
        .map(|l| usize::try_from(l).unwrap_or(MAX_EVENTS))
        .filter(|l| *l > 0)
        .unwrap_or(MAX_EVENTS)
        .min(MAX_EVENTS);
    let range = request.get("range");
    let since = match time(request.get("creationDate"), "creationDate")? {
        Some(at) => Some(at),
        None => time(range.and_then(|r| r.get("since")), "range.since")?,
    };
    let until = time(range.and_then(|r| r.get("until")), "range.until")?;
    let position = number(request, "position")?;
    let mut filter = EventFilter {
        instance_id: Some(instance_id.to_owned()),
        aggregate_types: texts(request, "aggregateTypes"),
        aggregate_id: text(request, "aggregateId"),
        event_types: texts(request, "eventTypes"),
        limit,
        creator: text(request, "editorUserId"),
        resource_owner: text(request, "resourceOwner"),
        created_from: since,
        created_until: until,
        sequence_after: number(request, "sequence")?.filter(|s| *s > 0),
        descending: !asc,
        ..EventFilter::default()
    };
    if let Some(position) = position.filter(|p| *p > 0) {
        if asc {
            filter.after = Position(position);
        } else {
            filter.until = Some(Position(position.saturating_sub(1)));
        }
    }
    Ok(filter)
}

/// "user.human.password.check.failed" → "User human password check failed".
fn humanize(kind: &str) -> String {
    let words = kind.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn localized(prefix: &str, kind: &str) -> Value {
    json!({"type": kind, "localized": {"key": format!("{prefix}.{kind}"), "localizedMessage": humanize(kind)}})
}

fn event_json(event: &Event, editor_name: &str) -> Value {
    let created = ProtoTimestamp::from_micros(event.created_at.0)
        .to_rfc3339()
        .unwrap_or_default();
    json!({
        "editor": {"userId": event.creator, "displayName": editor_name, "service": ""},
        "aggregate": {
            "id": event.aggregate_id,
            "type": localized("AggregateTypes", &event.aggregate_type),
            "resourceOwner": event.resource_owner,
        },
        "sequence": event.sequence.to_string(),
        "position": event.position.0.to_string(),
        "creationDate": created,
        "payload": event.payload,
        "type": localized("EventTypes", &event.event_type),
    })
}

/// `ListEvents`.
pub async fn list_events(
    state: AppState,
    caller: Caller,
    request: Value,
) -> Result<Value, DomainError> {
    let filter = filter_of(&caller.instance.id, &request)?;
    let events = state
        .writer
        .ledger()
        .read(&filter)
        .await
        .map_err(castellan_writer::writer::ledger_error)?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for event in &events {
        if !names.contains_key(&event.creator) {
            let name = get_user(state.store(), &caller.instance.id, &event.creator)
                .await
                .ok()
                .flatten()
                .map(|u| {
                    if u.display_name.is_empty() {
                        u.username
                    } else {
                        u.display_name
                    }
                })
                .unwrap_or_default();
            names.insert(event.creator.clone(), name);
        }
        let name = names.get(&event.creator).cloned().unwrap_or_default();
        out.push(event_json(event, &name));
    }
    Ok(json!({ "events": out }))
}

fn catalog() -> Result<&'static castellan_schemas::catalog::SchemaSet, DomainError> {
    castellan_schemas::catalog::current()
        .map_err(|e| DomainError::internal("EVENTS-0003", e.to_string()))
}

/// `ListEventTypes`: every event type this build writes.
pub async fn list_event_types(
    _state: AppState,
    _caller: Caller,
    _request: Value,
) -> Result<Value, DomainError> {
    let types: Vec<Value> = catalog()?
        .event_types()
        .map(|t| localized("EventTypes", t))
        .collect();
    Ok(json!({ "eventTypes": types }))
}

/// `ListAggregateTypes`: every aggregate type this build writes.
pub async fn list_aggregate_types(
    _state: AppState,
    _caller: Caller,
    _request: Value,
) -> Result<Value, DomainError> {
    let mut kinds: Vec<&str> = catalog()?.iter().map(|s| s.aggregate_type()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let types: Vec<Value> = kinds
        .into_iter()
        .map(|t| localized("AggregateTypes", t))
        .collect();
    Ok(json!({ "aggregateTypes": types }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_become_bounded_filters_in_the_callers_instance() {
        let filter = filter_of(
            "inst-1",
            &json!({"asc": true, "limit": 5000, "eventTypes": ["user.added"],
                    "aggregateTypes": ["user"], "editorUserId": "admin",
                    "creationDate": "2026-01-01T00:00:00Z", "position": "42"}),
        )
        .unwrap();
        assert_eq!(filter.instance_id.as_deref(), Some("inst-1"));
        assert_eq!(filter.limit, MAX_EVENTS);
        assert!(!filter.descending);
        assert_eq!(filter.after, Position(42));
        assert_eq!(filter.creator.as_deref(), Some("admin"));
        assert_eq!(filter.created_from, Some(Timestamp(1_767_225_600_000_000)));
        let newest = filter_of("inst-1", &json!({"position": 42, "limit": 10})).unwrap();
        assert!(newest.descending);
        assert_eq!(newest.until, Some(Position(41)));
        assert_eq!(newest.limit, 10);
        assert!(filter_of("i", &json!({"limit": "many"})).is_err());
        assert!(filter_of("i", &json!({"creationDate": "yesterday"})).is_err());
    }

    #[test]
    fn types_read_as_words() {
        assert_eq!(
            humanize("user.human.password.check.failed"),
            "User human password check failed"
        );
    }
}
