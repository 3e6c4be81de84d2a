//! Queries on SIEM sinks, always within one instance.

use castellan_core::clock::Timestamp;
use castellan_core::sink::Header;

use super::{int, text};
use crate::store::{Columns, ReadError, ReadStore, key};
use crate::tables::{SINK_DEAD_LETTERS, SINKS};

/// How many rows one page of a partition walk reads.
const PAGE: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct SinkView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub endpoint: String,
    pub tls: bool,
    pub headers: Vec<Header>,
    pub ca_pem: String,
    pub topic: String,
    pub event_types: Vec<String>,
    pub org_ids: Vec<String>,
    pub has_secret: bool,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
}

fn strings(columns: &Columns, name: &str) -> Vec<String> {
    columns
        .get(name)
        .and_then(|value| serde_json::from_value(value.clone()).ok())
        .unwrap_or_default()
}

fn sink_view(columns: &Columns) -> SinkView {
    SinkView {
        id: text(columns, "id"),
        name: text(columns, "name"),
        kind: text(columns, "kind"),
        endpoint: text(columns, "endpoint"),
        tls: columns
            .get("tls")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        headers: columns
            .get("headers")
            .and_then(|value| serde_json::from_value(value.clone()).ok())
            .unwrap_or_default(),
        ca_pem: text(columns, "ca_pem"),
        topic: text(columns, "topic"),
        event_types: strings(columns, "event_types"),
        org_ids: strings(columns, "org_ids"),
        has_secret: columns
            .get("has_secret")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
        sequence: int(columns, "sequence"),
    }
}

/// The sinks of an instance, in id order.
pub async fn list_sinks(
    store: &dyn ReadStore,
    instance_id: &str,
) -> Result<Vec<SinkView>, ReadError> {
    let mut sinks = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(SINKS, instance_id, after.as_deref(), PAGE)
            .await?;
        sinks.extend(page.rows.iter().map(|row| sink_view(&row.columns)));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(sinks),
        }
    }
}

/// One sink of the instance; `None` when it does not exist (or was removed).
pub async fn get_sink(
    store: &dyn ReadStore,
    instance_id: &str,
    sink_id: &str,
) -> Result<Option<SinkView>, ReadError> {
    Ok(store
        .get(SINKS, instance_id, sink_id)
        .await?
        .map(|row| sink_view(&row.columns)))
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeadLetterView {
    pub position: i64,
    pub event_type: String,
    pub aggregate_id: String,
    pub error: String,
    pub failed_at: Timestamp,
}

/// The open dead letters of a sink, oldest event first, at most `limit`.
pub async fn dead_letters(
    store: &dyn ReadStore,
    instance_id: &str,
    sink_id: &str,
    limit: usize,
) -> Result<Vec<DeadLetterView>, ReadError> {
    let partition = key(&[instance_id, sink_id]);
    let mut letters = Vec::new();
    let mut after: Option<String> = None;
    while letters.len() < limit {
        let page = store
            .scan_page(SINK_DEAD_LETTERS, &partition, after.as_deref(), PAGE)
            .await?;
        letters.extend(page.rows.iter().map(|row| DeadLetterView {
            position: int(&row.columns, "position"),
            event_type: text(&row.columns, "event_type"),
            aggregate_id: text(&row.columns, "aggregate_id"),
            error: text(&row.columns, "error"),
            failed_at: Timestamp(int(&row.columns, "failed_at")),
        }));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    letters.truncate(limit);
    Ok(letters)
}
