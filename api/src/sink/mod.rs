//! `/castellan/v1/sinks`: SIEM audit streams of the caller's instance (Castellan's own API, JSON
//! REST; no ZITADEL equivalent). Authenticated like the v2 API; changes and replays need
//! `iam.write` on the instance, reads `iam.read` (IAM_OWNER holds both). Secrets (webhook
//! signing keys, Splunk tokens) are sealed with the master key before they reach the writer and
//! are never returned.

mod handlers;
pub mod wire;

use axum::Router;
use castellan_core::permission::{IAM_READ, IAM_WRITE};

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "castellan.sink.v1.SinkService";

const fn rest(method: &'static str, path: &'static str, success_code: u16) -> Option<RestBinding> {
    Some(RestBinding {
        method,
        path,
        body: "*",
        success_code,
        repeated: &[],
    })
}

fn rpcs() -> Vec<Rpc> {
    let write = Access::Instance(IAM_WRITE);
    let read = Access::Instance(IAM_READ);
    vec![
        rpc(
            "CreateSink",
            rest("POST", "/castellan/v1/sinks", 201),
            write,
            handlers::create,
        ),
        rpc(
            "ListSinks",
            rest("GET", "/castellan/v1/sinks", 200),
            read,
            handlers::list,
        ),
        rpc(
            "GetSink",
            rest("GET", "/castellan/v1/sinks/{id}", 200),
            read,
            handlers::get,
        ),
        rpc(
            "UpdateSink",
            rest("PUT", "/castellan/v1/sinks/{id}", 200),
            write,
            handlers::update,
        ),
        rpc(
            "DeleteSink",
            rest("DELETE", "/castellan/v1/sinks/{id}", 200),
            write,
            handlers::delete,
        ),
        rpc(
            "ListDeadLetters",
            rest("GET", "/castellan/v1/sinks/{id}/dead-letters", 200),
            read,
            handlers::dead_letters,
        ),
        rpc(
            "ReplayDeadLetter",
            rest(
                "POST",
                "/castellan/v1/sinks/{id}/dead-letters/{position}/replay",
                200,
            ),
            write,
            handlers::replay,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}
