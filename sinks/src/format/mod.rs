//! The wire formats, pure functions of an event.

pub mod cef;
pub mod splunk;
pub mod syslog;
pub mod time;
pub mod webhook;

#[cfg(test)]
pub(crate) mod tests {
    use castellan_core::clock::Timestamp;
    use castellan_core::{Event, Position};

    /// A stored event of type `event_type` with a JSON payload.
    pub(crate) fn event(event_type: &str, payload: &str) -> Event {
        Event {
            instance_id: "inst".into(),
            aggregate_type: "user".into(),
            aggregate_id: "u-1".into(),
            sequence: 2,
            event_type: event_type.into(),
            revision: 1,
            payload: serde_json::from_str(payload).unwrap_or_default(),
            creator: "admin".into(),
            resource_owner: "org-1".into(),
            created_at: Timestamp(1_714_000_000_123_456),
            position: Position(77),
        }
    }
}
