//! Queries on the authorization read model (issue #4).
