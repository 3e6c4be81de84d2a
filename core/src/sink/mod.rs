//! The sink aggregate: a SIEM audit stream of one instance (issue #7). A sink names where the
//! instance's events go (a signed HTTP webhook, a Splunk HTTP Event Collector, syslog with CEF
//! over TCP/TLS, or a Kafka topic of Avro events), which events (filters by event type and org),
//! and the credential it uses.
//!
//! The credential (webhook signing key, Splunk token) is never in an event in plaintext: the
//! edge seals it with the master key and the events carry only the sealed string.
//!
//! Deliveries that failed for good become dead letters, recorded on the sink
//! (`sink.delivery.failed`) until a replay delivers them (`sink.dead_letter.resolved`).

pub mod filter;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::filter::SinkFilter;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "sink";
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_ENDPOINT_LEN: usize = 2000;
pub const MAX_HEADERS: usize = 20;
pub const MAX_FILTERS: usize = 100;
pub const MAX_ERROR_LEN: usize = 1000;
/// The largest custom CA bundle (PEM) a syslog sink may carry.
pub const MAX_CA_PEM_LEN: usize = 65_536;
/// Kafka's own limit on topic names.
pub const MAX_TOPIC_LEN: usize = 249;
/// The event types of the delivery bookkeeping, which no sink delivers (a failing sink would
/// otherwise feed itself its own failures).
pub const BOOKKEEPING_EVENTS: [&str; 2] = ["sink.delivery.failed", "sink.dead_letter.resolved"];

/// Where a sink delivers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    /// JSON POSTs signed with `ZITADEL-Signature` (HMAC-SHA256).
    #[default]
    Webhook,
    /// Splunk HTTP Event Collector JSON, `Authorization: Splunk <token>`.
    SplunkHec,
    /// RFC 5424 syslog over TCP (RFC 6587 octet counting), the message a CEF line.
    Syslog,
    /// A Kafka topic: the events as Avro in Confluent's wire format, keyed by aggregate id.
    Kafka,
}

impl SinkKind {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text.trim() {
            "webhook" => Ok(Self::Webhook),
            "splunk_hec" => Ok(Self::SplunkHec),
            "syslog" => Ok(Self::Syslog),
            "kafka" => Ok(Self::Kafka),
            _ => Err(DomainError::invalid(
                "SINK-0002",
                "kind must be webhook, splunk_hec, syslog or kafka",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::SplunkHec => "splunk_hec",
            Self::Syslog => "syslog",
            Self::Kafka => "kafka",
        }
    }

    /// Whether the sink cannot work without a credential.
    pub fn needs_secret(self) -> bool {
        matches!(self, Self::Webhook | Self::SplunkHec)
    }
}

/// An extra HTTP header sent with every request (not a secret: it is shown by the API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// The non-secret settings of a sink.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkSettings {
    /// The URL (webhook, Splunk HEC), `host:port` (syslog) or the brokers `host:port,…` (Kafka).
    pub endpoint: String,
    /// Syslog only: TLS (RFC 5425) instead of plain TCP.
    pub tls: bool,
    pub headers: Vec<Header>,
    /// Syslog over TLS only: the certificate authorities (PEM) the server's certificate must
    /// chain to, instead of the Web PKI roots; empty for the Web PKI. Not a secret.
    #[serde(default)]
    pub ca_pem: String,
    /// Kafka only: the topic.
    #[serde(default)]
    pub topic: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum SinkEvent {
    #[serde(rename = "sink.added")]
    Added {
        name: String,
        kind: SinkKind,
        settings: SinkSettings,
        filter: SinkFilter,
        /// The credential sealed with the master key; empty when the sink has none.
        sealed_secret: String,
    },
    /// The name, settings and filter after the change (the kind never changes).
    #[serde(rename = "sink.changed")]
    Changed {
        name: String,
        settings: SinkSettings,
        filter: SinkFilter,
    },
    #[serde(rename = "sink.secret.changed")]
    SecretChanged { sealed_secret: String },
    #[serde(rename = "sink.removed")]
    Removed {},
    /// The event at `position` could not be delivered (after the retries): a dead letter.
    #[serde(rename = "sink.delivery.failed")]
    DeliveryFailed {
        position: i64,
        event_type: String,
        aggregate_id: String,
        error: String,
    },
    /// The dead letter at `position` was delivered by a replay.
    #[serde(rename = "sink.dead_letter.resolved")]
    DeadLetterResolved { position: i64 },
}

impl EventPayload for SinkEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SinkState {
    #[default]
    Unspecified,
    Active,
    Removed,
}

/// A delivery that failed for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub position: i64,
    pub event_type: String,
    pub aggregate_id: String,
    pub error: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sink {
    pub name: String,
    pub kind: SinkKind,
    pub settings: SinkSettings,
    pub filter: SinkFilter,
    pub sealed_secret: String,
    pub state: SinkState,
    /// Open dead letters by position.
    pub dead_letters: BTreeMap<i64, DeadLetter>,
}

impl Aggregate for Sink {
    type Event = SinkEvent;

    fn apply(&mut self, event: &SinkEvent, _meta: &EventMeta) {
        match event {
            SinkEvent::Added {
                name,
                kind,
                settings,
                filter,
                sealed_secret,
            } => {
                self.name.clone_from(name);
                self.kind = *kind;
                self.settings.clone_from(settings);
                self.filter.clone_from(filter);
                self.sealed_secret.clone_from(sealed_secret);
                self.state = SinkState::Active;
            }
            SinkEvent::Changed {
                name,
                settings,
                filter,
            } => {
                self.name.clone_from(name);
                self.settings.clone_from(settings);
                self.filter.clone_from(filter);
            }
            SinkEvent::SecretChanged { sealed_secret } => {
                self.sealed_secret.clone_from(sealed_secret);
            }
            SinkEvent::Removed {} => {
                self.state = SinkState::Removed;
                self.dead_letters.clear();
            }
            SinkEvent::DeliveryFailed {
                position,
                event_type,
                aggregate_id,
                error,
            } => {
                self.dead_letters.insert(
                    *position,
                    DeadLetter {
                        position: *position,
                        event_type: event_type.clone(),
                        aggregate_id: aggregate_id.clone(),
                        error: error.clone(),
                    },
                );
            }
            SinkEvent::DeadLetterResolved { position } => {
                self.dead_letters.remove(position);
            }
        }
    }
}

impl Sink {
    pub fn exists(&self) -> bool {
        self.state == SinkState::Active
    }

    pub fn require_found(&self) -> Result<(), DomainError> {
        if self.exists() {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

pub fn not_found() -> DomainError {
    DomainError::not_found("SINK-0001", "Sink not found")
}

/// What a caller asks a sink to be (create or full update).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SinkSpec {
    pub name: String,
    pub kind: SinkKind,
    pub settings: SinkSettings,
    pub filter: SinkFilter,
}

/// The associated data a sink's secret is sealed with: it opens only for this sink.
pub fn secret_context(instance_id: &str, sink_id: &str) -> Vec<u8> {
    format!("castellan-sink-secret:{instance_id}:{sink_id}").into_bytes()
}

/// The durable checkpoint (and leader-election name) of a sink's delivery.
pub fn checkpoint_name(sink_id: &str) -> String {
    format!("sink:{sink_id}")
}

fn validate(spec: &SinkSpec) -> Result<SinkSpec, DomainError> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(DomainError::invalid(
            "SINK-0003",
            format!("name must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    let endpoint = spec.settings.endpoint.trim();
    validate_endpoint(spec.kind, endpoint)?;
    if spec.settings.tls && spec.kind != SinkKind::Syslog {
        return Err(DomainError::invalid(
            "SINK-0004",
            "tls applies to syslog sinks; HTTP sinks use an https URL, Kafka sinks plaintext \
             brokers",
        ));
    }
    if spec.settings.headers.len() > MAX_HEADERS {
        return Err(DomainError::invalid(
            "SINK-0005",
            format!("at most {MAX_HEADERS} headers"),
        ));
    }
    for header in &spec.settings.headers {
        validate_header(spec.kind, header)?;
    }
    let ca_pem = spec.settings.ca_pem.trim();
    validate_ca_pem(spec, ca_pem)?;
    let topic = spec.settings.topic.trim();
    validate_topic(spec.kind, topic)?;
    Ok(SinkSpec {
        name: name.to_owned(),
        kind: spec.kind,
        settings: SinkSettings {
            endpoint: endpoint.to_owned(),
            tls: spec.settings.tls,
            headers: spec.settings.headers.clone(),
            ca_pem: if ca_pem.is_empty() {
                String::new()
            } else {
                format!("{ca_pem}\n")
            },
            topic: topic.to_owned(),
        },
        filter: spec.filter.validated()?,
    })
}

fn validate_endpoint(kind: SinkKind, endpoint: &str) -> Result<(), DomainError> {
    let bad = |message: &str| DomainError::invalid("SINK-0006", message.to_owned());
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(bad("endpoint is required (at most 2000 characters)"));
    }
    if endpoint
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad("endpoint must not contain spaces"));
    }
    match kind {
        SinkKind::Webhook | SinkKind::SplunkHec => {
            let rest = endpoint
                .strip_prefix("https://")
                .or_else(|| endpoint.strip_prefix("http://"));
            match rest {
                Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
                _ => Err(bad("endpoint must be an http(s) URL")),
            }
        }
        SinkKind::Syslog => match split_host_port(endpoint) {
            Some(_) => Ok(()),
            None => Err(bad("endpoint must be host:port")),
        },
        SinkKind::Kafka => {
            if endpoint.split(',').all(|b| split_host_port(b).is_some()) {
                Ok(())
            } else {
                Err(bad("endpoint must be the brokers, host:port[,host:port…]"))
            }
        }
    }
}

/// The PEM marker of one certificate.
const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// A CA bundle belongs to a syslog sink over TLS and is one or more PEM certificates (base64
/// between the markers; whether they are X.509 the transport finds out).
fn validate_ca_pem(spec: &SinkSpec, ca_pem: &str) -> Result<(), DomainError> {
    if ca_pem.is_empty() {
        return Ok(());
    }
    let bad = |message: &str| DomainError::invalid("SINK-0022", message.to_owned());
    if spec.kind != SinkKind::Syslog || !spec.settings.tls {
        return Err(bad("caPem applies to syslog sinks over TLS"));
    }
    if ca_pem.len() > MAX_CA_PEM_LEN {
        return Err(bad("caPem is larger than 64 KiB"));
    }
    let mut certificates = 0;
    let mut rest = ca_pem;
    while let Some(start) = rest.find(PEM_BEGIN) {
        let after = rest.get(start + PEM_BEGIN.len()..).unwrap_or_default();
        let Some(end) = after.find(PEM_END) else {
            return Err(bad("caPem has a certificate without its END line"));
        };
        let body: String = after
            .get(..end)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        use base64::Engine as _;
        if body.is_empty()
            || base64::engine::general_purpose::STANDARD
                .decode(&body)
                .is_err()
        {
            return Err(bad("caPem has a certificate that is not base64"));
        }
        certificates += 1;
        rest = after.get(end + PEM_END.len()..).unwrap_or_default();
    }
    if certificates == 0 {
        return Err(bad("caPem must hold PEM certificates (BEGIN CERTIFICATE)"));
    }
    Ok(())
}

/// Kafka sinks need a topic name Kafka accepts; other kinds have none.
fn validate_topic(kind: SinkKind, topic: &str) -> Result<(), DomainError> {
    let bad = |message: &str| DomainError::invalid("SINK-0023", message.to_owned());
    if kind != SinkKind::Kafka {
        return if topic.is_empty() {
            Ok(())
        } else {
            Err(bad("topic applies to kafka sinks"))
        };
    }
    let valid = !topic.is_empty()
        && topic.len() <= MAX_TOPIC_LEN
        && topic != "."
        && topic != ".."
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(bad(
            "a kafka sink needs a topic of letters, digits, '.', '_' and '-' (at most 249)",
        ))
    }
}

/// `host:port` (an IPv6 host in brackets) into its parts.
pub fn split_host_port(endpoint: &str) -> Option<(String, u16)> {
    let (host, port) = endpoint.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    if host.is_empty() || host.contains('/') {
        return None;
    }
    Some((host.to_owned(), port))
}

/// Headers the delivery sets itself may not be overridden.
const RESERVED_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "idempotency-key",
    "zitadel-signature",
];

fn validate_header(kind: SinkKind, header: &Header) -> Result<(), DomainError> {
    if matches!(kind, SinkKind::Syslog | SinkKind::Kafka) {
        return Err(DomainError::invalid(
            "SINK-0007",
            format!("{} sinks take no headers", kind.as_str()),
        ));
    }
    let name_ok = !header.name.is_empty()
        && header.name.len() <= 100
        && header
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let value_ok = header.value.len() <= 1000 && !header.value.chars().any(char::is_control);
    if !name_ok || !value_ok {
        return Err(DomainError::invalid(
            "SINK-0007",
            format!("header {:?} is not a valid header", header.name),
        ));
    }
    if RESERVED_HEADERS.contains(&header.name.to_ascii_lowercase().as_str()) {
        return Err(DomainError::invalid(
            "SINK-0008",
            format!("header {} is set by Castellan", header.name),
        ));
    }
    Ok(())
}

/// Creates a sink; `sealed_secret` is the credential sealed by the edge (empty: none).
pub fn add(
    state: &Sink,
    spec: &SinkSpec,
    sealed_secret: &str,
) -> Result<Decision<SinkEvent>, DomainError> {
    if state.state != SinkState::Unspecified {
        return Err(DomainError::already_exists(
            "SINK-0009",
            "Sink already exists",
        ));
    }
    let spec = validate(spec)?;
    if spec.kind.needs_secret() && sealed_secret.is_empty() {
        return Err(DomainError::invalid(
            "SINK-0010",
            format!("a {} sink needs a secret", spec.kind.as_str()),
        ));
    }
    Ok(Decision::of(SinkEvent::Added {
        name: spec.name,
        kind: spec.kind,
        settings: spec.settings,
        filter: spec.filter,
        sealed_secret: sealed_secret.to_owned(),
    }))
}

/// Replaces name, settings and filter; a new sealed secret when given. Nothing changed decides
/// nothing.
pub fn change(
    state: &Sink,
    spec: &SinkSpec,
    sealed_secret: Option<&str>,
) -> Result<Decision<SinkEvent>, DomainError> {
    state.require_found()?;
    if spec.kind != state.kind {
        return Err(DomainError::invalid(
            "SINK-0011",
            "the kind of a sink cannot change",
        ));
    }
    let spec = validate(spec)?;
    let mut decision = Decision::default();
    if spec.name != state.name || spec.settings != state.settings || spec.filter != state.filter {
        decision.events.push(SinkEvent::Changed {
            name: spec.name,
            settings: spec.settings,
            filter: spec.filter,
        });
    }
    if let Some(sealed) = sealed_secret.filter(|s| !s.is_empty()) {
        decision.events.push(SinkEvent::SecretChanged {
            sealed_secret: sealed.to_owned(),
        });
    }
    Ok(decision)
}

pub fn remove(state: &Sink) -> Result<Decision<SinkEvent>, DomainError> {
    state.require_found()?;
    Ok(Decision::of(SinkEvent::Removed {}))
}

/// Records a dead letter (once per position; a sink removed meanwhile records nothing).
pub fn record_failure(state: &Sink, letter: &DeadLetter) -> Decision<SinkEvent> {
    if !state.exists() || state.dead_letters.contains_key(&letter.position) {
        return Decision::default();
    }
    let error: String = letter.error.chars().take(MAX_ERROR_LEN).collect();
    Decision::of(SinkEvent::DeliveryFailed {
        position: letter.position,
        event_type: letter.event_type.clone(),
        aggregate_id: letter.aggregate_id.clone(),
        error,
    })
}

/// The open dead letter at `position`, or NotFound.
pub fn dead_letter(state: &Sink, position: i64) -> Result<&DeadLetter, DomainError> {
    state.require_found()?;
    state
        .dead_letters
        .get(&position)
        .ok_or_else(|| DomainError::not_found("SINK-0012", "No open dead letter at this position"))
}

/// Marks the dead letter at `position` delivered.
pub fn resolve(state: &Sink, position: i64) -> Result<Decision<SinkEvent>, DomainError> {
    dead_letter(state, position)?;
    Ok(Decision::of(SinkEvent::DeadLetterResolved { position }))
}

#[cfg(test)]
mod tests;
