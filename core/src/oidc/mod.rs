//! The OIDC/OAuth 2 aggregates: auth requests (the authorization endpoint's pending logins),
//! grants (ZITADEL's "OIDC sessions": the tokens issued to one client for one user or machine)
//! and device authorizations (RFC 8628). Token values never appear in events, only their SHA-256
//! hashes; a token names its aggregate so the writer can load and check it race-free.

pub mod auth_request;
pub mod device;
pub mod grant;
pub mod pkce;

use crate::error::DomainError;

/// The error code of [`invalid_grant`].
pub const INVALID_GRANT: &str = "OIDC-0001";
/// The error code of [`invalid_scope`].
pub const INVALID_SCOPE: &str = "OIDC-0110";

/// OAuth's `invalid_scope`: a narrower scope asked for more than was granted.
pub fn invalid_scope() -> DomainError {
    DomainError::invalid(INVALID_SCOPE, "invalid_scope")
}

/// OAuth's `invalid_grant`: the code, refresh token or device code is unknown, used, expired or
/// issued to someone else. One message for all, so a caller learns nothing about which.
pub fn invalid_grant() -> DomainError {
    DomainError::invalid(INVALID_GRANT, "invalid_grant")
}
