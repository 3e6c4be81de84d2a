//! Who is calling, and for which instance: the instance comes from the request's host, the
//! caller from a bearer personal access token.

use axum::http::{HeaderMap, header};
use castellan_core::DomainError;
use castellan_core::permission::{Principal, Target};
use castellan_readers::queries::identity::{self, InstanceView};
use castellan_writer::secrets::token_hash;

use crate::error::read_error;
use crate::state::AppState;

/// An authenticated call.
#[derive(Clone, Debug)]
pub struct Caller {
    pub instance: InstanceView,
    pub principal: Principal,
    /// What the RPC acts on, as resolved by its declared access ([`crate::access`]): the org
    /// (and project) a request targets. `None` for instance-wide and list methods.
    pub target: Option<Target>,
    /// The org named by the `x-zitadel-orgid` header (ZITADEL's v1 management API selects the
    /// org this way); [`crate::access::Access::Org`] falls back to it when the request names none.
    pub org_header: Option<String>,
}

impl Caller {
    /// The org the call acts on: the resolved target's, else the caller's own.
    pub fn target_org(&self) -> &str {
        self.target
            .as_ref()
            .map_or(self.principal.org_id.as_str(), |target| {
                target.org_id.as_str()
            })
    }
}

/// The header by which ZITADEL's v1 APIs choose the org a call acts on.
pub const ORG_HEADER: &str = "x-zitadel-orgid";

/// The host name of the request, lower-cased, without port.
pub fn request_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal: "[::1]:8080".
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    if name.is_empty() {
        None
    } else {
        Some(name.to_ascii_lowercase())
    }
}

pub async fn instance(state: &AppState, headers: &HeaderMap) -> Result<InstanceView, DomainError> {
    let Some(host) = request_host(headers) else {
        return Err(DomainError::not_found(
            "AUTH-0001",
            "Instance not found: no host",
        ));
    };
    identity::instance_by_domain(state.store(), &host)
        .await
        .map_err(read_error)?
        .ok_or_else(|| {
            DomainError::not_found("AUTH-0002", format!("Instance not found for {host}"))
        })
}

/// Authenticates the call. Missing, malformed, unknown and expired tokens all get the same
/// answer, so the response says nothing about which tokens exist.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, DomainError> {
    let instance = instance(state, headers).await?;
    let unauthenticated =
        || DomainError::unauthenticated("AUTH-0003", "A valid bearer token is required");
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .filter(|token| !token.is_empty())
        .ok_or_else(unauthenticated)?;
    let principal = match identity::principal_by_token(
        state.store(),
        &instance.id,
        &token_hash(&token),
        state.clock.now(),
    )
    .await
    .map_err(read_error)?
    {
        Some(principal) => principal,
        None => access_token_principal(state, &instance.id, &token)
            .await?
            .ok_or_else(unauthenticated)?,
    };
    let org_header = headers
        .get(ORG_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned);
    Ok(Caller {
        instance,
        principal,
        target: None,
        org_header,
    })
}

/// The audience an access token needs to call the API: ZITADEL asks for the scope
/// `urn:zitadel:iam:org:project:id:zitadel:aud`, which puts its own project in the audience.
/// Castellan's API is the instance itself, so the instance id stands for that project.
pub fn api_audience(instance_id: &str) -> String {
    instance_id.to_owned()
}

/// A provider-issued access token whose audience includes the API.
async fn access_token_principal(
    state: &AppState,
    instance_id: &str,
    token: &str,
) -> Result<Option<Principal>, DomainError> {
    let Some(verified) =
        crate::access_token::verify_access_token(state, instance_id, token).await?
    else {
        return Ok(None);
    };
    if !verified.grant.audience.contains(&api_audience(instance_id)) {
        return Ok(None);
    }
    identity::principal_of(
        state.store(),
        instance_id,
        &verified.grant.user_id,
        &verified.grant.org_id,
    )
    .await
    .map(Some)
    .map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn host(value: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(value).unwrap());
        request_host(&headers)
    }

    #[test]
    fn hosts_lose_their_port_and_case() {
        assert_eq!(host("LocalHost:8080").as_deref(), Some("localhost"));
        assert_eq!(
            host("acme.example.com").as_deref(),
            Some("acme.example.com")
        );
        assert_eq!(host("[::1]:8080").as_deref(), Some("::1"));
        assert_eq!(host(":8080"), None);
        assert_eq!(request_host(&HeaderMap::new()), None);
    }
}
