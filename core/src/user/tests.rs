use super::*;
use crate::event::Decision;

fn human(username: &str, email: &str) -> NewHuman {
    NewHuman {
        username: username.into(),
        profile: HumanProfile {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..HumanProfile::default()
        },
        email: email.into(),
        ..NewHuman::default()
    }
}

fn apply(state: &User, decision: Result<Decision<UserEvent>, crate::DomainError>) -> User {
    state.after(&decision.unwrap())
}

fn ada() -> User {
    apply(
        &User::default(),
        add_human(&User::default(), human("ada", "ada@example.com")),
    )
}

fn robot() -> User {
    apply(
        &User::default(),
        add_machine(&User::default(), "robot", "Robot", ""),
    )
}

#[test]
fn humans_are_validated_and_claim_their_username() {
    let decision = add_human(&User::default(), human("ada", "ada@example.com")).unwrap();
    assert_eq!(decision.claims[0].unique_type, UNIQUE_USERNAME);
    let UserEvent::HumanAdded { profile, .. } = &decision.events[0] else {
        panic!()
    };
    assert_eq!(profile.display_name, "Ada Lovelace");
    let err = |h| add_human(&User::default(), h).unwrap_err().code;
    assert_eq!(err(human("a b", "a@b.c")), "USER-0002");
    assert_eq!(err(human("ada", "nope")), "USER-0003");
    assert_eq!(err(human("ada", "a@b@c.d")), "USER-0003");
    assert_eq!(
        add_human(&ada(), human("x", "x@y.z")).unwrap_err().code,
        "USER-0004"
    );
}

#[test]
fn password_complexity_follows_zitadels_default() {
    assert!(validate_password("Password1!").is_ok());
    for weak in [
        "Pass1!",
        "password1!",
        "PASSWORD1!",
        "Password!!",
        "Password12",
    ] {
        assert_eq!(
            validate_password(weak).unwrap_err().code,
            "USER-0011",
            "{weak}"
        );
    }
}

#[test]
fn phones_are_e164() {
    assert_eq!(validate_phone("+41 79 123 45 67").unwrap(), "+41791234567");
    assert!(validate_phone("0791234567").is_err());
    assert!(validate_phone("+12").is_err());
    assert!(validate_phone("+4179abc").is_err());
}

#[test]
fn the_lifecycle_is_a_state_machine() {
    let user = ada();
    assert_eq!(user.state, UserState::Active);
    assert_eq!(reactivate(&user).unwrap_err().code, "USER-0025");
    assert_eq!(unlock(&user).unwrap_err().code, "USER-0027");
    let inactive = apply(&user, deactivate(&user));
    assert_eq!(inactive.state, UserState::Inactive);
    let again = deactivate(&inactive).unwrap_err();
    assert_eq!(
        (again.kind, again.code),
        (crate::ErrorKind::FailedPrecondition, "USER-0024")
    );
    assert_eq!(lock(&inactive).unwrap_err().code, "USER-0026");
    let active = apply(&inactive, reactivate(&inactive));
    let locked = apply(&active, lock(&active));
    assert_eq!(locked.state, UserState::Locked);
    assert_eq!(lock(&locked).unwrap_err().code, "USER-0026");
    let unlocked = apply(&locked, unlock(&locked));
    assert_eq!(unlocked.state, UserState::Active);
    let removed = remove(&unlocked).unwrap();
    assert_eq!(removed.releases[0].field, "ada");
    let gone = unlocked.after(&removed);
    assert!(!gone.exists());
    assert_eq!(deactivate(&gone).unwrap_err().code, "USER-0010");
    assert_eq!(remove(&gone).unwrap_err().code, "USER-0010");
}

#[test]
fn removing_a_machine_revokes_its_tokens() {
    let now = Timestamp(1_000);
    let machine = robot();
    let machine = apply(
        &machine,
        add_personal_access_token(&machine, "t1".into(), "h1".into(), None, now),
    );
    let decision = remove(&machine).unwrap();
    assert_eq!(
        decision.events[0],
        UserEvent::PersonalAccessTokenRemoved {
            token_id: "t1".into(),
            token_hash: "h1".into()
        }
    );
    assert!(matches!(decision.events[1], UserEvent::Removed { .. }));
}

#[test]
fn renaming_moves_the_claim_unless_only_the_case_changes() {
    let user = ada();
    let renamed = change_username(&user, "lovelace").unwrap();
    assert_eq!(renamed.releases[0].field, "ada");
    assert_eq!(renamed.claims[0].field, "lovelace");
    let recased = change_username(&user, "ADA").unwrap();
    assert!(recased.claims.is_empty() && recased.releases.is_empty());
    assert_eq!(recased.events.len(), 1);
    assert!(change_username(&user, "ada").unwrap().events.is_empty());
}

#[test]
fn only_machines_get_tokens_and_only_for_the_future() {
    let now = Timestamp(1_000);
    assert!(add_personal_access_token(&ada(), "t".into(), "h".into(), None, now).is_err());
    let machine = robot();
    assert!(add_personal_access_token(&machine, "t".into(), "h".into(), None, now).is_ok());
    let past = Some(Timestamp(999));
    assert_eq!(
        add_personal_access_token(&machine, "t".into(), "h".into(), past, now)
            .unwrap_err()
            .code,
        "USER-0008"
    );
    assert_eq!(
        remove_personal_access_token(&machine, "t")
            .unwrap_err()
            .code,
        "USER-0033"
    );
}

#[test]
fn codes_expire_and_must_match() {
    let now = Timestamp(1_000);
    let user = ada();
    assert_eq!(
        verify_code(&user, CodePurpose::Email, true, now)
            .unwrap_err()
            .code,
        "USER-0019"
    );
    let user = apply(
        &user,
        add_code(
            &user,
            CodePurpose::Email,
            "hash".into(),
            CodeDelivery::Sent {
                sealed_code: "sealed".into(),
                url_template: None,
            },
            now,
        ),
    );
    assert_eq!(
        pending_code(&user, CodePurpose::Email, now).unwrap(),
        "hash"
    );
    assert_eq!(
        verify_code(&user, CodePurpose::Email, false, now)
            .unwrap_err()
            .code,
        "USER-0020"
    );
    let later = Timestamp(now.0 + CODE_LIFETIME_MICROS);
    assert_eq!(
        verify_code(&user, CodePurpose::Email, true, later)
            .unwrap_err()
            .code,
        "USER-0018"
    );
    let verified = apply(&user, verify_code(&user, CodePurpose::Email, true, now));
    assert!(verified.email_verified);
    assert!(verified.codes.is_empty());
    assert_eq!(
        add_code(
            &verified,
            CodePurpose::Email,
            "h".into(),
            CodeDelivery::Returned,
            now
        )
        .unwrap_err()
        .code,
        "USER-0016"
    );
    // A phone code needs a phone.
    assert_eq!(
        add_code(
            &user,
            CodePurpose::Phone,
            "h".into(),
            CodeDelivery::Returned,
            now
        )
        .unwrap_err()
        .code,
        "USER-0015"
    );
}

#[test]
fn passwords_need_a_proof() {
    let now = Timestamp(1_000);
    let user = ada();
    let set = |proof| set_password(&user, "$argon2id$x".into(), false, proof, now);
    assert!(set(PasswordProof::Administrator).is_ok());
    // No current password to check against.
    assert_eq!(
        set(PasswordProof::CurrentPassword(true)).unwrap_err().code,
        "USER-0022"
    );
    assert_eq!(
        set(PasswordProof::ResetCode(true)).unwrap_err().code,
        "USER-0019"
    );
    let with_code = apply(
        &user,
        add_code(
            &user,
            CodePurpose::PasswordReset,
            "h".into(),
            CodeDelivery::Returned,
            now,
        ),
    );
    let decision = set_password(
        &with_code,
        "p".into(),
        false,
        PasswordProof::ResetCode(true),
        now,
    );
    let changed = apply(&with_code, decision);
    assert_eq!(changed.password_hash.as_deref(), Some("p"));
    assert!(changed.codes.is_empty());
    assert_eq!(
        set_password(
            &changed,
            "q".into(),
            false,
            PasswordProof::CurrentPassword(false),
            now
        )
        .unwrap_err()
        .code,
        "USER-0022"
    );
}

#[test]
fn unchanged_updates_decide_nothing() {
    let user = ada();
    assert!(
        change_email(&user, "ada@example.com", false)
            .unwrap()
            .events
            .is_empty()
    );
    assert_eq!(
        change_email(&user, "ada@example.com", true).unwrap().events,
        vec![UserEvent::EmailVerified {}]
    );
    assert!(
        change_profile(&user, user.profile.clone())
            .unwrap()
            .events
            .is_empty()
    );
    assert_eq!(
        change_profile(&robot(), user.profile.clone())
            .unwrap_err()
            .code,
        "USER-0013"
    );
    assert!(
        change_machine(&robot(), Some("Robot"), None, None)
            .unwrap()
            .events
            .is_empty()
    );
    assert_eq!(
        change_machine(&robot(), Some(" "), None, None)
            .unwrap_err()
            .code,
        "USER-0006"
    );
}

#[test]
fn metadata_is_set_and_removed_by_key() {
    let user = ada();
    let entries = vec![("k".to_owned(), "dg==".to_owned())];
    let user = apply(&user, set_metadata(&user, &entries));
    assert_eq!(user.metadata.get("k").map(String::as_str), Some("dg=="));
    assert!(set_metadata(&user, &entries).unwrap().events.is_empty());
    assert_eq!(
        remove_metadata(&user, &["x".into()]).unwrap_err().code,
        "USER-0032"
    );
    let user = apply(&user, remove_metadata(&user, &["k".into()]));
    assert!(user.metadata.is_empty());
}

#[test]
fn keys_belong_to_machines_and_expire_in_the_future() {
    let now = Timestamp(1_000);
    let later = Timestamp(2_000);
    assert_eq!(
        add_key(&ada(), "k".into(), "pem".into(), later, now)
            .unwrap_err()
            .code,
        "USER-0007"
    );
    let machine = robot();
    assert_eq!(
        add_key(&machine, "k".into(), "pem".into(), now, now)
            .unwrap_err()
            .code,
        "USER-0008"
    );
    let with_key = apply(
        &machine,
        add_key(&machine, "k".into(), "pem".into(), later, now),
    );
    assert_eq!(
        add_key(&with_key, "k".into(), "pem".into(), later, now)
            .unwrap_err()
            .code,
        "USER-0035"
    );
    let without = apply(&with_key, remove_key(&with_key, "k"));
    assert_eq!(remove_key(&without, "k").unwrap_err().code, "USER-0036");
}

#[test]
fn org_scoped_usernames_claim_release_and_rename_within_their_org() {
    let decision = scope_username_to_org(
        add_human(&User::default(), human("ada", "ada@example.com")).unwrap(),
        "org-1",
    );
    assert_eq!(decision.claims.len(), 1);
    assert_eq!(decision.claims[0].unique_type, UNIQUE_ORG_USERNAME);
    assert_eq!(decision.claims[0].field, "org-1:ada");
    assert!(matches!(decision.events[0], UserEvent::HumanAdded { .. }));
    assert_eq!(
        decision.events[1],
        UserEvent::UsernameOrgScoped {
            org_id: "org-1".into()
        }
    );
    let scoped = User::default().after(&decision);
    assert_eq!(scoped.username_org.as_deref(), Some("org-1"));

    let renamed = change_username(&scoped, "ada2").unwrap();
    assert_eq!(renamed.releases[0].unique_type, UNIQUE_ORG_USERNAME);
    assert_eq!(renamed.releases[0].field, "org-1:ada");
    assert_eq!(renamed.claims[0].field, "org-1:ada2");

    let removed = remove(&scoped).unwrap();
    assert_eq!(removed.releases[0].unique_type, UNIQUE_ORG_USERNAME);
    assert_eq!(removed.releases[0].field, "org-1:ada");

    // Instance-scoped users keep the instance-wide claim.
    let plain = remove(&ada()).unwrap();
    assert_eq!(plain.releases[0].unique_type, UNIQUE_USERNAME);
    assert_eq!(plain.releases[0].field, "ada");
}

#[test]
fn a_sent_code_carries_its_sealed_form_and_a_returned_one_does_not() {
    let now = Timestamp(1_000);
    let user = ada();
    let sent = add_code(
        &user,
        CodePurpose::PasswordReset,
        "h".into(),
        CodeDelivery::Sent {
            sealed_code: "sealed".into(),
            url_template: Some("https://app/reset?code={{.Code}}".into()),
        },
        now,
    )
    .unwrap();
    match sent.events.first() {
        Some(UserEvent::CodeAdded {
            returned,
            sealed_code,
            url_template,
            ..
        }) => {
            assert!(!returned);
            assert_eq!(sealed_code.as_deref(), Some("sealed"));
            assert_eq!(
                url_template.as_deref(),
                Some("https://app/reset?code={{.Code}}")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let returned = add_code(
        &user,
        CodePurpose::PasswordReset,
        "h".into(),
        CodeDelivery::Returned,
        now,
    )
    .unwrap();
    assert!(matches!(
        returned.events.first(),
        Some(UserEvent::CodeAdded {
            returned: true,
            sealed_code: None,
            ..
        })
    ));
}
