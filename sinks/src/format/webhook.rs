//! Webhook bodies and ZITADEL's request signature.
//!
//! The body is the event as ZITADEL's Actions v2 event executions send it (`aggregateID`,
//! `aggregateType`, `resourceOwner`, `instanceID`, `version`, `sequence`, `event_type`,
//! `created_at`, `userID`, `event_payload`), plus Castellan's `position`. The signature header is
//! ZITADEL's: `ZITADEL-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed
//! with the sink's signing key.

use castellan_core::Event;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::time::rfc3339;

pub const SIGNATURE_HEADER: &str = "ZITADEL-Signature";
/// Carries the event's ledger position, so receivers can drop a redelivery.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// The JSON of one event.
pub fn event_json(event: &Event) -> Value {
    json!({
        "aggregateID": event.aggregate_id,
        "aggregateType": event.aggregate_type,
        "resourceOwner": event.resource_owner,
        "instanceID": event.instance_id,
        "version": format!("v{}", event.revision),
        "sequence": event.sequence,
        "position": event.position.0,
        "event_type": event.event_type,
        "created_at": rfc3339(event.created_at),
        "userID": event.creator,
        "event_payload": event.payload,
    })
}

/// The body bytes of one event.
pub fn body(event: &Event) -> Vec<u8> {
    event_json(event).to_string().into_bytes()
}

/// The `ZITADEL-Signature` value for `body` sent at `unix_seconds`.
pub fn signature(key: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac(key, unix_seconds, body))
    )
}

fn mac(key: &[u8], unix_seconds: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks a `ZITADEL-Signature` value (any `v1` may match), as a receiver does.
pub fn verify(key: &[u8], header: &str, body: &[u8]) -> bool {
    let mut time: Option<i64> = None;
    let mut signatures: Vec<String> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => time = value.parse().ok(),
            Some(("v1", value)) => signatures.push(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    let Some(time) = time else { return false };
    let expected = hex::encode(mac(key, time, body));
    signatures
        .iter()
        .any(|candidate| castellan_core::ct_eq(candidate, &expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_time_dot_body() {
        // HMAC-SHA256("key", "1700000000.{}"), computed independently (Python's hmac).
        let header = signature(b"key", 1_700_000_000, b"{}");
        assert_eq!(
            header,
            "t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert!(verify(b"key", &header, b"{}"));
        assert!(!verify(b"other", &header, b"{}"));
        assert!(!verify(b"key", &header, b"{ }"));
        assert!(!verify(b"key", "v1=00", b"{}"));
    }
}
