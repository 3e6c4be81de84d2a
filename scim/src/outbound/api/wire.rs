//! JSON of the `/castellan/v1/scim/targets` API. Secrets are accepted, never returned.

use castellan_core::DomainError;
use castellan_core::scim_target::{
    AttributeMapping, AuthKind, DeadLetter, Deprovision, ScimTarget, TargetFilter, TargetSettings,
    TargetSpec,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterWire {
    #[serde(default)]
    pub group_ids: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MappingWire {
    pub target: String,
    pub source: String,
}

/// Create (`POST`) and full update (`PUT`, `id` from the path). A `secret` left out on update
/// keeps the current one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetRequest {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub auth: String,
    #[serde(default)]
    pub token_url: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub deprovision: String,
    #[serde(default)]
    pub push_groups: bool,
    #[serde(default)]
    pub mapping: Vec<MappingWire>,
    #[serde(default)]
    pub filter: FilterWire,
}

impl TargetRequest {
    pub fn spec(&self) -> Result<TargetSpec, DomainError> {
        Ok(TargetSpec {
            name: self.name.clone(),
            settings: TargetSettings {
                base_url: self.base_url.clone(),
                auth: AuthKind::parse(&self.auth)?,
                token_url: self.token_url.clone(),
                client_id: self.client_id.clone(),
                scope: self.scope.clone(),
                deprovision: Deprovision::parse(&self.deprovision)?,
                push_groups: self.push_groups,
            },
            mapping: self
                .mapping
                .iter()
                .map(|m| AttributeMapping {
                    target: m.target.clone(),
                    source: m.source.clone(),
                })
                .collect(),
            filter: TargetFilter {
                group_ids: self.filter.group_ids.clone(),
            },
        })
    }
}

/// Requests naming one target (and, for a replay, one resource).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetIdRequest {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub resource_id: String,
}

/// Lists name no target.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListRequest {
    #[serde(default)]
    pub org_id: String,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountsWire {
    pub created: i64,
    pub updated: i64,
    pub deprovisioned: i64,
    pub unchanged: i64,
    pub failed: i64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetWire {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub base_url: String,
    pub auth: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    pub has_secret: bool,
    pub deprovision: &'static str,
    pub push_groups: bool,
    pub mapping: Vec<MappingWire>,
    pub filter: FilterWire,
    pub dead_letters: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reconcile: Option<CountsWire>,
}

impl TargetWire {
    pub fn new(id: &str, target: &ScimTarget) -> Self {
        let settings = &target.settings;
        Self {
            id: id.to_owned(),
            org_id: target.org_id.clone(),
            name: target.name.clone(),
            base_url: settings.base_url.clone(),
            auth: settings.auth.as_str(),
            token_url: settings.token_url.clone(),
            client_id: settings.client_id.clone(),
            scope: settings.scope.clone(),
            has_secret: !target.sealed_secret.is_empty(),
            deprovision: settings.deprovision.as_str(),
            push_groups: settings.push_groups,
            mapping: target
                .mapping
                .iter()
                .map(|m| MappingWire {
                    target: m.target.clone(),
                    source: m.source.clone(),
                })
                .collect(),
            filter: FilterWire {
                group_ids: target.filter.group_ids.clone(),
            },
            dead_letters: target.dead_letters.len(),
            last_reconcile: target.last_reconcile.map(|c| CountsWire {
                created: c.created,
                updated: c.updated,
                deprovisioned: c.deprovisioned,
                unchanged: c.unchanged,
                failed: c.failed,
            }),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterWire {
    pub resource_type: String,
    pub resource_id: String,
    /// The position of the event batch whose push failed (int64 as a string, as proto3 JSON).
    pub position: String,
    pub error: String,
}

impl From<&DeadLetter> for DeadLetterWire {
    fn from(letter: &DeadLetter) -> Self {
        Self {
            resource_type: letter.resource_type.clone(),
            resource_id: letter.resource_id.clone(),
            position: letter.position.to_string(),
            error: letter.error.clone(),
        }
    }
}
