use super::*;
use crate::ErrorKind;
use crate::clock::Timestamp;
use crate::event::{EventMeta, Position, decode, encode};

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(0),
        resource_owner: "org-1".into(),
        position: Position(1),
    }
}

fn apply(group: &mut Group, decision: &Decision<GroupEvent>) {
    for event in &decision.events {
        group.apply(event, &meta());
    }
}

fn created() -> Group {
    let mut group = Group::default();
    apply(
        &mut group,
        &add(&Group::default(), "org-1", " Admins ", " The admins ").unwrap(),
    );
    group
}

fn user(id: &str, org: Option<&str>) -> Candidate {
    Candidate {
        user_id: id.into(),
        org_id: org.map(str::to_owned),
    }
}

fn ids(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn a_group_is_created_once_with_its_trimmed_name_claimed_per_org() {
    let decision = add(&Group::default(), "org-1", " Admins ", " The admins ").unwrap();
    assert_eq!(decision.claims.len(), 1);
    assert_eq!(decision.claims[0].unique_type, UNIQUE_GROUP_NAME);
    assert_eq!(decision.claims[0].field, "org-1/admins");
    let group = created();
    assert_eq!(group.name, "Admins");
    assert_eq!(group.description, "The admins");
    assert_eq!(group.org_id, "org-1");
    assert!(group.exists());
    let again = add(&group, "org-1", "Other", "").unwrap_err();
    assert_eq!(again.kind, ErrorKind::AlreadyExists);
}

#[test]
fn names_and_descriptions_are_bounded() {
    let empty = add(&Group::default(), "o", "   ", "").unwrap_err();
    assert_eq!(
        (empty.kind, empty.code),
        (ErrorKind::InvalidArgument, "GROUP-0002")
    );
    let long = "x".repeat(MAX_NAME_LEN + 1);
    assert_eq!(
        add(&Group::default(), "o", &long, "").unwrap_err().code,
        "GROUP-0002"
    );
    assert!(add(&Group::default(), "o", &"é".repeat(MAX_NAME_LEN), "").is_ok());
    let description = "d".repeat(MAX_DESCRIPTION_LEN + 1);
    assert_eq!(
        add(&Group::default(), "o", "n", &description)
            .unwrap_err()
            .code,
        "GROUP-0003"
    );
}

#[test]
fn renaming_moves_the_claim_and_an_unchanged_update_decides_nothing() {
    let group = created();
    let renamed = change(&group, Some("Owners"), None).unwrap();
    assert_eq!(renamed.releases[0].field, "org-1/admins");
    assert_eq!(renamed.claims[0].field, "org-1/owners");
    assert_eq!(
        renamed.events,
        vec![GroupEvent::Changed {
            name: "Owners".into(),
            description: "The admins".into(),
            previous_name: "Admins".into(),
        }]
    );
    // Only the case changes: the claim stays.
    let recased = change(&group, Some("ADMINS"), None).unwrap();
    assert!(recased.claims.is_empty() && recased.releases.is_empty());
    assert_eq!(recased.events.len(), 1);
    let described = change(&group, None, Some("new")).unwrap();
    assert!(described.claims.is_empty());
    for unchanged in [
        change(&group, None, None).unwrap(),
        change(&group, Some(" Admins "), Some("The admins")).unwrap(),
    ] {
        assert!(unchanged.events.is_empty());
        assert!(unchanged.claims.is_empty());
    }
    assert_eq!(
        change(&group, Some(""), None).unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        change(&Group::default(), Some("x"), None).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn only_users_of_the_groups_org_are_added_and_adding_twice_changes_nothing() {
    let mut group = created();
    let outcome = add_users(
        &group,
        &[
            user("u1", Some("org-1")),
            user("u2", Some("org-2")),
            user("u3", None),
            user("u1", Some("org-1")),
            user("u4", Some("org-1")),
        ],
    )
    .unwrap();
    assert_eq!(outcome.failed, ids(&["u2", "u3"]));
    assert_eq!(
        outcome.decision.events,
        vec![GroupEvent::UsersAdded {
            user_ids: ids(&["u1", "u4"])
        }]
    );
    apply(&mut group, &outcome.decision);
    assert_eq!(group.members.iter().collect::<Vec<_>>(), ["u1", "u4"]);
    let again = add_users(&group, &[user("u1", Some("org-1"))]).unwrap();
    assert!(again.decision.events.is_empty());
    assert!(again.failed.is_empty());
    assert_eq!(
        add_users(&group, &[]).unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[test]
fn removing_users_ignores_non_members() {
    let mut group = created();
    let added = add_users(
        &group,
        &[user("u1", Some("org-1")), user("u2", Some("org-1"))],
    )
    .unwrap();
    apply(&mut group, &added.decision);
    let decision = remove_users(&group, &ids(&["u2", "nobody", "u2"])).unwrap();
    assert_eq!(
        decision.events,
        vec![GroupEvent::UsersRemoved {
            user_ids: ids(&["u2"])
        }]
    );
    apply(&mut group, &decision);
    assert_eq!(group.members.iter().collect::<Vec<_>>(), ["u1"]);
    assert!(
        remove_users(&group, &ids(&["u2"]))
            .unwrap()
            .events
            .is_empty()
    );
}

#[test]
fn removal_drops_the_members_first_and_releases_the_name() {
    let mut group = created();
    let added = add_users(&group, &[user("u1", Some("org-1"))]).unwrap();
    apply(&mut group, &added.decision);
    let decision = remove(&group).unwrap();
    assert_eq!(
        decision.events,
        vec![
            GroupEvent::UsersRemoved {
                user_ids: ids(&["u1"])
            },
            GroupEvent::Removed {
                name: "Admins".into()
            },
        ]
    );
    assert_eq!(decision.releases[0].field, "org-1/admins");
    apply(&mut group, &decision);
    assert!(!group.exists());
    assert!(group.members.is_empty());
    assert_eq!(remove(&group).unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(
        add_users(&group, &[user("u1", Some("org-1"))])
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    // A removed group's id is not reused.
    assert_eq!(
        add(&group, "org-1", "Admins", "").unwrap_err().kind,
        ErrorKind::AlreadyExists
    );
    // An empty group is removed with one event.
    assert_eq!(remove(&created()).unwrap().events.len(), 1);
}

#[test]
fn events_use_zitadels_type_names() {
    let samples = [
        (
            GroupEvent::Added {
                name: "n".into(),
                description: String::new(),
            },
            "group.added",
        ),
        (
            GroupEvent::Changed {
                name: "n".into(),
                description: String::new(),
                previous_name: "o".into(),
            },
            "group.changed",
        ),
        (GroupEvent::Removed { name: "n".into() }, "group.removed"),
        (
            GroupEvent::UsersAdded {
                user_ids: ids(&["u"]),
            },
            "group.users.added",
        ),
        (
            GroupEvent::UsersRemoved {
                user_ids: ids(&["u"]),
            },
            "group.users.removed",
        ),
    ];
    for (event, event_type) in samples {
        let new = encode(&event).unwrap();
        assert_eq!(new.event_type, event_type);
        let stored = crate::Event {
            instance_id: "i".into(),
            aggregate_type: AGGREGATE_TYPE.into(),
            aggregate_id: "g".into(),
            sequence: 1,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "c".into(),
            resource_owner: "org-1".into(),
            created_at: Timestamp(0),
            position: Position(1),
        };
        assert_eq!(decode::<GroupEvent>(&stored).unwrap(), event);
    }
}

#[test]
fn an_external_id_is_claimed_per_org_changed_cleared_and_released_with_the_group() {
    let mut group = created();
    let set = set_external_id(&group, Some(" okta-1 ")).unwrap();
    assert_eq!(
        set.events,
        vec![GroupEvent::ExternalIdSet {
            external_id: "okta-1".into()
        }]
    );
    assert_eq!(set.claims.len(), 1);
    assert_eq!(set.claims[0].unique_type, UNIQUE_GROUP_EXTERNAL_ID);
    apply(&mut group, &set);
    assert_eq!(group.external_id.as_deref(), Some("okta-1"));
    // The same id again decides nothing.
    assert!(
        set_external_id(&group, Some("okta-1"))
            .unwrap()
            .events
            .is_empty()
    );
    // A new one releases the old claim.
    let changed = set_external_id(&group, Some("okta-2")).unwrap();
    assert_eq!((changed.claims.len(), changed.releases.len()), (1, 1));
    apply(&mut group, &changed);
    // Removing the group frees the name and the external id.
    let removed = remove(&group).unwrap();
    assert!(
        removed
            .releases
            .iter()
            .any(|r| r.unique_type == UNIQUE_GROUP_EXTERNAL_ID)
    );
    let cleared = set_external_id(&group, None).unwrap();
    assert_eq!(
        cleared.events,
        vec![GroupEvent::ExternalIdSet {
            external_id: String::new()
        }]
    );
    assert!(
        set_external_id(&group, Some(&"x".repeat(201)))
            .unwrap_err()
            .kind
            == ErrorKind::InvalidArgument
    );
}
