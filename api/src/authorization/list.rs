//! ListAuthorizations: the caller's own authorizations, and those granted by orgs (or on
//! projects and grants) where the caller holds `user.grant.read`.

use castellan_core::permission::{Target, USER_GRANT_READ};
use castellan_core::{DomainError, ErrorKind};
use castellan_readers::queries::authorization::{
    AuthorizationFilter, AuthorizationView, PROJECT_ROLES, list_authorizations as query,
    project_name,
};
use castellan_readers::queries::org::get_org;
use castellan_readers::queries::{Paging, TextMatch, applied_limit};
use castellan_readers::store::key;
use castellan_readers::tables::USERS;

use super::wire::{
    Authorization, AuthorizationsSearchFilter, ListAuthorizationsRequest,
    ListAuthorizationsResponse, Organization, Project, Role, State, User,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::PaginationResponse;
use crate::state::AppState;
use crate::support::timestamp;

fn unsupported(what: &str) -> DomainError {
    DomainError::new(
        ErrorKind::Unimplemented,
        "AUTHZ-0120",
        format!("the {what} filter is not supported yet"),
    )
}

fn to_filter(filter: &AuthorizationsSearchFilter) -> Result<AuthorizationFilter, DomainError> {
    let set = [
        filter.authorization_ids.is_some(),
        filter.in_user_ids.is_some(),
        filter.organization_id.is_some(),
        filter.project_grant_id.is_some(),
        filter.project_id.is_some(),
        filter.project_name.is_some(),
        filter.role_key.is_some(),
        filter.state.is_some(),
        filter.user_display_name.is_some(),
        filter.user_organization_id.is_some(),
        filter.user_preferred_login_name.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if set != 1 {
        return Err(DomainError::invalid(
            "AUTHZ-0121",
            "a filter must set exactly one member",
        ));
    }
    if let Some(ids) = &filter.authorization_ids {
        return Ok(AuthorizationFilter::Ids(ids.ids.clone()));
    }
    if let Some(ids) = &filter.in_user_ids {
        return Ok(AuthorizationFilter::UserIds(ids.ids.clone()));
    }
    if let Some(id) = &filter.organization_id {
        return Ok(AuthorizationFilter::OrgId(id.id.clone()));
    }
    if let Some(id) = &filter.project_grant_id {
        return Ok(AuthorizationFilter::ProjectGrantId(id.id.clone()));
    }
    if let Some(id) = &filter.project_id {
        return Ok(AuthorizationFilter::ProjectId(id.id.clone()));
    }
    if let Some(role) = &filter.role_key {
        return Ok(AuthorizationFilter::RoleKey(
            TextMatch::from(role.method),
            role.key.clone(),
        ));
    }
    if let Some(state) = &filter.state {
        return match state.state {
            State::Active => Ok(AuthorizationFilter::Active(true)),
            State::Inactive => Ok(AuthorizationFilter::Active(false)),
            State::Unspecified => Err(DomainError::invalid(
                "AUTHZ-0122",
                "the state filter needs a state",
            )),
        };
    }
    if filter.project_name.is_some() {
        return Err(unsupported("project_name"));
    }
    if filter.user_display_name.is_some() {
        return Err(unsupported("user_display_name"));
    }
    if filter.user_organization_id.is_some() {
        return Err(unsupported("user_organization_id"));
    }
    Err(unsupported("user_preferred_login_name"))
}

async fn to_wire(
    state: &AppState,
    caller: &Caller,
    view: AuthorizationView,
) -> Result<Authorization, DomainError> {
    let store = state.store();
    let instance = caller.instance.id.as_str();
    let org_name = get_org(store, instance, &view.org_id)
        .await
        .map_err(read_error)?
        .map(|org| org.name)
        .unwrap_or_default();
    let user = store
        .get(USERS, instance, &view.user_id)
        .await
        .map_err(read_error)?;
    let column = |row: &Option<castellan_readers::store::Row>, name: &str| {
        row.as_ref()
            .and_then(|r| r.columns.get(name))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut roles = Vec::with_capacity(view.role_keys.len());
    for role_key in &view.role_keys {
        let role = store
            .get(PROJECT_ROLES, &key(&[instance, &view.project_id]), role_key)
            .await
            .map_err(read_error)?;
        roles.push(Role {
            key: role_key.clone(),
            display_name: column(&role, "display_name"),
            group: column(&role, "group"),
        });
    }
    let project_owner = castellan_readers::queries::owner::owner_of(
        store,
        instance,
        castellan_readers::queries::owner::PROJECT,
        &view.project_id,
    )
    .await
    .map_err(read_error)?
    .map(|t| t.org_id)
    .unwrap_or_default();
    let project_name = project_name(store, instance, &view.project_id)
        .await
        .map_err(read_error)?;
    Ok(Authorization {
        id: view.id,
        creation_date: Some(timestamp(view.created)),
        change_date: Some(timestamp(view.changed)),
        project: Project {
            id: view.project_id,
            name: project_name,
            organization_id: project_owner,
        },
        organization: Organization {
            id: view.org_id,
            name: org_name,
        },
        user: User {
            id: view.user_id,
            preferred_login_name: column(&user, "username"),
            display_name: column(&user, "name"),
            organization_id: column(&user, "org_id"),
        },
        state: if view.active {
            State::Active
        } else {
            State::Inactive
        },
        roles,
    })
}

pub async fn list_authorizations(
    state: AppState,
    caller: Caller,
    request: ListAuthorizationsRequest,
) -> Result<ListAuthorizationsResponse, DomainError> {
    let filters = request
        .filters
        .iter()
        .map(to_filter)
        .collect::<Result<Vec<_>, _>>()?;
    let pagination = request.pagination.unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: pagination.asc,
    };
    let principal = &caller.principal;
    let visible = |view: &AuthorizationView| {
        view.user_id == principal.user_id
            || principal.allows(
                USER_GRANT_READ,
                &Target {
                    org_id: view.org_id.clone(),
                    project_id: Some(view.project_id.clone()),
                    project_grant_id: view.project_grant_id.clone(),
                },
            )
    };
    let page = query(
        state.store(),
        &caller.instance.id,
        &filters,
        paging,
        visible,
    )
    .await
    .map_err(read_error)?;
    let mut authorizations = Vec::with_capacity(page.items.len());
    for view in page.items {
        authorizations.push(to_wire(&state, &caller, view).await?);
    }
    Ok(ListAuthorizationsResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
        authorizations,
    })
}
