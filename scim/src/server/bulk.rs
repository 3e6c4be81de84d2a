//! `POST /Bulk` (RFC 7644 §3.7): up to 100 operations on Users and Groups in one request, each
//! run like the single request it names, in order. `bulkId:<id>` in an operation's path or data
//! stands for the id the operation with that `bulkId` created; an operation whose references
//! are not resolved yet waits for a later pass, and references that never resolve (unknown or
//! circular) fail with 409. `failOnErrors: n` stops after the n-th failure. Each operation is
//! its own append: a bulk request is not one transaction (RFC 7644 does not ask for one).

use std::collections::{HashMap, HashSet};

use axum::body::{Bytes, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use castellan_api::state::AppState;
use castellan_core::permission::{
    GROUP_CREATE, GROUP_DELETE, GROUP_WRITE, Target, USER_DELETE, USER_READ, USER_WRITE,
};
use serde_json::{Value, json};

use super::context::{MAX_BODY_BYTES, Scim, authorize};
use super::error::{respond, scim_json};
use super::users::parse_body;
use super::{groups, users};
use crate::protocol::{ScimError, ScimType};

/// The most operations one bulk request may carry (ZITADEL's `Bulk.MaxOperationsCount`).
pub const MAX_OPERATIONS: usize = 100;
const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

#[derive(Clone, Debug)]
struct Operation {
    method: String,
    bulk_id: Option<String>,
    path: String,
    data: Option<Value>,
    version: Option<String>,
}

fn parse(body: &Value) -> Result<(Vec<Operation>, Option<usize>), ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the body must be a JSON object"))?;
    let names_bulk = object
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(BULK_REQUEST)));
    if !names_bulk {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must contain {BULK_REQUEST}"
        )));
    }
    let fail_on_errors = match object.get("failOnErrors") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .filter(|n| *n > 0)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    ScimError::invalid_value("failOnErrors must be a positive integer")
                })?,
        ),
    };
    let list = object
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("Operations must be an array"))?;
    if list.len() > MAX_OPERATIONS {
        return Err(ScimError::new(
            413,
            Some(ScimType::TooMany),
            format!("at most {MAX_OPERATIONS} operations per bulk request"),
        ));
    }
    let mut operations = Vec::with_capacity(list.len());
    for (index, op) in list.iter().enumerate() {
        let text = |name: &str| op.get(name).and_then(Value::as_str).map(str::to_owned);
        let method = text("method")
            .map(|m| m.to_ascii_uppercase())
            .ok_or_else(|| ScimError::invalid_syntax(format!("operation {index}: no method")))?;
        let path = text("path")
            .ok_or_else(|| ScimError::invalid_syntax(format!("operation {index}: no path")))?;
        let bulk_id = text("bulkId");
        if method == "POST" && bulk_id.is_none() {
            return Err(ScimError::invalid_syntax(format!(
                "operation {index}: a POST needs a bulkId"
            )));
        }
        operations.push(Operation {
            method,
            bulk_id,
            path,
            data: op.get("data").cloned(),
            version: text("version"),
        });
    }
    Ok((operations, fail_on_errors))
}

/// The `bulkId:` references in a value.
fn references(value: &Value, out: &mut HashSet<String>) {
    match value {
        Value::String(s) => {
            if let Some(id) = s.split('/').find_map(|part| part.strip_prefix("bulkId:")) {
                out.insert(id.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        Value::Object(map) => map.values().for_each(|v| references(v, out)),
        _ => {}
    }
}

fn resolve(value: &mut Value, ids: &HashMap<String, String>) {
    match value {
        Value::String(s) => {
            for (bulk_id, id) in ids {
                let reference = format!("bulkId:{bulk_id}");
                if s.contains(&reference) {
                    *s = s.replace(&reference, id);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, ids)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, ids)),
        _ => {}
    }
}

fn error_result(op: &Operation, error: &ScimError) -> Value {
    json!({
        "method": op.method,
        "bulkId": op.bulk_id,
        "status": error.status.to_string(),
        "response": error.to_json(),
    })
}

/// Runs one resolved operation like the single request.
async fn run_one(scim: &Scim, op: &Operation) -> Result<Response, ScimError> {
    let segments: Vec<&str> = op.path.trim_matches('/').split('/').collect();
    let (kind, id) = match segments.as_slice() {
        [kind] => (*kind, None),
        [kind, id] => (*kind, Some(*id)),
        _ => return Err(ScimError::invalid_path(format!("bad path {:?}", op.path))),
    };
    let users = kind.eq_ignore_ascii_case("Users");
    if !users && !kind.eq_ignore_ascii_case("Groups") {
        return Err(ScimError::invalid_path(format!(
            "no resource type at {:?}",
            op.path
        )));
    }
    let permission = match (users, op.method.as_str()) {
        (true, "DELETE") => USER_DELETE,
        (true, _) => USER_WRITE,
        (false, "POST") => GROUP_CREATE,
        (false, "DELETE") => GROUP_DELETE,
        (false, _) => GROUP_WRITE,
    };
    if !scim
        .caller
        .principal
        .allows(permission, &Target::org(&scim.org_id))
    {
        return Err(ScimError::new(403, None, "Permission denied"));
    }
    let mut headers = HeaderMap::new();
    if let Some(version) = &op.version
        && let Ok(value) = HeaderValue::from_str(version)
    {
        headers.insert(header::IF_MATCH, value);
    }
    let body = Bytes::from(op.data.clone().unwrap_or(Value::Null).to_string());
    let query = HashMap::new();
    match (op.method.as_str(), id, users) {
        ("POST", None, true) => users::create_user(scim, &body, &query).await,
        ("POST", None, false) => groups::create_group(scim, &body, &query).await,
        ("PUT", Some(id), true) => users::replace_user(scim, &headers, id, &body, &query).await,
        ("PATCH", Some(id), true) => users::patch_user(scim, &headers, id, &body, &query).await,
        ("DELETE", Some(id), true) => users::delete_user(scim, &headers, id).await,
        ("PUT", Some(id), false) => groups::update(scim, &headers, id, &body, false, &query).await,
        ("PATCH", Some(id), false) => groups::update(scim, &headers, id, &body, true, &query).await,
        ("DELETE", Some(id), false) => groups::delete_group(scim, &headers, id).await,
        _ => Err(ScimError::invalid_syntax(format!(
            "{} is not allowed on {:?}",
            op.method, op.path
        ))),
    }
}

/// The result entry of a successful operation, and the id it created.
async fn success(op: &Operation, response: Response) -> (Value, Option<String>) {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let version = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = to_bytes(response.into_body(), MAX_BODY_BYTES)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let created = body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let location = location.or_else(|| {
        body.as_ref()
            .and_then(|b| b.pointer("/meta/location"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let mut result = json!({"method": op.method, "status": status.to_string()});
    if let Some(object) = result.as_object_mut() {
        if let Some(bulk_id) = &op.bulk_id {
            object.insert("bulkId".into(), json!(bulk_id));
        }
        if let Some(location) = location {
            object.insert("location".into(), json!(location));
        }
        if let Some(version) = version {
            object.insert("version".into(), json!(version));
        }
    }
    (result, created)
}

pub async fn bulk(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let scim = authorize(&state, &headers, &org_id, USER_READ).await?;
            let (operations, fail_on_errors) = parse(&parse_body(&body)?)?;
            let mut results: Vec<Option<Value>> = vec![None; operations.len()];
            let mut ids: HashMap<String, String> = HashMap::new();
            let mut errors = 0usize;
            let mut pending: Vec<usize> = (0..operations.len()).collect();
            'passes: loop {
                let mut waiting = Vec::new();
                let mut progressed = false;
                for index in pending {
                    let Some(op) = operations.get(index) else {
                        continue;
                    };
                    let mut refs = HashSet::new();
                    references(&Value::String(op.path.clone()), &mut refs);
                    if let Some(data) = &op.data {
                        references(data, &mut refs);
                    }
                    if refs.iter().any(|r| !ids.contains_key(r)) {
                        waiting.push(index);
                        continue;
                    }
                    progressed = true;
                    let mut resolved = op.clone();
                    let mut path = Value::String(resolved.path.clone());
                    resolve(&mut path, &ids);
                    resolved.path = path.as_str().unwrap_or_default().to_owned();
                    if let Some(data) = resolved.data.as_mut() {
                        resolve(data, &ids);
                    }
                    let entry = match run_one(&scim, &resolved).await {
                        Ok(response) => {
                            let (entry, created) = success(&resolved, response).await;
                            if let (Some(bulk_id), Some(id)) = (&op.bulk_id, created) {
                                ids.insert(bulk_id.clone(), id);
                            }
                            entry
                        }
                        Err(error) => {
                            errors += 1;
                            error_result(op, &error)
                        }
                    };
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(entry);
                    }
                    if fail_on_errors.is_some_and(|limit| errors >= limit) {
                        break 'passes;
                    }
                }
                if waiting.is_empty() {
                    break;
                }
                if !progressed {
                    // Unknown or circular references.
                    for index in waiting {
                        if let (Some(op), Some(slot)) =
                            (operations.get(index), results.get_mut(index))
                        {
                            *slot = Some(error_result(
                                op,
                                &ScimError::new(409, None, "unresolvable bulkId reference"),
                            ));
                        }
                    }
                    break;
                }
                pending = waiting;
            }
            let done: Vec<Value> = results.into_iter().flatten().collect();
            Ok(scim_json(
                StatusCode::OK,
                json!({"schemas": [BULK_RESPONSE], "Operations": done}),
            ))
        }
        .await,
    )
}
