//! ListAdministrators: the caller's own administrator roles, and those of the scopes where the
//! caller holds the scope's `*.member.read`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use castellan_core::clock::Timestamp;
use castellan_core::permission::{
    IAM_MEMBER_READ, ORG_MEMBER_READ, PROJECT_GRANT_MEMBER_READ, PROJECT_MEMBER_READ, Principal,
    Target,
};
use castellan_core::{DomainError, ErrorKind};
use castellan_readers::queries::authorization::administrators::{
    AdministratorFilter, AdministratorView, list_administrators as query,
};
use castellan_readers::queries::authorization::{grant_to_org, granted_org_of, project_name};
use castellan_readers::queries::identity::MemberScope;
use castellan_readers::queries::org::get_org;
use castellan_readers::queries::{Paging, applied_limit};
use castellan_readers::tables::USERS;

use super::wire::{
    Administrator, AdministratorSearchFilter, ListAdministratorsRequest,
    ListAdministratorsResponse, Organization, Project, ProjectGrant, ResourceType, TimestampFilter,
    TimestampFilterMethod, User,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::PaginationResponse;
use crate::state::AppState;
use crate::support::timestamp;

/// Grants named by (project, org) in the filters, resolved to grant ids ("" when none exists,
/// which matches nothing).
type Grants = BTreeMap<(String, String), String>;

fn collect_grants(filter: &AdministratorSearchFilter, out: &mut Vec<(String, String)>) {
    if let Some(grant) = filter
        .resource
        .as_ref()
        .and_then(|r| r.project_grant.as_ref())
    {
        out.push((grant.project_id.clone(), grant.organization_id.clone()));
    }
    for list in [&filter.and, &filter.or].into_iter().flatten() {
        for query in &list.queries {
            collect_grants(query, out);
        }
    }
    if let Some(query) = filter.not.as_ref().and_then(|n| n.query.as_ref()) {
        collect_grants(query, out);
    }
}

fn invalid(message: &str) -> DomainError {
    DomainError::invalid("ADMIN-0020", message.to_owned())
}

fn resource_scope(resource: &ResourceType, grants: &Grants) -> Result<MemberScope, DomainError> {
    let set = [
        resource.instance == Some(true),
        resource.organization_id.is_some(),
        resource.project_id.is_some(),
        resource.project_grant.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if set != 1 {
        return Err(invalid("a resource filter must set exactly one member"));
    }
    if let Some(org) = &resource.organization_id {
        return Ok(MemberScope::Org(org.clone()));
    }
    if let Some(project) = &resource.project_id {
        return Ok(MemberScope::Project(project.clone()));
    }
    if let Some(grant) = &resource.project_grant {
        let key = (grant.project_id.clone(), grant.organization_id.clone());
        return Ok(MemberScope::ProjectGrant(
            grants.get(&key).cloned().unwrap_or_default(),
        ));
    }
    Ok(MemberScope::Instance)
}

fn time_filter(filter: &TimestampFilter) -> Result<(Ordering, bool, Timestamp), DomainError> {
    let at = filter
        .timestamp
        .ok_or_else(|| invalid("a timestamp filter needs a timestamp"))?;
    let (ordering, or_equal) = match filter.method {
        TimestampFilterMethod::Equals => (Ordering::Equal, false),
        TimestampFilterMethod::After => (Ordering::Greater, false),
        TimestampFilterMethod::AfterOrEquals => (Ordering::Greater, true),
        TimestampFilterMethod::Before => (Ordering::Less, false),
        TimestampFilterMethod::BeforeOrEquals => (Ordering::Less, true),
    };
    Ok((ordering, or_equal, Timestamp(at.0)))
}

fn to_filter(
    filter: &AdministratorSearchFilter,
    grants: &Grants,
) -> Result<AdministratorFilter, DomainError> {
    let set = [
        filter.and.is_some(),
        filter.or.is_some(),
        filter.not.is_some(),
        filter.change_date.is_some(),
        filter.creation_date.is_some(),
        filter.in_user_ids_filter.is_some(),
        filter.resource.is_some(),
        filter.role.is_some(),
        filter.user_display_name.is_some(),
        filter.user_organization_id.is_some(),
        filter.user_preferred_login_name.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if set != 1 {
        return Err(invalid("a filter must set exactly one member"));
    }
    let all = |queries: &[AdministratorSearchFilter]| {
        queries
            .iter()
            .map(|q| to_filter(q, grants))
            .collect::<Result<Vec<_>, _>>()
    };
    if let Some(list) = &filter.and {
        return Ok(AdministratorFilter::And(all(&list.queries)?));
    }
    if let Some(list) = &filter.or {
        return Ok(AdministratorFilter::Or(all(&list.queries)?));
    }
    if let Some(not) = &filter.not {
        let query = not
            .query
            .as_ref()
            .ok_or_else(|| invalid("a not filter needs a query"))?;
        return Ok(AdministratorFilter::Not(Box::new(to_filter(
            query, grants,
        )?)));
    }
    if let Some(time) = &filter.change_date {
        let (ordering, eq, at) = time_filter(time)?;
        return Ok(AdministratorFilter::Changed(ordering, eq, at));
    }
    if let Some(time) = &filter.creation_date {
        let (ordering, eq, at) = time_filter(time)?;
        return Ok(AdministratorFilter::Created(ordering, eq, at));
    }
    if let Some(ids) = &filter.in_user_ids_filter {
        return Ok(AdministratorFilter::UserIds(ids.ids.clone()));
    }
    if let Some(resource) = &filter.resource {
        return Ok(AdministratorFilter::Resource(resource_scope(
            resource, grants,
        )?));
    }
    if let Some(role) = &filter.role {
        return Ok(AdministratorFilter::Role(role.role_key.trim().to_owned()));
    }
    Err(DomainError::new(
        ErrorKind::Unimplemented,
        "ADMIN-0021",
        "user name and user organization filters are not supported yet",
    ))
}

/// Whether the caller may see an administrator row.
fn visible(principal: &Principal, view: &AdministratorView) -> bool {
    if view.user_id == principal.user_id {
        return true;
    }
    match &view.scope {
        MemberScope::Instance => principal.has_instance_permission(IAM_MEMBER_READ),
        MemberScope::Org(org) => principal.allows(ORG_MEMBER_READ, &Target::org(org.clone())),
        MemberScope::Project(project) => principal.allows(
            PROJECT_MEMBER_READ,
            &Target {
                org_id: view.owner_org_id.clone(),
                project_id: Some(project.clone()),
                project_grant_id: None,
            },
        ),
        MemberScope::ProjectGrant(grant) => principal.allows(
            PROJECT_GRANT_MEMBER_READ,
            &Target {
                org_id: view.owner_org_id.clone(),
                project_id: Some(view.project_id.clone()),
                project_grant_id: Some(grant.clone()),
            },
        ),
    }
}

async fn to_wire(
    state: &AppState,
    caller: &Caller,
    view: AdministratorView,
) -> Result<Administrator, DomainError> {
    let store = state.store();
    let instance = caller.instance.id.as_str();
    let user = store
        .get(USERS, instance, &view.user_id)
        .await
        .map_err(read_error)?;
    let column = |name: &str| {
        user.as_ref()
            .and_then(|r| r.columns.get(name))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut admin = Administrator {
        creation_date: Some(timestamp(view.created)),
        change_date: Some(timestamp(view.changed)),
        user: User {
            id: view.user_id.clone(),
            preferred_login_name: column("username"),
            display_name: column("name"),
            organization_id: column("org_id"),
        },
        roles: view.roles,
        ..Administrator::default()
    };
    match view.scope {
        MemberScope::Instance => admin.instance = Some(true),
        MemberScope::Org(org_id) => {
            let name = get_org(store, instance, &org_id)
                .await
                .map_err(read_error)?
                .map(|o| o.name)
                .unwrap_or_default();
            admin.organization = Some(Organization { id: org_id, name });
        }
        MemberScope::Project(project_id) => {
            let name = project_name(store, instance, &project_id)
                .await
                .map_err(read_error)?;
            admin.project = Some(Project {
                id: project_id,
                name,
                organization_id: view.owner_org_id,
            });
        }
        MemberScope::ProjectGrant(grant_id) => {
            let organization_id = granted_org_of(store, instance, &view.project_id, &grant_id)
                .await
                .map_err(read_error)?
                .unwrap_or_default();
            admin.project_grant = Some(ProjectGrant {
                project_id: view.project_id,
                organization_id,
            });
        }
    }
    Ok(admin)
}

pub async fn list_administrators(
    state: AppState,
    caller: Caller,
    request: ListAdministratorsRequest,
) -> Result<ListAdministratorsResponse, DomainError> {
    let store = state.store();
    let instance = caller.instance.id.as_str();
    let mut named = Vec::new();
    for filter in &request.filters {
        collect_grants(filter, &mut named);
    }
    let mut grants = Grants::new();
    for (project_id, org_id) in named {
        let found = grant_to_org(store, instance, &project_id, &org_id)
            .await
            .map_err(read_error)?;
        grants.insert(
            (project_id, org_id),
            found.map(|g| g.id).unwrap_or_default(),
        );
    }
    let filters = request
        .filters
        .iter()
        .map(|f| to_filter(f, &grants))
        .collect::<Result<Vec<_>, _>>()?;
    let pagination = request.pagination.unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: pagination.asc,
    };
    let principal = &caller.principal;
    let page = query(store, instance, &filters, paging, |view| {
        visible(principal, view)
    })
    .await
    .map_err(read_error)?;
    let mut administrators = Vec::with_capacity(page.items.len());
    for view in page.items {
        administrators.push(to_wire(&state, &caller, view).await?);
    }
    Ok(ListAdministratorsResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
        administrators,
    })
}
