//! The kinds of signing key the platform generates, and their JWS algorithm names.

/// RSA modulus sizes the platform generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaBits {
    /// 2048-bit modulus.
    B2048,
    /// 3072-bit modulus.
    B3072,
    /// 4096-bit modulus.
    B4096,
}

impl RsaBits {
    /// The modulus size in bits.
    #[must_use]
    pub fn bits(self) -> usize {
        match self {
            Self::B2048 => 2048,
            Self::B3072 => 3072,
            Self::B4096 => 4096,
        }
    }
}

/// The hash used by RSASSA-PKCS1-v1_5 signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaHasher {
    /// SHA-256 (`RS256`).
    Sha256,
    /// SHA-384 (`RS384`).
    Sha384,
    /// SHA-512 (`RS512`).
    Sha512,
}

/// Elliptic curves for ECDSA keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (`ES256`).
    P256,
    /// NIST P-384 (`ES384`).
    P384,
}

impl Curve {
    /// The JWK `crv` name.
    #[must_use]
    pub fn jwk_name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// Length in bytes of one affine coordinate.
    pub(crate) fn coordinate_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }
}

/// A kind of signing key together with the JWS algorithm it signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA with PKCS#1 v1.5 signatures.
    Rsa {
        /// Modulus size.
        bits: RsaBits,
        /// Digest.
        hasher: RsaHasher,
    },
    /// ECDSA over a NIST curve.
    Ecdsa {
        /// Curve (which fixes the digest).
        curve: Curve,
    },
    /// Ed25519 (`EdDSA`).
    Ed25519,
}

impl KeyAlgorithm {
    /// The JWS `alg` value: `RS256`, `RS384`, `RS512`, `ES256`, `ES384` or `EdDSA`.
    #[must_use]
    pub fn jws_alg(&self) -> &'static str {
        match self {
            Self::Rsa {
                hasher: RsaHasher::Sha256,
                ..
            } => "RS256",
            Self::Rsa {
                hasher: RsaHasher::Sha384,
                ..
            } => "RS384",
            Self::Rsa {
                hasher: RsaHasher::Sha512,
                ..
            } => "RS512",
            Self::Ecdsa { curve: Curve::P256 } => "ES256",
            Self::Ecdsa { curve: Curve::P384 } => "ES384",
            Self::Ed25519 => "EdDSA",
        }
    }

    pub(crate) fn jwt_algorithm(&self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            Self::Rsa {
                hasher: RsaHasher::Sha256,
                ..
            } => A::RS256,
            Self::Rsa {
                hasher: RsaHasher::Sha384,
                ..
            } => A::RS384,
            Self::Rsa {
                hasher: RsaHasher::Sha512,
                ..
            } => A::RS512,
            Self::Ecdsa { curve: Curve::P256 } => A::ES256,
            Self::Ecdsa { curve: Curve::P384 } => A::ES384,
            Self::Ed25519 => A::EdDSA,
        }
    }
}

/// Maps a JWS `alg` name to one of the asymmetric algorithms this crate verifies.
///
/// `none` and every `HS*` name are refused here, before any key is looked at: a verifier
/// holding a public key must never treat it as a shared secret.
pub(crate) fn asymmetric_algorithm(alg: &str) -> Result<jsonwebtoken::Algorithm, crate::JoseError> {
    use jsonwebtoken::Algorithm as A;
    match alg {
        "RS256" => Ok(A::RS256),
        "RS384" => Ok(A::RS384),
        "RS512" => Ok(A::RS512),
        "PS256" => Ok(A::PS256),
        "PS384" => Ok(A::PS384),
        "PS512" => Ok(A::PS512),
        "ES256" => Ok(A::ES256),
        "ES384" => Ok(A::ES384),
        "EdDSA" => Ok(A::EdDSA),
        other if other.eq_ignore_ascii_case("none") => Err(crate::JoseError::UnsupportedAlgorithm(
            "unsigned tokens (alg none) are never accepted".to_owned(),
        )),
        other if other.len() <= 16 && other.starts_with("HS") => {
            Err(crate::JoseError::UnsupportedAlgorithm(format!(
                "{other}: symmetric algorithms are never accepted"
            )))
        }
        _ => Err(crate::JoseError::UnsupportedAlgorithm(
            "unknown JWS algorithm".to_owned(),
        )),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn jws_names() {
        let rsa = |hasher| KeyAlgorithm::Rsa {
            bits: RsaBits::B2048,
            hasher,
        };
        assert_eq!(rsa(RsaHasher::Sha256).jws_alg(), "RS256");
        assert_eq!(rsa(RsaHasher::Sha384).jws_alg(), "RS384");
        assert_eq!(rsa(RsaHasher::Sha512).jws_alg(), "RS512");
        assert_eq!(
            KeyAlgorithm::Ecdsa { curve: Curve::P256 }.jws_alg(),
            "ES256"
        );
        assert_eq!(
            KeyAlgorithm::Ecdsa { curve: Curve::P384 }.jws_alg(),
            "ES384"
        );
        assert_eq!(KeyAlgorithm::Ed25519.jws_alg(), "EdDSA");
    }

    #[test]
    fn refuses_none_and_hmac() {
        for alg in ["none", "NONE", "HS256", "HS384", "HS512", "XX1", ""] {
            assert!(matches!(
                asymmetric_algorithm(alg),
                Err(crate::JoseError::UnsupportedAlgorithm(_))
            ));
        }
        assert!(asymmetric_algorithm("EdDSA").is_ok());
    }
}
