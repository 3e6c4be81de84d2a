//! The instance's signing keys: the active web key, unsealed with the master key, signs ID tokens
//! and JWT access tokens; every published key verifies them. An instance without keys gets
//! ZITADEL's default (RSA 2048, SHA-256) on first use.

use castellan_core::DomainError;
use castellan_core::web_key::WebKeyAlgorithm;
use castellan_jose::{Curve, Jwk, KeyAlgorithm, RsaBits, RsaHasher, Signer};
use castellan_readers::queries::oidc::{self, WebKeyView};
use castellan_writer::commands::oidc::AddWebKey;
use castellan_writer::writer::CommandContext;

use crate::error::read_error;
use crate::state::AppState;

/// The JOSE algorithm of a stored key configuration.
pub fn key_algorithm(algorithm: &WebKeyAlgorithm) -> Result<KeyAlgorithm, DomainError> {
    let unsupported =
        || DomainError::invalid("WEBKEY-0101", "This web key algorithm is not supported");
    Ok(match algorithm {
        WebKeyAlgorithm::Rsa { bits, hasher } => KeyAlgorithm::Rsa {
            bits: match bits {
                2048 => RsaBits::B2048,
                3072 => RsaBits::B3072,
                4096 => RsaBits::B4096,
                _ => return Err(unsupported()),
            },
            hasher: match hasher.as_str() {
                "sha256" => RsaHasher::Sha256,
                "sha384" => RsaHasher::Sha384,
                "sha512" => RsaHasher::Sha512,
                _ => return Err(unsupported()),
            },
        },
        WebKeyAlgorithm::Ecdsa { curve } => KeyAlgorithm::Ecdsa {
            curve: match curve.as_str() {
                "p256" => Curve::P256,
                "p384" => Curve::P384,
                _ => return Err(unsupported()),
            },
        },
        WebKeyAlgorithm::Ed25519 => KeyAlgorithm::Ed25519,
    })
}

/// ZITADEL's default web key.
pub fn default_algorithm() -> WebKeyAlgorithm {
    WebKeyAlgorithm::Rsa {
        bits: 2048,
        hasher: "sha256".into(),
    }
}

/// Generates a key pair off the async runtime and seals its private half; the key id is bound
/// into the seal, so a sealed key cannot be swapped for another's.
pub async fn new_web_key(
    state: &AppState,
    key_id: &str,
    algorithm: WebKeyAlgorithm,
    activate_if_none: bool,
) -> Result<AddWebKey, DomainError> {
    let jose_algorithm = key_algorithm(&algorithm)?;
    let kid = key_id.to_owned();
    let generated =
        tokio::task::spawn_blocking(move || castellan_jose::generate(&jose_algorithm, &kid))
            .await
            .map_err(|e| DomainError::internal("WEBKEY-0102", format!("key generation: {e}")))?
            .map_err(|e| DomainError::internal("WEBKEY-0103", format!("key generation: {e}")))?;
    let sealed = state
        .master_key
        .encrypt(&generated.private_pkcs8_der, key_id.as_bytes())
        .map_err(|e| DomainError::internal("WEBKEY-0104", format!("seal key: {e}")))?;
    let public_jwk = serde_json::to_value(&generated.public_jwk)
        .map_err(|e| DomainError::internal("WEBKEY-0105", format!("jwk: {e}")))?;
    Ok(AddWebKey {
        key_id: key_id.to_owned(),
        algorithm,
        public_jwk,
        sealed_private_key: sealed,
        activate_if_none,
    })
}

fn unseal(state: &AppState, key: &WebKeyView) -> Result<Signer, DomainError> {
    let der = state
        .master_key
        .decrypt(&key.sealed_private_key, key.id.as_bytes())
        .map_err(|_| {
            DomainError::internal(
                "WEBKEY-0106",
                "The web key cannot be unsealed: is CASTELLAN_MASTERKEY the one it was created with?",
            )
        })?;
    Signer::from_pkcs8_der(&der, &key_algorithm(&key.algorithm)?, &key.id)
        .map_err(|e| DomainError::internal("WEBKEY-0107", format!("web key: {e}")))
}

/// The signer of the instance's active key, creating the default key first if there is none.
pub async fn active_signer(state: &AppState, instance_id: &str) -> Result<Signer, DomainError> {
    for _ in 0..2 {
        let keys = oidc::web_keys(state.store(), instance_id)
            .await
            .map_err(read_error)?;
        if let Some(active) = keys.iter().find(|key| key.state == "active") {
            return unseal(state, active);
        }
        let ctx = CommandContext {
            instance_id: instance_id.to_owned(),
            creator: "SYSTEM".into(),
        };
        let command =
            new_web_key(state, &state.writer.next_id(), default_algorithm(), true).await?;
        match state.writer.execute(&ctx, &command).await {
            Ok(committed) => {
                let _ = state
                    .consistency
                    .wait_for(&committed.appended.events, state.config.consistency_timeout)
                    .await;
            }
            // Another request created the first key meanwhile ("nothing to change").
            Err(error) if error.code == castellan_writer::writer::NOTHING_TO_CHANGE => {}
            Err(error) => return Err(error),
        }
    }
    Err(DomainError::internal(
        "WEBKEY-0108",
        "No active web key could be created",
    ))
}

/// The published keys (JWKS): every key that is initial, active or inactive.
pub async fn public_keys(state: &AppState, instance_id: &str) -> Result<Vec<Jwk>, DomainError> {
    let keys = oidc::web_keys(state.store(), instance_id)
        .await
        .map_err(read_error)?;
    Ok(keys
        .into_iter()
        .filter_map(|key| serde_json::from_value(key.public_jwk).ok())
        .collect())
}
