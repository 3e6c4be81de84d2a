//! Machine users' JWT-profile keys: AddKey (a caller's public key, or a generated key pair whose
//! private half is returned once, in ZITADEL's key-file format), ListKeys, RemoveKey.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::permission::USER_READ;
use castellan_core::user;
use castellan_readers::queries::user::{self as user_queries, TokenFilter};
use castellan_readers::queries::{Paging, applied_limit};
use castellan_writer::secrets;
use serde::{Deserialize, Serialize};

use super::common::{on_user, user_id};
use super::wire::{DeletionDateResponse, IdFilter};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::{PaginationRequest, PaginationResponse, bytes_b64};
use crate::proto::timestamp::ProtoTimestamp;
use crate::state::AppState;
use crate::support::{committed_at, require_id, timestamp};

/// Keys without an expiration date expire at the end of year 9999, as in ZITADEL.
const NEVER: Timestamp = Timestamp(253_402_300_799_000_000);

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddKeyRequest {
    pub user_id: String,
    pub expiration_date: Option<ProtoTimestamp>,
    #[serde(with = "bytes_b64")]
    pub public_key: Vec<u8>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddKeyResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    pub key_id: String,
    #[serde(with = "bytes_b64", skip_serializing_if = "Vec::is_empty")]
    pub key_content: Vec<u8>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoveKeyRequest {
    pub user_id: String,
    pub key_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeySearchFilter {
    pub key_id_filter: Option<IdFilter>,
    pub user_id_filter: Option<IdFilter>,
    pub organization_id_filter: Option<IdFilter>,
    pub created_date_filter: Option<serde_json::Value>,
    pub expiration_date_filter: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListKeysRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: Option<String>,
    pub filters: Vec<KeySearchFilter>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Key {
    pub creation_date: ProtoTimestamp,
    pub change_date: ProtoTimestamp,
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub expiration_date: ProtoTimestamp,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListKeysResponse {
    pub pagination: PaginationResponse,
    pub result: Vec<Key>,
}

/// ZITADEL's key file: what a service account signs its JWT-profile assertions with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    key_id: &'a str,
    key: &'a str,
    expiration_date: String,
    user_id: &'a str,
}

pub async fn add_key(
    state: AppState,
    caller: Caller,
    request: AddKeyRequest,
) -> Result<AddKeyResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let expiration = request.expiration_date.map_or(NEVER, |at| Timestamp(at.0));
    let key_id = state.writer.next_id();
    let (public_key, private_key) = if request.public_key.is_empty() {
        let (private, public) = tokio::task::spawn_blocking(secrets::generate_rsa_key)
            .await
            .map_err(|e| DomainError::internal("USERAPI-0060", format!("key task: {e}")))??;
        (public, Some(private))
    } else {
        let pem = String::from_utf8(request.public_key.clone())
            .map_err(|_| DomainError::invalid("USERAPI-0061", "publicKey must be a PEM text"))?;
        (secrets::parse_rsa_public_key(&pem)?, None)
    };
    let (committed, _) = on_user(&state, &caller, &id, |s, now| {
        user::add_key(s, key_id.clone(), public_key.clone(), expiration, now)
    })
    .await?;
    let key_content = match private_key {
        Some(private) => {
            let expiration_date = ProtoTimestamp(expiration.0)
                .to_rfc3339()
                .map_err(|e| DomainError::internal("USERAPI-0062", e.to_string()))?;
            serde_json::to_vec(&KeyFile {
                kind: "serviceaccount",
                key_id: &key_id,
                key: &private,
                expiration_date,
                user_id: &id,
            })
            .map_err(|e| DomainError::internal("USERAPI-0063", e.to_string()))?
        }
        None => Vec::new(),
    };
    Ok(AddKeyResponse {
        creation_date: committed_at(&committed),
        key_id,
        key_content,
    })
}

pub async fn remove_key(
    state: AppState,
    caller: Caller,
    request: RemoveKeyRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let key_id = require_id(&request.key_id, "key_id")?;
    let (committed, _) = on_user(&state, &caller, &id, |s, _| user::remove_key(s, &key_id)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

/// Lists keys of the users the caller may read, filtered by key, user or org id.
pub async fn list_keys(
    state: AppState,
    caller: Caller,
    request: ListKeysRequest,
) -> Result<ListKeysResponse, DomainError> {
    let mut filter = TokenFilter::default();
    for f in &request.filters {
        if f.created_date_filter.is_some() || f.expiration_date_filter.is_some() {
            return Err(DomainError::new(
                castellan_core::ErrorKind::Unimplemented,
                "USERAPI-0064",
                "date filters are not supported yet",
            ));
        }
        if let Some(user) = &f.user_id_filter {
            filter.user_id = Some(user.id.clone());
        }
        if let Some(org) = &f.organization_id_filter {
            filter.org_id = Some(org.id.clone());
        }
        if let Some(key) = &f.key_id_filter {
            filter.token_id = Some(key.id.clone());
        }
    }
    if !caller.principal.has_instance_permission(USER_READ) {
        filter.orgs = Some(caller.principal.orgs_with_permission(USER_READ));
    }
    let pagination = request.pagination.unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: true,
    };
    let page = user_queries::list_keys(state.store(), &caller.instance.id, &filter, paging)
        .await
        .map_err(read_error)?;
    Ok(ListKeysResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
        result: page
            .items
            .into_iter()
            .map(|k| Key {
                creation_date: timestamp(k.created),
                change_date: timestamp(k.created),
                id: k.key_id,
                user_id: k.user_id,
                organization_id: k.org_id,
                expiration_date: timestamp(k.expiration),
            })
            .collect(),
    })
}
