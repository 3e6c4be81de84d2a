//! The user read model (issue #4).

use castellan_core::{DomainError, Event};

use super::Projection;
use crate::store::RowOp;

pub struct UserProjection;

impl Projection for UserProjection {
    fn name(&self) -> &'static str {
        "users_v1"
    }

    fn project(&self, _event: &Event) -> Result<Vec<RowOp>, DomainError> {
        Ok(Vec::new())
    }
}
