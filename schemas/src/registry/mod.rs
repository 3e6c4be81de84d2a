//! Schema registries: where a schema id in a message comes from.
//!
//! Two implementations of [`SchemaRegistry`]: [`ConfluentRegistryClient`] registers the catalog's
//! schemas with an external Confluent Schema Registry and learns their ids;
//! [`EmbeddedRegistry`] assigns ids itself, deterministically, and answers the read-only part of
//! Confluent's REST API (as framework-free functions) so that consumers' Avro deserializers can
//! use Castellan itself as their registry.

mod confluent;
mod embedded;

use std::collections::BTreeMap;
use std::sync::Arc;

use apache_avro::Schema;
use async_trait::async_trait;
use castellan_core::Event;

pub use confluent::ConfluentRegistryClient;
pub use embedded::{ApiResponse, EmbeddedRegistry, RegisteredSchema};

use crate::catalog::SchemaCatalog;
use crate::codec;
use crate::error::{AvroError, RegistryError};

/// The media type of Confluent's REST API.
pub const REGISTRY_CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// The compatibility level the schemas are kept at (checked by this crate's tests).
pub const COMPATIBILITY_LEVEL: &str = "BACKWARD";

/// A source of schema ids.
#[async_trait]
pub trait SchemaRegistry: Send + Sync {
    /// Registers the current schema of every subject of `catalog` (idempotently: a schema that is
    /// already registered keeps its id) and answers the ids to write with.
    async fn register(&self, catalog: &SchemaCatalog) -> Result<SchemaIds, RegistryError>;

    /// The schema registered under `id`, `None` if there is none.
    async fn schema_by_id(&self, id: u32) -> Result<Option<Arc<Schema>>, RegistryError>;

    /// Decodes a message whose writer schema may be any this registry knows.
    async fn decode(&self, bytes: &[u8]) -> Result<Event, RegistryError> {
        let id = codec::schema_id(bytes)?;
        let schema = self
            .schema_by_id(id)
            .await?
            .ok_or(AvroError::UnknownSchemaId(id))?;
        Ok(codec::decode(bytes, |_| Some(schema.as_ref()))?)
    }
}

/// The ids of a registration: the id to write each event type with, and the schema of every id
/// known (for decoding).
#[derive(Clone, Debug, Default)]
pub struct SchemaIds {
    by_event_type: BTreeMap<String, u32>,
    schemas: BTreeMap<u32, Arc<Schema>>,
}

impl SchemaIds {
    /// Records that `event_type` is written with schema `id`.
    pub fn insert_current(&mut self, event_type: &str, id: u32, schema: Arc<Schema>) {
        self.by_event_type.insert(event_type.to_owned(), id);
        self.schemas.insert(id, schema);
    }

    /// Records the schema of an id that is read but no longer written (an older version).
    pub fn insert_schema(&mut self, id: u32, schema: Arc<Schema>) {
        self.schemas.insert(id, schema);
    }

    /// The id to write `event_type` with.
    pub fn id(&self, event_type: &str) -> Option<u32> {
        self.by_event_type.get(event_type).copied()
    }

    /// The schema of an id.
    pub fn schema(&self, id: u32) -> Option<&Schema> {
        self.schemas.get(&id).map(Arc::as_ref)
    }

    /// (event type, id) of every event type, sorted by event type.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.by_event_type.iter().map(|(t, id)| (t.as_str(), *id))
    }

    pub fn len(&self) -> usize {
        self.by_event_type.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_event_type.is_empty()
    }

    /// Encodes an event with its event type's id.
    pub fn encode(&self, event: &Event) -> Result<Vec<u8>, AvroError> {
        let id = self
            .id(&event.event_type)
            .ok_or_else(|| AvroError::UnknownEventType {
                aggregate_type: event.aggregate_type.clone(),
                event_type: event.event_type.clone(),
            })?;
        codec::encode(event, id)
    }

    /// Decodes a message written with any id known here.
    pub fn decode(&self, bytes: &[u8]) -> Result<Event, AvroError> {
        codec::decode(bytes, |id| self.schema(id))
    }
}
