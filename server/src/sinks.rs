//! The `Sinks` section of the configuration and the sink supervisor (SIEM audit streams),
//! started where the ledger is: in the embedded process and in the distributed `relay` role.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::clock::{Clock, SystemClock};
use castellan_sinks::TransportSettings;
use castellan_sinks::supervisor::{Supervisor, SupervisorConfig};
use castellan_sinks::worker::RetryPolicy;
use castellan_writer::Writer;
use castellan_writer::relay::kafka::EventEncoder;
use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ServerError;
use crate::config::Config;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct SinksSettings {
    /// Whether sinks deliver at all in this process.
    pub enabled: bool,
    /// How often the sink list is looked at again.
    pub poll_seconds: u64,
    /// Events a sink worker reads from the ledger at a time.
    pub batch_size: usize,
    /// Attempts per delivery before it becomes a dead letter.
    pub max_attempts: u32,
    /// The first retry pause; it doubles up to `RetryMaxMillis`.
    pub retry_base_millis: u64,
    pub retry_max_millis: u64,
    /// Time limit of syslog connects and writes, and of a Kafka record's acknowledgement.
    pub timeout_seconds: u64,
}

impl Default for SinksSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_seconds: 3,
            batch_size: 100,
            max_attempts: 5,
            retry_base_millis: 500,
            retry_max_millis: 30_000,
            timeout_seconds: 10,
        }
    }
}

impl SinksSettings {
    /// `CASTELLAN_SINKS_*`; `None` for a name this section does not know.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        let number = |value: &str| value.trim().parse::<u64>().map_err(|_| "a number");
        Some(match key {
            "SINKS_ENABLED" => crate::config::parse_bool(value)
                .map(|on| self.enabled = on)
                .ok_or("true or false"),
            "SINKS_POLLSECONDS" => number(value).map(|n| self.poll_seconds = n),
            "SINKS_BATCHSIZE" => number(value).map(|n| self.batch_size = n as usize),
            "SINKS_MAXATTEMPTS" => number(value).map(|n| self.max_attempts = n as u32),
            "SINKS_RETRYBASEMILLIS" => number(value).map(|n| self.retry_base_millis = n),
            "SINKS_RETRYMAXMILLIS" => number(value).map(|n| self.retry_max_millis = n),
            "SINKS_TIMEOUTSECONDS" => number(value).map(|n| self.timeout_seconds = n),
            _ => return None,
        })
    }

    fn supervisor_config(&self) -> SupervisorConfig {
        SupervisorConfig {
            poll_interval: Duration::from_secs(self.poll_seconds.max(1)),
            batch_size: self.batch_size.clamp(1, 1000),
            retry: RetryPolicy {
                max_attempts: self.max_attempts.max(1),
                base_delay: Duration::from_millis(self.retry_base_millis),
                max_delay: Duration::from_millis(self.retry_max_millis.max(self.retry_base_millis)),
            },
        }
    }
}

/// Spawns the sink supervisor (unless `Sinks.Enabled` is false).
pub fn spawn(
    config: &Config,
    writer: Arc<Writer>,
    key: castellan_jose::MasterKey,
    encoder: Arc<dyn EventEncoder>,
    shutdown: watch::Receiver<bool>,
) -> Result<Option<JoinHandle<()>>, ServerError> {
    let settings = &config.sinks;
    if !settings.enabled {
        return Ok(None);
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let outbound = crate::outbound_config::outbound_parts(config).map_err(ServerError::Config)?;
    let transport = TransportSettings {
        outbound: outbound.outbound,
        host: config.external_domain.clone(),
        timeout: Duration::from_secs(settings.timeout_seconds.max(1)),
        clock,
        encoder,
    };
    let supervisor = Supervisor::new(writer, key, transport, settings.supervisor_config());
    Ok(Some(tokio::spawn(supervisor.run(shutdown))))
}
