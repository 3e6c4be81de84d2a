//! The `castellan` binary's library: configuration, storage, first-instance bootstrap and the
//! HTTP server. Every role runs in one process (the embedded default); splitting roles across
//! processes arrives with issue #3.

pub mod backchannel_config;
pub mod bootstrap;
pub mod config;
pub mod distributed;
pub mod http;
pub mod master_key;
pub mod notifier;
pub mod outbound_config;
pub mod scim_outbound;
pub mod sinks;
pub mod smtp_config;
pub mod storage;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use castellan_api::state::{ApiConfig, AppState};
use castellan_core::clock::{Clock, SystemClock};
use castellan_core::ids::SnowflakeIds;
use castellan_readers::projections;
use castellan_readers::runner::Projector;
use castellan_schemas::catalog::SchemaCatalog;
use castellan_schemas::registry::EmbeddedRegistry;
use castellan_writer::Writer;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::watch;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error(transparent)]
    Bootstrap(#[from] bootstrap::BootstrapError),
    #[error("read model: {0}")]
    Projection(#[from] castellan_readers::store::ReadError),
    #[error("cannot listen on port {port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
    #[error("event stream: {0}")]
    Stream(String),
}

/// The process's parts, wired together.
pub struct Runtime {
    pub writer: Arc<Writer>,
    pub projector: Arc<Projector>,
    pub clock: Arc<dyn Clock>,
}

/// Opens storage, migrates it and builds the writer and the projector.
pub async fn assemble(config: &Config) -> Result<Runtime, ServerError> {
    let storage = storage::open(config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let writer = Arc::new(Writer::new(
        storage.ledger.clone(),
        clock.clone(),
        Arc::new(SnowflakeIds::new(SystemClock, 1)),
    ));
    let projector = Arc::new(Projector::new(
        storage.ledger,
        storage.read_store,
        projections::all(),
    ));
    Ok(Runtime {
        writer,
        projector,
        clock,
    })
}

/// `castellan init`/`setup`: migrations, then (for setup) the first instance.
pub async fn setup(config: &Config, with_instance: bool) -> Result<(), ServerError> {
    let runtime = assemble(config).await?;
    if with_instance {
        bootstrap::ensure_first_instance(&runtime.writer, config).await?;
        runtime.projector.catch_up().await?;
    }
    Ok(())
}

/// `castellan start`: serves until `shutdown` turns true, then drains and returns. With Kafka
/// configured, runs the distributed roles; otherwise everything in one process (embedded).
pub async fn start(
    config: Config,
    metrics: Option<PrometheusHandle>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    if config.distributed() {
        start_distributed(config, metrics, shutdown).await
    } else {
        start_embedded(config, metrics, shutdown).await
    }
}

async fn start_distributed(
    config: Config,
    metrics: Option<PrometheusHandle>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", config.port))
        .await
        .map_err(|source| ServerError::Listen {
            port: config.port,
            source,
        })?;
    let parts = distributed::connect(&config).await?;
    let mut workers = distributed::spawn_workers(&config, &parts, &shutdown).await?;
    let app = if config.has_role("api") {
        let (app, writer) = distributed::app_state(&config, &parts)?;
        bootstrap::ensure_first_instance(&writer, &config).await?;
        // Every API process runs the back-channel logout worker; the ledger elects one to deliver.
        workers.push(castellan_oidc::backchannel::worker::spawn(
            app.clone(),
            config.backchannel.worker(),
            shutdown.clone(),
        ));
        Some(app)
    } else {
        None
    };
    let ready = Arc::new(AtomicBool::new(false));
    let router = http::router(app, Some(parts.registry.clone()), ready.clone(), metrics);
    ready.store(true, Ordering::Release);
    tracing::info!(port = config.port, roles = ?config.roles, "castellan (distributed) is ready");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    })
    .await
    .map_err(ServerError::Serve)?;
    ready.store(false, Ordering::Release);
    for worker in workers {
        let _ = worker.await;
    }
    tracing::info!("castellan stopped");
    Ok(())
}

async fn start_embedded(
    config: Config,
    metrics: Option<PrometheusHandle>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", config.port))
        .await
        .map_err(|source| ServerError::Listen {
            port: config.port,
            source,
        })?;
    let runtime = assemble(&config).await?;
    bootstrap::ensure_first_instance(&runtime.writer, &config).await?;
    runtime.projector.catch_up().await?;
    let projector_task = tokio::spawn(runtime.projector.clone().run(shutdown.clone()));
    let master_key = crate::master_key::load(&config)?;
    let notifier_task = notifier::spawn(
        &config,
        runtime.writer.ledger().clone(),
        runtime.clock.clone(),
        master_key.clone(),
        shutdown.clone(),
    )?;
    // Kafka sinks send the relay's Avro: the embedded registry's ids, served below.
    let registry = Arc::new(
        EmbeddedRegistry::new(
            SchemaCatalog::new(&config.kafka.topic)
                .map_err(|e| ServerError::Config(format!("schemas: {e}")))?,
        )
        .map_err(|e| ServerError::Config(format!("schemas: {e}")))?,
    );
    let encoder = Arc::new(distributed::AvroEncoder(Arc::new(registry.ids())));
    let sinks_task = sinks::spawn(
        &config,
        runtime.writer.clone(),
        master_key.clone(),
        encoder.clone(),
        shutdown.clone(),
    )?;
    let scim_task = scim_outbound::spawn(
        &config,
        runtime.writer.clone(),
        master_key.clone(),
        castellan_scim::outbound::supervisor::Feed::Ledger,
        shutdown.clone(),
    )?;

    let ready = Arc::new(AtomicBool::new(false));
    let outbound = outbound_config::outbound_parts(&config).map_err(ServerError::Config)?;
    let app = AppState {
        writer: runtime.writer.clone(),
        store: runtime.projector.store().clone(),
        consistency: runtime.projector.clone(),
        clock: runtime.clock.clone(),
        config: ApiConfig {
            validate_org_domains: config.domain_policy.validate_org_domains,
            domain_check: outbound.domain_check,
            password_hasher: config.password_hasher.params(),
            external_secure: config.external_secure,
            mail: notifier::mail_enabled(&config),
            ..ApiConfig::default()
        },
        outbound: outbound.outbound,
        dns: outbound.dns,
        master_key,
        limits: castellan_api::limits::Limits::new(config.rate_limits),
        event_encoder: encoder,
    };
    let logout_task = castellan_oidc::backchannel::worker::spawn(
        app.clone(),
        config.backchannel.worker(),
        shutdown.clone(),
    );
    let router = http::router(Some(app), Some(registry), ready.clone(), metrics);
    ready.store(true, Ordering::Release);
    tracing::info!(port = config.port, domain = %config.external_domain, "castellan is ready");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    })
    .await
    .map_err(ServerError::Serve)?;
    ready.store(false, Ordering::Release);
    let _ = projector_task.await;
    let _ = logout_task.await;
    for task in [notifier_task, sinks_task, scim_task].into_iter().flatten() {
        let _ = task.await;
    }
    tracing::info!("castellan stopped");
    Ok(())
}

/// Every v2 method served (the API services and the OIDC crate's), as Connect paths without the
/// leading slash.
pub fn served_methods() -> Vec<String> {
    let mut methods = castellan_api::served_methods();
    methods.extend(castellan_oidc::served_methods());
    methods.sort();
    methods
}

#[cfg(test)]
mod coverage_tests {
    /// `docs/api-coverage.md` is generated from what the router serves and ZITADEL's method list
    /// (`docs/zitadel-v2-methods.txt`). Regenerate with `CASTELLAN_UPDATE_COVERAGE=1 cargo test -p
    /// castellan-server coverage`.
    #[test]
    fn api_coverage_document_is_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let list = std::fs::read_to_string(root.join("docs/zitadel-v2-methods.txt")).unwrap();
        let wanted: Vec<&str> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let served = super::served_methods();
        for method in &served {
            assert!(
                wanted.contains(&method.as_str()),
                "{method} is served but not a ZITADEL v2 method"
            );
        }
        let mut doc = String::from(
            "# API coverage\n\nGenerated by `api_coverage_document_is_current` (castellan-server) from the methods the \
             router serves and ZITADEL's v2 method list (`docs/zitadel-v2-methods.txt`). Each served method \
             answers Connect unary JSON and its REST path.\n\n",
        );
        doc.push_str(&format!(
            "Served: **{} of {}** v2 methods.\n\n",
            served.len(),
            wanted.len()
        ));
        let mut service = "";
        for method in &wanted {
            let (name, rpc) = method.split_once('/').unwrap_or((method, ""));
            if name != service {
                service = name;
                let count = wanted
                    .iter()
                    .filter(|m| m.starts_with(&format!("{name}/")))
                    .count();
                let done = served
                    .iter()
                    .filter(|m| m.starts_with(&format!("{name}/")))
                    .count();
                doc.push_str(&format!("\n## {name} ({done}/{count})\n\n"));
            }
            let mark = if served.iter().any(|m| m == method) {
                "x"
            } else {
                " "
            };
            doc.push_str(&format!("- [{mark}] {rpc}\n"));
        }
        let path = root.join("docs/api-coverage.md");
        if std::env::var("CASTELLAN_UPDATE_COVERAGE").is_ok() {
            std::fs::write(&path, &doc).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == doc,
            "docs/api-coverage.md is stale: run CASTELLAN_UPDATE_COVERAGE=1 cargo test -p castellan-server coverage"
        );
    }
}
