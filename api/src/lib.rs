//! API edge.
