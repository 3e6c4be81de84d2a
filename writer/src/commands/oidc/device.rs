//! Device authorizations (RFC 8628).

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::Authentication;
use castellan_core::oidc::device::{self, DeviceAuthorization};

use super::authenticate_session;
use crate::writer::{Command, CommandContext, Plan, Writer};

pub struct AddDevice {
    pub id: String,
    pub client_id: String,
    pub device_code_hash: String,
    pub user_code: String,
    pub scopes: Vec<String>,
}

#[async_trait]
impl Command for AddDevice {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<DeviceAuthorization>(ctx, &self.id).await?;
        let decision = device::add(
            &loaded.state,
            &self.client_id,
            self.device_code_hash.clone(),
            &self.user_code,
            self.scopes.clone(),
            writer.now(),
        )?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.id, loaded.version, &instance, decision)?;
        Ok((plan, ()))
    }
}

/// The user approved the device with a session (`Some((session id, session token hash))`) or
/// denied it (`None`).
pub struct DecideDevice {
    pub id: String,
    pub approval: Option<(String, String)>,
}

#[async_trait]
impl Command for DecideDevice {
    type Output = Option<Authentication>;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, Self::Output), DomainError> {
        let loaded = writer.load::<DeviceAuthorization>(ctx, &self.id).await?;
        let authentication = match &self.approval {
            Some((session_id, token_hash)) => {
                Some(authenticate_session(writer, ctx, session_id, token_hash).await?)
            }
            None => None,
        };
        let decision = device::decide(&loaded.state, authentication.clone(), writer.now())?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.id, loaded.version, &instance, decision)?;
        Ok((plan, authentication))
    }
}
