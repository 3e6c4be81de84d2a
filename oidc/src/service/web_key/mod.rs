//! `zitadel.webkey.v2.WebKeyService`: the instance's keys that sign ID tokens and JWT access
//! tokens. A new key is initial (published, not signing); activating one makes the previously
//! active key inactive (still published); only inactive keys can be deleted. Private keys are
//! generated and sealed with the master key by `castellan_api::signing`, and never leave the
//! server. Permissions are instance-wide: `iam.web_key.read`, `.write`, `.delete`.
//!
//! REST: only ListWebKeys (`GET /v2/web_keys`) and DeleteWebKey (`DELETE /v2/web_keys/{id}`)
//! have `google.api.http` bindings in ZITADEL's proto; the others are served over Connect.

mod handlers;
pub mod wire;

use axum::Router;
use castellan_api::access::Access;
use castellan_api::rpc::{RestBinding, Rpc, method_paths, router as rpc_router, rpc};
use castellan_api::state::AppState;

use crate::service::{WEB_KEY_DELETE, WEB_KEY_READ, WEB_KEY_WRITE};

pub const SERVICE: &str = "zitadel.webkey.v2.WebKeyService";

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateWebKey",
            None,
            Access::Instance(WEB_KEY_WRITE),
            handlers::create_web_key,
        ),
        rpc(
            "ActivateWebKey",
            None,
            Access::Instance(WEB_KEY_WRITE),
            handlers::activate_web_key,
        ),
        rpc(
            "DeleteWebKey",
            Some(RestBinding {
                method: "DELETE",
                path: "/v2/web_keys/{id}",
                body: "",
                success_code: 200,
                repeated: &[],
            }),
            Access::Instance(WEB_KEY_DELETE),
            handlers::delete_web_key,
        ),
        rpc(
            "ListWebKeys",
            Some(RestBinding {
                method: "GET",
                path: "/v2/web_keys",
                body: "",
                success_code: 200,
                repeated: &[],
            }),
            Access::Instance(WEB_KEY_READ),
            handlers::list_web_keys,
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
