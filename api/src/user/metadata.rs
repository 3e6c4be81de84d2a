//! User metadata: key → bytes (stored base64, as ZITADEL does).

use base64::Engine;
use castellan_core::DomainError;
use castellan_core::user;
use castellan_readers::queries::user as user_queries;
use castellan_readers::queries::{Paging, applied_limit};

use super::common::{on_user, user_id};
use super::read::get_view;
use super::wire::{
    DeleteUserMetadataRequest, DeletionDateResponse, ListUserMetadataRequest, SetDateResponse,
    SetUserMetadataRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::org::wire::MetadataEntry;
use crate::proto::json::PaginationResponse;
use crate::state::AppState;
use crate::support::{committed_at, oneof, timestamp};
use castellan_readers::queries::TextMatch;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub async fn set_metadata(
    state: AppState,
    caller: Caller,
    request: SetUserMetadataRequest,
) -> Result<SetDateResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let entries: Vec<(String, String)> = request
        .metadata
        .iter()
        .map(|m| (m.key.clone(), B64.encode(&m.value)))
        .collect();
    let (committed, _) =
        on_user(&state, &caller, &id, |s, _| user::set_metadata(s, &entries)).await?;
    Ok(SetDateResponse {
        set_date: committed_at(&committed),
    })
}

pub async fn delete_metadata(
    state: AppState,
    caller: Caller,
    request: DeleteUserMetadataRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let keys = request.keys;
    let (committed, _) =
        on_user(&state, &caller, &id, |s, _| user::remove_metadata(s, &keys)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListUserMetadataResponse {
    pub pagination: PaginationResponse,
    pub metadata: Vec<MetadataEntry>,
}

pub async fn list_metadata(
    state: AppState,
    caller: Caller,
    request: ListUserMetadataRequest,
) -> Result<ListUserMetadataResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    get_view(&state, &caller, &id).await?;
    let mut key_filter = None;
    for filter in &request.filters {
        match filter.filter().map_err(oneof)? {
            Some(key) if key_filter.is_none() => {
                key_filter = Some((TextMatch::from(key.method), key.key.clone()));
            }
            Some(_) => {
                return Err(DomainError::invalid(
                    "USERAPI-0050",
                    "at most one key filter is supported",
                ));
            }
            None => {
                return Err(DomainError::invalid(
                    "API-0033",
                    "a filter must set one member",
                ));
            }
        }
    }
    let pagination = request.pagination.unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: true,
    };
    let page =
        user_queries::list_metadata(state.store(), &caller.instance.id, &id, key_filter, paging)
            .await
            .map_err(read_error)?;
    let mut metadata = Vec::with_capacity(page.items.len());
    for entry in page.items {
        let value = B64
            .decode(&entry.value)
            .map_err(|e| DomainError::internal("USERAPI-0051", format!("stored metadata: {e}")))?;
        metadata.push(MetadataEntry {
            change_date: Some(timestamp(entry.changed)),
            key: entry.key,
            value,
            ..MetadataEntry::default()
        });
    }
    Ok(ListUserMetadataResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
        metadata,
    })
}
