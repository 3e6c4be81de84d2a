//! Castellan's domain core.
//!
//! Pure code only: no tokio, no sqlx, no axum. Time and ids are injected through [`clock::Clock`]
//! and [`ids::IdGenerator`], so aggregates and projections are deterministic and replayable.

pub mod administrator;
pub mod authorization;
pub mod clock;
mod ct;
pub mod error;
pub mod event;
pub mod group;
pub mod ids;
pub mod instance;
pub mod oidc;
pub mod org;
pub mod permission;
pub mod project;
pub mod scim_target;
pub mod session;
pub mod settings;
pub mod sink;
pub mod user;
pub mod web_key;

pub use ct::ct_eq;
pub use error::{DomainError, ErrorKind};
pub use event::{Event, NewEvent, Position};
