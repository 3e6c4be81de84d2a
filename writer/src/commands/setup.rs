//! First-instance setup: an instance, its default org, a human admin and a machine admin with a
//! personal access token, all in one atomic append.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::instance::{self, Instance, InstanceEvent};
use castellan_core::org::{self, Org};
use castellan_core::permission::{IAM_OWNER, ORG_OWNER};
use castellan_core::user::{self, NewHuman, User};

use crate::writer::{Command, CommandContext, Plan, Writer};

pub struct MachineAdmin {
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub token_id: String,
    pub token_hash: String,
    pub expiration: Option<Timestamp>,
}

/// `ctx.instance_id` is the new instance's id.
pub struct SetupFirstInstance {
    pub instance_name: String,
    pub domain: String,
    pub org_id: String,
    pub org_name: String,
    pub human_id: String,
    pub human: NewHuman,
    pub machine: Option<MachineAdmin>,
}

#[async_trait]
impl Command for SetupFirstInstance {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let mut plan = Plan::default();
        let inst = writer.load::<Instance>(ctx, &ctx.instance_id).await?;
        let mut decision = instance::add(&inst.state, &self.instance_name, &self.domain)?;
        decision.events.push(InstanceEvent::DefaultOrgSet {
            org_id: self.org_id.clone(),
        });
        let mut admins = vec![self.human_id.clone()];
        if let Some(machine) = &self.machine {
            admins.push(machine.user_id.clone());
        }
        for user_id in &admins {
            decision.events.push(InstanceEvent::MemberAdded {
                user_id: user_id.clone(),
                roles: vec![IAM_OWNER.into()],
            });
        }
        plan.add(
            ctx,
            &ctx.instance_id,
            inst.version,
            &ctx.instance_id,
            decision,
        )?;

        let org_state = writer.load::<Org>(ctx, &self.org_id).await?;
        let members = vec![(self.human_id.clone(), vec![ORG_OWNER.to_owned()])];
        let org_decision = org::add(&org_state.state, &self.org_name, &self.domain, &members)?;
        plan.add(
            ctx,
            &self.org_id,
            org_state.version,
            &self.org_id,
            org_decision,
        )?;

        let human = writer.load::<User>(ctx, &self.human_id).await?;
        let human_decision = user::add_human(&human.state, self.human.clone())?;
        plan.add(
            ctx,
            &self.human_id,
            human.version,
            &self.org_id,
            human_decision,
        )?;

        if let Some(machine) = &self.machine {
            let loaded = writer.load::<User>(ctx, &machine.user_id).await?;
            let mut machine_decision: Decision<_> =
                user::add_machine(&loaded.state, &machine.username, &machine.name, "")?;
            // The machine does not exist yet in `loaded.state`; decide the token against the
            // state the first event produces.
            let mut state = loaded.state.clone();
            for event in &machine_decision.events {
                castellan_core::event::Aggregate::apply(&mut state, event, &pending_meta());
            }
            let token = user::add_personal_access_token(
                &state,
                machine.token_id.clone(),
                machine.token_hash.clone(),
                machine.expiration,
                writer.now(),
            )?;
            machine_decision.events.extend(token.events);
            plan.add(
                ctx,
                &machine.user_id,
                loaded.version,
                &self.org_id,
                machine_decision,
            )?;
        }
        Ok((plan, ()))
    }
}

/// Envelope fields for applying events a command has decided but not yet appended.
pub(crate) fn pending_meta() -> castellan_core::event::EventMeta {
    castellan_core::event::EventMeta {
        sequence: 0,
        created_at: Timestamp(0),
        resource_owner: String::new(),
        position: castellan_core::Position(0),
    }
}
