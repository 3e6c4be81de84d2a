//! Organization metadata: key → bytes (stored base64, as ZITADEL does).

use base64::Engine;
use castellan_core::DomainError;
use castellan_core::org;

use castellan_readers::queries::org as org_queries;
use castellan_readers::queries::{Paging, TextMatch, applied_limit, paginate_page};
use castellan_writer::commands::org::OnOrg;

use super::wire::{
    DeleteOrganizationMetadataRequest, DeletionDateResponse, ListOrganizationMetadataRequest,
    ListOrganizationMetadataResponse, MetadataEntry, PaginationResponse,
    SetOrganizationMetadataRequest, SetOrganizationMetadataResponse,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, oneof, require_id, require_org_exists, timestamp};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub async fn set_metadata(
    state: AppState,
    caller: Caller,
    request: SetOrganizationMetadataRequest,
) -> Result<SetOrganizationMetadataResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let entries: Vec<(String, String)> = request
        .metadata
        .iter()
        .map(|m| (m.key.clone(), B64.encode(&m.value)))
        .collect();
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| org::set_metadata(o, &entries)),
    )
    .await?;
    Ok(SetOrganizationMetadataResponse {
        set_date: committed_at(&committed),
    })
}

pub async fn delete_metadata(
    state: AppState,
    caller: Caller,
    request: DeleteOrganizationMetadataRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let keys = request.keys;
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| org::remove_metadata(o, &keys)),
    )
    .await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn list_metadata(
    state: AppState,
    caller: Caller,
    request: ListOrganizationMetadataRequest,
) -> Result<ListOrganizationMetadataResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let store = state.store();
    require_org_exists(&state, &caller, &org_id).await?;
    let mut filters = Vec::new();
    for filter in &request.filters {
        match filter.filter().map_err(oneof)? {
            Some(key) => filters.push((TextMatch::from(key.method), key.key.clone())),
            None => {
                return Err(DomainError::invalid(
                    "API-0033",
                    "a filter must set one member",
                ));
            }
        }
    }
    let entries: Vec<_> = org_queries::list_metadata(store, &caller.instance.id, &org_id)
        .await
        .map_err(read_error)?
        .into_iter()
        .filter(|m| {
            filters
                .iter()
                .all(|(method, pattern)| method.matches(&m.key, pattern))
        })
        .collect();
    let pagination = request.pagination.unwrap_or_default();
    // No sorting column exists for metadata: always by key, ascending.
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: true,
    };
    let page = paginate_page(entries, paging);
    let mut metadata = Vec::with_capacity(page.items.len());
    for entry in page.items {
        let value = B64
            .decode(&entry.value)
            .map_err(|e| DomainError::internal("API-0034", format!("stored metadata: {e}")))?;
        metadata.push(MetadataEntry {
            change_date: Some(timestamp(entry.changed)),
            key: entry.key,
            value,
            ..MetadataEntry::default()
        });
    }
    Ok(ListOrganizationMetadataResponse {
        pagination: Some(PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        }),
        metadata,
    })
}
