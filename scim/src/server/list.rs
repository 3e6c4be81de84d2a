//! Listing and searching Users (RFC 7644 §3.4.2, §3.4.3): `filter`, `sortBy`/`sortOrder`,
//! `startIndex`/`count` and `attributes`/`excludedAttributes`, from a GET's query or a
//! `.search` body. `userName eq`, `id eq` and `externalId eq` are answered from indexes (the
//! whole filter is still checked on each candidate); other
//! filters walk the org's users page by page and keep, unsorted, only the requested window.

use std::cmp::Ordering;
use std::collections::HashMap;

use castellan_readers::queries::login::by_username;
use castellan_readers::queries::user::{
    UserKindView, UserView, get_user, users_by_metadata_value, users_page,
};
use serde_json::Value;

use super::context::{MAX_FILTER_CHARS, MAX_RESULTS, Scim};
use super::error::from_domain;
use super::users::{external_id_key, resource_of};
use crate::protocol::filter::{Filter, IndexedAttribute, indexed_lookup, parse_filter_with_limit};
use crate::protocol::list::{Page, list_response};
use crate::protocol::path::AttrPath;
use crate::protocol::schema::{
    ResourceType, SortOrder, USER_RESOURCE_TYPE, compare_for_sort, project, split_attribute_list,
};
use crate::protocol::{ScimError, ScimType};

/// The URN a `.search` body must name.
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// A list request's parameters.
#[derive(Debug, Default)]
pub struct ListParams {
    pub filter: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

impl ListParams {
    /// From a GET's query parameters.
    pub fn from_query(query: &HashMap<String, String>) -> Self {
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        Self {
            filter: get("filter"),
            start_index: get("startIndex"),
            count: get("count"),
            sort_by: get("sortBy"),
            sort_order: get("sortOrder"),
            attributes: get("attributes")
                .map(|a| split_attribute_list(&a))
                .unwrap_or_default(),
            excluded: get("excludedAttributes")
                .map(|a| split_attribute_list(&a))
                .unwrap_or_default(),
        }
    }

    /// From a `.search` body.
    pub fn from_body(body: &Value) -> Result<Self, ScimError> {
        let object = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("the body must be a JSON object"))?;
        let names_search = object
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(SEARCH_REQUEST)));
        if !names_search {
            return Err(ScimError::invalid_syntax(format!(
                "schemas must contain {SEARCH_REQUEST}"
            )));
        }
        let text = |name: &str| -> Option<String> {
            match object.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let list = |name: &str| -> Vec<String> {
            match object.get(name) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                Some(Value::String(s)) => split_attribute_list(s),
                _ => Vec::new(),
            }
        };
        Ok(Self {
            filter: text("filter"),
            start_index: text("startIndex"),
            count: text("count"),
            sort_by: text("sortBy"),
            sort_order: text("sortOrder"),
            attributes: list("attributes"),
            excluded: list("excludedAttributes"),
        })
    }
}

fn in_org(scim: &Scim, user: &UserView) -> bool {
    user.org_id == scim.org_id && user.kind == UserKindView::Human
}

/// The users an indexed lookup names (`None`: the filter needs a walk).
async fn indexed(
    scim: &Scim,
    filter: &Filter,
    external_id_key: &str,
) -> Result<Option<Vec<UserView>>, ScimError> {
    let Some(lookup) = indexed_lookup(filter, &USER_RESOURCE_TYPE) else {
        return Ok(None);
    };
    let store = scim.state.store();
    let read = |e| from_domain(&castellan_api::error::read_error(e));
    let found = match lookup.attribute {
        IndexedAttribute::UserName => by_username(store, scim.instance_id(), lookup.value)
            .await
            .map_err(read)?,
        IndexedAttribute::Id => get_user(store, scim.instance_id(), lookup.value)
            .await
            .map_err(read)?
            .into_iter()
            .collect(),
        IndexedAttribute::ExternalId => {
            use base64::Engine as _;
            let stored = base64::engine::general_purpose::STANDARD.encode(lookup.value);
            users_by_metadata_value(store, scim.instance_id(), external_id_key, &stored)
                .await
                .map_err(read)?
        }
        IndexedAttribute::DisplayName => return Ok(None),
    };
    Ok(Some(
        found.into_iter().filter(|u| in_org(scim, u)).collect(),
    ))
}

/// Runs a list request: the ListResponse body.
pub async fn run(scim: &Scim, params: &ListParams) -> Result<Value, ScimError> {
    let ListQuery { page, filter, sort } = ListQuery::parse(params, &USER_RESOURCE_TYPE)?;
    let key = external_id_key(scim).await?;
    let mut window = Window {
        offset: page.offset(),
        end: page.offset().saturating_add(page.count),
        total: 0,
        kept: Vec::new(),
        filter: filter.as_ref(),
        sorted: sort.is_some(),
    };
    // Candidates: from an index, or the org's users page by page (memory: one store page and
    // the kept resources).
    let indexed = match &filter {
        Some(filter) => indexed(scim, filter, &key).await?,
        None => None,
    };
    match indexed {
        Some(found) => {
            for user in &found {
                window.offer(scim, user, &key).await?;
            }
        }
        None => {
            let mut after: Option<String> = None;
            loop {
                let (users, next) =
                    users_page(scim.state.store(), scim.instance_id(), after.as_deref())
                        .await
                        .map_err(|e| from_domain(&castellan_api::error::read_error(e)))?;
                for user in users.iter().filter(|u| in_org(scim, u)) {
                    window.offer(scim, user, &key).await?;
                }
                match next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
    }
    let Window {
        total, mut kept, ..
    } = window;
    let offset = page.offset();
    if let Some(sort) = &sort {
        sort_resources(&mut kept, sort, &USER_RESOURCE_TYPE);
        kept = kept.into_iter().skip(offset).take(page.count).collect();
    }
    Ok(respond(&kept, total, page, params, &USER_RESOURCE_TYPE))
}

/// The matches of a list walk: their count, and the resources to answer with (the window's, or
/// every match when they must be sorted first).
struct Window<'a> {
    offset: usize,
    end: usize,
    total: u64,
    kept: Vec<Value>,
    filter: Option<&'a Filter>,
    sorted: bool,
}

impl Window<'_> {
    async fn offer(&mut self, scim: &Scim, user: &UserView, key: &str) -> Result<(), ScimError> {
        let index = usize::try_from(self.total).unwrap_or(usize::MAX);
        let in_window = index >= self.offset && index < self.end;
        // Without a filter or a sort only the window's resources are built.
        let Some(filter) = self.filter else {
            if self.sorted || in_window {
                self.kept.push(resource_of(scim, user, key).await?);
            }
            self.total += 1;
            return Ok(());
        };
        let resource = resource_of(scim, user, key).await?;
        if !filter.matches(&resource, &USER_RESOURCE_TYPE)? {
            return Ok(());
        }
        if self.sorted || in_window {
            self.kept.push(resource);
        }
        self.total += 1;
        Ok(())
    }
}

/// A list request's page, parsed and validated filter, and sort.
pub struct ListQuery {
    pub page: Page,
    pub filter: Option<Filter>,
    pub sort: Option<(AttrPath, SortOrder)>,
}

impl ListQuery {
    /// Reads `startIndex`/`count` (at most [`MAX_RESULTS`]), `filter` (at most
    /// [`MAX_FILTER_CHARS`], validated against `resource_type`) and `sortBy`/`sortOrder`.
    pub fn parse(params: &ListParams, resource_type: &ResourceType) -> Result<Self, ScimError> {
        let page = Page::from_params(
            params.start_index.as_deref(),
            params.count.as_deref(),
            MAX_RESULTS,
            MAX_RESULTS,
        )?;
        let filter = match params.filter.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                let filter = parse_filter_with_limit(text, MAX_FILTER_CHARS)?;
                filter.validate(resource_type)?;
                Some(filter)
            }
            _ => None,
        };
        let sort = match &params.sort_by {
            Some(path) if !path.trim().is_empty() => Some((
                AttrPath::parse(path.trim()).map_err(ScimError::invalid_value)?,
                match &params.sort_order {
                    Some(order) => SortOrder::parse(order)?,
                    None => SortOrder::Ascending,
                },
            )),
            _ => None,
        };
        Ok(Self { page, filter, sort })
    }
}

/// Sorts resources by the requested attribute; ties keep a stable order by id.
pub fn sort_resources(
    resources: &mut [Value],
    (path, order): &(AttrPath, SortOrder),
    resource_type: &ResourceType,
) {
    resources.sort_by(
        |a, b| match compare_for_sort(a, b, path, *order, resource_type) {
            Ordering::Equal => a
                .get("id")
                .map(Value::to_string)
                .cmp(&b.get("id").map(Value::to_string)),
            other => other,
        },
    );
}

/// The ListResponse of one page of resources, each shaped by `attributes`/`excludedAttributes`.
pub fn respond(
    page_items: &[Value],
    total: u64,
    page: Page,
    params: &ListParams,
    resource_type: &ResourceType,
) -> Value {
    let resources = page_items
        .iter()
        .map(|r| project(r, &params.attributes, &params.excluded, resource_type))
        .collect();
    list_response(resources, total, page.start_index)
}

/// `POST /.search` at the root: Users and Groups together (each resource type answers the
/// filter; a filter naming only one type's attributes matches nothing of the other).
pub async fn search_root(
    axum::extract::State(state): axum::extract::State<castellan_api::state::AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(org_id): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use castellan_core::permission::{GROUP_READ, USER_READ};

    use super::context::authorize;
    use super::error::{respond, scim_json};
    use super::users::parse_body;
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let params = ListParams::from_body(&parse_body(&body)?)?;
            let page = Page::from_params(
                params.start_index.as_deref(),
                params.count.as_deref(),
                MAX_RESULTS,
                MAX_RESULTS,
            )?;
            // Users first, then groups: the requested window spans both lists.
            let users = run(&scim, &params).await?;
            let users_total = users
                .get("totalResults")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let mut resources: Vec<Value> = match users.get("Resources") {
                Some(Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            };
            let mut total = users_total;
            let may_read_groups = scim.caller.principal.allows(
                GROUP_READ,
                &castellan_core::permission::Target::org(&scim.org_id),
            );
            if may_read_groups {
                let skipped_users = usize::try_from(users_total).unwrap_or(usize::MAX);
                let groups_params = ListParams {
                    start_index: Some(
                        (page.offset().saturating_sub(skipped_users) + 1).to_string(),
                    ),
                    count: Some(page.count.saturating_sub(resources.len()).to_string()),
                    filter: params.filter.clone(),
                    sort_by: params.sort_by.clone(),
                    sort_order: params.sort_order.clone(),
                    attributes: params.attributes.clone(),
                    excluded: params.excluded.clone(),
                };
                match super::groups::run_list(&scim, &groups_params).await {
                    Ok(groups) => {
                        total += groups
                            .get("totalResults")
                            .and_then(Value::as_u64)
                            .unwrap_or(0);
                        if let Some(Value::Array(items)) = groups.get("Resources") {
                            resources.extend(items.iter().cloned());
                        }
                    }
                    // A filter on attributes only users have matches no group.
                    Err(error) if error.scim_type == Some(ScimType::InvalidFilter) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(scim_json(
                axum::http::StatusCode::OK,
                list_response(resources, total, page.start_index),
            ))
        }
        .await,
    )
}
