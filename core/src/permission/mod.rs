//! Roles and the permissions they grant, after ZITADEL's `InternalAuthZ.RolePermissionMappings`
//! (the table is in [`roles`]).
//!
//! A member holds roles on a scope: the instance (`IAM_*`), an org (`ORG_*`), a project
//! (`PROJECT_*`) or a project grant (`PROJECT_GRANT_*`). A permission held through an instance
//! role reaches every resource of the instance; through an org role, the resources that org owns;
//! through a project role, that project and what hangs off it; through a grant role, that grant.

mod roles;

use std::collections::BTreeMap;

pub const IAM_OWNER: &str = "IAM_OWNER";
pub const IAM_OWNER_VIEWER: &str = "IAM_OWNER_VIEWER";
pub const IAM_ORG_MANAGER: &str = "IAM_ORG_MANAGER";
pub const IAM_USER_MANAGER: &str = "IAM_USER_MANAGER";
pub const IAM_LOGIN_CLIENT: &str = "IAM_LOGIN_CLIENT";
pub const ORG_OWNER: &str = "ORG_OWNER";
pub const ORG_OWNER_VIEWER: &str = "ORG_OWNER_VIEWER";
pub const ORG_USER_MANAGER: &str = "ORG_USER_MANAGER";
pub const PROJECT_OWNER: &str = "PROJECT_OWNER";
pub const PROJECT_GRANT_OWNER: &str = "PROJECT_GRANT_OWNER";

pub const ORG_CREATE: &str = "org.create";
pub const ORG_READ: &str = "org.read";
pub const ORG_WRITE: &str = "org.write";
pub const ORG_DELETE: &str = "org.delete";
pub const ORG_MEMBER_READ: &str = "org.member.read";
pub const ORG_MEMBER_WRITE: &str = "org.member.write";
pub const ORG_MEMBER_DELETE: &str = "org.member.delete";
pub const IAM_READ: &str = "iam.read";
pub const IAM_WRITE: &str = "iam.write";
pub const IAM_POLICY_READ: &str = "iam.policy.read";
pub const IAM_POLICY_WRITE: &str = "iam.policy.write";
pub const IAM_MEMBER_READ: &str = "iam.member.read";
pub const IAM_MEMBER_WRITE: &str = "iam.member.write";
pub const IAM_MEMBER_DELETE: &str = "iam.member.delete";
pub const IAM_FEATURE_READ: &str = "iam.feature.read";
pub const IAM_FEATURE_WRITE: &str = "iam.feature.write";
pub const EVENTS_READ: &str = "events.read";
pub const USER_READ: &str = "user.read";
pub const USER_WRITE: &str = "user.write";
pub const USER_DELETE: &str = "user.delete";
pub const USER_CREDENTIAL_WRITE: &str = "user.credential.write";
pub const USER_GRANT_READ: &str = "user.grant.read";
pub const USER_GRANT_WRITE: &str = "user.grant.write";
pub const USER_GRANT_DELETE: &str = "user.grant.delete";
pub const POLICY_READ: &str = "policy.read";
pub const POLICY_WRITE: &str = "policy.write";
pub const POLICY_DELETE: &str = "policy.delete";
pub const PROJECT_READ: &str = "project.read";
pub const PROJECT_CREATE: &str = "project.create";
pub const PROJECT_WRITE: &str = "project.write";
pub const PROJECT_DELETE: &str = "project.delete";
pub const PROJECT_MEMBER_READ: &str = "project.member.read";
pub const PROJECT_MEMBER_WRITE: &str = "project.member.write";
pub const PROJECT_MEMBER_DELETE: &str = "project.member.delete";
pub const PROJECT_ROLE_READ: &str = "project.role.read";
pub const PROJECT_ROLE_WRITE: &str = "project.role.write";
pub const PROJECT_ROLE_DELETE: &str = "project.role.delete";
pub const PROJECT_APP_READ: &str = "project.app.read";
pub const PROJECT_APP_WRITE: &str = "project.app.write";
pub const PROJECT_APP_DELETE: &str = "project.app.delete";
pub const PROJECT_GRANT_READ: &str = "project.grant.read";
pub const PROJECT_GRANT_WRITE: &str = "project.grant.write";
pub const PROJECT_GRANT_DELETE: &str = "project.grant.delete";
pub const PROJECT_GRANT_MEMBER_READ: &str = "project.grant.member.read";
pub const PROJECT_GRANT_MEMBER_WRITE: &str = "project.grant.member.write";
pub const PROJECT_GRANT_MEMBER_DELETE: &str = "project.grant.member.delete";
pub const GROUP_CREATE: &str = "group.create";
pub const GROUP_READ: &str = "group.read";
pub const GROUP_WRITE: &str = "group.write";
pub const GROUP_DELETE: &str = "group.delete";
pub const GROUP_USER_READ: &str = "group.user.read";
pub const GROUP_USER_WRITE: &str = "group.user.write";
pub const GROUP_USER_DELETE: &str = "group.user.delete";

/// Where a role is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleScope {
    Instance,
    Org,
    Project,
    ProjectGrant,
}

/// The scope a role belongs to, or `None` for a role ZITADEL does not define.
pub fn scope_of(role: &str) -> Option<RoleScope> {
    if !roles::TABLE.iter().any(|(name, _)| *name == role) {
        return None;
    }
    Some(if role.starts_with("IAM_") {
        RoleScope::Instance
    } else if role.starts_with("ORG_") {
        RoleScope::Org
    } else if role.starts_with("PROJECT_GRANT_") {
        RoleScope::ProjectGrant
    } else {
        RoleScope::Project
    })
}

/// Every role that can be held on `scope`.
pub fn roles_of_scope(scope: RoleScope) -> impl Iterator<Item = &'static str> {
    roles::TABLE
        .iter()
        .map(|(name, _)| *name)
        .filter(move |role| scope_of(role) == Some(scope))
}

/// The permissions a role grants (none for an unknown role).
pub fn permissions_of(role: &str) -> &'static [&'static str] {
    roles::TABLE
        .iter()
        .find(|(name, _)| *name == role)
        .map_or(&[], |(_, permissions)| *permissions)
}

fn grants(roles: &[String], permission: &str) -> bool {
    roles
        .iter()
        .any(|role| permissions_of(role).contains(&permission))
}

/// The resource a permission is checked against: the org that owns it, and the project and
/// project grant it belongs to, when it belongs to one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub org_id: String,
    pub project_id: Option<String>,
    pub project_grant_id: Option<String>,
}

impl Target {
    pub fn org(org_id: impl Into<String>) -> Self {
        Self {
            org_id: org_id.into(),
            ..Self::default()
        }
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
    /// project id → roles held on that project.
    pub project_roles: BTreeMap<String, Vec<String>>,
    /// project grant id → roles held on that grant.
    pub project_grant_roles: BTreeMap<String, Vec<String>>,
}

impl Principal {
    /// Whether the principal holds `permission` instance-wide.
    pub fn has_instance_permission(&self, permission: &str) -> bool {
        grants(&self.instance_roles, permission)
    }

    /// Whether the principal holds `permission` on `org_id` (directly or instance-wide).
    pub fn has_org_permission(&self, permission: &str, org_id: &str) -> bool {
        self.has_instance_permission(permission)
            || self
                .org_roles
                .get(org_id)
                .is_some_and(|roles| grants(roles, permission))
    }

    /// Whether the principal holds `permission` on `target`: instance-wide, on its org, on its
    /// project or on its project grant.
    pub fn allows(&self, permission: &str, target: &Target) -> bool {
        self.has_org_permission(permission, &target.org_id)
            || target.project_id.as_ref().is_some_and(|project| {
                self.project_roles
                    .get(project)
                    .is_some_and(|roles| grants(roles, permission))
            })
            || target.project_grant_id.as_ref().is_some_and(|grant| {
                self.project_grant_roles
                    .get(grant)
                    .is_some_and(|roles| grants(roles, permission))
            })
    }

    /// Whether the principal holds `permission` on anything at all.
    pub fn holds_anywhere(&self, permission: &str) -> bool {
        self.has_instance_permission(permission)
            || [
                &self.org_roles,
                &self.project_roles,
                &self.project_grant_roles,
            ]
            .iter()
            .any(|scoped| scoped.values().any(|roles| grants(roles, permission)))
    }

    /// The orgs on which the principal holds `permission` through an org role.
    pub fn orgs_with_permission(&self, permission: &str) -> Vec<String> {
        Self::scoped_with(&self.org_roles, permission)
    }

    /// The projects on which the principal holds `permission` through a project role.
    pub fn projects_with_permission(&self, permission: &str) -> Vec<String> {
        Self::scoped_with(&self.project_roles, permission)
    }

    /// The project grants on which the principal holds `permission` through a grant role.
    pub fn project_grants_with_permission(&self, permission: &str) -> Vec<String> {
        Self::scoped_with(&self.project_grant_roles, permission)
    }

    fn scoped_with(scoped: &BTreeMap<String, Vec<String>>, permission: &str) -> Vec<String> {
        scoped
            .iter()
            .filter(|(_, roles)| grants(roles, permission))
            .map(|(id, _)| id.clone())
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

    #[test]
    fn project_and_grant_roles_reach_only_their_project_or_grant() {
        let mut p = Principal::default();
        p.project_roles
            .insert("p1".into(), vec![PROJECT_OWNER.into()]);
        p.project_grant_roles
            .insert("g1".into(), vec![PROJECT_GRANT_OWNER.into()]);
        let in_p1 = Target {
            org_id: "o".into(),
            project_id: Some("p1".into()),
            project_grant_id: None,
        };
        let in_p2 = Target {
            project_id: Some("p2".into()),
            ..in_p1.clone()
        };
        let in_g1 = Target {
            project_grant_id: Some("g1".into()),
            ..in_p2.clone()
        };
        assert!(p.allows(PROJECT_APP_WRITE, &in_p1));
        assert!(!p.allows(PROJECT_APP_WRITE, &in_p2));
        assert!(!p.allows(PROJECT_APP_WRITE, &in_g1));
        assert!(p.allows(USER_GRANT_WRITE, &in_g1));
        assert!(!p.allows(ORG_WRITE, &in_p1));
        assert!(p.holds_anywhere(PROJECT_APP_WRITE));
        assert!(!p.holds_anywhere(ORG_CREATE));
    }

    #[test]
    fn user_managers_manage_users_but_not_the_org() {
        let mut p = Principal::default();
        p.org_roles
            .insert("o".into(), vec![ORG_USER_MANAGER.into()]);
        assert!(p.allows(USER_WRITE, &Target::org("o")));
        assert!(p.allows(USER_DELETE, &Target::org("o")));
        assert!(!p.allows(ORG_WRITE, &Target::org("o")));
        assert!(!p.allows(USER_WRITE, &Target::org("other")));
        let iam = Principal {
            instance_roles: vec![IAM_USER_MANAGER.into()],
            ..Principal::default()
        };
        assert!(iam.allows(USER_WRITE, &Target::org("any")));
        assert!(!iam.allows(ORG_CREATE, &Target::org("any")));
    }

    #[test]
    fn group_permissions_follow_zitadels_defaults() {
        let all = [
            GROUP_CREATE,
            GROUP_READ,
            GROUP_WRITE,
            GROUP_DELETE,
            GROUP_USER_READ,
            GROUP_USER_WRITE,
            GROUP_USER_DELETE,
        ];
        for role in [IAM_OWNER, IAM_USER_MANAGER, ORG_OWNER, ORG_USER_MANAGER] {
            for permission in all {
                assert!(
                    permissions_of(role).contains(&permission),
                    "{role} {permission}"
                );
            }
        }
        for role in [IAM_OWNER_VIEWER, ORG_OWNER_VIEWER] {
            let granted: Vec<&str> = all
                .iter()
                .copied()
                .filter(|p| permissions_of(role).contains(p))
                .collect();
            assert_eq!(granted, [GROUP_READ, GROUP_USER_READ], "{role}");
        }
        assert!(!permissions_of(PROJECT_OWNER).contains(&GROUP_READ));
    }

    #[test]
    fn every_role_has_a_scope_and_unknown_roles_grant_nothing() {
        for (role, permissions) in roles::TABLE {
            assert!(scope_of(role).is_some(), "{role}");
            assert!(!permissions.is_empty(), "{role}");
        }
        assert_eq!(scope_of("IAM_OWNER"), Some(RoleScope::Instance));
        assert_eq!(scope_of("ORG_USER_MANAGER"), Some(RoleScope::Org));
        assert_eq!(scope_of("PROJECT_OWNER"), Some(RoleScope::Project));
        assert_eq!(
            scope_of("PROJECT_GRANT_OWNER"),
            Some(RoleScope::ProjectGrant)
        );
        assert_eq!(scope_of("ROOT"), None);
        assert!(permissions_of("ROOT").is_empty());
    }
}
