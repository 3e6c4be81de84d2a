//! The one place where errors become HTTP: Connect error JSON for Connect calls, grpc-gateway
//! error JSON for REST calls, both with ZITADEL's status table (ZITADEL.md §7).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use castellan_core::{DomainError, ErrorKind};
use castellan_readers::store::ReadError;

/// Which wire the error goes back on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Connect,
    Rest,
}

#[derive(Debug)]
pub struct ApiError {
    pub protocol: Protocol,
    pub error: DomainError,
}

impl ApiError {
    pub fn new(protocol: Protocol, error: DomainError) -> Self {
        Self { protocol, error }
    }
}

/// gRPC code number, Connect code name and HTTP status of a kind.
pub fn codes(kind: ErrorKind) -> (u16, &'static str, StatusCode) {
    match kind {
        ErrorKind::InvalidArgument => (3, "invalid_argument", StatusCode::BAD_REQUEST),
        ErrorKind::DeadlineExceeded => (4, "deadline_exceeded", StatusCode::GATEWAY_TIMEOUT),
        ErrorKind::NotFound => (5, "not_found", StatusCode::NOT_FOUND),
        ErrorKind::AlreadyExists => (6, "already_exists", StatusCode::CONFLICT),
        ErrorKind::PermissionDenied => (7, "permission_denied", StatusCode::FORBIDDEN),
        ErrorKind::FailedPrecondition => (9, "failed_precondition", StatusCode::BAD_REQUEST),
        ErrorKind::Aborted => (10, "aborted", StatusCode::CONFLICT),
        ErrorKind::Unimplemented => (12, "unimplemented", StatusCode::NOT_IMPLEMENTED),
        ErrorKind::Internal => (13, "internal", StatusCode::INTERNAL_SERVER_ERROR),
        ErrorKind::Unavailable => (14, "unavailable", StatusCode::SERVICE_UNAVAILABLE),
        ErrorKind::Unauthenticated => (16, "unauthenticated", StatusCode::UNAUTHORIZED),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (number, name, status) = codes(self.error.kind);
        let message = format!("{} ({})", self.error.message, self.error.code);
        let body = match self.protocol {
            Protocol::Connect => serde_json::json!({ "code": name, "message": message }),
            Protocol::Rest => {
                serde_json::json!({ "code": number, "message": message, "details": [] })
            }
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// Read-store failures are never the client's fault.
pub fn read_error(error: ReadError) -> DomainError {
    match error {
        ReadError::Unavailable(message) => {
            tracing::warn!(%message, "read store unavailable");
            DomainError::new(
                ErrorKind::Unavailable,
                "READ-0001",
                "The read store is unavailable",
            )
        }
        ReadError::Backend(message) => {
            tracing::error!(%message, "read store failure");
            DomainError::internal("READ-0002", "Internal error")
        }
        ReadError::Timeout(position) => DomainError::new(
            ErrorKind::DeadlineExceeded,
            "READ-0003",
            format!(
                "The read model did not reach position {} in time",
                position.0
            ),
        ),
    }
}
