//! The ledger contract: one suite of specifications, run against every [`Ledger`] implementation.
//!
//! `ledger_contract_suite!` instantiates each `async fn` of the suite modules once per backend
//! (the shape of quickwit's `metastore_test_suite!`). Every test gets a fresh, migrated ledger:
//! a temporary file (SQLite), a private in-memory database (SQLite), or a database created for
//! the test on the server named by `CASTELLAN_TEST_POSTGRES_URL` and dropped afterwards
//! (PostgreSQL). Without that variable the PostgreSQL tests fail; they never pass silently.
//!
//! This is one test binary on purpose: add modules under `tests/ledger_contract/`, not files
//! next to this one.
//!
//! [`Ledger`]: castellan_writer::ledger::Ledger

// The workspace denies these outside tests; this whole crate is a test (the suite's helpers are
// not `#[test]` functions, so clippy's in-test allowances do not reach them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "ledger_contract/basics.rs"]
mod basics;
#[path = "ledger_contract/concurrency.rs"]
mod concurrency;
#[path = "ledger_contract/filters.rs"]
mod filters;
#[path = "ledger_contract/postgres_only.rs"]
mod postgres_only;
#[path = "ledger_contract/sqlite_only.rs"]
mod sqlite_only;
#[path = "ledger_contract/support.rs"]
mod support;
#[path = "ledger_contract/unique.rs"]
mod unique;

/// Instantiates the whole contract suite for one backend. `$harness` is an async fn that takes
/// a suite test (`FnOnce(Arc<L>) -> impl Future`), runs it against a fresh ledger and cleans up.
macro_rules! ledger_contract_suite {
    ($backend:ident => $harness:path) => {
        ledger_contract_suite!(@expand $backend => $harness; [
            basics::append_then_read_aggregate_round_trips_every_field,
            basics::expected_version_mismatch_conflicts_and_writes_nothing,
            basics::multi_aggregate_batch_is_atomic,
            basics::invalid_batches_are_rejected_and_write_nothing,
            basics::head_tracks_the_last_position_and_appended_fires,
            basics::migrate_is_idempotent,
            basics::checkpoints_persist_and_never_move_backwards,
            basics::leadership_is_exclusive_until_released,
            unique::claim_is_case_insensitive_and_a_violation_writes_nothing,
            unique::release_then_claim_again,
            unique::release_and_claim_in_one_batch,
            unique::claims_are_scoped_by_instance_and_type,
            unique::duplicate_claim_in_one_batch_fails,
            filters::read_applies_every_filter_in_position_order,
            filters::read_pages_with_after_and_limit,
            filters::read_filters_audit_fields_and_descends,
            concurrency::racing_appends_have_one_winner_per_version,
            concurrency::retrying_appends_all_land,
            concurrency::tail_is_gap_free_under_concurrent_appends,
        ]);
    };
    (@expand $backend:ident => $harness:path; [$($module:ident :: $test:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    $harness(crate::$module::$test).await;
                }
            )*
        }
    };
}

ledger_contract_suite!(sqlite => crate::support::sqlite::run);
ledger_contract_suite!(sqlite_in_memory => crate::support::sqlite::run_in_memory);
ledger_contract_suite!(postgres => crate::support::postgres::run);
