//! Command handlers: one module per resource.

pub mod authorization;
pub mod org;
pub mod project;
pub mod settings;
pub mod setup;
pub mod user;
