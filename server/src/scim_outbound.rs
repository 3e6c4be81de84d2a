//! The `ScimOutbound` section of the configuration and the outbound SCIM supervisor (pushes to
//! downstream SCIM targets), started where the ledger is: in the embedded process and in the
//! distributed `relay` role.

use std::sync::Arc;
use std::time::Duration;

use castellan_scim::outbound::RetryPolicy;
use castellan_scim::outbound::supervisor::{Feed, Supervisor, SupervisorConfig};
use castellan_writer::Writer;
use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ServerError;
use crate::config::Config;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct ScimOutboundSettings {
    /// Whether targets are pushed to at all in this process.
    pub enabled: bool,
    /// How often the target list is looked at again.
    pub poll_seconds: u64,
    /// Events a target worker reads from the ledger at a time.
    pub batch_size: usize,
    /// Attempts per push before it becomes a dead letter.
    pub max_attempts: u32,
    /// The first retry pause; it doubles up to `RetryMaxMillis`.
    pub retry_base_millis: u64,
    pub retry_max_millis: u64,
}

impl Default for ScimOutboundSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_seconds: 3,
            batch_size: 200,
            max_attempts: 8,
            retry_base_millis: 500,
            retry_max_millis: 30_000,
        }
    }
}

impl ScimOutboundSettings {
    /// `CASTELLAN_SCIMOUTBOUND_*`; `None` for a name this section does not know.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        let number = |value: &str| value.trim().parse::<u64>().map_err(|_| "a number");
        Some(match key {
            "SCIMOUTBOUND_ENABLED" => crate::config::parse_bool(value)
                .map(|on| self.enabled = on)
                .ok_or("true or false"),
            "SCIMOUTBOUND_POLLSECONDS" => number(value).map(|n| self.poll_seconds = n),
            "SCIMOUTBOUND_BATCHSIZE" => number(value).map(|n| self.batch_size = n as usize),
            "SCIMOUTBOUND_MAXATTEMPTS" => number(value).map(|n| self.max_attempts = n as u32),
            "SCIMOUTBOUND_RETRYBASEMILLIS" => number(value).map(|n| self.retry_base_millis = n),
            "SCIMOUTBOUND_RETRYMAXMILLIS" => number(value).map(|n| self.retry_max_millis = n),
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
            ..SupervisorConfig::default()
        }
    }
}

/// Spawns the outbound SCIM supervisor (unless `ScimOutbound.Enabled` is false); its workers
/// read the event stream from `feed`.
pub fn spawn(
    config: &Config,
    writer: Arc<Writer>,
    key: castellan_jose::MasterKey,
    feed: Feed,
    shutdown: watch::Receiver<bool>,
) -> Result<Option<JoinHandle<()>>, ServerError> {
    let settings = &config.scim_outbound;
    if !settings.enabled {
        return Ok(None);
    }
    let outbound = crate::outbound_config::outbound_parts(config).map_err(ServerError::Config)?;
    let supervisor = Supervisor::new(
        writer,
        key,
        outbound.outbound,
        settings.supervisor_config(),
        feed,
    );
    Ok(Some(tokio::spawn(supervisor.run(shutdown))))
}
