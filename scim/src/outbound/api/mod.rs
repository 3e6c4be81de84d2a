//! `/castellan/v1/scim/targets`: the outbound SCIM targets of an org (Castellan's own API,
//! JSON REST; ZITADEL has no equivalent, its issue #6601 asks for one). Authenticated like the
//! v2 API. The org is the request's `orgId`, else the `x-zitadel-orgid` header, else the
//! caller's own; changes, replays and reconcile runs need `org.write` there, reads `org.read`.
//! Secrets (bearer tokens, client secrets) are sealed with the master key before they reach
//! the writer and are never returned. Every change is an event of the target, so the audit
//! trail (and the Event API) shows it.

mod handlers;
pub mod wire;

use axum::Router;
use castellan_api::access::Access;
use castellan_api::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use castellan_api::state::AppState;
use castellan_core::permission::{ORG_READ, ORG_WRITE};

pub const SERVICE: &str = "castellan.scim.v1.ScimTargetService";

const fn rest(method: &'static str, path: &'static str, success_code: u16) -> Option<RestBinding> {
    Some(RestBinding {
        method,
        path,
        body: "*",
        success_code,
        repeated: &[],
    })
}

const fn org(permission: &'static str) -> Access {
    Access::Org {
        permission,
        field: "orgId",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "CreateScimTarget",
            rest("POST", "/castellan/v1/scim/targets", 201),
            org(ORG_WRITE),
            handlers::create,
        ),
        rpc(
            "ListScimTargets",
            rest("GET", "/castellan/v1/scim/targets", 200),
            org(ORG_READ),
            handlers::list,
        ),
        rpc(
            "GetScimTarget",
            rest("GET", "/castellan/v1/scim/targets/{id}", 200),
            org(ORG_READ),
            handlers::get,
        ),
        rpc(
            "UpdateScimTarget",
            rest("PUT", "/castellan/v1/scim/targets/{id}", 200),
            org(ORG_WRITE),
            handlers::update,
        ),
        rpc(
            "DeleteScimTarget",
            rest("DELETE", "/castellan/v1/scim/targets/{id}", 200),
            org(ORG_WRITE),
            handlers::delete,
        ),
        rpc(
            "ListScimTargetDeadLetters",
            rest("GET", "/castellan/v1/scim/targets/{id}/dead-letters", 200),
            org(ORG_READ),
            handlers::dead_letters,
        ),
        rpc(
            "ReplayScimTargetDeadLetter",
            rest(
                "POST",
                "/castellan/v1/scim/targets/{id}/dead-letters/{resourceType}/{resourceId}/replay",
                200,
            ),
            org(ORG_WRITE),
            handlers::replay,
        ),
        rpc(
            "ReconcileScimTarget",
            rest("POST", "/castellan/v1/scim/targets/{id}/reconcile", 200),
            org(ORG_WRITE),
            handlers::reconcile,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}
