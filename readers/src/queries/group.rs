//! Queries on groups and their members. Every query is scoped to an instance, and those about
//! one group to its org too. A membership counts while both of its rows exist: the member row
//! under the group and the group row under the user (deleted with the user).

use castellan_core::clock::Timestamp;

use super::{Page, Paging, SortedWindow, TextMatch, Window, int, text, walk};
use crate::store::{Columns, ReadError, ReadStore, Row, key};
use crate::tables::{GROUP_MEMBERS, GROUP_NAMES, GROUPS, GROUPS_BY_ORG, GROUPS_BY_USER};

#[derive(Clone, Debug, PartialEq)]
pub struct GroupView {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub description: String,
    /// The id a provisioning client knows the group by; empty when none.
    pub external_id: String,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
}

fn group_view(columns: &Columns) -> GroupView {
    GroupView {
        id: text(columns, "id"),
        org_id: text(columns, "org_id"),
        name: text(columns, "name"),
        description: text(columns, "description"),
        external_id: text(columns, "external_id"),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
        sequence: int(columns, "sequence"),
    }
}

/// The group `group_id` of org `org_id`; `None` when it does not exist there.
pub async fn get_group(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
    group_id: &str,
) -> Result<Option<GroupView>, ReadError> {
    Ok(store
        .get(GROUPS_BY_ORG, &key(&[instance_id, org_id]), group_id)
        .await?
        .map(|row| group_view(&row.columns)))
}

/// The group named `name` (case-insensitively) in org `org_id` (SCIM's displayName lookups).
pub async fn find_group_by_name(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
    name: &str,
) -> Result<Option<GroupView>, ReadError> {
    let partition = key(&[instance_id, org_id]);
    let Some(row) = store
        .get(GROUP_NAMES, &partition, &name.trim().to_lowercase())
        .await?
    else {
        return Ok(None);
    };
    get_group(store, instance_id, org_id, &text(&row.columns, "id")).await
}

#[derive(Clone, Debug, PartialEq)]
pub enum GroupFilter {
    Name(TextMatch, String),
    Ids(Vec<String>),
    Org(String),
}

/// Which orgs' groups a caller may see.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum OrgVisibility {
    #[default]
    All,
    Only(Vec<String>),
}

impl OrgVisibility {
    pub fn sees(&self, org_id: &str) -> bool {
        match self {
            OrgVisibility::All => true,
            OrgVisibility::Only(orgs) => orgs.iter().any(|o| o == org_id),
        }
    }
}

/// The order of a group list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupSort {
    /// Id order: creation order for generated ids.
    #[default]
    Id,
    /// Name order, case-insensitive.
    Name,
    Created,
    Changed,
}

fn group_matches(filters: &[GroupFilter], visibility: &OrgVisibility, group: &GroupView) -> bool {
    visibility.sees(&group.org_id)
        && filters.iter().all(|filter| match filter {
            GroupFilter::Name(method, pattern) => method.matches(&group.name, pattern),
            GroupFilter::Ids(ids) => ids.iter().any(|id| id == &group.id),
            GroupFilter::Org(org) => org == &group.org_id,
        })
}

/// Calls `each` on every row of a partition, page by page.
async fn for_each_row(
    store: &dyn ReadStore,
    table: &str,
    partition: &str,
    mut each: impl FnMut(&Row),
) -> Result<(), ReadError> {
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(table, partition, after.as_deref(), super::SCAN_PAGE)
            .await?;
        for row in &page.rows {
            each(row);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}

/// Groups filtered and narrowed to the visible orgs. With an org filter only that org's
/// partition is read.
pub async fn list_groups(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[GroupFilter],
    visibility: &OrgVisibility,
    sort: GroupSort,
    paging: Paging,
) -> Result<Page<GroupView>, ReadError> {
    let org = filters.iter().find_map(|filter| match filter {
        GroupFilter::Org(org) => Some(org.clone()),
        _ => None,
    });
    let (table, partition) = match &org {
        Some(org) => (GROUPS_BY_ORG, key(&[instance_id, org])),
        None => (GROUPS, instance_id.to_owned()),
    };
    if sort == GroupSort::Id {
        return walk(store, table, &partition, paging, |row| {
            let group = group_view(&row.columns);
            Ok(group_matches(filters, visibility, &group).then_some(group))
        })
        .await;
    }
    let mut window = SortedWindow::new(paging);
    for_each_row(store, table, &partition, |row| {
        let group = group_view(&row.columns);
        if group_matches(filters, visibility, &group) {
            match sort {
                GroupSort::Name => window.offer((group.name.to_lowercase(), 0), group),
                GroupSort::Created => window.offer((String::new(), group.created.0), group),
                GroupSort::Changed | GroupSort::Id => {
                    window.offer((String::new(), group.changed.0), group)
                }
            }
        }
    })
    .await?;
    Ok(window.finish())
}

/// One membership.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    pub group_id: String,
    pub org_id: String,
    pub user_id: String,
    /// When the user joined.
    pub created: Timestamp,
}

async fn is_member(
    store: &dyn ReadStore,
    instance_id: &str,
    group_id: &str,
    user_id: &str,
) -> Result<bool, ReadError> {
    Ok(store
        .get(GROUPS_BY_USER, &key(&[instance_id, user_id]), group_id)
        .await?
        .is_some())
}

/// The members of a group (in user-id order), without removed users.
pub async fn list_group_members(
    store: &dyn ReadStore,
    instance_id: &str,
    group_id: &str,
    paging: Paging,
) -> Result<Page<MemberView>, ReadError> {
    let mut window = Window::new(paging);
    collect_members(store, instance_id, group_id, &[], &mut |m| window.offer(m)).await?;
    Ok(window.finish())
}

/// Offers the current members of `group_id` (those in `users`, when it is not empty).
async fn collect_members(
    store: &dyn ReadStore,
    instance_id: &str,
    group_id: &str,
    users: &[String],
    offer: &mut (dyn FnMut(MemberView) + Send),
) -> Result<(), ReadError> {
    let partition = key(&[instance_id, group_id]);
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(
                GROUP_MEMBERS,
                &partition,
                after.as_deref(),
                super::SCAN_PAGE,
            )
            .await?;
        for row in &page.rows {
            let user_id = row.clustering.clone();
            if !users.is_empty() && !users.contains(&user_id) {
                continue;
            }
            if is_member(store, instance_id, group_id, &user_id).await? {
                offer(MemberView {
                    group_id: group_id.to_owned(),
                    org_id: text(&row.columns, "org_id"),
                    user_id,
                    created: Timestamp(int(&row.columns, "created")),
                });
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(()),
        }
    }
}

/// The memberships of a user (in group-id order); the OIDC `groups` claim reads these.
pub async fn memberships_of_user(
    store: &dyn ReadStore,
    instance_id: &str,
    user_id: &str,
) -> Result<Vec<MemberView>, ReadError> {
    let mut found = Vec::new();
    let partition = key(&[instance_id, user_id]);
    for_each_row(store, GROUPS_BY_USER, &partition, |row| {
        found.push(MemberView {
            group_id: row.clustering.clone(),
            org_id: text(&row.columns, "org_id"),
            user_id: user_id.to_owned(),
            created: Timestamp(int(&row.columns, "created")),
        });
    })
    .await?;
    Ok(found)
}

/// The groups a user belongs to, in group-id order.
pub async fn groups_of_user(
    store: &dyn ReadStore,
    instance_id: &str,
    user_id: &str,
) -> Result<Vec<GroupView>, ReadError> {
    let mut groups = Vec::new();
    for membership in memberships_of_user(store, instance_id, user_id).await? {
        if let Some(group) =
            get_group(store, instance_id, &membership.org_id, &membership.group_id).await?
        {
            groups.push(group);
        }
    }
    Ok(groups)
}

/// Memberships filtered by group ids and user ids (either may be empty: no restriction),
/// narrowed to visible orgs, in (group id, user id) order.
pub async fn list_memberships(
    store: &dyn ReadStore,
    instance_id: &str,
    group_ids: &[String],
    user_ids: &[String],
    visibility: &OrgVisibility,
    paging: Paging,
) -> Result<Page<MemberView>, ReadError> {
    let mut window = SortedWindow::new(paging);
    let mut offer = |m: MemberView| {
        if visibility.sees(&m.org_id) {
            window.offer((m.group_id.clone(), m.user_id.clone()), m);
        }
    };
    if group_ids.is_empty() && !user_ids.is_empty() {
        for user_id in user_ids {
            for membership in memberships_of_user(store, instance_id, user_id).await? {
                offer(membership);
            }
        }
        return Ok(window.finish());
    }
    let groups = if group_ids.is_empty() {
        let mut all = Vec::new();
        for_each_row(store, GROUPS, instance_id, |row| {
            all.push(row.clustering.clone());
        })
        .await?;
        all
    } else {
        group_ids.to_vec()
    };
    for group_id in &groups {
        collect_members(store, instance_id, group_id, user_ids, &mut offer).await?;
    }
    Ok(window.finish())
}
