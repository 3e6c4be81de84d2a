//! Public keys that verify signatures, and the algorithms each kind of key may be used with.

use jsonwebtoken::{Algorithm, DecodingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::traits::PublicKeyParts as _;

use crate::alg::Curve;
use crate::keys::{MIN_RSA_BITS, split_uncompressed};
use crate::{JoseError, Jwk, b64};

const RSA_ALGS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// The kind of a public key; it fixes which JWS algorithms the key may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn algorithms(self) -> &'static [Algorithm] {
        match self {
            Self::Rsa => RSA_ALGS,
            Self::P256 => &[Algorithm::ES256],
            Self::P384 => &[Algorithm::ES384],
            Self::Ed25519 => &[Algorithm::EdDSA],
        }
    }
}

/// A public key for verifying signatures.
///
/// It never holds a symmetric secret, so no HMAC algorithm can ever be verified with it.
#[derive(Clone)]
pub struct VerifyKey {
    kind: KeyKind,
    /// Set when the JWK named its algorithm: then only that one is accepted.
    pinned: Option<Algorithm>,
    kid: Option<String>,
    decoding: DecodingKey,
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyKey")
            .field("kind", &self.kind)
            .field("kid", &self.kid)
            .field("algorithms", &self.allowed_algorithms())
            .finish_non_exhaustive()
    }
}

impl VerifyKey {
    /// Builds a key from a public JWK (`RSA`, `EC` P-256/P-384, or `OKP` Ed25519).
    ///
    /// A JWK whose `use` is not `sig`, or whose `alg` does not fit its key type, is refused.
    /// When `alg` is present only that algorithm is accepted afterwards.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JoseError> {
        if jwk.key_use.as_deref().is_some_and(|u| u != "sig") {
            return Err(JoseError::invalid_key("JWK is not meant for signatures"));
        }
        let member = |value: &Option<String>, name: &str| {
            value
                .as_deref()
                .ok_or_else(|| JoseError::InvalidKey(format!("JWK lacks `{name}`")))
                .and_then(|text| b64::decode(text, name))
        };
        let mut key = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("RSA", _) => {
                let n = rsa::BigUint::from_bytes_be(&member(&jwk.n, "n")?);
                let e = rsa::BigUint::from_bytes_be(&member(&jwk.e, "e")?);
                let public = rsa::RsaPublicKey::new(n, e)
                    .map_err(|_| JoseError::invalid_key("RSA JWK is not a usable public key"))?;
                Self::rsa(&public)?
            }
            ("EC", Some(crv)) => {
                let curve = match crv {
                    "P-256" => Curve::P256,
                    "P-384" => Curve::P384,
                    _ => return Err(JoseError::invalid_key("unsupported EC curve")),
                };
                let mut point = vec![0x04];
                point.extend(member(&jwk.x, "x")?);
                point.extend(member(&jwk.y, "y")?);
                Self::ec(&point, curve)?
            }
            ("OKP", Some("Ed25519")) => Self::ed25519(&member(&jwk.x, "x")?)?,
            ("oct", _) => {
                return Err(JoseError::UnsupportedAlgorithm(
                    "symmetric keys are never accepted".to_owned(),
                ));
            }
            _ => return Err(JoseError::invalid_key("unsupported JWK key type or curve")),
        };
        if let Some(alg) = jwk.alg.as_deref() {
            let alg = crate::alg::asymmetric_algorithm(alg)
                .ok()
                .filter(|alg| key.kind.algorithms().contains(alg))
                .ok_or_else(|| JoseError::invalid_key("JWK `alg` does not fit its key type"))?;
            key.pinned = Some(alg);
        }
        key.kid.clone_from(&jwk.kid);
        Ok(key)
    }

    /// Builds a key from a PEM public key: `PUBLIC KEY` (SPKI) holding RSA, EC P-256/P-384 or
    /// Ed25519, or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, JoseError> {
        let pem = pem.trim();
        if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            let public = rsa::RsaPublicKey::from_pkcs1_pem(pem)
                .map_err(|_| JoseError::invalid_key("malformed PKCS#1 RSA public key"))?;
            return Self::rsa(&public);
        }
        if !pem.starts_with("-----BEGIN PUBLIC KEY-----") {
            return Err(JoseError::invalid_key(
                "expected a PUBLIC KEY or RSA PUBLIC KEY PEM",
            ));
        }
        if let Ok(public) = rsa::RsaPublicKey::from_public_key_pem(pem) {
            return Self::rsa(&public);
        }
        if let Ok(public) = p256::PublicKey::from_public_key_pem(pem) {
            return Self::ec(public.to_encoded_point(false).as_bytes(), Curve::P256);
        }
        if let Ok(public) = p384::PublicKey::from_public_key_pem(pem) {
            return Self::ec(public.to_encoded_point(false).as_bytes(), Curve::P384);
        }
        if let Ok(public) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Self::ed25519(public.as_bytes());
        }
        Err(JoseError::invalid_key(
            "PEM is not an RSA, P-256, P-384 or Ed25519 public key",
        ))
    }

    /// The `kid` of the JWK this key came from, if it had one.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWS algorithm names this key accepts.
    #[must_use]
    pub fn allowed_algorithms(&self) -> Vec<&'static str> {
        self.kind
            .algorithms()
            .iter()
            .filter(|alg| self.pinned.is_none_or(|pinned| pinned == **alg))
            .map(|alg| alg_name(*alg))
            .collect()
    }

    /// Whether this key accepts the JWS algorithm named `alg`.
    #[must_use]
    pub fn allows(&self, alg: &str) -> bool {
        crate::alg::asymmetric_algorithm(alg).is_ok_and(|alg| self.allows_algorithm(alg))
    }

    pub(crate) fn allows_algorithm(&self, alg: Algorithm) -> bool {
        self.kind.algorithms().contains(&alg) && self.pinned.is_none_or(|pinned| pinned == alg)
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    fn new(kind: KeyKind, decoding: DecodingKey) -> Self {
        Self {
            kind,
            pinned: None,
            kid: None,
            decoding,
        }
    }

    fn rsa(public: &rsa::RsaPublicKey) -> Result<Self, JoseError> {
        if public.n().bits() < MIN_RSA_BITS {
            return Err(JoseError::invalid_key("RSA key shorter than 2048 bits"));
        }
        let decoding = DecodingKey::from_rsa_raw_components(
            &public.n().to_bytes_be(),
            &public.e().to_bytes_be(),
        );
        Ok(Self::new(KeyKind::Rsa, decoding))
    }

    fn ec(uncompressed: &[u8], curve: Curve) -> Result<Self, JoseError> {
        split_uncompressed(uncompressed, curve)?;
        let not_on_curve = |_| JoseError::invalid_key("EC point is not on its curve");
        let kind = match curve {
            Curve::P256 => {
                p256::PublicKey::from_sec1_bytes(uncompressed).map_err(not_on_curve)?;
                KeyKind::P256
            }
            Curve::P384 => {
                p384::PublicKey::from_sec1_bytes(uncompressed).map_err(not_on_curve)?;
                KeyKind::P384
            }
        };
        Ok(Self::new(kind, DecodingKey::from_ec_der(uncompressed)))
    }

    fn ed25519(x: &[u8]) -> Result<Self, JoseError> {
        let bytes: &[u8; 32] = x
            .try_into()
            .map_err(|_| JoseError::invalid_key("Ed25519 public key must be 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| JoseError::invalid_key("not a valid Ed25519 public key"))?;
        Ok(Self::new(KeyKind::Ed25519, DecodingKey::from_ed_der(bytes)))
    }
}

fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
        _ => "unsupported",
    }
}
