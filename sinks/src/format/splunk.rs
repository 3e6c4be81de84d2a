//! Splunk HTTP Event Collector bodies: one JSON object per event, concatenated (HEC accepts
//! several events in one request), `{"time": <seconds.micros>, "host", "source": "castellan",
//! "sourcetype": "castellan:audit", "event": {...}}`, where the event is the webhook's JSON.

use castellan_core::Event;
use serde_json::json;

use super::webhook::event_json;

pub const SOURCE: &str = "castellan";
pub const SOURCETYPE: &str = "castellan:audit";

/// One HEC event object.
pub fn hec_event(event: &Event, host: &str) -> serde_json::Value {
    let micros = event.created_at.0;
    let time = format!(
        "{}.{:06}",
        micros.div_euclid(1_000_000),
        micros.rem_euclid(1_000_000)
    );
    // A number in JSON; `time` is a decimal string that always parses.
    let time: serde_json::Value = serde_json::from_str(&time).unwrap_or_default();
    json!({
        "time": time,
        "host": host,
        "source": SOURCE,
        "sourcetype": SOURCETYPE,
        "event": event_json(event),
    })
}

/// The request body of a batch.
pub fn body(events: &[&Event], host: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for event in events {
        body.extend_from_slice(hec_event(event, host).to_string().as_bytes());
        body.push(b'\n');
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::tests::event;

    #[test]
    fn a_batch_is_concatenated_hec_events() {
        let first = event("user.human.added", "{}");
        let body = String::from_utf8(body(&[&first, &first], "h")).unwrap();
        let lines: Vec<serde_json::Value> = body
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["time"], json!(1_714_000_000.123456));
        assert_eq!(lines[0]["sourcetype"], "castellan:audit");
        assert_eq!(lines[0]["event"]["position"], 77);
    }
}
