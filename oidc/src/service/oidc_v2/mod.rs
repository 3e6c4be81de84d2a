//! `zitadel.oidc.v2.OIDCService`: a custom login UI reads the auth request it was sent with and
//! finishes it with a checked session (or an OAuth error); likewise for device authorizations.
//!
//! Auth request ids carry ZITADEL's `V2_` prefix on the wire; both forms are accepted. A request
//! is read straight from the ledger, so a login sees it the moment the authorization endpoint
//! created it; only pending requests are found. Permissions, instance-wide: `session.read` for
//! the reads, `session.link` to finish a request (ZITADEL's documented requirements; the
//! IAM_LOGIN_CLIENT role holds both). AuthorizeOrDenyDeviceAuthorization is served over Connect
//! only (see its entry).

mod handlers;
pub mod wire;

use axum::Router;
use castellan_api::access::Access;
use castellan_api::rpc::{RestBinding, Rpc, method_paths, router as rpc_router, rpc};
use castellan_api::state::AppState;

use crate::service::{SESSION_LINK, SESSION_READ};

pub use handlers::{ID_PREFIX, auth_request_id};

pub const SERVICE: &str = "zitadel.oidc.v2.OIDCService";

const fn rest(method: &'static str, path: &'static str, body: &'static str) -> RestBinding {
    RestBinding {
        method,
        path,
        body,
        success_code: 200,
        repeated: &[],
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "GetAuthRequest",
            Some(rest("GET", "/v2/oidc/auth_requests/{auth_request_id}", "")),
            Access::Instance(SESSION_READ),
            handlers::get_auth_request,
        ),
        rpc(
            "CreateCallback",
            Some(rest(
                "POST",
                "/v2/oidc/auth_requests/{auth_request_id}",
                "*",
            )),
            Access::Instance(SESSION_LINK),
            handlers::create_callback,
        ),
        rpc(
            "GetDeviceAuthorizationRequest",
            Some(rest("GET", "/v2/oidc/device_authorization/{user_code}", "")),
            Access::Instance(SESSION_READ),
            handlers::get_device_authorization_request,
        ),
        rpc(
            "AuthorizeOrDenyDeviceAuthorization",
            // Connect only: its REST path differs from GetDeviceAuthorizationRequest's only by
            // the name of the path parameter, which the router cannot tell apart.
            None,
            Access::Instance(SESSION_LINK),
            handlers::authorize_or_deny_device_authorization,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}

/// The Connect paths this service implements.
pub fn served_methods() -> Vec<String> {
    method_paths(SERVICE, &rpcs())
}
