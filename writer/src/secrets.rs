//! Secrets at rest: passwords are hashed with argon2id (PHC strings; bcrypt, pbkdf2 and scrypt
//! hashes can be imported and are verified, then replaced); bearer tokens are random
//! and stored only as their SHA-256 (they carry 256 bits of entropy, so a slow hash adds nothing).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use castellan_core::DomainError;
use sha2::{Digest, Sha256};

/// Argon2id cost parameters (ZITADEL's `PasswordHasher`): memory in KiB, iterations and lanes.
/// The defaults are the `argon2` crate's (OWASP's minimum): 19 MiB, 2 iterations, 1 lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HasherParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HasherParams {
    fn default() -> Self {
        Self {
            memory_kib: argon2::Params::DEFAULT_M_COST,
            iterations: argon2::Params::DEFAULT_T_COST,
            parallelism: argon2::Params::DEFAULT_P_COST,
        }
    }
}

impl HasherParams {
    fn argon2(&self) -> Result<Argon2<'static>, DomainError> {
        let params = argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| DomainError::internal("SECRET-0003", format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }

    /// Checks the parameters (for configuration errors at startup).
    pub fn validate(&self) -> Result<(), String> {
        self.argon2().map(|_| ()).map_err(|e| e.message)
    }
}

/// Hashes with argon2id and the default parameters.
pub fn hash_password(password: &str) -> Result<String, DomainError> {
    hash_password_with(password, &HasherParams::default())
}

/// Hashes with argon2id and `params`; returns a PHC string.
pub fn hash_password_with(password: &str, params: &HasherParams) -> Result<String, DomainError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::internal("SECRET-0002", format!("salt: {e}")))?;
    params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| DomainError::internal("SECRET-0001", format!("hash password: {e}")))
}

/// Verifies a password against a stored hash in constant time (each algorithm's own comparison).
pub fn verify_password(password: &str, phc: &str) -> bool {
    verify(password, phc).matched
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    pub matched: bool,
    /// The hash matched but is not argon2id with the current parameters: store a new hash.
    pub needs_rehash: bool,
}

const NO_MATCH: Verification = Verification {
    matched: false,
    needs_rehash: false,
};

/// [`verify_with`] against the default parameters.
pub fn verify(password: &str, phc: &str) -> Verification {
    verify_with(password, phc, &HasherParams::default())
}

/// Verifies `password` against a stored hash: argon2id/argon2i/argon2d, pbkdf2 (sha256/sha512)
/// and scrypt as PHC strings, bcrypt in its modular form (`$2a$`, `$2b$`, `$2y$`). A match of
/// anything but argon2id with `current` parameters asks for a rehash. Pure and slow by design:
/// call it off the async runtime.
pub fn verify_with(password: &str, phc: &str, current: &HasherParams) -> Verification {
    if is_bcrypt(phc) {
        let matched = bcrypt::verify(password, phc).unwrap_or(false);
        return Verification {
            matched,
            needs_rehash: matched,
        };
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return NO_MATCH;
    };
    let algorithm = parsed.algorithm.as_str();
    let matched = match algorithm {
        "argon2id" | "argon2i" | "argon2d" => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        "pbkdf2-sha256" | "pbkdf2-sha512" => pbkdf2::Pbkdf2
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        "scrypt" => scrypt::Scrypt
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        _ => false,
    };
    if !matched {
        return NO_MATCH;
    }
    let up_to_date = algorithm == "argon2id"
        && argon2::Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == current.memory_kib
                && p.t_cost() == current.iterations
                && p.p_cost() == current.parallelism
        });
    Verification {
        matched: true,
        needs_rehash: !up_to_date,
    }
}

fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|prefix| hash.starts_with(prefix))
}

/// Whether an imported hash is one this build can verify (see [`verify_with`]).
pub fn is_supported_hash(phc: &str) -> bool {
    if is_bcrypt(phc) {
        return phc.parse::<bcrypt::HashParts>().is_ok();
    }
    PasswordHash::new(phc).is_ok_and(|parsed| match parsed.algorithm.as_str() {
        "argon2id" | "argon2i" | "argon2d" => argon2::Params::try_from(&parsed).is_ok(),
        "pbkdf2-sha256" | "pbkdf2-sha512" | "scrypt" => parsed.hash.is_some(),
        _ => false,
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

/// A new RSA-2048 key pair for a machine user's JWT-profile key: (private key as PKCS#1 PEM,
/// public key as SPKI PEM). Slow (prime search): call it off the async runtime.
pub fn generate_rsa_key() -> Result<(String, String), DomainError> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048)
        .map_err(|e| DomainError::internal("SECRET-0004", format!("generate key: {e}")))?;
    let private_pem = private
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| DomainError::internal("SECRET-0005", format!("encode key: {e}")))?
        .to_string();
    let public_pem = private
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| DomainError::internal("SECRET-0005", format!("encode key: {e}")))?;
    Ok((private_pem, public_pem))
}

/// Checks a caller's RSA public key (PEM: SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`, at
/// least 2048 bits) and returns it as SPKI PEM.
pub fn parse_rsa_public_key(pem: &str) -> Result<String, DomainError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
    use rsa::traits::PublicKeyParts;
    let invalid = || {
        DomainError::invalid(
            "SECRET-0006",
            "publicKey must be an RSA public key in PEM form (at least 2048 bits)",
        )
    };
    let key = rsa::RsaPublicKey::from_public_key_pem(pem.trim())
        .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem.trim()))
        .map_err(|_| invalid())?;
    if key.size() < 256 {
        return Err(invalid());
    }
    key.to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|_| invalid())
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
    castellan_core::ct_eq(a, b)
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
        // Other parameters than configured: rehash.
        let strong = HasherParams {
            memory_kib: 8192,
            iterations: 3,
            parallelism: 1,
        };
        let hash = hash_password_with("Password1!", &strong).unwrap();
        assert!(hash.contains("m=8192,t=3,p=1"));
        assert!(!verify_with("Password1!", &hash, &strong).needs_rehash);
        assert!(verify_with("Password1!", &hash, &HasherParams::default()).needs_rehash);
        assert!(
            HasherParams {
                memory_kib: 1,
                ..strong
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn imported_hashes_of_other_algorithms_verify_and_ask_for_a_rehash() {
        let bcrypt_hash = bcrypt::hash_with_result("Password1!", 4)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        let bcrypt_2y = bcrypt_hash.replacen("$2b$", "$2y$", 1);
        let bcrypt_2a = bcrypt_hash.replacen("$2b$", "$2a$", 1);
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let pbkdf2_hash = pbkdf2::Pbkdf2
            .hash_password_customized(
                b"Password1!",
                Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                None,
                pbkdf2::Params {
                    rounds: 1000,
                    output_length: 32,
                },
                &salt,
            )
            .unwrap()
            .to_string();
        assert!(pbkdf2_hash.starts_with("$pbkdf2-sha256$"));
        let scrypt_hash = scrypt::Scrypt
            .hash_password_customized(
                b"Password1!",
                None,
                None,
                scrypt::Params::new(4, 8, 1, 32).unwrap(),
                &salt,
            )
            .unwrap()
            .to_string();
        assert!(scrypt_hash.starts_with("$scrypt$"));
        for hash in [
            &bcrypt_hash,
            &bcrypt_2y,
            &bcrypt_2a,
            &pbkdf2_hash,
            &scrypt_hash,
        ] {
            assert!(is_supported_hash(hash), "{hash}");
            assert_eq!(
                verify("Password1!", hash),
                Verification {
                    matched: true,
                    needs_rehash: true
                },
                "{hash}"
            );
            assert_eq!(verify("Password1?", hash), NO_MATCH, "{hash}");
        }
    }

    #[test]
    fn codes_are_short_and_only_their_hash_is_kept() {
        let (code, hash) = new_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(verify_password(&code, &hash));
        assert!(!hash.contains(&code));
    }

    #[test]
    fn generated_keys_are_rsa_2048_and_public_keys_are_checked() {
        let (private, public) = generate_rsa_key().unwrap();
        assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(parse_rsa_public_key(&public).unwrap(), public);
        assert!(parse_rsa_public_key("not a key").is_err());
        assert!(parse_rsa_public_key(&private).is_err());
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
