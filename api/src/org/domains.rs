//! Organization domains: add, list, delete, and the HTTP/DNS validation flow.

use castellan_core::org::{self, DomainValidationType as CoreValidation};
use castellan_readers::queries::TextMatch;

use castellan_core::DomainError;
use castellan_readers::queries::org as org_queries;
use castellan_readers::queries::{Paging, applied_limit, paginate_page};
use castellan_writer::commands::org::OnOrg;
use castellan_writer::secrets;

use super::wire::{
    AddOrganizationDomainResponse, DeletionDateResponse, Domain, DomainFieldName,
    DomainValidationType, GenerateOrganizationDomainValidationRequest,
    GenerateOrganizationDomainValidationResponse, ListOrganizationDomainsRequest,
    ListOrganizationDomainsResponse, OrganizationDomainRequest, PaginationResponse,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, oneof, require_id, require_org_exists};

pub async fn add_domain(
    state: AppState,
    caller: Caller,
    request: OrganizationDomainRequest,
) -> Result<AddOrganizationDomainResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let validate = state.config.validate_org_domains;
    let domain = request.domain;
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| org::add_domain(o, &domain, validate)),
    )
    .await?;
    Ok(AddOrganizationDomainResponse {
        creation_date: committed_at(&committed),
    })
}

pub async fn delete_domain(
    state: AppState,
    caller: Caller,
    request: OrganizationDomainRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let domain = request.domain;
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| org::remove_domain(o, &domain)),
    )
    .await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn list_domains(
    state: AppState,
    caller: Caller,
    request: ListOrganizationDomainsRequest,
) -> Result<ListOrganizationDomainsResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let store = state.store();
    require_org_exists(&state, &caller, &org_id).await?;
    let mut filters = Vec::new();
    for filter in &request.filters {
        match filter.filter().map_err(oneof)? {
            Some(query) => filters.push((TextMatch::from(query.method), query.domain.clone())),
            None => {
                return Err(DomainError::invalid(
                    "API-0030",
                    "a filter must set one member",
                ));
            }
        }
    }
    let mut domains: Vec<_> = org_queries::list_domains(store, &caller.instance.id, &org_id, "")
        .await
        .map_err(read_error)?
        .into_iter()
        .filter(|d| {
            filters
                .iter()
                .all(|(method, pattern)| method.matches(&d.domain, pattern))
        })
        .collect();
    // Domains carry no creation date of their own yet, so every column sorts by name; the
    // direction applies only when a column is named (as in ZITADEL).
    domains.sort_by(|a, b| a.domain.cmp(&b.domain));
    let pagination = request.pagination.unwrap_or_default();
    let descending = request.sorting_column != DomainFieldName::Unspecified && !pagination.asc;
    if descending {
        domains.reverse();
    }
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: !descending,
    };
    let page = paginate_page(domains, paging);
    Ok(ListOrganizationDomainsResponse {
        pagination: Some(PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        }),
        domains: page
            .items
            .into_iter()
            .map(|d| Domain {
                organization_id: d.org_id,
                validation_type: match d.validation_type.as_deref() {
                    Some("http") => DomainValidationType::Http,
                    Some("dns") => DomainValidationType::Dns,
                    _ => DomainValidationType::Unspecified,
                },
                is_verified: d.verified,
                is_primary: d.primary,
                domain: d.domain,
            })
            .collect(),
    })
}

pub async fn generate_validation(
    state: AppState,
    caller: Caller,
    request: GenerateOrganizationDomainValidationRequest,
) -> Result<GenerateOrganizationDomainValidationResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let kind = match request.r#type {
        DomainValidationType::Http => CoreValidation::Http,
        DomainValidationType::Dns => CoreValidation::Dns,
        DomainValidationType::Unspecified => {
            return Err(DomainError::invalid("API-0031", "type must be HTTP or DNS"));
        }
    };
    let domain = request.domain.trim().to_ascii_lowercase();
    let (token, _) = secrets::new_bearer_token();
    let stored_token = token.clone();
    execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| {
            org::generate_domain_validation(o, &domain, kind, stored_token.clone())
        }),
    )
    .await?;
    let url = match kind {
        CoreValidation::Http => super::verification::challenge_url(&state, &domain, &token),
        CoreValidation::Dns => format!("_zitadel-challenge.{domain}"),
    };
    Ok(GenerateOrganizationDomainValidationResponse { token, url })
}
