//! Proto-JSON wire types of `zitadel.settings.v2.SettingsService` (names from the protos; every
//! field is emitted, defaults included).

use castellan_core::settings::{
    DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, MultiFactor, PasskeysType,
    PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy, SecondFactor, SecurityPolicy,
    SourceLevel, ThemeMode,
};
use serde::{Deserialize, Serialize};

use crate::proto::json::{Details, ListDetails, int64, proto_enum};
use crate::proto::{ProtoDuration, ProtoTimestamp};

proto_enum! {
    /// Mirrors `zitadel.settings.v2.ResourceOwnerType`.
    pub enum ResourceOwnerType = "zitadel.settings.v2.ResourceOwnerType" {
        Unspecified = 0 => "RESOURCE_OWNER_TYPE_UNSPECIFIED",
        Instance = 1 => "RESOURCE_OWNER_TYPE_INSTANCE",
        Org = 2 => "RESOURCE_OWNER_TYPE_ORG",
    }
}

proto_enum! {
    /// Mirrors `zitadel.settings.v2.PasskeysType`.
    pub enum WirePasskeysType = "zitadel.settings.v2.PasskeysType" {
        NotAllowed = 0 => "PASSKEYS_TYPE_NOT_ALLOWED",
        Allowed = 1 => "PASSKEYS_TYPE_ALLOWED",
    }
}

proto_enum! {
    /// Mirrors `zitadel.settings.v2.SecondFactorType`.
    pub enum SecondFactorType = "zitadel.settings.v2.SecondFactorType" {
        Unspecified = 0 => "SECOND_FACTOR_TYPE_UNSPECIFIED",
        Otp = 1 => "SECOND_FACTOR_TYPE_OTP",
        U2f = 2 => "SECOND_FACTOR_TYPE_U2F",
        OtpEmail = 3 => "SECOND_FACTOR_TYPE_OTP_EMAIL",
        OtpSms = 4 => "SECOND_FACTOR_TYPE_OTP_SMS",
    }
}

proto_enum! {
    /// Mirrors `zitadel.settings.v2.MultiFactorType`.
    pub enum MultiFactorType = "zitadel.settings.v2.MultiFactorType" {
        Unspecified = 0 => "MULTI_FACTOR_TYPE_UNSPECIFIED",
        U2fWithVerification = 1 => "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION",
    }
}

proto_enum! {
    /// Mirrors `zitadel.settings.v2.ThemeMode`.
    pub enum WireThemeMode = "zitadel.settings.v2.ThemeMode" {
        Unspecified = 0 => "THEME_MODE_UNSPECIFIED",
        Auto = 1 => "THEME_MODE_AUTO",
        Light = 2 => "THEME_MODE_LIGHT",
        Dark = 3 => "THEME_MODE_DARK",
    }
}

impl From<SourceLevel> for ResourceOwnerType {
    fn from(level: SourceLevel) -> Self {
        match level {
            SourceLevel::Org => ResourceOwnerType::Org,
            SourceLevel::Instance | SourceLevel::BuiltIn => ResourceOwnerType::Instance,
        }
    }
}

pub fn second_factor(factor: SecondFactor) -> SecondFactorType {
    match factor {
        SecondFactor::Otp => SecondFactorType::Otp,
        SecondFactor::U2f => SecondFactorType::U2f,
        SecondFactor::OtpEmail => SecondFactorType::OtpEmail,
        SecondFactor::OtpSms => SecondFactorType::OtpSms,
    }
}

pub fn multi_factor(factor: MultiFactor) -> MultiFactorType {
    match factor {
        MultiFactor::U2fWithVerification => MultiFactorType::U2fWithVerification,
    }
}

pub fn theme_mode(mode: ThemeMode) -> WireThemeMode {
    match mode {
        ThemeMode::Auto => WireThemeMode::Auto,
        ThemeMode::Light => WireThemeMode::Light,
        ThemeMode::Dark => WireThemeMode::Dark,
    }
}

/// Mirrors `zitadel.object.v2.RequestContext` (oneof `context`: `instance` or `orgId`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RequestContext {
    pub instance: bool,
    pub org_id: String,
}

/// Every `Get…SettingsRequest` that takes a context. Over REST the context arrives as the query
/// parameters `ctx.orgId` / `ctx.instance`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ContextRequest {
    pub ctx: Option<RequestContext>,
    #[serde(rename = "ctx.orgId")]
    pub ctx_org_id: Option<String>,
    #[serde(rename = "ctx.instance")]
    pub ctx_instance: Option<String>,
    // GetActiveIdentityProviders' filters (no IdPs exist yet).
    pub creation_allowed: Option<serde_json::Value>,
    pub linking_allowed: Option<serde_json::Value>,
    pub auto_creation: Option<serde_json::Value>,
    pub auto_linking: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EmptyRequest {}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsResponse<S> {
    pub details: Details,
    pub settings: S,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginSettings {
    pub allow_username_password: bool,
    pub allow_local_authentication: bool,
    pub allow_register: bool,
    pub allow_external_idp: bool,
    pub force_mfa: bool,
    pub passkeys_type: WirePasskeysType,
    pub hide_password_reset: bool,
    pub ignore_unknown_usernames: bool,
    pub default_redirect_uri: String,
    pub password_check_lifetime: ProtoDuration,
    pub external_login_check_lifetime: ProtoDuration,
    pub mfa_init_skip_lifetime: ProtoDuration,
    pub second_factor_check_lifetime: ProtoDuration,
    pub multi_factor_check_lifetime: ProtoDuration,
    pub second_factors: Vec<SecondFactorType>,
    pub multi_factors: Vec<MultiFactorType>,
    pub allow_domain_discovery: bool,
    pub disable_login_with_email: bool,
    pub disable_login_with_phone: bool,
    pub resource_owner_type: ResourceOwnerType,
    pub force_mfa_local_only: bool,
}

impl LoginSettings {
    pub fn new(p: &LoginPolicy, owner: ResourceOwnerType) -> Self {
        Self {
            allow_username_password: p.allow_username_password,
            allow_local_authentication: p.allow_username_password,
            allow_register: p.allow_register,
            allow_external_idp: p.allow_external_idp,
            force_mfa: p.force_mfa,
            passkeys_type: match p.passkeys_type {
                PasskeysType::NotAllowed => WirePasskeysType::NotAllowed,
                PasskeysType::Allowed => WirePasskeysType::Allowed,
            },
            hide_password_reset: p.hide_password_reset,
            ignore_unknown_usernames: p.ignore_unknown_usernames,
            default_redirect_uri: p.default_redirect_uri.clone(),
            password_check_lifetime: ProtoDuration::from_secs(p.password_check_lifetime_secs),
            external_login_check_lifetime: ProtoDuration::from_secs(
                p.external_login_check_lifetime_secs,
            ),
            mfa_init_skip_lifetime: ProtoDuration::from_secs(p.mfa_init_skip_lifetime_secs),
            second_factor_check_lifetime: ProtoDuration::from_secs(
                p.second_factor_check_lifetime_secs,
            ),
            multi_factor_check_lifetime: ProtoDuration::from_secs(
                p.multi_factor_check_lifetime_secs,
            ),
            second_factors: p
                .second_factors
                .iter()
                .copied()
                .map(second_factor)
                .collect(),
            multi_factors: p.multi_factors.iter().copied().map(multi_factor).collect(),
            allow_domain_discovery: p.allow_domain_discovery,
            disable_login_with_email: p.disable_login_with_email,
            disable_login_with_phone: p.disable_login_with_phone,
            resource_owner_type: owner,
            force_mfa_local_only: p.force_mfa_local_only,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordComplexitySettings {
    #[serde(with = "int64")]
    pub min_length: u64,
    pub requires_uppercase: bool,
    pub requires_lowercase: bool,
    pub requires_number: bool,
    pub requires_symbol: bool,
    pub resource_owner_type: ResourceOwnerType,
}

impl PasswordComplexitySettings {
    pub fn new(p: &PasswordComplexityPolicy, owner: ResourceOwnerType) -> Self {
        Self {
            min_length: p.min_length,
            requires_uppercase: p.has_uppercase,
            requires_lowercase: p.has_lowercase,
            requires_number: p.has_number,
            requires_symbol: p.has_symbol,
            resource_owner_type: owner,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordExpirySettings {
    #[serde(with = "int64")]
    pub max_age_days: u64,
    #[serde(with = "int64")]
    pub expire_warn_days: u64,
    pub resource_owner_type: ResourceOwnerType,
}

impl PasswordExpirySettings {
    pub fn new(p: &PasswordAgePolicy, owner: ResourceOwnerType) -> Self {
        Self {
            max_age_days: p.max_age_days.into(),
            expire_warn_days: p.expire_warn_days.into(),
            resource_owner_type: owner,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockoutSettings {
    #[serde(with = "int64")]
    pub max_password_attempts: u64,
    #[serde(with = "int64")]
    pub max_otp_attempts: u64,
    pub resource_owner_type: ResourceOwnerType,
}

impl LockoutSettings {
    pub fn new(p: &LockoutPolicy, owner: ResourceOwnerType) -> Self {
        Self {
            max_password_attempts: p.max_password_attempts.into(),
            max_otp_attempts: p.max_otp_attempts.into(),
            resource_owner_type: owner,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSettings {
    pub login_name_includes_domain: bool,
    pub require_org_domain_verification: bool,
    pub smtp_sender_address_matches_instance_domain: bool,
    pub resource_owner_type: ResourceOwnerType,
}

impl DomainSettings {
    pub fn new(p: &DomainPolicy, owner: ResourceOwnerType) -> Self {
        Self {
            login_name_includes_domain: p.user_login_must_be_domain,
            require_org_domain_verification: p.validate_org_domains,
            smtp_sender_address_matches_instance_domain: p
                .smtp_sender_address_matches_instance_domain,
            resource_owner_type: owner,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegalAndSupportSettings {
    pub tos_link: String,
    pub privacy_policy_link: String,
    pub help_link: String,
    pub support_email: String,
    pub resource_owner_type: ResourceOwnerType,
    pub docs_link: String,
    pub custom_link: String,
    pub custom_link_text: String,
}

impl LegalAndSupportSettings {
    pub fn new(p: &PrivacyPolicy, owner: ResourceOwnerType) -> Self {
        Self {
            tos_link: p.tos_link.clone(),
            privacy_policy_link: p.privacy_link.clone(),
            help_link: p.help_link.clone(),
            support_email: p.support_email.clone(),
            resource_owner_type: owner,
            docs_link: p.docs_link.clone(),
            custom_link: p.custom_link.clone(),
            custom_link_text: p.custom_link_text.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    pub primary_color: String,
    pub background_color: String,
    pub warn_color: String,
    pub font_color: String,
    pub logo_url: String,
    pub icon_url: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandingSettings {
    pub light_theme: Theme,
    pub dark_theme: Theme,
    pub font_url: String,
    pub hide_login_name_suffix: bool,
    pub disable_watermark: bool,
    pub resource_owner_type: ResourceOwnerType,
    pub theme_mode: WireThemeMode,
}

impl BrandingSettings {
    pub fn new(p: &LabelPolicy, owner: ResourceOwnerType) -> Self {
        let theme = |primary: &str, background: &str, warn: &str, font: &str| Theme {
            primary_color: primary.to_owned(),
            background_color: background.to_owned(),
            warn_color: warn.to_owned(),
            font_color: font.to_owned(),
            logo_url: String::new(),
            icon_url: String::new(),
        };
        Self {
            light_theme: theme(
                &p.primary_color,
                &p.background_color,
                &p.warn_color,
                &p.font_color,
            ),
            dark_theme: theme(
                &p.primary_color_dark,
                &p.background_color_dark,
                &p.warn_color_dark,
                &p.font_color_dark,
            ),
            font_url: String::new(),
            hide_login_name_suffix: p.hide_login_name_suffix,
            disable_watermark: p.disable_watermark,
            resource_owner_type: owner,
            theme_mode: theme_mode(p.theme_mode),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EmbeddedIframeSettings {
    pub enabled: bool,
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecuritySettings {
    pub embedded_iframe: EmbeddedIframeSettings,
    pub enable_impersonation: bool,
}

impl SecuritySettings {
    pub fn new(p: &SecurityPolicy) -> Self {
        Self {
            embedded_iframe: EmbeddedIframeSettings {
                enabled: p.embedded_iframe_enabled,
                allowed_origins: p.allowed_origins.clone(),
            },
            enable_impersonation: p.enable_impersonation,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SetSecuritySettingsRequest {
    pub embedded_iframe: Option<EmbeddedIframeSettings>,
    pub enable_impersonation: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsResponse {
    pub details: Details,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneralSettingsResponse {
    pub default_org_id: String,
    pub default_organization_id: String,
    pub default_language: String,
    pub supported_languages: Vec<String>,
    pub allowed_languages: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveIdentityProvidersResponse {
    pub details: ListDetails,
    pub identity_providers: Vec<serde_json::Value>,
}

/// `GetHostedLoginTranslationRequest` (oneof `level`: `system`, `instance`, `organizationId`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GetHostedLoginTranslationRequest {
    pub locale: String,
    #[serde(deserialize_with = "bool_or_text")]
    pub ignore_inheritance: bool,
    #[serde(deserialize_with = "opt_bool_or_text")]
    pub system: Option<bool>,
    #[serde(deserialize_with = "opt_bool_or_text")]
    pub instance: Option<bool>,
    pub organization_id: Option<String>,
}

/// A bool, or its text as a REST query string carries it (`?instance=true`).
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

fn opt_bool_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool_or_text(d).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SetHostedLoginTranslationRequest {
    pub locale: String,
    pub translations: serde_json::Value,
    pub instance: Option<bool>,
    pub organization_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostedLoginTranslationResponse {
    pub etag: String,
    pub translations: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetHostedLoginTranslationResponse {
    pub etag: String,
}

pub fn details(owner: &str, sequence: i64, changed: Option<ProtoTimestamp>) -> Details {
    Details {
        sequence: u64::try_from(sequence).unwrap_or_default(),
        change_date: changed,
        resource_owner: owner.to_owned(),
    }
}
