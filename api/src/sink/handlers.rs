//! The sink API's handlers: parse, seal the secret, call the writer or a query, answer.

use std::time::Duration;

use castellan_core::sink::{self, Sink};
use castellan_core::{DomainError, ErrorKind, Position};
use castellan_readers::queries::sink as queries;
use castellan_sinks::{Transport, TransportSettings};
use castellan_writer::commands::sink::OnSink;
use castellan_writer::ledger::EventFilter;
use castellan_writer::writer::{CommandContext, Outcome, ledger_error};
use serde_json::{Value, json};

use super::wire::{DeadLetterWire, SinkIdRequest, SinkRequest, SinkWire};
use crate::auth::Caller;
use crate::error::read_error;
use crate::state::AppState;
use crate::support::{SecretRules, execute, require_id, seal_secret};

const MAX_SECRET_LEN: usize = 1000;
const MAX_DEAD_LETTERS: usize = 1000;

fn ctx(caller: &Caller) -> CommandContext {
    CommandContext {
        instance_id: caller.instance.id.clone(),
        creator: caller.principal.user_id.clone(),
    }
}

const SECRET_RULES: SecretRules = SecretRules {
    max_len: MAX_SECRET_LEN,
    too_long: "SINK-0016",
    seal_failed: "SINK-0017",
};

/// Seals a secret for one sink; `None` when none was sent.
fn seal(
    state: &AppState,
    caller: &Caller,
    sink_id: &str,
    secret: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let context = sink::secret_context(&caller.instance.id, sink_id);
    seal_secret(state, secret, &context, &SECRET_RULES)
}

async fn view(state: &AppState, caller: &Caller, sink_id: &str) -> Result<SinkWire, DomainError> {
    queries::get_sink(state.store(), &caller.instance.id, sink_id)
        .await
        .map_err(read_error)?
        .map(SinkWire::from)
        .ok_or_else(sink::not_found)
}

pub async fn create(
    state: AppState,
    caller: Caller,
    request: SinkRequest,
) -> Result<SinkWire, DomainError> {
    let sink_id = state.writer.next_id();
    let spec = request.spec(None)?;
    let sealed = seal(&state, &caller, &sink_id, request.secret.as_deref())?.unwrap_or_default();
    let command = OnSink::new(&sink_id, |current: &Sink| {
        sink::add(current, &spec, &sealed)
    });
    execute(&state, &caller, &command).await?;
    view(&state, &caller, &sink_id).await
}

pub async fn list(state: AppState, caller: Caller, _request: Value) -> Result<Value, DomainError> {
    let sinks: Vec<SinkWire> = queries::list_sinks(state.store(), &caller.instance.id)
        .await
        .map_err(read_error)?
        .into_iter()
        .map(SinkWire::from)
        .collect();
    Ok(json!({ "sinks": sinks }))
}

pub async fn get(
    state: AppState,
    caller: Caller,
    request: SinkIdRequest,
) -> Result<SinkWire, DomainError> {
    let sink_id = require_id(&request.id, "id")?;
    view(&state, &caller, &sink_id).await
}

pub async fn update(
    state: AppState,
    caller: Caller,
    request: SinkRequest,
) -> Result<SinkWire, DomainError> {
    let sink_id = require_id(&request.id, "id")?;
    let loaded = state.writer.load::<Sink>(&ctx(&caller), &sink_id).await?;
    loaded.state.require_found()?;
    let spec = request.spec(Some(loaded.state.kind))?;
    let sealed = seal(&state, &caller, &sink_id, request.secret.as_deref())?;
    let command = OnSink::new(&sink_id, |current: &Sink| {
        sink::change(current, &spec, sealed.as_deref())
    });
    let outcome = state
        .writer
        .execute_or_unchanged(&ctx(&caller), &command)
        .await?;
    if let Outcome::Committed(committed) = &outcome {
        wait(&state, &committed.appended.events).await;
    }
    view(&state, &caller, &sink_id).await
}

async fn wait(state: &AppState, events: &[castellan_core::Event]) {
    let waited = state
        .consistency
        .wait_for(events, state.config.consistency_timeout)
        .await;
    if let Err(error) = waited {
        tracing::warn!(%error, "read model lagging behind a committed command");
    }
}

pub async fn delete(
    state: AppState,
    caller: Caller,
    request: SinkIdRequest,
) -> Result<Value, DomainError> {
    let sink_id = require_id(&request.id, "id")?;
    execute(&state, &caller, &OnSink::new(&sink_id, sink::remove)).await?;
    Ok(json!({}))
}

pub async fn dead_letters(
    state: AppState,
    caller: Caller,
    request: SinkIdRequest,
) -> Result<Value, DomainError> {
    let sink_id = require_id(&request.id, "id")?;
    view(&state, &caller, &sink_id).await?;
    let letters: Vec<DeadLetterWire> = queries::dead_letters(
        state.store(),
        &caller.instance.id,
        &sink_id,
        MAX_DEAD_LETTERS,
    )
    .await
    .map_err(read_error)?
    .into_iter()
    .map(DeadLetterWire::from)
    .collect();
    Ok(json!({ "deadLetters": letters }))
}

/// Delivers the dead letter's event now (one attempt); on success resolves it.
pub async fn replay(
    state: AppState,
    caller: Caller,
    request: SinkIdRequest,
) -> Result<Value, DomainError> {
    let sink_id = require_id(&request.id, "id")?;
    let position: i64 = request
        .position
        .trim()
        .parse()
        .map_err(|_| DomainError::invalid("SINK-0018", "position must be an integer"))?;
    let loaded = state.writer.load::<Sink>(&ctx(&caller), &sink_id).await?;
    sink::dead_letter(&loaded.state, position)?;
    let events = state
        .writer
        .ledger()
        .read(&EventFilter {
            after: Position(position.saturating_sub(1)),
            until: Some(Position(position)),
            instance_id: Some(caller.instance.id.clone()),
            limit: 1,
            ..EventFilter::default()
        })
        .await
        .map_err(ledger_error)?;
    let event = events
        .iter()
        .find(|e| e.position.0 == position)
        .ok_or_else(|| DomainError::not_found("SINK-0019", "The event is not in the ledger"))?;
    let settings = TransportSettings {
        outbound: state.outbound.clone(),
        host: caller.instance.domain.clone(),
        timeout: Duration::from_secs(10),
        clock: state.clock.clone(),
        encoder: state.event_encoder.clone(),
    };
    let transport = Transport::build(
        &caller.instance.id,
        &sink_id,
        &loaded.state,
        &state.master_key,
        &settings,
    )
    .map_err(|e| DomainError::precondition("SINK-0020", e.to_string()))?;
    if let Err(error) = transport.send(&[event]).await {
        return Err(DomainError::new(
            ErrorKind::Unavailable,
            "SINK-0021",
            format!("delivery failed: {error}"),
        ));
    }
    castellan_sinks::worker::count_sent(&sink_id, 1);
    let resolve = OnSink::new(&sink_id, |current: &Sink| sink::resolve(current, position));
    let outcome = state
        .writer
        .execute_or_unchanged(&ctx(&caller), &resolve)
        .await?;
    if let Outcome::Committed(committed) = &outcome {
        wait(&state, &committed.appended.events).await;
    }
    Ok(json!({ "delivered": true, "position": position.to_string() }))
}
