//! The v1 policy messages (`zitadel.policy.v1`, `zitadel.management.v1`, `zitadel.admin.v1`)
//! Castellan accepts to write settings, and their conversion into core policies.
//!
//! A v1 update carries the whole policy: a field left out is its zero value, as in ZITADEL.
//! Fields a message does not carry (the login policy's factor lists on update) keep the value
//! currently in effect.

use castellan_core::DomainError;
use castellan_core::settings::{
    DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, MultiFactor, PasskeysType,
    PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy, SecondFactor, ThemeMode,
};
use serde::{Deserialize, Serialize};

use crate::proto::ProtoDuration;
use crate::proto::json::{Details, int32, int64, proto_enum};

proto_enum! {
    /// Mirrors `zitadel.policy.v1.PasswordlessType`.
    pub enum PasswordlessType = "zitadel.policy.v1.PasswordlessType" {
        NotAllowed = 0 => "PASSWORDLESS_TYPE_NOT_ALLOWED",
        Allowed = 1 => "PASSWORDLESS_TYPE_ALLOWED",
    }
}

proto_enum! {
    /// Mirrors `zitadel.policy.v1.SecondFactorType`.
    pub enum SecondFactorType = "zitadel.policy.v1.SecondFactorType" {
        Unspecified = 0 => "SECOND_FACTOR_TYPE_UNSPECIFIED",
        Otp = 1 => "SECOND_FACTOR_TYPE_OTP",
        U2f = 2 => "SECOND_FACTOR_TYPE_U2F",
        OtpEmail = 3 => "SECOND_FACTOR_TYPE_OTP_EMAIL",
        OtpSms = 4 => "SECOND_FACTOR_TYPE_OTP_SMS",
    }
}

proto_enum! {
    /// Mirrors `zitadel.policy.v1.MultiFactorType`.
    pub enum MultiFactorType = "zitadel.policy.v1.MultiFactorType" {
        Unspecified = 0 => "MULTI_FACTOR_TYPE_UNSPECIFIED",
        U2fWithVerification = 1 => "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION",
    }
}

proto_enum! {
    /// Mirrors `zitadel.policy.v1.ThemeMode`.
    pub enum V1ThemeMode = "zitadel.policy.v1.ThemeMode" {
        Unspecified = 0 => "THEME_MODE_UNSPECIFIED",
        Auto = 1 => "THEME_MODE_AUTO",
        Light = 2 => "THEME_MODE_LIGHT",
        Dark = 3 => "THEME_MODE_DARK",
    }
}

/// A v1 request that describes a whole policy of kind `Policy`.
pub trait PolicyRequest: Send + 'static {
    type Policy: castellan_core::settings::StoredPolicy + Send + Sync;
    /// The policy the request describes; `current` is the value in effect now.
    fn into_policy(self, current: &Self::Policy) -> Result<Self::Policy, DomainError>;
}

fn secs(name: &str, duration: Option<ProtoDuration>, default: i64) -> Result<i64, DomainError> {
    match duration {
        None => Ok(default),
        Some(d) if d.nanos != 0 => Err(DomainError::invalid(
            "SETTINGS-0300",
            format!("{name} must be whole seconds"),
        )),
        Some(d) => Ok(d.seconds),
    }
}

/// `Add/UpdateCustomLoginPolicyRequest`, `UpdateLoginPolicyRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LoginPolicyRequest {
    pub allow_username_password: bool,
    pub allow_register: bool,
    pub allow_external_idp: bool,
    pub force_mfa: bool,
    pub passwordless_type: PasswordlessType,
    pub hide_password_reset: bool,
    pub ignore_unknown_usernames: bool,
    pub default_redirect_uri: String,
    pub password_check_lifetime: Option<ProtoDuration>,
    pub external_login_check_lifetime: Option<ProtoDuration>,
    pub mfa_init_skip_lifetime: Option<ProtoDuration>,
    pub second_factor_check_lifetime: Option<ProtoDuration>,
    pub multi_factor_check_lifetime: Option<ProtoDuration>,
    pub allow_domain_discovery: bool,
    pub disable_login_with_email: bool,
    pub disable_login_with_phone: bool,
    pub force_mfa_local_only: bool,
    /// Only on Add.
    pub second_factors: Option<Vec<SecondFactorType>>,
    pub multi_factors: Option<Vec<MultiFactorType>>,
    /// IdPs to link on Add; none exist yet, so only an empty list is accepted.
    pub idps: Vec<serde_json::Value>,
}

impl PolicyRequest for LoginPolicyRequest {
    type Policy = LoginPolicy;
    fn into_policy(self, current: &LoginPolicy) -> Result<LoginPolicy, DomainError> {
        if !self.idps.is_empty() {
            return Err(DomainError::not_found(
                "SETTINGS-0301",
                "identity provider not found (no identity providers exist yet)",
            ));
        }
        let second_factors = match self.second_factors {
            None => current.second_factors.clone(),
            Some(list) => list
                .into_iter()
                .map(|f| match f {
                    SecondFactorType::Otp => Ok(SecondFactor::Otp),
                    SecondFactorType::U2f => Ok(SecondFactor::U2f),
                    SecondFactorType::OtpEmail => Ok(SecondFactor::OtpEmail),
                    SecondFactorType::OtpSms => Ok(SecondFactor::OtpSms),
                    SecondFactorType::Unspecified => Err(DomainError::invalid(
                        "SETTINGS-0302",
                        "SECOND_FACTOR_TYPE_UNSPECIFIED is not a second factor",
                    )),
                })
                .collect::<Result<_, _>>()?,
        };
        let multi_factors = match self.multi_factors {
            None => current.multi_factors.clone(),
            Some(list) => list
                .into_iter()
                .map(|f| match f {
                    MultiFactorType::U2fWithVerification => Ok(MultiFactor::U2fWithVerification),
                    MultiFactorType::Unspecified => Err(DomainError::invalid(
                        "SETTINGS-0303",
                        "MULTI_FACTOR_TYPE_UNSPECIFIED is not a multi factor",
                    )),
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(LoginPolicy {
            allow_username_password: self.allow_username_password,
            allow_register: self.allow_register,
            allow_external_idp: self.allow_external_idp,
            force_mfa: self.force_mfa,
            force_mfa_local_only: self.force_mfa_local_only,
            passkeys_type: match self.passwordless_type {
                PasswordlessType::NotAllowed => PasskeysType::NotAllowed,
                PasswordlessType::Allowed => PasskeysType::Allowed,
            },
            hide_password_reset: self.hide_password_reset,
            ignore_unknown_usernames: self.ignore_unknown_usernames,
            allow_domain_discovery: self.allow_domain_discovery,
            disable_login_with_email: self.disable_login_with_email,
            disable_login_with_phone: self.disable_login_with_phone,
            default_redirect_uri: self.default_redirect_uri.trim().to_owned(),
            password_check_lifetime_secs: secs(
                "password_check_lifetime",
                self.password_check_lifetime,
                0,
            )?,
            external_login_check_lifetime_secs: secs(
                "external_login_check_lifetime",
                self.external_login_check_lifetime,
                0,
            )?,
            mfa_init_skip_lifetime_secs: secs(
                "mfa_init_skip_lifetime",
                self.mfa_init_skip_lifetime,
                0,
            )?,
            second_factor_check_lifetime_secs: secs(
                "second_factor_check_lifetime",
                self.second_factor_check_lifetime,
                0,
            )?,
            multi_factor_check_lifetime_secs: secs(
                "multi_factor_check_lifetime",
                self.multi_factor_check_lifetime,
                0,
            )?,
            second_factors,
            multi_factors,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PasswordComplexityPolicyRequest {
    #[serde(with = "int64")]
    pub min_length: u64,
    pub has_uppercase: bool,
    pub has_lowercase: bool,
    pub has_number: bool,
    pub has_symbol: bool,
}

impl PolicyRequest for PasswordComplexityPolicyRequest {
    type Policy = PasswordComplexityPolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(PasswordComplexityPolicy {
            min_length: self.min_length,
            has_uppercase: self.has_uppercase,
            has_lowercase: self.has_lowercase,
            has_number: self.has_number,
            has_symbol: self.has_symbol,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PasswordAgePolicyRequest {
    #[serde(with = "int32")]
    pub max_age_days: u32,
    #[serde(with = "int32")]
    pub expire_warn_days: u32,
}

impl PolicyRequest for PasswordAgePolicyRequest {
    type Policy = PasswordAgePolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(PasswordAgePolicy {
            max_age_days: self.max_age_days,
            expire_warn_days: self.expire_warn_days,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LockoutPolicyRequest {
    #[serde(with = "int32")]
    pub max_password_attempts: u32,
    #[serde(with = "int32")]
    pub max_otp_attempts: u32,
}

impl PolicyRequest for LockoutPolicyRequest {
    type Policy = LockoutPolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(LockoutPolicy {
            max_password_attempts: self.max_password_attempts,
            max_otp_attempts: self.max_otp_attempts,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DomainPolicyRequest {
    /// admin v1's org-level domain policy calls name the org in the body.
    pub org_id: String,
    pub user_login_must_be_domain: bool,
    pub validate_org_domains: bool,
    pub smtp_sender_address_matches_instance_domain: bool,
}

impl PolicyRequest for DomainPolicyRequest {
    type Policy = DomainPolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(DomainPolicy {
            user_login_must_be_domain: self.user_login_must_be_domain,
            validate_org_domains: self.validate_org_domains,
            smtp_sender_address_matches_instance_domain: self
                .smtp_sender_address_matches_instance_domain,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PrivacyPolicyRequest {
    pub tos_link: String,
    pub privacy_link: String,
    pub help_link: String,
    pub support_email: String,
    pub docs_link: String,
    pub custom_link: String,
    pub custom_link_text: String,
}

impl PolicyRequest for PrivacyPolicyRequest {
    type Policy = PrivacyPolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(PrivacyPolicy {
            tos_link: self.tos_link.trim().to_owned(),
            privacy_link: self.privacy_link.trim().to_owned(),
            help_link: self.help_link.trim().to_owned(),
            support_email: self.support_email.trim().to_owned(),
            docs_link: self.docs_link.trim().to_owned(),
            custom_link: self.custom_link.trim().to_owned(),
            custom_link_text: self.custom_link_text.trim().to_owned(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LabelPolicyRequest {
    pub primary_color: String,
    pub background_color: String,
    pub warn_color: String,
    pub font_color: String,
    pub primary_color_dark: String,
    pub background_color_dark: String,
    pub warn_color_dark: String,
    pub font_color_dark: String,
    pub hide_login_name_suffix: bool,
    pub disable_watermark: bool,
    pub theme_mode: V1ThemeMode,
}

impl PolicyRequest for LabelPolicyRequest {
    type Policy = LabelPolicy;
    fn into_policy(self, _: &Self::Policy) -> Result<Self::Policy, DomainError> {
        Ok(LabelPolicy {
            primary_color: self.primary_color.trim().to_owned(),
            background_color: self.background_color.trim().to_owned(),
            warn_color: self.warn_color.trim().to_owned(),
            font_color: self.font_color.trim().to_owned(),
            primary_color_dark: self.primary_color_dark.trim().to_owned(),
            background_color_dark: self.background_color_dark.trim().to_owned(),
            warn_color_dark: self.warn_color_dark.trim().to_owned(),
            font_color_dark: self.font_color_dark.trim().to_owned(),
            hide_login_name_suffix: self.hide_login_name_suffix,
            disable_watermark: self.disable_watermark,
            theme_mode: match self.theme_mode {
                V1ThemeMode::Unspecified | V1ThemeMode::Auto => ThemeMode::Auto,
                V1ThemeMode::Light => ThemeMode::Light,
                V1ThemeMode::Dark => ThemeMode::Dark,
            },
        })
    }
}

/// `Reset…PolicyToDefaultRequest`: empty, or the org for admin v1's domain policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ResetRequest {
    pub org_id: String,
}

/// Every v1 write answers `{details}` (`zitadel.v1.ObjectDetails`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsResponse {
    pub details: Details,
}
