//! Authorization, declared once per RPC and enforced here, before any handler runs.
//!
//! Every RPC in a service's table names its [`Access`]: the permission it needs and where that
//! permission must be held — instance-wide, on the org a request field names, or on the owner of
//! the resource a request field names (looked up in the read store's owner table). Handlers
//! receive the resolved [`Target`] in [`Caller::target`] and never check permissions themselves.
//! List methods declare [`Access::Anywhere`] and narrow their results with
//! [`crate::auth::Caller::principal`].
//!
//! No enumeration: a resource the caller may not see answers exactly like one that does not
//! exist (NotFound), as long as the caller holds the permission somewhere; a caller who holds it
//! nowhere gets PermissionDenied either way.

use castellan_core::DomainError;
use castellan_core::permission::Target;
use castellan_readers::queries::authorization::grant_to_org;
use castellan_readers::queries::owner::{self, owner_of};

use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;

/// What an RPC requires of its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Authentication only. The handler decides (used for a caller's own data).
    Authenticated,
    /// The permission held instance-wide.
    Instance(&'static str),
    /// The permission on the org whose id is in request field `field` (a dotted path of JSON
    /// names); when the field is absent, the org of the `x-zitadel-orgid` header, else the
    /// caller's own org. (`field: ""` names no field: header, else own org, as ZITADEL's v1
    /// management API does.)
    Org {
        permission: &'static str,
        field: &'static str,
    },
    /// The permission on the owner of the resource of `kind` whose id is in request `field`.
    Resource {
        permission: &'static str,
        kind: &'static str,
        field: &'static str,
    },
    /// The permission held anywhere; the handler narrows what it returns to where it is held.
    Anywhere(&'static str),
    /// Administrator RPCs: the request's `resource` (ZITADEL's `ResourceType` oneof) names the
    /// scope, and the permission depends on it: `instance` on the instance, `org` on the org in
    /// `organizationId`, `project` on the project in `projectId` (found through its owner row),
    /// `project_grant` on the grant of `projectGrant.projectId` to `projectGrant.organizationId`.
    /// The resolved target carries the project and grant ids.
    Administrator {
        instance: &'static str,
        org: &'static str,
        project: &'static str,
        project_grant: &'static str,
    },
}

/// The value of a dotted JSON-name path in a normalized request.
/// A REST query string names nested fields by their dotted path (`?ctx.orgId=…`), which arrives
/// as one flat member; it is found too.
pub fn field<'a>(request: &'a serde_json::Value, path: &str) -> Option<&'a str> {
    let nested = || {
        let mut value = request;
        for name in path.split('.') {
            value = value.get(name)?;
        }
        Some(value)
    };
    nested()
        .or_else(|| path.contains('.').then(|| request.get(path)).flatten())
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The org an [`Access::Org`] check is about: the request's field, else the org header, else
/// the caller's own org.
fn org_of(request: &serde_json::Value, path: &str, header: Option<&str>, own: &str) -> String {
    field(request, path).or(header).unwrap_or(own).to_owned()
}

fn denied(permission: &str) -> DomainError {
    DomainError::permission_denied("AUTHZ-0001", format!("Missing permission {permission}"))
}

/// Checks `access` for the call and records the resolved target on the caller.
pub async fn authorize(
    state: &AppState,
    caller: &mut Caller,
    access: Access,
    request: &serde_json::Value,
) -> Result<(), DomainError> {
    let principal = &caller.principal;
    match access {
        Access::Authenticated => Ok(()),
        Access::Instance(permission) => {
            if principal.has_instance_permission(permission) {
                Ok(())
            } else {
                Err(denied(permission))
            }
        }
        Access::Anywhere(permission) => {
            if principal.holds_anywhere(permission) {
                Ok(())
            } else {
                Err(denied(permission))
            }
        }
        Access::Org {
            permission,
            field: path,
        } => {
            let org_id = org_of(
                request,
                path,
                caller.org_header.as_deref(),
                &principal.org_id,
            );
            let target = Target::org(org_id);
            if principal.allows(permission, &target) {
                caller.target = Some(target);
                Ok(())
            } else {
                Err(denied(permission))
            }
        }
        Access::Administrator {
            instance,
            org,
            project,
            project_grant,
        } => {
            let scopes = AdministratorPermissions {
                instance,
                org,
                project,
                project_grant,
            };
            let target = administrator_target(state, caller, scopes, request).await?;
            caller.target = target;
            Ok(())
        }
        Access::Resource {
            permission,
            kind,
            field: path,
        } => {
            if !principal.holds_anywhere(permission) {
                return Err(denied(permission));
            }
            let not_found = || DomainError::not_found("AUTHZ-0003", format!("{kind} not found"));
            let Some(id) = field(request, path) else {
                return Err(DomainError::invalid(
                    "API-0011",
                    format!("{path} is required"),
                ));
            };
            let owner = owner_of(state.store(), &caller.instance.id, kind, id)
                .await
                .map_err(read_error)?
                .ok_or_else(not_found)?;
            if principal.allows(permission, &owner) {
                caller.target = Some(owner);
                Ok(())
            } else {
                Err(not_found())
            }
        }
    }
}

#[derive(Clone, Copy)]
struct AdministratorPermissions {
    instance: &'static str,
    org: &'static str,
    project: &'static str,
    project_grant: &'static str,
}

/// Resolves and checks the scope of an administrator request (see [`Access::Administrator`]).
async fn administrator_target(
    state: &AppState,
    caller: &Caller,
    permissions: AdministratorPermissions,
    request: &serde_json::Value,
) -> Result<Option<Target>, DomainError> {
    let principal = &caller.principal;
    let resource = request.get("resource");
    let instance = resource
        .and_then(|r| r.get("instance"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let org = field(request, "resource.organizationId");
    let project = field(request, "resource.projectId");
    let grant = resource.and_then(|r| r.get("projectGrant")).is_some();
    let chosen = [instance, org.is_some(), project.is_some(), grant]
        .iter()
        .filter(|set| **set)
        .count();
    if chosen != 1 {
        return Err(DomainError::invalid(
            "API-0040",
            "resource must name exactly one of instance, organization_id, project_id and \
             project_grant",
        ));
    }
    if instance {
        return if principal.has_instance_permission(permissions.instance) {
            Ok(None)
        } else {
            Err(denied(permissions.instance))
        };
    }
    if let Some(org_id) = org {
        let target = Target::org(org_id);
        return if principal.allows(permissions.org, &target) {
            Ok(Some(target))
        } else {
            Err(denied(permissions.org))
        };
    }
    let permission = if grant {
        permissions.project_grant
    } else {
        permissions.project
    };
    if !principal.holds_anywhere(permission) {
        return Err(denied(permission));
    }
    let project_id = match project {
        Some(id) => id,
        None => field(request, "resource.projectGrant.projectId").ok_or_else(|| {
            DomainError::invalid("API-0011", "resource.project_grant.project_id is required")
        })?,
    };
    let instance_id = caller.instance.id.as_str();
    let not_found = |what: &str| DomainError::not_found("AUTHZ-0003", format!("{what} not found"));
    let mut target = owner_of(state.store(), instance_id, owner::PROJECT, project_id)
        .await
        .map_err(read_error)?
        .ok_or_else(|| not_found("project"))?;
    if grant {
        let granted_org =
            field(request, "resource.projectGrant.organizationId").ok_or_else(|| {
                DomainError::invalid(
                    "API-0011",
                    "resource.project_grant.organization_id is required",
                )
            })?;
        let found = grant_to_org(state.store(), instance_id, project_id, granted_org)
            .await
            .map_err(read_error)?
            .ok_or_else(|| not_found("project grant"))?;
        target.project_grant_id = Some(found.id);
    }
    target.project_id = Some(project_id.to_owned());
    if principal.allows(permission, &target) {
        Ok(Some(target))
    } else {
        Err(not_found(if grant { "project grant" } else { "project" }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_found_by_dotted_json_names() {
        let request = json!({"organization": {"orgId": " o1 "}, "userId": "", "n": 1});
        assert_eq!(field(&request, "organization.orgId"), Some("o1"));
        assert_eq!(field(&request, "userId"), None);
        assert_eq!(field(&request, "n"), None);
        assert_eq!(field(&request, "missing.path"), None);
        let flat = json!({"ctx.orgId": "o2"});
        assert_eq!(field(&flat, "ctx.orgId"), Some("o2"));
    }

    #[test]
    fn the_org_is_the_field_else_the_org_header_else_the_callers_own() {
        let request = json!({"organizationId": "o1"});
        assert_eq!(org_of(&request, "organizationId", Some("h"), "own"), "o1");
        assert_eq!(org_of(&json!({}), "organizationId", Some("h"), "own"), "h");
        assert_eq!(org_of(&json!({}), "", Some("h"), "own"), "h");
        assert_eq!(org_of(&json!({}), "", None, "own"), "own");
    }
}
