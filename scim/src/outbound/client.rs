//! The SCIM client of one target: authentication (a bearer token, or OAuth 2 client credentials
//! with the access token cached until shortly before it expires), lookups by filter, and the
//! writes. Every call goes through the one outbound HTTP client (`castellan_outbound::Outbound`,
//! SSRF policy included).

use std::time::{Duration, Instant};

use base64::Engine;
use castellan_core::scim_target::{AuthKind, TargetSettings};
use castellan_outbound::{Outbound, OutboundError};
use serde_json::Value;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

const SCIM_JSON: &str = "application/scim+json";
/// A token is renewed this long before the expiry the token endpoint gave.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);

/// Why a push failed: worth retrying (the network, 408, 429, 5xx) or not (other answers).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

impl PushError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }

    fn from_outbound(error: OutboundError) -> Self {
        match error {
            OutboundError::Request(message) => Self::Transient(message),
            other => Self::Permanent(other.to_string()),
        }
    }

    fn from_status(what: &str, status: u16, body: &str) -> Self {
        let detail: String = body.chars().take(300).collect();
        let message = format!("{what}: HTTP {status} {detail}");
        if status == 408 || status == 429 || status >= 500 {
            Self::Transient(message)
        } else {
            Self::Permanent(message)
        }
    }
}

/// The two kinds of resources pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Users,
    Groups,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Self::Users => "Users",
            Self::Groups => "Groups",
        }
    }
}

struct CachedToken {
    token: Zeroizing<String>,
    renew_at: Instant,
}

pub struct ScimClient {
    http: Outbound,
    settings: TargetSettings,
    secret: Zeroizing<String>,
    token: Mutex<Option<CachedToken>>,
}

/// A SCIM string literal for a filter: quotes and backslashes escaped (RFC 7644 §3.4.2.2, JSON
/// string rules).
pub fn filter_literal(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned())
}

impl ScimClient {
    pub fn new(http: Outbound, settings: TargetSettings, secret: Zeroizing<String>) -> Self {
        Self {
            http,
            settings,
            secret,
            token: Mutex::new(None),
        }
    }

    fn url(&self, endpoint: Endpoint, id: Option<&str>) -> String {
        let base = format!("{}/{}", self.settings.base_url, endpoint.path());
        match id {
            Some(id) => format!("{base}/{}", urlencoding(id)),
            None => base,
        }
    }

    /// The bearer token to send: the configured one, or a client-credentials access token.
    async fn bearer(&self) -> Result<Zeroizing<String>, PushError> {
        if self.settings.auth == AuthKind::Bearer {
            return Ok(self.secret.clone());
        }
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.token.clone());
        }
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(&self.settings.client_id),
            form_encode(&self.secret)
        ));
        let mut form = vec![("grant_type", "client_credentials")];
        if !self.settings.scope.is_empty() {
            form.push(("scope", self.settings.scope.as_str()));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let (status, text) = self
            .http
            .send(
                "POST",
                &self.settings.token_url,
                &[
                    ("authorization".to_owned(), format!("Basic {basic}")),
                    ("accept".to_owned(), "application/json".to_owned()),
                ],
                Some(("application/x-www-form-urlencoded", body.into_bytes())),
            )
            .await
            .map_err(PushError::from_outbound)?;
        if status != 200 {
            return Err(PushError::from_status("token request", status, &text));
        }
        let answer: Value = serde_json::from_str(&text)
            .map_err(|_| PushError::Permanent("the token endpoint answered no JSON".into()))?;
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PushError::Permanent("the token answer has no access_token".into()))?;
        let lifetime = answer
            .get("expires_in")
            .and_then(Value::as_u64)
            .map_or(Duration::from_secs(300), Duration::from_secs);
        let token = Zeroizing::new(token.to_owned());
        *cached = Some(CachedToken {
            token: token.clone(),
            renew_at: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN),
        });
        Ok(token)
    }

    /// One request; a 401 with client credentials drops the cached token and tries once more.
    async fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, String), PushError> {
        for attempt in 0..2 {
            let token = self.bearer().await?;
            let headers = vec![
                (
                    "authorization".to_owned(),
                    format!("Bearer {}", token.as_str()),
                ),
                ("accept".to_owned(), SCIM_JSON.to_owned()),
            ];
            let payload = match body {
                Some(value) => Some((
                    SCIM_JSON,
                    serde_json::to_vec(value)
                        .map_err(|e| PushError::Permanent(format!("encode: {e}")))?,
                )),
                None => None,
            };
            let (status, text) = self
                .http
                .send(method, url, &headers, payload)
                .await
                .map_err(PushError::from_outbound)?;
            if status == 401 && attempt == 0 && self.settings.auth == AuthKind::ClientCredentials {
                *self.token.lock().await = None;
                continue;
            }
            return Ok((status, text));
        }
        Err(PushError::Permanent("unauthorized".into()))
    }

    /// The first resource matching `attribute eq value`, or `None`.
    pub async fn find(
        &self,
        endpoint: Endpoint,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Value>, PushError> {
        let filter = format!("{attribute} eq {}", filter_literal(value));
        let url = format!(
            "{}?filter={}&count=2",
            self.url(endpoint, None),
            form_encode(&filter)
        );
        let (status, text) = self.call("GET", &url, None).await?;
        if status != 200 {
            return Err(PushError::from_status("lookup", status, &text));
        }
        let answer: Value = serde_json::from_str(&text)
            .map_err(|_| PushError::Permanent("the lookup answered no JSON".into()))?;
        Ok(answer
            .get("Resources")
            .and_then(Value::as_array)
            .and_then(|resources| resources.first())
            .cloned())
    }

    /// POSTs a new resource; returns what the target stored.
    pub async fn create(&self, endpoint: Endpoint, document: &Value) -> Result<Value, PushError> {
        let (status, text) = self
            .call("POST", &self.url(endpoint, None), Some(document))
            .await?;
        if status != 201 && status != 200 {
            return Err(PushError::from_status("create", status, &text));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// PUTs a whole resource; `Ok(false)` when the target no longer has it.
    pub async fn replace(
        &self,
        endpoint: Endpoint,
        id: &str,
        document: &Value,
    ) -> Result<bool, PushError> {
        let (status, text) = self
            .call("PUT", &self.url(endpoint, Some(id)), Some(document))
            .await?;
        match status {
            200 | 204 => Ok(true),
            404 => Ok(false),
            _ => Err(PushError::from_status("replace", status, &text)),
        }
    }

    /// PATCHes `active` to false; `Ok(false)` when the target no longer has the resource.
    pub async fn deactivate(&self, id: &str) -> Result<bool, PushError> {
        let patch = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}],
        });
        let (status, text) = self
            .call("PATCH", &self.url(Endpoint::Users, Some(id)), Some(&patch))
            .await?;
        match status {
            200 | 204 => Ok(true),
            404 => Ok(false),
            _ => Err(PushError::from_status("deactivate", status, &text)),
        }
    }

    /// DELETEs a resource; a resource the target does not have is deleted already.
    pub async fn delete(&self, endpoint: Endpoint, id: &str) -> Result<(), PushError> {
        let (status, text) = self
            .call("DELETE", &self.url(endpoint, Some(id)), None)
            .await?;
        match status {
            200 | 204 | 404 => Ok(()),
            _ => Err(PushError::from_status("delete", status, &text)),
        }
    }
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A path segment: everything but unreserved characters percent-encoded.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_literals_escape_quotes_and_backslashes() {
        assert_eq!(filter_literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(urlencoding("a b/ü"), "a%20b%2F%C3%BC");
    }

    #[test]
    fn only_network_errors_and_server_trouble_are_retried() {
        assert!(PushError::from_status("x", 503, "").is_transient());
        assert!(PushError::from_status("x", 429, "").is_transient());
        assert!(!PushError::from_status("x", 400, "").is_transient());
        assert!(!PushError::from_status("x", 409, "").is_transient());
        assert!(PushError::from_outbound(OutboundError::Request("refused".into())).is_transient());
        assert!(
            !PushError::from_outbound(OutboundError::Blocked("10.0.0.1".into())).is_transient()
        );
    }
}
