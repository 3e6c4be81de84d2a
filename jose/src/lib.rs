//! Keys and JSON Web Tokens for Castellan.
//!
//! * [`generate`] makes signing keys ([`KeyAlgorithm`]: RSA with RS256/384/512, ECDSA P-256 /
//!   P-384, Ed25519) and returns the private key as PKCS#8 DER plus the public [`Jwk`];
//!   [`jwks`] publishes public keys as a JWK set.
//! * [`MasterKey`] seals private keys (or any secret) at rest with AES-256-GCM. The sealed
//!   string is self-describing, `v1.<base64url(nonce)>.<base64url(ciphertext)>`, so the format
//!   can change later without guessing; each message has a fresh random 96-bit nonce, and
//!   caller-given associated data binds the ciphertext to its context (a key id, say).
//! * [`Signer`] signs compact JWS tokens with a stored key.
//! * [`verify`] and [`verify_with_set`] check tokens against a [`VerifyKey`] (from a JWK or a
//!   PEM public key) and [`Expectations`]; [`peek`] reads a token unverified, only to choose
//!   the key.
//!
//! # Algorithm policy
//!
//! Verification only ever uses public keys, so `alg: none` and every `HS*` algorithm are
//! refused before any cryptography. Accepting HMAC with a public key would let anyone forge
//! tokens: the public key (its PEM, DER or modulus bytes, all public) would serve as the
//! "shared secret". Beyond that, a key only verifies the algorithms of its own type: RSA keys
//! RS256/384/512 and PS256/384/512, P-256 keys ES256, P-384 keys ES384, Ed25519 keys EdDSA;
//! a JWK that names its `alg` verifies only that one.
//!
//! # Time
//!
//! Nothing here reads the clock during verification: the caller passes `now` (Unix seconds)
//! in [`Expectations`], so expiry, not-before and issued-at checks are deterministic and
//! testable. jsonwebtoken's own clock-based and `iss`/`aud` checks are turned off; this crate
//! does all claim checks itself.
//!
//! Errors ([`JoseError`]) never carry key material, tokens or plaintexts.

mod alg;
mod b64;
mod claims;
mod error;
mod jwk;
mod keys;
mod seal;
mod sign;
mod token;
mod verify;
mod verify_key;

pub use alg::{Curve, KeyAlgorithm, RsaBits, RsaHasher};
pub use claims::Expectations;
pub use error::JoseError;
pub use jwk::{Jwk, jwks};
pub use keys::{GeneratedKey, generate};
pub use seal::MasterKey;
pub use sign::Signer;
pub use token::{TokenHeader, Unverified, peek};
pub use verify::{verify, verify_with_set};
pub use verify_key::VerifyKey;
