//! CreateSession, SetSession and DeleteSession.

use castellan_api::auth::Caller;
use castellan_api::error::read_error;
use castellan_api::proto::{Details, ProtoDuration};
use castellan_api::state::AppState;
use castellan_api::support::{committed_at, execute};
use castellan_api::user::totp::unseal;
use castellan_core::DomainError;
use castellan_core::user::User;
use castellan_readers::queries::oidc::{self as oidc_queries, SessionView};
use castellan_writer::commands::session::{
    ChangeSession, SessionChange, SessionOutcome, TerminateSession, TotpCheck,
};
use castellan_writer::secrets::{new_bearer_token, token_hash};
use castellan_writer::writer::{CommandContext, Committed};

use super::support::{
    decode_metadata, encode_user_agent, given_token, max_attempts, not_found, own, permitted,
    require_supported, resolve_user, session_id,
};
use super::wire::{
    Checks, CreateSessionRequest, CreateSessionResponse, DeleteSessionResponse, SessionIdRequest,
    SetSessionRequest, SetSessionResponse,
};
use crate::service::{SESSION_DELETE, SESSION_WRITE};

/// `Details` of a change to session `id` (sessions belong to the instance).
fn details<T>(committed: &Committed<T>, id: &str, instance_id: &str) -> Details {
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
        resource_owner: instance_id.to_owned(),
    }
}

fn lifetime_micros(lifetime: Option<ProtoDuration>) -> Result<Option<i64>, DomainError> {
    match lifetime {
        None => Ok(None),
        Some(duration) if duration.as_micros() > 0 => Ok(Some(duration.as_micros())),
        Some(_) => Err(DomainError::invalid(
            "SESSION-0205",
            "lifetime must be longer than 0s",
        )),
    }
}

/// ZITADEL's answer to a wrong password (`COMMAND-3M0fs`); the failed check (and a lock it
/// caused) is committed before it is returned.
fn password_invalid() -> DomainError {
    DomainError::invalid("SESSION-0206", "Password is invalid")
}

/// A wrong or replayed TOTP code (ZITADEL's `EVENT-8isk2`); the failed check (and a lock it
/// caused) is committed before it is returned.
fn totp_invalid() -> DomainError {
    DomainError::invalid("SESSION-0207", "The TOTP code is invalid")
}

/// What a change checks about its user, resolved at the edge: the user a check names (by id or
/// login name), the lockout limits of its org, and the TOTP secret unsealed for a `totp` check.
#[derive(Default)]
struct CheckedUser {
    user_id: Option<String>,
    max_password_attempts: u32,
    max_otp_attempts: u32,
    totp: Option<TotpCheck>,
}

async fn checked_user(
    state: &AppState,
    caller: &Caller,
    checks: &Checks,
    session: Option<&SessionView>,
) -> Result<CheckedUser, DomainError> {
    let user = match &checks.user {
        Some(check) => Some(resolve_user(state, caller, check).await?),
        None => None,
    };
    let mut checked = CheckedUser {
        user_id: user.as_ref().map(|user| user.id.clone()),
        ..CheckedUser::default()
    };
    if checks.password.is_none() && checks.totp.is_none() {
        return Ok(checked);
    }
    let (subject, org_id) = match (&user, session) {
        (Some(user), _) => (user.id.clone(), user.org_id.clone()),
        (None, Some(session)) => (session.user_id.clone(), session.org_id.clone()),
        (None, None) => (String::new(), String::new()),
    };
    if subject.is_empty() {
        // No user to check the factors of: the writer refuses the checks.
        return Ok(checked);
    }
    (checked.max_password_attempts, checked.max_otp_attempts) =
        max_attempts(state, caller, &org_id).await?;
    if let Some(totp) = &checks.totp {
        let ctx = CommandContext {
            instance_id: caller.instance.id.clone(),
            creator: caller.principal.user_id.clone(),
        };
        let loaded = state.writer.load::<User>(&ctx, &subject).await?;
        checked.totp = Some(TotpCheck {
            code: totp.code.clone(),
            secret: unseal(state, &subject, &loaded.state, true)?,
        });
    }
    Ok(checked)
}

fn change_of(checks: &Checks, checked: CheckedUser, state: &AppState) -> SessionChange {
    SessionChange {
        user_id: checked.user_id,
        password: checks.password.as_ref().map(|check| check.password.clone()),
        totp: checked.totp,
        max_password_attempts: checked.max_password_attempts,
        max_otp_attempts: checked.max_otp_attempts,
        hasher: state.config.password_hasher,
        ..SessionChange::default()
    }
}

/// Runs a session change; a rejected password becomes ZITADEL's InvalidArgument after the failed
/// check is committed.
async fn run(
    state: &AppState,
    caller: &Caller,
    command: &ChangeSession,
) -> Result<Details, DomainError> {
    let committed = execute(state, caller, command).await?;
    match committed.output {
        SessionOutcome::PasswordRejected { .. } => Err(password_invalid()),
        SessionOutcome::TotpRejected { .. } => Err(totp_invalid()),
        SessionOutcome::Changed(_) => Ok(details(
            &committed,
            &command.session_id,
            &caller.instance.id,
        )),
    }
}

pub async fn create_session(
    state: AppState,
    caller: Caller,
    request: CreateSessionRequest,
) -> Result<CreateSessionResponse, DomainError> {
    let checks = request.checks.unwrap_or_default();
    require_supported(&checks, &request.challenges)?;
    let metadata = decode_metadata(&request.metadata)?;
    let lifetime = lifetime_micros(request.lifetime)?;
    let checked = checked_user(&state, &caller, &checks, None).await?;
    let user_agent = request.user_agent.unwrap_or_default();
    let (token, new_token_hash) = new_bearer_token();
    let command = ChangeSession {
        session_id: state.writer.next_id(),
        change: SessionChange {
            create: true,
            new_token_hash,
            ip: user_agent.ip.clone(),
            user_agent: encode_user_agent(&user_agent),
            metadata,
            lifetime,
            ..change_of(&checks, checked, &state)
        },
    };
    let details = run(&state, &caller, &command).await?;
    Ok(CreateSessionResponse {
        details,
        session_id: command.session_id,
        session_token: token,
    })
}

async fn view(
    state: &AppState,
    caller: &Caller,
    session_id: &str,
) -> Result<SessionView, DomainError> {
    oidc_queries::session(state.store(), &caller.instance.id, session_id)
        .await
        .map_err(read_error)?
        .ok_or_else(not_found)
}

/// SetSession. ZITADEL's current proto ignores the (deprecated) token and requires
/// `session.write`; Castellan accepts either: a token that is given must be the current one
/// (PermissionDenied otherwise, as the writer answers), and without one the caller must hold
/// `session.write` on the instance or on the org of the session's user.
pub async fn set_session(
    state: AppState,
    caller: Caller,
    request: SetSessionRequest,
) -> Result<SetSessionResponse, DomainError> {
    let id = session_id(&request.session_id)?;
    let checks = request.checks.unwrap_or_default();
    require_supported(&checks, &request.challenges)?;
    let metadata = decode_metadata(&request.metadata)?;
    let lifetime = lifetime_micros(request.lifetime)?;
    let session = view(&state, &caller, &id).await?;
    let current_token_hash = given_token(Some(&request.session_token)).map(token_hash);
    if current_token_hash.is_none() && !permitted(&caller.principal, SESSION_WRITE, &session) {
        return Err(not_found());
    }
    let checked = checked_user(&state, &caller, &checks, Some(&session)).await?;
    let (token, new_token_hash) = new_bearer_token();
    let command = ChangeSession {
        session_id: id,
        change: SessionChange {
            current_token_hash,
            authorized_without_token: true,
            new_token_hash,
            metadata,
            lifetime,
            ..change_of(&checks, checked, &state)
        },
    };
    let details = run(&state, &caller, &command).await?;
    Ok(SetSessionResponse {
        details,
        session_token: token,
    })
}

/// The issuer for logout tokens of grants whose auth request recorded none: the instance's
/// domain (the Session API call does not show which host the RP used).
fn instance_issuer(state: &AppState, domain: &str) -> String {
    let scheme = if state.config.external_secure {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{domain}")
}

/// DeleteSession: with a token, the token must be the current one; without, the session must be
/// the caller's own (created by it or of its user) or the caller must hold `session.delete` on
/// the instance or on the org of the session's user.
pub async fn delete_session(
    state: AppState,
    caller: Caller,
    request: SessionIdRequest,
) -> Result<DeleteSessionResponse, DomainError> {
    let id = session_id(&request.session_id)?;
    let token = given_token(request.session_token.as_deref());
    if token.is_none() {
        let session = view(&state, &caller, &id).await?;
        if !own(&caller.principal, &session)
            && !permitted(&caller.principal, SESSION_DELETE, &session)
        {
            return Err(not_found());
        }
    }
    let command = TerminateSession {
        session_id: id.clone(),
        token_hash: token.map(token_hash),
        require_token: token.is_some(),
    };
    let committed = execute(&state, &caller, &command).await?;
    // The session's grants end with it, and their clients are logged out by back channel, as
    // when the session ends through the logout endpoint.
    let issuer = instance_issuer(&state, &caller.instance.domain);
    crate::backchannel::end_session_grants(
        &state,
        &caller.instance.id,
        &caller.principal.user_id,
        &id,
        "session_terminated",
        Some(issuer),
    )
    .await?;
    Ok(DeleteSessionResponse {
        details: details(&committed, &id, &caller.instance.id),
    })
}
