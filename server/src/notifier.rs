//! Starts the notifier (mailed codes) where the ledger is: in the embedded process, and in the
//! distributed `relay` role. Several relay processes elect one notifier through the ledger.

use std::sync::Arc;

use castellan_core::clock::Clock;
use castellan_oidc::notify::{Notifier, relay_config};
use castellan_outbound::mail::Mailer;
use castellan_writer::ledger::Ledger;
use castellan_writer::relay::Relay;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ServerError;
use crate::config::Config;

/// `http(s)://domain[:port]` of the hosted login, for links in mails without a template.
pub fn external_origin(config: &Config) -> String {
    let scheme = if config.external_secure {
        "https"
    } else {
        "http"
    };
    let default_port = if config.external_secure { 443 } else { 80 };
    if config.external_port == default_port {
        format!("{scheme}://{}", config.external_domain)
    } else {
        format!(
            "{scheme}://{}:{}",
            config.external_domain, config.external_port
        )
    }
}

/// Whether codes are mailed (an SMTP host is configured).
pub fn mail_enabled(config: &Config) -> bool {
    !config.smtp.host.trim().is_empty()
}

/// Spawns the notifier when SMTP is configured.
pub fn spawn(
    config: &Config,
    ledger: Arc<dyn Ledger>,
    clock: Arc<dyn Clock>,
    key: castellan_jose::MasterKey,
    shutdown: watch::Receiver<bool>,
) -> Result<Option<JoinHandle<()>>, ServerError> {
    let Some(settings) = config
        .smtp
        .mailer_config(&config.external_domain)
        .map_err(ServerError::Config)?
    else {
        tracing::info!("no SMTP host configured: codes are recorded, not mailed");
        return Ok(None);
    };
    let mailer = Mailer::new(&settings).map_err(|e| ServerError::Config(e.to_string()))?;
    let notifier = Notifier::new(ledger.clone(), mailer, key, clock, external_origin(config));
    let relay = Arc::new(Relay::new(ledger, Arc::new(notifier), relay_config()));
    tracing::info!(host = %settings.host, port = settings.port, "notifier started");
    Ok(Some(tokio::spawn(relay.run(shutdown))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_leaves_out_default_ports() {
        let mut config = Config {
            external_domain: "login.example.com".into(),
            external_port: 8080,
            ..Config::default()
        };
        assert_eq!(external_origin(&config), "http://login.example.com:8080");
        config.external_secure = true;
        config.external_port = 443;
        assert_eq!(external_origin(&config), "https://login.example.com");
    }
}
