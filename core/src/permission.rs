//! Roles and the permissions they grant, after ZITADEL's `InternalAuthZ.RolePermissionMappings`
//! (the subset the implemented API needs; more arrive with each service).
//!
//! Instance roles (`IAM_*`) grant their permissions on every org of the instance; org roles
//! (`ORG_*`) only on the org that granted them.

use std::collections::BTreeMap;

pub const IAM_OWNER: &str = "IAM_OWNER";
pub const IAM_OWNER_VIEWER: &str = "IAM_OWNER_VIEWER";
pub const IAM_ORG_MANAGER: &str = "IAM_ORG_MANAGER";
pub const ORG_OWNER: &str = "ORG_OWNER";
pub const ORG_OWNER_VIEWER: &str = "ORG_OWNER_VIEWER";

pub const ORG_CREATE: &str = "org.create";
pub const ORG_READ: &str = "org.read";
pub const ORG_WRITE: &str = "org.write";
pub const ORG_DELETE: &str = "org.delete";
pub const IAM_READ: &str = "iam.read";
pub const IAM_WRITE: &str = "iam.write";
pub const EVENTS_READ: &str = "events.read";

/// Every role a member can hold today.
pub const KNOWN_INSTANCE_ROLES: &[&str] = &[IAM_OWNER, IAM_OWNER_VIEWER, IAM_ORG_MANAGER];
pub const KNOWN_ORG_ROLES: &[&str] = &[ORG_OWNER, ORG_OWNER_VIEWER];

/// The permissions a role grants.
pub fn permissions_of(role: &str) -> &'static [&'static str] {
    match role {
        IAM_OWNER => &[
            IAM_READ,
            IAM_WRITE,
            EVENTS_READ,
            ORG_CREATE,
            ORG_READ,
            ORG_WRITE,
            ORG_DELETE,
        ],
        IAM_OWNER_VIEWER => &[IAM_READ, EVENTS_READ, ORG_READ],
        IAM_ORG_MANAGER => &[ORG_CREATE, ORG_READ, ORG_WRITE, ORG_DELETE],
        ORG_OWNER => &[ORG_READ, ORG_WRITE, ORG_DELETE],
        ORG_OWNER_VIEWER => &[ORG_READ],
        _ => &[],
    }
}

/// Who is calling, and which roles they hold where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principal {
    pub instance_id: String,
    pub user_id: String,
    /// The org the user belongs to.
    pub org_id: String,
    pub instance_roles: Vec<String>,
    /// org id → roles held on that org.
    pub org_roles: BTreeMap<String, Vec<String>>,
}

impl Principal {
    /// Whether the principal holds `permission` instance-wide.
    pub fn has_instance_permission(&self, permission: &str) -> bool {
        self.instance_roles
            .iter()
            .any(|role| permissions_of(role).contains(&permission))
    }

    /// Whether the principal holds `permission` on `org_id` (directly or instance-wide).
    pub fn has_org_permission(&self, permission: &str, org_id: &str) -> bool {
        self.has_instance_permission(permission)
            || self.org_roles.get(org_id).is_some_and(|roles| {
                roles
                    .iter()
                    .any(|r| permissions_of(r).contains(&permission))
            })
    }

    /// The orgs on which the principal holds `permission` through an org role.
    pub fn orgs_with_permission(&self, permission: &str) -> Vec<String> {
        self.org_roles
            .iter()
            .filter(|(_, roles)| {
                roles
                    .iter()
                    .any(|r| permissions_of(r).contains(&permission))
            })
            .map(|(org, _)| org.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_roles_reach_every_org_and_org_roles_only_their_own() {
        let owner = Principal {
            instance_roles: vec![IAM_OWNER.into()],
            ..Principal::default()
        };
        assert!(owner.has_org_permission(ORG_DELETE, "any"));
        let mut org_owner = Principal::default();
        org_owner
            .org_roles
            .insert("a".into(), vec![ORG_OWNER.into()]);
        assert!(org_owner.has_org_permission(ORG_WRITE, "a"));
        assert!(!org_owner.has_org_permission(ORG_WRITE, "b"));
        assert!(!org_owner.has_instance_permission(ORG_CREATE));
        assert_eq!(
            org_owner.orgs_with_permission(ORG_READ),
            vec!["a".to_owned()]
        );
        let viewer = Principal {
            instance_roles: vec![IAM_OWNER_VIEWER.into()],
            ..Principal::default()
        };
        assert!(viewer.has_org_permission(ORG_READ, "x"));
        assert!(!viewer.has_org_permission(ORG_WRITE, "x"));
    }
}
