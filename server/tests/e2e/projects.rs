//! End-to-end tests of the projects APIs (issue #4).
