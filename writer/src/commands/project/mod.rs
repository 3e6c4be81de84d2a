//! Commands on projects, their roles, applications and grants. Ids and secrets are chosen before
//! a command runs, so planning again after a conflict decides about the same objects.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::project::{self, Project, ProjectEvent, ProjectSettings};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// CreateProject in `org_id` (whose existence the caller has checked).
pub struct CreateProject {
    pub project_id: String,
    pub org_id: String,
    pub settings: ProjectSettings,
}

#[async_trait]
impl Command for CreateProject {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Project>(ctx, &self.project_id).await?;
        let decision = project::add(&loaded.state, &self.org_id, self.settings.clone())?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.project_id,
            loaded.version,
            &self.org_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}

/// Any command that decides about one existing project alone.
pub struct OnProject<F> {
    pub project_id: String,
    pub decide: F,
}

impl<F> OnProject<F>
where
    F: Fn(&Project) -> Result<Decision<ProjectEvent>, DomainError> + Send + Sync,
{
    pub fn new(project_id: &str, decide: F) -> Self {
        Self {
            project_id: project_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnProject<F>
where
    F: Fn(&Project) -> Result<Decision<ProjectEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Project>(ctx, &self.project_id).await?;
        loaded.state.require_found()?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.project_id,
            loaded.version,
            &loaded.state.org_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}

pub mod keys;
