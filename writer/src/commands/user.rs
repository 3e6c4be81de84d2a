//! User commands: creating a user in an org, any change to one existing user, and the machine
//! user with a personal access token that setup and tests use.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::{Aggregate, Decision};
use castellan_core::org::{Org, OrgEvent, OrgState};
use castellan_core::user::{self, User, UserEvent};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Creates a user in an existing, active org. `decide` gets the (new) user state and the time.
pub struct CreateUser<F> {
    pub org_id: String,
    pub user_id: String,
    pub decide: F,
}

#[async_trait]
impl<F> Command for CreateUser<F>
where
    F: Fn(&User, Timestamp) -> Result<Decision<UserEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let org = writer.load::<Org>(ctx, &self.org_id).await?;
        if !org.state.exists() {
            return Err(DomainError::not_found("ORG-0001", "Organization not found"));
        }
        if org.state.state == OrgState::Inactive {
            return Err(DomainError::precondition(
                "USER-0034",
                "Users cannot be added to a deactivated organization",
            ));
        }
        let loaded = writer.load::<User>(ctx, &self.user_id).await?;
        if loaded.version > 0 {
            return Err(DomainError::already_exists(
                "USER-0004",
                "User already exists",
            ));
        }
        let decision = (self.decide)(&loaded.state, writer.now())?;
        let mut plan = Plan::default();
        plan.add(ctx, &self.user_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}

/// Any command that decides about one existing user alone. Returns the user's org.
pub struct OnUser<F> {
    pub user_id: String,
    pub decide: F,
}

impl<F> OnUser<F>
where
    F: Fn(&User, Timestamp) -> Result<Decision<UserEvent>, DomainError> + Send + Sync,
{
    pub fn new(user_id: &str, decide: F) -> Self {
        Self {
            user_id: user_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnUser<F>
where
    F: Fn(&User, Timestamp) -> Result<Decision<UserEvent>, DomainError> + Send + Sync,
{
    type Output = String;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, String), DomainError> {
        let loaded = writer.load::<User>(ctx, &self.user_id).await?;
        if !loaded.state.exists() {
            return Err(user::not_found());
        }
        let decision = (self.decide)(&loaded.state, writer.now())?;
        let org_id = loaded.state.org_id.clone();
        let mut plan = Plan::default();
        plan.add(ctx, &self.user_id, loaded.version, &org_id, decision)?;
        Ok((plan, org_id))
    }
}

pub struct AddMachineWithToken {
    pub org_id: String,
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub token_id: String,
    /// `secrets::token_hash` of the token handed to the caller.
    pub token_hash: String,
    pub expiration: Option<Timestamp>,
    /// Roles on `org_id`; none means no membership.
    pub org_roles: Vec<String>,
}

#[async_trait]
impl Command for AddMachineWithToken {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let org = writer.load::<Org>(ctx, &self.org_id).await?;
        if !org.state.exists() {
            return Err(DomainError::not_found("ORG-0001", "Organization not found"));
        }
        let loaded = writer.load::<User>(ctx, &self.user_id).await?;
        let mut decision = user::add_machine(&loaded.state, &self.username, &self.name, "")?;
        let mut state = loaded.state.clone();
        for event in &decision.events {
            state.apply(event, &crate::commands::setup::pending_meta());
        }
        let token = user::add_personal_access_token(
            &state,
            self.token_id.clone(),
            self.token_hash.clone(),
            self.expiration,
            writer.now(),
        )?;
        decision.events.extend(token.events);
        let mut plan = Plan::default();
        plan.add(ctx, &self.user_id, loaded.version, &self.org_id, decision)?;
        if !self.org_roles.is_empty() {
            let member = castellan_core::event::Decision::of(OrgEvent::MemberAdded {
                user_id: self.user_id.clone(),
                roles: self.org_roles.clone(),
            });
            plan.add(ctx, &self.org_id, org.version, &self.org_id, member)?;
        }
        Ok((plan, ()))
    }
}
