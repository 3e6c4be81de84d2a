use super::*;
use crate::clock::Timestamp;
use crate::event::Position;
use crate::instance::{self, Instance, InstanceEvent};
use crate::org::{self, Org, OrgEvent};
use crate::{ErrorKind, permission};

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(0),
        resource_owner: "o".into(),
        position: Position(1),
    }
}

fn roles(names: &[&str]) -> Vec<String> {
    names.iter().map(|r| (*r).to_owned()).collect()
}

#[test]
fn roles_must_be_known_of_the_scope_and_listed_once() {
    assert_eq!(
        validate_roles(&roles(&["ORG_OWNER"]), RoleScope::Org).unwrap(),
        ["ORG_OWNER"]
    );
    for (bad, scope) in [
        (&[][..], RoleScope::Org),
        (&["ROOT"][..], RoleScope::Org),
        (&["IAM_OWNER"][..], RoleScope::Org),
        (&["ORG_OWNER"][..], RoleScope::Instance),
        (&["PROJECT_OWNER"][..], RoleScope::ProjectGrant),
        (&["ORG_OWNER", "ORG_OWNER"][..], RoleScope::Org),
    ] {
        let error = validate_roles(&roles(bad), scope).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidArgument, "{bad:?}");
    }
}

#[test]
fn project_administrators_are_added_changed_and_removed() {
    let scope = ProjectScope {
        project_id: "p".into(),
        project_grant_id: None,
    };
    let mut state = Administrators::default();
    let added = add(&state, &scope, "u", &roles(&["PROJECT_OWNER"])).unwrap();
    for e in &added.events {
        state.apply(e, &meta());
    }
    assert_eq!(
        add(&state, &scope, "u", &roles(&["PROJECT_OWNER"]))
            .unwrap_err()
            .kind,
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        change(&state, &scope, "u", &roles(&["PROJECT_OWNER"]))
            .unwrap_err()
            .kind,
        ErrorKind::FailedPrecondition
    );
    assert_eq!(
        change(&state, &scope, "x", &roles(&["PROJECT_OWNER_VIEWER"]))
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    let changed = change(&state, &scope, "u", &roles(&["PROJECT_OWNER_VIEWER"])).unwrap();
    for e in &changed.events {
        state.apply(e, &meta());
    }
    assert_eq!(state.members["u"], ["PROJECT_OWNER_VIEWER"]);
    assert!(remove(&state, &scope, "x").unwrap().events.is_empty());
    let removed = remove(&state, &scope, "u").unwrap();
    for e in &removed.events {
        state.apply(e, &meta());
    }
    assert!(state.members.is_empty());
    let grant = ProjectScope {
        project_id: "p".into(),
        project_grant_id: Some("g".into()),
    };
    assert_ne!(grant.aggregate_id(), scope.aggregate_id());
    assert!(add(&state, &grant, "u", &roles(&["PROJECT_OWNER"])).is_err());
    assert!(add(&state, &grant, "u", &roles(&["PROJECT_GRANT_OWNER"])).is_ok());
}

#[test]
fn the_last_iam_owner_cannot_leave() {
    let mut inst = Instance::default();
    inst.apply(
        &InstanceEvent::MemberAdded {
            user_id: "admin".into(),
            roles: roles(&[permission::IAM_OWNER]),
        },
        &meta(),
    );
    assert_eq!(
        instance::remove_member(&inst, "admin").unwrap_err().kind,
        ErrorKind::FailedPrecondition
    );
    assert_eq!(
        instance::change_member(&inst, "admin", &roles(&["IAM_OWNER_VIEWER"]))
            .unwrap_err()
            .kind,
        ErrorKind::FailedPrecondition
    );
    let second = instance::add_member(&inst, "other", &roles(&[permission::IAM_OWNER])).unwrap();
    for e in &second.events {
        inst.apply(e, &meta());
    }
    let removed = instance::remove_member(&inst, "admin").unwrap();
    assert_eq!(
        removed.events,
        [InstanceEvent::MemberRemoved {
            user_id: "admin".into()
        }]
    );
    assert!(
        instance::remove_member(&inst, "nobody")
            .unwrap()
            .events
            .is_empty()
    );
}

#[test]
fn org_members_need_an_existing_org_and_org_roles() {
    let mut o = Org::default();
    assert_eq!(
        org::add_member(&o, "u", &roles(&["ORG_OWNER"]))
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    o.apply(&OrgEvent::Added { name: "A".into() }, &meta());
    assert!(org::add_member(&o, "u", &roles(&["IAM_OWNER"])).is_err());
    let added = org::add_member(&o, "u", &roles(&["ORG_OWNER"])).unwrap();
    for e in &added.events {
        o.apply(e, &meta());
    }
    let changed = org::change_member(&o, "u", &roles(&["ORG_USER_MANAGER"])).unwrap();
    for e in &changed.events {
        o.apply(e, &meta());
    }
    assert_eq!(o.members["u"], ["ORG_USER_MANAGER"]);
    let removed = org::remove_member(&o, "u").unwrap();
    for e in &removed.events {
        o.apply(e, &meta());
    }
    assert!(o.members.is_empty());
}
