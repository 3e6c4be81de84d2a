//! Commands on authorizations (user grants) and on administrators (members of the instance, an
//! org, a project or a project grant).

mod administrator;

pub use administrator::{AdminScope, AdministratorChange, ChangeAdministrator};

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::authorization::{self, Authorization, AuthorizationEvent, NewAuthorization};
use castellan_core::event::Decision;
use castellan_core::user::{User, UserKind};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Fails with NotFound unless the user exists in the ledger.
pub(crate) async fn require_user(
    writer: &Writer,
    ctx: &CommandContext,
    user_id: &str,
) -> Result<(), DomainError> {
    let user = writer.load::<User>(ctx, user_id).await?;
    if user.state.kind == UserKind::Unspecified {
        return Err(DomainError::not_found("USER-0010", "User not found"));
    }
    Ok(())
}

/// CreateAuthorization. The id is chosen before the command runs; the API edge has checked the
/// project, its roles and the grant of the granting org against the read model.
pub struct CreateAuthorization {
    pub authorization_id: String,
    pub new: NewAuthorization,
}

#[async_trait]
impl Command for CreateAuthorization {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        require_user(writer, ctx, &self.new.user_id).await?;
        let loaded = writer
            .load::<Authorization>(ctx, &self.authorization_id)
            .await?;
        let decision = authorization::add(&loaded.state, self.new.clone())?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.authorization_id,
            loaded.version,
            &self.new.org_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}

/// Any command that decides about one existing authorization alone.
pub struct OnAuthorization<F> {
    pub authorization_id: String,
    pub decide: F,
}

impl<F> OnAuthorization<F>
where
    F: Fn(&Authorization) -> Result<Decision<AuthorizationEvent>, DomainError> + Send + Sync,
{
    pub fn new(authorization_id: &str, decide: F) -> Self {
        Self {
            authorization_id: authorization_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnAuthorization<F>
where
    F: Fn(&Authorization) -> Result<Decision<AuthorizationEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer
            .load::<Authorization>(ctx, &self.authorization_id)
            .await?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        let owner = loaded.state.org_id.clone();
        plan.add(
            ctx,
            &self.authorization_id,
            loaded.version,
            &owner,
            decision,
        )?;
        Ok((plan, ()))
    }
}

#[cfg(test)]
#[path = "authorization_tests.rs"]
mod tests;
