//! The group projection and queries over the read-store contract: run by the read-store suite
//! against every store. Covers lookups by id (org-scoped) and name, lists across orgs and within
//! one, membership both ways, and a removed user leaving every group.

use castellan_core::clock::Timestamp;
use castellan_core::event::{EventPayload, encode};
use castellan_core::group::GroupEvent;
use castellan_core::user::UserEvent;
use castellan_core::{Event, Position};
use castellan_readers::projections::Projection;
use castellan_readers::projections::group::GroupProjection;
use castellan_readers::queries::group::{
    GroupFilter, GroupSort, OrgVisibility, find_group_by_name, get_group, groups_of_user,
    list_group_members, list_groups, list_memberships,
};
use castellan_readers::queries::owner::{self, owner_of};
use castellan_readers::queries::{Paging, SCAN_PAGE, TextMatch};
use castellan_readers::store::{PositionedOp, ReadStore};

const MEMBERS: usize = SCAN_PAGE + 20;

struct Events {
    events: Vec<Event>,
    position: i64,
}

impl Events {
    fn push<E: EventPayload>(&mut self, event: &E, id: &str, owner: &str) {
        self.position += 1;
        let new = encode(event).unwrap();
        self.events.push(Event {
            instance_id: "i1".into(),
            aggregate_type: E::AGGREGATE_TYPE.into(),
            aggregate_id: id.into(),
            sequence: 1,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "test".into(),
            resource_owner: owner.into(),
            created_at: Timestamp(self.position),
            position: Position(self.position),
        });
    }
}

fn added(name: &str) -> GroupEvent {
    GroupEvent::Added {
        name: name.into(),
        description: format!("about {name}"),
    }
}

async fn project(store: &dyn ReadStore, events: &[Event]) {
    let projection = GroupProjection;
    for chunk in events.chunks(200) {
        let mut ops = Vec::new();
        for event in chunk {
            for op in projection.project(event).unwrap() {
                ops.push(PositionedOp {
                    position: event.position,
                    op,
                });
            }
        }
        let last = chunk.last().unwrap().position;
        store.apply(projection.name(), &ops, last).await.unwrap();
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|item| id(item).to_owned()).collect()
}

pub(super) async fn groups_and_memberships_are_queried_per_tenant(store: &dyn ReadStore) {
    let mut e = Events {
        events: Vec::new(),
        position: 0,
    };
    e.push(&added("Admins"), "g1", "o1");
    e.push(&added("Support"), "g2", "o1");
    e.push(&added("Admins"), "g3", "o2");
    e.push(&added("Temp"), "g4", "o1");
    let users: Vec<String> = (0..MEMBERS).map(|n| format!("u{n:04}")).collect();
    e.push(
        &GroupEvent::UsersAdded {
            user_ids: users.clone(),
        },
        "g1",
        "o1",
    );
    e.push(
        &GroupEvent::UsersAdded {
            user_ids: vec!["u0001".into(), "u0002".into()],
        },
        "g2",
        "o1",
    );
    e.push(
        &GroupEvent::UsersAdded {
            user_ids: vec!["x1".into()],
        },
        "g3",
        "o2",
    );
    e.push(
        &GroupEvent::Changed {
            name: "Helpdesk".into(),
            description: String::new(),
            previous_name: "Support".into(),
        },
        "g2",
        "o1",
    );
    e.push(
        &GroupEvent::UsersRemoved {
            user_ids: vec!["u0002".into()],
        },
        "g2",
        "o1",
    );
    e.push(
        &GroupEvent::UsersAdded {
            user_ids: vec!["u0001".into()],
        },
        "g4",
        "o1",
    );
    e.push(
        &GroupEvent::UsersRemoved {
            user_ids: vec!["u0001".into()],
        },
        "g4",
        "o1",
    );
    e.push(
        &GroupEvent::Removed {
            name: "Temp".into(),
        },
        "g4",
        "o1",
    );
    // u0003 is deleted: it leaves every group without a group event.
    e.push(
        &UserEvent::Removed {
            username: "u0003".into(),
        },
        "u0003",
        "o1",
    );
    project(store, &e.events).await;
    // Replaying everything changes nothing.
    project(store, &e.events).await;

    // By id, only in the group's own org.
    let g1 = get_group(store, "i1", "o1", "g1").await.unwrap().unwrap();
    assert_eq!((g1.name.as_str(), g1.org_id.as_str()), ("Admins", "o1"));
    assert_eq!(g1.description, "about Admins");
    assert!(get_group(store, "i1", "o2", "g1").await.unwrap().is_none());
    assert!(get_group(store, "i2", "o1", "g1").await.unwrap().is_none());
    assert!(get_group(store, "i1", "o1", "g4").await.unwrap().is_none());
    assert_eq!(
        owner_of(store, "i1", owner::GROUP, "g2")
            .await
            .unwrap()
            .unwrap()
            .org_id,
        "o1"
    );
    assert!(
        owner_of(store, "i1", owner::GROUP, "g4")
            .await
            .unwrap()
            .is_none()
    );

    // By name, case-insensitively; a renamed group answers to its new name only.
    let found = find_group_by_name(store, "i1", "o1", " helpdesk ")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, "g2");
    assert!(
        find_group_by_name(store, "i1", "o1", "Support")
            .await
            .unwrap()
            .is_none()
    );
    let other = find_group_by_name(store, "i1", "o2", "ADMINS")
        .await
        .unwrap();
    assert_eq!(other.unwrap().id, "g3");
    assert!(
        find_group_by_name(store, "i1", "o1", "Temp")
            .await
            .unwrap()
            .is_none()
    );

    // Lists: across orgs, within one org, narrowed, filtered, sorted.
    let all = list_groups(
        store,
        "i1",
        &[],
        &OrgVisibility::All,
        GroupSort::Id,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(ids(&all.items, |g| &g.id), ["g1", "g2", "g3"]);
    let o1 = [GroupFilter::Org("o1".into())];
    let page = list_groups(
        store,
        "i1",
        &o1,
        &OrgVisibility::All,
        GroupSort::Name,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(ids(&page.items, |g| &g.name), ["Admins", "Helpdesk"]);
    let narrowed = OrgVisibility::Only(vec!["o2".into()]);
    let page = list_groups(
        store,
        "i1",
        &[],
        &narrowed,
        GroupSort::Id,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        (ids(&page.items, |g| &g.id), page.total),
        (vec!["g3".to_owned()], 1)
    );
    let contains = [GroupFilter::Name(
        TextMatch::ContainsIgnoreCase,
        "DESK".into(),
    )];
    let page = list_groups(
        store,
        "i1",
        &contains,
        &OrgVisibility::All,
        GroupSort::Id,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(ids(&page.items, |g| &g.id), ["g2"]);
    let by_ids = [GroupFilter::Ids(vec![
        "g3".into(),
        "g1".into(),
        "g4".into(),
    ])];
    let paging = Paging {
        offset: 1,
        limit: 1,
        asc: true,
    };
    let page = list_groups(
        store,
        "i1",
        &by_ids,
        &OrgVisibility::All,
        GroupSort::Id,
        paging,
    )
    .await
    .unwrap();
    assert_eq!(
        (ids(&page.items, |g| &g.id), page.total),
        (vec!["g3".to_owned()], 2)
    );

    // Members of a group, over more than one scan page, without the removed user.
    let paging = Paging {
        offset: 500,
        limit: 3,
        asc: true,
    };
    let members = list_group_members(store, "i1", "g1", paging).await.unwrap();
    assert_eq!(members.total, MEMBERS as u64 - 1);
    assert_eq!(
        ids(&members.items, |m| &m.user_id),
        ["u0501", "u0502", "u0503"]
    );
    let first = list_group_members(store, "i1", "g1", Paging::default())
        .await
        .unwrap();
    assert_eq!(
        ids(&first.items[..4], |m| &m.user_id),
        ["u0000", "u0001", "u0002", "u0004"]
    );
    assert!(
        list_group_members(store, "i1", "g4", Paging::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // Groups of a user (the OIDC claim's source).
    let groups = groups_of_user(store, "i1", "u0001").await.unwrap();
    assert_eq!(ids(&groups, |g| &g.name), ["Admins", "Helpdesk"]);
    assert_eq!(
        ids(&groups_of_user(store, "i1", "u0002").await.unwrap(), |g| &g
            .id),
        ["g1"]
    );
    assert!(
        groups_of_user(store, "i1", "u0003")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        groups_of_user(store, "i2", "u0001")
            .await
            .unwrap()
            .is_empty()
    );

    // Memberships filtered both ways and narrowed to visible orgs.
    let users = ["u0001".to_owned(), "x1".to_owned()];
    let page = list_memberships(
        store,
        "i1",
        &[],
        &users,
        &OrgVisibility::All,
        Paging::default(),
    )
    .await
    .unwrap();
    let pairs: Vec<(String, String)> = page
        .items
        .iter()
        .map(|m| (m.group_id.clone(), m.user_id.clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("g1".to_owned(), "u0001".to_owned()),
            ("g2".to_owned(), "u0001".to_owned()),
            ("g3".to_owned(), "x1".to_owned()),
        ]
    );
    let only_o1 = OrgVisibility::Only(vec!["o1".into()]);
    let page = list_memberships(
        store,
        "i1",
        &["g3".to_owned()],
        &[],
        &only_o1,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0);
    let page = list_memberships(
        store,
        "i1",
        &["g1".to_owned(), "g2".to_owned()],
        &["u0001".to_owned(), "u0003".to_owned()],
        &OrgVisibility::All,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(ids(&page.items, |m| &m.group_id), ["g1", "g2"]);
}
