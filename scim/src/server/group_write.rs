//! One SCIM Group write (POST, PUT or PATCH) as one command on the group aggregate: the name,
//! the external id and the member set, decided together and appended at once. Members must be
//! users of the group's org (checked against the ledger when the command is planned).

use std::collections::BTreeSet;

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::Position;
use castellan_core::event::{Aggregate, Decision, EventMeta};
use castellan_core::group::{self, Candidate, Group, GroupEvent};
use castellan_core::org::Org;
use castellan_core::user::User;
use castellan_writer::writer::{Command, CommandContext, Plan, Writer};

/// What the group should be after the request.
#[derive(Clone, Debug)]
pub struct GroupWrite {
    pub group_id: String,
    pub org_id: String,
    /// A new group (POST) rather than an existing one.
    pub create: bool,
    pub name: String,
    pub external_id: Option<String>,
    pub members: BTreeSet<String>,
}

fn applied(state: &Group, decision: &Decision<GroupEvent>, org_id: &str) -> Group {
    let mut after = state.clone();
    let meta = EventMeta {
        sequence: 0,
        created_at: castellan_core::clock::Timestamp(0),
        resource_owner: org_id.to_owned(),
        position: Position(0),
    };
    for event in &decision.events {
        after.apply(event, &meta);
    }
    after
}

#[async_trait]
impl Command for GroupWrite {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Group>(ctx, &self.group_id).await?;
        let mut decision = Decision::default();
        let mut state = loaded.state.clone();
        if self.create {
            let org = writer.load::<Org>(ctx, &self.org_id).await?;
            if !org.state.exists() {
                return Err(DomainError::not_found("ORG-0001", "Organization not found"));
            }
            decision = group::add(&state, &self.org_id, &self.name, "")?;
            state = applied(&state, &decision, &self.org_id);
        } else {
            loaded.state.require_found()?;
            if loaded.state.org_id != self.org_id {
                return Err(group::not_found());
            }
            let renamed = group::change(&state, Some(&self.name), None)?;
            state = applied(&state, &renamed, &self.org_id);
            decision.merge(renamed);
        }
        let external = group::set_external_id(&state, self.external_id.as_deref())?;
        state = applied(&state, &external, &self.org_id);
        decision.merge(external);
        let to_add: Vec<&String> = self.members.difference(&state.members).collect();
        if !to_add.is_empty() {
            let mut candidates = Vec::with_capacity(to_add.len());
            for user_id in &to_add {
                let user = writer.load::<User>(ctx, user_id).await?;
                candidates.push(Candidate {
                    user_id: (*user_id).clone(),
                    org_id: user.state.exists().then_some(user.state.org_id),
                });
            }
            for chunk in candidates.chunks(group::MAX_USERS_PER_CALL) {
                let outcome = group::add_users(&state, chunk)?;
                if let Some(failed) = outcome.failed.first() {
                    return Err(DomainError::invalid(
                        "SCIM-0001",
                        format!("member {failed:?} is not a user of this organization"),
                    ));
                }
                state = applied(&state, &outcome.decision, &self.org_id);
                decision.merge(outcome.decision);
            }
        }
        let to_remove: Vec<String> = state.members.difference(&self.members).cloned().collect();
        for chunk in to_remove.chunks(group::MAX_USERS_PER_CALL) {
            let removed = group::remove_users(&state, chunk)?;
            state = applied(&state, &removed, &self.org_id);
            decision.merge(removed);
        }
        let mut plan = Plan::default();
        plan.add(ctx, &self.group_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}
