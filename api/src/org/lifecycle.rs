//! AddOrganization, UpdateOrganization, ListOrganizations, Deactivate/Activate/DeleteOrganization.

use castellan_core::DomainError;
use castellan_core::org;
use castellan_core::permission::ORG_READ;
use castellan_readers::queries::org::{
    self as org_queries, OrgFilter, OrgSort, OrgStateView, OrgView,
};
use castellan_readers::queries::{Paging, TextMatch};
use castellan_writer::commands::org::{AddOrganization, OnOrg, RemoveOrganization};

use super::admins::new_admin;
use super::wire::{
    AddOrganizationRequest, AddOrganizationResponse, ChangeDateResponse, CreatedAdmin,
    DeletionDateResponse, Details, ListDetails, ListOrganizationsRequest,
    ListOrganizationsResponse, Organization, OrganizationFieldName, OrganizationIdRequest,
    OrganizationState, SearchQueryKind, UpdateOrganizationRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{committed_at, execute, oneof, require_id, timestamp};

pub async fn add_organization(
    state: AppState,
    caller: Caller,
    request: AddOrganizationRequest,
) -> Result<AddOrganizationResponse, DomainError> {
    request.validate_oneofs().map_err(oneof)?;
    let org_id = match request.requested_organization_id() {
        Some(id) => require_id(id, "organization_id")?,
        None => state.writer.next_id(),
    };
    // The org does not exist yet: its admins' passwords follow the instance's settings.
    let complexity = castellan_readers::queries::settings::resolve::<
        castellan_core::settings::PasswordComplexityPolicy,
    >(state.store(), &caller.instance.id, None)
    .await
    .map_err(read_error)?
    .policy;
    let mut admins = Vec::with_capacity(request.admins.len());
    for admin in &request.admins {
        admins.push(new_admin(&state, admin, &org_id, &complexity).await?);
    }
    let created_admins = admins
        .iter()
        .filter_map(|admin| match admin {
            castellan_writer::commands::org::NewAdmin::Human { user_id, .. } => {
                Some(CreatedAdmin {
                    user_id: user_id.clone(),
                    ..CreatedAdmin::default()
                })
            }
            castellan_writer::commands::org::NewAdmin::Existing { .. } => None,
        })
        .collect();
    let command = AddOrganization {
        org_id: org_id.clone(),
        name: request.name,
        instance_domain: caller.instance.domain.clone(),
        admins,
    };
    let committed = execute(&state, &caller, &command).await?;
    let sequence = committed
        .appended
        .events
        .iter()
        .filter(|event| event.aggregate_id == org_id)
        .map(|event| event.sequence)
        .max()
        .unwrap_or_default();
    Ok(AddOrganizationResponse {
        details: Some(Details {
            sequence: u64::try_from(sequence).unwrap_or_default(),
            change_date: committed_at(&committed),
            resource_owner: org_id.clone(),
        }),
        organization_id: org_id,
        created_admins,
    })
}

pub async fn update_organization(
    state: AppState,
    caller: Caller,
    request: UpdateOrganizationRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let name = request.name;
    let committed = execute(
        &state,
        &caller,
        &OnOrg::new(&org_id, |o| org::rename(o, &name)),
    )
    .await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn deactivate_organization(
    state: AppState,
    caller: Caller,
    request: OrganizationIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let committed = execute(&state, &caller, &OnOrg::new(&org_id, org::deactivate)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn activate_organization(
    state: AppState,
    caller: Caller,
    request: OrganizationIdRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let committed = execute(&state, &caller, &OnOrg::new(&org_id, org::activate)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

pub async fn delete_organization(
    state: AppState,
    caller: Caller,
    request: OrganizationIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let committed = execute(&state, &caller, &RemoveOrganization { org_id }).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

fn to_wire(org: OrgView) -> Organization {
    Organization {
        details: Some(Details {
            sequence: u64::try_from(org.sequence).unwrap_or_default(),
            change_date: Some(timestamp(org.changed)),
            resource_owner: org.id.clone(),
        }),
        state: match org.state {
            OrgStateView::Active => OrganizationState::Active,
            OrgStateView::Inactive => OrganizationState::Inactive,
        },
        name: org.name,
        primary_domain: org.primary_domain,
        id: org.id,
    }
}

/// Lists the orgs the caller may read: every org with an instance-wide `org.read`, otherwise
/// only the orgs whose roles grant it.
pub async fn list_organizations(
    state: AppState,
    caller: Caller,
    request: ListOrganizationsRequest,
) -> Result<ListOrganizationsResponse, DomainError> {
    request.validate_oneofs().map_err(oneof)?;
    let mut filters = Vec::with_capacity(request.queries.len());
    for query in &request.queries {
        let filter = match query.query().map_err(oneof)? {
            Some(SearchQueryKind::Name(q)) => {
                OrgFilter::Name(TextMatch::from(q.method), q.name.clone())
            }
            Some(SearchQueryKind::Domain(q)) => {
                OrgFilter::Domain(TextMatch::from(q.method), q.domain.clone())
            }
            Some(SearchQueryKind::State(q)) => match q.state {
                OrganizationState::Active => OrgFilter::State(OrgStateView::Active),
                OrganizationState::Inactive => OrgFilter::State(OrgStateView::Inactive),
                // Removed orgs are never listed; unspecified asks for nothing in particular.
                OrganizationState::Removed => OrgFilter::Id(String::new()),
                OrganizationState::Unspecified => continue,
            },
            Some(SearchQueryKind::Id(q)) => OrgFilter::Id(q.id.clone()),
            Some(SearchQueryKind::Default(_)) => OrgFilter::Default,
            None => {
                return Err(DomainError::invalid(
                    "API-0014",
                    "a search query must set one query",
                ));
            }
        };
        filters.push(filter);
    }
    if !caller.principal.has_instance_permission(ORG_READ) {
        filters.push(OrgFilter::AnyOf(
            caller.principal.orgs_with_permission(ORG_READ),
        ));
    }
    let sort = match request.sorting_column {
        OrganizationFieldName::Name => OrgSort::Name,
        OrganizationFieldName::Unspecified | OrganizationFieldName::CreationDate => {
            OrgSort::Unspecified
        }
    };
    let list_query = request.query.unwrap_or_default();
    // The direction applies only when a column is named (as in ZITADEL).
    let asc = list_query.asc || sort == OrgSort::Unspecified;
    let paging = Paging {
        offset: list_query.offset,
        limit: list_query.limit,
        asc,
    };
    let page = org_queries::list_orgs(state.store(), &caller.instance.id, &filters, sort, paging)
        .await
        .map_err(read_error)?;
    Ok(ListOrganizationsResponse {
        details: Some(ListDetails {
            total_result: page.total,
            timestamp: Some(timestamp(state.clock.now())),
            ..ListDetails::default()
        }),
        sorting_column: request.sorting_column,
        result: page.items.into_iter().map(to_wire).collect(),
    })
}
