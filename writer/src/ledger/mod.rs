//! The ledger: Castellan's only source of truth.
//!
//! One trait, [`Ledger`], with two implementations that run one contract suite:
//! [`postgres::PostgresLedger`] (production) and [`sqlite::SqliteLedger`] (embedded default).
//!
//! Guarantees every implementation keeps (see `docs/design/0001-ledger.md`):
//! - **Optimistic concurrency.** Each [`AggregateAppend`] names the version it expects (the last
//!   sequence it saw, 0 for a new aggregate). If the aggregate is elsewhere, the whole batch fails
//!   with [`LedgerError::Conflict`] and nothing is written.
//! - **Unique constraints** are claimed and released in the same transaction as the events; a
//!   claim that is already held fails the whole batch with [`LedgerError::UniqueViolation`].
//! - **Gap-free global order.** [`Ledger::read`] only returns events whose position can no longer
//!   be preceded by an event that commits later, so a reader that tails by position never misses
//!   one. Within one aggregate, position order equals sequence order.

pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use castellan_core::clock::Timestamp;
use castellan_core::{Event, NewEvent, Position};
use tokio::sync::watch;

/// The most events one [`AppendBatch`] may carry.
pub const MAX_EVENTS_PER_BATCH: usize = 10_000;

/// Events for one aggregate inside a batch.
#[derive(Clone, Debug)]
pub struct AggregateAppend {
    pub instance_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// The aggregate's current version as the caller saw it: its last sequence, 0 if new.
    pub expected_version: i64,
    pub resource_owner: String,
    pub creator: String,
    pub events: Vec<NewEvent>,
}

/// A unique value, scoped to an instance. `field` is compared case-insensitively (the ledger
/// stores it lower-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub instance_id: String,
    pub unique_type: String,
    pub field: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UniqueOp {
    /// Take the value; fails the batch if it is held.
    Claim(UniqueConstraint),
    /// Give the value back; releasing a value that is not held is not an error.
    Release(UniqueConstraint),
}

/// Everything one command writes, committed atomically or not at all.
#[derive(Clone, Debug)]
pub struct AppendBatch {
    pub appends: Vec<AggregateAppend>,
    pub unique: Vec<UniqueOp>,
    /// The command's time (injected); stamped on every event of the batch.
    pub created_at: Timestamp,
}

/// What an append wrote, in global order.
#[derive(Clone, Debug)]
pub struct Appended {
    pub events: Vec<Event>,
}

impl Appended {
    /// The position of the last event written (what a caller waits for to read its writes).
    pub fn position(&self) -> Position {
        self.events
            .last()
            .map(|event| event.position)
            .unwrap_or_default()
    }
}

/// A read of the global stream. Every filter that is set must match.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Only events strictly after this position.
    pub after: Position,
    /// Only events at or before this position.
    pub until: Option<Position>,
    pub instance_id: Option<String>,
    /// Empty means every aggregate type.
    pub aggregate_types: Vec<String>,
    pub aggregate_id: Option<String>,
    /// Empty means every event type.
    pub event_types: Vec<String>,
    /// At most this many events (0 means the implementation's default of 1000).
    pub limit: usize,
    /// Only events whose command was issued by this user (the editor).
    pub creator: Option<String>,
    /// Only events of aggregates owned by this org (or instance).
    pub resource_owner: Option<String>,
    /// Only events committed at or after this time.
    pub created_from: Option<castellan_core::clock::Timestamp>,
    /// Only events committed at or before this time.
    pub created_until: Option<castellan_core::clock::Timestamp>,
    /// Only events with an aggregate sequence above this (meaningful with `aggregate_id`).
    pub sequence_after: Option<i64>,
    /// Newest first (the `limit` newest events in the range), instead of oldest first.
    pub descending: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "aggregate {aggregate_type}/{aggregate_id} is at version {actual}, expected {expected}"
    )]
    Conflict {
        aggregate_type: String,
        aggregate_id: String,
        expected: i64,
        actual: i64,
    },
    #[error("unique constraint {unique_type} is already taken by {field:?}")]
    UniqueViolation { unique_type: String, field: String },
    #[error("invalid append: {0}")]
    Invalid(String),
    #[error("ledger unavailable: {0}")]
    Unavailable(String),
    #[error("ledger failure: {0}")]
    Backend(String),
}

impl LedgerError {
    /// Whether the same command, decided again against fresh state, may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, LedgerError::Conflict { .. })
    }
}

#[async_trait]
pub trait Ledger: Send + Sync + 'static {
    /// Creates or upgrades the ledger's tables. Idempotent.
    async fn migrate(&self) -> Result<(), LedgerError>;

    /// Appends a batch atomically: all events and unique-constraint changes, or nothing.
    async fn append(&self, batch: AppendBatch) -> Result<Appended, LedgerError>;

    /// Every event of one aggregate, in sequence order.
    async fn read_aggregate(
        &self,
        instance_id: &str,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<Event>, LedgerError>;

    /// Events of the global stream in position order, gap-free (see the module docs).
    async fn read(&self, filter: &EventFilter) -> Result<Vec<Event>, LedgerError>;

    /// The position of the last event a gap-free read can return now.
    async fn head(&self) -> Result<Position, LedgerError>;

    /// The stored position of a ledger consumer (0 if none).
    async fn load_checkpoint(&self, name: &str) -> Result<Position, LedgerError>;

    /// Stores a consumer's position; a position lower than the stored one is ignored, so a
    /// checkpoint never moves backwards.
    async fn store_checkpoint(&self, name: &str, position: Position) -> Result<(), LedgerError>;

    /// Tries to become the one holder of `name` among all processes that share this ledger (the
    /// relay uses it so only one relay publishes). `None` if another holds it. The returned guard
    /// keeps the lead until it is dropped or, for PostgreSQL, its session ends.
    async fn try_lead(&self, name: &str) -> Result<Option<Box<dyn Leadership>>, LedgerError>;

    /// Changes whenever this process appends; tailers wake on it and also poll for writes made
    /// by other processes.
    fn appended(&self) -> watch::Receiver<Position>;
}

/// A held lead (see [`Ledger::try_lead`]).
#[async_trait]
pub trait Leadership: Send + Sync {
    /// Whether the lead is still held (false once the session that holds it is gone).
    async fn is_held(&self) -> bool;
}

/// Checks a batch's shape before any I/O.
pub(crate) fn validate_batch(batch: &AppendBatch) -> Result<usize, LedgerError> {
    if batch.appends.is_empty() {
        return Err(LedgerError::Invalid(
            "a batch needs at least one aggregate".into(),
        ));
    }
    let total: usize = batch.appends.iter().map(|append| append.events.len()).sum();
    if total == 0 {
        return Err(LedgerError::Invalid(
            "a batch needs at least one event".into(),
        ));
    }
    if total > MAX_EVENTS_PER_BATCH {
        return Err(LedgerError::Invalid(format!(
            "a batch may carry at most {MAX_EVENTS_PER_BATCH} events, not {total}"
        )));
    }
    for (index, append) in batch.appends.iter().enumerate() {
        if append.expected_version < 0 {
            return Err(LedgerError::Invalid("expected_version must be >= 0".into()));
        }
        let duplicate = batch.appends.iter().skip(index + 1).any(|other| {
            other.instance_id == append.instance_id
                && other.aggregate_type == append.aggregate_type
                && other.aggregate_id == append.aggregate_id
        });
        if duplicate {
            return Err(LedgerError::Invalid(format!(
                "aggregate {}/{} appears twice in one batch",
                append.aggregate_type, append.aggregate_id
            )));
        }
    }
    Ok(total)
}

// Batch planning shared by the implementations.

/// Raises the notifier to `position` (never lowers it: appends may finish out of order).
pub(crate) fn notify(notifier: &watch::Sender<Position>, position: Position) {
    notifier.send_if_modified(|current| {
        if position > *current {
            *current = position;
            true
        } else {
            false
        }
    });
}

/// The batch's events in batch order, with sequences and envelope fields but no positions yet.
pub(crate) fn planned_events(batch: &AppendBatch) -> Vec<Event> {
    batch
        .appends
        .iter()
        .flat_map(|append| {
            (append.expected_version + 1..)
                .zip(&append.events)
                .map(|(sequence, new_event)| Event {
                    instance_id: append.instance_id.clone(),
                    aggregate_type: append.aggregate_type.clone(),
                    aggregate_id: append.aggregate_id.clone(),
                    sequence,
                    event_type: new_event.event_type.clone(),
                    revision: new_event.revision,
                    payload: new_event.payload.clone(),
                    creator: append.creator.clone(),
                    resource_owner: append.resource_owner.clone(),
                    created_at: batch.created_at,
                    position: Position::START,
                })
        })
        .collect()
}

/// The first aggregate whose version is not the expected one, as a conflict.
pub(crate) fn first_conflict(appends: &[AggregateAppend], versions: &[i64]) -> Option<LedgerError> {
    appends
        .iter()
        .zip(versions)
        .find(|(append, actual)| append.expected_version != **actual)
        .map(|(append, actual)| LedgerError::Conflict {
            aggregate_type: append.aggregate_type.clone(),
            aggregate_id: append.aggregate_id.clone(),
            expected: append.expected_version,
            actual: *actual,
        })
}

/// One unique-constraint change with its field lower-cased.
pub(crate) struct UniqueChange<'a> {
    pub(crate) claim: bool,
    pub(crate) instance_id: &'a str,
    pub(crate) unique_type: &'a str,
    pub(crate) field: &'a str,
    pub(crate) stored_field: String,
}

/// The batch's unique changes, stably sorted by key: changes to one value keep their order (so
/// "release then claim" means what it says) and every writer locks values in the same order.
pub(crate) fn unique_changes(ops: &[UniqueOp]) -> Vec<UniqueChange<'_>> {
    let mut changes: Vec<UniqueChange<'_>> = ops
        .iter()
        .map(|op| {
            let (claim, constraint) = match op {
                UniqueOp::Claim(constraint) => (true, constraint),
                UniqueOp::Release(constraint) => (false, constraint),
            };
            UniqueChange {
                claim,
                instance_id: &constraint.instance_id,
                unique_type: &constraint.unique_type,
                field: &constraint.field,
                stored_field: constraint.field.to_lowercase(),
            }
        })
        .collect();
    changes.sort_by(|left, right| {
        (left.instance_id, left.unique_type, &left.stored_field).cmp(&(
            right.instance_id,
            right.unique_type,
            &right.stored_field,
        ))
    });
    changes
}

/// The (instance, aggregate id) pairs of `aggregate_type` with an event of `event_types` after
/// `cursor`; moves the cursor past them. For workers that follow configuration aggregates (the
/// sink and SCIM target supervisors) without a read store.
pub async fn changed_aggregates(
    ledger: &dyn Ledger,
    cursor: &mut Position,
    aggregate_type: &str,
    event_types: &[&str],
) -> Result<std::collections::BTreeSet<(String, String)>, LedgerError> {
    let mut changed = std::collections::BTreeSet::new();
    loop {
        let events = ledger
            .read(&EventFilter {
                after: *cursor,
                aggregate_types: vec![aggregate_type.to_owned()],
                event_types: event_types.iter().map(|t| (*t).to_owned()).collect(),
                limit: 500,
                ..EventFilter::default()
            })
            .await?;
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(changed);
        };
        for event in &events {
            changed.insert((event.instance_id.clone(), event.aggregate_id.clone()));
        }
        *cursor = last;
    }
}

/// The ids of every aggregate of `aggregate_type` that `owner` ever created (its `created`
/// event), in creation order, paged through the ledger.
pub async fn aggregates_created(
    ledger: &dyn Ledger,
    instance_id: &str,
    aggregate_type: &str,
    created: &str,
    owner: &str,
) -> Result<Vec<String>, LedgerError> {
    let mut ids = Vec::new();
    let mut after = Position::START;
    loop {
        let events = ledger
            .read(&EventFilter {
                after,
                instance_id: Some(instance_id.to_owned()),
                aggregate_types: vec![aggregate_type.to_owned()],
                event_types: vec![created.to_owned()],
                resource_owner: Some(owner.to_owned()),
                limit: 1000,
                ..EventFilter::default()
            })
            .await?;
        let Some(last) = events.last() else {
            return Ok(ids);
        };
        after = last.position;
        ids.extend(events.iter().map(|e| e.aggregate_id.clone()));
    }
}
