//! CreateWebKey, ActivateWebKey, DeleteWebKey and ListWebKeys.

use castellan_api::auth::Caller;
use castellan_api::error::read_error;
use castellan_api::proto::{ChangeDateResponse, DeletionDateResponse};
use castellan_api::signing::{default_algorithm, new_web_key};
use castellan_api::state::AppState;
use castellan_api::support::{committed_at, execute, require_id};
use castellan_core::DomainError;
use castellan_core::web_key::WebKeyAlgorithm;
use castellan_readers::queries::oidc::{WebKeyView, web_keys};
use castellan_writer::commands::oidc::{ActivateWebKey, RemoveWebKey};

use super::wire::{
    CreateWebKeyRequest, CreateWebKeyResponse, Ecdsa, EcdsaCurve, Ed25519, ListWebKeysRequest,
    ListWebKeysResponse, Rsa, RsaBits, RsaHasher, State, WebKey, WebKeyIdRequest,
};
use crate::service::{nothing_to_change, proto_time};

/// The key configuration a CreateWebKey request asks for; ZITADEL's defaults fill what it leaves
/// out (RSA 2048 with SHA-256; ECDSA on P-256).
pub fn algorithm_of(request: &CreateWebKeyRequest) -> Result<WebKeyAlgorithm, DomainError> {
    let set = [
        request.rsa.is_some(),
        request.ecdsa.is_some(),
        request.ed25519.is_some(),
    ]
    .into_iter()
    .filter(|set| *set)
    .count();
    if set > 1 {
        return Err(DomainError::invalid(
            "WEBKEY-0201",
            "set at most one of rsa, ecdsa, ed25519",
        ));
    }
    if let Some(rsa) = &request.rsa {
        let bits = match rsa.bits {
            RsaBits::Unspecified | RsaBits::B2048 => 2048,
            RsaBits::B3072 => 3072,
            RsaBits::B4096 => 4096,
        };
        let hasher = match rsa.hasher {
            RsaHasher::Unspecified | RsaHasher::Sha256 => "sha256",
            RsaHasher::Sha384 => "sha384",
            RsaHasher::Sha512 => "sha512",
        };
        return Ok(WebKeyAlgorithm::Rsa {
            bits,
            hasher: hasher.to_owned(),
        });
    }
    if let Some(ecdsa) = &request.ecdsa {
        let curve = match ecdsa.curve {
            EcdsaCurve::Unspecified | EcdsaCurve::P256 => "p256",
            EcdsaCurve::P384 => "p384",
            EcdsaCurve::P512 => {
                return Err(DomainError::invalid(
                    "WEBKEY-0202",
                    "ECDSA_CURVE_P512 is not supported",
                ));
            }
        };
        return Ok(WebKeyAlgorithm::Ecdsa {
            curve: curve.to_owned(),
        });
    }
    if request.ed25519.is_some() {
        return Ok(WebKeyAlgorithm::Ed25519);
    }
    Ok(default_algorithm())
}

/// The wire form of a stored key.
pub fn to_wire(key: WebKeyView) -> WebKey {
    let state = match key.state.as_str() {
        "initial" => State::Initial,
        "active" => State::Active,
        "inactive" => State::Inactive,
        _ => State::Unspecified,
    };
    let mut wire = WebKey {
        id: key.id,
        creation_date: proto_time(key.created),
        change_date: proto_time(key.changed),
        state,
        ..WebKey::default()
    };
    match key.algorithm {
        WebKeyAlgorithm::Rsa { bits, hasher } => {
            wire.rsa = Some(Rsa {
                bits: match bits {
                    2048 => RsaBits::B2048,
                    3072 => RsaBits::B3072,
                    4096 => RsaBits::B4096,
                    _ => RsaBits::Unspecified,
                },
                hasher: match hasher.as_str() {
                    "sha256" => RsaHasher::Sha256,
                    "sha384" => RsaHasher::Sha384,
                    "sha512" => RsaHasher::Sha512,
                    _ => RsaHasher::Unspecified,
                },
            });
        }
        WebKeyAlgorithm::Ecdsa { curve } => {
            wire.ecdsa = Some(Ecdsa {
                curve: match curve.as_str() {
                    "p256" => EcdsaCurve::P256,
                    "p384" => EcdsaCurve::P384,
                    _ => EcdsaCurve::Unspecified,
                },
            });
        }
        WebKeyAlgorithm::Ed25519 => wire.ed25519 = Some(Ed25519 {}),
    }
    wire
}

pub async fn create_web_key(
    state: AppState,
    caller: Caller,
    request: CreateWebKeyRequest,
) -> Result<CreateWebKeyResponse, DomainError> {
    let algorithm = algorithm_of(&request)?;
    let id = state.writer.next_id();
    let command = new_web_key(&state, &id, algorithm, false).await?;
    let committed = execute(&state, &caller, &command).await?;
    Ok(CreateWebKeyResponse {
        id,
        creation_date: committed_at(&committed),
    })
}

/// Activating the active key again changes nothing and succeeds without a change date.
pub async fn activate_web_key(
    state: AppState,
    caller: Caller,
    request: WebKeyIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let key_id = require_id(&request.id, "id")?;
    match execute(&state, &caller, &ActivateWebKey { key_id }).await {
        Ok(committed) => Ok(ChangeDateResponse {
            change_date: committed_at(&committed),
        }),
        Err(error) if nothing_to_change(&error) => Ok(ChangeDateResponse { change_date: None }),
        Err(error) => Err(error),
    }
}

/// Only inactive keys can be deleted (FailedPrecondition otherwise). An unknown key succeeds
/// without a deletion date, as in ZITADEL: the desired state is reached.
pub async fn delete_web_key(
    state: AppState,
    caller: Caller,
    request: WebKeyIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let key_id = require_id(&request.id, "id")?;
    match execute(&state, &caller, &RemoveWebKey { key_id }).await {
        Ok(committed) => Ok(DeletionDateResponse {
            deletion_date: committed_at(&committed),
        }),
        Err(error) if error.code == "WEBKEY-0001" => Ok(DeletionDateResponse {
            deletion_date: None,
        }),
        Err(error) => Err(error),
    }
}

pub async fn list_web_keys(
    state: AppState,
    caller: Caller,
    _request: ListWebKeysRequest,
) -> Result<ListWebKeysResponse, DomainError> {
    let keys = web_keys(state.store(), &caller.instance.id)
        .await
        .map_err(read_error)?;
    Ok(ListWebKeysResponse {
        web_keys: keys.into_iter().map(to_wire).collect(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use castellan_core::ErrorKind;
    use castellan_core::clock::Timestamp;

    fn request(json: serde_json::Value) -> CreateWebKeyRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn requests_choose_an_algorithm_with_zitadels_defaults() {
        let rsa = |bits: u32, hasher: &str| WebKeyAlgorithm::Rsa {
            bits,
            hasher: hasher.into(),
        };
        let cases = [
            (serde_json::json!({}), rsa(2048, "sha256")),
            (serde_json::json!({"rsa": {}}), rsa(2048, "sha256")),
            (
                serde_json::json!({"rsa": {"bits": "RSA_BITS_4096", "hasher": "RSA_HASHER_SHA512"}}),
                rsa(4096, "sha512"),
            ),
            (
                serde_json::json!({"ecdsa": {}}),
                WebKeyAlgorithm::Ecdsa {
                    curve: "p256".into(),
                },
            ),
            (
                serde_json::json!({"ecdsa": {"curve": "ECDSA_CURVE_P384"}}),
                WebKeyAlgorithm::Ecdsa {
                    curve: "p384".into(),
                },
            ),
            (serde_json::json!({"ed25519": {}}), WebKeyAlgorithm::Ed25519),
        ];
        for (json, expected) in cases {
            assert_eq!(
                algorithm_of(&request(json.clone())).unwrap(),
                expected,
                "{json}"
            );
        }
        let p512 = algorithm_of(&request(
            serde_json::json!({"ecdsa": {"curve": "ECDSA_CURVE_P512"}}),
        ));
        assert_eq!(p512.unwrap_err().kind, ErrorKind::InvalidArgument);
        let two = algorithm_of(&request(serde_json::json!({"rsa": {}, "ed25519": {}})));
        assert_eq!(two.unwrap_err().kind, ErrorKind::InvalidArgument);
    }

    #[test]
    fn stored_keys_show_their_state_and_configuration() {
        let view = WebKeyView {
            id: "k".into(),
            algorithm: WebKeyAlgorithm::Rsa {
                bits: 3072,
                hasher: "sha384".into(),
            },
            state: "inactive".into(),
            public_jwk: serde_json::json!({}),
            sealed_private_key: String::new(),
            created: Timestamp(1),
            changed: Timestamp(2),
        };
        let wire = serde_json::to_value(to_wire(view)).unwrap();
        assert_eq!(wire["state"], "STATE_INACTIVE");
        assert_eq!(wire["rsa"]["bits"], "RSA_BITS_3072");
        assert_eq!(wire["rsa"]["hasher"], "RSA_HASHER_SHA384");
        assert!(wire.get("ecdsa").is_none());
        assert!(wire.get("sealedPrivateKey").is_none());
    }
}
