//! Chaos tests: the distributed mode (api, relay, readers as separate `castellan` processes) under
//! a steady write load while its processes and the real PostgreSQL, Kafka and Cassandra of
//! `infra/` are killed, restarted and cut off. See `docs/design/0008-chaos.md`.
//!
//! Run alone (it kills the shared test servers for a few seconds each, and restores them):
//!
//! ```sh
//! eval "$(bash infra/up)"
//! cargo build -p castellan-server        # the test runs target/<profile>/castellan
//! cargo test -p castellan-chaos-tests --test chaos -- --nocapture
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod chaos {
    pub mod binary;
    pub mod checks;
    pub mod infra;
    pub mod load;
    pub mod node;
    pub mod proxy;
    pub mod report;

    mod scenario;
}
