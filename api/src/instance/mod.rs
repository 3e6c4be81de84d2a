//! `zitadel.instance.v2.InstanceService` (issue #4).

use axum::Router;

use crate::rpc::{Rpc, router as rpc_router};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.instance.v2.InstanceService";

fn rpcs() -> Vec<Rpc> {
    Vec::new()
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}

/// The Connect paths this service implements.
pub fn served_methods() -> Vec<String> {
    rpcs()
        .iter()
        .map(|rpc| format!("{SERVICE}/{}", rpc.name))
        .collect()
}
