//! The v2 services a custom login UI and an instance administrator use: SessionService,
//! OIDCService and WebKeyService. Each declares its RPC table the way `castellan_api`'s services
//! do (`castellan_api::rpc`), so permissions are checked before a handler runs.

pub mod oidc_v2;
pub mod session;
pub mod web_key;

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_writer::writer::CommandContext;

use castellan_api::auth::Caller;

/// Permissions of ZITADEL's role table (`core/src/permission/roles.rs`) these services check.
pub const SESSION_READ: &str = "session.read";
pub const SESSION_WRITE: &str = "session.write";
pub const SESSION_DELETE: &str = "session.delete";
pub const SESSION_LINK: &str = "session.link";
pub const WEB_KEY_READ: &str = "iam.web_key.read";
pub const WEB_KEY_WRITE: &str = "iam.web_key.write";
pub const WEB_KEY_DELETE: &str = "iam.web_key.delete";

/// The context of a command run for the caller (for loading aggregates straight from the ledger).
pub(crate) fn command_context(caller: &Caller) -> CommandContext {
    CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    }
}

/// The writer's answer when a command finds nothing to change.
pub(crate) fn nothing_to_change(error: &DomainError) -> bool {
    error.code == castellan_writer::writer::NOTHING_TO_CHANGE
}

pub(crate) fn proto_time(at: Timestamp) -> castellan_api::proto::ProtoTimestamp {
    castellan_api::support::timestamp(at)
}
