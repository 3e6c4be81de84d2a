//! Administrator commands: one command for every scope and change, so the API's four RPCs share
//! one path to the ledger.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::administrator::{self, Administrators, ProjectScope};
use castellan_core::instance::{self, Instance};
use castellan_core::org::{self, Org};

use super::require_user;
use crate::writer::{Command, CommandContext, Plan, Writer};

/// Where the administrator's roles are held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminScope {
    Instance,
    Org(String),
    /// A project or a grant of it, with the org owning the project (the events' owner).
    Project {
        scope: ProjectScope,
        owner_org: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdministratorChange {
    Add(Vec<String>),
    Update(Vec<String>),
    Remove,
}

/// Create, update or delete an administrator. A delete of a user who is no administrator
/// decides nothing (the writer then answers `WRITE-0001`, which the edge reports as "already
/// done").
pub struct ChangeAdministrator {
    pub user_id: String,
    pub scope: AdminScope,
    pub change: AdministratorChange,
}

#[async_trait]
impl Command for ChangeAdministrator {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        if matches!(self.change, AdministratorChange::Add(_)) {
            require_user(writer, ctx, &self.user_id).await?;
        }
        let user = self.user_id.as_str();
        let mut plan = Plan::default();
        match &self.scope {
            AdminScope::Instance => {
                let loaded = writer.load::<Instance>(ctx, &ctx.instance_id).await?;
                let decision = match &self.change {
                    AdministratorChange::Add(roles) => {
                        instance::add_member(&loaded.state, user, roles)?
                    }
                    AdministratorChange::Update(roles) => {
                        instance::change_member(&loaded.state, user, roles)?
                    }
                    AdministratorChange::Remove => instance::remove_member(&loaded.state, user)?,
                };
                plan.add(
                    ctx,
                    &ctx.instance_id,
                    loaded.version,
                    &ctx.instance_id,
                    decision,
                )?;
            }
            AdminScope::Org(org_id) => {
                let loaded = writer.load::<Org>(ctx, org_id).await?;
                let decision = match &self.change {
                    AdministratorChange::Add(roles) => org::add_member(&loaded.state, user, roles)?,
                    AdministratorChange::Update(roles) => {
                        org::change_member(&loaded.state, user, roles)?
                    }
                    AdministratorChange::Remove => org::remove_member(&loaded.state, user)?,
                };
                plan.add(ctx, org_id, loaded.version, org_id, decision)?;
            }
            AdminScope::Project { scope, owner_org } => {
                let id = scope.aggregate_id();
                let loaded = writer.load::<Administrators>(ctx, &id).await?;
                let decision = match &self.change {
                    AdministratorChange::Add(roles) => {
                        administrator::add(&loaded.state, scope, user, roles)?
                    }
                    AdministratorChange::Update(roles) => {
                        administrator::change(&loaded.state, scope, user, roles)?
                    }
                    AdministratorChange::Remove => {
                        administrator::remove(&loaded.state, scope, user)?
                    }
                };
                plan.add(ctx, &id, loaded.version, owner_org, decision)?;
            }
        }
        Ok((plan, ()))
    }
}
