//! Commands on project resources (issue #4).
