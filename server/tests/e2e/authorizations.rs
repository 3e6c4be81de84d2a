//! End-to-end tests of the authorizations APIs (issue #4).
