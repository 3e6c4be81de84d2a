//! Read side.
