//! `zitadel.org.v2.OrganizationService`.

mod admins;
mod domains;
mod lifecycle;
mod metadata;
mod verification;
pub mod wire;

use axum::Router;

use castellan_core::permission::{ORG_CREATE, ORG_DELETE, ORG_READ, ORG_WRITE};

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;

/// The REST binding of an RPC, from the proto's `google.api.http` table.
fn rest(name: &str) -> Option<RestBinding> {
    wire::ROUTES
        .iter()
        .find(|route| route.rpc == name)
        .map(|route| RestBinding {
            method: route.method,
            path: route.path,
            body: route.body,
            success_code: route.success_code,
            repeated: if name == "DeleteOrganizationMetadata" {
                &["keys"]
            } else {
                &[]
            },
        })
}

/// The permission on the org named by the request's `organizationId`.
const fn org(permission: &'static str) -> Access {
    Access::Org {
        permission,
        field: "organizationId",
    }
}

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "AddOrganization",
            rest("AddOrganization"),
            Access::Instance(ORG_CREATE),
            lifecycle::add_organization,
        ),
        rpc(
            "UpdateOrganization",
            rest("UpdateOrganization"),
            org(ORG_WRITE),
            lifecycle::update_organization,
        ),
        rpc(
            "ListOrganizations",
            rest("ListOrganizations"),
            Access::Anywhere(ORG_READ),
            lifecycle::list_organizations,
        ),
        rpc(
            "DeleteOrganization",
            rest("DeleteOrganization"),
            org(ORG_DELETE),
            lifecycle::delete_organization,
        ),
        rpc(
            "DeactivateOrganization",
            rest("DeactivateOrganization"),
            org(ORG_WRITE),
            lifecycle::deactivate_organization,
        ),
        rpc(
            "ActivateOrganization",
            rest("ActivateOrganization"),
            org(ORG_WRITE),
            lifecycle::activate_organization,
        ),
        rpc(
            "AddOrganizationDomain",
            rest("AddOrganizationDomain"),
            org(ORG_WRITE),
            domains::add_domain,
        ),
        rpc(
            "ListOrganizationDomains",
            rest("ListOrganizationDomains"),
            org(ORG_READ),
            domains::list_domains,
        ),
        rpc(
            "DeleteOrganizationDomain",
            rest("DeleteOrganizationDomain"),
            org(ORG_WRITE),
            domains::delete_domain,
        ),
        rpc(
            "GenerateOrganizationDomainValidation",
            rest("GenerateOrganizationDomainValidation"),
            org(ORG_WRITE),
            domains::generate_validation,
        ),
        rpc(
            "VerifyOrganizationDomain",
            rest("VerifyOrganizationDomain"),
            org(ORG_WRITE),
            verification::verify_domain,
        ),
        rpc(
            "SetOrganizationMetadata",
            rest("SetOrganizationMetadata"),
            org(ORG_WRITE),
            metadata::set_metadata,
        ),
        rpc(
            "ListOrganizationMetadata",
            rest("ListOrganizationMetadata"),
            org(ORG_READ),
            metadata::list_metadata,
        ),
        rpc(
            "DeleteOrganizationMetadata",
            rest("DeleteOrganizationMetadata"),
            org(ORG_WRITE),
            metadata::delete_metadata,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(wire::SERVICE, rpcs())
}

/// The Connect paths this service implements (`zitadel.org.v2.OrganizationService/<Method>`).
pub fn served_methods() -> Vec<String> {
    crate::rpc::method_paths(wire::SERVICE, &rpcs())
}
