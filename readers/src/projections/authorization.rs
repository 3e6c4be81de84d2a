//! The authorization read model (issue #4).

use castellan_core::{DomainError, Event};

use super::Projection;
use crate::store::RowOp;

pub struct AuthorizationProjection;

impl Projection for AuthorizationProjection {
    fn name(&self) -> &'static str {
        "authorizations_v1"
    }

    fn project(&self, _event: &Event) -> Result<Vec<RowOp>, DomainError> {
        Ok(Vec::new())
    }
}
