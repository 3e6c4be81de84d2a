//! JSON of the `/castellan/v1/sinks` API. Secrets are accepted, never returned.

use castellan_core::DomainError;
use castellan_core::sink::{Header, SinkFilter, SinkKind, SinkSettings, SinkSpec};
use castellan_readers::queries::sink::{DeadLetterView, SinkView};
use serde::{Deserialize, Serialize};

use crate::proto::timestamp::ProtoTimestamp;
use crate::support::timestamp;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterWire {
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub org_ids: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderWire {
    pub name: String,
    pub value: String,
}

/// Create (`POST`) and full update (`PUT`, where `id` comes from the path and `kind` may be
/// left out). A `secret` left out on update keeps the current one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SinkRequest {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub tls: bool,
    #[serde(default)]
    pub headers: Vec<HeaderWire>,
    /// Syslog over TLS: the CA certificates (PEM) to trust instead of the Web PKI.
    #[serde(default)]
    pub ca_pem: String,
    /// Kafka: the topic.
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub filter: FilterWire,
}

impl SinkRequest {
    pub fn spec(&self, current_kind: Option<SinkKind>) -> Result<SinkSpec, DomainError> {
        let kind = match (&self.kind, current_kind) {
            (Some(kind), _) => SinkKind::parse(kind)?,
            (None, Some(kind)) => kind,
            (None, None) => SinkKind::parse("")?,
        };
        Ok(SinkSpec {
            name: self.name.clone(),
            kind,
            settings: SinkSettings {
                endpoint: self.endpoint.clone(),
                tls: self.tls,
                headers: self
                    .headers
                    .iter()
                    .map(|h| Header {
                        name: h.name.trim().to_owned(),
                        value: h.value.clone(),
                    })
                    .collect(),
                ca_pem: self.ca_pem.clone(),
                topic: self.topic.clone(),
            },
            filter: SinkFilter {
                event_types: self.filter.event_types.clone(),
                org_ids: self.filter.org_ids.clone(),
            },
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkIdRequest {
    #[serde(default)]
    pub id: String,
    /// Dead-letter replays: the event's position (from the path).
    #[serde(default)]
    pub position: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkWire {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub endpoint: String,
    pub tls: bool,
    pub headers: Vec<HeaderWire>,
    pub ca_pem: String,
    pub topic: String,
    pub filter: FilterWire,
    /// Whether a credential is set (it is never shown).
    pub has_secret: bool,
    pub creation_date: ProtoTimestamp,
    pub change_date: ProtoTimestamp,
}

impl From<SinkView> for SinkWire {
    fn from(view: SinkView) -> Self {
        Self {
            id: view.id,
            name: view.name,
            kind: view.kind,
            endpoint: view.endpoint,
            tls: view.tls,
            headers: view
                .headers
                .into_iter()
                .map(|h| HeaderWire {
                    name: h.name,
                    value: h.value,
                })
                .collect(),
            ca_pem: view.ca_pem,
            topic: view.topic,
            filter: FilterWire {
                event_types: view.event_types,
                org_ids: view.org_ids,
            },
            has_secret: view.has_secret,
            creation_date: timestamp(view.created),
            change_date: timestamp(view.changed),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterWire {
    /// The undelivered event's ledger position (a string, as int64 in proto3 JSON).
    pub position: String,
    pub event_type: String,
    pub aggregate_id: String,
    pub error: String,
    pub failure_date: ProtoTimestamp,
}

impl From<DeadLetterView> for DeadLetterWire {
    fn from(view: DeadLetterView) -> Self {
        Self {
            position: view.position.to_string(),
            event_type: view.event_type,
            aggregate_id: view.aggregate_id,
            error: view.error,
            failure_date: timestamp(view.failed_at),
        }
    }
}
