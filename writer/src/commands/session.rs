//! Commands on sessions (Session API v2 and the hosted login): create a session or add checks
//! to one, verifying the password against the user's stored hash and TOTP codes against the
//! user's generator, both with lockout, and terminate it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::session::{self, Session, SessionEvent};
use castellan_core::user::{self, User, UserEvent};

use crate::secrets::{self, HasherParams};
use crate::totp::{self, UnsealedSecret};
use crate::writer::{Command, CommandContext, Plan, Writer};

/// Verifies a password off the async runtime; returns whether it matched and, when the stored
/// hash is outdated, a new hash of the same password.
pub async fn verify_and_rehash(
    writer: &Writer,
    password: &str,
    stored: &str,
    params: &HasherParams,
) -> Result<(bool, Option<String>), DomainError> {
    let (password, stored, params) = (password.to_owned(), stored.to_owned(), *params);
    writer
        .hash_work(move || {
            let verification = secrets::verify_with(&password, &stored, &params);
            let rehashed = if verification.matched && verification.needs_rehash {
                Some(secrets::hash_password_with(&password, &params)?)
            } else {
                None
            };
            Ok((verification.matched, rehashed))
        })
        .await?
}

/// Spends about the time of one verification, for logins of unknown users (no enumeration by
/// timing).
pub async fn verify_nothing(writer: &Writer, password: &str, params: &HasherParams) {
    let (password, params) = (password.to_owned(), *params);
    let _ = writer
        .hash_work(move || secrets::hash_password_with(&password, &params))
        .await;
}

/// Verifies a password against the user's stored hash and decides the check's outcome.
async fn check_password(
    writer: &Writer,
    state: &User,
    password: &str,
    change: &SessionChange,
) -> Result<user::PasswordCheckOutcome, DomainError> {
    let stored = match user::login_blocked(state)? {
        Some(blocked) => return Err(user::blocked_error(blocked)),
        None => state.password_hash.clone().unwrap_or_default(),
    };
    let (correct, rehashed) = verify_and_rehash(writer, password, &stored, &change.hasher).await?;
    user::check_password(state, correct, rehashed, change.max_password_attempts)
}

/// Checks a TOTP code at the writer's time against the secret the edge unsealed, which must be
/// the user's current verified one.
fn check_totp(
    state: &User,
    check: &TotpCheck,
    max_attempts: u32,
    now: Timestamp,
) -> Result<user::OtpCheckOutcome, DomainError> {
    let sealed = user::otp_secret(state, true)?;
    if !castellan_core::ct_eq(sealed, &check.secret.sealed_secret) {
        return Err(DomainError::precondition(
            "SESSION-0105",
            "The user's TOTP generator changed meanwhile",
        ));
    }
    let step = totp::matched_step(&check.secret.secret, &check.code, now)?;
    user::check_otp(state, step, max_attempts)
}

/// What a session command should check and set.
#[derive(Clone, Debug, Default)]
pub struct SessionChange {
    /// Create the session (CreateSession); otherwise it must exist and `token_hash` must match.
    pub create: bool,
    pub current_token_hash: Option<String>,
    /// The caller may change the session without its token (SetSession by a caller holding
    /// `session.write`, as ZITADEL allows); the edge decides. A token that is given is still
    /// checked.
    pub authorized_without_token: bool,
    /// The new session token's hash (every change issues a new token).
    pub new_token_hash: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The checked user, resolved by the edge (by id or login name).
    pub user_id: Option<String>,
    pub password: Option<String>,
    /// A TOTP code to check against the user's verified generator.
    pub totp: Option<TotpCheck>,
    pub metadata: BTreeMap<String, String>,
    /// Microseconds from now.
    pub lifetime: Option<i64>,
    /// Lockout settings of the user's org (0: never lock).
    pub max_password_attempts: u32,
    /// Lockout settings of the user's org for TOTP codes (0: never lock).
    pub max_otp_attempts: u32,
    pub hasher: HasherParams,
}

/// A TOTP code and the secret the edge unsealed for the user (the writer does not hold the
/// master key); the command refuses it unless the user still has that sealed secret.
#[derive(Clone, Debug, Default)]
pub struct TotpCheck {
    pub code: String,
    pub secret: UnsealedSecret,
}

/// How a session command ended.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionOutcome {
    Changed(Box<Session>),
    /// The password was wrong: only the user's failed check (and maybe lock) was recorded.
    PasswordRejected {
        locked_now: bool,
    },
    /// The TOTP code was wrong or replayed: only the user's failed check (and maybe lock) was
    /// recorded.
    TotpRejected {
        locked_now: bool,
    },
}

pub struct ChangeSession {
    pub session_id: String,
    pub change: SessionChange,
}

fn require_token(state: &Session, token_hash: Option<&str>) -> Result<(), DomainError> {
    match token_hash {
        Some(hash) if castellan_core::ct_eq(&state.token_hash, hash) => Ok(()),
        _ => Err(DomainError::permission_denied(
            "SESSION-0101",
            "The session token is not valid",
        )),
    }
}

#[async_trait]
impl Command for ChangeSession {
    type Output = SessionOutcome;

    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, SessionOutcome), DomainError> {
        let change = &self.change;
        let now = writer.now();
        let loaded = writer.load::<Session>(ctx, &self.session_id).await?;
        let mut session_state = loaded.state.clone();
        let mut decision: Decision<SessionEvent> = Decision::default();
        if change.create {
            if loaded.state.created {
                return Err(DomainError::already_exists(
                    "SESSION-0102",
                    "Session exists",
                ));
            }
            decision.events.push(SessionEvent::Added {
                user_agent: change.user_agent.clone(),
                ip: change.ip.clone(),
            });
        } else {
            loaded.state.require_active(now)?;
            if change.current_token_hash.is_some() || !change.authorized_without_token {
                require_token(&loaded.state, change.current_token_hash.as_deref())?;
            }
        }
        session::validate_metadata(&change.metadata)?;
        let mut plan = Plan::default();
        let user_id = change.user_id.clone().or(loaded.state.user_id.clone());
        if (change.password.is_some() || change.totp.is_some()) && user_id.is_none() {
            return Err(DomainError::invalid(
                "SESSION-0103",
                "A password or TOTP check needs a user check first",
            ));
        }
        if let Some(user_id) = &user_id {
            let user = writer.load::<User>(ctx, user_id).await?;
            if !user.state.exists() {
                return Err(user::not_found());
            }
            if change.user_id.is_some() {
                decision.events.extend(
                    session::check_user(&session_state, user_id, &user.state.org_id, now)?.events,
                );
            }
            let org = user.state.org_id.clone();
            let mut user_decision: Decision<UserEvent> = Decision::default();
            let mut rejected = None;
            if let Some(password) = &change.password {
                let outcome = check_password(writer, &user.state, password, change).await?;
                user_decision = outcome.decision;
                if outcome.accepted {
                    decision
                        .events
                        .push(SessionEvent::PasswordChecked { checked_at: now });
                } else {
                    rejected = Some(SessionOutcome::PasswordRejected {
                        locked_now: outcome.locked_now,
                    });
                }
            }
            if let (None, Some(check)) = (&rejected, &change.totp) {
                let state = user.state.after(&user_decision);
                let outcome = check_totp(&state, check, change.max_otp_attempts, now)?;
                user_decision = user::then(user_decision, outcome.decision);
                if outcome.accepted {
                    decision
                        .events
                        .push(SessionEvent::TotpChecked { checked_at: now });
                } else {
                    rejected = Some(SessionOutcome::TotpRejected {
                        locked_now: outcome.locked_now,
                    });
                }
            }
            plan.add(ctx, user_id, user.version, &org, user_decision)?;
            if let Some(rejected) = rejected {
                return Ok((plan, rejected));
            }
        }
        if !change.metadata.is_empty() {
            decision.events.push(SessionEvent::MetadataSet {
                metadata: change.metadata.clone(),
            });
        }
        if let Some(lifetime) = change.lifetime {
            if lifetime <= 0 {
                return Err(DomainError::invalid(
                    "SESSION-0104",
                    "The lifetime must be positive",
                ));
            }
            decision.events.push(SessionEvent::LifetimeSet {
                expiration: Timestamp(now.0.saturating_add(lifetime)),
            });
        }
        decision.events.push(SessionEvent::TokenSet {
            token_hash: change.new_token_hash.clone(),
        });
        let meta = castellan_core::event::EventMeta {
            sequence: loaded.version + 1,
            created_at: now,
            resource_owner: ctx.instance_id.clone(),
            position: castellan_core::Position(0),
        };
        for event in &decision.events {
            castellan_core::event::Aggregate::apply(&mut session_state, event, &meta);
        }
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.session_id, loaded.version, &instance, decision)?;
        Ok((plan, SessionOutcome::Changed(Box::new(session_state))))
    }
}

/// DeleteSession / logout: `token_hash` is required unless the caller may delete any session.
pub struct TerminateSession {
    pub session_id: String,
    pub token_hash: Option<String>,
    pub require_token: bool,
}

#[async_trait]
impl Command for TerminateSession {
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Session>(ctx, &self.session_id).await?;
        if self.require_token {
            require_token(&loaded.state, self.token_hash.as_deref())?;
        }
        let decision = session::terminate(&loaded.state)?;
        let mut plan = Plan::default();
        let instance = ctx.instance_id.clone();
        plan.add(ctx, &self.session_id, loaded.version, &instance, decision)?;
        Ok((plan, ()))
    }
}
