//! `/Me` (RFC 7644 §3.11): the authenticated user's own resource, read and changed with the
//! user's own token (no user-manager permission needed), in its own org only.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use castellan_api::state::AppState;

use super::context::authorize_self;
use super::error::respond;
use super::users::{external_id_key, patch_user, read_back, replace_user};

pub async fn me_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    respond(
        async {
            let scim = authorize_self(&state, &headers, &org_id).await?;
            let id = scim.own_user_id().to_owned();
            let key = external_id_key(&scim).await?;
            read_back(&scim, &id, &key, StatusCode::OK, &query).await
        }
        .await,
    )
}

pub async fn me_replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize_self(&state, &headers, &org_id).await?;
            let id = scim.own_user_id().to_owned();
            replace_user(&scim, &headers, &id, &body, &query).await
        }
        .await,
    )
}

pub async fn me_patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize_self(&state, &headers, &org_id).await?;
            let id = scim.own_user_id().to_owned();
            patch_user(&scim, &headers, &id, &body, &query).await
        }
        .await,
    )
}
