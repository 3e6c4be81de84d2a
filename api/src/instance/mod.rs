//! `zitadel.instance.v2.InstanceService` (Connect only: the v2 proto has no REST bindings).
//!
//! Only the caller's own instance is visible (there are no system users yet, so the
//! `system.*` permissions ZITADEL asks for custom domains and listing are held by nobody):
//! reads need `iam.read`, writes `iam.write` on the instance — including custom domains, which
//! ZITADEL reserves to system users. An `instanceId` naming another instance answers NotFound.
//! DeleteInstance answers FailedPrecondition: the only instance cannot be deleted.

mod handlers;
pub mod wire;

use axum::Router;
use castellan_core::permission::{IAM_READ, IAM_WRITE};

use crate::access::Access;
use crate::rpc::{Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.instance.v2.InstanceService";

fn rpcs() -> Vec<Rpc> {
    let read = Access::Instance(IAM_READ);
    let write = Access::Instance(IAM_WRITE);
    vec![
        rpc("GetInstance", None, read, handlers::get_instance),
        rpc("UpdateInstance", None, write, handlers::update_instance),
        rpc("ListInstances", None, read, handlers::list_instances),
        rpc("DeleteInstance", None, write, handlers::delete_instance),
        rpc("AddCustomDomain", None, write, handlers::add_custom_domain),
        rpc(
            "RemoveCustomDomain",
            None,
            write,
            handlers::remove_custom_domain,
        ),
        rpc(
            "ListCustomDomains",
            None,
            read,
            handlers::list_custom_domains,
        ),
        rpc(
            "AddTrustedDomain",
            None,
            write,
            handlers::add_trusted_domain,
        ),
        rpc(
            "RemoveTrustedDomain",
            None,
            write,
            handlers::remove_trusted_domain,
        ),
        rpc(
            "ListTrustedDomains",
            None,
            read,
            handlers::list_trusted_domains,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}

/// The Connect paths this service implements.
pub fn served_methods() -> Vec<String> {
    crate::rpc::method_paths(SERVICE, &rpcs())
}
