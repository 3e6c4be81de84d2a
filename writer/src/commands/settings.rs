//! Commands on settings: instance defaults (aggregate id = the instance id) and org overrides
//! (aggregate id = the org id, which must exist).

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::instance::{Instance, InstanceEvent};
use castellan_core::org::Org;
use castellan_core::settings::{Owner, Settings, SettingsEvent};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Any decision about one owner's settings.
pub struct OnSettings<F> {
    /// The org whose overrides change, or `None` for the instance's defaults.
    pub org_id: Option<String>,
    pub decide: F,
}

impl<F> OnSettings<F>
where
    F: Fn(&Settings, Owner) -> Result<Decision<SettingsEvent>, DomainError> + Send + Sync,
{
    pub fn instance(decide: F) -> Self {
        Self {
            org_id: None,
            decide,
        }
    }

    pub fn org(org_id: &str, decide: F) -> Self {
        Self {
            org_id: Some(org_id.to_owned()),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnSettings<F>
where
    F: Fn(&Settings, Owner) -> Result<Decision<SettingsEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let (owner_id, owner) = match &self.org_id {
            Some(org_id) => {
                let org = writer.load::<Org>(ctx, org_id).await?;
                if !org.state.exists() {
                    return Err(DomainError::not_found("ORG-0001", "Organization not found"));
                }
                (org_id.clone(), Owner::Org)
            }
            None => (ctx.instance_id.clone(), Owner::Instance),
        };
        let loaded = writer.load::<Settings>(ctx, &owner_id).await?;
        let decision = (self.decide)(&loaded.state, owner)?;
        let mut plan = Plan::default();
        plan.add(ctx, &owner_id, loaded.version, &owner_id, decision)?;
        Ok((plan, ()))
    }
}

/// Any decision about the command's own instance (InstanceService).
pub struct OnInstance<F> {
    pub decide: F,
}

#[async_trait]
impl<F> Command for OnInstance<F>
where
    F: Fn(&Instance) -> Result<Decision<InstanceEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Instance>(ctx, &ctx.instance_id).await?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &ctx.instance_id,
            loaded.version,
            &ctx.instance_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}
