//! User commands available so far: a machine user with a personal access token, optionally made
//! a member of its org. (The UserService, issue #4, builds on these.)

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Aggregate;
use castellan_core::org::{Org, OrgEvent};
use castellan_core::user::{self, User};

use crate::writer::{Command, CommandContext, Plan, Writer};

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
