//! Samples of every event variant, shared by the test crates.
#![allow(dead_code)]

use castellan_core::clock::Timestamp;
use castellan_core::event::{self, EventPayload};
use castellan_core::instance::InstanceEvent;
use castellan_core::org::{DomainValidationType, OrgEvent};
use castellan_core::settings::{
    DomainPolicy, Features, ImprovedPerformance, LabelPolicy, LockoutPolicy, LoginPolicy, LoginV2,
    PasskeysType, PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy, SecondFactor,
    SecurityPolicy, SettingsEvent, ThemeMode,
};
use castellan_core::user::{HumanProfile, UserEvent};
use castellan_core::{Event, Position};

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
