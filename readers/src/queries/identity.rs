//! Finding the instance (by the request's host) and the caller (by bearer token).

use castellan_core::clock::Timestamp;
use castellan_core::permission::Principal;

use super::{corrupt, text};
use crate::store::{ReadError, ReadStore, key};
use crate::tables::{INSTANCE_DOMAINS, INSTANCES, MEMBERS, PERSONAL_ACCESS_TOKENS, USERS};

#[derive(Clone, Debug, PartialEq)]
pub struct InstanceView {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub default_org_id: String,
}

/// The instance serving `domain` (a host name without port), if any.
pub async fn instance_by_domain(
    store: &dyn ReadStore,
    domain: &str,
) -> Result<Option<InstanceView>, ReadError> {
    let Some(row) = store
        .get(INSTANCE_DOMAINS, &domain.to_ascii_lowercase(), "")
        .await?
    else {
        return Ok(None);
    };
    let instance_id = text(&row.columns, "instance_id");
    let Some(instance) = store.get(INSTANCES, &instance_id, "").await? else {
        return Err(corrupt("the instance of a domain"));
    };
    Ok(Some(InstanceView {
        id: instance_id,
        name: text(&instance.columns, "name"),
        domain: text(&instance.columns, "domain"),
        default_org_id: text(&instance.columns, "default_org_id"),
    }))
}

/// Where a membership row's roles are held; the row's clustering key in [`MEMBERS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberScope {
    Instance,
    Org(String),
    Project(String),
    ProjectGrant(String),
}

impl MemberScope {
    const PROJECT: &'static str = "project";
    const GRANT: &'static str = "grant";

    /// The clustering key of the scope: "" for the instance, the org id for an org, and
    /// `project␟<id>` / `grant␟<id>` for projects and grants (ids never contain control
    /// characters, so the forms cannot collide).
    pub fn clustering(&self) -> String {
        match self {
            Self::Instance => String::new(),
            Self::Org(id) => id.clone(),
            Self::Project(id) => key(&[Self::PROJECT, id]),
            Self::ProjectGrant(id) => key(&[Self::GRANT, id]),
        }
    }

    pub fn parse(clustering: &str) -> Self {
        if clustering.is_empty() {
            return Self::Instance;
        }
        match clustering.split_once('\u{1f}') {
            Some((Self::PROJECT, id)) => Self::Project(id.to_owned()),
            Some((Self::GRANT, id)) => Self::ProjectGrant(id.to_owned()),
            _ => Self::Org(clustering.to_owned()),
        }
    }
}

/// The caller behind a personal access token (by its hash), if the token exists in this
/// instance and has not expired, and its user is neither deactivated nor locked. A token of
/// another instance is treated as unknown.
pub async fn principal_by_token(
    store: &dyn ReadStore,
    instance_id: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<Principal>, ReadError> {
    let Some(token) = store.get(PERSONAL_ACCESS_TOKENS, token_hash, "").await? else {
        return Ok(None);
    };
    if text(&token.columns, "instance_id") != instance_id {
        return Ok(None);
    }
    let expiration = token
        .columns
        .get("expiration")
        .and_then(serde_json::Value::as_i64);
    if expiration.is_some_and(|at| at <= now.0) {
        return Ok(None);
    }
    let user_id = text(&token.columns, "user_id");
    let active = store
        .get(USERS, instance_id, &user_id)
        .await?
        .and_then(|user| {
            user.columns
                .get("active")
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(true);
    if !active {
        return Ok(None);
    }
    let org_id = text(&token.columns, "org_id");
    principal_of(store, instance_id, &user_id, &org_id)
        .await
        .map(Some)
}

/// The roles a user holds on the instance, orgs, projects and project grants.
pub async fn principal_of(
    store: &dyn ReadStore,
    instance_id: &str,
    user_id: &str,
    org_id: &str,
) -> Result<Principal, ReadError> {
    let mut principal = Principal {
        instance_id: instance_id.to_owned(),
        user_id: user_id.to_owned(),
        org_id: org_id.to_owned(),
        ..Principal::default()
    };
    for row in store.scan(MEMBERS, &key(&[instance_id, user_id])).await? {
        let roles: Vec<String> = row
            .columns
            .get("roles")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        match MemberScope::parse(&row.clustering) {
            MemberScope::Instance => principal.instance_roles = roles,
            MemberScope::Org(org) => {
                principal.org_roles.insert(org, roles);
            }
            MemberScope::Project(project) => {
                principal.project_roles.insert(project, roles);
            }
            MemberScope::ProjectGrant(grant) => {
                principal.project_grant_roles.insert(grant, roles);
            }
        }
    }
    Ok(principal)
}
