//! OAuth 2 errors (RFC 6749 §5.2): `{"error", "error_description"}` with 400, or 401 for
//! `invalid_client`. The one mapping from domain errors to OAuth errors.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_core::{DomainError, ErrorKind};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn invalid_client() -> Self {
        Self::new("invalid_client", "client authentication failed")
    }

    pub fn invalid_grant() -> Self {
        Self::new(
            "invalid_grant",
            "the grant is invalid, expired, revoked or was issued to another client",
        )
    }
}

impl From<DomainError> for OAuthError {
    fn from(error: DomainError) -> Self {
        match error.code {
            castellan_core::oidc::INVALID_GRANT => return Self::invalid_grant(),
            castellan_core::oidc::INVALID_SCOPE => {
                return Self::new("invalid_scope", "the scope exceeds the granted scope");
            }
            _ => {}
        }
        match error.kind {
            ErrorKind::InvalidArgument | ErrorKind::FailedPrecondition | ErrorKind::NotFound => {
                Self::invalid_request(error.message)
            }
            ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => Self::invalid_client(),
            _ => {
                tracing::error!(%error, "OIDC endpoint failed");
                Self::new("server_error", "the server could not answer")
            }
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = match self.error {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            "slow_down" => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut response = (
            status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"castellan\""),
            );
        }
        response
    }
}
