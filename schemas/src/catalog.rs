//! The Avro schemas compiled into the binary, and the catalog of registry subjects built from them.
//!
//! Every event type has one hand-written schema, `avro/<aggregate>/<event type>.avsc` (the current
//! one), and the snapshots of past releases live under `avro/released/<release>/` unchanged. The
//! [`SchemaCatalog`] names each record's subject with Confluent's TopicRecordNameStrategy
//! (`<topic>-<record full name>`) and numbers its versions: one per distinct schema (by Parsing
//! Canonical Form), in release order, the current schema last when it differs from the last
//! release.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};

use apache_avro::Schema;
use apache_avro::rabin::Rabin;
use apache_avro::schema::RecordSchema;

use crate::error::AvroError;

/// The topic the event stream is written to, and the default of the subject names' prefix.
pub const DEFAULT_TOPIC: &str = "castellan.events";
/// The namespace of every event record is `castellan.events.<aggregate type>`.
pub const NAMESPACE_PREFIX: &str = "castellan.events";

/// The envelope fields every event record starts with, and the Avro type of each.
const ENVELOPE: &[(&str, &str)] = &[
    ("instance_id", r#""string""#),
    ("aggregate_type", r#""string""#),
    ("aggregate_id", r#""string""#),
    ("sequence", r#""long""#),
    ("event_type", r#""string""#),
    ("revision", r#""int""#),
    ("creator", r#""string""#),
    ("resource_owner", r#""string""#),
    (
        "created_at",
        r#"{"type":"long","logicalType":"timestamp-micros"}"#,
    ),
    ("position", r#""long""#),
];

/// One `.avsc` file embedded in the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaFile {
    /// `None` for a current schema, `Some("v1")` for a released snapshot.
    pub release: Option<&'static str>,
    /// `<aggregate type>/<event type>.avsc`.
    pub path: &'static str,
    /// The file's text.
    pub source: &'static str,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/avro_files.rs"));
}

/// Every `.avsc` file under `schemas/avro/`, current and released, sorted.
pub fn schema_files() -> &'static [SchemaFile] {
    embedded::SCHEMA_FILES
}

/// The parsed schema of one event type.
#[derive(Clone, Debug)]
pub struct EventSchema {
    aggregate_type: String,
    event_type: String,
    record_name: String,
    path: String,
    source: &'static str,
    compact: String,
    schema: Schema,
    fingerprint: u64,
}

impl EventSchema {
    /// Parses and checks one schema file: its path names the aggregate and event type, it is a
    /// record in namespace `castellan.events.<aggregate>`, it has the envelope fields and a
    /// `payload` record.
    pub fn parse(file: &SchemaFile) -> Result<Self, AvroError> {
        let invalid = |reason: String| AvroError::BuiltIn {
            path: match file.release {
                Some(release) => format!("released/{release}/{}", file.path),
                None => file.path.to_owned(),
            },
            reason,
        };
        let (aggregate_type, file_name) = file
            .path
            .split_once('/')
            .ok_or_else(|| invalid("expected <aggregate>/<event type>.avsc".into()))?;
        let event_type = file_name
            .strip_suffix(".avsc")
            .ok_or_else(|| invalid("expected a .avsc file".into()))?;
        if !event_type.starts_with(&format!("{aggregate_type}.")) {
            return Err(invalid(format!(
                "event type {event_type:?} is not of aggregate {aggregate_type:?}"
            )));
        }
        let json: serde_json::Value =
            serde_json::from_str(file.source).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let compact = json.to_string();
        let schema = Schema::parse(&json).map_err(|e| invalid(format!("not Avro: {e}")))?;
        let Schema::Record(record) = &schema else {
            return Err(invalid("the schema is not a record".into()));
        };
        let namespace = format!("{NAMESPACE_PREFIX}.{aggregate_type}");
        if record.name.namespace() != Some(namespace.as_str()) {
            return Err(invalid(format!(
                "the record's namespace is not {namespace}"
            )));
        }
        check_envelope(record).map_err(invalid)?;
        let record_name = record.name.fullname(None);
        let fingerprint = fingerprint(&schema);
        Ok(Self {
            aggregate_type: aggregate_type.to_owned(),
            event_type: event_type.to_owned(),
            record_name,
            path: file.path.to_owned(),
            source: file.source,
            compact,
            schema,
            fingerprint,
        })
    }

    /// The aggregate type, e.g. `org`.
    pub fn aggregate_type(&self) -> &str {
        &self.aggregate_type
    }

    /// The event type, e.g. `org.added`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The record's full name, e.g. `castellan.events.org.Added`.
    pub fn record_name(&self) -> &str {
        &self.record_name
    }

    /// The file's path under its directory, `<aggregate>/<event type>.avsc`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `.avsc` file as written (with docs).
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The schema as one line of JSON (with docs): what registries are sent and serve.
    pub fn schema_json(&self) -> &str {
        &self.compact
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The CRC-64-AVRO (Rabin) fingerprint of the schema's Parsing Canonical Form. Two schemas
    /// with the same fingerprint encode every datum the same way.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

/// The CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form.
pub fn fingerprint(schema: &Schema) -> u64 {
    let digest = schema.fingerprint::<Rabin>();
    let mut bytes = [0u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(digest.bytes.iter()) {
        *slot = *byte;
    }
    u64::from_le_bytes(bytes)
}

fn check_envelope(record: &RecordSchema) -> Result<(), String> {
    for (name, avro_type) in ENVELOPE {
        let expected = Schema::parse_str(avro_type).map_err(|e| e.to_string())?;
        let field = record
            .fields
            .iter()
            .find(|f| f.name == *name)
            .ok_or_else(|| format!("envelope field {name} is missing"))?;
        if field.schema != expected || logical_type(&field.schema) != logical_type(&expected) {
            return Err(format!("envelope field {name} is not {avro_type}"));
        }
    }
    match record.fields.iter().find(|f| f.name == "payload") {
        Some(field) if matches!(field.schema, Schema::Record(_)) => Ok(()),
        Some(_) => Err("the payload field is not a record".into()),
        None => Err("the payload field is missing".into()),
    }
}

/// Parsing Canonical Form ignores logical types; the envelope check must not.
fn logical_type(schema: &Schema) -> &'static str {
    match schema {
        Schema::TimestampMicros => "timestamp-micros",
        Schema::TimestampMillis => "timestamp-millis",
        _ => "",
    }
}

/// The schemas of one generation (the current build, or one release), one per event type.
#[derive(Clone, Debug, Default)]
pub struct SchemaSet {
    by_event_type: BTreeMap<String, Arc<EventSchema>>,
    by_record_name: HashMap<String, Arc<EventSchema>>,
}

impl SchemaSet {
    fn insert(&mut self, schema: EventSchema) -> Result<(), AvroError> {
        let duplicate = |what: &str| AvroError::BuiltIn {
            path: schema.path.clone(),
            reason: format!("duplicate {what}"),
        };
        if self.by_event_type.contains_key(&schema.event_type) {
            return Err(duplicate("event type"));
        }
        if self.by_record_name.contains_key(&schema.record_name) {
            return Err(duplicate("record name"));
        }
        let schema = Arc::new(schema);
        self.by_event_type
            .insert(schema.event_type.clone(), Arc::clone(&schema));
        self.by_record_name
            .insert(schema.record_name.clone(), schema);
        Ok(())
    }

    /// The schema of an event type.
    pub fn get(&self, event_type: &str) -> Option<&EventSchema> {
        self.by_event_type.get(event_type).map(Arc::as_ref)
    }

    /// The schema of a record (`castellan.events.org.Added`).
    pub fn by_record_name(&self, record_name: &str) -> Option<&EventSchema> {
        self.by_record_name.get(record_name).map(Arc::as_ref)
    }

    /// Every schema, sorted by event type.
    pub fn iter(&self) -> impl Iterator<Item = &EventSchema> {
        self.by_event_type.values().map(Arc::as_ref)
    }

    /// The event types, sorted.
    pub fn event_types(&self) -> impl Iterator<Item = &str> {
        self.by_event_type.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_event_type.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_event_type.is_empty()
    }
}

/// A released snapshot of the schemas (`avro/released/<name>/`).
#[derive(Clone, Debug)]
pub struct Release {
    pub name: String,
    pub schemas: SchemaSet,
}

/// The schema files, parsed: the current generation and the releases, oldest first.
#[derive(Clone, Debug, Default)]
struct Generations {
    current: SchemaSet,
    releases: Vec<Release>,
}

impl Generations {
    fn parse(files: &[SchemaFile]) -> Result<Self, AvroError> {
        let mut generations = Generations::default();
        let mut releases: BTreeMap<(u64, String), SchemaSet> = BTreeMap::new();
        for file in files {
            let schema = EventSchema::parse(file)?;
            match file.release {
                None => generations.current.insert(schema)?,
                Some(release) => releases
                    .entry((release_number(release), release.to_owned()))
                    .or_default()
                    .insert(schema)?,
            }
        }
        generations.releases = releases
            .into_iter()
            .map(|((_, name), schemas)| Release { name, schemas })
            .collect();
        Ok(generations)
    }
}

/// Releases sort by number (`v2` before `v10`).
fn release_number(release: &str) -> u64 {
    release
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(u64::MAX)
}

static BUILT_IN: LazyLock<Result<Generations, (String, String)>> = LazyLock::new(|| {
    Generations::parse(schema_files()).map_err(|e| match e {
        AvroError::BuiltIn { path, reason } => (path, reason),
        other => (String::new(), other.to_string()),
    })
});

fn built_in() -> Result<&'static Generations, AvroError> {
    BUILT_IN
        .as_ref()
        .map_err(|(path, reason)| AvroError::BuiltIn {
            path: path.clone(),
            reason: reason.clone(),
        })
}

/// The current schema of every event type of this build.
pub fn current() -> Result<&'static SchemaSet, AvroError> {
    Ok(&built_in()?.current)
}

/// The released snapshots, oldest first.
pub fn releases() -> Result<&'static [Release], AvroError> {
    Ok(&built_in()?.releases)
}

/// The current schema of an event type.
pub fn event_schema(
    aggregate_type: &str,
    event_type: &str,
) -> Result<&'static EventSchema, AvroError> {
    current()?
        .get(event_type)
        .filter(|schema| schema.aggregate_type == aggregate_type)
        .ok_or_else(|| AvroError::UnknownEventType {
            aggregate_type: aggregate_type.to_owned(),
            event_type: event_type.to_owned(),
        })
}

/// The subject of a record under Confluent's TopicRecordNameStrategy: `<topic>-<record name>`.
pub fn subject_name(topic: &str, record_name: &str) -> String {
    format!("{topic}-{record_name}")
}

/// One version of a subject.
#[derive(Clone, Debug)]
pub struct SchemaVersion {
    /// 1, 2, 3, ...
    pub version: u32,
    /// The release that introduced this version; `None` for the current, unreleased schema.
    pub release: Option<String>,
    /// 0 for the first release, 1 for the next, ...; the current schema's generation is the number
    /// of releases. Ids are assigned in generation order, so released ids never move.
    pub generation: usize,
    pub schema: Arc<EventSchema>,
}

/// A registry subject: one event record, all its versions.
#[derive(Clone, Debug)]
pub struct Subject {
    name: String,
    aggregate_type: String,
    event_type: String,
    record_name: String,
    versions: Vec<SchemaVersion>,
    current: Option<usize>,
}

impl Subject {
    /// `<topic>-<record full name>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn aggregate_type(&self) -> &str {
        &self.aggregate_type
    }

    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    pub fn record_name(&self) -> &str {
        &self.record_name
    }

    /// Every version, oldest first (`versions()[i].version == i + 1`).
    pub fn versions(&self) -> &[SchemaVersion] {
        &self.versions
    }

    /// One version by number.
    pub fn version(&self, version: u32) -> Option<&SchemaVersion> {
        let index = usize::try_from(version.checked_sub(1)?).ok()?;
        self.versions.get(index)
    }

    /// The newest version.
    pub fn latest(&self) -> Option<&SchemaVersion> {
        self.versions.last()
    }

    /// The version this build writes; `None` if the event type is no longer in the build.
    pub fn current(&self) -> Option<&SchemaVersion> {
        self.versions.get(self.current?)
    }
}

/// Every event record's subject, with its versions, for one topic.
#[derive(Clone, Debug)]
pub struct SchemaCatalog {
    topic: String,
    subjects: Vec<Subject>,
    releases: Vec<String>,
}

impl SchemaCatalog {
    /// The catalog of the schemas compiled into this build, for `topic` (e.g. [`DEFAULT_TOPIC`]).
    pub fn new(topic: &str) -> Result<Self, AvroError> {
        Ok(Self::build(topic, built_in()?))
    }

    /// A catalog of other schema files (as [`schema_files`] lists them); for tests and tools.
    pub fn from_files(topic: &str, files: &[SchemaFile]) -> Result<Self, AvroError> {
        Ok(Self::build(topic, &Generations::parse(files)?))
    }

    fn build(topic: &str, generations: &Generations) -> Self {
        let sets = generations
            .releases
            .iter()
            .map(|release| (Some(release.name.as_str()), &release.schemas))
            .chain(std::iter::once((None, &generations.current)));
        let mut subjects: BTreeMap<String, Subject> = BTreeMap::new();
        for (generation, (release, set)) in sets.enumerate() {
            for schema in set.by_event_type.values() {
                let name = subject_name(topic, &schema.record_name);
                let subject = subjects.entry(name.clone()).or_insert_with(|| Subject {
                    name,
                    aggregate_type: schema.aggregate_type.clone(),
                    event_type: schema.event_type.clone(),
                    record_name: schema.record_name.clone(),
                    versions: Vec::new(),
                    current: None,
                });
                let index = match subject
                    .versions
                    .iter()
                    .position(|v| v.schema.fingerprint == schema.fingerprint)
                {
                    Some(index) => index,
                    None => {
                        let version = u32::try_from(subject.versions.len() + 1).unwrap_or(u32::MAX);
                        subject.versions.push(SchemaVersion {
                            version,
                            release: release.map(str::to_owned),
                            generation,
                            schema: Arc::clone(schema),
                        });
                        subject.versions.len() - 1
                    }
                };
                if release.is_none() {
                    subject.current = Some(index);
                }
            }
        }
        Self {
            topic: topic.to_owned(),
            subjects: subjects.into_values().collect(),
            releases: generations
                .releases
                .iter()
                .map(|r| r.name.clone())
                .collect(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Every subject, sorted by name.
    pub fn subjects(&self) -> &[Subject] {
        &self.subjects
    }

    /// The released snapshots' names, oldest first.
    pub fn releases(&self) -> &[String] {
        &self.releases
    }

    pub fn subject(&self, name: &str) -> Option<&Subject> {
        self.subjects
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .and_then(|index| self.subjects.get(index))
    }

    /// The subject of an event type.
    pub fn subject_of(&self, event_type: &str) -> Option<&Subject> {
        self.subjects.iter().find(|s| s.event_type == event_type)
    }

    /// The current schema of a record (`castellan.events.org.Added`), the reader schema for
    /// [`crate::codec::decode_as`].
    pub fn current_schema(&self, record_name: &str) -> Option<&EventSchema> {
        self.subjects
            .iter()
            .find(|s| s.record_name == record_name)
            .and_then(Subject::current)
            .map(|v| v.schema.as_ref())
    }
}
