//! The event codec: an [`Event`] ⇄ a Kafka message value in Confluent's wire format.
//!
//! Wire format: the magic byte `0`, the writer schema's registry id as 4 bytes big-endian, then
//! the Avro binary encoding of the event record (envelope and payload). The record is the event
//! type's current schema (`avro/<aggregate>/<event type>.avsc`); the payload JSON the ledger holds
//! becomes the nested `payload` record and comes back as the same JSON.

use std::io::Cursor;

use apache_avro::Schema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::ResolvedSchema;
use apache_avro::writer::datum::GenericDatumWriter;
use castellan_core::Event;
use serde_json::Value as Json;

use crate::catalog::{self, EventSchema};
use crate::error::AvroError;
use crate::value;

/// The first byte of every message in Confluent's wire format.
pub const MAGIC_BYTE: u8 = 0;
/// Magic byte and schema id.
pub const HEADER_LEN: usize = 5;

/// Encodes `event` with its event type's current schema, framed with `schema_id` (the id the
/// registry gave that schema: [`crate::SchemaIds::id`]).
pub fn encode(event: &Event, schema_id: u32) -> Result<Vec<u8>, AvroError> {
    let schema = catalog::event_schema(&event.aggregate_type, &event.event_type)?;
    encode_with(event, schema, schema_id)
}

/// Encodes `event` with a given event schema (e.g. one of a released snapshot).
pub fn encode_with(
    event: &Event,
    schema: &EventSchema,
    schema_id: u32,
) -> Result<Vec<u8>, AvroError> {
    if event.event_type != schema.event_type() || event.aggregate_type != schema.aggregate_type() {
        return Err(AvroError::EventTypeMismatch {
            record: schema.record_name().to_owned(),
            aggregate_type: event.aggregate_type.clone(),
            event_type: event.event_type.clone(),
        });
    }
    let mut json = serde_json::to_value(event)?;
    if let Some(payload) = json.get_mut("payload").filter(|p| p.is_null()) {
        // An event without payload is an empty payload record.
        *payload = Json::Object(serde_json::Map::new());
    }
    let avro_schema = schema.schema();
    let resolved = ResolvedSchema::new(avro_schema)?;
    let datum = value::to_avro(&json, avro_schema, resolved.get_names(), "").map_err(|m| {
        AvroError::Mismatch {
            record: schema.record_name().to_owned(),
            path: m.path,
            reason: m.reason,
        }
    })?;
    let mut bytes = Vec::with_capacity(128);
    bytes.push(MAGIC_BYTE);
    bytes.extend_from_slice(&schema_id.to_be_bytes());
    GenericDatumWriter::builder(avro_schema)
        .resolved_schemata(resolved)
        .build()?
        .write_value_ref(&mut bytes, &datum)?;
    Ok(bytes)
}

/// The schema id of a message in Confluent's wire format.
pub fn schema_id(bytes: &[u8]) -> Result<u32, AvroError> {
    let Some((&magic, rest)) = bytes.split_first() else {
        return Err(AvroError::Framing("empty message"));
    };
    if magic != MAGIC_BYTE {
        return Err(AvroError::Framing("the magic byte is not 0"));
    }
    let id: [u8; 4] = rest
        .get(..4)
        .and_then(|id| id.try_into().ok())
        .ok_or(AvroError::Framing("shorter than its 5-byte header"))?;
    Ok(u32::from_be_bytes(id))
}

/// Decodes a message in Confluent's wire format. `lookup` answers the writer schema of an id
/// (from a registry); the datum is read with it and resolved against this build's schema of the
/// same record, so data written with an older (released) schema reads with today's defaults.
pub fn decode<'s>(
    bytes: &[u8],
    lookup: impl Fn(u32) -> Option<&'s Schema>,
) -> Result<Event, AvroError> {
    let current = catalog::current()?;
    decode_as(bytes, lookup, |record| current.by_record_name(record))
}

/// [`decode`] with other reader schemas than this build's: `readers` answers the reader schema
/// of a record's full name (e.g. [`crate::SchemaCatalog::current_schema`] of another catalog).
pub fn decode_as<'s, 'r>(
    bytes: &[u8],
    lookup: impl Fn(u32) -> Option<&'s Schema>,
    readers: impl Fn(&str) -> Option<&'r EventSchema>,
) -> Result<Event, AvroError> {
    let id = schema_id(bytes)?;
    let writer = lookup(id).ok_or(AvroError::UnknownSchemaId(id))?;
    let datum = bytes.get(HEADER_LEN..).unwrap_or_default();
    let record_name = writer
        .name()
        .map(|name| name.fullname(None))
        .unwrap_or_else(|| writer.to_string());
    let Some(reader) = readers(&record_name) else {
        return Err(unknown_event_type(id, writer, &record_name, datum));
    };
    let json = read(id, writer, Some(reader.schema()), &record_name, datum)?;
    let event: Event = serde_json::from_value(json)?;
    if event.event_type != reader.event_type() || event.aggregate_type != reader.aggregate_type() {
        return Err(AvroError::EventTypeMismatch {
            record: record_name,
            aggregate_type: event.aggregate_type,
            event_type: event.event_type,
        });
    }
    Ok(event)
}

/// Reads a datum written with `writer`, resolved to `reader`, as JSON.
fn read(
    id: u32,
    writer: &Schema,
    reader: Option<&Schema>,
    record_name: &str,
    datum: &[u8],
) -> Result<Json, AvroError> {
    if !matches!(writer, Schema::Record(_)) {
        return Err(AvroError::NotAnEventSchema {
            schema_id: id,
            record: record_name.to_owned(),
        });
    }
    let mut cursor = Cursor::new(datum);
    let value = GenericDatumReader::builder(writer)
        .maybe_reader_schema(reader)
        .build()?
        .read_value(&mut cursor)?;
    let left = datum
        .len()
        .saturating_sub(usize::try_from(cursor.position()).unwrap_or(usize::MAX));
    if left > 0 {
        return Err(AvroError::TrailingBytes(left));
    }
    // The value now follows the reader schema (or the writer's, without one).
    let schema = reader.unwrap_or(writer);
    let resolved = ResolvedSchema::new(schema)?;
    value::to_json(value, Some(schema), resolved.get_names(), "").map_err(|m| AvroError::Mismatch {
        record: record_name.to_owned(),
        path: m.path,
        reason: m.reason,
    })
}

/// The error for a record this build has no schema for: the event type it carries if it is an
/// event record at all.
fn unknown_event_type(id: u32, writer: &Schema, record_name: &str, datum: &[u8]) -> AvroError {
    let not_an_event = || AvroError::NotAnEventSchema {
        schema_id: id,
        record: record_name.to_owned(),
    };
    let Ok(json) = read(id, writer, None, record_name, datum) else {
        return not_an_event();
    };
    match (
        json.get("aggregate_type").and_then(Json::as_str),
        json.get("event_type").and_then(Json::as_str),
    ) {
        (Some(aggregate_type), Some(event_type)) => AvroError::UnknownEventType {
            aggregate_type: aggregate_type.to_owned(),
            event_type: event_type.to_owned(),
        },
        _ => not_an_event(),
    }
}
