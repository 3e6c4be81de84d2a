//! Command handlers: one module per resource.

pub mod org;
pub mod setup;
pub mod user;
