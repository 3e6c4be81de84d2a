//! Grants and their tokens: issuing (after a code exchange, a device approval, or directly for
//! client credentials, JWT profile and token exchange), refreshing with rotation and reuse
//! detection, and revoking.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::oidc::auth_request::{self, AuthRequest, AuthRequestEvent, CodeExchange};
use castellan_core::oidc::device::{self, DeviceAuthorization, DeviceEvent, Poll};
use castellan_core::oidc::grant::{self, Grant, GrantEvent, NewGrant, RefreshUse};
use castellan_core::oidc::invalid_grant;
use castellan_core::user::{User, UserState};

use crate::writer::{Command, CommandContext, Plan, Writer};

#[derive(Clone, Debug)]
pub struct AccessTokenSpec {
    pub token_id: String,
    /// Set for opaque tokens.
    pub token_hash: Option<String>,
    pub expiration: Timestamp,
}

#[derive(Clone, Debug)]
pub struct RefreshTokenSpec {
    pub token_hash: String,
    pub idle_expiration: Timestamp,
    pub expiration: Timestamp,
}

/// How the grant was earned.
#[derive(Clone, Debug)]
pub enum Via {
    /// Client credentials, JWT profile, token exchange: the edge authenticated the subject.
    Direct,
    Code {
        auth_request_id: String,
        code_hash: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    Device {
        device_id: String,
        device_code_hash: String,
    },
}

pub struct IssueGrant {
    pub grant_id: String,
    /// For code and device grants the subject, session, auth time and amr are taken from the
    /// ledger's record of the login, whatever the edge put here.
    pub grant: NewGrant,
    pub access_token: Option<AccessTokenSpec>,
    pub refresh_token: Option<RefreshTokenSpec>,
    pub via: Via,
}

#[derive(Debug, PartialEq)]
pub enum IssueOutcome {
    Issued(Box<NewGrant>),
    /// The code had been exchanged before: the grant it issued is now revoked.
    Replayed,
}

pub(super) fn token_events(
    access: Option<&AccessTokenSpec>,
    refresh: Option<&RefreshTokenSpec>,
    scopes: &[String],
) -> Vec<GrantEvent> {
    let mut events = Vec::new();
    if let Some(access) = access {
        events.push(GrantEvent::AccessTokenAdded {
            token_id: access.token_id.clone(),
            token_hash: access.token_hash.clone(),
            scopes: scopes.to_vec(),
            expiration: access.expiration,
        });
    }
    if let Some(refresh) = refresh {
        events.push(GrantEvent::RefreshTokenAdded {
            token_hash: refresh.token_hash.clone(),
            idle_expiration: refresh.idle_expiration,
            expiration: refresh.expiration,
        });
    }
    events
}

#[async_trait]
impl Command for IssueGrant {
    type Output = IssueOutcome;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, IssueOutcome), DomainError> {
        let now = writer.now();
        let mut plan = Plan::default();
        let mut new = self.grant.clone();
        let instance = ctx.instance_id.clone();
        let authentication = match &self.via {
            Via::Direct => None,
            Via::Code {
                auth_request_id,
                code_hash,
                redirect_uri,
                code_verifier,
            } => {
                let loaded = writer.load::<AuthRequest>(ctx, auth_request_id).await?;
                let exchange = auth_request::exchange_code(
                    &loaded.state,
                    code_hash,
                    &new.client_id,
                    redirect_uri.as_deref(),
                    code_verifier.as_deref(),
                    now,
                )?;
                match exchange {
                    CodeExchange::Replayed { grant_id } => {
                        let issued = writer.load::<Grant>(ctx, &grant_id).await?;
                        let decision = grant::terminate(&issued.state, "code_replayed");
                        if decision.events.is_empty() {
                            return Err(invalid_grant());
                        }
                        let owner = issued.state.grant.org_id.clone();
                        plan.add(ctx, &grant_id, issued.version, &owner, decision)?;
                        return Ok((plan, IssueOutcome::Replayed));
                    }
                    CodeExchange::Accept(authentication) => {
                        new.scopes.clone_from(&loaded.state.params.scopes);
                        new.nonce.clone_from(&loaded.state.params.nonce);
                        new.auth_request_id = Some(auth_request_id.clone());
                        plan.add(
                            ctx,
                            auth_request_id,
                            loaded.version,
                            &instance,
                            Decision::of(AuthRequestEvent::CodeExchanged {
                                grant_id: self.grant_id.clone(),
                            }),
                        )?;
                        Some(authentication)
                    }
                }
            }
            Via::Device {
                device_id,
                device_code_hash,
            } => {
                let loaded = writer.load::<DeviceAuthorization>(ctx, device_id).await?;
                let Poll::Approved(authentication) =
                    device::poll(&loaded.state, device_code_hash, &new.client_id, now)?
                else {
                    return Err(invalid_grant());
                };
                new.scopes.clone_from(&loaded.state.scopes);
                plan.add(
                    ctx,
                    device_id,
                    loaded.version,
                    &instance,
                    Decision::of(DeviceEvent::Done {
                        grant_id: self.grant_id.clone(),
                    }),
                )?;
                Some(authentication)
            }
        };
        if let Some(authentication) = authentication {
            new.user_id = authentication.user_id;
            new.org_id = authentication.org_id;
            new.session_id = Some(authentication.session_id);
            new.auth_time = Some(authentication.auth_time);
            new.amr = authentication.amr;
        }
        let user = writer.load::<User>(ctx, &new.user_id).await?.state;
        if user.state != UserState::Active {
            return Err(invalid_grant());
        }
        let loaded = writer.load::<Grant>(ctx, &self.grant_id).await?;
        let mut decision = grant::add(&loaded.state, new.clone())?;
        decision.events.extend(token_events(
            self.access_token.as_ref(),
            self.refresh_token.as_ref(),
            &new.scopes,
        ));
        let owner = new.org_id.clone();
        plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
        Ok((plan, IssueOutcome::Issued(Box::new(new))))
    }
}

/// The refresh token grant: rotates the refresh token, or, for a token already used, revokes the
/// whole grant.
pub struct RefreshGrant {
    pub grant_id: String,
    pub token_hash: String,
    pub client_id: String,
    /// A narrower scope (RFC 6749 §6); must be a subset of the granted scopes.
    pub scopes: Option<Vec<String>>,
    pub access_token: AccessTokenSpec,
    pub refresh_token: RefreshTokenSpec,
}

#[derive(Debug, PartialEq)]
pub enum RefreshOutcome {
    /// The grant and the scopes of the new access token.
    Rotated(Box<NewGrant>, Vec<String>),
    Reused,
}

#[async_trait]
impl Command for RefreshGrant {
    type Output = RefreshOutcome;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, RefreshOutcome), DomainError> {
        let now = writer.now();
        let loaded = writer.load::<Grant>(ctx, &self.grant_id).await?;
        let state = &loaded.state;
        let owner = state.grant.org_id.clone();
        let mut plan = Plan::default();
        match grant::use_refresh_token(state, &self.token_hash, &self.client_id, now)? {
            RefreshUse::Reused => {
                let decision = grant::terminate(state, "refresh_token_reused");
                plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
                Ok((plan, RefreshOutcome::Reused))
            }
            RefreshUse::Rotate => {
                let user = writer.load::<User>(ctx, &state.grant.user_id).await?.state;
                if user.state != UserState::Active {
                    return Err(invalid_grant());
                }
                let scopes = match &self.scopes {
                    Some(requested) => {
                        if requested.iter().any(|s| !state.grant.scopes.contains(s)) {
                            return Err(castellan_core::oidc::invalid_scope());
                        }
                        requested.clone()
                    }
                    None => state.grant.scopes.clone(),
                };
                let refresh = RefreshTokenSpec {
                    expiration: state
                        .refresh_expiration
                        .unwrap_or(self.refresh_token.expiration),
                    ..self.refresh_token.clone()
                };
                let events = token_events(Some(&self.access_token), Some(&refresh), &scopes);
                let decision = Decision {
                    events,
                    ..Decision::default()
                };
                plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
                Ok((
                    plan,
                    RefreshOutcome::Rotated(Box::new(state.grant.clone()), scopes),
                ))
            }
        }
    }
}

/// Revokes one access token (RFC 7009). Answers `false` when there was nothing to revoke.
pub struct RevokeAccessToken {
    pub grant_id: String,
    pub token_id: String,
}

#[async_trait]
impl Command for RevokeAccessToken {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Grant>(ctx, &self.grant_id).await?;
        let decision = grant::revoke_access_token(&loaded.state, &self.token_id);
        let mut plan = Plan::default();
        let owner = loaded.state.grant.org_id.clone();
        plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
        Ok((plan, ()))
    }
}

/// Ends one grant (refresh token revoked, logout). Nothing to do is the writer's "Nothing to
/// change" error, which callers treat as success.
pub struct TerminateGrant {
    pub grant_id: String,
    pub reason: String,
}

#[async_trait]
impl Command for TerminateGrant {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Grant>(ctx, &self.grant_id).await?;
        let decision = grant::terminate(&loaded.state, &self.reason);
        let mut plan = Plan::default();
        let owner = loaded.state.grant.org_id.clone();
        plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
        Ok((plan, ()))
    }
}
