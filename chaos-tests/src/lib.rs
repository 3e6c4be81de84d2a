//! Fault injection against real PostgreSQL, Kafka and Cassandra.
//!
//! Everything lives in the test binary `tests/chaos.rs` (run it alone with
//! `cargo test -p castellan-chaos-tests --test chaos -- --nocapture`); see
//! `docs/design/0008-chaos.md` for what it injects and checks, and `docs/chaos-report.md` for
//! the numbers of past runs.
