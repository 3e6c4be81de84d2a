//! Who calls, for which org, and whether they may: the bearer token (PAT or access token of
//! this provider) authenticates; the org in the path must exist in the request's instance; the
//! caller needs the permission in that org (an Org User Manager has both). A caller without it
//! gets 403 and learns nothing about the org's users; an org of another instance is 404.

use axum::http::{HeaderMap, header};
use castellan_api::auth::{Caller, authenticate};
use castellan_api::state::AppState;
use castellan_core::permission::Target;
use castellan_readers::queries::org::get_org;

use super::error::from_domain;
use crate::protocol::ScimError;

/// The largest request body (ZITADEL's `SCIM.MaxRequestBodySize`).
pub const MAX_BODY_BYTES: usize = 1_000_000;
/// Default and maximum `count` of a list (ZITADEL's).
pub const MAX_RESULTS: usize = 100;
/// The longest filter (ZITADEL's).
pub const MAX_FILTER_CHARS: usize = 1000;

/// An authorized SCIM call.
pub struct Scim {
    pub state: AppState,
    pub caller: Caller,
    pub org_id: String,
    /// `https://host/scim/v2/{orgId}`, for `location`s.
    pub base_url: String,
}

impl Scim {
    pub fn instance_id(&self) -> &str {
        &self.caller.instance.id
    }

    /// The caller's own user id (for `/Me`).
    pub fn own_user_id(&self) -> &str {
        &self.caller.principal.user_id
    }
}

/// Authenticates, finds the org, checks `permission` there and the caller's provisioning rate.
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    org_id: &str,
    permission: &str,
) -> Result<Scim, ScimError> {
    let caller = authenticate(state, headers)
        .await
        .map_err(|e| from_domain(&e))?;
    let rate_key = format!("scim:{}", caller.principal.user_id);
    if !state.limits.allow_token(&caller.instance.id, &rate_key) {
        return Err(ScimError::new(429, None, "Too many provisioning requests"));
    }
    let org = get_org(state.store(), &caller.instance.id, org_id)
        .await
        .map_err(|e| from_domain(&castellan_api::error::read_error(e)))?;
    if org.is_none() {
        return Err(ScimError::new(404, None, "Organization not found"));
    }
    if !caller.principal.allows(permission, &Target::org(org_id)) {
        return Err(ScimError::new(
            403,
            None,
            "The token may not manage this organization's users",
        ));
    }
    Ok(Scim {
        base_url: base_url(state, headers, org_id),
        state: state.clone(),
        caller,
        org_id: org_id.to_owned(),
    })
}

/// Authenticates for `/Me`: any authenticated user, acting on itself in its own org.
pub async fn authorize_self(
    state: &AppState,
    headers: &HeaderMap,
    org_id: &str,
) -> Result<Scim, ScimError> {
    let caller = authenticate(state, headers)
        .await
        .map_err(|e| from_domain(&e))?;
    if caller.principal.org_id != org_id {
        return Err(ScimError::new(404, None, "Resource not found"));
    }
    Ok(Scim {
        base_url: base_url(state, headers, org_id),
        state: state.clone(),
        caller,
        org_id: org_id.to_owned(),
    })
}

fn base_url(state: &AppState, headers: &HeaderMap, org_id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.external_secure {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/scim/v2/{org_id}")
}
