//! The target API's handlers: parse, seal the secret, call the writer (targets are read from
//! the ledger, their source of truth: a few per org, read-your-writes without waiting), answer.

use castellan_api::auth::Caller;
use castellan_api::state::AppState;
use castellan_api::support::{SecretRules, require_id, seal_secret};
use castellan_core::event::fold;
use castellan_core::scim_target::{self, ScimTarget};
use castellan_core::{DomainError, ErrorKind};
use castellan_writer::commands::scim_target::OnScimTarget;
use castellan_writer::ledger::aggregates_created;
use castellan_writer::writer::{CommandContext, ledger_error};
use serde_json::{Value, json};

use super::wire::{
    CountsWire, DeadLetterWire, ListRequest, TargetIdRequest, TargetRequest, TargetWire,
};
use crate::outbound::push::{Pushed, Pusher};
use crate::outbound::pusher_for;

const MAX_SECRET_LEN: usize = 4000;

fn ctx(caller: &Caller) -> CommandContext {
    CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    }
}

const SECRET_RULES: SecretRules = SecretRules {
    max_len: MAX_SECRET_LEN,
    too_long: "SCIMT-0030",
    seal_failed: "SCIMT-0031",
};

/// Seals a secret for one target; `None` when none was sent.
fn seal(
    state: &AppState,
    caller: &Caller,
    target_id: &str,
    secret: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let context = scim_target::secret_context(&caller.instance.id, target_id);
    seal_secret(state, secret, &context, &SECRET_RULES)
}

/// The target as the ledger has it, if it exists in the caller's target org.
async fn load(
    state: &AppState,
    caller: &Caller,
    target_id: &str,
) -> Result<ScimTarget, DomainError> {
    let loaded = state
        .writer
        .load::<ScimTarget>(&ctx(caller), target_id)
        .await?;
    loaded.state.require_in(caller.target_org())?;
    Ok(loaded.state)
}

async fn run(
    state: &AppState,
    caller: &Caller,
    target_id: &str,
    decide: impl Fn(
        &ScimTarget,
    ) -> Result<
        castellan_core::event::Decision<scim_target::ScimTargetEvent>,
        DomainError,
    > + Send
    + Sync,
) -> Result<(), DomainError> {
    let command = OnScimTarget::new(target_id, caller.target_org(), decide);
    state
        .writer
        .execute_or_unchanged(&ctx(caller), &command)
        .await?;
    Ok(())
}

pub async fn create(
    state: AppState,
    caller: Caller,
    request: TargetRequest,
) -> Result<TargetWire, DomainError> {
    let target_id = state.writer.next_id();
    let spec = request.spec()?;
    let sealed = seal(&state, &caller, &target_id, request.secret.as_deref())?.unwrap_or_default();
    let command = OnScimTarget::new(&target_id, caller.target_org(), |current: &ScimTarget| {
        scim_target::add(current, &spec, &sealed)
    });
    state.writer.execute(&ctx(&caller), &command).await?;
    let target = load(&state, &caller, &target_id).await?;
    Ok(TargetWire::new(&target_id, &target))
}

pub async fn list(
    state: AppState,
    caller: Caller,
    _request: ListRequest,
) -> Result<Value, DomainError> {
    let org = caller.target_org().to_owned();
    let ids = aggregates_created(
        state.writer.ledger().as_ref(),
        &caller.instance.id,
        scim_target::AGGREGATE_TYPE,
        "scim_target.added",
        &org,
    )
    .await
    .map_err(ledger_error)?;
    let mut targets = Vec::new();
    for id in ids {
        let events = state
            .writer
            .ledger()
            .read_aggregate(&caller.instance.id, scim_target::AGGREGATE_TYPE, &id)
            .await
            .map_err(ledger_error)?;
        let (target, _) = fold::<ScimTarget>(&events)?;
        if target.exists() && target.org_id == org {
            targets.push(TargetWire::new(&id, &target));
        }
    }
    Ok(json!({ "targets": targets }))
}

pub async fn get(
    state: AppState,
    caller: Caller,
    request: TargetIdRequest,
) -> Result<TargetWire, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    let target = load(&state, &caller, &target_id).await?;
    Ok(TargetWire::new(&target_id, &target))
}

pub async fn update(
    state: AppState,
    caller: Caller,
    request: TargetRequest,
) -> Result<TargetWire, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    load(&state, &caller, &target_id).await?;
    let spec = request.spec()?;
    let sealed = seal(&state, &caller, &target_id, request.secret.as_deref())?;
    let org = caller.target_org().to_owned();
    run(&state, &caller, &target_id, |current| {
        scim_target::change(current, &org, &spec, sealed.as_deref())
    })
    .await?;
    let target = load(&state, &caller, &target_id).await?;
    Ok(TargetWire::new(&target_id, &target))
}

pub async fn delete(
    state: AppState,
    caller: Caller,
    request: TargetIdRequest,
) -> Result<Value, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    let org = caller.target_org().to_owned();
    let command = OnScimTarget::new(&target_id, &org, |current: &ScimTarget| {
        scim_target::remove(current, &org)
    });
    state.writer.execute(&ctx(&caller), &command).await?;
    Ok(json!({}))
}

pub async fn dead_letters(
    state: AppState,
    caller: Caller,
    request: TargetIdRequest,
) -> Result<Value, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    let target = load(&state, &caller, &target_id).await?;
    let letters: Vec<DeadLetterWire> = target
        .dead_letters
        .values()
        .map(DeadLetterWire::from)
        .collect();
    Ok(json!({ "deadLetters": letters }))
}

fn pusher(
    state: &AppState,
    caller: &Caller,
    target_id: &str,
    target: ScimTarget,
) -> Result<Pusher, DomainError> {
    pusher_for(
        &state.outbound,
        &state.master_key,
        state.writer.ledger().clone(),
        &caller.instance.id,
        target_id,
        target,
    )
    .map_err(|e| DomainError::precondition("SCIMT-0032", e))
}

fn unavailable(error: impl std::fmt::Display) -> DomainError {
    DomainError::new(
        ErrorKind::Unavailable,
        "SCIMT-0033",
        format!("the target could not be reached: {error}"),
    )
}

/// Pushes the dead letter's resource as it is now (one attempt); on success resolves it.
pub async fn replay(
    state: AppState,
    caller: Caller,
    request: TargetIdRequest,
) -> Result<Value, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    let target = load(&state, &caller, &target_id).await?;
    let org = caller.target_org().to_owned();
    let letter =
        scim_target::dead_letter(&target, &org, &request.resource_type, &request.resource_id)?
            .clone();
    let pusher = pusher(&state, &caller, &target_id, target)?;
    let scope = pusher.scope().await.map_err(unavailable)?;
    let result = if letter.resource_type == scim_target::USER {
        pusher.sync_user(&scope, &letter.resource_id).await
    } else {
        pusher.sync_group(&scope, &letter.resource_id).await
    };
    let pushed = result.map_err(unavailable)?;
    run(&state, &caller, &target_id, |current| {
        scim_target::resolve(current, &org, &letter.resource_type, &letter.resource_id)
    })
    .await?;
    Ok(json!({ "delivered": true, "result": outcome_name(pushed) }))
}

fn outcome_name(pushed: Pushed) -> &'static str {
    match pushed {
        Pushed::Created => "created",
        Pushed::Updated => "updated",
        Pushed::Deprovisioned => "deprovisioned",
        Pushed::Unchanged => "unchanged",
        Pushed::Skipped => "skipped",
    }
}

/// Compares the target with Castellan and repairs it, now; records the run.
pub async fn reconcile(
    state: AppState,
    caller: Caller,
    request: TargetIdRequest,
) -> Result<Value, DomainError> {
    let target_id = require_id(&request.id, "id")?;
    let target = load(&state, &caller, &target_id).await?;
    let org = caller.target_org().to_owned();
    let report = pusher(&state, &caller, &target_id, target)?
        .reconcile()
        .await
        .map_err(unavailable)?;
    let counts = report.counts;
    run(&state, &caller, &target_id, |current| {
        scim_target::reconciled(current, &org, counts, &report.repaired)
    })
    .await?;
    let failures: Vec<Value> = report
        .failures
        .iter()
        .map(|(kind, id, error)| json!({"resourceType": kind, "resourceId": id, "error": error}))
        .collect();
    let counts = CountsWire {
        created: counts.created,
        updated: counts.updated,
        deprovisioned: counts.deprovisioned,
        unchanged: counts.unchanged,
        failed: counts.failed,
    };
    Ok(json!({ "counts": counts, "failures": failures }))
}
