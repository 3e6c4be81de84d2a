//! Samples of every `OrgEvent`, `UserEvent` and `InstanceEvent` variant.

use super::*;

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
