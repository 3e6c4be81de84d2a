//! Secrets at rest: passwords are hashed with argon2id (PHC strings); bearer tokens are random
//! and stored only as their SHA-256 (they carry 256 bits of entropy, so a slow hash adds nothing).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use castellan_core::DomainError;
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> Result<String, DomainError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::internal("SECRET-0002", format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| DomainError::internal("SECRET-0001", format!("hash password: {e}")))
}

/// Verifies a password against a PHC string in constant time (argon2's own comparison).
pub fn verify_password(password: &str, phc: &str) -> bool {
    verify(password, phc).matched
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    pub matched: bool,
    /// The hash matched but is not an argon2id hash of the current parameters: store a new one.
    pub needs_rehash: bool,
}

/// Verifies `password` against a PHC string (argon2id or argon2i, with the parameters encoded
/// in the string) and tells whether a match should be rehashed with the current algorithm.
/// Pure: no I/O; slow by design, so call it off the async runtime.
pub fn verify(password: &str, phc: &str) -> Verification {
    let no = Verification {
        matched: false,
        needs_rehash: false,
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return no;
    };
    let matched = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    if !matched {
        return no;
    }
    let current = Argon2::default();
    let params_current = argon2::Params::try_from(&parsed)
        .map(|p| {
            p.m_cost() == current.params().m_cost()
                && p.t_cost() == current.params().t_cost()
                && p.p_cost() == current.params().p_cost()
        })
        .unwrap_or(false);
    Verification {
        matched: true,
        needs_rehash: parsed.algorithm.as_str() != "argon2id" || !params_current,
    }
}

/// Whether an imported hash is a PHC string this build can verify.
pub fn is_supported_hash(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        matches!(
            parsed.algorithm.as_str(),
            "argon2id" | "argon2i" | "argon2d"
        ) && argon2::Params::try_from(&parsed).is_ok()
    })
}

/// A one-time code (verification, reset or invite): 8 characters of an unambiguous alphabet,
/// and its PHC hash (the only form stored).
pub fn new_code() -> Result<(String, String), DomainError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 8] = rand::random();
    let code: String = bytes
        .iter()
        .map(|b| {
            char::from(
                ALPHABET
                    .get(usize::from(*b) % ALPHABET.len())
                    .copied()
                    .unwrap_or(b'A'),
            )
        })
        .collect();
    let hash = hash_password(&code)?;
    Ok((code, hash))
}

/// A new opaque bearer token (43 characters of base64url) and the hash to store.
pub fn new_bearer_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a bearer token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Compares two secrets without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("Password1!").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Password1!", &hash));
        assert!(!verify_password("Password1?", &hash));
        assert!(!verify_password("Password1!", "not a phc string"));
    }

    #[test]
    fn verification_flags_hashes_to_rehash() {
        let current = hash_password("Password1!").unwrap();
        assert_eq!(
            verify("Password1!", &current),
            Verification {
                matched: true,
                needs_rehash: false
            }
        );
        // argon2i with other parameters: valid, but to be replaced after a successful check.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let params = argon2::Params::new(8192, 1, 1, None).unwrap();
        let old = Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params)
            .hash_password(b"Password1!", &salt)
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2i$"));
        assert!(is_supported_hash(&old));
        assert_eq!(
            verify("Password1!", &old),
            Verification {
                matched: true,
                needs_rehash: true
            }
        );
        assert!(!verify("Password2!", &old).matched);
        assert!(!verify("Password2!", &old).needs_rehash);
        assert!(!is_supported_hash("$2b$10$abcdefghijklmnopqrstuu"));
        assert!(!is_supported_hash("plain"));
    }

    #[test]
    fn codes_are_short_and_only_their_hash_is_kept() {
        let (code, hash) = new_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(verify_password(&code, &hash));
        assert!(!hash.contains(&code));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, hash_a) = new_bearer_token();
        let (b, _) = new_bearer_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), hash_a);
        assert!(constant_time_eq(&hash_a, &token_hash(&a)));
        assert!(!constant_time_eq(&hash_a, &token_hash(&b)));
    }
}
