//! `/Users` and `/Me` handlers: parse → authorize → protocol engine → command or query.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_api::state::AppState;
use castellan_core::clock::Timestamp;
use castellan_core::permission::{USER_DELETE, USER_READ, USER_WRITE};
use castellan_core::user::{self, User};
use castellan_readers::queries::Paging;
use castellan_readers::queries::TextMatch;
use castellan_readers::queries::group::groups_of_user;
use castellan_readers::queries::settings::password_complexity;
use castellan_readers::queries::user::{UserKindView, UserView, get_user, list_metadata};
use castellan_writer::commands::user::{CreateUser, OnUser};
use castellan_writer::secrets::hash_password_with;
use castellan_writer::writer::{Command, CommandContext, Outcome};
use serde_json::Value;

use super::context::{Scim, authorize};
use super::error::{from_domain, respond, scim_json};
use super::list::{ListParams, run as run_list};
use super::user_doc::{self, Desired, PROVISIONING_DOMAIN};
use super::user_write;
use crate::protocol::ScimError;
use crate::protocol::patch::{apply_patch, parse_patch};
use crate::protocol::schema::{
    ResourceType, USER_RESOURCE_TYPE, prepare_create, prepare_replace, project,
    split_attribute_list, validate_resource,
};

pub(super) fn read_error(e: castellan_readers::store::ReadError) -> ScimError {
    from_domain(&castellan_api::error::read_error(e))
}

pub(super) fn parse_body(body: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))
}

/// The metadata key of `externalId` for the caller's provisioning domain.
pub async fn external_id_key(scim: &Scim) -> Result<String, ScimError> {
    let domain = list_metadata(
        scim.state.store(),
        scim.instance_id(),
        scim.own_user_id(),
        Some((TextMatch::Equals, PROVISIONING_DOMAIN.to_owned())),
        Paging::default(),
    )
    .await
    .map_err(read_error)?
    .items
    .into_iter()
    .next()
    .map(|entry| user_doc::decode_metadata([(entry.key, entry.value)]))
    .and_then(|decoded| decoded.into_values().next());
    Ok(user_doc::external_id_key(domain.as_deref()))
}

/// A user's SCIM resource (metadata read from the store).
pub async fn resource_of(scim: &Scim, view: &UserView, key: &str) -> Result<Value, ScimError> {
    let metadata = list_metadata(
        scim.state.store(),
        scim.instance_id(),
        &view.id,
        None,
        Paging {
            offset: 0,
            limit: 1000,
            asc: true,
        },
    )
    .await
    .map_err(read_error)?;
    let decoded = user_doc::decode_metadata(metadata.items.into_iter().map(|m| (m.key, m.value)));
    let mut resource = user_doc::to_resource(view, &decoded, key, &scim.base_url);
    let groups = groups_of_user(scim.state.store(), scim.instance_id(), &view.id)
        .await
        .map_err(read_error)?;
    if !groups.is_empty()
        && let Some(object) = resource.as_object_mut()
    {
        let list: Vec<Value> = groups
            .iter()
            .map(|g| {
                serde_json::json!({
                    "value": g.id,
                    "display": g.name,
                    "$ref": format!("{}/Groups/{}", scim.base_url, g.id),
                    "type": "direct",
                })
            })
            .collect();
        object.insert("groups".into(), Value::Array(list));
    }
    Ok(resource)
}

/// The org's human user `id`, else 404 (users of other orgs do not exist here).
async fn find(scim: &Scim, id: &str) -> Result<UserView, ScimError> {
    get_user(scim.state.store(), scim.instance_id(), id)
        .await
        .map_err(read_error)?
        .filter(|u| u.org_id == scim.org_id && u.kind == UserKindView::Human)
        .ok_or_else(|| ScimError::new(404, None, format!("User {id} not found")))
}

fn attributes(query: &HashMap<String, String>) -> (Vec<String>, Vec<String>) {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| split_attribute_list(v))
            .unwrap_or_default()
    };
    (get("attributes"), get("excludedAttributes"))
}

/// A resource response with its `ETag` (and `Location` on 201).
pub(super) fn typed_response(
    status: StatusCode,
    resource: &Value,
    query: &HashMap<String, String>,
    resource_type: &ResourceType,
) -> Response {
    let (attributes, excluded) = attributes(query);
    let shaped = project(resource, &attributes, &excluded, resource_type);
    let mut response = scim_json(status, shaped);
    let meta = resource.get("meta");
    if let Some(version) = meta.and_then(|m| m.get("version")).and_then(Value::as_str)
        && let Ok(value) = HeaderValue::from_str(version)
    {
        response.headers_mut().insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED
        && let Some(location) = meta.and_then(|m| m.get("location")).and_then(Value::as_str)
        && let Ok(value) = HeaderValue::from_str(location)
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn resource_response(
    status: StatusCode,
    resource: &Value,
    query: &HashMap<String, String>,
) -> Response {
    typed_response(status, resource, query, &USER_RESOURCE_TYPE)
}

/// `If-Match` (412 when no listed ETag is the current one).
pub(super) fn check_if_match(headers: &HeaderMap, current: &str) -> Result<(), ScimError> {
    let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let strip = |tag: &str| {
        tag.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_owned()
    };
    let matches = wanted
        .split(',')
        .any(|tag| tag.trim() == "*" || strip(tag) == strip(current));
    if matches {
        Ok(())
    } else {
        Err(ScimError::new(
            412,
            None,
            format!("The resource is at version {current}"),
        ))
    }
}

pub(super) async fn execute<C: Command>(scim: &Scim, command: &C) -> Result<(), ScimError> {
    let ctx = CommandContext {
        instance_id: scim.instance_id().to_owned(),
        creator: scim.own_user_id().to_owned(),
    };
    let committed = match scim
        .state
        .writer
        .execute_or_unchanged(&ctx, command)
        .await
        .map_err(|e| from_domain(&e))?
    {
        Outcome::Committed(committed) => committed,
        // The resource already is what the request asks for.
        Outcome::Unchanged(_) => return Ok(()),
    };
    if let Err(error) = scim
        .state
        .consistency
        .wait_for(
            &committed.appended.events,
            scim.state.config.consistency_timeout,
        )
        .await
    {
        tracing::warn!(%error, "read model lagging behind a SCIM write");
    }
    Ok(())
}

/// The password's hash, after the org's complexity check.
async fn password_hash(scim: &Scim, desired: &Desired) -> Result<Option<String>, ScimError> {
    let Some(password) = desired.password.clone() else {
        return Ok(None);
    };
    let complexity = password_complexity(scim.state.store(), scim.instance_id(), &scim.org_id)
        .await
        .map_err(read_error)?;
    complexity
        .check(&password)
        .map_err(|e| ScimError::invalid_value(e.message))?;
    let params = scim.state.config.password_hasher;
    let hash = scim
        .state
        .writer
        .hash_work(move || hash_password_with(&password, &params))
        .await
        .map_err(|_| ScimError::new(500, None, "Internal error"))?
        .map_err(|e| from_domain(&e))?;
    Ok(Some(hash))
}

pub(super) async fn read_back(
    scim: &Scim,
    id: &str,
    key: &str,
    status: StatusCode,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    let resource = resource_of(scim, &view, key).await?;
    Ok(resource_response(status, &resource, query))
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let view = find(&scim, &id).await?;
            if let Some(none_match) = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                && none_match
                    .split(',')
                    .any(|t| t.trim() == user_doc::etag(&view))
            {
                return Ok(StatusCode::NOT_MODIFIED.into_response());
            }
            let key = external_id_key(&scim).await?;
            let resource = resource_of(&scim, &view, &key).await?;
            Ok(resource_response(StatusCode::OK, &resource, &query))
        }
        .await,
    )
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let body = run_list(&scim, &ListParams::from_query(&query)).await?;
            Ok(scim_json(StatusCode::OK, body))
        }
        .await,
    )
}

pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let params = ListParams::from_body(&parse_body(&body)?)?;
            let body = run_list(&scim, &params).await?;
            Ok(scim_json(StatusCode::OK, body))
        }
        .await,
    )
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_WRITE).await?;
            create_user(&scim, &body, &query).await
        }
        .await,
    )
}

/// POST /Users (also a Bulk operation).
pub(super) async fn create_user(
    scim: &Scim,
    body: &Bytes,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let resource = prepare_create(&parse_body(body)?, &USER_RESOURCE_TYPE)?;
    let key = external_id_key(scim).await?;
    let desired = user_doc::desired(&resource, &key)?;
    let hash = password_hash(scim, &desired).await?;
    let id = scim.state.writer.next_id();
    let org = scim.org_id.clone();
    let command = CreateUser {
        org_id: org.clone(),
        user_id: id.clone(),
        decide: |current: &User, _at: Timestamp| {
            user_write::create(current, &desired, hash.clone(), true, &key, &org)
        },
    };
    execute(scim, &command).await?;
    read_back(scim, &id, &key, StatusCode::CREATED, query).await
}

/// Applies a new resource state (from PUT or PATCH) to user `id`.
async fn update(
    scim: &Scim,
    view: &UserView,
    resource: &Value,
    key: &str,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let desired = user_doc::desired(resource, key)?;
    let hash = password_hash(scim, &desired).await?;
    let org = scim.org_id.clone();
    let command = OnUser::new(&view.id, |current: &User, at: Timestamp| {
        user_write::update(current, &desired, hash.clone(), key, &org, at)
    });
    execute(scim, &command).await?;
    read_back(scim, &view.id, key, StatusCode::OK, query).await
}

pub(super) async fn replace_user(
    scim: &Scim,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    check_if_match(headers, &user_doc::etag(&view))?;
    let key = external_id_key(scim).await?;
    let existing = resource_of(scim, &view, &key).await?;
    let resource = prepare_replace(&existing, &parse_body(body)?, &USER_RESOURCE_TYPE)?;
    update(scim, &view, &resource, &key, query).await
}

pub(super) async fn patch_user(
    scim: &Scim,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    check_if_match(headers, &user_doc::etag(&view))?;
    let request = parse_patch(&parse_body(body)?)?;
    let key = external_id_key(scim).await?;
    let mut resource = resource_of(scim, &view, &key).await?;
    apply_patch(&mut resource, &request, &USER_RESOURCE_TYPE)?;
    validate_resource(&resource, &USER_RESOURCE_TYPE)?;
    update(scim, &view, &resource, &key, query).await
}

pub async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_WRITE).await?;
            replace_user(&scim, &headers, &id, &body, &query).await
        }
        .await,
    )
}

/// PATCH answers 200 with the resource (what Entra expects).
pub async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_WRITE).await?;
            patch_user(&scim, &headers, &id, &body, &query).await
        }
        .await,
    )
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_DELETE).await?;
            delete_user(&scim, &headers, &id).await
        }
        .await,
    )
}

/// DELETE /Users/{id} (also a Bulk operation).
pub(super) async fn delete_user(
    scim: &Scim,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    check_if_match(headers, &user_doc::etag(&view))?;
    let command = OnUser::new(&view.id, |current: &User, _at: Timestamp| {
        user::remove(current)
    });
    execute(scim, &command).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
