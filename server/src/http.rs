//! HTTP composition: the APIs, health and readiness, metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use castellan_api::state::AppState;
use castellan_schemas::registry::EmbeddedRegistry;
use metrics_exporter_prometheus::PrometheusHandle;

#[derive(Clone)]
struct DebugState {
    ready: Arc<AtomicBool>,
    metrics: Option<PrometheusHandle>,
}

/// The process's HTTP surface: the APIs (when this process runs the `api` role), the read-only
/// schema registry (when Castellan serves its own), health and metrics.
pub fn router(
    app: Option<AppState>,
    registry: Option<Arc<EmbeddedRegistry>>,
    ready: Arc<AtomicBool>,
    metrics: Option<PrometheusHandle>,
) -> Router {
    let mut router = Router::new()
        .route("/debug/healthz", get(|| async { "ok" }))
        .route("/debug/ready", get(readiness))
        .route("/debug/metrics", get(render_metrics))
        .with_state(DebugState { ready, metrics });
    if let Some(app) = app {
        router = router.merge(
            castellan_api::router()
                .merge(castellan_oidc::router())
                .merge(castellan_scim::server::router())
                .merge(castellan_scim::outbound::api::router())
                .with_state(app),
        );
    }
    if let Some(registry) = registry {
        let registry_routes = Router::new()
            .route("/subjects", get(schema_registry))
            .route("/subjects/{*rest}", get(schema_registry))
            .route("/schemas/{*rest}", get(schema_registry))
            .route("/config", get(schema_registry))
            .with_state(registry);
        router = router.merge(registry_routes);
    }
    router
        .layer(axum::extract::DefaultBodyLimit::max(1_000_000))
        .layer(middleware::from_fn(record_request))
}

/// Confluent's read-only schema-registry API, answered by the embedded registry.
async fn schema_registry(State(registry): State<Arc<EmbeddedRegistry>>, uri: Uri) -> Response {
    let answer = registry.handle("GET", uri.path());
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(answer.body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(castellan_schemas::registry::REGISTRY_CONTENT_TYPE),
    );
    response
}

async fn readiness(State(state): State<DebugState>) -> Response {
    if state.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response()
    }
}

async fn render_metrics(State(state): State<DebugState>) -> Response {
    match state.metrics {
        Some(handle) => handle.render().into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}

/// Counts requests and their latency by route and status.
async fn record_request(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("castellan_http_requests_total", &labels).increment(1);
    metrics::histogram!("castellan_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
