//! CreateApplicationKey, GetApplicationKey, ListApplicationKeys, DeleteApplicationKey.

use base64::Engine;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::permission::PROJECT_APP_READ;
use castellan_core::project::{Project, key};
use castellan_readers::queries::project::{self as queries, KeyFilter, KeyView};
use castellan_writer::commands::project::OnProject;
use castellan_writer::commands::project::keys::generate_rsa_key;
use serde_json::json;

use super::wire::{
    ApplicationKey, ApplicationKeyIdRequest, ApplicationKeysSorting, CreateApplicationKeyRequest,
    CreateApplicationKeyResponse, DeletionDateResponse, GetApplicationKeyResponse,
    ListApplicationKeysRequest, ListApplicationKeysResponse,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::project::{one_filter, pagination, paging, visibility};
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id, timestamp};

fn key_not_found() -> DomainError {
    DomainError::not_found("KEY-0006", "Key not found")
}

/// The request's `applicationId`/`projectId`, when given, must be those of the key or app.
fn matches(requested: &str, actual: &str) -> bool {
    let requested = requested.trim();
    requested.is_empty() || requested == actual
}

pub async fn create_key(
    state: AppState,
    caller: Caller,
    request: CreateApplicationKeyRequest,
) -> Result<CreateApplicationKeyResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let app = queries::get_app(state.store(), &caller.instance.id, &app_id)
        .await
        .map_err(read_error)?
        .filter(|app| matches(&request.project_id, &app.project_id))
        .ok_or_else(|| DomainError::not_found("APP-0016", "Application not found"))?;
    let expiration = request.expiration_date.map(|at| Timestamp(at.micros()));
    let (private_pem, public_pem) = tokio::task::spawn_blocking(generate_rsa_key)
        .await
        .map_err(|e| DomainError::internal("KEY-0007", format!("key generation: {e}")))??;
    let key_id = state.writer.next_id();
    let now = state.clock.now();
    let decide =
        |current: &Project| key::add_key(current, &app_id, &key_id, &public_pem, expiration, now);
    let committed = execute(&state, &caller, &OnProject::new(&app.project_id, decide)).await?;
    // ZITADEL's application key file.
    let file = json!({
        "type": "application",
        "keyId": key_id,
        "key": private_pem,
        "appId": app_id,
        "clientId": app.client_id,
    });
    Ok(CreateApplicationKeyResponse {
        key_id,
        creation_date: committed_at(&committed),
        key_details: base64::engine::general_purpose::STANDARD.encode(file.to_string()),
    })
}

async fn found_key(
    state: &AppState,
    caller: &Caller,
    request: &ApplicationKeyIdRequest,
) -> Result<KeyView, DomainError> {
    let key_id = require_id(&request.key_id, "key_id")?;
    queries::get_key(state.store(), &caller.instance.id, &key_id)
        .await
        .map_err(read_error)?
        .filter(|key| {
            matches(&request.application_id, &key.app_id)
                && matches(&request.project_id, &key.project_id)
        })
        .ok_or_else(key_not_found)
}

pub async fn get_key(
    state: AppState,
    caller: Caller,
    request: ApplicationKeyIdRequest,
) -> Result<GetApplicationKeyResponse, DomainError> {
    let key = found_key(&state, &caller, &request).await?;
    Ok(GetApplicationKeyResponse {
        key_id: key.id,
        creation_date: Some(timestamp(key.created)),
        expiration_date: key.expiration.map(timestamp),
    })
}

pub async fn list_keys(
    state: AppState,
    caller: Caller,
    request: ListApplicationKeysRequest,
) -> Result<ListApplicationKeysResponse, DomainError> {
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.application_id_filter.is_some(),
                filter.organization_id_filter.is_some(),
                filter.project_id_filter.is_some(),
            ],
            "an application key filter must set exactly one filter",
        )?;
        if let Some(app) = &filter.application_id_filter {
            filters.push(KeyFilter::AppId(app.application_id.trim().to_owned()));
        }
        if let Some(org) = &filter.organization_id_filter {
            filters.push(KeyFilter::OrgId(org.organization_id.trim().to_owned()));
        }
        if let Some(project) = &filter.project_id_filter {
            filters.push(KeyFilter::ProjectId(project.project_id.trim().to_owned()));
        }
    }
    // Keys come in id order (creation order).
    let column_named = request.sorting_column != ApplicationKeysSorting::Id;
    let paging = paging(request.pagination.as_ref(), column_named);
    let page = queries::list_keys(
        state.store(),
        &caller.instance.id,
        &filters,
        &visibility(&caller, PROJECT_APP_READ),
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListApplicationKeysResponse {
        pagination: pagination(page.total, paging),
        keys: page
            .items
            .into_iter()
            .map(|key| ApplicationKey {
                key_id: key.id,
                application_id: key.app_id,
                project_id: key.project_id,
                creation_date: Some(timestamp(key.created)),
                organization_id: key.org_id,
                expiration_date: key.expiration.map(timestamp),
            })
            .collect(),
    })
}

pub async fn delete_key(
    state: AppState,
    caller: Caller,
    request: ApplicationKeyIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let key = found_key(&state, &caller, &request).await?;
    let decide = |current: &Project| key::remove_key(current, &key.app_id, &key.id);
    let committed = execute(&state, &caller, &OnProject::new(&key.project_id, decide)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}
