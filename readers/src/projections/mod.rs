//! Projections: pure functions from an event to row ops on query-shaped tables.

pub mod authorization;
pub mod group;
pub mod identity;
pub mod oidc;
pub mod org;
pub mod project;
pub mod settings;
pub mod sink;
pub mod user;

use castellan_core::{DomainError, Event};

use crate::store::RowOp;

pub trait Projection: Send + Sync {
    /// Names the projection's checkpoint; change it to rebuild the projection.
    fn name(&self) -> &'static str;
    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError>;
}

/// Every projection Castellan runs.
pub fn all() -> Vec<Box<dyn Projection>> {
    vec![
        Box::new(org::OrgProjection),
        Box::new(identity::IdentityProjection),
        Box::new(user::UserProjection),
        Box::new(project::ProjectProjection),
        Box::new(authorization::AuthorizationProjection),
        Box::new(settings::SettingsProjection),
        Box::new(oidc::OidcProjection),
        Box::new(group::GroupProjection),
        Box::new(sink::SinkProjection),
    ]
}

pub fn columns(pairs: &[(&str, serde_json::Value)]) -> crate::store::Columns {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}
