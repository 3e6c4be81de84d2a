//! InstanceService handlers. Only the caller's instance (the one its host names) is visible:
//! an `instanceId` naming another answers NotFound (there are no system users yet).

use castellan_core::DomainError;
use castellan_core::instance;
use castellan_readers::queries::settings::{
    DomainList, InstanceDomainView, instance_domains, instance_times,
};
use castellan_readers::queries::{MAX_LIMIT, Paging, TextMatch, applied_limit};
use castellan_writer::commands::settings::OnInstance;

use super::wire::{
    ChangeDateResponse, CreationDateResponse, CustomDomain, CustomDomainRequest,
    DeletionDateResponse, DomainListFilter, GetInstanceResponse, Instance, InstanceFilter,
    InstanceIdRequest, ListCustomDomainsResponse, ListDomainsRequest, ListInstancesRequest,
    ListInstancesResponse, ListTrustedDomainsResponse, State, TrustedDomain, TrustedDomainRequest,
    UpdateInstanceRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::{PaginationRequest, PaginationResponse};
use crate::state::AppState;
use crate::support::{committed_at, execute, timestamp};

fn own_instance(caller: &Caller, instance_id: &str) -> Result<(), DomainError> {
    let id = instance_id.trim();
    if id.is_empty() || id == caller.instance.id {
        Ok(())
    } else {
        Err(DomainError::not_found("INST-0011", "Instance not found"))
    }
}

fn paging(pagination: Option<PaginationRequest>) -> Paging {
    let p = pagination.unwrap_or_default();
    Paging {
        offset: p.offset,
        limit: p.limit,
        asc: p.asc,
    }
}

fn custom_domain(caller: &Caller, view: InstanceDomainView) -> CustomDomain {
    CustomDomain {
        instance_id: caller.instance.id.clone(),
        creation_date: Some(timestamp(view.created)),
        primary: view.domain == caller.instance.domain,
        domain: view.domain,
        generated: view.generated,
    }
}

async fn instance_view(state: &AppState, caller: &Caller) -> Result<Instance, DomainError> {
    let store = state.store();
    let (created, changed) = instance_times(store, &caller.instance.id)
        .await
        .map_err(read_error)?;
    let all = Paging {
        offset: 0,
        limit: MAX_LIMIT,
        asc: true,
    };
    let domains = instance_domains(store, &caller.instance.id, DomainList::Custom, all, |_| {
        true
    })
    .await
    .map_err(read_error)?;
    Ok(Instance {
        id: caller.instance.id.clone(),
        change_date: Some(timestamp(changed)),
        creation_date: Some(timestamp(created)),
        state: State::Running,
        name: caller.instance.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        custom_domains: domains
            .items
            .into_iter()
            .map(|d| custom_domain(caller, d))
            .collect(),
    })
}

pub async fn get_instance(
    state: AppState,
    caller: Caller,
    request: InstanceIdRequest,
) -> Result<GetInstanceResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    Ok(GetInstanceResponse {
        instance: instance_view(&state, &caller).await?,
    })
}

pub async fn update_instance(
    state: AppState,
    caller: Caller,
    request: UpdateInstanceRequest,
) -> Result<ChangeDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let name = request.instance_name;
    let committed = execute(
        &state,
        &caller,
        &OnInstance {
            decide: |i: &instance::Instance| instance::change_name(i, &name),
        },
    )
    .await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

fn instance_matches(caller: &Caller, filter: &InstanceFilter) -> Result<bool, DomainError> {
    match (&filter.in_ids_filter, &filter.custom_domains_filter) {
        (Some(ids), None) => Ok(ids.ids.contains(&caller.instance.id)),
        // Matched against the domain the request came in by, and the instance's own.
        (None, Some(domains)) => Ok(domains
            .domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&caller.instance.domain))),
        _ => Err(DomainError::invalid(
            "INST-0012",
            "a filter must set exactly one of inIdsFilter, customDomainsFilter",
        )),
    }
}

/// ListInstances: only the caller's own instance (system-level listing needs system users,
/// which Castellan does not have yet).
pub async fn list_instances(
    state: AppState,
    caller: Caller,
    request: ListInstancesRequest,
) -> Result<ListInstancesResponse, DomainError> {
    let mut keep = true;
    for filter in &request.filters {
        keep &= instance_matches(&caller, filter)?;
    }
    let paging = paging(request.pagination);
    let instances = if keep && paging.offset == 0 {
        vec![instance_view(&state, &caller).await?]
    } else {
        Vec::new()
    };
    Ok(ListInstancesResponse {
        instances,
        pagination: PaginationResponse {
            total_result: u64::from(keep),
            applied_limit: applied_limit(paging).into(),
        },
    })
}

/// DeleteInstance: Castellan serves one instance per deployment today, and deleting it would
/// leave nothing to serve requests; refused with FailedPrecondition.
pub async fn delete_instance(
    _state: AppState,
    caller: Caller,
    request: InstanceIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    Err(DomainError::precondition(
        "INST-0013",
        "the only instance cannot be deleted",
    ))
}

/// Runs a decision on the caller's instance; the time of the change.
async fn on_instance<F>(
    state: &AppState,
    caller: &Caller,
    decide: F,
) -> Result<Option<crate::proto::ProtoTimestamp>, DomainError>
where
    F: Fn(
            &instance::Instance,
        ) -> Result<castellan_core::event::Decision<instance::InstanceEvent>, DomainError>
        + Send
        + Sync,
{
    let committed = execute(state, caller, &OnInstance { decide }).await?;
    Ok(committed_at(&committed))
}

pub async fn add_custom_domain(
    state: AppState,
    caller: Caller,
    request: CustomDomainRequest,
) -> Result<CreationDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let domain = request.custom_domain;
    let creation_date =
        on_instance(&state, &caller, |i| instance::add_custom_domain(i, &domain)).await?;
    Ok(CreationDateResponse { creation_date })
}

pub async fn remove_custom_domain(
    state: AppState,
    caller: Caller,
    request: CustomDomainRequest,
) -> Result<DeletionDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let domain = request.custom_domain;
    let deletion_date = on_instance(&state, &caller, |i| {
        instance::remove_custom_domain(i, &domain)
    })
    .await?;
    Ok(DeletionDateResponse { deletion_date })
}

pub async fn add_trusted_domain(
    state: AppState,
    caller: Caller,
    request: TrustedDomainRequest,
) -> Result<CreationDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let domain = request.trusted_domain;
    let creation_date = on_instance(&state, &caller, |i| {
        instance::add_trusted_domain(i, &domain)
    })
    .await?;
    Ok(CreationDateResponse { creation_date })
}

pub async fn remove_trusted_domain(
    state: AppState,
    caller: Caller,
    request: TrustedDomainRequest,
) -> Result<DeletionDateResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let domain = request.trusted_domain;
    let deletion_date = on_instance(&state, &caller, |i| {
        instance::remove_trusted_domain(i, &domain)
    })
    .await?;
    Ok(DeletionDateResponse { deletion_date })
}

/// The domain filters of a list request, checked once.
fn domain_filters(
    filters: Vec<DomainListFilter>,
    caller: &Caller,
) -> Result<impl Fn(&InstanceDomainView) -> bool, DomainError> {
    type Check = Box<dyn Fn(&InstanceDomainView) -> bool + Send + Sync>;
    let mut checks: Vec<Check> = Vec::new();
    for filter in filters {
        match (
            filter.domain_filter,
            filter.generated_filter,
            filter.primary_filter,
        ) {
            (Some(f), None, None) => {
                let method = TextMatch::from(f.method);
                checks.push(Box::new(move |v| method.matches(&v.domain, &f.domain)));
            }
            (None, Some(generated), None) => {
                checks.push(Box::new(move |v| v.generated == generated));
            }
            (None, None, Some(primary)) => {
                let own = caller.instance.domain.clone();
                checks.push(Box::new(move |v| (v.domain == own) == primary));
            }
            _ => {
                return Err(DomainError::invalid(
                    "INST-0014",
                    "a filter must set exactly one of domainFilter, generatedFilter, primaryFilter",
                ));
            }
        }
    }
    Ok(move |v: &InstanceDomainView| checks.iter().all(|check| check(v)))
}

pub async fn list_custom_domains(
    state: AppState,
    caller: Caller,
    request: ListDomainsRequest,
) -> Result<ListCustomDomainsResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    let paging = paging(request.pagination);
    let keep = domain_filters(request.filters, &caller)?;
    let page = instance_domains(
        state.store(),
        &caller.instance.id,
        DomainList::Custom,
        paging,
        keep,
    )
    .await
    .map_err(read_error)?;
    Ok(ListCustomDomainsResponse {
        domains: page
            .items
            .into_iter()
            .map(|d| custom_domain(&caller, d))
            .collect(),
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: applied_limit(paging).into(),
        },
    })
}

pub async fn list_trusted_domains(
    state: AppState,
    caller: Caller,
    request: ListDomainsRequest,
) -> Result<ListTrustedDomainsResponse, DomainError> {
    own_instance(&caller, &request.instance_id)?;
    if request
        .filters
        .iter()
        .any(|f| f.generated_filter.is_some() || f.primary_filter.is_some())
    {
        return Err(DomainError::invalid(
            "INST-0015",
            "trusted domains are filtered by domainFilter only",
        ));
    }
    let paging = paging(request.pagination);
    let keep = domain_filters(request.filters, &caller)?;
    let page = instance_domains(
        state.store(),
        &caller.instance.id,
        DomainList::Trusted,
        paging,
        keep,
    )
    .await
    .map_err(read_error)?;
    Ok(ListTrustedDomainsResponse {
        trusted_domain: page
            .items
            .into_iter()
            .map(|d| TrustedDomain {
                instance_id: caller.instance.id.clone(),
                creation_date: Some(timestamp(d.created)),
                domain: d.domain,
            })
            .collect(),
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: applied_limit(paging).into(),
        },
    })
}
