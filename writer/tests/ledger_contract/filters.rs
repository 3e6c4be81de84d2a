//! `read`: every filter, ranges, limits, position order.

use std::sync::Arc;

use castellan_core::{Event, Position};
use castellan_writer::ledger::{AggregateAppend, EventFilter};
use serde_json::json;

use crate::support::{
    TestLedger, aggregate, assert_strictly_increasing, batch, new_event, read_all_through,
};

fn in_instance(instance_id: &str, mut append: AggregateAppend) -> AggregateAppend {
    append.instance_id = instance_id.into();
    append
}

/// Writes a small mixed stream (two instances, three aggregate types, interleaved batches) and
/// returns it as the ledger reads it back.
async fn seed<L: TestLedger>(ledger: &L) -> Vec<Event> {
    let user = |event_type: &str, n: i64| new_event(event_type, json!({ "n": n }));
    let batches = vec![
        batch(vec![aggregate(
            "user",
            "u1",
            0,
            vec![user("user.added", 1)],
        )]),
        batch(vec![aggregate("org", "o1", 0, vec![user("org.added", 2)])]),
        batch(vec![in_instance(
            "instance-2",
            aggregate("user", "u1", 0, vec![user("user.added", 3)]),
        )]),
        batch(vec![
            aggregate(
                "user",
                "u1",
                1,
                vec![user("user.changed", 4), user("user.changed", 5)],
            ),
            aggregate("org", "o1", 1, vec![user("org.changed", 6)]),
        ]),
        batch(vec![aggregate(
            "project",
            "p1",
            0,
            vec![user("project.added", 7)],
        )]),
        batch(vec![in_instance(
            "instance-2",
            aggregate("org", "o1", 0, vec![user("org.added", 8)]),
        )]),
        batch(vec![aggregate(
            "user",
            "u2",
            0,
            vec![user("user.added", 9)],
        )]),
    ];
    let mut last = Position::START;
    for seed_batch in batches {
        last = ledger.append(seed_batch).await.unwrap().position();
    }
    let all = read_all_through(ledger, last).await;
    assert_eq!(all.len(), 9);
    assert_strictly_increasing(&all);
    let order: Vec<i64> = all
        .iter()
        .map(|event| event.payload["n"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![1, 2, 3, 4, 5, 6, 7, 8, 9], "{all:?}");
    all
}

/// What a filter must return, computed from the whole stream.
fn model(all: &[Event], filter: &EventFilter) -> Vec<Event> {
    let limit = if filter.limit == 0 {
        1000
    } else {
        filter.limit
    };
    all.iter()
        .filter(|event| event.position > filter.after)
        .filter(|event| filter.until.is_none_or(|until| event.position <= until))
        .filter(|event| {
            filter
                .instance_id
                .as_ref()
                .is_none_or(|instance_id| &event.instance_id == instance_id)
        })
        .filter(|event| {
            filter.aggregate_types.is_empty()
                || filter.aggregate_types.contains(&event.aggregate_type)
        })
        .filter(|event| {
            filter
                .aggregate_id
                .as_ref()
                .is_none_or(|aggregate_id| &event.aggregate_id == aggregate_id)
        })
        .filter(|event| {
            filter.event_types.is_empty() || filter.event_types.contains(&event.event_type)
        })
        .take(limit)
        .cloned()
        .collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

pub async fn read_applies_every_filter_in_position_order<L: TestLedger>(ledger: Arc<L>) {
    let all = seed(&*ledger).await;
    let at = |index: usize| all[index].position;
    let instance = |id: &str| Some(id.to_owned());

    // (filter, expected count): the count pins the model, the model pins the contents.
    let cases: Vec<(EventFilter, usize)> = vec![
        (EventFilter::default(), 9),
        (
            EventFilter {
                instance_id: instance("instance-1"),
                ..EventFilter::default()
            },
            7,
        ),
        (
            EventFilter {
                instance_id: instance("instance-2"),
                ..EventFilter::default()
            },
            2,
        ),
        (
            EventFilter {
                instance_id: instance("instance-9"),
                ..EventFilter::default()
            },
            0,
        ),
        (
            EventFilter {
                aggregate_types: strings(&["org"]),
                ..EventFilter::default()
            },
            3,
        ),
        (
            EventFilter {
                instance_id: instance("instance-1"),
                aggregate_types: strings(&["org", "project"]),
                ..EventFilter::default()
            },
            3,
        ),
        (
            EventFilter {
                aggregate_id: Some("u1".into()),
                ..EventFilter::default()
            },
            4,
        ),
        (
            EventFilter {
                instance_id: instance("instance-1"),
                aggregate_types: strings(&["user"]),
                aggregate_id: Some("u1".into()),
                ..EventFilter::default()
            },
            3,
        ),
        (
            EventFilter {
                event_types: strings(&["user.changed"]),
                ..EventFilter::default()
            },
            2,
        ),
        (
            EventFilter {
                event_types: strings(&["user.added", "org.added"]),
                ..EventFilter::default()
            },
            5,
        ),
        (
            EventFilter {
                after: at(3),
                ..EventFilter::default()
            },
            5,
        ),
        (
            EventFilter {
                until: Some(at(4)),
                ..EventFilter::default()
            },
            5,
        ),
        (
            EventFilter {
                after: at(1),
                until: Some(at(6)),
                ..EventFilter::default()
            },
            5,
        ),
        (
            EventFilter {
                after: at(6),
                until: Some(at(2)),
                ..EventFilter::default()
            },
            0,
        ),
        (
            EventFilter {
                after: at(8),
                ..EventFilter::default()
            },
            0,
        ),
        (
            EventFilter {
                limit: 3,
                ..EventFilter::default()
            },
            3,
        ),
        (
            EventFilter {
                after: at(0),
                instance_id: instance("instance-1"),
                aggregate_types: strings(&["user", "org"]),
                event_types: strings(&["user.added", "org.changed", "user.changed"]),
                limit: 3,
                ..EventFilter::default()
            },
            3,
        ),
        (
            EventFilter {
                after: at(0),
                until: Some(at(8)),
                instance_id: instance("instance-1"),
                aggregate_types: strings(&["user", "org"]),
                event_types: strings(&["user.added", "org.changed", "user.changed"]),
                ..EventFilter::default()
            },
            4,
        ),
    ];
    for (filter, count) in cases {
        let read = ledger.read(&filter).await.unwrap();
        let expected = model(&all, &filter);
        assert_eq!(
            expected.len(),
            count,
            "model disagrees with the case: {filter:?}"
        );
        assert_eq!(read, expected, "{filter:?}");
        assert_strictly_increasing(&read);
    }
}

pub async fn read_pages_with_after_and_limit<L: TestLedger>(ledger: Arc<L>) {
    let all = seed(&*ledger).await;
    let mut paged: Vec<Event> = Vec::new();
    let mut pages = 0;
    loop {
        let after = paged.last().map(|event| event.position).unwrap_or_default();
        let page = ledger
            .read(&EventFilter {
                after,
                limit: 3,
                ..EventFilter::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        pages += 1;
        paged.extend(page);
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, all);

    // A limit of 0 means the default page (1000), not "nothing".
    assert_eq!(
        ledger
            .read(&EventFilter {
                limit: 0,
                ..EventFilter::default()
            })
            .await
            .unwrap(),
        all
    );
}

/// The audit filters of the event API: editor, resource owner, commit time, aggregate sequence,
/// and newest-first order.
pub async fn read_filters_audit_fields_and_descends<L: TestLedger>(ledger: Arc<L>) {
    use castellan_core::clock::Timestamp;
    let event = |n: i64| new_event("user.changed", json!({ "n": n }));
    let stamp = |micros: i64, creator: &str, owner: &str, append: AggregateAppend| {
        let mut append = append;
        append.creator = creator.into();
        append.resource_owner = owner.into();
        let mut one = batch(vec![append]);
        one.created_at = Timestamp(micros);
        one
    };
    let batches = vec![
        stamp(
            1_000,
            "alice",
            "org-a",
            aggregate("user", "a1", 0, vec![event(1), event(2)]),
        ),
        stamp(
            2_000,
            "bob",
            "org-a",
            aggregate("user", "a1", 2, vec![event(3)]),
        ),
        stamp(
            3_000,
            "alice",
            "org-b",
            aggregate("user", "b1", 0, vec![event(4)]),
        ),
        stamp(
            4_000,
            "carol",
            "org-b",
            aggregate("user", "b1", 1, vec![event(5)]),
        ),
    ];
    let mut last = Position::START;
    for one in batches {
        last = ledger.append(one).await.unwrap().position();
    }
    read_all_through(&*ledger, last).await;
    let numbers = |events: Vec<Event>| -> Vec<i64> {
        events
            .iter()
            .map(|e| e.payload["n"].as_i64().unwrap())
            .collect()
    };
    let read = |filter: EventFilter| {
        let ledger = ledger.clone();
        async move { numbers(ledger.read(&filter).await.unwrap()) }
    };
    let cases: Vec<(EventFilter, Vec<i64>)> = vec![
        (
            EventFilter {
                creator: Some("alice".into()),
                ..EventFilter::default()
            },
            vec![1, 2, 4],
        ),
        (
            EventFilter {
                resource_owner: Some("org-b".into()),
                ..EventFilter::default()
            },
            vec![4, 5],
        ),
        (
            EventFilter {
                created_from: Some(Timestamp(2_000)),
                created_until: Some(Timestamp(3_000)),
                ..EventFilter::default()
            },
            vec![3, 4],
        ),
        (
            EventFilter {
                aggregate_id: Some("a1".into()),
                sequence_after: Some(1),
                ..EventFilter::default()
            },
            vec![2, 3],
        ),
        (
            EventFilter {
                descending: true,
                limit: 3,
                ..EventFilter::default()
            },
            vec![5, 4, 3],
        ),
        (
            EventFilter {
                descending: true,
                until: Some(last),
                creator: Some("alice".into()),
                limit: 2,
                ..EventFilter::default()
            },
            vec![4, 2],
        ),
    ];
    for (filter, expected) in cases {
        let described = format!("{filter:?}");
        assert_eq!(read(filter).await, expected, "{described}");
    }
}
