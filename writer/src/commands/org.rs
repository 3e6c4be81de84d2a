//! Organization commands. Ids are chosen before a command runs, so planning again after a
//! conflict decides about the same objects.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::instance::Instance;
use castellan_core::org::{self, Org, OrgEvent};
use castellan_core::permission::ORG_OWNER;
use castellan_core::user::{self, NewHuman, User, UserKind};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// An administrator of a new org: an existing user, or a human created with the org.
#[derive(Clone, Debug)]
pub enum NewAdmin {
    Existing {
        user_id: String,
        roles: Vec<String>,
    },
    Human {
        user_id: String,
        human: NewHuman,
        roles: Vec<String>,
    },
}

impl NewAdmin {
    fn user_id(&self) -> &str {
        match self {
            NewAdmin::Existing { user_id, .. } | NewAdmin::Human { user_id, .. } => user_id,
        }
    }

    /// ZITADEL's rule: an admin given no roles becomes ORG_OWNER.
    fn roles(&self) -> Vec<String> {
        let roles = match self {
            NewAdmin::Existing { roles, .. } | NewAdmin::Human { roles, .. } => roles,
        };
        if roles.is_empty() {
            vec![ORG_OWNER.to_owned()]
        } else {
            roles.clone()
        }
    }
}

pub struct AddOrganization {
    pub org_id: String,
    pub name: String,
    /// The instance's domain, under which the org's domain is generated.
    pub instance_domain: String,
    pub admins: Vec<NewAdmin>,
}

#[async_trait]
impl Command for AddOrganization {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let mut plan = Plan::default();
        let org = writer.load::<Org>(ctx, &self.org_id).await?;
        let mut members = Vec::with_capacity(self.admins.len());
        for (index, admin) in self.admins.iter().enumerate() {
            if self
                .admins
                .iter()
                .skip(index + 1)
                .any(|other| other.user_id() == admin.user_id())
            {
                return Err(DomainError::invalid("ORG-0023", "An admin is listed twice"));
            }
            let loaded = writer.load::<User>(ctx, admin.user_id()).await?;
            match admin {
                NewAdmin::Existing { .. } => {
                    if loaded.state.kind == UserKind::Unspecified {
                        return Err(DomainError::not_found("USER-0010", "User not found"));
                    }
                }
                NewAdmin::Human { human, .. } => {
                    let decision = user::add_human(&loaded.state, human.clone())?;
                    plan.add(ctx, admin.user_id(), loaded.version, &self.org_id, decision)?;
                }
            }
            members.push((admin.user_id().to_owned(), admin.roles()));
        }
        let decision = org::add(&org.state, &self.name, &self.instance_domain, &members)?;
        plan.add(ctx, &self.org_id, org.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}

/// Any command that decides about one existing org alone.
pub struct OnOrg<F> {
    pub org_id: String,
    pub decide: F,
}

impl<F> OnOrg<F>
where
    F: Fn(&Org) -> Result<Decision<OrgEvent>, DomainError> + Send + Sync,
{
    pub fn new(org_id: &str, decide: F) -> Self {
        Self {
            org_id: org_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnOrg<F>
where
    F: Fn(&Org) -> Result<Decision<OrgEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Org>(ctx, &self.org_id).await?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(ctx, &self.org_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}

/// DeleteOrganization: refuses the instance's default org.
pub struct RemoveOrganization {
    pub org_id: String,
}

#[async_trait]
impl Command for RemoveOrganization {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let instance = writer.load::<Instance>(ctx, &ctx.instance_id).await?;
        let loaded = writer.load::<Org>(ctx, &self.org_id).await?;
        let is_default = instance.state.default_org_id.as_deref() == Some(self.org_id.as_str());
        let decision = org::remove(&loaded.state, is_default)?;
        let mut plan = Plan::default();
        plan.add(ctx, &self.org_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}
