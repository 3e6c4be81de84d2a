//! `zitadel.session.v2.SessionService`: sessions a login UI creates and updates with checks of
//! the user and its password, and reads or deletes later.
//!
//! Checks supported: `user` (by id or login name), `password` and `totp` (verified with the org's
//! lockout settings; a wrong password or code is recorded on the user and answers
//! InvalidArgument, a locked user FailedPrecondition; a TOTP time step is accepted once). The other checks and every challenge answer Unimplemented, naming what
//! was asked. Every change issues a new session token (only its hash is stored).
//!
//! Permissions: CreateSession needs `session.write` on the instance (ZITADEL's documented
//! requirement). SetSession, GetSession, DeleteSession and ListSessions are open to any
//! authenticated caller and decide per session (see [`write::set_session`],
//! [`write::delete_session`] and [`read`]).

mod read;
mod support;
pub mod wire;
mod write;

use axum::Router;
use castellan_api::access::Access;
use castellan_api::rpc::{RestBinding, Rpc, method_paths, router as rpc_router, rpc};
use castellan_api::state::AppState;

use crate::service::SESSION_WRITE;

pub const SERVICE: &str = "zitadel.session.v2.SessionService";

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
            "CreateSession",
            Some(RestBinding {
                success_code: 201,
                ..rest("POST", "/v2/sessions", "*")
            }),
            Access::Instance(SESSION_WRITE),
            write::create_session,
        ),
        rpc(
            "SetSession",
            Some(rest("PATCH", "/v2/sessions/{session_id}", "*")),
            Access::Authenticated,
            write::set_session,
        ),
        rpc(
            "DeleteSession",
            Some(rest("DELETE", "/v2/sessions/{session_id}", "*")),
            Access::Authenticated,
            write::delete_session,
        ),
        rpc(
            "GetSession",
            Some(rest("GET", "/v2/sessions/{session_id}", "")),
            Access::Authenticated,
            read::get_session,
        ),
        rpc(
            "ListSessions",
            Some(rest("POST", "/v2/sessions/search", "*")),
            Access::Authenticated,
            read::list_sessions,
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
