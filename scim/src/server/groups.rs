//! `/Groups`: SCIM Groups on Castellan's user groups, members being users of the same org.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_api::state::AppState;
use castellan_core::group::{self, Group};
use castellan_core::permission::{GROUP_CREATE, GROUP_DELETE, GROUP_READ, GROUP_WRITE};
use castellan_readers::queries::Paging;
use castellan_readers::queries::group::{
    GroupFilter, GroupSort, GroupView, OrgVisibility, find_group_by_name, get_group,
    list_group_members, list_groups,
};
use castellan_writer::commands::group::OnGroup;
use serde_json::Value;

use super::context::{Scim, authorize};
use super::error::{respond, scim_json};
use super::group_doc;
use super::list::{ListParams, ListQuery, respond as list_respond, sort_resources};
use super::users::{check_if_match, execute, parse_body, read_error, typed_response};
use crate::protocol::ScimError;
use crate::protocol::filter::{IndexedAttribute, indexed_lookup};
use crate::protocol::patch::{apply_patch, parse_patch};
use crate::protocol::schema::{
    GROUP_RESOURCE_TYPE, prepare_create, prepare_replace, validate_resource,
};

/// Every current member of a group, page by page.
async fn members(scim: &Scim, group_id: &str) -> Result<Vec<String>, ScimError> {
    let mut all = Vec::new();
    let mut offset = 0u64;
    loop {
        let page = list_group_members(
            scim.state.store(),
            scim.instance_id(),
            group_id,
            Paging {
                offset,
                limit: 1000,
                asc: true,
            },
        )
        .await
        .map_err(read_error)?;
        let got = page.items.len();
        all.extend(page.items.into_iter().map(|m| m.user_id));
        offset += got as u64;
        if got < 1000 || offset >= page.total {
            return Ok(all);
        }
    }
}

async fn find(scim: &Scim, id: &str) -> Result<GroupView, ScimError> {
    get_group(scim.state.store(), scim.instance_id(), &scim.org_id, id)
        .await
        .map_err(read_error)?
        .ok_or_else(|| ScimError::new(404, None, format!("Group {id} not found")))
}

async fn resource(scim: &Scim, view: &GroupView) -> Result<Value, ScimError> {
    Ok(group_doc::to_resource(
        view,
        &members(scim, &view.id).await?,
        &scim.base_url,
    ))
}

async fn read_back(
    scim: &Scim,
    id: &str,
    status: StatusCode,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    let body = resource(scim, &view).await?;
    Ok(typed_response(status, &body, query, &GROUP_RESOURCE_TYPE))
}

/// Every group of the org (a group list is small next to a user list).
async fn all_groups(scim: &Scim) -> Result<Vec<GroupView>, ScimError> {
    let mut all = Vec::new();
    let mut offset = 0u64;
    loop {
        let page = list_groups(
            scim.state.store(),
            scim.instance_id(),
            &[GroupFilter::Org(scim.org_id.clone())],
            &OrgVisibility::All,
            GroupSort::Id,
            Paging {
                offset,
                limit: 1000,
                asc: true,
            },
        )
        .await
        .map_err(read_error)?;
        let got = page.items.len();
        all.extend(page.items);
        offset += got as u64;
        if got < 1000 || offset >= page.total {
            return Ok(all);
        }
    }
}

/// A Groups list or search: the ListResponse body.
pub async fn run_list(scim: &Scim, params: &ListParams) -> Result<Value, ScimError> {
    let ListQuery { page, filter, sort } = ListQuery::parse(params, &GROUP_RESOURCE_TYPE)?;
    let store = scim.state.store();
    let indexed = filter
        .as_ref()
        .and_then(|f| indexed_lookup(f, &GROUP_RESOURCE_TYPE));
    let candidates = match indexed.map(|l| (l.attribute, l.value)) {
        Some((IndexedAttribute::DisplayName, name)) => {
            find_group_by_name(store, scim.instance_id(), &scim.org_id, name)
                .await
                .map_err(read_error)?
                .into_iter()
                .collect()
        }
        Some((IndexedAttribute::Id, id)) => get_group(store, scim.instance_id(), &scim.org_id, id)
            .await
            .map_err(read_error)?
            .into_iter()
            .collect(),
        _ => all_groups(scim).await?,
    };
    let mut matched = Vec::new();
    for view in &candidates {
        let doc = resource(scim, view).await?;
        if let Some(filter) = &filter
            && !filter.matches(&doc, &GROUP_RESOURCE_TYPE)?
        {
            continue;
        }
        matched.push(doc);
    }
    if let Some(sort) = &sort {
        sort_resources(&mut matched, sort, &GROUP_RESOURCE_TYPE);
    }
    let total = matched.len() as u64;
    let window: Vec<Value> = matched
        .into_iter()
        .skip(page.offset())
        .take(page.count)
        .collect();
    Ok(list_respond(
        &window,
        total,
        page,
        params,
        &GROUP_RESOURCE_TYPE,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, GROUP_READ).await?;
            let view = find(&scim, &id).await?;
            if let Some(none_match) = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                && none_match
                    .split(',')
                    .any(|t| t.trim() == group_doc::etag(&view))
            {
                return Ok(StatusCode::NOT_MODIFIED.into_response());
            }
            let body = resource(&scim, &view).await?;
            Ok(typed_response(
                StatusCode::OK,
                &body,
                &query,
                &GROUP_RESOURCE_TYPE,
            ))
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
            let scim = authorize(&state, &headers, &org_id, GROUP_READ).await?;
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
            let scim = authorize(&state, &headers, &org_id, GROUP_READ).await?;
            let params = ListParams::from_body(&parse_body(&body)?)?;
            Ok(scim_json(StatusCode::OK, run_list(&scim, &params).await?))
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
            let scim = authorize(&state, &headers, &org_id, GROUP_CREATE).await?;
            create_group(&scim, &body, &query).await
        }
        .await,
    )
}

/// POST /Groups (also a Bulk operation).
pub(super) async fn create_group(
    scim: &Scim,
    body: &Bytes,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let prepared = prepare_create(&parse_body(body)?, &GROUP_RESOURCE_TYPE)?;
    let id = scim.state.writer.next_id();
    let write = group_doc::desired(&prepared, &id, &scim.org_id, true)?;
    execute(scim, &write).await?;
    read_back(scim, &id, StatusCode::CREATED, query).await
}

/// PUT and PATCH: the new resource state, written as one command.
pub(super) async fn update(
    scim: &Scim,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    patch: bool,
    query: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    check_if_match(headers, &group_doc::etag(&view))?;
    let existing = resource(scim, &view).await?;
    let wanted = if patch {
        let request = parse_patch(&parse_body(body)?)?;
        let mut doc = existing;
        apply_patch(&mut doc, &request, &GROUP_RESOURCE_TYPE)?;
        validate_resource(&doc, &GROUP_RESOURCE_TYPE)?;
        doc
    } else {
        prepare_replace(&existing, &parse_body(body)?, &GROUP_RESOURCE_TYPE)?
    };
    let write = group_doc::desired(&wanted, &view.id, &scim.org_id, false)?;
    execute(scim, &write).await?;
    read_back(scim, &view.id, StatusCode::OK, query).await
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
            let scim = authorize(&state, &headers, &org_id, GROUP_WRITE).await?;
            update(&scim, &headers, &id, &body, false, &query).await
        }
        .await,
    )
}

pub async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org_id, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, GROUP_WRITE).await?;
            update(&scim, &headers, &id, &body, true, &query).await
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
            let scim = authorize(&state, &headers, &org_id, GROUP_DELETE).await?;
            delete_group(&scim, &headers, &id).await
        }
        .await,
    )
}

/// DELETE /Groups/{id} (also a Bulk operation).
pub(super) async fn delete_group(
    scim: &Scim,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ScimError> {
    let view = find(scim, id).await?;
    check_if_match(headers, &group_doc::etag(&view))?;
    let command = OnGroup::new(&view.id, |current: &Group| group::remove(current));
    execute(scim, &command).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
