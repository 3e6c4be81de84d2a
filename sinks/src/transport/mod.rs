//! Getting formatted events to a sink: HTTP (webhook, Splunk HEC) through the one
//! SSRF-protected client, syslog through [`syslog`]'s TCP/TLS connection, Kafka through
//! [`kafka`]'s idempotent producer.

pub mod http;
pub mod kafka;
pub mod syslog;

use std::sync::Arc;
use std::time::Duration;

use castellan_core::Event;
use castellan_core::clock::Clock;
use castellan_core::sink::{self, Sink, SinkKind};
use castellan_jose::MasterKey;
use castellan_outbound::Outbound;
use castellan_writer::relay::kafka::EventEncoder;

/// Why a delivery failed: worth retrying, or not.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

impl DeliveryError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// What every transport shares.
#[derive(Clone)]
pub struct TransportSettings {
    /// The one outbound HTTP client; its address policy also guards syslog connections.
    pub outbound: Outbound,
    /// Names this Castellan in Splunk's `host` and syslog's HOSTNAME.
    pub host: String,
    /// Connect and write time limit of syslog connections, and how long a Kafka record may
    /// wait for its acknowledgement.
    pub timeout: Duration,
    pub clock: Arc<dyn Clock>,
    /// Events to Kafka values: the encoder (and so the schema ids) of the relay's topic.
    pub encoder: Arc<dyn EventEncoder>,
}

/// A sink's way out, with its credential opened.
pub enum Transport {
    Webhook(http::Webhook),
    Splunk(http::Splunk),
    Syslog(syslog::Syslog),
    Kafka(kafka::Kafka),
}

impl Transport {
    /// Builds the transport of a sink, opening its sealed secret with the master key.
    pub fn build(
        instance_id: &str,
        sink_id: &str,
        state: &Sink,
        key: &MasterKey,
        settings: &TransportSettings,
    ) -> Result<Self, DeliveryError> {
        let secret = if state.sealed_secret.is_empty() {
            Vec::new()
        } else {
            key.decrypt(
                &state.sealed_secret,
                &sink::secret_context(instance_id, sink_id),
            )
            .map_err(|e| DeliveryError::Permanent(format!("the sink's secret does not open: {e}")))?
            .to_vec()
        };
        let headers: Vec<(String, String)> = state
            .settings
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        Ok(match state.kind {
            SinkKind::Webhook => Transport::Webhook(http::Webhook {
                url: state.settings.endpoint.clone(),
                headers,
                key: secret,
                outbound: settings.outbound.clone(),
                clock: settings.clock.clone(),
            }),
            SinkKind::SplunkHec => Transport::Splunk(http::Splunk {
                url: state.settings.endpoint.clone(),
                headers,
                token: String::from_utf8_lossy(&secret).into_owned(),
                host: settings.host.clone(),
                outbound: settings.outbound.clone(),
            }),
            SinkKind::Syslog => {
                let (host, port) = sink::split_host_port(&state.settings.endpoint)
                    .ok_or_else(|| DeliveryError::Permanent("endpoint is not host:port".into()))?;
                Transport::Syslog(syslog::Syslog {
                    host,
                    port,
                    tls: state.settings.tls,
                    ca_pem: state.settings.ca_pem.clone(),
                    policy: settings.outbound.policy().clone(),
                    timeout: settings.timeout,
                    hostname: settings.host.clone(),
                })
            }
            SinkKind::Kafka => Transport::Kafka(kafka::Kafka::new(
                &state.settings.endpoint,
                &state.settings.topic,
                settings.outbound.policy().clone(),
                settings.encoder.clone(),
                settings.timeout,
            )),
        })
    }

    /// How many events one request carries at most (webhooks: one per request).
    pub fn max_batch(&self) -> usize {
        match self {
            Transport::Webhook(_) => 1,
            Transport::Splunk(_) | Transport::Syslog(_) | Transport::Kafka(_) => 100,
        }
    }

    /// Delivers `events` (in order) in one attempt.
    pub async fn send(&self, events: &[&Event]) -> Result<(), DeliveryError> {
        match self {
            Transport::Webhook(webhook) => {
                for event in events {
                    webhook.send(event).await?;
                }
                Ok(())
            }
            Transport::Splunk(splunk) => splunk.send(events).await,
            Transport::Syslog(syslog) => syslog.send(events).await,
            Transport::Kafka(kafka) => kafka.send(events).await,
        }
    }
}
