//! The embedded registry: ids assigned by Castellan itself, and the read-only Confluent REST API.
//!
//! Ids are assigned from the catalog alone, so every process of one build agrees on them and a
//! restart changes nothing: the versions of the first release, sorted by subject, get 1, 2, 3, ...;
//! then the versions the next release introduced, sorted by subject; and so on, the current
//! build's unreleased versions last. Released snapshots never change (a test pins their
//! fingerprints and ids), so an id, once released, always means the same schema; only unreleased
//! schemas' ids are provisional.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use apache_avro::Schema;
use async_trait::async_trait;
use serde_json::{Value as Json, json};

use super::{COMPATIBILITY_LEVEL, SchemaIds, SchemaRegistry};
use crate::catalog::{EventSchema, SchemaCatalog};
use crate::error::RegistryError;

/// One (subject, version) and the id the embedded registry gave it.
#[derive(Clone, Debug)]
pub struct RegisteredSchema {
    pub id: u32,
    pub subject: String,
    pub version: u32,
    pub event_type: String,
    pub schema: Arc<EventSchema>,
    /// Whether this build writes this version.
    pub current: bool,
}

/// A registry whose ids are derived from the catalog; see the module documentation.
#[derive(Clone, Debug)]
pub struct EmbeddedRegistry {
    catalog: SchemaCatalog,
    /// Sorted by id; `entries[i].id == i + 1`.
    entries: Vec<RegisteredSchema>,
    schemas: Vec<Arc<Schema>>,
    /// (subject, version) → index in `entries`.
    by_subject: BTreeMap<(String, u32), usize>,
}

impl EmbeddedRegistry {
    /// Assigns the ids of every version of every subject of `catalog`, and checks that no two
    /// ids share a schema (by fingerprint).
    pub fn new(catalog: SchemaCatalog) -> Result<Self, RegistryError> {
        let mut pending: Vec<(usize, String, u32, Arc<EventSchema>, bool)> = Vec::new();
        for subject in catalog.subjects() {
            let current = subject.current().map(|v| v.version);
            for version in subject.versions() {
                pending.push((
                    version.generation,
                    subject.name().to_owned(),
                    version.version,
                    Arc::clone(&version.schema),
                    current == Some(version.version),
                ));
            }
        }
        pending.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));

        let mut entries = Vec::with_capacity(pending.len());
        let mut fingerprints: HashMap<u64, String> = HashMap::new();
        for (index, (_, subject, version, schema, current)) in pending.into_iter().enumerate() {
            if let Some(other) = fingerprints.insert(schema.fingerprint(), subject.clone()) {
                return Err(RegistryError::Schema(crate::AvroError::BuiltIn {
                    path: schema.path().to_owned(),
                    reason: format!("the same schema as a version of {other}"),
                }));
            }
            let id = u32::try_from(index + 1)
                .map_err(|_| RegistryError::UnexpectedBody("more than 2^32 schemas".to_owned()))?;
            entries.push(RegisteredSchema {
                id,
                subject,
                version,
                event_type: schema.event_type().to_owned(),
                schema,
                current,
            });
        }
        let schemas = entries
            .iter()
            .map(|e| Arc::new(e.schema.schema().clone()))
            .collect();
        let by_subject = entries
            .iter()
            .enumerate()
            .map(|(index, e)| ((e.subject.clone(), e.version), index))
            .collect();
        Ok(Self {
            catalog,
            entries,
            schemas,
            by_subject,
        })
    }

    pub fn catalog(&self) -> &SchemaCatalog {
        &self.catalog
    }

    /// Every registered schema, by id.
    pub fn entries(&self) -> &[RegisteredSchema] {
        &self.entries
    }

    /// The entry of an id.
    pub fn entry(&self, id: u32) -> Option<&RegisteredSchema> {
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        self.entries.get(index)
    }

    /// The id of a subject's version.
    pub fn id(&self, subject: &str, version: u32) -> Option<u32> {
        let index = self.by_subject.get(&(subject.to_owned(), version))?;
        self.entries.get(*index).map(|e| e.id)
    }

    /// The schema of an id; the `lookup` for [`crate::codec::decode`].
    pub fn lookup(&self, id: u32) -> Option<&Schema> {
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        self.schemas.get(index).map(Arc::as_ref)
    }

    /// The ids to write with (each event type's current version) and every id's schema.
    pub fn ids(&self) -> SchemaIds {
        let mut ids = SchemaIds::default();
        for (entry, schema) in self.entries.iter().zip(&self.schemas) {
            if entry.current {
                ids.insert_current(&entry.event_type, entry.id, Arc::clone(schema));
            } else {
                ids.insert_schema(entry.id, Arc::clone(schema));
            }
        }
        ids
    }

    // --- The read-only Confluent REST API -------------------------------------------------------

    /// `GET /subjects`: every subject name, sorted.
    pub fn get_subjects(&self) -> ApiResponse {
        let names: Vec<&str> = self.catalog.subjects().iter().map(|s| s.name()).collect();
        ApiResponse::ok(json!(names))
    }

    /// `GET /subjects/{subject}/versions`: the subject's version numbers.
    pub fn get_subject_versions(&self, subject: &str) -> ApiResponse {
        match self.catalog.subject(subject) {
            Some(subject) => {
                let versions: Vec<u32> = subject.versions().iter().map(|v| v.version).collect();
                ApiResponse::ok(json!(versions))
            }
            None => ApiResponse::subject_not_found(),
        }
    }

    /// `GET /subjects/{subject}/versions/{version}`, `version` a number, `latest` or `-1`:
    /// `{"subject", "version", "id", "schema"}`.
    pub fn get_subject_version(&self, subject: &str, version: &str) -> ApiResponse {
        let Some(found) = self.catalog.subject(subject) else {
            return ApiResponse::subject_not_found();
        };
        let number = if version == "latest" || version == "-1" {
            found.latest().map(|v| v.version)
        } else {
            match version.parse::<i64>() {
                Ok(n) if (1..=i64::from(i32::MAX)).contains(&n) => u32::try_from(n).ok(),
                _ => return ApiResponse::invalid_version(version),
            }
        };
        let Some((number, id)) = number.and_then(|n| Some((n, self.id(subject, n)?))) else {
            return ApiResponse::version_not_found();
        };
        match self.entry(id) {
            Some(entry) => ApiResponse::ok(json!({
                "subject": entry.subject,
                "version": number,
                "id": id,
                "schema": entry.schema.schema_json(),
            })),
            None => ApiResponse::version_not_found(),
        }
    }

    /// `GET /schemas/ids/{id}`: `{"schema": "..."}`.
    pub fn get_schema(&self, id: &str) -> ApiResponse {
        match id.parse().ok().and_then(|id| self.entry(id)) {
            Some(entry) => ApiResponse::ok(json!({ "schema": entry.schema.schema_json() })),
            None => ApiResponse::schema_not_found(),
        }
    }

    /// `GET /schemas/ids/{id}/versions`: `[{"subject", "version"}]`.
    pub fn get_schema_versions(&self, id: &str) -> ApiResponse {
        match id.parse().ok().and_then(|id| self.entry(id)) {
            Some(entry) => ApiResponse::ok(json!([
                { "subject": entry.subject, "version": entry.version }
            ])),
            None => ApiResponse::schema_not_found(),
        }
    }

    /// `GET /config`: the global compatibility level.
    pub fn get_config(&self) -> ApiResponse {
        ApiResponse::ok(json!({ "compatibilityLevel": COMPATIBILITY_LEVEL }))
    }

    /// Routes a request of the read-only API (the path may carry a query string, and
    /// percent-encoded segments). Anything else is Confluent's 404 or 405.
    pub fn handle(&self, method: &str, path: &str) -> ApiResponse {
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let segments: Vec<String> = path
            .trim_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let response = match segments.as_slice() {
            ["subjects"] => self.get_subjects(),
            ["subjects", subject, "versions"] => self.get_subject_versions(subject),
            ["subjects", subject, "versions", version] => {
                self.get_subject_version(subject, version)
            }
            ["schemas", "ids", id] => self.get_schema(id),
            ["schemas", "ids", id, "versions"] => self.get_schema_versions(id),
            ["config"] => self.get_config(),
            _ => return ApiResponse::error(404, 404, "HTTP 404 Not Found"),
        };
        if method.eq_ignore_ascii_case("GET") {
            response
        } else {
            ApiResponse::error(405, 405, "HTTP 405 Method Not Allowed")
        }
    }
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
}

/// A response of the registry API: an HTTP status and a JSON body (served with
/// [`super::REGISTRY_CONTENT_TYPE`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Json,
}

impl ApiResponse {
    fn ok(body: Json) -> Self {
        Self { status: 200, body }
    }

    /// Confluent's error body: `{"error_code": 40401, "message": "Subject not found"}`.
    pub fn error(status: u16, error_code: u32, message: &str) -> Self {
        Self {
            status,
            body: json!({ "error_code": error_code, "message": message }),
        }
    }

    fn subject_not_found() -> Self {
        Self::error(404, 40401, "Subject not found")
    }

    fn version_not_found() -> Self {
        Self::error(404, 40402, "Version not found")
    }

    fn schema_not_found() -> Self {
        Self::error(404, 40403, "Schema not found")
    }

    fn invalid_version(version: &str) -> Self {
        Self::error(
            422,
            42202,
            &format!(
                "The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
            ),
        )
    }

    /// (status, body), for a web framework's response tuple.
    pub fn into_parts(self) -> (u16, Json) {
        (self.status, self.body)
    }
}

#[async_trait]
impl SchemaRegistry for EmbeddedRegistry {
    /// Answers the ids of `catalog`'s current schemas, which must be in this registry (they are
    /// when both come from the same build), and the schema of every id for decoding.
    async fn register(&self, catalog: &SchemaCatalog) -> Result<SchemaIds, RegistryError> {
        let mut ids = SchemaIds::default();
        for (entry, schema) in self.entries.iter().zip(&self.schemas) {
            ids.insert_schema(entry.id, Arc::clone(schema));
        }
        for subject in catalog.subjects() {
            let Some(current) = subject.current() else {
                continue;
            };
            let fingerprint = current.schema.fingerprint();
            let id = self
                .entries
                .iter()
                .find(|e| e.subject == subject.name() && e.schema.fingerprint() == fingerprint)
                .map(|e| e.id)
                .ok_or_else(|| RegistryError::NotRegistered {
                    subject: subject.name().to_owned(),
                    fingerprint,
                })?;
            if let Some(schema) = self.lookup(id) {
                ids.insert_current(subject.event_type(), id, Arc::new(schema.clone()));
            }
        }
        Ok(ids)
    }

    async fn schema_by_id(&self, id: u32) -> Result<Option<Arc<Schema>>, RegistryError> {
        let index = id.checked_sub(1).and_then(|i| usize::try_from(i).ok());
        Ok(index.and_then(|i| self.schemas.get(i)).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_leaves_invalid_escapes_alone() {
        assert_eq!(percent_decode("a%2Eb%2d"), "a.b-");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%BC"), "\u{fc}");
        assert_eq!(percent_decode("%FF"), "%FF");
    }
}
