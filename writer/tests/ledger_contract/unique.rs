//! Unique constraints: claimed and released in the append's transaction.

use std::sync::Arc;

use castellan_writer::ledger::{
    AggregateAppend, AppendBatch, Appended, LedgerError, UniqueConstraint, UniqueOp,
};

use crate::support::{CREATED_AT, INSTANCE, TestLedger, aggregate, changes, read_all_through};

fn login(instance_id: &str, field: &str) -> UniqueConstraint {
    UniqueConstraint {
        instance_id: instance_id.into(),
        unique_type: "login_name".into(),
        field: field.into(),
    }
}

fn with_unique(append: AggregateAppend, unique: Vec<UniqueOp>) -> AppendBatch {
    AppendBatch {
        appends: vec![append],
        unique,
        created_at: CREATED_AT,
    }
}

/// A new user that claims `field` as its login name.
async fn add_user<L: TestLedger>(
    ledger: &L,
    instance_id: &str,
    user_id: &str,
    field: &str,
) -> Result<Appended, LedgerError> {
    let mut append = aggregate("user", user_id, 0, changes("user", 1));
    append.instance_id = instance_id.into();
    ledger
        .append(with_unique(
            append,
            vec![UniqueOp::Claim(login(instance_id, field))],
        ))
        .await
}

fn assert_violation(result: Result<Appended, LedgerError>, field: &str) {
    match result {
        Err(LedgerError::UniqueViolation {
            unique_type,
            field: reported,
        }) => {
            assert_eq!(unique_type, "login_name");
            assert_eq!(reported, field);
        }
        other => panic!("expected a unique violation on {field:?}, got {other:?}"),
    }
}

pub async fn claim_is_case_insensitive_and_a_violation_writes_nothing<L: TestLedger>(
    ledger: Arc<L>,
) {
    let first = add_user(&*ledger, INSTANCE, "user-1", "Ada@Example.com")
        .await
        .unwrap();

    let second = add_user(&*ledger, INSTANCE, "user-2", "ada@EXAMPLE.COM").await;
    assert_violation(second, "ada@EXAMPLE.COM");
    let third = add_user(&*ledger, INSTANCE, "user-3", "ADA@example.com").await;
    assert_violation(third, "ADA@example.com");

    // The violating batches wrote no events.
    for user_id in ["user-2", "user-3"] {
        assert!(
            ledger
                .read_aggregate(INSTANCE, "user", user_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        read_all_through(&*ledger, first.position()).await,
        first.events
    );
    assert!(
        !LedgerError::UniqueViolation {
            unique_type: String::new(),
            field: String::new()
        }
        .is_retryable()
    );
}

pub async fn release_then_claim_again<L: TestLedger>(ledger: Arc<L>) {
    add_user(&*ledger, INSTANCE, "user-1", "grace")
        .await
        .unwrap();
    assert_violation(
        add_user(&*ledger, INSTANCE, "user-2", "Grace").await,
        "Grace",
    );

    // Releasing is case-insensitive too, and releasing a free value is not an error.
    ledger
        .append(with_unique(
            aggregate("user", "user-1", 1, changes("user", 1)),
            vec![
                UniqueOp::Release(login(INSTANCE, "GRACE")),
                UniqueOp::Release(login(INSTANCE, "never-claimed")),
            ],
        ))
        .await
        .unwrap();
    let taken = add_user(&*ledger, INSTANCE, "user-2", "Grace")
        .await
        .unwrap();
    assert_eq!(taken.events.len(), 1);
    assert_violation(
        add_user(&*ledger, INSTANCE, "user-3", "grace").await,
        "grace",
    );
}

pub async fn release_and_claim_in_one_batch<L: TestLedger>(ledger: Arc<L>) {
    add_user(&*ledger, INSTANCE, "user-1", "old-name")
        .await
        .unwrap();

    // Rename: release the old value and claim the new one atomically.
    ledger
        .append(with_unique(
            aggregate("user", "user-1", 1, changes("user", 1)),
            vec![
                UniqueOp::Release(login(INSTANCE, "old-name")),
                UniqueOp::Claim(login(INSTANCE, "new-name")),
            ],
        ))
        .await
        .unwrap();
    add_user(&*ledger, INSTANCE, "user-2", "OLD-NAME")
        .await
        .unwrap();
    assert_violation(
        add_user(&*ledger, INSTANCE, "user-3", "new-name").await,
        "new-name",
    );

    // Releasing and re-claiming the same value in one batch keeps it held.
    ledger
        .append(with_unique(
            aggregate("user", "user-1", 2, changes("user", 1)),
            vec![
                UniqueOp::Release(login(INSTANCE, "new-name")),
                UniqueOp::Claim(login(INSTANCE, "New-Name")),
            ],
        ))
        .await
        .unwrap();
    assert_violation(
        add_user(&*ledger, INSTANCE, "user-3", "new-name").await,
        "new-name",
    );

    // A failed batch does not release what it released: the rename below collides on its claim.
    let failed = ledger
        .append(with_unique(
            aggregate("user", "user-1", 3, changes("user", 1)),
            vec![
                UniqueOp::Release(login(INSTANCE, "new-name")),
                UniqueOp::Claim(login(INSTANCE, "old-name")),
            ],
        ))
        .await;
    assert_violation(failed, "old-name");
    assert_violation(
        add_user(&*ledger, INSTANCE, "user-3", "new-name").await,
        "new-name",
    );
    assert_eq!(
        ledger
            .read_aggregate(INSTANCE, "user", "user-1")
            .await
            .unwrap()
            .len(),
        3
    );
}

pub async fn claims_are_scoped_by_instance_and_type<L: TestLedger>(ledger: Arc<L>) {
    add_user(&*ledger, INSTANCE, "user-1", "bob").await.unwrap();
    // Another instance may hold the same value, once.
    add_user(&*ledger, "instance-2", "user-1", "Bob")
        .await
        .unwrap();
    assert_violation(
        add_user(&*ledger, "instance-2", "user-2", "BOB").await,
        "BOB",
    );
    // Another unique type in the same instance may hold the same value.
    let domain = UniqueConstraint {
        instance_id: INSTANCE.into(),
        unique_type: "org_domain".into(),
        field: "bob".into(),
    };
    ledger
        .append(with_unique(
            aggregate("org", "org-1", 0, changes("org", 1)),
            vec![UniqueOp::Claim(domain)],
        ))
        .await
        .unwrap();
    assert_violation(add_user(&*ledger, INSTANCE, "user-2", "bob").await, "bob");
}

pub async fn duplicate_claim_in_one_batch_fails<L: TestLedger>(ledger: Arc<L>) {
    let result = ledger
        .append(with_unique(
            aggregate("user", "user-1", 0, changes("user", 1)),
            vec![
                UniqueOp::Claim(login(INSTANCE, "twice")),
                UniqueOp::Claim(login(INSTANCE, "Twice")),
            ],
        ))
        .await;
    assert_violation(result, "Twice");
    assert!(
        ledger
            .read_aggregate(INSTANCE, "user", "user-1")
            .await
            .unwrap()
            .is_empty()
    );
    // Nothing of the failed batch was kept: the value is still free.
    add_user(&*ledger, INSTANCE, "user-2", "twice")
        .await
        .unwrap();
}
