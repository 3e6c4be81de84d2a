//! Queries on the user read model (issue #4).
