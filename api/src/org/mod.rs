//! `zitadel.org.v2.OrganizationService`.

mod admins;
mod domains;
mod lifecycle;
mod metadata;
mod support;
pub mod wire;

use axum::Router;

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

fn rpcs() -> Vec<Rpc> {
    vec![
        rpc(
            "AddOrganization",
            rest("AddOrganization"),
            lifecycle::add_organization,
        ),
        rpc(
            "UpdateOrganization",
            rest("UpdateOrganization"),
            lifecycle::update_organization,
        ),
        rpc(
            "ListOrganizations",
            rest("ListOrganizations"),
            lifecycle::list_organizations,
        ),
        rpc(
            "DeleteOrganization",
            rest("DeleteOrganization"),
            lifecycle::delete_organization,
        ),
        rpc(
            "DeactivateOrganization",
            rest("DeactivateOrganization"),
            lifecycle::deactivate_organization,
        ),
        rpc(
            "ActivateOrganization",
            rest("ActivateOrganization"),
            lifecycle::activate_organization,
        ),
        rpc(
            "AddOrganizationDomain",
            rest("AddOrganizationDomain"),
            domains::add_domain,
        ),
        rpc(
            "ListOrganizationDomains",
            rest("ListOrganizationDomains"),
            domains::list_domains,
        ),
        rpc(
            "DeleteOrganizationDomain",
            rest("DeleteOrganizationDomain"),
            domains::delete_domain,
        ),
        rpc(
            "GenerateOrganizationDomainValidation",
            rest("GenerateOrganizationDomainValidation"),
            domains::generate_validation,
        ),
        rpc(
            "VerifyOrganizationDomain",
            rest("VerifyOrganizationDomain"),
            domains::verify_domain,
        ),
        rpc(
            "SetOrganizationMetadata",
            rest("SetOrganizationMetadata"),
            metadata::set_metadata,
        ),
        rpc(
            "ListOrganizationMetadata",
            rest("ListOrganizationMetadata"),
            metadata::list_metadata,
        ),
        rpc(
            "DeleteOrganizationMetadata",
            rest("DeleteOrganizationMetadata"),
            metadata::delete_metadata,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(wire::SERVICE, rpcs())
}

/// Methods that are routed but answer `unimplemented` for now (with the reason in their error).
pub const PENDING: &[&str] = &["VerifyOrganizationDomain"];

/// The Connect paths this service implements (`zitadel.org.v2.OrganizationService/<Method>`).
pub fn served_methods() -> Vec<String> {
    rpcs()
        .iter()
        .filter(|rpc| !PENDING.contains(&rpc.name))
        .map(|rpc| format!("{}/{}", wire::SERVICE, rpc.name))
        .collect()
}
