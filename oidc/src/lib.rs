//! OIDC/OAuth 2 provider, hosted login UI, sessions, MFA/passkeys and the SAML IdP.
//!
//! Nothing is implemented here yet: the work is tracked in issue #5. This crate exists so the
//! workspace has the shape of `docs/ARCHITECTURE` from the start; it exports nothing.
