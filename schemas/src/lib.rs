//! Wire schemas shared by the writer, the readers and the event stream.
//!
//! - SQL migrations of the ledger and of the embedded read store, under `migrations/` (embedded at
//!   compile time by `castellan-writer` and `castellan-readers` with `sqlx::migrate!`), and the CQL
//!   schema of the Cassandra/Scylla read store under `cql/`.
//! - Avro schemas of the events, one hand-written `.avsc` per event type under
//!   `avro/<aggregate>/<event type>.avsc`, with the released snapshots under `avro/released/`; all
//!   embedded in the binary ([`catalog`]).
//! - The event codec ([`codec`]): an [`castellan_core::Event`] ⇄ Confluent's wire format.
//! - Schema registries ([`registry`]): an external Confluent registry, or an embedded one that
//!   assigns ids itself and answers the read-only Confluent REST API.
//!
//! Design record: `docs/design/0005-avro.md`.

pub mod catalog;
pub mod codec;
pub mod error;
pub mod registry;
mod value;

pub use catalog::{DEFAULT_TOPIC, EventSchema, SchemaCatalog, SchemaFile, SchemaVersion, Subject};
pub use codec::{decode, encode};
pub use error::{AvroError, RegistryError};
pub use registry::{
    ApiResponse, ConfluentRegistryClient, EmbeddedRegistry, REGISTRY_CONTENT_TYPE,
    RegisteredSchema, SchemaIds, SchemaRegistry,
};

/// The Avro library, so dependents name the same `Schema` type.
pub use apache_avro;
