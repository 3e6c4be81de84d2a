//! A client of an external Confluent Schema Registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use apache_avro::Schema;
use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value as Json, json};

use super::{REGISTRY_CONTENT_TYPE, SchemaIds, SchemaRegistry};
use crate::catalog::{self, EventSchema, SchemaCatalog};
use crate::error::RegistryError;

/// Registers schemas with a Confluent Schema Registry (`POST /subjects/{subject}/versions`) and
/// fetches writer schemas by id (`GET /schemas/ids/{id}`, cached: an id never changes meaning).
#[derive(Debug)]
pub struct ConfluentRegistryClient {
    base_url: String,
    http: reqwest::Client,
    cache: Mutex<HashMap<u32, Arc<Schema>>>,
}

impl ConfluentRegistryClient {
    /// A client of the registry at `base_url` (e.g. `http://registry:8081`), over `http` (the
    /// caller's client, with its timeouts).
    pub fn new(base_url: &str, http: reqwest::Client) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Registers one schema under `subject` and answers its id (the existing id if the registry
    /// already holds the schema).
    pub async fn register_schema(
        &self,
        subject: &str,
        schema: &EventSchema,
    ) -> Result<u32, RegistryError> {
        let url = format!(
            "{}/subjects/{}/versions",
            self.base_url,
            percent_encode(subject)
        );
        let body = json!({ "schema": schema.schema_json() });
        let response = self
            .http
            .post(url)
            .header(CONTENT_TYPE, REGISTRY_CONTENT_TYPE)
            .header(ACCEPT, REGISTRY_CONTENT_TYPE)
            .body(body.to_string())
            .send()
            .await?;
        let body = answer(response).await?;
        body.get("id")
            .and_then(Json::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| RegistryError::UnexpectedBody(format!("no id in {body}")))
    }

    /// Fetches the schema of an id, bypassing the cache.
    pub async fn fetch_schema(&self, id: u32) -> Result<Option<Arc<Schema>>, RegistryError> {
        let url = format!("{}/schemas/ids/{id}", self.base_url);
        let response = self
            .http
            .get(url)
            .header(ACCEPT, REGISTRY_CONTENT_TYPE)
            .send()
            .await?;
        let body = match answer(response).await {
            Ok(body) => body,
            Err(RegistryError::Api {
                error_code: 40403, ..
            }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if let Some(kind) = body.get("schemaType").and_then(Json::as_str)
            && kind != "AVRO"
        {
            return Err(RegistryError::UnexpectedBody(format!(
                "schema {id} is of type {kind}, not AVRO"
            )));
        }
        let text = body
            .get("schema")
            .and_then(Json::as_str)
            .ok_or_else(|| RegistryError::UnexpectedBody(format!("no schema in {body}")))?;
        let schema = Schema::parse_str(text).map_err(|e| {
            RegistryError::UnexpectedBody(format!("schema {id} is not valid Avro: {e}"))
        })?;
        Ok(Some(Arc::new(schema)))
    }
}

#[async_trait]
impl SchemaRegistry for ConfluentRegistryClient {
    /// Registers every subject's current schema, then reads each id back and checks that the
    /// registry's schema has the local schema's fingerprint.
    async fn register(&self, catalog: &SchemaCatalog) -> Result<SchemaIds, RegistryError> {
        let mut ids = SchemaIds::default();
        for subject in catalog.subjects() {
            let Some(current) = subject.current() else {
                continue;
            };
            let id = self
                .register_schema(subject.name(), &current.schema)
                .await?;
            let expected = current.schema.fingerprint();
            let registered = self
                .schema_by_id(id)
                .await?
                .ok_or_else(|| RegistryError::Api {
                    status: 404,
                    error_code: 40403,
                    message: format!("schema {id} was registered but cannot be read"),
                })?;
            let found = catalog::fingerprint(&registered);
            if found != expected {
                return Err(RegistryError::FingerprintMismatch {
                    subject: subject.name().to_owned(),
                    id,
                    expected,
                    found,
                });
            }
            ids.insert_current(subject.event_type(), id, registered);
        }
        Ok(ids)
    }

    async fn schema_by_id(&self, id: u32) -> Result<Option<Arc<Schema>>, RegistryError> {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        if let Some(schema) = cached {
            return Ok(Some(schema));
        }
        let fetched = self.fetch_schema(id).await?;
        if let Some(schema) = &fetched {
            self.cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, Arc::clone(schema));
        }
        Ok(fetched)
    }
}

/// The JSON body of a 2xx answer, or the registry's error.
async fn answer(response: reqwest::Response) -> Result<Json, RegistryError> {
    let status = response.status();
    let bytes = response.bytes().await?;
    let body: Option<Json> = serde_json::from_slice(&bytes).ok();
    if status.is_success() {
        return body.ok_or_else(|| {
            RegistryError::UnexpectedBody(String::from_utf8_lossy(&bytes).into_owned())
        });
    }
    let error_code = body
        .as_ref()
        .and_then(|b| b.get("error_code"))
        .and_then(Json::as_i64)
        .unwrap_or_else(|| i64::from(status.as_u16()));
    let message = body
        .as_ref()
        .and_then(|b| b.get("message"))
        .and_then(Json::as_str)
        .map_or_else(
            || String::from_utf8_lossy(&bytes).into_owned(),
            str::to_owned,
        );
    Err(RegistryError::Api {
        status: status.as_u16(),
        error_code,
        message,
    })
}

/// Percent-encodes a path segment (everything but RFC 3986's unreserved characters).
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn subjects_are_percent_encoded_in_paths() {
        assert_eq!(
            percent_encode("castellan.events-castellan.events.org.Added"),
            "castellan.events-castellan.events.org.Added"
        );
        assert_eq!(percent_encode("a b/c?\u{fc}"), "a%20b%2Fc%3F%C3%BC");
    }
}
