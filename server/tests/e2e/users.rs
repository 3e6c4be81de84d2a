//! End-to-end tests of the users APIs (issue #4).
