//! Castellan's OpenID Provider: the OAuth 2/OIDC endpoints at ZITADEL's paths, the hosted login
//! pages, and the v2 services a custom login UI uses (SessionService, OIDCService) plus the
//! WebKeyService. Token logic lives in [`mint`], [`claims`], [`flow`] and [`front_channel`]; handlers stay
//! thin.

pub mod backchannel;
pub mod claims;
pub mod endpoints;
pub mod flow;
pub mod form_post;
pub mod front_channel;
pub mod login;
pub mod mint;
pub mod notify;
pub mod response_type;
pub mod service;

use axum::Router;
use castellan_api::state::AppState;

/// Every v2 method this crate serves, as Connect paths without the leading slash.
pub fn served_methods() -> Vec<String> {
    let mut methods = service::session::served_methods();
    methods.extend(service::oidc_v2::served_methods());
    methods.extend(service::web_key::served_methods());
    methods.sort();
    methods
}

/// The OIDC endpoints, login pages and services.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(endpoints::router())
        .merge(login::router())
        .merge(service::session::router())
        .merge(service::oidc_v2::router())
        .merge(service::web_key::router())
}
