//! The settings of a SCIM target and their validation: where and how to connect, what removal
//! means at the target, how attributes map and which users and groups are pushed.

use serde::{Deserialize, Serialize};

use super::TargetSpec;
use crate::error::DomainError;

pub const MAX_NAME_LEN: usize = 200;
pub const MAX_URL_LEN: usize = 2000;
pub const MAX_MAPPINGS: usize = 50;
pub const MAX_GROUP_FILTER: usize = 100;

/// How Castellan authenticates at the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `Authorization: Bearer <secret>`.
    #[default]
    Bearer,
    /// OAuth 2 client credentials at `token_url` (`client_id`, the secret, `scope`); the access
    /// token is then sent as a bearer token.
    ClientCredentials,
}

impl AuthKind {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text.trim() {
            "" | "bearer" => Ok(Self::Bearer),
            "client_credentials" => Ok(Self::ClientCredentials),
            _ => Err(DomainError::invalid(
                "SCIMT-0010",
                "auth must be bearer or client_credentials",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// What a user's removal (or leaving the target's scope) does at the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deprovision {
    /// `PATCH active=false` (Okta's and Entra's default): the account stays, disabled.
    #[default]
    Deactivate,
    /// `DELETE /Users/{id}`.
    Delete,
}

impl Deprovision {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text.trim() {
            "" | "deactivate" => Ok(Self::Deactivate),
            "delete" => Ok(Self::Delete),
            _ => Err(DomainError::invalid(
                "SCIMT-0011",
                "deprovision must be deactivate or delete",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Delete => "delete",
        }
    }
}

/// Where and how a target is reached.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSettings {
    /// The SCIM base URL, e.g. `https://app.example.com/scim/v2` (no trailing slash).
    pub base_url: String,
    pub auth: AuthKind,
    /// Client credentials only: the token endpoint, the client id and the scope (may be empty).
    pub token_url: String,
    pub client_id: String,
    pub scope: String,
    pub deprovision: Deprovision,
    /// Whether groups are pushed too (as `/Groups` with their pushed members).
    pub push_groups: bool,
}

/// One target attribute set from one Castellan attribute, on top of the default document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeMapping {
    /// A SCIM attribute path: `title`, `name.givenName`, or with a schema URN prefix
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
    pub target: String,
    /// A Castellan attribute: one of [`SOURCES`], or `metadata.<key>`.
    pub source: String,
}

/// The Castellan attributes a mapping may read (besides `metadata.<key>`).
pub const SOURCES: [&str; 10] = [
    "id",
    "userName",
    "email",
    "givenName",
    "familyName",
    "displayName",
    "nickName",
    "preferredLanguage",
    "phone",
    "orgId",
];

/// Target attributes Castellan keeps for itself.
const RESERVED_TARGETS: [&str; 5] = ["id", "externalid", "schemas", "meta", "active"];

/// Which users and groups a target receives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFilter {
    /// Only members of these groups (and, with `push_groups`, only these groups); empty: every
    /// user and group of the org.
    pub group_ids: Vec<String>,
}

impl TargetFilter {
    /// Whether a group is pushed (given `push_groups`).
    pub fn includes_group(&self, group_id: &str) -> bool {
        self.group_ids.is_empty() || self.group_ids.iter().any(|g| g == group_id)
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, message.into())
}

/// Checks and normalises a spec.
pub fn validate(spec: &TargetSpec) -> Result<TargetSpec, DomainError> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(invalid(
            "SCIMT-0012",
            format!("name must be 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    let base_url = validate_url(&spec.settings.base_url, "baseUrl")?;
    let base_url = base_url.trim_end_matches('/').to_owned();
    let mut settings = TargetSettings {
        base_url,
        auth: spec.settings.auth,
        token_url: String::new(),
        client_id: String::new(),
        scope: String::new(),
        deprovision: spec.settings.deprovision,
        push_groups: spec.settings.push_groups,
    };
    if spec.settings.auth == AuthKind::ClientCredentials {
        settings.token_url = validate_url(&spec.settings.token_url, "tokenUrl")?;
        let client_id = spec.settings.client_id.trim();
        if client_id.is_empty() || client_id.len() > 500 {
            return Err(invalid(
                "SCIMT-0013",
                "client_credentials needs a clientId (at most 500 characters)",
            ));
        }
        settings.client_id = client_id.to_owned();
        let scope = spec.settings.scope.trim();
        if scope.len() > 1000 || scope.chars().any(char::is_control) {
            return Err(invalid("SCIMT-0014", "scope is not valid"));
        }
        settings.scope = scope.to_owned();
    }
    if spec.mapping.len() > MAX_MAPPINGS {
        return Err(invalid(
            "SCIMT-0015",
            format!("at most {MAX_MAPPINGS} attribute mappings"),
        ));
    }
    let mut mapping: Vec<AttributeMapping> = Vec::new();
    for entry in &spec.mapping {
        let entry = validate_mapping(entry)?;
        if mapping
            .iter()
            .any(|m| m.target.eq_ignore_ascii_case(&entry.target))
        {
            return Err(invalid(
                "SCIMT-0016",
                format!("target attribute {} is mapped twice", entry.target),
            ));
        }
        mapping.push(entry);
    }
    if spec.filter.group_ids.len() > MAX_GROUP_FILTER {
        return Err(invalid(
            "SCIMT-0017",
            format!("at most {MAX_GROUP_FILTER} group ids"),
        ));
    }
    let mut group_ids: Vec<String> = Vec::new();
    for id in &spec.filter.group_ids {
        let id = id.trim();
        if id.is_empty() || id.len() > 200 {
            return Err(invalid("SCIMT-0017", "a group id is empty or too long"));
        }
        if !group_ids.iter().any(|g| g == id) {
            group_ids.push(id.to_owned());
        }
    }
    Ok(TargetSpec {
        name: name.to_owned(),
        settings,
        mapping,
        filter: TargetFilter { group_ids },
    })
}

fn validate_url(url: &str, field: &str) -> Result<String, DomainError> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = url.len() <= MAX_URL_LEN
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && !url.contains('?')
        && !url.contains('#')
        && matches!(rest, Some(rest) if !rest.is_empty() && !rest.starts_with('/'));
    if ok {
        Ok(url.to_owned())
    } else {
        Err(invalid(
            "SCIMT-0018",
            format!("{field} must be an http(s) URL without query or fragment"),
        ))
    }
}

/// Whether `path` is a SCIM attribute path this connector can set: `attr`, `attr.sub`, each
/// optionally after a schema URN (`urn:...:attr`).
fn valid_target(path: &str) -> bool {
    let attribute = match path.rfind(':') {
        Some(index) if path.starts_with("urn:") => path.get(index + 1..).unwrap_or_default(),
        Some(_) => return false,
        None => path,
    };
    let parts: Vec<&str> = attribute.split('.').collect();
    parts.len() <= 2
        && parts.iter().all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

fn validate_mapping(entry: &AttributeMapping) -> Result<AttributeMapping, DomainError> {
    let target = entry.target.trim();
    let source = entry.source.trim();
    if target.len() > 300 || !valid_target(target) {
        return Err(invalid(
            "SCIMT-0019",
            format!("{target:?} is not a SCIM attribute path"),
        ));
    }
    let top = target
        .rsplit(':')
        .next()
        .unwrap_or(target)
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !target.starts_with("urn:") && RESERVED_TARGETS.contains(&top.as_str()) {
        return Err(invalid(
            "SCIMT-0020",
            format!("{target} is set by Castellan and cannot be mapped"),
        ));
    }
    let metadata_key = source.strip_prefix("metadata.");
    let source_ok = match metadata_key {
        Some(key) => !key.is_empty() && key.len() <= 200,
        None => SOURCES.contains(&source),
    };
    if !source_ok {
        return Err(invalid(
            "SCIMT-0021",
            format!(
                "source {source:?} must be one of {} or metadata.<key>",
                SOURCES.join(", ")
            ),
        ));
    }
    Ok(AttributeMapping {
        target: target.to_owned(),
        source: source.to_owned(),
    })
}
