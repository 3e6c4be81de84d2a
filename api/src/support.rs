//! What every handler shares: running a command with read-your-writes, and converting ids and
//! times. (Permissions are not checked here: see [`crate::access`].)

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_writer::writer::{Command, CommandContext, Committed};

use crate::auth::Caller;
use crate::proto::json::OneofError;
use crate::proto::timestamp::ProtoTimestamp;
use crate::state::AppState;

pub const MAX_ID_LEN: usize = 200;

/// How a write-only credential is sealed at the edge: its size limit and the error codes.
pub struct SecretRules {
    pub max_len: usize,
    /// The code of the InvalidArgument for a secret over `max_len` bytes.
    pub too_long: &'static str,
    /// The code of the Internal error when sealing fails.
    pub seal_failed: &'static str,
}

/// Seals a credential sent to the API with the master key, bound to `associated_data` (it opens
/// only for that object); `None` when none (or an empty one) was sent.
pub fn seal_secret(
    state: &AppState,
    secret: Option<&str>,
    associated_data: &[u8],
    rules: &SecretRules,
) -> Result<Option<String>, DomainError> {
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if secret.len() > rules.max_len {
        return Err(DomainError::invalid(
            rules.too_long,
            format!("the secret must be at most {} bytes", rules.max_len),
        ));
    }
    state
        .master_key
        .encrypt(secret.as_bytes(), associated_data)
        .map(Some)
        .map_err(|e| DomainError::internal(rules.seal_failed, format!("seal the secret: {e}")))
}

/// Checks a caller-chosen or caller-named id.
pub fn require_id(id: &str, what: &str) -> Result<String, DomainError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(DomainError::invalid(
            "API-0011",
            format!("{what} is required"),
        ));
    }
    if id.len() > MAX_ID_LEN || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(
            "API-0012",
            format!("{what} is not a valid id"),
        ));
    }
    Ok(id.to_owned())
}

/// Queries about one org answer NotFound when it does not exist (after the permission check).
pub async fn require_org_exists(
    state: &AppState,
    caller: &Caller,
    org_id: &str,
) -> Result<(), DomainError> {
    let found =
        castellan_readers::queries::org::get_org(state.store(), &caller.instance.id, org_id)
            .await
            .map_err(crate::error::read_error)?;
    match found {
        Some(_) => Ok(()),
        None => Err(DomainError::not_found("ORG-0001", "Organization not found")),
    }
}

pub fn oneof(error: OneofError) -> DomainError {
    DomainError::invalid("API-0013", error.to_string())
}

/// Runs a command for the caller, then waits until the read model includes it, so the caller's
/// next query sees its write (embedded mode: always within the timeout).
pub async fn execute<C: Command>(
    state: &AppState,
    caller: &Caller,
    command: &C,
) -> Result<Committed<C::Output>, DomainError> {
    let ctx = CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    };
    let committed = state.writer.execute(&ctx, command).await?;
    let waited = state
        .consistency
        .wait_for(&committed.appended.events, state.config.consistency_timeout)
        .await;
    if let Err(error) = waited {
        // The write is durable; only its visibility is late: log it rather than fail the call.
        tracing::warn!(%error, "read model lagging behind a committed command");
    }
    Ok(committed)
}

/// The time of the command's last event.
pub fn committed_at<T>(committed: &Committed<T>) -> Option<ProtoTimestamp> {
    committed
        .appended
        .events
        .last()
        .map(|event| timestamp(event.created_at))
}

pub fn timestamp(at: Timestamp) -> ProtoTimestamp {
    ProtoTimestamp(at.0)
}
