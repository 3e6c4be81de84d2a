//! End-to-end tests: the real `castellan` binary, started as a process on a free port, driven
//! over HTTP. One test binary (every file in `tests/` would link its own).

mod e2e {
    pub mod support;

    mod embedded;
    mod errors;
    mod lifecycle;
    mod postgres;
}
