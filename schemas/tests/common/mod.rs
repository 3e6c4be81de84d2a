//! Samples of every event variant, shared by the test crates.
#![allow(dead_code)]

use std::collections::BTreeMap;

use castellan_core::administrator::AdministratorEvent;
use castellan_core::authorization::AuthorizationEvent;
use castellan_core::clock::Timestamp;
use castellan_core::event::{self, EventPayload};
use castellan_core::instance::InstanceEvent;
use castellan_core::oidc::auth_request::{AuthRequestEvent, AuthRequestParams, Authentication};
use castellan_core::oidc::device::DeviceEvent;
use castellan_core::oidc::grant::{Actor, GrantEvent, NewGrant};
use castellan_core::oidc::pkce::CodeChallenge;
use castellan_core::org::{DomainValidationType, OrgEvent};
use castellan_core::project::app::{
    ApiAuthMethod, LoginVersion, OidcAppType, OidcAuthMethod, OidcGrantType, OidcResponseType,
    OidcTokenType,
};
use castellan_core::project::{
    ApiConfig, AppConfig, OidcConfig, PrivateLabeling, ProjectEvent, ProjectSettings, SamlConfig,
};
use castellan_core::session::SessionEvent;
use castellan_core::settings::{
    DomainPolicy, Features, ImprovedPerformance, LabelPolicy, LockoutPolicy, LoginPolicy, LoginV2,
    PasskeysType, PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy, SecondFactor,
    SecurityPolicy, SettingsEvent, ThemeMode,
};
use castellan_core::user::{CodePurpose, HumanProfile, UserEvent};
use castellan_core::web_key::{WebKeyAlgorithm, WebKeyEvent};
use castellan_core::{Event, Position};
use serde_json::json;

mod group;
#[allow(unused_imports)] // not every test crate uses the group samples
pub use group::*;
mod sink;
#[allow(unused_imports)] // not every test crate uses the sink samples
pub use sink::*;

/// Samples of every `OrgEvent` variant (some more than once, to cover both sides of an option).
pub fn org_samples() -> Vec<OrgEvent> {
    vec![
        OrgEvent::Added {
            name: "ACME".into(),
        },
        OrgEvent::Changed {
            name: "ACME Corp — Ünïcode".into(),
        },
        OrgEvent::Deactivated {},
        OrgEvent::Reactivated {},
        OrgEvent::Removed {
            name: "ACME Corp".into(),
        },
        OrgEvent::DomainAdded {
            domain: "acme.example.com".into(),
        },
        OrgEvent::DomainVerificationAdded {
            domain: "acme.example.com".into(),
            validation_type: DomainValidationType::Http,
            token: "tok-http".into(),
        },
        OrgEvent::DomainVerificationAdded {
            domain: "acme.example.com".into(),
            validation_type: DomainValidationType::Dns,
            token: "tok-dns".into(),
        },
        OrgEvent::DomainVerificationFailed {
            domain: "acme.example.com".into(),
        },
        OrgEvent::DomainVerified {
            domain: "acme.example.com".into(),
        },
        OrgEvent::DomainPrimarySet {
            domain: "acme.example.com".into(),
        },
        OrgEvent::DomainRemoved {
            domain: "old.example.com".into(),
            was_verified: true,
        },
        OrgEvent::DomainRemoved {
            domain: "new.example.com".into(),
            was_verified: false,
        },
        OrgEvent::MetadataSet {
            key: "tier".into(),
            value: "Z29sZA==".into(),
        },
        OrgEvent::MetadataRemoved { key: "tier".into() },
        OrgEvent::MemberAdded {
            user_id: "u-1".into(),
            roles: vec!["ORG_OWNER".into(), "ORG_OWNER_VIEWER".into()],
        },
        OrgEvent::MemberAdded {
            user_id: "u-2".into(),
            roles: vec![],
        },
        OrgEvent::MemberChanged {
            user_id: "u-1".into(),
            roles: vec!["ORG_USER_MANAGER".into()],
        },
        OrgEvent::MemberRemoved {
            user_id: "u-1".into(),
        },
    ]
}

/// Exhaustive: a new `OrgEvent` variant does not compile until it has an arm here, naming the
/// Avro record that carries it (and the tests then want a sample and a schema for it).
pub fn org_record(event: &OrgEvent) -> &'static str {
    match event {
        OrgEvent::Added { .. } => "castellan.events.org.Added",
        OrgEvent::Changed { .. } => "castellan.events.org.Changed",
        OrgEvent::Deactivated {} => "castellan.events.org.Deactivated",
        OrgEvent::Reactivated {} => "castellan.events.org.Reactivated",
        OrgEvent::Removed { .. } => "castellan.events.org.Removed",
        OrgEvent::DomainAdded { .. } => "castellan.events.org.DomainAdded",
        OrgEvent::DomainVerificationAdded { .. } => "castellan.events.org.DomainVerificationAdded",
        OrgEvent::DomainVerificationFailed { .. } => {
            "castellan.events.org.DomainVerificationFailed"
        }
        OrgEvent::DomainVerified { .. } => "castellan.events.org.DomainVerified",
        OrgEvent::DomainPrimarySet { .. } => "castellan.events.org.DomainPrimarySet",
        OrgEvent::DomainRemoved { .. } => "castellan.events.org.DomainRemoved",
        OrgEvent::MetadataSet { .. } => "castellan.events.org.MetadataSet",
        OrgEvent::MetadataRemoved { .. } => "castellan.events.org.MetadataRemoved",
        OrgEvent::MemberAdded { .. } => "castellan.events.org.MemberAdded",
        OrgEvent::MemberChanged { .. } => "castellan.events.org.MemberChanged",
        OrgEvent::MemberRemoved { .. } => "castellan.events.org.MemberRemoved",
    }
}

pub fn user_samples() -> Vec<UserEvent> {
    vec![
        UserEvent::HumanAdded {
            username: "ada".into(),
            profile: HumanProfile {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                display_name: "Ada Lovelace".into(),
                nick_name: "countess".into(),
                preferred_language: "en".into(),
            },
            email: "ada@example.com".into(),
            email_verified: true,
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            password_change_required: false,
        },
        UserEvent::HumanAdded {
            username: "grace".into(),
            profile: HumanProfile {
                given_name: "Grace".into(),
                family_name: "Hopper".into(),
                ..HumanProfile::default()
            },
            email: "grace@example.com".into(),
            email_verified: false,
            password_hash: None,
            password_change_required: true,
        },
        UserEvent::MachineAdded {
            username: "robot".into(),
            name: "Robot".into(),
            description: String::new(),
        },
        UserEvent::PersonalAccessTokenAdded {
            token_id: "t-1".into(),
            token_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            expiration: Some(Timestamp(1_893_456_000_000_000)),
        },
        UserEvent::PersonalAccessTokenAdded {
            token_id: "t-2".into(),
            token_hash: "00".into(),
            expiration: None,
        },
        UserEvent::PersonalAccessTokenRemoved {
            token_id: "t-1".into(),
            token_hash: "00".into(),
        },
        UserEvent::UsernameOrgScoped {
            org_id: "o-1".into(),
        },
        UserEvent::UsernameChanged {
            username: "lovelace".into(),
            old_username: "ada".into(),
        },
        UserEvent::ProfileChanged {
            profile: HumanProfile {
                given_name: "Augusta".into(),
                family_name: "King".into(),
                display_name: "Augusta King".into(),
                nick_name: String::new(),
                preferred_language: "en".into(),
            },
        },
        UserEvent::EmailChanged {
            email: "augusta@example.com".into(),
        },
        UserEvent::EmailVerified {},
        UserEvent::PhoneChanged {
            phone: "+41791234567".into(),
        },
        UserEvent::PhoneVerified {},
        UserEvent::PhoneRemoved {},
        UserEvent::CodeAdded {
            purpose: CodePurpose::PasswordReset,
            code_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            expires_at: Timestamp(1_893_456_000_000_000),
            returned: true,
            sealed_code: None,
            url_template: None,
        },
        UserEvent::CodeAdded {
            purpose: CodePurpose::Invite,
            code_hash: "h".into(),
            expires_at: Timestamp(1),
            returned: false,
            sealed_code: Some("sealed".into()),
            url_template: Some("https://app.example.com/reset?code={{.Code}}".into()),
        },
        UserEvent::InviteCodeVerified {},
        UserEvent::PasswordChanged {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            change_required: true,
        },
        UserEvent::PasswordCheckSucceeded {},
        UserEvent::PasswordCheckFailed {},
        UserEvent::PasswordHashUpdated {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA".into(),
        },
        UserEvent::OtpAdded {
            sealed_secret: "v1.bm9uY2U.Y2lwaGVydGV4dA".into(),
        },
        UserEvent::OtpVerified {},
        UserEvent::OtpCheckSucceeded { step: 59_062_298 },
        UserEvent::OtpCheckFailed {},
        UserEvent::OtpRemoved {},
        UserEvent::MachineChanged {
            name: "Robot".into(),
            description: "deploys".into(),
            jwt_access_token: false,
        },
        UserEvent::SecretSet {
            secret_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        },
        UserEvent::SecretRemoved {},
        UserEvent::KeyAdded {
            key_id: "k-1".into(),
            public_key: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
            expiration: Timestamp(253_402_300_799_000_000),
        },
        UserEvent::KeyRemoved {
            key_id: "k-1".into(),
        },
        UserEvent::Deactivated {},
        UserEvent::Reactivated {},
        UserEvent::Locked {},
        UserEvent::Unlocked {},
        UserEvent::Removed {
            username: "ada".into(),
        },
        UserEvent::MetadataSet {
            key: "team".into(),
            value: "bmF2eQ==".into(),
        },
        UserEvent::MetadataRemoved { key: "team".into() },
    ]
}

/// Exhaustive over `UserEvent`; see [`org_record`].
pub fn user_record(event: &UserEvent) -> &'static str {
    match event {
        UserEvent::HumanAdded { .. } => "castellan.events.user.HumanAdded",
        UserEvent::MachineAdded { .. } => "castellan.events.user.MachineAdded",
        UserEvent::PersonalAccessTokenAdded { .. } => {
            "castellan.events.user.PersonalAccessTokenAdded"
        }
        UserEvent::PersonalAccessTokenRemoved { .. } => {
            "castellan.events.user.PersonalAccessTokenRemoved"
        }
        UserEvent::UsernameChanged { .. } => "castellan.events.user.UsernameChanged",
        UserEvent::UsernameOrgScoped { .. } => "castellan.events.user.UsernameOrgScoped",
        UserEvent::ProfileChanged { .. } => "castellan.events.user.ProfileChanged",
        UserEvent::EmailChanged { .. } => "castellan.events.user.EmailChanged",
        UserEvent::EmailVerified {} => "castellan.events.user.EmailVerified",
        UserEvent::PhoneChanged { .. } => "castellan.events.user.PhoneChanged",
        UserEvent::PhoneVerified {} => "castellan.events.user.PhoneVerified",
        UserEvent::PhoneRemoved {} => "castellan.events.user.PhoneRemoved",
        UserEvent::CodeAdded { .. } => "castellan.events.user.CodeAdded",
        UserEvent::InviteCodeVerified {} => "castellan.events.user.InviteCodeVerified",
        UserEvent::PasswordChanged { .. } => "castellan.events.user.PasswordChanged",
        UserEvent::PasswordCheckSucceeded {} => "castellan.events.user.PasswordCheckSucceeded",
        UserEvent::PasswordCheckFailed {} => "castellan.events.user.PasswordCheckFailed",
        UserEvent::PasswordHashUpdated { .. } => "castellan.events.user.PasswordHashUpdated",
        UserEvent::OtpAdded { .. } => "castellan.events.user.OtpAdded",
        UserEvent::OtpVerified {} => "castellan.events.user.OtpVerified",
        UserEvent::OtpRemoved {} => "castellan.events.user.OtpRemoved",
        UserEvent::OtpCheckSucceeded { .. } => "castellan.events.user.OtpCheckSucceeded",
        UserEvent::OtpCheckFailed {} => "castellan.events.user.OtpCheckFailed",
        UserEvent::MachineChanged { .. } => "castellan.events.user.MachineChanged",
        UserEvent::SecretSet { .. } => "castellan.events.user.SecretSet",
        UserEvent::SecretRemoved {} => "castellan.events.user.SecretRemoved",
        UserEvent::KeyAdded { .. } => "castellan.events.user.KeyAdded",
        UserEvent::KeyRemoved { .. } => "castellan.events.user.KeyRemoved",
        UserEvent::Deactivated {} => "castellan.events.user.Deactivated",
        UserEvent::Reactivated {} => "castellan.events.user.Reactivated",
        UserEvent::Locked {} => "castellan.events.user.Locked",
        UserEvent::Unlocked {} => "castellan.events.user.Unlocked",
        UserEvent::Removed { .. } => "castellan.events.user.Removed",
        UserEvent::MetadataSet { .. } => "castellan.events.user.MetadataSet",
        UserEvent::MetadataRemoved { .. } => "castellan.events.user.MetadataRemoved",
    }
}

pub fn instance_samples() -> Vec<InstanceEvent> {
    vec![
        InstanceEvent::Added {
            name: "Castellan".into(),
        },
        InstanceEvent::DomainAdded {
            domain: "localhost".into(),
            generated: true,
        },
        InstanceEvent::DomainAdded {
            domain: "id.example.com".into(),
            generated: false,
        },
        InstanceEvent::DefaultOrgSet {
            org_id: "o-1".into(),
        },
        InstanceEvent::MemberAdded {
            user_id: "u-1".into(),
            roles: vec!["IAM_OWNER".into()],
        },
        InstanceEvent::Changed {
            name: "Renamed".into(),
        },
        InstanceEvent::DomainRemoved {
            domain: "id.example.com".into(),
        },
        InstanceEvent::TrustedDomainAdded {
            domain: "login.example.com".into(),
        },
        InstanceEvent::TrustedDomainRemoved {
            domain: "login.example.com".into(),
        },
        InstanceEvent::MemberChanged {
            user_id: "u-2".into(),
            roles: vec!["IAM_OWNER_VIEWER".into(), "IAM_ORG_MANAGER".into()],
        },
        InstanceEvent::MemberRemoved {
            user_id: "u-2".into(),
        },
    ]
}

/// Exhaustive over `InstanceEvent`; see [`org_record`].
pub fn instance_record(event: &InstanceEvent) -> &'static str {
    match event {
        InstanceEvent::Added { .. } => "castellan.events.instance.Added",
        InstanceEvent::DomainAdded { .. } => "castellan.events.instance.DomainAdded",
        InstanceEvent::DefaultOrgSet { .. } => "castellan.events.instance.DefaultOrgSet",
        InstanceEvent::MemberAdded { .. } => "castellan.events.instance.MemberAdded",
        InstanceEvent::Changed { .. } => "castellan.events.instance.Changed",
        InstanceEvent::DomainRemoved { .. } => "castellan.events.instance.DomainRemoved",
        InstanceEvent::TrustedDomainAdded { .. } => "castellan.events.instance.TrustedDomainAdded",
        InstanceEvent::TrustedDomainRemoved { .. } => {
            "castellan.events.instance.TrustedDomainRemoved"
        }
        InstanceEvent::MemberChanged { .. } => "castellan.events.instance.MemberChanged",
        InstanceEvent::MemberRemoved { .. } => "castellan.events.instance.MemberRemoved",
    }
}

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

fn project_settings(name: &str) -> ProjectSettings {
    ProjectSettings {
        name: name.into(),
        project_role_assertion: true,
        authorization_required: false,
        project_access_required: true,
        private_labeling_setting: PrivateLabeling::EnforceProjectResourceOwnerPolicy,
    }
}

fn oidc_config() -> AppConfig {
    AppConfig {
        oidc: Some(OidcConfig {
            client_id: "a-1@shop".into(),
            redirect_uris: vec!["https://shop.test/cb".into()],
            response_types: vec![OidcResponseType::Code, OidcResponseType::IdToken],
            grant_types: vec![OidcGrantType::AuthorizationCode, OidcGrantType::Implicit],
            app_type: OidcAppType::Web,
            auth_method: OidcAuthMethod::Basic,
            post_logout_redirect_uris: vec!["https://shop.test/bye".into()],
            dev_mode: false,
            access_token_type: OidcTokenType::Jwt,
            access_token_role_assertion: true,
            id_token_role_assertion: false,
            id_token_userinfo_assertion: true,
            clock_skew_micros: 3_000_000,
            additional_origins: vec!["https://cdn.shop.test".into()],
            skip_native_app_success_page: false,
            back_channel_logout_uri: String::new(),
            login_version: LoginVersion::V2,
            login_base_uri: "https://login.shop.test".into(),
        }),
        ..AppConfig::default()
    }
}

/// Samples of every `ProjectEvent` variant, with each kind of application configuration.
pub fn project_samples() -> Vec<ProjectEvent> {
    vec![
        ProjectEvent::Added(project_settings("Shop")),
        ProjectEvent::Changed {
            settings: project_settings("Store"),
            previous_name: "Shop".into(),
        },
        ProjectEvent::Deactivated {},
        ProjectEvent::Reactivated {},
        ProjectEvent::RoleAdded {
            key: "admin".into(),
            display_name: "Administrator".into(),
            group: "staff".into(),
        },
        ProjectEvent::RoleChanged {
            key: "admin".into(),
            display_name: "Admin".into(),
            group: String::new(),
        },
        ProjectEvent::RoleRemoved {
            key: "admin".into(),
        },
        ProjectEvent::ApplicationAdded {
            app_id: "a-1".into(),
            name: "Web".into(),
            config: oidc_config(),
            secret_hash: Some("ab".repeat(32)),
        },
        ProjectEvent::ApplicationAdded {
            app_id: "a-2".into(),
            name: "API".into(),
            config: AppConfig {
                api: Some(ApiConfig {
                    client_id: "a-2@shop".into(),
                    auth_method: ApiAuthMethod::PrivateKeyJwt,
                }),
                ..AppConfig::default()
            },
            secret_hash: None,
        },
        ProjectEvent::ApplicationChanged {
            app_id: "a-3".into(),
            name: "SAML".into(),
            config: AppConfig {
                saml: Some(SamlConfig {
                    metadata_xml: r#"<EntityDescriptor entityID="https://sp.test"/>"#.into(),
                    entity_id: "https://sp.test".into(),
                    login_version: LoginVersion::Unspecified,
                    login_base_uri: String::new(),
                }),
                ..AppConfig::default()
            },
        },
        ProjectEvent::ApplicationDeactivated {
            app_id: "a-1".into(),
        },
        ProjectEvent::ApplicationReactivated {
            app_id: "a-1".into(),
        },
        ProjectEvent::ApplicationSecretChanged {
            app_id: "a-1".into(),
            secret_hash: "cd".repeat(32),
        },
        ProjectEvent::ApplicationKeyAdded {
            app_id: "a-2".into(),
            key_id: "k-1".into(),
            public_key: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
            expiration: Some(Timestamp(1_900_000_000_000_000)),
        },
        ProjectEvent::ApplicationKeyAdded {
            app_id: "a-2".into(),
            key_id: "k-2".into(),
            public_key: "-----BEGIN PUBLIC KEY-----\nMIIC\n-----END PUBLIC KEY-----\n".into(),
            expiration: None,
        },
        ProjectEvent::ApplicationKeyRemoved {
            app_id: "a-2".into(),
            key_id: "k-1".into(),
        },
        ProjectEvent::ApplicationRemoved {
            app_id: "a-1".into(),
            client_id: "a-1@shop".into(),
        },
        ProjectEvent::GrantAdded {
            grant_id: "g-1".into(),
            granted_org_id: "o-2".into(),
            role_keys: vec!["admin".into(), "viewer".into()],
        },
        ProjectEvent::GrantChanged {
            grant_id: "g-1".into(),
            role_keys: vec![],
        },
        ProjectEvent::GrantDeactivated {
            grant_id: "g-1".into(),
        },
        ProjectEvent::GrantReactivated {
            grant_id: "g-1".into(),
        },
        ProjectEvent::GrantRemoved {
            grant_id: "g-1".into(),
            granted_org_id: "o-2".into(),
        },
        ProjectEvent::Removed {
            name: "Store".into(),
        },
    ]
}

pub fn authorization_samples() -> Vec<AuthorizationEvent> {
    vec![
        AuthorizationEvent::Added {
            user_id: "u-1".into(),
            project_id: "p-1".into(),
            org_id: "o-1".into(),
            project_grant_id: None,
            role_keys: vec!["admin".into(), "viewer".into()],
        },
        AuthorizationEvent::Added {
            user_id: "u-2".into(),
            project_id: "p-1".into(),
            org_id: "o-2".into(),
            project_grant_id: Some("g-1".into()),
            role_keys: vec![],
        },
        AuthorizationEvent::Changed {
            role_keys: vec!["viewer".into()],
        },
        AuthorizationEvent::Deactivated {},
        AuthorizationEvent::Reactivated {},
        AuthorizationEvent::Removed {
            user_id: "u-1".into(),
            project_id: "p-1".into(),
            org_id: "o-1".into(),
        },
    ]
}

/// Exhaustive over `ProjectEvent`; see [`org_record`].
pub fn project_record(event: &ProjectEvent) -> &'static str {
    match event {
        ProjectEvent::Added(_) => "castellan.events.project.Added",
        ProjectEvent::Changed { .. } => "castellan.events.project.Changed",
        ProjectEvent::Deactivated {} => "castellan.events.project.Deactivated",
        ProjectEvent::Reactivated {} => "castellan.events.project.Reactivated",
        ProjectEvent::Removed { .. } => "castellan.events.project.Removed",
        ProjectEvent::RoleAdded { .. } => "castellan.events.project.RoleAdded",
        ProjectEvent::RoleChanged { .. } => "castellan.events.project.RoleChanged",
        ProjectEvent::RoleRemoved { .. } => "castellan.events.project.RoleRemoved",
        ProjectEvent::ApplicationAdded { .. } => "castellan.events.project.ApplicationAdded",
        ProjectEvent::ApplicationChanged { .. } => "castellan.events.project.ApplicationChanged",
        ProjectEvent::ApplicationDeactivated { .. } => {
            "castellan.events.project.ApplicationDeactivated"
        }
        ProjectEvent::ApplicationReactivated { .. } => {
            "castellan.events.project.ApplicationReactivated"
        }
        ProjectEvent::ApplicationRemoved { .. } => "castellan.events.project.ApplicationRemoved",
        ProjectEvent::ApplicationSecretChanged { .. } => {
            "castellan.events.project.ApplicationSecretChanged"
        }
        ProjectEvent::ApplicationKeyAdded { .. } => "castellan.events.project.ApplicationKeyAdded",
        ProjectEvent::ApplicationKeyRemoved { .. } => {
            "castellan.events.project.ApplicationKeyRemoved"
        }
        ProjectEvent::GrantAdded { .. } => "castellan.events.project.GrantAdded",
        ProjectEvent::GrantChanged { .. } => "castellan.events.project.GrantChanged",
        ProjectEvent::GrantDeactivated { .. } => "castellan.events.project.GrantDeactivated",
        ProjectEvent::GrantReactivated { .. } => "castellan.events.project.GrantReactivated",
        ProjectEvent::GrantRemoved { .. } => "castellan.events.project.GrantRemoved",
    }
}

/// Exhaustive over `AuthorizationEvent`; see [`org_record`].
pub fn authorization_record(event: &AuthorizationEvent) -> &'static str {
    match event {
        AuthorizationEvent::Added { .. } => "castellan.events.authorization.Added",
        AuthorizationEvent::Changed { .. } => "castellan.events.authorization.Changed",
        AuthorizationEvent::Deactivated {} => "castellan.events.authorization.Deactivated",
        AuthorizationEvent::Reactivated {} => "castellan.events.authorization.Reactivated",
        AuthorizationEvent::Removed { .. } => "castellan.events.authorization.Removed",
    }
}

pub fn administrator_samples() -> Vec<AdministratorEvent> {
    vec![
        AdministratorEvent::Added {
            project_id: "p-1".into(),
            project_grant_id: None,
            user_id: "u-1".into(),
            roles: vec!["PROJECT_OWNER".into()],
        },
        AdministratorEvent::Added {
            project_id: "p-1".into(),
            project_grant_id: Some("g-1".into()),
            user_id: "u-2".into(),
            roles: vec!["PROJECT_GRANT_OWNER".into()],
        },
        AdministratorEvent::Changed {
            project_id: "p-1".into(),
            project_grant_id: None,
            user_id: "u-1".into(),
            roles: vec!["PROJECT_OWNER_VIEWER".into()],
        },
        AdministratorEvent::Removed {
            project_id: "p-1".into(),
            project_grant_id: Some("g-1".into()),
            user_id: "u-2".into(),
        },
    ]
}

/// Exhaustive over `AdministratorEvent`; see [`org_record`].
pub fn administrator_record(event: &AdministratorEvent) -> &'static str {
    match event {
        AdministratorEvent::Added { .. } => "castellan.events.administrator.Added",
        AdministratorEvent::Changed { .. } => "castellan.events.administrator.Changed",
        AdministratorEvent::Removed { .. } => "castellan.events.administrator.Removed",
    }
}

pub fn session_samples() -> Vec<SessionEvent> {
    vec![
        SessionEvent::Added {
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
            ip: Some("2001:db8::1".into()),
        },
        SessionEvent::Added {
            user_agent: None,
            ip: None,
        },
        SessionEvent::UserChecked {
            user_id: "u-1".into(),
            org_id: "o-1".into(),
            checked_at: Timestamp(1_714_000_000_000_001),
        },
        SessionEvent::PasswordChecked {
            checked_at: Timestamp(1_714_000_000_000_002),
        },
        SessionEvent::TotpChecked {
            checked_at: Timestamp(1_714_000_000_000_003),
        },
        SessionEvent::TokenSet {
            token_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        },
        SessionEvent::MetadataSet {
            metadata: BTreeMap::from([
                ("device".into(), "bGFwdG9w".into()),
                ("gone".into(), String::new()),
            ]),
        },
        SessionEvent::MetadataSet {
            metadata: BTreeMap::new(),
        },
        SessionEvent::LifetimeSet {
            expiration: Timestamp(1_714_086_400_000_000),
        },
        SessionEvent::Terminated {},
    ]
}

/// Exhaustive over `SessionEvent`; see [`org_record`].
pub fn session_record(event: &SessionEvent) -> &'static str {
    match event {
        SessionEvent::Added { .. } => "castellan.events.session.Added",
        SessionEvent::UserChecked { .. } => "castellan.events.session.UserChecked",
        SessionEvent::PasswordChecked { .. } => "castellan.events.session.PasswordChecked",
        SessionEvent::TotpChecked { .. } => "castellan.events.session.TotpChecked",
        SessionEvent::TokenSet { .. } => "castellan.events.session.TokenSet",
        SessionEvent::MetadataSet { .. } => "castellan.events.session.MetadataSet",
        SessionEvent::LifetimeSet { .. } => "castellan.events.session.LifetimeSet",
        SessionEvent::Terminated {} => "castellan.events.session.Terminated",
    }
}

fn authentication() -> Authentication {
    Authentication {
        session_id: "s-1".into(),
        user_id: "u-1".into(),
        org_id: "o-1".into(),
        auth_time: Timestamp(1_714_000_000_000_002),
        amr: vec!["pwd".into(), "otp".into(), "mfa".into()],
    }
}

pub fn auth_request_samples() -> Vec<AuthRequestEvent> {
    vec![
        AuthRequestEvent::Added {
            params: Box::new(AuthRequestParams {
                client_id: "a-1@shop".into(),
                redirect_uri: "https://shop.test/cb".into(),
                scopes: vec!["openid".into(), "profile".into(), "offline_access".into()],
                response_type: "code".into(),
                response_mode: "query".into(),
                state: Some("xyz".into()),
                nonce: Some("n-0S6_WzA2Mj".into()),
                code_challenge: Some(CodeChallenge {
                    challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
                    method: "S256".into(),
                }),
                prompt: vec!["login".into(), "consent".into()],
                ui_locales: vec!["de-CH".into(), "en".into()],
                max_age: Some(3600),
                login_hint: Some("ada@example.com".into()),
                hint_user_id: Some("u-1".into()),
                issuer: Some("https://id.shop.test".into()),
            }),
            expires_at: Timestamp(1_714_001_800_123_456),
        },
        AuthRequestEvent::Added {
            params: Box::new(AuthRequestParams {
                client_id: "a-2@shop".into(),
                redirect_uri: "https://spa.test/cb".into(),
                scopes: vec![],
                response_type: "id_token token".into(),
                response_mode: "fragment".into(),
                ..AuthRequestParams::default()
            }),
            expires_at: Timestamp(1),
        },
        AuthRequestEvent::Succeeded {
            authentication: authentication(),
            code_hash: Some(
                "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".into(),
            ),
        },
        AuthRequestEvent::Succeeded {
            authentication: Authentication {
                amr: vec![],
                ..authentication()
            },
            code_hash: None,
        },
        AuthRequestEvent::Failed {
            reason: "access_denied".into(),
        },
        AuthRequestEvent::CodeExchanged {
            grant_id: "g-1".into(),
        },
    ]
}

/// Exhaustive over `AuthRequestEvent`; see [`org_record`].
pub fn auth_request_record(event: &AuthRequestEvent) -> &'static str {
    match event {
        AuthRequestEvent::Added { .. } => "castellan.events.auth_request.Added",
        AuthRequestEvent::Succeeded { .. } => "castellan.events.auth_request.Succeeded",
        AuthRequestEvent::Failed { .. } => "castellan.events.auth_request.Failed",
        AuthRequestEvent::CodeExchanged { .. } => "castellan.events.auth_request.CodeExchanged",
    }
}

pub fn grant_samples() -> Vec<GrantEvent> {
    vec![
        GrantEvent::Added {
            grant: Box::new(NewGrant {
                user_id: "u-1".into(),
                org_id: "o-1".into(),
                client_id: "a-1@shop".into(),
                grant_type: "token_exchange".into(),
                scopes: vec!["openid".into(), "offline_access".into()],
                audience: vec!["a-1@shop".into(), "p-1".into()],
                session_id: Some("s-1".into()),
                auth_request_id: Some("ar-1".into()),
                auth_time: Some(Timestamp(1_714_000_000_000_002)),
                amr: vec!["pwd".into()],
                nonce: Some("n-0S6_WzA2Mj".into()),
                actor: Some(Actor {
                    subject: "u-admin".into(),
                    issuer: "https://id.example.com".into(),
                }),
            }),
        },
        GrantEvent::Added {
            grant: Box::new(NewGrant {
                user_id: "u-robot".into(),
                org_id: "o-1".into(),
                client_id: "robot".into(),
                grant_type: "client_credentials".into(),
                scopes: vec![],
                audience: vec![],
                ..NewGrant::default()
            }),
        },
        GrantEvent::AccessTokenAdded {
            token_id: "at-1".into(),
            token_hash: Some(
                "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9".into(),
            ),
            scopes: vec!["openid".into()],
            expiration: Timestamp(1_714_043_200_000_000),
        },
        GrantEvent::AccessTokenAdded {
            token_id: "at-2".into(),
            token_hash: None,
            scopes: vec![],
            expiration: Timestamp(1_714_043_200_000_000),
        },
        GrantEvent::RefreshTokenAdded {
            token_hash: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb".into(),
            idle_expiration: Timestamp(1_716_592_000_000_000),
            expiration: Timestamp(1_745_536_000_000_000),
        },
        GrantEvent::AccessTokenRevoked {
            token_id: "at-1".into(),
        },
        GrantEvent::Terminated {
            reason: "refresh_token_reused".into(),
        },
        GrantEvent::LogoutRequested {
            uri: "https://rp.example.com/backchannel".into(),
            issuer: "https://id.example.com".into(),
        },
        GrantEvent::LogoutDelivered { attempts: 1 },
        GrantEvent::LogoutFailed {
            attempts: 12,
            error: "connection refused".into(),
        },
    ]
}

/// Exhaustive over `GrantEvent`; see [`org_record`].
pub fn grant_record(event: &GrantEvent) -> &'static str {
    match event {
        GrantEvent::Added { .. } => "castellan.events.oidc_session.Added",
        GrantEvent::AccessTokenAdded { .. } => "castellan.events.oidc_session.AccessTokenAdded",
        GrantEvent::RefreshTokenAdded { .. } => "castellan.events.oidc_session.RefreshTokenAdded",
        GrantEvent::AccessTokenRevoked { .. } => "castellan.events.oidc_session.AccessTokenRevoked",
        GrantEvent::Terminated { .. } => "castellan.events.oidc_session.Terminated",
        GrantEvent::LogoutRequested { .. } => "castellan.events.oidc_session.LogoutRequested",
        GrantEvent::LogoutDelivered { .. } => "castellan.events.oidc_session.LogoutDelivered",
        GrantEvent::LogoutFailed { .. } => "castellan.events.oidc_session.LogoutFailed",
    }
}

pub fn device_samples() -> Vec<DeviceEvent> {
    vec![
        DeviceEvent::Added {
            client_id: "tv@shop".into(),
            device_code_hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
                .into(),
            user_code: "WDJB-MJHT".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            expires_at: Timestamp(1_714_000_300_123_456),
        },
        DeviceEvent::Approved {
            authentication: authentication(),
        },
        DeviceEvent::Denied {},
        DeviceEvent::Done {
            grant_id: "g-2".into(),
        },
    ]
}

/// Exhaustive over `DeviceEvent`; see [`org_record`].
pub fn device_record(event: &DeviceEvent) -> &'static str {
    match event {
        DeviceEvent::Added { .. } => "castellan.events.device_authorization.Added",
        DeviceEvent::Approved { .. } => "castellan.events.device_authorization.Approved",
        DeviceEvent::Denied {} => "castellan.events.device_authorization.Denied",
        DeviceEvent::Done { .. } => "castellan.events.device_authorization.Done",
    }
}

pub fn web_key_samples() -> Vec<WebKeyEvent> {
    vec![
        WebKeyEvent::Added {
            key_id: "wk-1".into(),
            algorithm: WebKeyAlgorithm::Rsa {
                bits: 2048,
                hasher: "sha256".into(),
            },
            public_jwk: json!({
                "kty": "RSA",
                "kid": "wk-1",
                "use": "sig",
                "alg": "RS256",
                "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
                "e": "AQAB",
                // Members Castellan does not write today still round-trip.
                "key_ops": ["verify"],
                "ext": true
            }),
            sealed_private_key: "bm9uY2UxMjM0NTY3OGNpcGhlcnRleHQ=".into(),
        },
        WebKeyEvent::Added {
            key_id: "wk-2".into(),
            algorithm: WebKeyAlgorithm::Ecdsa {
                curve: "p256".into(),
            },
            public_jwk: json!({
                "kty": "EC",
                "kid": "wk-2",
                "use": "sig",
                "alg": "ES256",
                "crv": "P-256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
            }),
            sealed_private_key: "c2VhbGVk".into(),
        },
        WebKeyEvent::Added {
            key_id: "wk-3".into(),
            algorithm: WebKeyAlgorithm::Ed25519,
            public_jwk: json!({
                "kty": "OKP",
                "kid": "wk-3",
                "use": "sig",
                "alg": "EdDSA",
                "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
            }),
            sealed_private_key: "c2VhbGVk".into(),
        },
        WebKeyEvent::Activated {
            key_id: "wk-1".into(),
            previous: None,
        },
        WebKeyEvent::Activated {
            key_id: "wk-2".into(),
            previous: Some("wk-1".into()),
        },
        WebKeyEvent::Removed {
            key_id: "wk-1".into(),
        },
    ]
}

/// Exhaustive over `WebKeyEvent`; see [`org_record`].
pub fn web_key_record(event: &WebKeyEvent) -> &'static str {
    match event {
        WebKeyEvent::Added { .. } => "castellan.events.web_key.Added",
        WebKeyEvent::Activated { .. } => "castellan.events.web_key.Activated",
        WebKeyEvent::Removed { .. } => "castellan.events.web_key.Removed",
    }
}

/// A stored event carrying `typed`, as the ledger would hand it out.
pub fn stored<E: EventPayload>(typed: &E, sequence: i64) -> Event {
    let new = event::encode(typed).unwrap();
    Event {
        instance_id: "inst-1".into(),
        aggregate_type: E::AGGREGATE_TYPE.into(),
        aggregate_id: format!("{}-42", E::AGGREGATE_TYPE),
        sequence,
        event_type: new.event_type,
        revision: new.revision,
        payload: new.payload,
        creator: "u-admin".into(),
        resource_owner: "o-1".into(),
        created_at: Timestamp(1_714_000_000_123_456),
        position: Position(1_000 + sequence),
    }
}

/// Every sample as a stored event, with its expected record name.
pub fn all_samples() -> Vec<(Event, &'static str)> {
    let mut all = Vec::new();
    for (i, e) in org_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), org_record(e)));
    }
    for (i, e) in user_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), user_record(e)));
    }
    for (i, e) in instance_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), instance_record(e)));
    }
    for (i, e) in settings_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), settings_record(e)));
    }
    for (i, e) in project_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), project_record(e)));
    }
    for (i, e) in authorization_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), authorization_record(e)));
    }
    for (i, e) in administrator_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), administrator_record(e)));
    }
    for (i, e) in session_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), session_record(e)));
    }
    for (i, e) in auth_request_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), auth_request_record(e)));
    }
    for (i, e) in grant_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), grant_record(e)));
    }
    for (i, e) in device_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), device_record(e)));
    }
    for (i, e) in web_key_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), web_key_record(e)));
    }
    all
}

/// The event types of an event enum, as serde knows them (from the error of an unknown tag), so
/// a variant without a sample is noticed.
pub fn serde_event_types<E: EventPayload>() -> Vec<String> {
    let probe = serde_json::json!({ "type": "no.such.event", "payload": {} });
    let error = serde_json::from_value::<E>(probe)
        .err()
        .unwrap()
        .to_string();
    let (_, expected) = error.split_once("expected one of").unwrap();
    let mut types: Vec<String> = expected
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_owned())
        .map(|s| s.split('`').next().unwrap().to_owned())
        .collect();
    types.sort();
    types
}
