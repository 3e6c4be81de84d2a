//! Signing compact JWS tokens with a stored private key.

use jsonwebtoken::{EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;

use crate::alg::{Curve, KeyAlgorithm};
use crate::keys::{MIN_RSA_BITS, ec_jwk, rsa_jwk};
use crate::{JoseError, Jwk, b64};

/// A private key ready to sign tokens under one `kid`.
///
/// Parsing happens once, here; the key material lives only inside the signer (and is wiped
/// when it is dropped).
#[derive(Clone)]
pub struct Signer {
    key: EncodingKey,
    alg: KeyAlgorithm,
    kid: String,
    public_jwk: Jwk,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .field("alg", &self.alg.jws_alg())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads an unencrypted PKCS#8 DER private key of the kind `alg` names.
    ///
    /// The key's type (and curve) must match `alg`. For RSA the modulus must be at least 2048
    /// bits; its exact size is not compared with `alg`'s `bits`, which only matters when
    /// generating.
    pub fn from_pkcs8_der(der: &[u8], alg: &KeyAlgorithm, kid: &str) -> Result<Self, JoseError> {
        let (key, public_jwk) = match *alg {
            KeyAlgorithm::Rsa { .. } => {
                let private = rsa::RsaPrivateKey::from_pkcs8_der(der)
                    .map_err(|_| JoseError::invalid_key("not a PKCS#8 RSA private key"))?;
                if private.size() * 8 < MIN_RSA_BITS {
                    return Err(JoseError::invalid_key("RSA key shorter than 2048 bits"));
                }
                // jsonwebtoken's RSA signer reads PKCS#1; the document is wiped on drop.
                let pkcs1 = private
                    .to_pkcs1_der()
                    .map_err(|_| JoseError::Crypto("private key encoding failed".to_owned()))?;
                let jwk = rsa_jwk(&private.to_public_key(), kid, alg.jws_alg());
                (EncodingKey::from_rsa_der(pkcs1.as_bytes()), jwk)
            }
            KeyAlgorithm::Ecdsa { curve: Curve::P256 } => {
                let private = p256::SecretKey::from_pkcs8_der(der)
                    .map_err(|_| JoseError::invalid_key("not a PKCS#8 P-256 private key"))?;
                let point = private.public_key().to_encoded_point(false);
                (
                    EncodingKey::from_ec_der(der),
                    ec_jwk(point.as_bytes(), Curve::P256, kid)?,
                )
            }
            KeyAlgorithm::Ecdsa { curve: Curve::P384 } => {
                let private = p384::SecretKey::from_pkcs8_der(der)
                    .map_err(|_| JoseError::invalid_key("not a PKCS#8 P-384 private key"))?;
                let point = private.public_key().to_encoded_point(false);
                (
                    EncodingKey::from_ec_der(der),
                    ec_jwk(point.as_bytes(), Curve::P384, kid)?,
                )
            }
            KeyAlgorithm::Ed25519 => {
                let private = ed25519_dalek::SigningKey::from_pkcs8_der(der)
                    .map_err(|_| JoseError::invalid_key("not a PKCS#8 Ed25519 private key"))?;
                let x = b64::encode(private.verifying_key().as_bytes());
                (EncodingKey::from_ed_der(der), Jwk::ed25519(kid, x))
            }
        };
        Ok(Self {
            key,
            alg: *alg,
            kid: kid.to_owned(),
            public_jwk,
        })
    }

    /// Signs `claims` (a JSON object) as a compact JWS with header `{alg, kid, typ}`;
    /// `typ` is left out when `None`.
    pub fn sign(&self, typ: Option<&str>, claims: &serde_json::Value) -> Result<String, JoseError> {
        if !claims.is_object() {
            return Err(JoseError::malformed("JWT claims must be a JSON object"));
        }
        let mut header = Header::new(self.alg.jwt_algorithm());
        header.typ = typ.map(str::to_owned);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|_| JoseError::Crypto("signing failed".to_owned()))
    }

    /// The key id written into every header.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWS algorithm name written into every header.
    #[must_use]
    pub fn jws_alg(&self) -> &'static str {
        self.alg.jws_alg()
    }

    /// The key kind this signer was loaded as.
    #[must_use]
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// The public half of the key, as a JWK carrying this signer's `kid` and `alg`.
    #[must_use]
    pub fn public_jwk(&self) -> &Jwk {
        &self.public_jwk
    }
}
