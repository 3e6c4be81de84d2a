//! The SCIM 2.0 service provider at ZITADEL's base path `/scim/v2/{orgId}` (RFC 7644): discovery,
//! Users (with the enterprise extension), `.search`, and `/Me`. Every change is an ordinary
//! command through the writer; reads come from the read store. Handlers are thin: parse →
//! [`context`] (who, which org, may they) → the protocol engine ([`crate::protocol`]) → a command
//! or a query → a SCIM response; every failure leaves as an RFC 7644 error body ([`error`]).

mod bulk;
mod context;
mod discovery;
pub mod error;
mod group_doc;
mod group_write;
mod groups;
mod list;
mod me;
mod user_doc;
mod user_write;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use castellan_api::state::AppState;

pub use context::{MAX_BODY_BYTES, MAX_RESULTS};

/// A body over the limit, refused before any handler ran: the SCIM error instead of axum's text.
async fn too_large(response: axum::response::Response) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return error::error_response(&crate::protocol::ScimError::new(
            413,
            Some(crate::protocol::ScimType::TooMany),
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    response
}

/// Anything else under the base path: a SCIM 404.
async fn unknown() -> axum::response::Response {
    error::error_response(&crate::protocol::ScimError::new(
        404,
        None,
        "No such SCIM endpoint",
    ))
}

/// The SCIM routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/scim/v2/{org_id}/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/scim/v2/{org_id}/Schemas", get(discovery::schemas))
        .route("/scim/v2/{org_id}/Schemas/{id}", get(discovery::schema))
        .route(
            "/scim/v2/{org_id}/ResourceTypes",
            get(discovery::resource_types),
        )
        .route(
            "/scim/v2/{org_id}/ResourceTypes/{name}",
            get(discovery::resource_type),
        )
        .route(
            "/scim/v2/{org_id}/Users",
            get(users::list).post(users::create),
        )
        .route("/scim/v2/{org_id}/Users/.search", post(users::search))
        .route(
            "/scim/v2/{org_id}/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route(
            "/scim/v2/{org_id}/Groups",
            get(groups::list).post(groups::create),
        )
        .route("/scim/v2/{org_id}/Groups/.search", post(groups::search))
        .route(
            "/scim/v2/{org_id}/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route("/scim/v2/{org_id}/.search", post(list::search_root))
        .route("/scim/v2/{org_id}/Bulk", post(bulk::bulk))
        .route(
            "/scim/v2/{org_id}/Me",
            get(me::me_get).put(me::me_replace).patch(me::me_patch),
        )
        .route("/scim/v2/{org_id}/{*rest}", axum::routing::any(unknown))
        .layer(axum::middleware::map_response(too_large))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
