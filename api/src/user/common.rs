//! What the user handlers share: running a command on a user, hashing off the runtime, codes,
//! and the `Details` of a committed change.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::user::{User, UserEvent};
use castellan_writer::commands::user::OnUser;
use castellan_writer::secrets;
use castellan_writer::writer::{CommandContext, Committed, Loaded};

use crate::auth::Caller;
use crate::proto::json::Details;
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id};

pub fn ctx(caller: &Caller) -> CommandContext {
    CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    }
}

pub fn user_id(id: &str) -> Result<String, DomainError> {
    require_id(id, "user_id")
}

/// Runs `spawn_blocking` and flattens its error.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::internal("USERAPI-0001", format!("hashing task: {e}")))?
}

/// Hashes a password (or client secret) with the configured argon2id parameters.
pub async fn hash_secret(
    params: secrets::HasherParams,
    plain: String,
) -> Result<String, DomainError> {
    blocking(move || secrets::hash_password_with(&plain, &params)).await
}

/// Checks a password or code against a stored hash of any supported algorithm.
pub async fn check_secret(
    params: secrets::HasherParams,
    plain: String,
    phc: String,
) -> Result<secrets::Verification, DomainError> {
    blocking(move || Ok(secrets::verify_with(&plain, &phc, &params))).await
}

/// A new one-time code and its hash.
pub async fn new_code() -> Result<(String, String), DomainError> {
    blocking(secrets::new_code).await
}

/// The user as the ledger has it now (for checks that need its stored hashes).
pub async fn load(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Loaded<User>, DomainError> {
    let loaded = state.writer.load::<User>(&ctx(caller), id).await?;
    if loaded.state.exists() {
        Ok(loaded)
    } else {
        Err(castellan_core::user::not_found())
    }
}

/// Runs one decision on an existing user; returns the committed change and the user's org.
pub async fn on_user<F>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    decide: F,
) -> Result<(Committed<String>, Details), DomainError>
where
    F: Fn(&User, Timestamp) -> Result<Decision<UserEvent>, DomainError> + Send + Sync,
{
    let committed = execute(state, caller, &OnUser::new(id, decide)).await?;
    let details = details(&committed, id, &committed.output);
    Ok((committed, details))
}

/// `Details` of a committed change to user `id` owned by `org_id`.
pub fn details<T>(committed: &Committed<T>, id: &str, org_id: &str) -> Details {
    let sequence = committed
        .appended
        .events
        .iter()
        .filter(|event| event.aggregate_id == id)
        .map(|event| event.sequence)
        .max()
        .unwrap_or_default();
    Details {
        sequence: u64::try_from(sequence).unwrap_or_default(),
        change_date: committed_at(committed),
        resource_owner: org_id.to_owned(),
    }
}
