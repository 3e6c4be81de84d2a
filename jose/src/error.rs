//! The one error type of the crate.
//!
//! Every message is written here, from fixed text or from values that are not secret (an
//! algorithm name, a claim name): no variant ever carries key material, a token or a
//! plaintext, so an error can be logged as it is.

/// What went wrong while generating, loading, sealing, signing or verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    /// A key could not be parsed, is of the wrong kind, or is too weak.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A token, sealed string or JSON value is not well formed.
    #[error("malformed input: {0}")]
    Malformed(String),
    /// The algorithm is unknown, forbidden (`none`, HMAC), or not allowed for the key.
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The signature does not match the content and the key.
    #[error("bad signature")]
    BadSignature,
    /// The `exp` claim is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// The `nbf` or `iat` claim is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// The `iss` claim is absent or not the expected issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// The `aud` claim is absent or does not contain the expected audience.
    #[error("wrong audience")]
    WrongAudience,
    /// The `iat` claim is older than the caller allows.
    #[error("token issued too long ago")]
    TooOld,
    /// No key of the set matches the token's `kid` (or, without a `kid`, no single key fits).
    #[error("unknown signing key")]
    UnknownKey,
    /// A cryptographic operation failed (random source, encryption, decryption).
    #[error("cryptographic failure: {0}")]
    Crypto(String),
}

impl JoseError {
    pub(crate) fn invalid_key(what: &str) -> Self {
        Self::InvalidKey(what.to_owned())
    }

    pub(crate) fn malformed(what: &str) -> Self {
        Self::Malformed(what.to_owned())
    }
}
