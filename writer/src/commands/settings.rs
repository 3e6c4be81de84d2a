//! Commands on settings resources (issue #4).
