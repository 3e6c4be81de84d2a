//! The project read model (issue #4).

use castellan_core::{DomainError, Event};

use super::Projection;
use crate::store::RowOp;

pub struct ProjectProjection;

impl Projection for ProjectProjection {
    fn name(&self) -> &'static str {
        "projects_v1"
    }

    fn project(&self, _event: &Event) -> Result<Vec<RowOp>, DomainError> {
        Ok(Vec::new())
    }
}
