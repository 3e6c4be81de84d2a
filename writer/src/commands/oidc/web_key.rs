//! Web keys: one aggregate per instance (see `castellan_core::web_key`).

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::web_key::{self, WebKeyAlgorithm, WebKeySet};

use crate::writer::{Command, CommandContext, Plan, Writer};

pub struct AddWebKey {
    pub key_id: String,
    pub algorithm: WebKeyAlgorithm,
    pub public_jwk: serde_json::Value,
    pub sealed_private_key: String,
    /// Activate it in the same append, but only if the instance has no active key yet (the
    /// instance's first key); otherwise it stays initial.
    pub activate_if_none: bool,
}

#[async_trait]
impl Command for AddWebKey {
    type Output = bool;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, bool), DomainError> {
        let instance = ctx.instance_id.clone();
        let loaded = writer.load::<WebKeySet>(ctx, &instance).await?;
        if self.activate_if_none && loaded.state.active().is_some() {
            return Ok((Plan::default(), false));
        }
        let mut decision = web_key::add(
            &loaded.state,
            &self.key_id,
            self.algorithm.clone(),
            self.public_jwk.clone(),
            self.sealed_private_key.clone(),
        )?;
        if self.activate_if_none {
            decision
                .events
                .push(castellan_core::web_key::WebKeyEvent::Activated {
                    key_id: self.key_id.clone(),
                    previous: None,
                });
        }
        let mut plan = Plan::default();
        plan.add(ctx, &instance, loaded.version, &instance, decision)?;
        Ok((plan, true))
    }
}

pub struct ActivateWebKey {
    pub key_id: String,
}

#[async_trait]
impl Command for ActivateWebKey {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let instance = ctx.instance_id.clone();
        let loaded = writer.load::<WebKeySet>(ctx, &instance).await?;
        let decision = web_key::activate(&loaded.state, &self.key_id)?;
        let mut plan = Plan::default();
        plan.add(ctx, &instance, loaded.version, &instance, decision)?;
        Ok((plan, ()))
    }
}

pub struct RemoveWebKey {
    pub key_id: String,
}

#[async_trait]
impl Command for RemoveWebKey {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let instance = ctx.instance_id.clone();
        let loaded = writer.load::<WebKeySet>(ctx, &instance).await?;
        let decision = web_key::remove(&loaded.state, &self.key_id)?;
        let mut plan = Plan::default();
        plan.add(ctx, &instance, loaded.version, &instance, decision)?;
        Ok((plan, ()))
    }
}
