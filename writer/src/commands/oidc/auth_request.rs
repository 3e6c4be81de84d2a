//! Auth requests: created by the authorization endpoint, finished by a login with a session.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::{self, AuthRequest, AuthRequestParams, Authentication};
use castellan_core::oidc::grant::{self, Grant, NewGrant};
use castellan_core::session::{self, Session};
use castellan_core::user::{User, UserState};

use super::grant::{AccessTokenSpec, token_events};
use crate::writer::{Command, CommandContext, Plan, Writer};

pub struct AddAuthRequest {
    pub id: String,
    pub params: AuthRequestParams,
}

#[async_trait]
impl Command for AddAuthRequest {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<AuthRequest>(ctx, &self.id).await?;
        let decision = auth_request::add(&loaded.state, self.params.clone(), writer.now())?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.id, loaded.version, &instance, decision)?;
        Ok((plan, ()))
    }
}

/// Checks a session and its token, and that its user may still log in: the authentication an
/// auth request or device authorization is finished with.
pub async fn authenticate_session(
    writer: &Writer,
    ctx: &CommandContext,
    session_id: &str,
    session_token_hash: &str,
) -> Result<Authentication, DomainError> {
    let now = writer.now();
    let session = writer.load::<Session>(ctx, session_id).await?.state;
    session.require_active(now)?;
    if !castellan_core::ct_eq(&session.token_hash, session_token_hash) {
        return Err(session::not_found());
    }
    let (Some(user_id), Some(auth_time)) = (session.user_id.clone(), session.auth_time()) else {
        return Err(DomainError::precondition(
            "OIDC-0101",
            "The session has no authenticated user",
        ));
    };
    let user = writer.load::<User>(ctx, &user_id).await?.state;
    if user.state != UserState::Active {
        return Err(DomainError::precondition(
            "OIDC-0102",
            "The session's user is not active",
        ));
    }
    // A user with a second factor is only authenticated by a session that checked it (so a
    // password-only session, e.g. the hosted login's between its two steps, finishes nothing).
    if user.otp.as_ref().is_some_and(|otp| otp.verified) && session.totp_checked_at.is_none() {
        return Err(DomainError::precondition(
            "OIDC-0103",
            "The session has not checked the user's second factor",
        ));
    }
    Ok(Authentication {
        session_id: session_id.to_owned(),
        user_id,
        org_id: user.org_id,
        auth_time,
        amr: session.amr(),
    })
}

/// The grant an implicit or hybrid response carries tokens of: recorded together with the
/// login, so the tokens exist exactly when the request succeeded.
#[derive(Clone, Debug)]
pub struct FrontChannelGrant {
    pub grant_id: String,
    /// The client, audience and grant type; subject, session, auth time, amr, scopes and nonce
    /// are taken from the login and the request.
    pub grant: NewGrant,
    /// Set when the response type contains `token`.
    pub access_token: Option<AccessTokenSpec>,
}

/// CreateCallback with a session (or the hosted login finishing): links the session and, for the
/// code flow, records the code's hash; for implicit and hybrid responses also issues the grant of
/// the front-channel tokens.
pub struct SucceedAuthRequest {
    pub id: String,
    pub session_id: String,
    pub session_token_hash: String,
    pub code_hash: Option<String>,
    pub front_channel: Option<FrontChannelGrant>,
}

/// The request's parameters, the login, and the front-channel grant when one was issued.
pub type Succeeded = (AuthRequestParams, Authentication, Option<NewGrant>);

#[async_trait]
impl Command for SucceedAuthRequest {
    type Output = Succeeded;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, Self::Output), DomainError> {
        let loaded = writer.load::<AuthRequest>(ctx, &self.id).await?;
        let authentication =
            authenticate_session(writer, ctx, &self.session_id, &self.session_token_hash).await?;
        let decision = auth_request::succeed(
            &loaded.state,
            authentication.clone(),
            self.code_hash.clone(),
            writer.now(),
        )?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.id, loaded.version, &instance, decision)?;
        let params = loaded.state.params;
        let mut issued = None;
        if let Some(front) = &self.front_channel {
            let new = NewGrant {
                user_id: authentication.user_id.clone(),
                org_id: authentication.org_id.clone(),
                session_id: Some(authentication.session_id.clone()),
                auth_time: Some(authentication.auth_time),
                amr: authentication.amr.clone(),
                scopes: params.scopes.clone(),
                nonce: params.nonce.clone(),
                auth_request_id: Some(self.id.clone()),
                ..front.grant.clone()
            };
            let grant = writer.load::<Grant>(ctx, &front.grant_id).await?;
            let mut decision = grant::add(&grant.state, new.clone())?;
            decision
                .events
                .extend(token_events(front.access_token.as_ref(), None, &new.scopes));
            plan.add(ctx, &front.grant_id, grant.version, &new.org_id, decision)?;
            issued = Some(new);
        }
        Ok((plan, (params, authentication, issued)))
    }
}

/// CreateCallback with an error: the RP is told the login failed.
pub struct FailAuthRequest {
    pub id: String,
    pub reason: String,
}

#[async_trait]
impl Command for FailAuthRequest {
    type Output = AuthRequestParams;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, AuthRequestParams), DomainError> {
        let loaded = writer.load::<AuthRequest>(ctx, &self.id).await?;
        let decision = auth_request::fail(&loaded.state, &self.reason, writer.now())?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.id, loaded.version, &instance, decision)?;
        Ok((plan, loaded.state.params))
    }
}
