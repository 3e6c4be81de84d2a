//! End-to-end tests of the settings APIs (issue #4).
