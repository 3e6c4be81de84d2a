use super::*;
use crate::clock::Timestamp;
use crate::event::Position;

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(0),
        resource_owner: "o".into(),
        position: Position(1),
    }
}

fn applied(decision: Decision<SettingsEvent>, mut state: Settings) -> Settings {
    for event in &decision.events {
        state.apply(event, &meta());
    }
    state
}

#[test]
fn built_in_defaults_are_zitadels() {
    let complexity = effective::<PasswordComplexityPolicy>(None, None);
    assert_eq!(complexity.source, SourceLevel::BuiltIn);
    assert_eq!(complexity.policy.min_length, 8);
    assert!(complexity.policy.has_uppercase && complexity.policy.has_lowercase);
    assert!(complexity.policy.has_number && complexity.policy.has_symbol);
    assert_eq!(
        effective::<PasswordAgePolicy>(None, None).policy,
        PasswordAgePolicy {
            max_age_days: 0,
            expire_warn_days: 0
        }
    );
    assert_eq!(
        effective::<LockoutPolicy>(None, None)
            .policy
            .max_password_attempts,
        0
    );
    let domain = effective::<DomainPolicy>(None, None).policy;
    assert!(!domain.user_login_must_be_domain && !domain.validate_org_domains);
    assert!(domain.smtp_sender_address_matches_instance_domain);
    let login = effective::<LoginPolicy>(None, None).policy;
    assert!(login.allow_username_password && login.allow_register && !login.force_mfa);
    assert_eq!(login.password_check_lifetime_secs, 240 * 3600);
    assert_eq!(login.multi_factor_check_lifetime_secs, 12 * 3600);
}

#[test]
fn an_org_override_wins_over_the_instance_which_wins_over_the_default() {
    let instance = LockoutPolicy {
        max_password_attempts: 5,
        max_otp_attempts: 0,
    };
    let org = LockoutPolicy {
        max_password_attempts: 3,
        max_otp_attempts: 2,
    };
    let resolved = effective(Some(instance.clone()), Some(org.clone()));
    assert_eq!((resolved.policy, resolved.source), (org, SourceLevel::Org));
    let resolved = effective(Some(instance.clone()), None);
    assert_eq!(
        (resolved.policy, resolved.source),
        (instance, SourceLevel::Instance)
    );
}

#[test]
fn security_settings_are_instance_only() {
    let org = SecurityPolicy {
        enable_impersonation: true,
        ..SecurityPolicy::default()
    };
    assert_eq!(
        effective(None, Some(org.clone())).source,
        SourceLevel::BuiltIn
    );
    let error = set(&Settings::default(), Owner::Org, WriteMode::Set, org).unwrap_err();
    assert_eq!(error.kind, crate::ErrorKind::InvalidArgument);
}

#[test]
fn add_update_and_reset_follow_zitadels_rules_on_orgs() {
    let policy = PasswordComplexityPolicy {
        min_length: 12,
        ..PasswordComplexityPolicy::default()
    };
    let empty = Settings::default();
    let error = set(&empty, Owner::Org, WriteMode::Update, policy.clone()).unwrap_err();
    assert_eq!(error.kind, crate::ErrorKind::NotFound);
    let error = reset::<PasswordComplexityPolicy>(&empty).unwrap_err();
    assert_eq!(error.kind, crate::ErrorKind::NotFound);

    let state = applied(
        set(&empty, Owner::Org, WriteMode::Add, policy.clone()).unwrap(),
        empty,
    );
    assert_eq!(state.password_complexity.as_ref(), Some(&policy));
    let error = set(&state, Owner::Org, WriteMode::Add, policy.clone()).unwrap_err();
    assert_eq!(error.kind, crate::ErrorKind::AlreadyExists);
    let error = set(&state, Owner::Org, WriteMode::Update, policy.clone()).unwrap_err();
    assert_eq!(error.kind, crate::ErrorKind::FailedPrecondition);

    let state = applied(reset::<PasswordComplexityPolicy>(&state).unwrap(), state);
    assert_eq!(state.password_complexity, None);
}

#[test]
fn the_instance_can_always_be_updated() {
    let policy = LockoutPolicy {
        max_password_attempts: 4,
        max_otp_attempts: 4,
    };
    let decision = set(
        &Settings::default(),
        Owner::Instance,
        WriteMode::Update,
        policy.clone(),
    )
    .unwrap();
    assert_eq!(decision.events, vec![SettingsEvent::LockoutSet { policy }]);
}

#[test]
fn invalid_policies_are_refused() {
    let zero = PasswordComplexityPolicy {
        min_length: 0,
        ..PasswordComplexityPolicy::default()
    };
    assert!(zero.validate().is_err());
    let huge = PasswordComplexityPolicy {
        min_length: 73,
        ..PasswordComplexityPolicy::default()
    };
    assert!(huge.validate().is_err());
    let negative = LoginPolicy {
        password_check_lifetime_secs: -1,
        ..LoginPolicy::default()
    };
    assert!(negative.validate().is_err());
    let nothing_allowed = LoginPolicy {
        allow_username_password: false,
        allow_external_idp: false,
        ..LoginPolicy::default()
    };
    assert!(nothing_allowed.validate().is_err());
    let twice = LoginPolicy {
        second_factors: vec![SecondFactor::Otp, SecondFactor::Otp],
        ..LoginPolicy::default()
    };
    assert!(twice.validate().is_err());
    let bad_color = LabelPolicy {
        primary_color: "blue".into(),
        ..LabelPolicy::default()
    };
    assert!(bad_color.validate().is_err());
    let bad_email = PrivacyPolicy {
        support_email: "not-an-email".into(),
        ..PrivacyPolicy::default()
    };
    assert!(bad_email.validate().is_err());
    assert!(LabelPolicy::default().validate().is_ok());
    assert!(LoginPolicy::default().validate().is_ok());
}

#[test]
fn passwords_are_checked_against_the_complexity_policy() {
    let policy = PasswordComplexityPolicy::default();
    assert!(policy.check("Password1!").is_ok());
    assert!(policy.check("Pass1!").is_err());
    assert!(policy.check("password1!").is_err());
    assert!(policy.check("Password!!").is_err());
    assert!(policy.check("Password12").is_err());
}

#[test]
fn translations_need_a_locale_and_an_object() {
    let ok = set_translation("de-CH", &serde_json::json!({"login": {"title": "Hallo"}})).unwrap();
    assert_eq!(
        ok.events,
        vec![SettingsEvent::HostedLoginTranslationSet {
            locale: "de-CH".into(),
            translations: r#"{"login":{"title":"Hallo"}}"#.into()
        }]
    );
    assert!(set_translation("", &serde_json::json!({})).is_err());
    assert!(set_translation("de CH", &serde_json::json!({})).is_err());
    assert!(set_translation("en", &serde_json::json!([1])).is_err());
}

#[test]
fn feature_flags_merge_and_reset() {
    let state = Settings::default();
    assert!(set_features(&state, &Features::default()).is_err());
    let first = Features {
        login_default_org: Some(true),
        ..Features::default()
    };
    let state = applied(set_features(&state, &first).unwrap(), state);
    let second = Features {
        user_schema: Some(false),
        login_v2: Some(LoginV2 {
            required: true,
            base_uri: "https://login.example.com".into(),
        }),
        ..Features::default()
    };
    let state = applied(set_features(&state, &second).unwrap(), state);
    let features = state.features.clone().unwrap();
    assert_eq!(features.login_default_org, Some(true));
    assert_eq!(features.user_schema, Some(false));
    assert!(features.login_v2.unwrap().required);
    let bad = Features {
        login_v2: Some(LoginV2 {
            required: false,
            base_uri: "javascript:alert(1)".into(),
        }),
        ..Features::default()
    };
    assert!(set_features(&state, &bad).is_err());
    let state = applied(reset_features(&state), state);
    assert_eq!(state.features, None);
    assert!(reset_features(&state).events.is_empty());
}
