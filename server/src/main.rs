//! `castellan`: start the server, or run its setup steps explicitly.

use std::path::PathBuf;
use std::process::ExitCode;

use castellan_server::config::Config;
use clap::{Parser, Subcommand};
use tokio::sync::watch;

#[derive(Parser)]
#[command(name = "castellan", version, about = "Castellan identity platform")]
struct Cli {
    /// A YAML configuration file (keys as in ZITADEL's defaults.yaml); CASTELLAN_* variables
    /// override it.
    #[arg(long, global = true, env = "CASTELLAN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every role in this process; on first start, create the first instance.
    Start,
    /// Create or upgrade the ledger and read-store schemas, then exit.
    Init,
    /// Run migrations and create the first instance if there is none, then exit.
    Setup,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = std::env::vars().filter(|(name, _)| name != "CASTELLAN_CONFIG");
    let config = match Config::load(cli.config.as_deref(), env) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("castellan: {error}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("castellan: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Start => {
                let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
                    .install_recorder()
                    .map_err(|error| tracing::warn!(%error, "metrics disabled"))
                    .ok();
                let (stop, stopped) = watch::channel(false);
                tokio::spawn(async move {
                    wait_for_signal().await;
                    tracing::info!("shutting down");
                    let _ = stop.send(true);
                });
                castellan_server::start(config, metrics, stopped).await
            }
            Command::Init => castellan_server::setup(&config, false).await,
            Command::Setup => castellan_server::setup(&config, true).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "castellan failed");
            eprintln!("castellan: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
