//! The read side's tests, in one binary: the read-store contract suite and the projector.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod readers {
    mod group_queries;
    mod projector;
    mod read_store;
    mod user_queries;
}
