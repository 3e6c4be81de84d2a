//! The authorization (user grant) aggregate: a user's roles on a project (issue #4).
