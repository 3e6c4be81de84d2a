//! Webhook and Splunk HEC deliveries over the SSRF-protected client.

use std::sync::Arc;

use castellan_core::Event;
use castellan_core::clock::Clock;
use castellan_outbound::{Outbound, OutboundError};

use super::DeliveryError;
use crate::format::{splunk, webhook};

pub struct Webhook {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The signing key.
    pub key: Vec<u8>,
    pub outbound: Outbound,
    pub clock: Arc<dyn Clock>,
}

impl Webhook {
    pub async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let body = webhook::body(event);
        let now = self.clock.now().0.div_euclid(1_000_000);
        let mut headers = self.headers.clone();
        headers.push((
            webhook::SIGNATURE_HEADER.to_owned(),
            webhook::signature(&self.key, now, &body),
        ));
        headers.push((
            webhook::IDEMPOTENCY_HEADER.to_owned(),
            event.position.0.to_string(),
        ));
        let answer = self
            .outbound
            .post_bytes(&self.url, "application/json", &headers, body)
            .await;
        judge(answer)
    }
}

pub struct Splunk {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub token: String,
    pub host: String,
    pub outbound: Outbound,
}

impl Splunk {
    pub async fn send(&self, events: &[&Event]) -> Result<(), DeliveryError> {
        let mut headers = self.headers.clone();
        headers.push(("Authorization".to_owned(), format!("Splunk {}", self.token)));
        let body = splunk::body(events, &self.host);
        let answer = self
            .outbound
            .post_bytes(&self.url, "application/json", &headers, body)
            .await;
        judge(answer)
    }
}

/// 2xx delivered; 408, 429 and 5xx (and network failures) are worth retrying; any other answer,
/// and an address the policy refuses, is not.
pub fn judge(answer: Result<(u16, String), OutboundError>) -> Result<(), DeliveryError> {
    match answer {
        Ok((status, _)) if (200..300).contains(&status) => Ok(()),
        Ok((status, body)) => {
            let snippet: String = body.chars().take(200).collect();
            let message = format!("HTTP {status}: {snippet}");
            if status == 408 || status == 429 || status >= 500 {
                Err(DeliveryError::Transient(message))
            } else {
                Err(DeliveryError::Permanent(message))
            }
        }
        Err(error @ (OutboundError::Blocked(_) | OutboundError::InvalidUrl(_))) => {
            Err(DeliveryError::Permanent(error.to_string()))
        }
        Err(error) => Err(DeliveryError::Transient(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_judged_transient_or_permanent() {
        assert!(judge(Ok((204, String::new()))).is_ok());
        assert!(judge(Ok((503, String::new()))).unwrap_err().is_transient());
        assert!(judge(Ok((429, String::new()))).unwrap_err().is_transient());
        assert!(!judge(Ok((400, String::new()))).unwrap_err().is_transient());
        assert!(
            !judge(Err(OutboundError::Blocked("10.0.0.1".into())))
                .unwrap_err()
                .is_transient()
        );
    }
}
