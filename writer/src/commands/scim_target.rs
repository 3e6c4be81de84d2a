//! Commands on outbound SCIM targets. A target belongs to an org (its resource owner). Secrets
//! arrive sealed: the writer never sees a target credential in plaintext.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::scim_target::{ScimTarget, ScimTargetEvent};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Any command that decides about one target alone: create, change, remove, record or resolve
/// a dead letter, record a reconcile run. The target id is chosen before the command runs.
pub struct OnScimTarget<F> {
    pub target_id: String,
    /// The org a new target is created in; for an existing one, the org it must belong to.
    pub org_id: String,
    pub decide: F,
}

impl<F> OnScimTarget<F>
where
    F: Fn(&ScimTarget) -> Result<Decision<ScimTargetEvent>, DomainError> + Send + Sync,
{
    pub fn new(target_id: &str, org_id: &str, decide: F) -> Self {
        Self {
            target_id: target_id.to_owned(),
            org_id: org_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnScimTarget<F>
where
    F: Fn(&ScimTarget) -> Result<Decision<ScimTargetEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<ScimTarget>(ctx, &self.target_id).await?;
        if loaded.state.exists() && loaded.state.org_id != self.org_id {
            return Err(castellan_core::scim_target::not_found());
        }
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(ctx, &self.target_id, loaded.version, &self.org_id, decision)?;
        Ok((plan, ()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use castellan_core::clock::{FixedClock, Timestamp};
    use castellan_core::ids::SequentialIds;
    use castellan_core::scim_target::{self, TargetSettings, TargetSpec};

    use super::*;
    use crate::ledger::Ledger;
    use crate::ledger::sqlite::SqliteLedger;

    #[tokio::test]
    async fn a_target_is_owned_by_its_org_and_another_org_cannot_touch_it() {
        let ledger = Arc::new(SqliteLedger::open_in_memory().await.unwrap());
        ledger.migrate().await.unwrap();
        let writer = Writer::new(
            ledger,
            Arc::new(FixedClock(Timestamp(1))),
            Arc::new(SequentialIds::new("t-")),
        );
        let ctx = CommandContext {
            instance_id: "inst".into(),
            creator: "admin".into(),
        };
        let spec = TargetSpec {
            name: "app".into(),
            settings: TargetSettings {
                base_url: "https://app.example.com/scim/v2".into(),
                ..TargetSettings::default()
            },
            ..TargetSpec::default()
        };
        writer
            .execute(
                &ctx,
                &OnScimTarget::new("t1", "org-a", |t: &ScimTarget| {
                    scim_target::add(t, &spec, "v1.a.b")
                }),
            )
            .await
            .unwrap();
        let other = writer
            .execute(
                &ctx,
                &OnScimTarget::new("t1", "org-b", |t: &ScimTarget| {
                    scim_target::remove(t, "org-b")
                }),
            )
            .await
            .unwrap_err();
        assert_eq!(other.code, "SCIMT-0001");
        let loaded = writer.load::<ScimTarget>(&ctx, "t1").await.unwrap();
        assert_eq!(loaded.state.org_id, "org-a");
        assert_eq!(loaded.version, 1, "nothing was appended for org-b");
    }
}
