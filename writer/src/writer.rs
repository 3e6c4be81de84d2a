//! Command execution: load aggregates, decide, append; on a version conflict, decide again.

use std::sync::Arc;

use async_trait::async_trait;
use castellan_core::clock::{Clock, Timestamp};
use castellan_core::event::{self, Aggregate, Decision, EventPayload, Unique};
use castellan_core::ids::IdGenerator;
use castellan_core::{DomainError, ErrorKind, Position};

use crate::ledger::{
    AggregateAppend, AppendBatch, Appended, Ledger, LedgerError, UniqueConstraint, UniqueOp,
};

/// How often a command is decided again after losing an optimistic-concurrency race.
pub const DEFAULT_MAX_RETRIES: usize = 5;

/// Who issues a command, and where.
#[derive(Clone, Debug)]
pub struct CommandContext {
    pub instance_id: String,
    /// The editing user's id, or a system name such as `SETUP`.
    pub creator: String,
}

/// A loaded aggregate and the version it was loaded at.
pub struct Loaded<A> {
    pub id: String,
    pub state: A,
    pub version: i64,
}

/// The writes of one command, built by [`Command::plan`].
#[derive(Default)]
pub struct Plan {
    appends: Vec<AggregateAppend>,
    unique: Vec<UniqueOp>,
}

impl Plan {
    /// Adds a decision about one aggregate (loaded at `version`) to the plan.
    pub fn add<E: EventPayload>(
        &mut self,
        ctx: &CommandContext,
        aggregate_id: &str,
        version: i64,
        resource_owner: &str,
        decision: Decision<E>,
    ) -> Result<(), DomainError> {
        let events = decision
            .events
            .iter()
            .map(event::encode)
            .collect::<Result<Vec<_>, _>>()?;
        for released in decision.releases {
            self.unique.push(UniqueOp::Release(scope(ctx, released)));
        }
        for claimed in decision.claims {
            self.unique.push(UniqueOp::Claim(scope(ctx, claimed)));
        }
        if events.is_empty() {
            return Ok(());
        }
        self.appends.push(AggregateAppend {
            instance_id: ctx.instance_id.clone(),
            aggregate_type: E::AGGREGATE_TYPE.to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            expected_version: version,
            resource_owner: resource_owner.to_owned(),
            creator: ctx.creator.clone(),
            events,
        });
        Ok(())
    }
}

/// Unique values are per instance, except instance domains, which are global.
fn scope(ctx: &CommandContext, unique: Unique) -> UniqueConstraint {
    let instance_id = if unique.unique_type == castellan_core::instance::UNIQUE_INSTANCE_DOMAIN {
        String::new()
    } else {
        ctx.instance_id.clone()
    };
    UniqueConstraint {
        instance_id,
        unique_type: unique.unique_type.to_owned(),
        field: unique.field,
    }
}

/// A command that can be planned again from fresh state: every command is, since planning only
/// reads the ledger and decides.
#[async_trait]
pub trait Command: Send + Sync {
    type Output: Send;
    async fn plan(
        &self,
        writer: &Writer,
        ctx: &CommandContext,
    ) -> Result<(Plan, Self::Output), DomainError>;
}

/// The result of a command: what it returns and where its events landed.
#[derive(Debug)]
pub struct Committed<T> {
    pub output: T,
    pub position: Position,
    pub appended: Appended,
}

/// The code of the error [`Writer::execute`] answers for a command that decides nothing.
pub const NOTHING_TO_CHANGE: &str = "WRITE-0001";

/// What [`Writer::execute_or_unchanged`] did: appended, or found nothing to change.
#[derive(Debug)]
pub enum Outcome<T> {
    Committed(Committed<T>),
    Unchanged(T),
}

pub struct Writer {
    ledger: Arc<dyn Ledger>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    max_retries: usize,
    /// Password hashing and verification run at most this many at a time: each argon2id run
    /// holds its memory cost (19 MiB by default), so unbounded concurrency grows the process
    /// by gigabytes under login load without adding throughput (the work is CPU-bound).
    hashing: Arc<tokio::sync::Semaphore>,
}

impl Writer {
    pub fn new(ledger: Arc<dyn Ledger>, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            ledger,
            clock,
            ids,
            max_retries: DEFAULT_MAX_RETRIES,
            hashing: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// Runs CPU- and memory-heavy password work off the async runtime, at most one job per core
    /// at a time (see the `hashing` field).
    pub async fn hash_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| DomainError::internal("WRITE-0010", format!("hashing: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| DomainError::internal("WRITE-0011", format!("hashing: {e}")))
    }

    pub fn ledger(&self) -> &Arc<dyn Ledger> {
        &self.ledger
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn next_id(&self) -> String {
        self.ids.next_id()
    }

    /// Loads one aggregate of the context's instance.
    pub async fn load<A: Aggregate>(
        &self,
        ctx: &CommandContext,
        aggregate_id: &str,
    ) -> Result<Loaded<A>, DomainError> {
        let events = self
            .ledger
            .read_aggregate(
                &ctx.instance_id,
                <A::Event as EventPayload>::AGGREGATE_TYPE,
                aggregate_id,
            )
            .await
            .map_err(ledger_error)?;
        let (state, version) = event::fold::<A>(&events)?;
        Ok(Loaded {
            id: aggregate_id.to_owned(),
            state,
            version,
        })
    }

    /// Plans and appends a command, planning again after a version conflict (up to the retry
    /// limit; then the caller gets `Aborted` and may retry itself). A command that decides
    /// nothing is a `FailedPrecondition` ([`NOTHING_TO_CHANGE`]).
    pub async fn execute<C: Command>(
        &self,
        ctx: &CommandContext,
        command: &C,
    ) -> Result<Committed<C::Output>, DomainError> {
        match self.execute_or_unchanged(ctx, command).await? {
            Outcome::Committed(committed) => Ok(committed),
            Outcome::Unchanged(_) => Err(DomainError::precondition(
                NOTHING_TO_CHANGE,
                "Nothing to change",
            )),
        }
    }

    /// Like [`Writer::execute`], for idempotent commands: a command that decides nothing (the
    /// desired state is already there) is [`Outcome::Unchanged`], not an error.
    pub async fn execute_or_unchanged<C: Command>(
        &self,
        ctx: &CommandContext,
        command: &C,
    ) -> Result<Outcome<C::Output>, DomainError> {
        let mut attempt = 0;
        loop {
            let (plan, output) = command.plan(self, ctx).await?;
            if plan.appends.is_empty() {
                return Ok(Outcome::Unchanged(output));
            }
            let batch = AppendBatch {
                appends: plan.appends,
                unique: plan.unique,
                created_at: self.clock.now(),
            };
            match self.ledger.append(batch).await {
                Ok(appended) => {
                    let position = appended.position();
                    return Ok(Outcome::Committed(Committed {
                        output,
                        position,
                        appended,
                    }));
                }
                Err(error) if error.is_retryable() && attempt < self.max_retries => {
                    attempt += 1;
                    tracing::debug!(attempt, %error, "optimistic concurrency conflict, planning again");
                }
                Err(error) => return Err(ledger_error(error)),
            }
        }
    }
}

/// The one mapping from ledger errors to domain errors.
pub fn ledger_error(error: LedgerError) -> DomainError {
    match error {
        LedgerError::Conflict { .. } => DomainError::new(
            ErrorKind::Aborted,
            "WRITE-0002",
            "The object was changed concurrently; retry the request",
        ),
        LedgerError::UniqueViolation { unique_type, .. } => unique_violation(&unique_type),
        LedgerError::Invalid(message) => DomainError::internal("WRITE-0003", message),
        LedgerError::Unavailable(message) => {
            tracing::warn!(%message, "ledger unavailable");
            DomainError::new(
                ErrorKind::Unavailable,
                "WRITE-0004",
                "The ledger is unavailable",
            )
        }
        LedgerError::Backend(message) => {
            tracing::error!(%message, "ledger failure");
            DomainError::internal("WRITE-0005", "Internal error")
        }
    }
}

fn unique_violation(unique_type: &str) -> DomainError {
    let (code, message) = match unique_type {
        castellan_core::org::UNIQUE_ORG_NAME => ("ORG-0021", "Organization name is already taken"),
        castellan_core::org::UNIQUE_ORG_DOMAIN => (
            "ORG-0022",
            "Domain is already verified by another organization",
        ),
        castellan_core::user::UNIQUE_USERNAME | castellan_core::user::UNIQUE_ORG_USERNAME => {
            ("USER-0009", "Username is already taken")
        }
        castellan_core::instance::UNIQUE_INSTANCE_DOMAIN => {
            ("INST-0003", "Instance domain is already taken")
        }
        castellan_core::group::UNIQUE_GROUP_NAME => (
            "GROUP-0006",
            "A group with this name already exists in the organization",
        ),
        _ => ("WRITE-0006", "Value is already taken"),
    };
    DomainError::already_exists(code, message)
}
