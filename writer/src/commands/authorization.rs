//! Commands on authorization resources (issue #4).
