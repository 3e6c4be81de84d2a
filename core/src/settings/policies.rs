//! The policy kinds and their built-in defaults (ZITADEL's `cmd/defaults.yaml` DefaultInstance).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A policy kind: its key in the read model, its default and its validation.
pub trait Policy: Clone + Default + PartialEq + Serialize + for<'de> Deserialize<'de> {
    const KIND: &'static str;
    /// Whether an org may override the instance's value (security is instance-only).
    const ORG_OVERRIDABLE: bool = true;
    fn validate(&self) -> Result<(), DomainError>;
}

pub const MAX_LINK_LEN: usize = 2_000;
pub const MAX_LIFETIME_SECS: i64 = 10 * 365 * 24 * 3600;
/// bcrypt reads at most 72 bytes, so a longer minimum could never be met meaningfully.
pub const MAX_PASSWORD_MIN_LENGTH: u64 = 72;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasskeysType {
    NotAllowed,
    #[default]
    Allowed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SecondFactor {
    Otp,
    U2f,
    OtpEmail,
    OtpSms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MultiFactor {
    U2fWithVerification,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeMode {
    #[default]
    Auto,
    Light,
    Dark,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoginPolicy {
    pub allow_username_password: bool,
    pub allow_register: bool,
    pub allow_external_idp: bool,
    pub force_mfa: bool,
    pub force_mfa_local_only: bool,
    pub passkeys_type: PasskeysType,
    pub hide_password_reset: bool,
    pub ignore_unknown_usernames: bool,
    pub allow_domain_discovery: bool,
    pub disable_login_with_email: bool,
    pub disable_login_with_phone: bool,
    pub default_redirect_uri: String,
    pub password_check_lifetime_secs: i64,
    pub external_login_check_lifetime_secs: i64,
    pub mfa_init_skip_lifetime_secs: i64,
    pub second_factor_check_lifetime_secs: i64,
    pub multi_factor_check_lifetime_secs: i64,
    pub second_factors: Vec<SecondFactor>,
    pub multi_factors: Vec<MultiFactor>,
}

const HOUR: i64 = 3600;

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            allow_username_password: true,
            allow_register: true,
            allow_external_idp: true,
            force_mfa: false,
            force_mfa_local_only: false,
            passkeys_type: PasskeysType::Allowed,
            hide_password_reset: false,
            ignore_unknown_usernames: false,
            allow_domain_discovery: true,
            disable_login_with_email: false,
            disable_login_with_phone: false,
            default_redirect_uri: String::new(),
            password_check_lifetime_secs: 240 * HOUR,
            external_login_check_lifetime_secs: 240 * HOUR,
            mfa_init_skip_lifetime_secs: 720 * HOUR,
            second_factor_check_lifetime_secs: 18 * HOUR,
            multi_factor_check_lifetime_secs: 12 * HOUR,
            second_factors: vec![SecondFactor::Otp, SecondFactor::U2f],
            multi_factors: vec![MultiFactor::U2fWithVerification],
        }
    }
}

fn lifetime(name: &str, secs: i64) -> Result<(), DomainError> {
    if (0..=MAX_LIFETIME_SECS).contains(&secs) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "SETTINGS-0001",
            format!("{name} must be between 0s and {MAX_LIFETIME_SECS}s"),
        ))
    }
}

fn link(name: &str, value: &str) -> Result<(), DomainError> {
    if value.len() > MAX_LINK_LEN || value.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "SETTINGS-0002",
            format!("{name} must be at most {MAX_LINK_LEN} characters without control characters"),
        ));
    }
    Ok(())
}

fn no_duplicates<T: Ord + Clone>(name: &str, values: &[T]) -> Result<(), DomainError> {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() == values.len() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "SETTINGS-0003",
            format!("{name} lists a value twice"),
        ))
    }
}

impl Policy for LoginPolicy {
    const KIND: &'static str = "login";
    fn validate(&self) -> Result<(), DomainError> {
        lifetime("password_check_lifetime", self.password_check_lifetime_secs)?;
        lifetime(
            "external_login_check_lifetime",
            self.external_login_check_lifetime_secs,
        )?;
        lifetime("mfa_init_skip_lifetime", self.mfa_init_skip_lifetime_secs)?;
        lifetime(
            "second_factor_check_lifetime",
            self.second_factor_check_lifetime_secs,
        )?;
        lifetime(
            "multi_factor_check_lifetime",
            self.multi_factor_check_lifetime_secs,
        )?;
        link("default_redirect_uri", &self.default_redirect_uri)?;
        no_duplicates("second_factors", &self.second_factors)?;
        no_duplicates("multi_factors", &self.multi_factors)?;
        if !self.allow_username_password && !self.allow_external_idp {
            return Err(DomainError::invalid(
                "SETTINGS-0004",
                "at least one of allow_username_password and allow_external_idp must be set",
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordComplexityPolicy {
    pub min_length: u64,
    pub has_uppercase: bool,
    pub has_lowercase: bool,
    pub has_number: bool,
    pub has_symbol: bool,
}

impl Default for PasswordComplexityPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            has_uppercase: true,
            has_lowercase: true,
            has_number: true,
            has_symbol: true,
        }
    }
}

impl Policy for PasswordComplexityPolicy {
    const KIND: &'static str = "password_complexity";
    fn validate(&self) -> Result<(), DomainError> {
        if self.min_length == 0 || self.min_length > MAX_PASSWORD_MIN_LENGTH {
            return Err(DomainError::invalid(
                "SETTINGS-0005",
                format!("min_length must be between 1 and {MAX_PASSWORD_MIN_LENGTH}"),
            ));
        }
        Ok(())
    }
}

impl PasswordComplexityPolicy {
    /// Why `password` does not meet the policy, if it does not.
    pub fn check(&self, password: &str) -> Result<(), DomainError> {
        let length = u64::try_from(password.chars().count()).unwrap_or(u64::MAX);
        let mut missing = Vec::new();
        if length < self.min_length {
            missing.push(format!("at least {} characters", self.min_length));
        }
        if self.has_lowercase && !password.chars().any(char::is_lowercase) {
            missing.push("a lower-case letter".to_owned());
        }
        if self.has_uppercase && !password.chars().any(char::is_uppercase) {
            missing.push("an upper-case letter".to_owned());
        }
        if self.has_number && !password.chars().any(|c| c.is_ascii_digit()) {
            missing.push("a digit".to_owned());
        }
        if self.has_symbol
            && !password
                .chars()
                .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
        {
            missing.push("a symbol".to_owned());
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid(
                "USER-0011",
                format!(
                    "The password does not meet the password complexity settings: it needs {}",
                    missing.join(", ")
                ),
            ))
        }
    }
}

/// ZITADEL's password age policy (v2: password expiry settings). 0 = never.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordAgePolicy {
    pub max_age_days: u32,
    pub expire_warn_days: u32,
}

impl Policy for PasswordAgePolicy {
    const KIND: &'static str = "password_age";
    fn validate(&self) -> Result<(), DomainError> {
        Ok(())
    }
}

/// 0 = no lockout.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    pub max_password_attempts: u32,
    pub max_otp_attempts: u32,
}

impl Policy for LockoutPolicy {
    const KIND: &'static str = "lockout";
    fn validate(&self) -> Result<(), DomainError> {
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainPolicy {
    pub user_login_must_be_domain: bool,
    pub validate_org_domains: bool,
    pub smtp_sender_address_matches_instance_domain: bool,
}

impl Default for DomainPolicy {
    fn default() -> Self {
        Self {
            user_login_must_be_domain: false,
            validate_org_domains: false,
            smtp_sender_address_matches_instance_domain: true,
        }
    }
}

impl Policy for DomainPolicy {
    const KIND: &'static str = "domain";
    fn validate(&self) -> Result<(), DomainError> {
        Ok(())
    }
}

/// Legal and support links (v1: privacy policy).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivacyPolicy {
    pub tos_link: String,
    pub privacy_link: String,
    pub help_link: String,
    pub support_email: String,
    pub docs_link: String,
    pub custom_link: String,
    pub custom_link_text: String,
}

impl Policy for PrivacyPolicy {
    const KIND: &'static str = "privacy";
    fn validate(&self) -> Result<(), DomainError> {
        link("tos_link", &self.tos_link)?;
        link("privacy_link", &self.privacy_link)?;
        link("help_link", &self.help_link)?;
        link("docs_link", &self.docs_link)?;
        link("custom_link", &self.custom_link)?;
        link("custom_link_text", &self.custom_link_text)?;
        let email = self.support_email.trim();
        let valid_email = email.is_empty()
            || (email.len() <= 320
                && email
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
                && !email.chars().any(char::is_whitespace));
        if !valid_email {
            return Err(DomainError::invalid(
                "SETTINGS-0007",
                "support_email is not an email address",
            ));
        }
        Ok(())
    }
}

/// Branding (v1: label policy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelPolicy {
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
    pub theme_mode: ThemeMode,
}

impl Default for LabelPolicy {
    fn default() -> Self {
        Self {
            primary_color: "#5469d4".into(),
            background_color: "#fafafa".into(),
            warn_color: "#cd3d56".into(),
            font_color: "#000000".into(),
            primary_color_dark: "#2073c4".into(),
            background_color_dark: "#111827".into(),
            warn_color_dark: "#ff3b5b".into(),
            font_color_dark: "#ffffff".into(),
            hide_login_name_suffix: false,
            disable_watermark: false,
            theme_mode: ThemeMode::Auto,
        }
    }
}

fn color(name: &str, value: &str) -> Result<(), DomainError> {
    let hex = value.strip_prefix('#').unwrap_or("x");
    let ok = value.is_empty()
        || ((hex.len() == 3 || hex.len() == 6 || hex.len() == 8)
            && hex.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "SETTINGS-0008",
            format!("{name} must be a hex color such as #5469d4"),
        ))
    }
}

impl Policy for LabelPolicy {
    const KIND: &'static str = "label";
    fn validate(&self) -> Result<(), DomainError> {
        color("primary_color", &self.primary_color)?;
        color("background_color", &self.background_color)?;
        color("warn_color", &self.warn_color)?;
        color("font_color", &self.font_color)?;
        color("primary_color_dark", &self.primary_color_dark)?;
        color("background_color_dark", &self.background_color_dark)?;
        color("warn_color_dark", &self.warn_color_dark)?;
        color("font_color_dark", &self.font_color_dark)
    }
}

/// Instance-only security settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    pub embedded_iframe_enabled: bool,
    pub allowed_origins: Vec<String>,
    pub enable_impersonation: bool,
}

impl Policy for SecurityPolicy {
    const KIND: &'static str = "security";
    const ORG_OVERRIDABLE: bool = false;
    fn validate(&self) -> Result<(), DomainError> {
        if self.allowed_origins.len() > 100 {
            return Err(DomainError::invalid(
                "SETTINGS-0009",
                "at most 100 allowed origins",
            ));
        }
        for origin in &self.allowed_origins {
            if origin.trim().is_empty()
                || origin.len() > 500
                || origin.contains(char::is_whitespace)
            {
                return Err(DomainError::invalid(
                    "SETTINGS-0010",
                    format!("invalid allowed origin {origin:?}"),
                ));
            }
        }
        Ok(())
    }
}
