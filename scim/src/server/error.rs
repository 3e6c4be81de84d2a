//! The one mapping from Castellan's errors to SCIM error responses (RFC 7644 §3.12).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_core::{DomainError, ErrorKind};
use serde_json::Value;

use crate::protocol::{ScimError, ScimType};

/// The media type of every SCIM body.
pub const SCIM_JSON: &str = "application/scim+json";

/// A domain error as a SCIM error: unknown → 404, taken → 409 `uniqueness`, invalid → 400
/// `invalidValue`, denied → 403, unauthenticated → 401, a concurrent change → 409, unsupported
/// → 501, unavailable → 503; the rest (the server's own failures) → 500 without details.
pub fn from_domain(error: &DomainError) -> ScimError {
    match error.kind {
        ErrorKind::NotFound => ScimError::new(404, None, "Resource not found"),
        ErrorKind::AlreadyExists => ScimError::new(409, Some(ScimType::Uniqueness), &error.message),
        ErrorKind::InvalidArgument | ErrorKind::FailedPrecondition => {
            ScimError::new(400, Some(ScimType::InvalidValue), &error.message)
        }
        ErrorKind::PermissionDenied => ScimError::new(403, None, "Permission denied"),
        ErrorKind::Unauthenticated => ScimError::new(401, None, "A valid bearer token is required"),
        ErrorKind::Aborted => ScimError::new(409, None, "The resource was changed concurrently"),
        ErrorKind::Unimplemented => ScimError::new(501, None, &error.message),
        ErrorKind::Unavailable | ErrorKind::DeadlineExceeded => {
            ScimError::new(503, None, "The service is unavailable; retry")
        }
        _ => {
            tracing::error!(%error, "SCIM request failed");
            ScimError::new(500, None, "Internal error")
        }
    }
}

/// A SCIM JSON response.
pub fn scim_json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

/// The error body, with a `WWW-Authenticate` challenge on 401.
pub fn error_response(error: &ScimError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = scim_json(status, error.to_json());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scim\""),
        );
    }
    response
}

/// Turns a handler's result into a response.
pub fn respond(result: Result<Response, ScimError>) -> Response {
    result.unwrap_or_else(|error| error_response(&error))
}
