//! Errors of the Avro codec, the schema catalog and the schema registries.

/// An event could not be encoded or decoded, or a built-in schema is invalid.
#[derive(Debug, thiserror::Error)]
pub enum AvroError {
    /// No schema of this build describes the event type: a new event type without a `.avsc`
    /// (when encoding) or a message written by a newer producer (when decoding).
    #[error("no Avro schema for event type {event_type:?} of aggregate {aggregate_type:?}")]
    UnknownEventType {
        aggregate_type: String,
        event_type: String,
    },
    /// The message's schema id is unknown to the registry (or to the `lookup` given to `decode`).
    #[error("unknown schema id {0}")]
    UnknownSchemaId(u32),
    /// The writer schema is not an event record of Castellan's (no envelope, or not a record).
    #[error("schema id {schema_id} ({record}) does not describe a Castellan event")]
    NotAnEventSchema { schema_id: u32, record: String },
    /// The bytes are not in Confluent's wire format (magic byte 0, 4-byte schema id, datum).
    #[error("not a Confluent Avro message: {0}")]
    Framing(&'static str),
    /// The datum was decoded but bytes were left over.
    #[error("{0} bytes left over after the Avro datum")]
    TrailingBytes(usize),
    /// The event (envelope or payload) does not fit its schema.
    #[error("{record}: {path}: {reason}")]
    Mismatch {
        /// The full name of the event record, e.g. `castellan.events.org.Added`.
        record: String,
        /// Where, e.g. `payload.profile.given_name`.
        path: String,
        reason: String,
    },
    /// A decoded record names another event type than its schema.
    #[error("record {record} carries event type {aggregate_type:?}/{event_type:?}")]
    EventTypeMismatch {
        record: String,
        aggregate_type: String,
        event_type: String,
    },
    /// A built-in `.avsc` file is invalid (caught by the crate's tests).
    #[error("invalid built-in schema {path}: {reason}")]
    BuiltIn { path: String, reason: String },
    /// An error of the Avro library (encoding, decoding, schema resolution).
    #[error("avro: {0}")]
    Avro(Box<apache_avro::Error>),
    /// The decoded record does not make an [`Event`](castellan_core::Event).
    #[error("decoded record is not an event: {0}")]
    Envelope(#[from] serde_json::Error),
}

impl From<apache_avro::Error> for AvroError {
    fn from(error: apache_avro::Error) -> Self {
        AvroError::Avro(Box::new(error))
    }
}

/// A schema registry failed or disagreed with the local schemas.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The HTTP request failed (connection, timeout, unreadable body).
    #[error("schema registry request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The registry answered with Confluent's error JSON (or an unexpected status).
    #[error("schema registry answered {status}: {message} (error code {error_code})")]
    Api {
        status: u16,
        error_code: i64,
        message: String,
    },
    /// The registry answered 2xx with a body that is not what its API promises.
    #[error("unexpected schema registry answer: {0}")]
    UnexpectedBody(String),
    /// The schema the registry holds under `id` is not the one registered for `subject`.
    #[error(
        "schema id {id} of subject {subject} has fingerprint {found:016x}, expected {expected:016x}"
    )]
    FingerprintMismatch {
        subject: String,
        id: u32,
        expected: u64,
        found: u64,
    },
    /// The embedded registry does not hold this schema (it is built from another catalog).
    #[error(
        "subject {subject} with fingerprint {fingerprint:016x} is not in the embedded registry"
    )]
    NotRegistered { subject: String, fingerprint: u64 },
    /// A schema could not be parsed or checked.
    #[error(transparent)]
    Schema(#[from] AvroError),
}
