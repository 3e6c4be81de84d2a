//! Samples of every event variant, shared by the test crates.
#![allow(dead_code)]

use castellan_core::clock::Timestamp;
use castellan_core::event::{self, EventPayload};
use castellan_core::instance::InstanceEvent;
use castellan_core::org::{DomainValidationType, OrgEvent};
use castellan_core::user::{CodePurpose, HumanProfile, UserEvent};
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
        },
        UserEvent::CodeAdded {
            purpose: CodePurpose::Invite,
            code_hash: "h".into(),
            expires_at: Timestamp(1),
            returned: false,
        },
        UserEvent::InviteCodeVerified {},
        UserEvent::PasswordChanged {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            change_required: true,
        },
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
        UserEvent::ProfileChanged { .. } => "castellan.events.user.ProfileChanged",
        UserEvent::EmailChanged { .. } => "castellan.events.user.EmailChanged",
        UserEvent::EmailVerified {} => "castellan.events.user.EmailVerified",
        UserEvent::PhoneChanged { .. } => "castellan.events.user.PhoneChanged",
        UserEvent::PhoneVerified {} => "castellan.events.user.PhoneVerified",
        UserEvent::PhoneRemoved {} => "castellan.events.user.PhoneRemoved",
        UserEvent::CodeAdded { .. } => "castellan.events.user.CodeAdded",
        UserEvent::InviteCodeVerified {} => "castellan.events.user.InviteCodeVerified",
        UserEvent::PasswordChanged { .. } => "castellan.events.user.PasswordChanged",
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
    ]
}

/// Exhaustive over `InstanceEvent`; see [`org_record`].
pub fn instance_record(event: &InstanceEvent) -> &'static str {
    match event {
        InstanceEvent::Added { .. } => "castellan.events.instance.Added",
        InstanceEvent::DomainAdded { .. } => "castellan.events.instance.DomainAdded",
        InstanceEvent::DefaultOrgSet { .. } => "castellan.events.instance.DefaultOrgSet",
        InstanceEvent::MemberAdded { .. } => "castellan.events.instance.MemberAdded",
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
