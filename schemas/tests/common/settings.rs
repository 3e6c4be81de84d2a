//! Samples of every `SettingsEvent` variant.

use super::*;

pub fn settings_samples() -> Vec<SettingsEvent> {
    vec![
        SettingsEvent::LoginSet {
            policy: LoginPolicy::default(),
        },
        SettingsEvent::LoginSet {
            policy: LoginPolicy {
                passkeys_type: PasskeysType::NotAllowed,
                second_factors: vec![SecondFactor::OtpEmail, SecondFactor::OtpSms],
                multi_factors: vec![],
                default_redirect_uri: "https://app.example.com".into(),
                ..LoginPolicy::default()
            },
        },
        SettingsEvent::LoginReset {},
        SettingsEvent::PasswordComplexitySet {
            policy: PasswordComplexityPolicy {
                min_length: 12,
                has_symbol: false,
                ..PasswordComplexityPolicy::default()
            },
        },
        SettingsEvent::PasswordComplexityReset {},
        SettingsEvent::PasswordAgeSet {
            policy: PasswordAgePolicy {
                max_age_days: 90,
                expire_warn_days: 10,
            },
        },
        SettingsEvent::PasswordAgeReset {},
        SettingsEvent::LockoutSet {
            policy: LockoutPolicy {
                max_password_attempts: 5,
                max_otp_attempts: 3,
            },
        },
        SettingsEvent::LockoutReset {},
        SettingsEvent::DomainSet {
            policy: DomainPolicy::default(),
        },
        SettingsEvent::DomainReset {},
        SettingsEvent::PrivacySet {
            policy: PrivacyPolicy {
                tos_link: "https://example.com/tos".into(),
                support_email: "help@example.com".into(),
                ..PrivacyPolicy::default()
            },
        },
        SettingsEvent::PrivacyReset {},
        SettingsEvent::LabelSet {
            policy: LabelPolicy {
                theme_mode: ThemeMode::Dark,
                ..LabelPolicy::default()
            },
        },
        SettingsEvent::LabelReset {},
        SettingsEvent::SecuritySet {
            policy: SecurityPolicy {
                embedded_iframe_enabled: true,
                allowed_origins: vec!["https://app.example.com".into()],
                enable_impersonation: true,
            },
        },
        SettingsEvent::FeaturesSet {
            features: Features {
                login_default_org: Some(true),
                improved_performance: Some(vec![ImprovedPerformance::Project]),
                login_v2: Some(LoginV2 {
                    required: true,
                    base_uri: "https://login.example.com".into(),
                }),
                ..Features::default()
            },
        },
        SettingsEvent::FeaturesSet {
            features: Features::default(),
        },
        SettingsEvent::FeaturesReset {},
        SettingsEvent::HostedLoginTranslationSet {
            locale: "de-CH".into(),
            translations: r#"{"login":{"title":"Grüezi"}}"#.into(),
        },
    ]
}

/// Exhaustive over `SettingsEvent`; see [`org_record`].
pub fn settings_record(event: &SettingsEvent) -> &'static str {
    use SettingsEvent as E;
    match event {
        E::LoginSet { .. } => "castellan.events.settings.LoginSet",
        E::LoginReset {} => "castellan.events.settings.LoginReset",
        E::PasswordComplexitySet { .. } => "castellan.events.settings.PasswordComplexitySet",
        E::PasswordComplexityReset {} => "castellan.events.settings.PasswordComplexityReset",
        E::PasswordAgeSet { .. } => "castellan.events.settings.PasswordAgeSet",
        E::PasswordAgeReset {} => "castellan.events.settings.PasswordAgeReset",
        E::LockoutSet { .. } => "castellan.events.settings.LockoutSet",
        E::LockoutReset {} => "castellan.events.settings.LockoutReset",
        E::DomainSet { .. } => "castellan.events.settings.DomainSet",
        E::DomainReset {} => "castellan.events.settings.DomainReset",
        E::PrivacySet { .. } => "castellan.events.settings.PrivacySet",
        E::PrivacyReset {} => "castellan.events.settings.PrivacyReset",
        E::LabelSet { .. } => "castellan.events.settings.LabelSet",
        E::LabelReset {} => "castellan.events.settings.LabelReset",
        E::SecuritySet { .. } => "castellan.events.settings.SecuritySet",
        E::FeaturesSet { .. } => "castellan.events.settings.FeaturesSet",
        E::FeaturesReset {} => "castellan.events.settings.FeaturesReset",
        E::HostedLoginTranslationSet { .. } => {
            "castellan.events.settings.HostedLoginTranslationSet"
        }
    }
}
