//! Application keys: an RSA key pair generated for the caller. The private key is handed out
//! once (in ZITADEL's key file); only the public key is kept.

use castellan_core::DomainError;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::EncodePublicKey;
use rsa::{RsaPrivateKey, RsaPublicKey};

/// The size ZITADEL gives application keys.
pub const RSA_BITS: usize = 2048;

/// A new key pair: the private key as PKCS#1 PEM (`RSA PRIVATE KEY`, as in ZITADEL's key
/// files) and the public key as SubjectPublicKeyInfo PEM.
pub fn generate_rsa_key() -> Result<(String, String), DomainError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        DomainError::internal("KEY-0001", format!("{what}: {e}"))
    };
    let mut rng = ChaCha20Rng::from_seed(rand::random::<[u8; 32]>());
    let private = RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(|e| fail("generate", &e))?;
    let public = RsaPublicKey::from(&private);
    let private_pem = private
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| fail("encode private key", &e))?
        .to_string();
    let public_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| fail("encode public key", &e))?;
    Ok((private_pem, public_pem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePublicKey;

    #[test]
    fn key_pairs_are_fresh_and_match() {
        let (private_pem, public_pem) = generate_rsa_key().unwrap();
        assert!(private_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let private = RsaPrivateKey::from_pkcs1_pem(&private_pem).unwrap();
        let public = RsaPublicKey::from_public_key_pem(&public_pem).unwrap();
        assert_eq!(RsaPublicKey::from(&private), public);
        let (other, _) = generate_rsa_key().unwrap();
        assert_ne!(other, private_pem);
    }
}
