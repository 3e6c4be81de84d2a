//! Commands on groups and their members. Group ids are chosen before a command runs, so
//! planning again after a conflict decides about the same group. Commands that may find the
//! desired state already there (update, membership changes) are meant for
//! [`Writer::execute_or_unchanged`](crate::Writer::execute_or_unchanged).

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::group::{self, Candidate, Group, GroupEvent};
use castellan_core::org::Org;
use castellan_core::user::User;

use crate::writer::{Command, CommandContext, Plan, Writer};

/// CreateGroup in `org_id`, which must exist.
pub struct CreateGroup {
    pub group_id: String,
    pub org_id: String,
    pub name: String,
    pub description: String,
}

#[async_trait]
impl Command for CreateGroup {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let org = writer.load::<Org>(ctx, &self.org_id).await?;
        if !org.state.exists() {
            return Err(DomainError::not_found("ORG-0001", "Organization not found"));
        }
        let loaded = writer.load::<Group>(ctx, &self.group_id).await?;
        let decision = group::add(&loaded.state, &self.org_id, &self.name, &self.description)?;
        let mut plan = Plan::default();
        plan.add(ctx, &self.group_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}

/// Any command that decides about one existing group alone (update, delete, removing members).
pub struct OnGroup<F> {
    pub group_id: String,
    pub decide: F,
}

impl<F> OnGroup<F>
where
    F: Fn(&Group) -> Result<Decision<GroupEvent>, DomainError> + Send + Sync,
{
    pub fn new(group_id: &str, decide: F) -> Self {
        Self {
            group_id: group_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnGroup<F>
where
    F: Fn(&Group) -> Result<Decision<GroupEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Group>(ctx, &self.group_id).await?;
        loaded.state.require_found()?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.group_id,
            loaded.version,
            &loaded.state.org_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}

/// AddUsersToGroup: looks each user up in the instance's ledger (a user of another instance is
/// simply not found) and adds those of the group's org. Returns the ids that could not be
/// added (unknown, removed, or of another org).
pub struct AddGroupUsers {
    pub group_id: String,
    pub user_ids: Vec<String>,
}

#[async_trait]
impl Command for AddGroupUsers {
    type Output = Vec<String>;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, Vec<String>), DomainError> {
        let loaded = writer.load::<Group>(ctx, &self.group_id).await?;
        loaded.state.require_found()?;
        if self.user_ids.is_empty() || self.user_ids.len() > group::MAX_USERS_PER_CALL {
            // Let the domain answer (before loading any user).
            group::add_users(&loaded.state, &[])?;
        }
        let mut candidates: Vec<Candidate> = Vec::with_capacity(self.user_ids.len());
        for user_id in &self.user_ids {
            if candidates.iter().any(|c| &c.user_id == user_id) {
                continue;
            }
            // Members need no lookup: they were checked when added.
            let org_id = if loaded.state.members.contains(user_id) {
                Some(loaded.state.org_id.clone())
            } else {
                let user = writer.load::<User>(ctx, user_id).await?;
                user.state.exists().then_some(user.state.org_id)
            };
            candidates.push(Candidate {
                user_id: user_id.clone(),
                org_id,
            });
        }
        let outcome = group::add_users(&loaded.state, &candidates)?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.group_id,
            loaded.version,
            &loaded.state.org_id,
            outcome.decision,
        )?;
        Ok((plan, outcome.failed))
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
