//! AddUsersToGroup, RemoveUsersFromGroup, ListGroupUsers.

use castellan_core::DomainError;
use castellan_core::group::{self, Group as GroupState};
use castellan_core::permission::GROUP_USER_READ;
use castellan_readers::queries::group::{self as queries, MemberView};
use castellan_readers::queries::user::get_user;
use castellan_readers::queries::{Paging, applied_limit};
use castellan_writer::commands::group::{AddGroupUsers, OnGroup};
use castellan_writer::writer::Outcome;

use super::wire::{
    AddUsersToGroupResponse, ChangeDateResponse, GroupMemberUser, GroupUser, GroupUsersRequest,
    ListGroupUsersRequest, ListGroupUsersResponse,
};
use super::{execute_or_unchanged, group_org, visibility};
use crate::auth::Caller;
use crate::error::read_error;
use crate::project::one_filter;
use crate::proto::PaginationResponse;
use crate::state::AppState;
use crate::support::{committed_at, require_id, timestamp};

fn user_ids(ids: &[String]) -> Result<Vec<String>, DomainError> {
    ids.iter().map(|id| require_id(id, "user_ids")).collect()
}

/// The group's change date for calls that found nothing to change.
async fn current_change_date(
    state: &AppState,
    caller: &Caller,
    group_id: &str,
) -> Result<Option<crate::proto::ProtoTimestamp>, DomainError> {
    let org_id = group_org(caller)?;
    let view = queries::get_group(state.store(), &caller.instance.id, &org_id, group_id)
        .await
        .map_err(read_error)?
        .ok_or_else(group::not_found)?;
    Ok(Some(timestamp(view.changed)))
}

/// Users of the group's org join (members already in are fine); the others are answered in
/// `failedUserIds`, and the call still succeeds, as in ZITADEL.
pub async fn add_users(
    state: AppState,
    caller: Caller,
    request: GroupUsersRequest,
) -> Result<AddUsersToGroupResponse, DomainError> {
    let group_id = require_id(&request.id, "id")?;
    let command = AddGroupUsers {
        group_id: group_id.clone(),
        user_ids: user_ids(&request.user_ids)?,
    };
    let (failed_user_ids, change_date) =
        match execute_or_unchanged(&state, &caller, &command).await? {
            Outcome::Committed(committed) => {
                let at = committed_at(&committed);
                (committed.output, at)
            }
            Outcome::Unchanged(failed) => (
                failed,
                current_change_date(&state, &caller, &group_id).await?,
            ),
        };
    Ok(AddUsersToGroupResponse {
        failed_user_ids,
        change_date,
    })
}

/// Members among the ids leave; ids of non-members are ignored.
pub async fn remove_users(
    state: AppState,
    caller: Caller,
    request: GroupUsersRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let group_id = require_id(&request.id, "id")?;
    let ids = user_ids(&request.user_ids)?;
    let decide = |current: &GroupState| group::remove_users(current, &ids);
    let change_date =
        match execute_or_unchanged(&state, &caller, &OnGroup::new(&group_id, decide)).await? {
            Outcome::Committed(committed) => committed_at(&committed),
            Outcome::Unchanged(()) => current_change_date(&state, &caller, &group_id).await?,
        };
    Ok(ChangeDateResponse { change_date })
}

async fn to_wire(
    state: &AppState,
    instance_id: &str,
    member: MemberView,
) -> Result<GroupUser, DomainError> {
    let user = get_user(state.store(), instance_id, &member.user_id)
        .await
        .map_err(read_error)?;
    let (preferred_login_name, display_name) = user
        .map(|u| {
            let display = if u.display_name.is_empty() {
                u.name
            } else {
                u.display_name
            };
            (u.login_name, display)
        })
        .unwrap_or_default();
    Ok(GroupUser {
        group_id: member.group_id,
        organization_id: member.org_id.clone(),
        user: GroupMemberUser {
            id: member.user_id,
            preferred_login_name,
            display_name,
            organization_id: member.org_id,
        },
        creation_date: Some(timestamp(member.created)),
    })
}

pub async fn list_group_users(
    state: AppState,
    caller: Caller,
    request: ListGroupUsersRequest,
) -> Result<ListGroupUsersResponse, DomainError> {
    let mut group_ids: Vec<String> = Vec::new();
    let mut users: Vec<String> = Vec::new();
    for filter in &request.filters {
        one_filter(
            &[filter.group_ids.is_some(), filter.user_ids.is_some()],
            "a group user filter must set exactly one filter",
        )?;
        if let Some(ids) = &filter.group_ids {
            group_ids.extend(ids.ids.iter().map(|id| id.trim().to_owned()));
        }
        if let Some(ids) = &filter.user_ids {
            users.extend(ids.ids.iter().map(|id| id.trim().to_owned()));
        }
    }
    let pagination = request.pagination.clone().unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: true,
    };
    let instance_id = caller.instance.id.as_str();
    let page = queries::list_memberships(
        state.store(),
        instance_id,
        &group_ids,
        &users,
        &visibility(&caller, GROUP_USER_READ),
        paging,
    )
    .await
    .map_err(read_error)?;
    let mut group_users = Vec::with_capacity(page.items.len());
    for member in page.items {
        group_users.push(to_wire(&state, instance_id, member).await?);
    }
    Ok(ListGroupUsersResponse {
        group_users,
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(applied_limit(paging)),
        },
    })
}
