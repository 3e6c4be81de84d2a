//! Appends, reads back, optimistic concurrency, atomicity, validation, head and notification.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::Position;
use castellan_core::clock::Timestamp;
use castellan_writer::ledger::{
    AggregateAppend, AppendBatch, LedgerError, MAX_EVENTS_PER_BATCH, UniqueConstraint, UniqueOp,
};
use serde_json::json;

use crate::support::{
    CREATED_AT, INSTANCE, TestLedger, aggregate, assert_strictly_increasing, batch, changes,
    new_event, read_all, read_all_through, settle,
};

pub async fn append_then_read_aggregate_round_trips_every_field<L: TestLedger>(ledger: Arc<L>) {
    let mut first = aggregate(
        "user",
        "user-1",
        0,
        vec![
            new_event(
                "user.added",
                json!({ "name": "Zoë", "emails": ["z@example.com"], "age": 41, "ok": true }),
            ),
            new_event("user.profile.changed", serde_json::Value::Null),
            new_event(
                "user.deactivated",
                json!([1, 2.5, "three", { "nested": {} }]),
            ),
        ],
    );
    first.resource_owner = "org-42".into();
    first.creator = "user-admin-7".into();
    first.events[1].revision = 2;
    first.events[2].revision = -3;
    let created_at = Timestamp(1_712_345_678_901_234);
    let appended = ledger
        .append(AppendBatch {
            appends: vec![first.clone()],
            unique: Vec::new(),
            created_at,
        })
        .await
        .unwrap();

    assert_eq!(appended.events.len(), 3);
    assert_strictly_increasing(&appended.events);
    assert!(appended.events[0].position > Position::START);
    assert_eq!(appended.position(), appended.events[2].position);
    for ((stored, new), sequence) in appended.events.iter().zip(&first.events).zip(1..) {
        assert_eq!(stored.instance_id, INSTANCE);
        assert_eq!(stored.aggregate_type, "user");
        assert_eq!(stored.aggregate_id, "user-1");
        assert_eq!(stored.sequence, sequence);
        assert_eq!(stored.event_type, new.event_type);
        assert_eq!(stored.revision, new.revision);
        assert_eq!(stored.payload, new.payload);
        assert_eq!(stored.creator, "user-admin-7");
        assert_eq!(stored.resource_owner, "org-42");
        assert_eq!(stored.created_at, created_at);
    }
    let read = ledger
        .read_aggregate(INSTANCE, "user", "user-1")
        .await
        .unwrap();
    assert_eq!(read, appended.events);

    // The next append continues the sequence and the global order.
    let second = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            3,
            changes("user", 2),
        )]))
        .await
        .unwrap();
    let sequences: Vec<i64> = second.events.iter().map(|event| event.sequence).collect();
    assert_eq!(sequences, vec![4, 5]);
    assert!(second.events[0].position > appended.position());
    let read = ledger
        .read_aggregate(INSTANCE, "user", "user-1")
        .await
        .unwrap();
    assert_eq!(read.len(), 5);
    assert_eq!(&read[3..], &second.events[..]);
    assert_strictly_increasing(&read);

    // Same id under another type or instance is another aggregate.
    assert!(
        ledger
            .read_aggregate(INSTANCE, "org", "user-1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ledger
            .read_aggregate("instance-2", "user", "user-1")
            .await
            .unwrap()
            .is_empty()
    );

    // The global stream holds exactly these events.
    let all = read_all_through(&*ledger, second.position()).await;
    assert_eq!(all, read);
}

pub async fn expected_version_mismatch_conflicts_and_writes_nothing<L: TestLedger>(ledger: Arc<L>) {
    let created = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            0,
            changes("user", 2),
        )]))
        .await
        .unwrap();

    for (expected, label) in [(1, "too low"), (3, "too high"), (0, "new but exists")] {
        let error = ledger
            .append(batch(vec![aggregate(
                "user",
                "user-1",
                expected,
                changes("user", 1),
            )]))
            .await
            .unwrap_err();
        match &error {
            LedgerError::Conflict {
                aggregate_type,
                aggregate_id,
                expected: reported_expected,
                actual,
            } => {
                assert_eq!(aggregate_type, "user", "{label}");
                assert_eq!(aggregate_id, "user-1", "{label}");
                assert_eq!(*reported_expected, expected, "{label}");
                assert_eq!(*actual, 2, "{label}");
            }
            other => panic!("{label}: expected a conflict, got {other:?}"),
        }
        assert!(error.is_retryable());
    }
    // An aggregate that does not exist is at version 0.
    let error = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-2",
            5,
            changes("user", 1),
        )]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::Conflict {
                expected: 5,
                actual: 0,
                ..
            }
        ),
        "{error:?}"
    );

    assert_eq!(
        ledger
            .read_aggregate(INSTANCE, "user", "user-1")
            .await
            .unwrap(),
        created.events
    );
    assert!(
        ledger
            .read_aggregate(INSTANCE, "user", "user-2")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        read_all_through(&*ledger, created.position()).await,
        created.events
    );
}

pub async fn multi_aggregate_batch_is_atomic<L: TestLedger>(ledger: Arc<L>) {
    let existing = ledger
        .append(batch(vec![aggregate("org", "org-1", 0, changes("org", 1))]))
        .await
        .unwrap();

    let login = UniqueConstraint {
        instance_id: INSTANCE.into(),
        unique_type: "login_name".into(),
        field: "ada".into(),
    };
    let mut failing = batch(vec![
        aggregate("user", "user-1", 0, changes("user", 2)),
        aggregate("org", "org-1", 0, changes("org", 1)),
        aggregate("project", "project-1", 0, changes("project", 1)),
    ]);
    failing.unique.push(UniqueOp::Claim(login.clone()));
    let error = ledger.append(failing).await.unwrap_err();
    assert!(
        matches!(&error, LedgerError::Conflict { aggregate_id, actual: 1, .. } if aggregate_id == "org-1"),
        "{error:?}"
    );
    for (aggregate_type, aggregate_id, count) in [
        ("user", "user-1", 0),
        ("org", "org-1", 1),
        ("project", "project-1", 0),
    ] {
        let events = ledger
            .read_aggregate(INSTANCE, aggregate_type, aggregate_id)
            .await
            .unwrap();
        assert_eq!(events.len(), count, "{aggregate_type}/{aggregate_id}");
    }
    assert_eq!(
        read_all_through(&*ledger, existing.position()).await,
        existing.events
    );

    // The corrected batch lands whole, in batch order, and the claim was never taken.
    let mut corrected = batch(vec![
        aggregate("user", "user-1", 0, changes("user", 2)),
        aggregate("org", "org-1", 1, changes("org", 1)),
        aggregate("project", "project-1", 0, changes("project", 1)),
    ]);
    corrected.unique.push(UniqueOp::Claim(login));
    let appended = ledger.append(corrected).await.unwrap();
    let shape: Vec<(&str, i64)> = appended
        .events
        .iter()
        .map(|event| (event.aggregate_id.as_str(), event.sequence))
        .collect();
    assert_eq!(
        shape,
        vec![("user-1", 1), ("user-1", 2), ("org-1", 2), ("project-1", 1)]
    );
    assert_strictly_increasing(&appended.events);
    assert!(appended.events[0].position > existing.position());
    let all = read_all_through(&*ledger, appended.position()).await;
    assert_eq!(all.len(), 5);
    assert_eq!(&all[1..], &appended.events[..]);
}

pub async fn invalid_batches_are_rejected_and_write_nothing<L: TestLedger>(ledger: Arc<L>) {
    let claim = UniqueOp::Claim(UniqueConstraint {
        instance_id: INSTANCE.into(),
        unique_type: "login_name".into(),
        field: "grace".into(),
    });
    let with_claim = |appends: Vec<AggregateAppend>| AppendBatch {
        appends,
        unique: vec![claim.clone()],
        created_at: CREATED_AT,
    };
    let too_many = (MAX_EVENTS_PER_BATCH + 1).div_ceil(2);
    let invalid = [
        ("no aggregates", with_claim(Vec::new())),
        (
            "no events",
            with_claim(vec![
                aggregate("user", "user-1", 0, Vec::new()),
                aggregate("user", "user-2", 0, Vec::new()),
            ]),
        ),
        (
            "same aggregate twice",
            with_claim(vec![
                aggregate("user", "user-1", 0, changes("user", 1)),
                aggregate("user", "user-1", 1, changes("user", 1)),
            ]),
        ),
        (
            "negative version",
            with_claim(vec![aggregate("user", "user-1", -1, changes("user", 1))]),
        ),
        (
            "too many events",
            with_claim(vec![
                aggregate("user", "user-1", 0, changes("user", too_many)),
                aggregate("user", "user-2", 0, changes("user", too_many)),
            ]),
        ),
    ];
    for (label, invalid_batch) in invalid {
        let error = ledger.append(invalid_batch).await.unwrap_err();
        assert!(
            matches!(error, LedgerError::Invalid(_)),
            "{label}: {error:?}"
        );
        assert!(!error.is_retryable(), "{label}");
    }

    assert_eq!(ledger.head().await.unwrap(), Position::START);
    assert!(read_all(&*ledger).await.is_empty());
    for aggregate_id in ["user-1", "user-2"] {
        assert!(
            ledger
                .read_aggregate(INSTANCE, "user", aggregate_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
    // The claim of every rejected batch was not taken.
    ledger
        .append(with_claim(vec![aggregate(
            "user",
            "user-3",
            0,
            changes("user", 1),
        )]))
        .await
        .unwrap();
}

pub async fn head_tracks_the_last_position_and_appended_fires<L: TestLedger>(ledger: Arc<L>) {
    assert_eq!(ledger.head().await.unwrap(), Position::START);
    let mut appended_rx = ledger.appended();
    appended_rx.borrow_and_update();

    let first = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            0,
            changes("user", 3),
        )]))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), appended_rx.changed())
        .await
        .expect("appended() did not fire")
        .unwrap();
    assert_eq!(*appended_rx.borrow_and_update(), first.position());
    settle(&*ledger, first.position()).await;
    assert_eq!(ledger.head().await.unwrap(), first.position());

    // A failed append changes neither.
    let error = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            0,
            changes("user", 1),
        )]))
        .await
        .unwrap_err();
    assert!(matches!(error, LedgerError::Conflict { .. }));
    assert!(!appended_rx.has_changed().unwrap());
    assert_eq!(ledger.head().await.unwrap(), first.position());

    let second = ledger
        .append(batch(vec![aggregate("org", "org-1", 0, changes("org", 1))]))
        .await
        .unwrap();
    assert!(second.position() > first.position());
    assert!(appended_rx.has_changed().unwrap());
    assert_eq!(*appended_rx.borrow_and_update(), second.position());
    // A receiver taken now starts at the latest position.
    assert_eq!(*ledger.appended().borrow(), second.position());
    settle(&*ledger, second.position()).await;
    assert_eq!(ledger.head().await.unwrap(), second.position());
}

pub async fn migrate_is_idempotent<L: TestLedger>(ledger: Arc<L>) {
    let appended = ledger
        .append(batch(vec![aggregate(
            "user",
            "user-1",
            0,
            changes("user", 2),
        )]))
        .await
        .unwrap();
    ledger.migrate().await.unwrap();
    ledger.migrate().await.unwrap();
    assert_eq!(
        ledger
            .read_aggregate(INSTANCE, "user", "user-1")
            .await
            .unwrap(),
        appended.events
    );
}

pub async fn checkpoints_persist_and_never_move_backwards<L: TestLedger>(ledger: Arc<L>) {
    use castellan_core::Position;
    assert_eq!(ledger.load_checkpoint("relay").await.unwrap(), Position(0));
    ledger
        .store_checkpoint("relay", Position(42))
        .await
        .unwrap();
    ledger.store_checkpoint("other", Position(7)).await.unwrap();
    assert_eq!(ledger.load_checkpoint("relay").await.unwrap(), Position(42));
    ledger
        .store_checkpoint("relay", Position(41))
        .await
        .unwrap();
    assert_eq!(
        ledger.load_checkpoint("relay").await.unwrap(),
        Position(42),
        "went backwards"
    );
    ledger
        .store_checkpoint("relay", Position(100))
        .await
        .unwrap();
    assert_eq!(
        ledger.load_checkpoint("relay").await.unwrap(),
        Position(100)
    );
    assert_eq!(ledger.load_checkpoint("other").await.unwrap(), Position(7));
}

pub async fn leadership_is_exclusive_until_released<L: TestLedger>(ledger: Arc<L>) {
    let first = ledger
        .try_lead("relay")
        .await
        .unwrap()
        .expect("the first claim leads");
    assert!(first.is_held().await);
    assert!(
        ledger.try_lead("relay").await.unwrap().is_none(),
        "a second claim must wait"
    );
    let other = ledger.try_lead("another-role").await.unwrap();
    assert!(other.is_some(), "leads are per name");
    drop(first);
    // PostgreSQL releases the lock when the session closes, which happens just after the drop.
    let mut again = None;
    for _ in 0..100 {
        again = ledger.try_lead("relay").await.unwrap();
        if again.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a released lead can be taken again");
}
