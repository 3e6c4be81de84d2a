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

fn replay(state: &mut Authorization, decision: &Decision<AuthorizationEvent>) {
    for event in &decision.events {
        state.apply(event, &meta());
    }
}

fn new(roles: &[&str]) -> NewAuthorization {
    NewAuthorization {
        user_id: "u".into(),
        project_id: "p".into(),
        org_id: "o".into(),
        project_grant_id: None,
        role_keys: roles.iter().map(|r| (*r).to_owned()).collect(),
    }
}

#[test]
fn add_claims_user_project_and_org_and_starts_active() {
    let decision = add(&Authorization::default(), new(&[" admin ", "viewer"])).unwrap();
    assert_eq!(decision.claims.len(), 1);
    assert_eq!(decision.claims[0].unique_type, UNIQUE_AUTHORIZATION);
    assert_eq!(decision.claims[0].field, unique_key("u", "p", "o"));
    let mut state = Authorization::default();
    replay(&mut state, &decision);
    assert_eq!(state.state, AuthorizationState::Active);
    assert_eq!(state.role_keys, ["admin", "viewer"]);
    assert!(add(&state, new(&[])).is_err());
}

#[test]
fn bad_role_keys_and_missing_ids_are_invalid() {
    for roles in [&[""][..], &["a", "a"][..]] {
        let error = add(&Authorization::default(), new(roles)).unwrap_err();
        assert_eq!(error.kind, crate::ErrorKind::InvalidArgument, "{roles:?}");
    }
    let long = "r".repeat(MAX_ROLE_KEY_LEN + 1);
    assert!(add(&Authorization::default(), new(&[&long])).is_err());
    let mut missing = new(&[]);
    missing.user_id = " ".into();
    assert_eq!(
        add(&Authorization::default(), missing).unwrap_err().kind,
        crate::ErrorKind::InvalidArgument
    );
}

#[test]
fn roles_change_only_when_different_and_removal_releases_the_claim() {
    let mut state = Authorization::default();
    let added = add(&Authorization::default(), new(&["a", "b"])).unwrap();
    replay(&mut state, &added);
    assert_eq!(
        change_roles(&state, &["b".into(), "a".into()])
            .unwrap_err()
            .kind,
        crate::ErrorKind::FailedPrecondition
    );
    let changed = change_roles(&state, &["c".into()]).unwrap();
    replay(&mut state, &changed);
    assert_eq!(state.role_keys, ["c"]);
    let removed = remove(&state).unwrap();
    assert_eq!(removed.releases[0].field, unique_key("u", "p", "o"));
    replay(&mut state, &removed);
    assert!(!state.exists());
    assert_eq!(remove(&state).unwrap_err().kind, crate::ErrorKind::NotFound);
    assert_eq!(
        change_roles(&state, &[]).unwrap_err().kind,
        crate::ErrorKind::NotFound
    );
}

#[test]
fn activation_is_idempotent() {
    let mut state = Authorization::default();
    assert!(deactivate(&state).is_err());
    let added = add(&Authorization::default(), new(&[])).unwrap();
    replay(&mut state, &added);
    assert!(activate(&state).unwrap().events.is_empty());
    let off = deactivate(&state).unwrap();
    assert_eq!(off.events, [AuthorizationEvent::Deactivated {}]);
    replay(&mut state, &off);
    assert_eq!(state.state, AuthorizationState::Inactive);
    assert!(deactivate(&state).unwrap().events.is_empty());
    let on = activate(&state).unwrap();
    replay(&mut state, &on);
    assert_eq!(state.state, AuthorizationState::Active);
}
