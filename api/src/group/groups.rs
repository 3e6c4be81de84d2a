//! CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup.

use castellan_core::DomainError;
use castellan_core::group::{self, Group as GroupState};
use castellan_core::permission::GROUP_READ;
use castellan_readers::queries::group::{self as queries, GroupFilter, GroupSort, GroupView};
use castellan_readers::queries::{Paging, TextMatch, applied_limit};
use castellan_writer::commands::group::{CreateGroup, OnGroup};
use castellan_writer::writer::Outcome;

use super::wire::{
    ChangeDateResponse, CreateGroupRequest, CreateGroupResponse, DeletionDateResponse,
    GetGroupResponse, Group, GroupFieldName, GroupIdRequest, ListGroupsRequest, ListGroupsResponse,
    UpdateGroupRequest,
};
use super::{execute_or_unchanged, group_org, visibility};
use crate::auth::Caller;
use crate::error::read_error;
use crate::project::one_filter;
use crate::proto::PaginationResponse;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id, require_org_exists, timestamp};

pub(super) fn to_wire(view: GroupView) -> Group {
    Group {
        id: view.id,
        name: view.name,
        description: view.description,
        organization_id: view.org_id,
        change_date: Some(timestamp(view.changed)),
        creation_date: Some(timestamp(view.created)),
    }
}

pub async fn create_group(
    state: AppState,
    caller: Caller,
    request: CreateGroupRequest,
) -> Result<CreateGroupResponse, DomainError> {
    let org_id = require_id(&request.organization_id, "organization_id")?;
    let group_id = match &request.id {
        Some(id) => require_id(id, "id")?,
        None => state.writer.next_id(),
    };
    require_org_exists(&state, &caller, &org_id).await?;
    let command = CreateGroup {
        group_id: group_id.clone(),
        org_id,
        name: request.name,
        description: request.description,
    };
    let committed = execute(&state, &caller, &command).await?;
    Ok(CreateGroupResponse {
        id: group_id,
        creation_date: committed_at(&committed),
    })
}

/// The group the access check found, read in its org.
async fn read_group(
    state: &AppState,
    caller: &Caller,
    group_id: &str,
) -> Result<GroupView, DomainError> {
    let org_id = group_org(caller)?;
    queries::get_group(state.store(), &caller.instance.id, &org_id, group_id)
        .await
        .map_err(read_error)?
        .ok_or_else(group::not_found)
}

pub async fn get_group(
    state: AppState,
    caller: Caller,
    request: GroupIdRequest,
) -> Result<GetGroupResponse, DomainError> {
    let group_id = require_id(&request.id, "id")?;
    let view = read_group(&state, &caller, &group_id).await?;
    Ok(GetGroupResponse {
        group: to_wire(view),
    })
}

pub async fn list_groups(
    state: AppState,
    caller: Caller,
    request: ListGroupsRequest,
) -> Result<ListGroupsResponse, DomainError> {
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.group_ids.is_some(),
                filter.name_filter.is_some(),
                filter.organization_id.is_some(),
            ],
            "a group filter must set exactly one filter",
        )?;
        if let Some(ids) = &filter.group_ids {
            filters.push(GroupFilter::Ids(ids.ids.clone()));
        }
        if let Some(name) = &filter.name_filter {
            filters.push(GroupFilter::Name(
                TextMatch::from(name.method),
                name.name.clone(),
            ));
        }
        if let Some(org) = &filter.organization_id {
            filters.push(GroupFilter::Org(org.id.trim().to_owned()));
        }
    }
    let sort = match request.sorting_column {
        GroupFieldName::Unspecified | GroupFieldName::Id => GroupSort::Id,
        GroupFieldName::Name => GroupSort::Name,
        GroupFieldName::CreationDate => GroupSort::Created,
        GroupFieldName::ChangeDate => GroupSort::Changed,
    };
    let pagination = request.pagination.clone().unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: pagination.asc || request.sorting_column == GroupFieldName::Unspecified,
    };
    let page = queries::list_groups(
        state.store(),
        &caller.instance.id,
        &filters,
        &visibility(&caller, GROUP_READ),
        sort,
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListGroupsResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
        groups: page.items.into_iter().map(to_wire).collect(),
    })
}

/// UpdateGroup: nothing to change is a success (ZITADEL answers the current change date).
pub async fn update_group(
    state: AppState,
    caller: Caller,
    request: UpdateGroupRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let group_id = require_id(&request.id, "id")?;
    let decide = |current: &GroupState| {
        group::change(
            current,
            request.name.as_deref(),
            request.description.as_deref(),
        )
    };
    let change_date =
        match execute_or_unchanged(&state, &caller, &OnGroup::new(&group_id, decide)).await? {
            Outcome::Committed(committed) => committed_at(&committed),
            Outcome::Unchanged(()) => Some(timestamp(
                read_group(&state, &caller, &group_id).await?.changed,
            )),
        };
    Ok(ChangeDateResponse { change_date })
}

pub async fn delete_group(
    state: AppState,
    caller: Caller,
    request: GroupIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let group_id = require_id(&request.id, "id")?;
    let committed = execute(&state, &caller, &OnGroup::new(&group_id, group::remove)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}
