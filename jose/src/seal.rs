//! Encrypting secrets at rest (private keys above all) under one master key.
//!
//! Sealed format: `v1.<base64url(nonce)>.<base64url(ciphertext || tag)>`, AES-256-GCM with a
//! fresh random 96-bit nonce per message. The caller's associated data is authenticated but
//! not stored: opening needs the same bytes (bind a sealed value to its owner, e.g. a key id).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::{JoseError, b64};

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;

/// A 256-bit key that seals and opens secrets. Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// Reads a key from standard or url-safe base64 (padded or not) of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, JoseError> {
        let text = text.trim();
        let decoded = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
            .into_iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| JoseError::invalid_key("master key is not base64"))?;
        let bytes: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| JoseError::invalid_key("master key must decode to exactly 32 bytes"))?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// A new random key from the operating system's random source.
    #[must_use]
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(key.as_mut_slice());
        Self(key)
    }

    /// The key as standard (padded) base64. Treat the result as a secret.
    #[must_use]
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_slice())
    }

    /// Seals `plaintext`, authenticating `associated_data` with it.
    pub fn encrypt(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<String, JoseError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()?
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: associated_data,
                },
            )
            .map_err(|_| JoseError::Crypto("encryption failed".to_owned()))?;
        Ok(format!(
            "{VERSION}.{}.{}",
            b64::encode(nonce),
            b64::encode(ciphertext)
        ))
    }

    /// Opens a string made by [`MasterKey::encrypt`] with the same key and associated data.
    pub fn decrypt(
        &self,
        sealed: &str,
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, JoseError> {
        let mut parts = sealed.split('.');
        let (Some(version), Some(nonce), Some(ciphertext), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::malformed("sealed value has three parts"));
        };
        if version != VERSION {
            return Err(JoseError::malformed("unknown sealed value version"));
        }
        let nonce: [u8; NONCE_LEN] = b64::decode(nonce, "nonce")?
            .try_into()
            .map_err(|_| JoseError::malformed("nonce must be 12 bytes"))?;
        let ciphertext = b64::decode(ciphertext, "ciphertext")?;
        self.cipher()?
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: associated_data,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                JoseError::Crypto("decryption failed (wrong key, data or tampering)".to_owned())
            })
    }

    fn cipher(&self) -> Result<Aes256Gcm, JoseError> {
        Aes256Gcm::new_from_slice(self.0.as_slice())
            .map_err(|_| JoseError::Crypto("cipher setup failed".to_owned()))
    }
}
