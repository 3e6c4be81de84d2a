//! Command handlers: one module per resource.

pub mod authorization;
pub mod group;
pub mod oidc;
pub mod org;
pub mod project;
pub mod scim_target;
pub mod session;
pub mod settings;
pub mod setup;
pub mod sink;
pub mod totp;
pub mod user;
