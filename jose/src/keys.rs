//! Generating signing keys, and describing their public halves as JWKs.

use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use rand_core::OsRng;
use rsa::traits::PublicKeyParts as _;
use zeroize::Zeroizing;

use crate::alg::{Curve, KeyAlgorithm};
use crate::{JoseError, Jwk, b64};

/// A freshly generated key pair.
pub struct GeneratedKey {
    /// The private key as unencrypted PKCS#8 DER (seal it before storing it).
    pub private_pkcs8_der: Zeroizing<Vec<u8>>,
    /// The public key, with the `kid` and `alg` it was generated for.
    pub public_jwk: Jwk,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("private_pkcs8_der", &"[redacted]")
            .field("public_jwk", &self.public_jwk)
            .finish()
    }
}

/// Generates a new key pair of the given kind, from the operating system's random source.
///
/// RSA generation is slow (hundreds of milliseconds for 2048 bits, seconds for 4096): call it
/// off any latency-sensitive path.
pub fn generate(alg: &KeyAlgorithm, kid: &str) -> Result<GeneratedKey, JoseError> {
    let generation_failed = |_| JoseError::Crypto("key generation failed".to_owned());
    let encoding_failed = |_| JoseError::Crypto("private key encoding failed".to_owned());
    let (der, public_jwk) = match *alg {
        KeyAlgorithm::Rsa { bits, .. } => {
            let key =
                rsa::RsaPrivateKey::new(&mut OsRng, bits.bits()).map_err(generation_failed)?;
            let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key).map_err(encoding_failed)?;
            (der, rsa_jwk(&key.to_public_key(), kid, alg.jws_alg()))
        }
        KeyAlgorithm::Ecdsa { curve: Curve::P256 } => {
            let key = p256::SecretKey::random(&mut OsRng);
            let der = key.to_pkcs8_der().map_err(encoding_failed)?;
            let point = key.public_key().to_encoded_point(false);
            (der, ec_jwk(point.as_bytes(), Curve::P256, kid)?)
        }
        KeyAlgorithm::Ecdsa { curve: Curve::P384 } => {
            let key = p384::SecretKey::random(&mut OsRng);
            let der = key.to_pkcs8_der().map_err(encoding_failed)?;
            let point = key.public_key().to_encoded_point(false);
            (der, ec_jwk(point.as_bytes(), Curve::P384, kid)?)
        }
        KeyAlgorithm::Ed25519 => {
            let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
            let der = key.to_pkcs8_der().map_err(encoding_failed)?;
            (
                der,
                Jwk::ed25519(kid, b64::encode(key.verifying_key().as_bytes())),
            )
        }
    };
    Ok(GeneratedKey {
        private_pkcs8_der: Zeroizing::new(der.as_bytes().to_vec()),
        public_jwk,
    })
}

/// The JWK of an RSA public key.
pub(crate) fn rsa_jwk(key: &rsa::RsaPublicKey, kid: &str, alg: &str) -> Jwk {
    Jwk::rsa(
        kid,
        alg,
        b64::encode(key.n().to_bytes_be()),
        b64::encode(key.e().to_bytes_be()),
    )
}

/// The JWK of an EC public key given as an uncompressed SEC1 point.
pub(crate) fn ec_jwk(uncompressed: &[u8], curve: Curve, kid: &str) -> Result<Jwk, JoseError> {
    let (x, y) = split_uncompressed(uncompressed, curve)?;
    let alg = KeyAlgorithm::Ecdsa { curve }.jws_alg();
    Ok(Jwk::ec(
        kid,
        alg,
        curve.jwk_name(),
        b64::encode(x),
        b64::encode(y),
    ))
}

/// Splits `0x04 || x || y` into its coordinates, checking the lengths for the curve.
pub(crate) fn split_uncompressed(point: &[u8], curve: Curve) -> Result<(&[u8], &[u8]), JoseError> {
    let bad = || JoseError::invalid_key("EC point is not an uncompressed point of its curve");
    let (tag, rest) = point.split_first().ok_or_else(bad)?;
    if *tag != 0x04 || rest.len() != 2 * curve.coordinate_len() {
        return Err(bad());
    }
    rest.split_at_checked(curve.coordinate_len())
        .ok_or_else(bad)
}

/// Smallest RSA modulus accepted anywhere in the crate.
pub(crate) const MIN_RSA_BITS: usize = 2048;
