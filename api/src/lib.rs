//! Castellan's API edge: ZITADEL's v2 services, served as Connect unary JSON and as the REST
//! paths of ZITADEL's protos. Handlers are thin: decode, check permission, call the writer or a
//! query, encode. Errors become HTTP in one place ([`error`]).

pub mod access;
pub mod access_token;
pub mod application;
pub mod auth;
pub mod authorization;
pub mod bound_token;
pub mod error;
pub mod events;
pub mod feature;
pub mod group;
pub mod instance;
pub mod internal_permission;
pub mod limits;
pub mod management;
pub mod org;
pub mod project;
pub mod proto;
pub mod rpc;
pub mod settings;
pub mod signing;
pub mod sink;
pub mod state;
pub mod support;
pub mod user;

use axum::Router;

use crate::state::AppState;

/// Every v2 method served, as Connect paths without the leading slash.
pub fn served_methods() -> Vec<String> {
    let mut methods = org::served_methods();
    methods.extend(user::served_methods());
    methods.extend(project::served_methods());
    methods.extend(application::served_methods());
    methods.extend(authorization::served_methods());
    methods.extend(internal_permission::served_methods());
    methods.extend(settings::served_methods());
    methods.extend(instance::served_methods());
    methods.extend(feature::served_methods());
    methods.extend(group::served_methods());
    methods.sort();
    methods
}

/// Every API service.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(org::router())
        .merge(user::router())
        .merge(project::router())
        .merge(application::router())
        .merge(authorization::router())
        .merge(internal_permission::router())
        .merge(settings::router())
        .merge(instance::router())
        .merge(feature::router())
        .merge(group::router())
        .merge(management::router())
        .merge(sink::router())
}
