//! The event envelope and the typed-payload codec.
//!
//! An [`Event`] is what the ledger stores and every reader sees. A [`NewEvent`] is what a command
//! decides; the writer adds the aggregate, sequence, creator, owner, time and global position.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::DomainError;

/// A place in the ledger's global order. Positions are strictly increasing in the order in which a
/// gap-free tail delivers events; they need not be dense.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Position(pub i64);

impl Position {
    pub const START: Position = Position(0);
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub instance_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// Per-aggregate sequence: 1, 2, 3, ...
    pub sequence: i64,
    pub event_type: String,
    /// Schema version of the payload.
    pub revision: i16,
    pub payload: serde_json::Value,
    /// The user (or system component) whose command produced the event.
    pub creator: String,
    /// The owning org id, or the instance id for instance-level objects.
    pub resource_owner: String,
    pub created_at: Timestamp,
    pub position: Position,
}

/// An event decided by a command, before the ledger places it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub event_type: String,
    pub revision: i16,
    pub payload: serde_json::Value,
}

/// A typed event enum of one aggregate. Implementors are serde enums tagged adjacently
/// (`#[serde(tag = "type", content = "payload")]`) whose variant names are the event types.
pub trait EventPayload: Serialize + DeserializeOwned {
    const AGGREGATE_TYPE: &'static str;
    const REVISION: i16 = 1;
}

/// Splits a typed event into its type string and payload.
pub fn encode<E: EventPayload>(event: &E) -> Result<NewEvent, DomainError> {
    let value = serde_json::to_value(event)
        .map_err(|e| DomainError::internal("EVT-0001", format!("encode event: {e}")))?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(DomainError::internal(
            "EVT-0002",
            "event did not encode as an object",
        ));
    };
    let event_type = match map.remove("type") {
        Some(serde_json::Value::String(s)) => s,
        _ => return Err(DomainError::internal("EVT-0003", "event has no type tag")),
    };
    let payload = map.remove("payload").unwrap_or(serde_json::Value::Null);
    Ok(NewEvent {
        event_type,
        revision: E::REVISION,
        payload,
    })
}

/// Rebuilds a typed event from a stored one.
pub fn decode<E: EventPayload>(event: &Event) -> Result<E, DomainError> {
    let mut map = serde_json::Map::new();
    map.insert(
        "type".to_owned(),
        serde_json::Value::String(event.event_type.clone()),
    );
    if !event.payload.is_null() {
        map.insert("payload".to_owned(), event.payload.clone());
    }
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        DomainError::internal(
            "EVT-0004",
            format!(
                "decode {} event {}: {e}",
                event.aggregate_type, event.event_type
            ),
        )
    })
}

/// A pure state machine rebuilt from its events.
pub trait Aggregate: Default {
    type Event: EventPayload;
    fn apply(&mut self, event: &Self::Event, meta: &EventMeta);
}

/// The envelope fields an aggregate may keep (times, owner).
#[derive(Clone, Debug, PartialEq)]
pub struct EventMeta {
    pub sequence: i64,
    pub created_at: Timestamp,
    pub resource_owner: String,
    pub position: Position,
}

impl From<&Event> for EventMeta {
    fn from(event: &Event) -> Self {
        Self {
            sequence: event.sequence,
            created_at: event.created_at,
            resource_owner: event.resource_owner.clone(),
            position: event.position,
        }
    }
}

/// Folds stored events into an aggregate; returns it with its version (last sequence, 0 if new).
pub fn fold<A: Aggregate>(events: &[Event]) -> Result<(A, i64), DomainError> {
    let mut state = A::default();
    let mut version = 0;
    for stored in events {
        let typed: A::Event = decode(stored)?;
        state.apply(&typed, &EventMeta::from(stored));
        version = stored.sequence;
    }
    Ok((state, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", content = "payload")]
    enum Sample {
        #[serde(rename = "sample.added")]
        Added { name: String },
        #[serde(rename = "sample.removed")]
        Removed {},
    }

    impl EventPayload for Sample {
        const AGGREGATE_TYPE: &'static str = "sample";
    }

    fn stored(new: NewEvent) -> Event {
        Event {
            instance_id: "i".into(),
            aggregate_type: "sample".into(),
            aggregate_id: "a".into(),
            sequence: 1,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "c".into(),
            resource_owner: "o".into(),
            created_at: Timestamp(0),
            position: Position(1),
        }
    }

    #[test]
    fn encode_then_decode_round_trips() {
        for sample in [
            Sample::Added {
                name: "acme".into(),
            },
            Sample::Removed {},
        ] {
            let new = encode(&sample).unwrap();
            assert!(new.event_type.starts_with("sample."));
            let back: Sample = decode(&stored(new)).unwrap();
            assert_eq!(back, sample);
        }
    }

    #[test]
    fn decode_rejects_an_unknown_type() {
        let mut event = stored(encode(&Sample::Removed {}).unwrap());
        event.event_type = "sample.exploded".into();
        assert!(decode::<Sample>(&event).is_err());
    }
}

/// A unique value a command claims or releases (scoped to the instance by the writer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unique {
    pub unique_type: &'static str,
    pub field: String,
}

/// What a command decided: the events to append and the unique values to claim and release, all
/// in one atomic append.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<E> {
    pub events: Vec<E>,
    pub claims: Vec<Unique>,
    pub releases: Vec<Unique>,
}

impl<E> Default for Decision<E> {
    fn default() -> Self {
        Self {
            events: Vec::new(),
            claims: Vec::new(),
            releases: Vec::new(),
        }
    }
}

impl<E> Decision<E> {
    /// Appends `next`'s events, claims and releases (a follow-up decided on the state after
    /// this one).
    pub fn merge(&mut self, next: Decision<E>) {
        self.events.extend(next.events);
        self.claims.extend(next.claims);
        self.releases.extend(next.releases);
    }

    pub fn of(event: E) -> Self {
        Self {
            events: vec![event],
            claims: Vec::new(),
            releases: Vec::new(),
        }
    }

    pub fn claim(&mut self, unique_type: &'static str, field: &str) {
        self.claims.push(Unique {
            unique_type,
            field: field.to_owned(),
        });
    }

    pub fn release(&mut self, unique_type: &'static str, field: &str) {
        self.releases.push(Unique {
            unique_type,
            field: field.to_owned(),
        });
    }
}

/// The key under which an event travels on the event stream: per-aggregate order is kept because
/// every event of one aggregate has the same key, and so the same partition.
pub fn stream_key(event: &Event) -> String {
    format!(
        "{}/{}/{}",
        event.instance_id, event.aggregate_type, event.aggregate_id
    )
}

/// The stream partition of a key: FNV-1a (64 bit) modulo the partition count. Castellan assigns
/// partitions itself, so writers can tell which partition a reader must have reached.
pub fn partition_of(key: &str, partitions: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % u64::from(partitions.max(1))) as u32
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[test]
    fn partitions_are_stable_and_spread() {
        assert_eq!(partition_of("i/org/1", 6), partition_of("i/org/1", 6));
        let used: std::collections::HashSet<u32> = (0..600)
            .map(|n| partition_of(&format!("i/org/{n}"), 6))
            .collect();
        assert_eq!(used.len(), 6);
        assert!(used.iter().all(|p| *p < 6));
        assert_eq!(partition_of("anything", 0), 0);
    }
}
