//! v1 policy reads (`Get…Policy`): admin v1 answers the instance's default, management v1 the
//! org's effective policy (`isDefault`: the org has none of its own).

use castellan_core::DomainError;
use castellan_core::settings::{
    DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, MultiFactor, PasskeysType,
    PasswordAgePolicy, PasswordComplexityPolicy, Policy, PrivacyPolicy, SecondFactor, SourceLevel,
    ThemeMode,
};
use castellan_readers::queries::settings::{EffectiveView, resolve};
use serde_json::{Value, json};

use super::wire::ResetRequest;
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::ProtoDuration;
use crate::state::AppState;
use crate::support::{require_org_exists, timestamp};

/// A policy's v1 JSON fields (`zitadel.policy.v1.*Policy`), without `details` and `isDefault`.
pub trait V1Fields: Policy + Send + Sync {
    fn v1(&self) -> Value;
}

fn duration(secs: i64) -> Value {
    json!(ProtoDuration::from_secs(secs).to_string())
}

impl V1Fields for LoginPolicy {
    fn v1(&self) -> Value {
        let second: Vec<&str> = self
            .second_factors
            .iter()
            .map(|f| match f {
                SecondFactor::Otp => "SECOND_FACTOR_TYPE_OTP",
                SecondFactor::U2f => "SECOND_FACTOR_TYPE_U2F",
                SecondFactor::OtpEmail => "SECOND_FACTOR_TYPE_OTP_EMAIL",
                SecondFactor::OtpSms => "SECOND_FACTOR_TYPE_OTP_SMS",
            })
            .collect();
        let multi: Vec<&str> = self
            .multi_factors
            .iter()
            .map(|f| match f {
                MultiFactor::U2fWithVerification => "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION",
            })
            .collect();
        json!({
            "allowUsernamePassword": self.allow_username_password,
            "allowRegister": self.allow_register,
            "allowExternalIdp": self.allow_external_idp,
            "forceMfa": self.force_mfa,
            "forceMfaLocalOnly": self.force_mfa_local_only,
            "passwordlessType": match self.passkeys_type {
                PasskeysType::NotAllowed => "PASSWORDLESS_TYPE_NOT_ALLOWED",
                PasskeysType::Allowed => "PASSWORDLESS_TYPE_ALLOWED",
            },
            "hidePasswordReset": self.hide_password_reset,
            "ignoreUnknownUsernames": self.ignore_unknown_usernames,
            "defaultRedirectUri": self.default_redirect_uri,
            "passwordCheckLifetime": duration(self.password_check_lifetime_secs),
            "externalLoginCheckLifetime": duration(self.external_login_check_lifetime_secs),
            "mfaInitSkipLifetime": duration(self.mfa_init_skip_lifetime_secs),
            "secondFactorCheckLifetime": duration(self.second_factor_check_lifetime_secs),
            "multiFactorCheckLifetime": duration(self.multi_factor_check_lifetime_secs),
            "secondFactors": second,
            "multiFactors": multi,
            "idps": [],
            "allowDomainDiscovery": self.allow_domain_discovery,
            "disableLoginWithEmail": self.disable_login_with_email,
            "disableLoginWithPhone": self.disable_login_with_phone,
        })
    }
}

impl V1Fields for PasswordComplexityPolicy {
    fn v1(&self) -> Value {
        json!({
            "minLength": self.min_length.to_string(),
            "hasUppercase": self.has_uppercase,
            "hasLowercase": self.has_lowercase,
            "hasNumber": self.has_number,
            "hasSymbol": self.has_symbol,
        })
    }
}

impl V1Fields for PasswordAgePolicy {
    fn v1(&self) -> Value {
        json!({
            "maxAgeDays": self.max_age_days.to_string(),
            "expireWarnDays": self.expire_warn_days.to_string(),
        })
    }
}

impl V1Fields for LockoutPolicy {
    fn v1(&self) -> Value {
        json!({
            "maxPasswordAttempts": self.max_password_attempts.to_string(),
            "maxOtpAttempts": self.max_otp_attempts.to_string(),
        })
    }
}

impl V1Fields for DomainPolicy {
    fn v1(&self) -> Value {
        json!({
            "userLoginMustBeDomain": self.user_login_must_be_domain,
            "validateOrgDomains": self.validate_org_domains,
            "smtpSenderAddressMatchesInstanceDomain":
                self.smtp_sender_address_matches_instance_domain,
        })
    }
}

impl V1Fields for PrivacyPolicy {
    fn v1(&self) -> Value {
        json!({
            "tosLink": self.tos_link,
            "privacyLink": self.privacy_link,
            "helpLink": self.help_link,
            "supportEmail": self.support_email,
            "docsLink": self.docs_link,
            "customLink": self.custom_link,
            "customLinkText": self.custom_link_text,
        })
    }
}

impl V1Fields for LabelPolicy {
    fn v1(&self) -> Value {
        json!({
            "primaryColor": self.primary_color,
            "backgroundColor": self.background_color,
            "warnColor": self.warn_color,
            "fontColor": self.font_color,
            "primaryColorDark": self.primary_color_dark,
            "backgroundColorDark": self.background_color_dark,
            "warnColorDark": self.warn_color_dark,
            "fontColorDark": self.font_color_dark,
            "hideLoginNameSuffix": self.hide_login_name_suffix,
            "disableWatermark": self.disable_watermark,
            "themeMode": match self.theme_mode {
                ThemeMode::Auto => "THEME_MODE_AUTO",
                ThemeMode::Light => "THEME_MODE_LIGHT",
                ThemeMode::Dark => "THEME_MODE_DARK",
            },
        })
    }
}

fn respond<P: V1Fields>(view: &EffectiveView<P>, org_level: bool) -> Value {
    let mut policy = view.policy.v1();
    let is_default = view.source != SourceLevel::Org;
    if let Value::Object(map) = &mut policy {
        let mut details = serde_json::Map::new();
        if view.sequence > 0 {
            details.insert("sequence".into(), json!(view.sequence.to_string()));
        }
        if let Some(changed) = view
            .changed
            .and_then(|at| serde_json::to_value(timestamp(at)).ok())
        {
            details.insert("changeDate".into(), changed);
        }
        details.insert("resourceOwner".into(), json!(view.owner_id));
        map.insert("details".into(), Value::Object(details));
        map.insert("isDefault".into(), json!(is_default));
    }
    if org_level {
        json!({"policy": policy, "isDefault": is_default})
    } else {
        json!({"policy": policy})
    }
}

/// admin v1 `Get…Policy`: the instance's default.
pub async fn get_instance<P: V1Fields>(
    state: AppState,
    caller: Caller,
    _request: ResetRequest,
) -> Result<Value, DomainError> {
    let view = resolve::<P>(state.store(), &caller.instance.id, None)
        .await
        .map_err(read_error)?;
    Ok(respond(&view, false))
}

/// management v1 `Get…Policy`: the org's effective policy.
pub async fn get_org<P: V1Fields>(
    state: AppState,
    caller: Caller,
    _request: ResetRequest,
) -> Result<Value, DomainError> {
    let org_id = caller.target_org().to_owned();
    require_org_exists(&state, &caller, &org_id).await?;
    let view = resolve::<P>(state.store(), &caller.instance.id, Some(&org_id))
        .await
        .map_err(read_error)?;
    Ok(respond(&view, true))
}
