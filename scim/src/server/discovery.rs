//! `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (RFC 7644 §4), for the resource
//! types this server serves.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::state::AppState;
use castellan_core::permission::USER_READ;
use serde_json::Value;

use super::context::{MAX_BODY_BYTES, MAX_RESULTS, authorize};
use super::error::{respond, scim_json};
use crate::protocol::ScimError;
use crate::protocol::list::list_response;
use crate::protocol::schema::{
    BulkLimits, GROUP_RESOURCE_TYPE, ResourceType, Schema, ServiceProviderConfig,
    USER_RESOURCE_TYPE,
};

/// The resource types served.
pub const SERVED: &[ResourceType] = &[USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

fn served_schemas() -> Vec<&'static Schema> {
    let mut schemas: Vec<&'static Schema> = Vec::new();
    for schema in SERVED.iter().flat_map(ResourceType::schemas) {
        if !schemas.iter().any(|s| s.id == schema.id) {
            schemas.push(schema);
        }
    }
    schemas
}

/// What this server supports.
pub fn config() -> ServiceProviderConfig {
    ServiceProviderConfig {
        documentation_uri: None,
        patch: true,
        bulk: Some(BulkLimits {
            max_operations: super::bulk::MAX_OPERATIONS as u32,
            max_payload_size: MAX_BODY_BYTES as u64,
        }),
        filter_max_results: Some(MAX_RESULTS as u32),
        change_password: true,
        sort: true,
        etag: true,
    }
}

pub async fn service_provider_config(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
) -> Response {
    respond(
        authorize(&state, &headers, &org_id, USER_READ)
            .await
            .map(|scim| scim_json(StatusCode::OK, config().to_json(&scim.base_url))),
    )
}

pub async fn schemas(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
) -> Response {
    respond(
        authorize(&state, &headers, &org_id, USER_READ)
            .await
            .map(|scim| {
                let all: Vec<Value> = served_schemas()
                    .iter()
                    .map(|s| s.to_json(&scim.base_url))
                    .collect();
                let total = all.len() as u64;
                scim_json(StatusCode::OK, list_response(all, total, 1))
            }),
    )
}

pub async fn schema(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let schema = served_schemas()
                .into_iter()
                .find(|s| s.id.eq_ignore_ascii_case(&id))
                .ok_or_else(|| ScimError::new(404, None, format!("Schema {id} not found")))?;
            Ok(scim_json(StatusCode::OK, schema.to_json(&scim.base_url)))
        }
        .await,
    )
}

pub async fn resource_types(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
) -> Response {
    respond(
        authorize(&state, &headers, &org_id, USER_READ)
            .await
            .map(|scim| {
                let all: Vec<Value> = SERVED.iter().map(|r| r.to_json(&scim.base_url)).collect();
                let total = all.len() as u64;
                scim_json(StatusCode::OK, list_response(all, total, 1))
            }),
    )
}

pub async fn resource_type(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, name)): Path<(String, String)>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let found = SERVED
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(&name))
                .ok_or_else(|| {
                    ScimError::new(404, None, format!("Resource type {name} not found"))
                })?;
            Ok(scim_json(StatusCode::OK, found.to_json(&scim.base_url)))
        }
        .await,
    )
}
