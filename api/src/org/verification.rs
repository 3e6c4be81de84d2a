//! Proving an org domain: the HTTP challenge (`<scheme>://<domain>/.well-known/zitadel-challenge/
//! <token>` answers the token) or the DNS challenge (a TXT record `_zitadel-challenge.<domain>`
//! holds the token). The HTTP request goes through the SSRF-protected outbound client, so a
//! domain that points at an internal address fails the check instead of probing the network.

use castellan_core::DomainError;
use castellan_core::org::{self, DomainValidationType, Org};
use castellan_writer::commands::org::OnOrg;
use castellan_writer::writer::CommandContext;

use super::wire::{ChangeDateResponse, OrganizationDomainRequest};
use crate::auth::Caller;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id};

/// The URL the HTTP challenge is fetched from.
pub fn challenge_url(state: &AppState, domain: &str, token: &str) -> String {
    let check = &state.config.domain_check;
    let port = check
        .http_port
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    format!(
        "{}://{domain}{port}/.well-known/zitadel-challenge/{token}",
        check.http_scheme
    )
}

/// Whether the challenge is met. Failures to reach the domain count as not met (and are
/// logged), like a wrong answer.
async fn challenge_met(
    state: &AppState,
    domain: &str,
    kind: DomainValidationType,
    token: &str,
) -> bool {
    match kind {
        DomainValidationType::Http => {
            let url = challenge_url(state, domain, token);
            match state.outbound.get_text(&url).await {
                Ok((200, body)) => body.trim() == token,
                Ok((status, _)) => {
                    tracing::info!(%domain, status, "domain HTTP challenge not met");
                    false
                }
                Err(error) => {
                    tracing::info!(%domain, %error, "domain HTTP challenge unreachable");
                    false
                }
            }
        }
        DomainValidationType::Dns => {
            match state
                .dns
                .txt(&format!("_zitadel-challenge.{domain}."))
                .await
            {
                Ok(records) => records.iter().any(|record| record.trim() == token),
                Err(error) => {
                    tracing::info!(%domain, %error, "domain DNS challenge lookup failed");
                    false
                }
            }
        }
    }
}

pub async fn verify_domain(
    state: AppState,
    caller: Caller,
    request: OrganizationDomainRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let ctx = CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    };
    let loaded = state.writer.load::<Org>(&ctx, &org_id).await?;
    let (domain, kind, token) = org::pending_validation(&loaded.state, &request.domain)?;
    let passed = challenge_met(&state, &domain, kind, &token).await;
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| {
            // The validation may have been regenerated meanwhile: only the checked token counts.
            let (_, _, current) = org::pending_validation(o, &domain)?;
            Ok(org::record_domain_check(
                &domain,
                passed && current == token,
            ))
        }),
    )
    .await?;
    if passed {
        Ok(ChangeDateResponse {
            change_date: committed_at(&committed),
        })
    } else {
        Err(DomainError::precondition(
            "ORG-0015",
            format!("Domain verification failed: the {kind:?} challenge for {domain} was not met"),
        ))
    }
}
