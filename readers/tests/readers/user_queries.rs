//! The user queries over the read-store contract: run by the read-store suite against every
//! store. Users are projected from events, then listed page by page over more than one scan page.

use castellan_core::clock::Timestamp;
use castellan_core::event::{EventPayload, encode};
use castellan_core::org::OrgEvent;
use castellan_core::user::{HumanProfile, UserEvent};
use castellan_core::{Event, Position};
use castellan_readers::projections::Projection;
use castellan_readers::projections::org::OrgProjection;
use castellan_readers::projections::user::UserProjection;
use castellan_readers::queries::user::{
    TokenFilter, UserFilter, UserSort, UserStateView, get_user, list_tokens, list_users,
};
use castellan_readers::queries::{Paging, SCAN_PAGE, TextMatch};
use castellan_readers::store::{PositionedOp, ReadStore};

const USERS: usize = SCAN_PAGE + 120;

fn stored<E: EventPayload>(event: &E, id: &str, owner: &str, position: i64) -> Event {
    let new = encode(event).unwrap();
    Event {
        instance_id: "i1".into(),
        aggregate_type: E::AGGREGATE_TYPE.into(),
        aggregate_id: id.into(),
        sequence: 1,
        event_type: new.event_type,
        revision: new.revision,
        payload: new.payload,
        creator: "test".into(),
        resource_owner: owner.into(),
        created_at: Timestamp(position),
        position: Position(position),
    }
}

fn paging(offset: u64, limit: u32, asc: bool) -> Paging {
    Paging { offset, limit, asc }
}

pub(super) async fn users_are_listed_paged_filtered_and_sorted(store: &dyn ReadStore) {
    let mut events = vec![
        stored(
            &OrgEvent::Added {
                name: "Acme".into(),
            },
            "o1",
            "o1",
            1,
        ),
        stored(
            &OrgEvent::DomainAdded {
                domain: "acme.test".into(),
            },
            "o1",
            "o1",
            2,
        ),
        stored(
            &OrgEvent::DomainPrimarySet {
                domain: "acme.test".into(),
            },
            "o1",
            "o1",
            3,
        ),
    ];
    let mut position = 10;
    for n in 0..USERS {
        position += 1;
        // Family names run backwards, so the name order is not the id order.
        let added = UserEvent::HumanAdded {
            username: format!("user-{n:04}"),
            profile: HumanProfile {
                given_name: "Given".into(),
                family_name: format!("family-{:04}", USERS - n),
                ..HumanProfile::default()
            },
            email: format!("user{n}@example.com"),
            email_verified: false,
            password_hash: None,
            password_change_required: false,
        };
        events.push(stored(&added, &format!("u{n:04}"), "o1", position));
    }
    events.push(stored(&UserEvent::Locked {}, "u0003", "o1", position + 1));
    events.push(stored(
        &UserEvent::MachineAdded {
            username: "robot".into(),
            name: "Robot".into(),
            description: String::new(),
        },
        "m1",
        "o2",
        position + 2,
    ));
    events.push(stored(
        &UserEvent::PersonalAccessTokenAdded {
            token_id: "t1".into(),
            token_hash: "h1".into(),
            expiration: None,
        },
        "m1",
        "o2",
        position + 3,
    ));
    events.push(stored(
        &UserEvent::Removed {
            username: "user-0005".into(),
        },
        "u0005",
        "o1",
        position + 4,
    ));
    let projections: [&dyn Projection; 2] = [&OrgProjection, &UserProjection];
    for projection in projections {
        for chunk in events.chunks(100) {
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
    let all = UserFilter::And(Vec::new());
    let total = USERS as u64; // USERS humans - 1 removed + 1 machine

    // Id order, deep into the second scan page: m1 comes first and u0005 is gone, so u(n) is
    // the n-th user for n > 5.
    let page = list_users(
        store,
        "i1",
        &all,
        UserSort::Unspecified,
        paging(600, 3, true),
    )
    .await
    .unwrap();
    assert_eq!(page.total, total);
    let ids: Vec<&str> = page.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u0600", "u0601", "u0602"]);
    assert_eq!(page.items[0].login_name, "user-0600@acme.test");

    // By family name, descending: family-0620 is u0000.
    let page = list_users(store, "i1", &all, UserSort::LastName, paging(0, 2, false))
        .await
        .unwrap();
    let names: Vec<&str> = page.items.iter().map(|u| u.family_name.as_str()).collect();
    assert_eq!(names, ["family-0620", "family-0619"]);
    // Ascending, with an offset: the machine (no family name) sorts first.
    let page = list_users(store, "i1", &all, UserSort::LastName, paging(1, 2, true))
        .await
        .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u0619", "u0618"]);
    assert_eq!(page.total, total);

    // Filters, also on the login name (which needs the org's domain).
    let login = UserFilter::LoginName(TextMatch::Equals, "user-0007@acme.test".into());
    let page = list_users(
        store,
        "i1",
        &login,
        UserSort::Unspecified,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, "u0007");
    let locked = UserFilter::State(UserStateView::Locked);
    let page = list_users(store, "i1", &locked, UserSort::Username, Paging::default())
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["u0003"]
    );
    let other_org = UserFilter::Orgs(vec!["o2".into()]);
    let page = list_users(
        store,
        "i1",
        &other_org,
        UserSort::Unspecified,
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].username, "robot");
    // An org without a primary domain: the login name is the username.
    assert_eq!(page.items[0].login_name, "robot");
    assert!(get_user(store, "i1", "u0005").await.unwrap().is_none());

    let tokens = list_tokens(
        store,
        "i1",
        &TokenFilter {
            orgs: Some(vec!["o1".into()]),
            ..TokenFilter::default()
        },
        Paging::default(),
    )
    .await
    .unwrap();
    assert_eq!(tokens.total, 0);
    let tokens = list_tokens(store, "i1", &TokenFilter::default(), Paging::default())
        .await
        .unwrap();
    assert_eq!(tokens.items[0].token_id, "t1");
    assert_eq!(tokens.items[0].user_id, "m1");
}
