//! Commands on SIEM sinks. A sink belongs to its instance (the instance id is its resource
//! owner). Secrets arrive sealed: the writer never sees a sink credential in plaintext.

use async_trait::async_trait;
use castellan_core::DomainError;
use castellan_core::event::Decision;
use castellan_core::sink::{Sink, SinkEvent};

use crate::writer::{Command, CommandContext, Plan, Writer};

/// Any command that decides about one sink alone: create, change, remove, record or resolve a
/// dead letter. The sink id is chosen before the command runs.
pub struct OnSink<F> {
    pub sink_id: String,
    pub decide: F,
}

impl<F> OnSink<F>
where
    F: Fn(&Sink) -> Result<Decision<SinkEvent>, DomainError> + Send + Sync,
{
    pub fn new(sink_id: &str, decide: F) -> Self {
        Self {
            sink_id: sink_id.to_owned(),
            decide,
        }
    }
}

#[async_trait]
impl<F> Command for OnSink<F>
where
    F: Fn(&Sink) -> Result<Decision<SinkEvent>, DomainError> + Send + Sync,
{
    type Output = ();

    async fn plan(&self, writer: &Writer, ctx: &CommandContext) -> Result<(Plan, ()), DomainError> {
        let loaded = writer.load::<Sink>(ctx, &self.sink_id).await?;
        let decision = (self.decide)(&loaded.state)?;
        let mut plan = Plan::default();
        plan.add(
            ctx,
            &self.sink_id,
            loaded.version,
            &ctx.instance_id,
            decision,
        )?;
        Ok((plan, ()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use castellan_core::clock::{FixedClock, Timestamp};
    use castellan_core::ids::SequentialIds;
    use castellan_core::sink::{self, DeadLetter, SinkKind, SinkSettings, SinkSpec};

    use super::*;
    use crate::ledger::Ledger;
    use crate::ledger::sqlite::SqliteLedger;

    async fn writer() -> Writer {
        let ledger = Arc::new(SqliteLedger::open_in_memory().await.unwrap());
        ledger.migrate().await.unwrap();
        Writer::new(
            ledger,
            Arc::new(FixedClock(Timestamp(1))),
            Arc::new(SequentialIds::new("t-")),
        )
    }

    #[tokio::test]
    async fn a_sink_is_created_owned_by_its_instance_and_records_dead_letters_once() {
        let writer = writer().await;
        let ctx = CommandContext {
            instance_id: "inst".into(),
            creator: "admin".into(),
        };
        let spec = SinkSpec {
            name: "syslog".into(),
            kind: SinkKind::Syslog,
            settings: SinkSettings {
                endpoint: "127.0.0.1:514".into(),
                ..SinkSettings::default()
            },
            ..SinkSpec::default()
        };
        writer
            .execute(&ctx, &OnSink::new("s1", |s: &Sink| sink::add(s, &spec, "")))
            .await
            .unwrap();
        let letter = DeadLetter {
            position: 7,
            event_type: "user.human.added".into(),
            aggregate_id: "u".into(),
            error: "refused".into(),
        };
        let record = OnSink::new("s1", |s: &Sink| Ok(sink::record_failure(s, &letter)));
        writer.execute_or_unchanged(&ctx, &record).await.unwrap();
        writer.execute_or_unchanged(&ctx, &record).await.unwrap();
        let loaded = writer.load::<Sink>(&ctx, "s1").await.unwrap();
        assert_eq!(loaded.state.dead_letters.len(), 1);
        assert_eq!(loaded.version, 2, "the second failure appended nothing");
    }
}
