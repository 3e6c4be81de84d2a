//! Queries on the settings read model (issue #4).
