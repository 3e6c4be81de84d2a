//! SIEM sinks and their open dead letters. The sealed secret stays in the ledger: the read
//! model only says whether a sink has one.

use castellan_core::event::decode;
use castellan_core::sink::{AGGREGATE_TYPE, SinkEvent, SinkFilter, SinkSettings};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::store::{RowOp, key};
use crate::tables::{SINK_DEAD_LETTERS, SINKS};

pub struct SinkProjection;

impl Projection for SinkProjection {
    fn name(&self) -> &'static str {
        "sinks_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        sink_ops(event)
    }
}

/// The clustering key of a dead letter: positions sort numerically.
pub fn dead_letter_key(position: i64) -> String {
    format!("{position:020}")
}

fn config_columns(
    settings: &SinkSettings,
    filter: &SinkFilter,
) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("endpoint", json!(settings.endpoint)),
        ("tls", json!(settings.tls)),
        ("headers", json!(settings.headers)),
        ("ca_pem", json!(settings.ca_pem)),
        ("topic", json!(settings.topic)),
        ("event_types", json!(filter.event_types)),
        ("org_ids", json!(filter.org_ids)),
    ]
}

fn sink_ops(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    let sink_id = event.aggregate_id.as_str();
    let at = json!(event.created_at.0);
    let upsert = |mut pairs: Vec<(&'static str, serde_json::Value)>| {
        pairs.push(("changed", at.clone()));
        pairs.push(("sequence", json!(event.sequence)));
        RowOp::Upsert {
            table: SINKS,
            partition: instance.to_owned(),
            clustering: sink_id.to_owned(),
            columns: columns(&pairs),
        }
    };
    let letters = key(&[instance, sink_id]);
    let ops = match decode::<SinkEvent>(event)? {
        SinkEvent::Added {
            name,
            kind,
            settings,
            filter,
            sealed_secret,
        } => {
            let mut pairs = config_columns(&settings, &filter);
            pairs.extend([
                ("id", json!(sink_id)),
                ("name", json!(name)),
                ("kind", json!(kind.as_str())),
                ("has_secret", json!(!sealed_secret.is_empty())),
                ("created", at.clone()),
            ]);
            vec![upsert(pairs)]
        }
        SinkEvent::Changed {
            name,
            settings,
            filter,
        } => {
            let mut pairs = config_columns(&settings, &filter);
            pairs.push(("name", json!(name)));
            vec![upsert(pairs)]
        }
        SinkEvent::SecretChanged { sealed_secret } => {
            vec![upsert(vec![(
                "has_secret",
                json!(!sealed_secret.is_empty()),
            )])]
        }
        SinkEvent::Removed {} => vec![
            RowOp::Delete {
                table: SINKS,
                partition: instance.to_owned(),
                clustering: sink_id.to_owned(),
            },
            RowOp::DeletePartition {
                table: SINK_DEAD_LETTERS,
                partition: letters,
            },
        ],
        SinkEvent::DeliveryFailed {
            position,
            event_type,
            aggregate_id,
            error,
        } => vec![RowOp::Upsert {
            table: SINK_DEAD_LETTERS,
            partition: letters,
            clustering: dead_letter_key(position),
            columns: columns(&[
                ("position", json!(position)),
                ("event_type", json!(event_type)),
                ("aggregate_id", json!(aggregate_id)),
                ("error", json!(error)),
                ("failed_at", at.clone()),
            ]),
        }],
        SinkEvent::DeadLetterResolved { position } => vec![RowOp::Delete {
            table: SINK_DEAD_LETTERS,
            partition: letters,
            clustering: dead_letter_key(position),
        }],
    };
    Ok(ops)
}
