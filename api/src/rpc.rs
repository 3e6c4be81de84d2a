//! One RPC table, served two ways: Connect unary JSON (`POST /<service>/<Method>`) and the REST
//! paths of the protos' `google.api.http` options. Both decode into the same typed request, so a
//! method's validation is the same whichever way it is called.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on, post};
use castellan_core::DomainError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::access::{Access, authorize};
use crate::auth::{Caller, authenticate};
use crate::error::{ApiError, Protocol};
use crate::proto::normalize::normalize;
use crate::state::AppState;

type BoxFuture = Pin<Box<dyn Future<Output = Result<serde_json::Value, DomainError>> + Send>>;
type Handler = Arc<dyn Fn(AppState, Caller, serde_json::Value) -> BoxFuture + Send + Sync>;

/// How an RPC is reached over REST.
#[derive(Clone, Copy, Debug)]
pub struct RestBinding {
    pub method: &'static str,
    /// axum path syntax: `/v2/organizations/{organization_id}`.
    pub path: &'static str,
    /// `"*"`: the request body is the message; `""`: no body (fields come from path and query).
    pub body: &'static str,
    /// The HTTP status of a success (the proto's `http_response.success_code`, default 200).
    pub success_code: u16,
    /// Query parameters that bind repeated fields (`?keys=a&keys=b`).
    pub repeated: &'static [&'static str],
}

pub struct Rpc {
    pub name: &'static str,
    pub rest: Option<RestBinding>,
    pub access: Access,
    handler: Handler,
}

/// Wraps a typed handler into the table. The request is normalized to canonical proto3 JSON
/// ([`crate::proto::normalize`]), authorized by `access` ([`crate::access`]), then decoded.
pub fn rpc<Req, Resp, F, Fut>(
    name: &'static str,
    rest: Option<RestBinding>,
    access: Access,
    handler: F,
) -> Rpc
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + 'static,
    F: Fn(AppState, Caller, Req) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Result<Resp, DomainError>> + Send + 'static,
{
    let handler: Handler = Arc::new(move |state, mut caller, mut value| {
        Box::pin(async move {
            normalize(&mut value);
            authorize(&state, &mut caller, access, &value).await?;
            let request: Req = serde_json::from_value(value)
                .map_err(|e| DomainError::invalid("API-0001", format!("invalid request: {e}")))?;
            let response = handler(state, caller, request).await?;
            serde_json::to_value(response)
                .map_err(|e| DomainError::internal("API-0002", format!("encode response: {e}")))
        })
    });
    Rpc {
        name,
        rest,
        access,
        handler,
    }
}

/// The Connect paths (`<service>/<Method>`, no leading slash) of a service's RPC table.
pub fn method_paths(service: &str, rpcs: &[Rpc]) -> Vec<String> {
    rpcs.iter()
        .map(|rpc| format!("{service}/{}", rpc.name))
        .collect()
}

/// Serves `rpcs` of `service` (e.g. `zitadel.org.v2.OrganizationService`).
pub fn router(service: &'static str, rpcs: Vec<Rpc>) -> Router<AppState> {
    let rpcs: Arc<HashMap<&'static str, Rpc>> =
        Arc::new(rpcs.into_iter().map(|rpc| (rpc.name, rpc)).collect());
    let mut router = Router::new();
    let table = rpcs.clone();
    router = router.route(
        &format!("/{service}/{{method}}"),
        post(
            move |State(state): State<AppState>,
                  Path(method): Path<String>,
                  headers: HeaderMap,
                  body: Result<Bytes, BytesRejection>| {
                let table = table.clone();
                async move { connect_call(state, &table, &method, &headers, body).await }
            },
        ),
    );
    for rpc in rpcs.values() {
        let Some(binding) = rpc.rest else { continue };
        let Some(filter) = method_filter(binding.method) else {
            continue;
        };
        let handler = rpc.handler.clone();
        router =
            router.route(
                binding.path,
                on(
                    filter,
                    move |State(state): State<AppState>,
                          Path(path): Path<HashMap<String, String>>,
                          query: Result<Query<Vec<(String, String)>>, QueryRejection>,
                          headers: HeaderMap,
                          body: Result<Bytes, BytesRejection>| {
                        let handler = handler.clone();
                        async move {
                            rest_call(state, handler, binding, path, query, &headers, body).await
                        }
                    },
                ),
            );
    }
    router
}

fn method_filter(method: &str) -> Option<MethodFilter> {
    match method {
        "GET" => Some(MethodFilter::GET),
        "POST" => Some(MethodFilter::POST),
        "PUT" => Some(MethodFilter::PUT),
        "PATCH" => Some(MethodFilter::PATCH),
        "DELETE" => Some(MethodFilter::DELETE),
        _ => None,
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// The body could not be read: too large (over the 1 MB limit) or cut off.
fn unreadable_body(rejection: BytesRejection) -> DomainError {
    DomainError::invalid(
        "API-0008",
        format!("cannot read the request body: {rejection}"),
    )
}

fn parse_body(body: &Bytes) -> Result<serde_json::Value, DomainError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        Ok(_) => Err(DomainError::invalid(
            "API-0003",
            "the request body must be a JSON object",
        )),
        Err(e) => Err(DomainError::invalid(
            "API-0004",
            format!("malformed JSON: {e}"),
        )),
    }
}

async fn connect_call(
    state: AppState,
    table: &HashMap<&'static str, Rpc>,
    method: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fail = |error| ApiError::new(Protocol::Connect, error).into_response();
    let Some(rpc) = table.get(method) else {
        return fail(DomainError::new(
            castellan_core::ErrorKind::Unimplemented,
            "API-0005",
            format!("unknown method {method}"),
        ));
    };
    if !is_json(headers) {
        let message = serde_json::json!({
            "code": "invalid_argument",
            "message": "only application/json is supported (API-0006)"
        });
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, axum::Json(message)).into_response();
    }
    let caller = match authenticate(&state, headers).await {
        Ok(caller) => caller,
        Err(error) => return fail(error),
    };
    let request = match body
        .map_err(unreadable_body)
        .and_then(|body| parse_body(&body))
    {
        Ok(request) => request,
        Err(error) => return fail(error),
    };
    match (rpc.handler)(state, caller, request).await {
        Ok(response) => axum::Json(response).into_response(),
        Err(error) => fail(error),
    }
}

async fn rest_call(
    state: AppState,
    handler: Handler,
    binding: RestBinding,
    path: HashMap<String, String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let fail = |error| ApiError::new(Protocol::Rest, error).into_response();
    let caller = match authenticate(&state, headers).await {
        Ok(caller) => caller,
        Err(error) => return fail(error),
    };
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => {
            return fail(DomainError::invalid(
                "API-0007",
                format!("malformed query string: {rejection}"),
            ));
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return fail(unreadable_body(rejection)),
    };
    let mut request = if binding.body == "*" {
        match parse_body(&body) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => serde_json::Map::new(),
            Err(error) => return fail(error),
        }
    } else {
        serde_json::Map::new()
    };
    if binding.method == Method::GET.as_str() || binding.method == Method::DELETE.as_str() {
        for (name, value) in query {
            let value = serde_json::Value::String(value);
            if binding.repeated.contains(&name.as_str()) {
                let entry = request
                    .entry(name)
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(values) = entry {
                    values.push(value);
                }
            } else {
                request.insert(name, value);
            }
        }
    }
    // Path parameters win over body fields of the same name, as in grpc-gateway.
    for (name, value) in path {
        request.insert(name, serde_json::Value::String(value));
    }
    match handler(state, caller, serde_json::Value::Object(request)).await {
        Ok(response) => {
            let status = StatusCode::from_u16(binding.success_code).unwrap_or(StatusCode::OK);
            (status, axum::Json(response)).into_response()
        }
        Err(error) => fail(error),
    }
}
