//! The `/ServiceProviderConfig` document (RFC 7643 §5).

use serde_json::{Value, json};

/// Limits of the bulk endpoint, when it is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLimits {
    /// The most operations one bulk request may carry.
    pub max_operations: u32,
    /// The largest bulk request body, in bytes.
    pub max_payload_size: u64,
}

/// The features and limits a service provider advertises.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceProviderConfig {
    /// A link to human documentation, if any.
    pub documentation_uri: Option<String>,
    /// Whether PATCH is supported.
    pub patch: bool,
    /// Bulk limits; `None` when bulk is not supported.
    pub bulk: Option<BulkLimits>,
    /// The most results a filtered query returns; `None` when filtering is not supported.
    pub filter_max_results: Option<u32>,
    /// Whether the password may be changed.
    pub change_password: bool,
    /// Whether `sortBy` is supported.
    pub sort: bool,
    /// Whether ETags (`meta.version`, `If-Match`) are supported.
    pub etag: bool,
}

impl ServiceProviderConfig {
    /// The document served at `{base_url}/ServiceProviderConfig`. Authentication is always the
    /// OAuth 2.0 bearer token (RFC 6750).
    pub fn to_json(&self, base_url: &str) -> Value {
        let bulk = match self.bulk {
            Some(limits) => json!({
                "supported": true,
                "maxOperations": limits.max_operations,
                "maxPayloadSize": limits.max_payload_size,
            }),
            None => json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0}),
        };
        let mut document = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": self.patch},
            "bulk": bulk,
            "filter": {
                "supported": self.filter_max_results.is_some(),
                "maxResults": self.filter_max_results.unwrap_or(0),
            },
            "changePassword": {"supported": self.change_password},
            "sort": {"supported": self.sort},
            "etag": {"supported": self.etag},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication scheme using the OAuth Bearer Token Standard",
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": true,
            }],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": format!("{}/ServiceProviderConfig", base_url.trim_end_matches('/')),
            },
        });
        if let (Some(uri), Some(object)) = (&self.documentation_uri, document.as_object_mut()) {
            object.insert("documentationUri".into(), json!(uri));
        }
        document
    }
}
