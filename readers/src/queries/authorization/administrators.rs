//! Administrators (members) listed by scope: [`ADMINISTRATORS`], partition the instance,
//! clustering the scope's [`MemberScope::clustering`] then the user id, so one scope's
//! administrators are one contiguous range.

use std::cmp::Ordering;
use std::collections::VecDeque;

use castellan_core::clock::Timestamp;

use super::super::{Page, Paging, SCAN_PAGE, applied_limit, int, text};
use super::strings;
use crate::queries::identity::MemberScope;
use crate::store::{Columns, ReadError, ReadStore, key};

/// partition: instance id · clustering: (scope clustering, user id).
pub const ADMINISTRATORS: &str = "administrators";

/// The clustering key of a member's row in [`ADMINISTRATORS`].
pub fn list_clustering(scope: &MemberScope, user_id: &str) -> String {
    key(&[&scope.clustering(), user_id])
}

#[derive(Clone, Debug, PartialEq)]
pub struct AdministratorView {
    pub user_id: String,
    pub roles: Vec<String>,
    pub scope: MemberScope,
    /// The org owning the scope: the org itself, or the project's owner.
    pub owner_org_id: String,
    /// The project of a project or project-grant scope.
    pub project_id: String,
    pub created: Timestamp,
    pub changed: Timestamp,
}

fn to_view(columns: &Columns) -> AdministratorView {
    let id = text(columns, "scope_id");
    let scope = match text(columns, "scope").as_str() {
        "org" => MemberScope::Org(id),
        "project" => MemberScope::Project(id),
        "project_grant" => MemberScope::ProjectGrant(id),
        _ => MemberScope::Instance,
    };
    AdministratorView {
        user_id: text(columns, "user_id"),
        roles: strings(columns, "roles"),
        scope,
        owner_org_id: text(columns, "owner_org_id"),
        project_id: text(columns, "project_id"),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
    }
}

/// A member's row in one scope, if the user is a member there.
pub async fn get_administrator(
    store: &dyn ReadStore,
    instance_id: &str,
    scope: &MemberScope,
    user_id: &str,
) -> Result<Option<AdministratorView>, ReadError> {
    Ok(store
        .get(
            ADMINISTRATORS,
            instance_id,
            &list_clustering(scope, user_id),
        )
        .await?
        .map(|row| to_view(&row.columns)))
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdministratorFilter {
    Resource(MemberScope),
    UserIds(Vec<String>),
    Role(String),
    /// Creation time compared with the given one (`Less`: before, `Equal`, `Greater`: after;
    /// the bool adds equality to a strict comparison).
    Created(Ordering, bool, Timestamp),
    Changed(Ordering, bool, Timestamp),
    And(Vec<AdministratorFilter>),
    Or(Vec<AdministratorFilter>),
    Not(Box<AdministratorFilter>),
}

fn compare(value: Timestamp, ordering: Ordering, or_equal: bool, at: Timestamp) -> bool {
    let found = value.0.cmp(&at.0);
    found == ordering || (or_equal && found == Ordering::Equal)
}

impl AdministratorFilter {
    pub fn keeps(&self, view: &AdministratorView) -> bool {
        match self {
            Self::Resource(scope) => &view.scope == scope,
            Self::UserIds(ids) => ids.contains(&view.user_id),
            Self::Role(role) => view.roles.contains(role),
            Self::Created(ordering, eq, at) => compare(view.created, *ordering, *eq, *at),
            Self::Changed(ordering, eq, at) => compare(view.changed, *ordering, *eq, *at),
            Self::And(all) => all.iter().all(|f| f.keeps(view)),
            Self::Or(any) => any.iter().any(|f| f.keeps(view)),
            Self::Not(filter) => !filter.keeps(view),
        }
    }
}

/// Administrators matching every filter that `visible` lets the caller see, paged in (scope,
/// user) order. A top-level resource filter reads only that scope's range.
pub async fn list_administrators(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[AdministratorFilter],
    paging: Paging,
    visible: impl Fn(&AdministratorView) -> bool,
) -> Result<Page<AdministratorView>, ReadError> {
    let range = filters.iter().find_map(|f| match f {
        AdministratorFilter::Resource(scope) => Some(scope.clustering()),
        _ => None,
    });
    let prefix = range.as_ref().map(|scope| key(&[scope, ""]));
    let mut after: Option<String> = range.filter(|scope| !scope.is_empty());
    let limit = applied_limit(paging) as usize;
    let offset = usize::try_from(paging.offset).unwrap_or(usize::MAX);
    let window = offset.saturating_add(limit);
    let mut kept: VecDeque<AdministratorView> = VecDeque::new();
    let mut total: u64 = 0;
    'pages: loop {
        let page = store
            .scan_page(ADMINISTRATORS, instance_id, after.as_deref(), SCAN_PAGE)
            .await?;
        for row in &page.rows {
            if let Some(prefix) = &prefix {
                if row.clustering.as_str() < prefix.as_str() {
                    continue;
                }
                if !row.clustering.starts_with(prefix.as_str()) {
                    break 'pages;
                }
            }
            let view = to_view(&row.columns);
            if !filters.iter().all(|f| f.keeps(&view)) || !visible(&view) {
                continue;
            }
            let index = usize::try_from(total).unwrap_or(usize::MAX);
            total += 1;
            if paging.asc {
                if index >= offset && index < window {
                    kept.push_back(view);
                }
            } else {
                kept.push_back(view);
                if kept.len() > window {
                    kept.pop_front();
                }
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let items = if paging.asc {
        kept.into_iter().collect()
    } else {
        kept.into_iter().rev().skip(offset).take(limit).collect()
    };
    Ok(Page { items, total })
}
