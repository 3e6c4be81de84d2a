//! TOTP registration of a human user: register (a sealed secret), verify the registration with
//! a code checked at the writer's time, remove. The login check is part of
//! [`super::session::ChangeSession`].

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::user::{self, User, UserEvent};

use crate::totp::{self, UnsealedSecret};
use crate::writer::{Command, CommandContext, Plan, Writer};

/// Plans one decision on an existing user; returns the user's org.
async fn on_user(
    writer: &Writer,
    ctx: &CommandContext,
    user_id: &str,
    decide: impl FnOnce(&User) -> Result<Decision<UserEvent>, DomainError> + Send,
) -> Result<(Plan, String), DomainError> {
    let loaded = writer.load::<User>(ctx, user_id).await?;
    if !loaded.state.exists() {
        return Err(user::not_found());
    }
    let decision = decide(&loaded.state)?;
    let org_id = loaded.state.org_id.clone();
    let mut plan = Plan::default();
    plan.add(ctx, user_id, loaded.version, &org_id, decision)?;
    Ok((plan, org_id))
}

/// RegisterTOTP: stores the sealed secret (replacing an unverified registration).
pub struct RegisterTotp {
    pub user_id: String,
    pub sealed_secret: String,
}

#[async_trait]
impl Command for RegisterTotp {
    type Output = String;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, String), DomainError> {
        on_user(writer, ctx, &self.user_id, |state| {
            user::add_otp(state, self.sealed_secret.clone())
        })
        .await
    }
}

/// VerifyTOTPRegistration: the code must match the pending secret at the writer's time.
pub struct VerifyTotpRegistration {
    pub user_id: String,
    pub secret: UnsealedSecret,
    pub code: String,
}

#[async_trait]
impl Command for VerifyTotpRegistration {
    type Output = String;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, String), DomainError> {
        let correct = totp::matched_step(&self.secret.secret, &self.code, writer.now())?.is_some();
        on_user(writer, ctx, &self.user_id, |state| {
            user::verify_otp(state, &self.secret.sealed_secret, correct)
        })
        .await
    }
}

/// RemoveTOTP.
pub struct RemoveTotp {
    pub user_id: String,
}

#[async_trait]
impl Command for RemoveTotp {
    type Output = String;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, String), DomainError> {
        on_user(writer, ctx, &self.user_id, user::remove_otp).await
    }
}
