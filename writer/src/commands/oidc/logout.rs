//! Logout: ending a login session's grants (with back-channel logout requests for clients that
//! registered a URI) and recording how a back-channel logout delivery ended.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::AuthRequest;
use castellan_core::oidc::grant::{self, Grant, GrantEvent, LogoutOutcome, LogoutTarget, NewGrant};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Ends several grants in one append (a session's logout); returns the ones that were active.
/// For each client in `logout_uris` one ended grant per login session also records a
/// back-channel logout request, naming the issuer its auth request was made to (else `issuer`).
pub struct TerminateGrants {
    pub grant_ids: Vec<String>,
    pub reason: String,
    /// Back-channel logout URIs by client id (clients without one are absent).
    pub logout_uris: BTreeMap<String, String>,
    /// The issuer for grants whose auth request recorded none.
    pub issuer: Option<String>,
}

#[async_trait]
impl Command for TerminateGrants {
    type Output = Vec<NewGrant>;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, Vec<NewGrant>), DomainError> {
        let mut plan = Plan::default();
        let mut ended = Vec::new();
        let mut requested: BTreeSet<(String, String)> = BTreeSet::new();
        for grant_id in &self.grant_ids {
            let loaded = writer.load::<Grant>(ctx, grant_id).await?;
            let state = &loaded.state;
            let pair = state
                .grant
                .session_id
                .clone()
                .map(|session| (state.grant.client_id.clone(), session));
            let target = match (&pair, self.logout_uris.get(&state.grant.client_id)) {
                (Some(pair), Some(uri)) if state.active() && !requested.contains(pair) => self
                    .issuer_of(writer, ctx, state)
                    .await?
                    .map(|issuer| LogoutTarget {
                        uri: uri.clone(),
                        issuer,
                    }),
                _ => None,
            };
            let decision = grant::end(state, &self.reason, target);
            if decision.events.is_empty() {
                continue;
            }
            if decision
                .events
                .iter()
                .any(|event| matches!(event, GrantEvent::LogoutRequested { .. }))
                && let Some(pair) = pair
            {
                requested.insert(pair);
            }
            ended.push(state.grant.clone());
            let owner = state.grant.org_id.clone();
            plan.add(ctx, grant_id, loaded.version, &owner, decision)?;
        }
        Ok((plan, ended))
    }
}

impl TerminateGrants {
    async fn issuer_of(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
        state: &Grant,
    ) -> Result<Option<String>, DomainError> {
        if let Some(auth_request_id) = &state.grant.auth_request_id {
            let request = writer.load::<AuthRequest>(ctx, auth_request_id).await?;
            if let Some(issuer) = request.state.params.issuer {
                return Ok(Some(issuer));
            }
        }
        Ok(self.issuer.clone())
    }
}

/// Records how a grant's back-channel logout ended; appends nothing when it is already settled.
pub struct SettleLogout {
    pub grant_id: String,
    pub outcome: LogoutOutcome,
}

#[async_trait]
impl Command for SettleLogout {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Grant>(ctx, &self.grant_id).await?;
        let decision = grant::settle_logout(&loaded.state, self.outcome.clone());
        let mut plan = Plan::default();
        let owner = loaded.state.grant.org_id.clone();
        plan.add(ctx, &self.grant_id, loaded.version, &owner, decision)?;
        Ok((plan, ()))
    }
}
