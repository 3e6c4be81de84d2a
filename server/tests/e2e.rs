//! End-to-end tests: the real `castellan` binary, started as a process on a free port, driven
//! over HTTP. One test binary (every file in `tests/` would link its own).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod e2e {
    pub mod support;

    mod authorizations;
    mod browser;
    mod distributed;
    mod domains;
    mod embedded;
    mod errors;
    mod events;
    mod groups;
    mod lifecycle;
    mod node_rp;
    mod oidc;
    mod postgres;
    mod projects;
    mod scim;
    mod scim_outbound;
    mod sdk;
    mod sessions;
    mod settings;
    mod sinks;
    mod totp;
    mod users;
    mod web_keys;
}
