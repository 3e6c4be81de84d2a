//! Proto-JSON wire types of `zitadel.feature.v2.FeatureService`.

use castellan_core::DomainError;
use castellan_core::settings::{Features, ImprovedPerformance, LoginV2};
use serde::{Deserialize, Serialize};

use crate::proto::json::{Details, proto_enum};

proto_enum! {
    /// Mirrors `zitadel.feature.v2.Source`.
    pub enum Source = "zitadel.feature.v2.Source" {
        Unspecified = 0 => "SOURCE_UNSPECIFIED",
        System = 2 => "SOURCE_SYSTEM",
        Instance = 3 => "SOURCE_INSTANCE",
        Organization = 4 => "SOURCE_ORGANIZATION",
        Project = 5 => "SOURCE_PROJECT",
        App = 6 => "SOURCE_APP",
        User = 7 => "SOURCE_USER",
    }
}

proto_enum! {
    /// Mirrors `zitadel.feature.v2.ImprovedPerformance`.
    pub enum WireImprovedPerformance = "zitadel.feature.v2.ImprovedPerformance" {
        Unspecified = 0 => "IMPROVED_PERFORMANCE_UNSPECIFIED",
        ProjectGrant = 2 => "IMPROVED_PERFORMANCE_PROJECT_GRANT",
        Project = 3 => "IMPROVED_PERFORMANCE_PROJECT",
        UserGrant = 4 => "IMPROVED_PERFORMANCE_USER_GRANT",
        OrgDomainVerified = 5 => "IMPROVED_PERFORMANCE_ORG_DOMAIN_VERIFIED",
    }
}

fn improved(value: WireImprovedPerformance) -> Result<ImprovedPerformance, DomainError> {
    match value {
        WireImprovedPerformance::ProjectGrant => Ok(ImprovedPerformance::ProjectGrant),
        WireImprovedPerformance::Project => Ok(ImprovedPerformance::Project),
        WireImprovedPerformance::UserGrant => Ok(ImprovedPerformance::UserGrant),
        WireImprovedPerformance::OrgDomainVerified => Ok(ImprovedPerformance::OrgDomainVerified),
        WireImprovedPerformance::Unspecified => Err(DomainError::invalid(
            "FEAT-0001",
            "IMPROVED_PERFORMANCE_UNSPECIFIED is not an execution path",
        )),
    }
}

fn wire_improved(value: ImprovedPerformance) -> WireImprovedPerformance {
    match value {
        ImprovedPerformance::ProjectGrant => WireImprovedPerformance::ProjectGrant,
        ImprovedPerformance::Project => WireImprovedPerformance::Project,
        ImprovedPerformance::UserGrant => WireImprovedPerformance::UserGrant,
        ImprovedPerformance::OrgDomainVerified => WireImprovedPerformance::OrgDomainVerified,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct WireLoginV2 {
    pub required: bool,
    pub base_uri: String,
}

/// `SetInstanceFeaturesRequest` / `SetSystemFeaturesRequest`: unset flags stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SetFeaturesRequest {
    pub login_default_org: Option<bool>,
    pub user_schema: Option<bool>,
    pub oidc_token_exchange: Option<bool>,
    pub improved_performance: Option<Vec<WireImprovedPerformance>>,
    pub debug_oidc_parent_error: Option<bool>,
    pub oidc_single_v1_session_termination: Option<bool>,
    pub enable_back_channel_logout: Option<bool>,
    pub login_v2: Option<WireLoginV2>,
    pub permission_check_v2: Option<bool>,
    pub console_use_v2_user_api: Option<bool>,
}

impl SetFeaturesRequest {
    pub fn into_features(self) -> Result<Features, DomainError> {
        Ok(Features {
            login_default_org: self.login_default_org,
            user_schema: self.user_schema,
            oidc_token_exchange: self.oidc_token_exchange,
            improved_performance: self
                .improved_performance
                .map(|list| list.into_iter().map(improved).collect::<Result<_, _>>())
                .transpose()?,
            debug_oidc_parent_error: self.debug_oidc_parent_error,
            oidc_single_v1_session_termination: self.oidc_single_v1_session_termination,
            enable_back_channel_logout: self.enable_back_channel_logout,
            login_v2: self.login_v2.map(|l| LoginV2 {
                required: l.required,
                base_uri: l.base_uri.trim().to_owned(),
            }),
            permission_check_v2: self.permission_check_v2,
            console_use_v2_user_api: self.console_use_v2_user_api,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureFlag {
    pub enabled: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImprovedPerformanceFlag {
    pub execution_paths: Vec<WireImprovedPerformance>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginV2Flag {
    pub required: bool,
    pub base_uri: String,
    pub source: Source,
}

/// `GetInstanceFeaturesResponse` / `GetSystemFeaturesResponse`: each flag with its source;
/// without inheritance, only the flags the level sets.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeaturesResponse {
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_default_org: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_schema: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_token_exchange: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub improved_performance: Option<ImprovedPerformanceFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug_oidc_parent_error: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_single_v1_session_termination: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_back_channel_logout: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_v2: Option<LoginV2Flag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_check_v2: Option<FeatureFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_use_v2_user_api: Option<FeatureFlag>,
}

impl FeaturesResponse {
    /// The flags `own` sets come from `level`; with `inherit`, the others from the system
    /// (built-in: off).
    pub fn new(details: Details, own: &Features, level: Source, inherit: bool) -> Self {
        let flag = |value: Option<bool>| match value {
            Some(enabled) => Some(FeatureFlag {
                enabled,
                source: level,
            }),
            None => inherit.then_some(FeatureFlag {
                enabled: false,
                source: Source::System,
            }),
        };
        FeaturesResponse {
            details,
            login_default_org: flag(own.login_default_org),
            user_schema: flag(own.user_schema),
            oidc_token_exchange: flag(own.oidc_token_exchange),
            improved_performance: match &own.improved_performance {
                Some(paths) => Some(ImprovedPerformanceFlag {
                    execution_paths: paths.iter().copied().map(wire_improved).collect(),
                    source: level,
                }),
                None => inherit.then_some(ImprovedPerformanceFlag {
                    execution_paths: Vec::new(),
                    source: Source::System,
                }),
            },
            debug_oidc_parent_error: flag(own.debug_oidc_parent_error),
            oidc_single_v1_session_termination: flag(own.oidc_single_v1_session_termination),
            enable_back_channel_logout: flag(own.enable_back_channel_logout),
            login_v2: match &own.login_v2 {
                Some(login) => Some(LoginV2Flag {
                    required: login.required,
                    base_uri: login.base_uri.clone(),
                    source: level,
                }),
                None => inherit.then_some(LoginV2Flag {
                    required: false,
                    base_uri: String::new(),
                    source: Source::System,
                }),
            },
            permission_check_v2: flag(own.permission_check_v2),
            console_use_v2_user_api: flag(own.console_use_v2_user_api),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GetFeaturesRequest {
    #[serde(deserialize_with = "bool_or_text")]
    pub inheritance: bool,
    pub organization_id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LevelRequest {
    pub organization_id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsResponse {
    pub details: Details,
}

/// A bool, or its text as a REST query string carries it (`?inheritance=true`).
fn bool_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::String(s) if s == "true" => Ok(true),
        serde_json::Value::String(s) if s == "false" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "expected true or false, not {other}"
        ))),
    }
}
