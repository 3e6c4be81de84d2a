//! Castellan's API edge: ZITADEL's v2 services, served as Connect unary JSON and as the REST
//! paths of ZITADEL's protos. Handlers are thin: decode, check permission, call the writer or a
//! query, encode. Errors become HTTP in one place ([`error`]).

pub mod auth;
pub mod error;
pub mod org;
pub mod rpc;
pub mod state;

use axum::Router;

use crate::state::AppState;

/// Every API service.
pub fn router() -> Router<AppState> {
    Router::new().merge(org::router())
}
