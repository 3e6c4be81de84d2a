//! The settings read model (issue #4).

use castellan_core::{DomainError, Event};

use super::Projection;
use crate::store::RowOp;

pub struct SettingsProjection;

impl Projection for SettingsProjection {
    fn name(&self) -> &'static str {
        "settings_v1"
    }

    fn project(&self, _event: &Event) -> Result<Vec<RowOp>, DomainError> {
        Ok(Vec::new())
    }
}
