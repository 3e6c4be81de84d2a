//! Domain errors: a kind (mapped once per protocol at the edge), a stable greppable code, and a
//! human message. Codes look like `ORG-0003`; they never change meaning once published.

use std::fmt;

/// The error vocabulary. It follows gRPC's codes because ZITADEL's API (and so Connect and REST)
/// is defined by them; other protocols map from it at their own edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    Unauthenticated,
    FailedPrecondition,
    /// An optimistic-concurrency conflict that outlived the retries.
    Aborted,
    DeadlineExceeded,
    Unimplemented,
    Unavailable,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    pub fn already_exists(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::AlreadyExists, code, message)
    }

    pub fn precondition(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::FailedPrecondition, code, message)
    }

    pub fn permission_denied(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::PermissionDenied, code, message)
    }

    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, code, message)
    }

    pub fn internal(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, code, message)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for DomainError {}
