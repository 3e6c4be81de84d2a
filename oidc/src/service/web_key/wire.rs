//! Proto-JSON wire types of `zitadel.webkey.v2.WebKeyService` (`webkey_service.proto`,
//! `key.proto`).

use castellan_api::proto::ProtoTimestamp;
use castellan_api::proto_enum;
use serde::{Deserialize, Serialize};

proto_enum! {
    /// Mirrors `zitadel.webkey.v2.State`.
    pub enum State = "zitadel.webkey.v2.State" {
        Unspecified = 0 => "STATE_UNSPECIFIED",
        Initial = 1 => "STATE_INITIAL",
        Active = 2 => "STATE_ACTIVE",
        Inactive = 3 => "STATE_INACTIVE",
        Removed = 4 => "STATE_REMOVED",
    }
}

proto_enum! {
    /// Mirrors `zitadel.webkey.v2.RSABits`.
    pub enum RsaBits = "zitadel.webkey.v2.RSABits" {
        Unspecified = 0 => "RSA_BITS_UNSPECIFIED",
        B2048 = 1 => "RSA_BITS_2048",
        B3072 = 2 => "RSA_BITS_3072",
        B4096 = 3 => "RSA_BITS_4096",
    }
}

proto_enum! {
    /// Mirrors `zitadel.webkey.v2.RSAHasher`.
    pub enum RsaHasher = "zitadel.webkey.v2.RSAHasher" {
        Unspecified = 0 => "RSA_HASHER_UNSPECIFIED",
        Sha256 = 1 => "RSA_HASHER_SHA256",
        Sha384 = 2 => "RSA_HASHER_SHA384",
        Sha512 = 3 => "RSA_HASHER_SHA512",
    }
}

proto_enum! {
    /// Mirrors `zitadel.webkey.v2.ECDSACurve`.
    pub enum EcdsaCurve = "zitadel.webkey.v2.ECDSACurve" {
        Unspecified = 0 => "ECDSA_CURVE_UNSPECIFIED",
        P256 = 1 => "ECDSA_CURVE_P256",
        P384 = 2 => "ECDSA_CURVE_P384",
        P512 = 3 => "ECDSA_CURVE_P512",
    }
}

/// `RSA`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rsa {
    pub bits: RsaBits,
    pub hasher: RsaHasher,
}

/// `ECDSA`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Ecdsa {
    pub curve: EcdsaCurve,
}

/// `ED25519` (no fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ed25519 {}

/// `CreateWebKeyRequest`: `rsa`, `ecdsa` and `ed25519` are the oneof `key`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateWebKeyRequest {
    pub rsa: Option<Rsa>,
    pub ecdsa: Option<Ecdsa>,
    pub ed25519: Option<Ed25519>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebKeyResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

/// The request of ActivateWebKey and DeleteWebKey.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebKeyIdRequest {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListWebKeysRequest {}

/// `WebKey`: the key's configuration is one of `rsa`, `ecdsa`, `ed25519`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebKey {
    pub id: String,
    pub creation_date: ProtoTimestamp,
    pub change_date: ProtoTimestamp,
    pub state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsa: Option<Rsa>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecdsa: Option<Ecdsa>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ed25519: Option<Ed25519>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWebKeysResponse {
    pub web_keys: Vec<WebKey>,
}
