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
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
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
