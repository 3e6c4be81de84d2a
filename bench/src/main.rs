//! `castellan-bench`: measures ledger append throughput and the API's organization calls, prints
//! the figures and appends them, with the machine they were measured on, to
//! `docs/benchmarks.md`. See `bench/README.md`.

mod api;
mod ceiling;
mod deployment;
mod keycloak;
mod ledger;
mod manipulate_user;
mod oidc;
mod peer;
mod pg;
mod pipeline;
mod report;
mod scim;
mod sinks;
mod stats;
mod zitadel;
mod zitadel_flows;
mod zitadel_report;
mod zitadel_setup;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Parser)]
#[command(
    name = "castellan-bench",
    version,
    about = "Measures Castellan's ledger and API throughput and records the figures"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,

    /// A PostgreSQL server URL with the right to create databases (e.g.
    /// postgres://castellan:castellan@127.0.0.1:55432/postgres). Each measurement creates a fresh
    /// `castellan_bench_<random>` database there and drops it afterwards. Without it, the
    /// PostgreSQL measurements are skipped.
    #[arg(
        long,
        global = true,
        env = "CASTELLAN_TEST_POSTGRES_URL",
        hide_env_values = true
    )]
    postgres_url: Option<String>,

    /// Events per ledger scenario (sequential and concurrent ones; the batch and contended
    /// scenarios derive theirs from it).
    #[arg(long, global = true, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(16..))]
    events: u64,

    /// Seconds each API measurement (one call at one concurrency) runs.
    #[arg(long, global = true, default_value_t = 8.0)]
    duration: f64,

    /// The `castellan` binary [default: target/release/castellan if it exists, else
    /// target/debug/castellan].
    #[arg(long, global = true)]
    castellan_bin: Option<PathBuf>,

    /// Where temporary SQLite ledgers and data directories go [default: the system temp dir].
    #[arg(long, global = true)]
    tmp_dir: Option<PathBuf>,

    /// The results file [default: docs/benchmarks.md in the repository].
    #[arg(long, global = true)]
    output: Option<PathBuf>,

    /// Kafka bootstrap servers for the pipeline scenario.
    #[arg(long, global = true, env = "CASTELLAN_TEST_KAFKA_BROKERS")]
    kafka_brokers: Option<String>,

    /// Cassandra/ScyllaDB nodes (host:port,...) for the pipeline scenario.
    #[arg(long, global = true, env = "CASTELLAN_TEST_CASSANDRA_NODES")]
    cassandra_nodes: Option<String>,

    /// Events per second written during the pipeline's lag measurement.
    #[arg(long, global = true, default_value_t = 200)]
    rate: u32,

    /// Users the scim scenario creates in one org before it measures lookups.
    #[arg(long, global = true, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    users: u64,

    /// Concurrent clients of the scim scenario's main creation run [default: the best of a
    /// short probe at 8, 16 and 32].
    #[arg(long, global = true, value_parser = clap::value_parser!(u64).range(1..=1024))]
    create_concurrency: Option<u64>,

    /// Seconds after which the scim scenario stops creating users (its lookups then run at the
    /// size reached, which the report states) [default: no limit].
    #[arg(long, global = true)]
    create_budget: Option<f64>,

    /// Stores the scim scenario runs on: `embedded` (SQLite ledger and read store) and
    /// `cassandra` (the distributed mode, which needs --postgres-url, --kafka-brokers and
    /// --cassandra-nodes).
    #[arg(long, global = true, value_delimiter = ',', default_values = ["embedded", "cassandra"])]
    scim_stores: Vec<ScimStore>,

    /// zitadel: the scenarios to run, by ZITADEL's names (comma-separated), or `all`.
    #[arg(long = "scenario", global = true, value_delimiter = ',', default_values = ["all"])]
    zitadel_scenarios: Vec<String>,

    /// zitadel: the closed-loop concurrencies each scenario is measured at.
    #[arg(long, global = true, value_delimiter = ',', default_values_t = [8_usize, 32])]
    concurrency: Vec<usize>,

    /// zitadel: humans with a TOTP authenticator for otp_session [default: enough for
    /// --duration at about 150 iterations/s].
    #[arg(long, global = true)]
    otp_users: Option<usize>,

    /// zitadel: skip the peer (panva's oidc-provider, needs node and npm).
    #[arg(long, global = true)]
    no_peer: bool,

    /// zitadel: an extracted Keycloak server distribution (org.keycloak:keycloak-quarkus-dist
    /// from Maven Central) to measure as a second peer, started with `kc.sh start-dev`.
    #[arg(long, global = true)]
    keycloak: Option<PathBuf>,

    /// zitadel: skip the ceiling (trivial endpoint, raw argon2id and RS256 rates).
    #[arg(long, global = true)]
    no_ceiling: bool,

    /// Print the figures but do not append them to the results file.
    #[arg(long, global = true)]
    no_record: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Subcommand)]
enum Scenario {
    /// Ledger append throughput (SQLite, and PostgreSQL if a URL is given).
    Ledger,
    /// AddOrganization / ListOrganizations against the real `castellan` binary.
    Api,
    /// ZITADEL's manipulate_user scenario (create → update → lock → delete a user through the
    /// UserService), on the SQLite ledger and, with --postgres-url, on PostgreSQL.
    #[command(alias = "manipulate_user")]
    ManipulateUser,
    /// The OpenID Provider: client credentials, introspection, userinfo with a PAT, password
    /// logins (Session API) against the raw argon2 verification rate.
    Oidc,
    /// Ledger and API (not the pipeline, which needs Kafka and Cassandra).
    All,
    /// ZITADEL's published load scenarios (--scenario NAME,... or all) against Castellan
    /// embedded and, with --postgres-url, --kafka-brokers and --cassandra-nodes, distributed;
    /// beside the peer (oidc-provider) and the ceiling, in the same run.
    Zitadel,
    /// The distributed pipeline: relay and reader throughput, end-to-end lag. Needs
    /// --postgres-url, --kafka-brokers and --cassandra-nodes (or the CASTELLAN_TEST_* variables).
    Pipeline,
    /// SCIM 2.0 provisioning: create --users users in one org (POST /Users, Okta-like bodies),
    /// then userName lookups among them; on the embedded store and on the distributed mode.
    Scim,
    /// SIEM sinks: events/s each sink kind (webhook, Splunk HEC, syslog TCP, Kafka with
    /// --kafka-brokers) delivers while catching up with --events pre-loaded user creations, and
    /// commit-to-delivery latency at --rate events/s for --duration.
    Sinks,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ScimStore {
    Embedded,
    Cassandra,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if !(cli.duration.is_finite() && cli.duration > 0.0) {
        return Err("--duration must be a positive number of seconds".into());
    }
    let tmp_base = cli.tmp_dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&tmp_base)?;
    let env = report::Environment::capture(&tmp_base);
    println!("castellan-bench ({} build)", env.bench_profile);
    println!("load average before the run: {}", env.load_before);
    if let Some(busy) = env.cpu_busy_before {
        println!("CPU busy in the second before the run: {busy:.0}%");
    }

    let started = Instant::now();
    let mut results = report::RunResults::default();
    if let Some(url) = &cli.postgres_url {
        match pg::server_settings(url).await {
            Ok(settings) => results.postgres_settings = Some(settings),
            Err(error) => failed(&mut results, "reading the PostgreSQL settings", &error),
        }
    } else {
        let note = "PostgreSQL skipped: no --postgres-url and no CASTELLAN_TEST_POSTGRES_URL";
        println!("{note}");
        results.notes.push(note.into());
    }

    if matches!(cli.scenario, Scenario::Ledger | Scenario::All) {
        run_ledger(&cli, &tmp_base, &mut results).await;
    }
    if matches!(cli.scenario, Scenario::Api | Scenario::All) {
        run_api(&cli, &tmp_base, &mut results, api::Workload::Orgs).await;
    }
    if matches!(cli.scenario, Scenario::ManipulateUser | Scenario::All) {
        run_api(&cli, &tmp_base, &mut results, api::Workload::ManipulateUser).await;
    }
    if matches!(cli.scenario, Scenario::Oidc | Scenario::All) {
        run_api(&cli, &tmp_base, &mut results, api::Workload::Oidc).await;
    }
    if cli.scenario == Scenario::Pipeline {
        run_pipeline(&cli, &tmp_base, &mut results).await;
    }
    if cli.scenario == Scenario::Scim {
        run_scim(&cli, &tmp_base, &mut results).await;
    }
    if cli.scenario == Scenario::Sinks {
        run_sinks(&cli, &tmp_base, &mut results).await;
    }
    let mut zitadel_section = String::new();
    if cli.scenario == Scenario::Zitadel {
        zitadel_section = run_zitadel(&cli, &tmp_base, &mut results).await;
    }

    let wall = started.elapsed();
    let load_after = report::load_average();
    let section = report::section(&env, &mut results, &load_after, wall)? + &zitadel_section;
    println!("load average after the run: {load_after}");
    println!("wall time: {:.0} s", wall.as_secs_f64());
    if cli.no_record {
        println!("\n{section}");
        println!("(--no-record: not written)");
    } else {
        let output = cli.output.clone().unwrap_or_else(|| {
            report::repo_root()
                .unwrap_or_default()
                .join("docs")
                .join("benchmarks.md")
        });
        report::append(&output, &section)?;
        println!("results appended to {}", output.display());
    }
    if results.failed {
        return Err("some measurements failed (see the notes above)".into());
    }
    Ok(())
}

async fn run_ledger(cli: &Cli, tmp_base: &std::path::Path, results: &mut report::RunResults) {
    let config = ledger::LedgerConfig { events: cli.events };
    println!(
        "ledger: sqlite (temporary directory under {})",
        tmp_base.display()
    );
    match ledger::sqlite(config, tmp_base).await {
        Ok(measured) => results.ledger.extend(measured),
        Err(error) => failed(results, "ledger, sqlite", &error),
    }
    if let Some(url) = &cli.postgres_url {
        let measured: Result<Vec<ledger::LedgerResult>> = async {
            let database = pg::FreshDatabase::create(url).await?;
            println!("ledger: postgres (database {})", database.name);
            let measured = ledger::postgres(config, &database.url).await;
            let dropped = database.drop_now().await;
            let measured = measured?;
            dropped?;
            Ok(measured)
        }
        .await;
        match measured {
            Ok(measured) => results.ledger.extend(measured),
            Err(error) => failed(results, "ledger, postgres", &error),
        }
    }
}

async fn run_api(
    cli: &Cli,
    tmp_base: &std::path::Path,
    results: &mut report::RunResults,
    workload: api::Workload,
) {
    let (bin, profile) = match api::resolve_bin(cli.castellan_bin.clone()) {
        Ok(found) => found,
        Err(error) => return failed(results, "api", &error),
    };
    println!("api: castellan binary {} ({profile} build)", bin.display());
    if profile != "release" {
        let note =
            format!("the castellan binary is a {profile} build: figures are not representative");
        println!("warning: {note}");
        results.notes.push(note);
    }
    results.castellan_bin = Some((bin.display().to_string(), profile));
    let config = api::ApiConfig {
        bin,
        duration: Duration::from_secs_f64(cli.duration),
        tmp_base: tmp_base.to_owned(),
    };
    println!("api: embedded SQLite");
    match api::run(&config, "sqlite", None, workload).await {
        Ok(run) => results.servers.push(run),
        Err(error) => failed(results, "api, sqlite", &error),
    }
    if let Some(url) = &cli.postgres_url {
        let measured: Result<api::ServerRun> = async {
            let database = pg::FreshDatabase::create(url).await?;
            println!("api: postgres (database {})", database.name);
            let measured = api::run(&config, "postgres", Some(&database.url), workload).await;
            let dropped = database.drop_now().await;
            let measured = measured?;
            dropped?;
            Ok(measured)
        }
        .await;
        match measured {
            Ok(run) => results.servers.push(run),
            Err(error) => failed(results, "api, postgres", &error),
        }
    }
}

async fn run_pipeline(cli: &Cli, tmp_base: &std::path::Path, results: &mut report::RunResults) {
    let (Some(postgres_url), Some(brokers), Some(nodes)) =
        (&cli.postgres_url, &cli.kafka_brokers, &cli.cassandra_nodes)
    else {
        let error: Error =
            "the pipeline needs --postgres-url, --kafka-brokers and --cassandra-nodes".into();
        return failed(results, "pipeline", &error);
    };
    let (bin, profile) = match api::resolve_bin(cli.castellan_bin.clone()) {
        Ok(found) => found,
        Err(error) => return failed(results, "pipeline", &error),
    };
    println!(
        "pipeline: castellan binary {} ({profile} build)",
        bin.display()
    );
    results.castellan_bin = Some((bin.display().to_string(), profile));
    let config = pipeline::PipelineConfig {
        bin,
        tmp_base: tmp_base.to_owned(),
        postgres_url: postgres_url.clone(),
        brokers: brokers.clone(),
        cassandra_nodes: nodes.clone(),
        events: cli.events,
        rate: cli.rate,
        lag_duration: Duration::from_secs_f64(cli.duration),
    };
    match pipeline::run(&config).await {
        Ok(measured) => results.pipeline = Some(measured),
        Err(error) => failed(results, "pipeline", &error),
    }
}

async fn run_scim(cli: &Cli, tmp_base: &std::path::Path, results: &mut report::RunResults) {
    let (bin, profile) = match api::resolve_bin(cli.castellan_bin.clone()) {
        Ok(found) => found,
        Err(error) => return failed(results, "scim", &error),
    };
    println!("scim: castellan binary {} ({profile} build)", bin.display());
    if profile != "release" {
        let note =
            format!("the castellan binary is a {profile} build: figures are not representative");
        results.notes.push(note);
    }
    results.castellan_bin = Some((bin.display().to_string(), profile));
    let config = api::ApiConfig {
        bin,
        duration: Duration::from_secs_f64(cli.duration),
        tmp_base: tmp_base.to_owned(),
    };
    let scim_config = scim::ScimConfig {
        users: cli.users,
        create_concurrency: cli.create_concurrency.map(|c| c as usize),
        create_budget: cli
            .create_budget
            .filter(|secs| secs.is_finite() && *secs > 0.0)
            .map(Duration::from_secs_f64),
    };
    let mut record = |outcome: Result<(api::ServerRun, String)>, what: &str| match outcome {
        Ok((run, note)) => {
            results.notes.push(note);
            results.servers.push(run);
        }
        Err(error) => failed(results, what, &error),
    };
    if cli.scim_stores.contains(&ScimStore::Embedded) {
        println!("scim: embedded store ({} users)", cli.users);
        record(
            scim::run(&config, &scim_config, "embedded", &[]).await,
            "scim, embedded",
        );
    }
    if cli.scim_stores.contains(&ScimStore::Cassandra) {
        let (Some(postgres_url), Some(brokers), Some(nodes)) =
            (&cli.postgres_url, &cli.kafka_brokers, &cli.cassandra_nodes)
        else {
            let error: Error =
                "scim on cassandra needs --postgres-url, --kafka-brokers and --cassandra-nodes"
                    .into();
            return failed(results, "scim, cassandra", &error);
        };
        println!(
            "scim: distributed mode, Cassandra read store ({} users)",
            cli.users
        );
        let outcome =
            scim::run_distributed(&config, &scim_config, postgres_url, brokers, nodes).await;
        record(outcome, "scim, cassandra");
    }
}

async fn run_sinks(cli: &Cli, tmp_base: &std::path::Path, results: &mut report::RunResults) {
    let (bin, profile) = match api::resolve_bin(cli.castellan_bin.clone()) {
        Ok(found) => found,
        Err(error) => return failed(results, "sinks", &error),
    };
    println!(
        "sinks: castellan binary {} ({profile} build)",
        bin.display()
    );
    results.castellan_bin = Some((bin.display().to_string(), profile));
    let config = api::ApiConfig {
        bin,
        duration: Duration::from_secs_f64(cli.duration),
        tmp_base: tmp_base.to_owned(),
    };
    let sinks_config = sinks::SinksConfig {
        preload: cli.events,
        rate: cli.rate,
        latency_duration: Duration::from_secs_f64(cli.duration),
        kafka_brokers: cli.kafka_brokers.clone(),
    };
    match sinks::run(&config, &sinks_config).await {
        Ok((run, notes)) => {
            results.notes.extend(notes);
            results.servers.push(run);
        }
        Err(error) => failed(results, "sinks", &error),
    }
}

async fn run_zitadel(
    cli: &Cli,
    tmp_base: &std::path::Path,
    results: &mut report::RunResults,
) -> String {
    let mut scenarios = Vec::new();
    for name in &cli.zitadel_scenarios {
        if name == "all" {
            scenarios = zitadel::SCENARIOS.iter().map(|s| s.name).collect();
            break;
        }
        match zitadel::scenario(name) {
            Some(found) if !scenarios.contains(&found.name) => scenarios.push(found.name),
            Some(_) => {}
            None => {
                let known: Vec<&str> = zitadel::SCENARIOS.iter().map(|s| s.name).collect();
                let error: Error =
                    format!("unknown scenario {name}; known: all, {}", known.join(", ")).into();
                failed(results, "zitadel", &error);
                return String::new();
            }
        }
    }
    let (bin, profile) = match api::resolve_bin(cli.castellan_bin.clone()) {
        Ok(found) => found,
        Err(error) => {
            failed(results, "zitadel", &error);
            return String::new();
        }
    };
    println!(
        "zitadel: castellan binary {} ({profile} build)",
        bin.display()
    );
    if profile != "release" {
        results.notes.push(format!(
            "the castellan binary is a {profile} build: figures are not representative"
        ));
    }
    results.castellan_bin = Some((bin.display().to_string(), profile));
    let duration = Duration::from_secs_f64(cli.duration);
    let concurrencies: Vec<usize> = cli.concurrency.iter().map(|&c| c.clamp(1, 1024)).collect();
    let config = zitadel::ZitadelConfig {
        api: api::ApiConfig {
            bin,
            duration,
            tmp_base: tmp_base.to_owned(),
        },
        scenarios,
        otp_users: cli
            .otp_users
            .unwrap_or_else(|| zitadel::otp_users_needed(duration, concurrencies.len())),
        concurrencies,
        distributed: match (&cli.postgres_url, &cli.kafka_brokers, &cli.cassandra_nodes) {
            (Some(url), Some(brokers), Some(nodes)) => {
                Some((url.clone(), brokers.clone(), nodes.clone()))
            }
            _ => None,
        },
        peer: !cli.no_peer,
        keycloak: cli.keycloak.clone(),
        ceiling: !cli.no_ceiling,
    };
    let mut failures = Vec::new();
    let mut measured = zitadel::run(&config, &mut results.servers, &mut failures).await;
    for failure in failures {
        failed(results, "zitadel", &failure.into());
    }
    match zitadel_report::markdown(&mut measured) {
        Ok(section) => section,
        Err(error) => {
            failed(results, "zitadel report", &error);
            String::new()
        }
    }
}

/// Notes a failed measurement; the run goes on and the section says what is missing.
fn failed(results: &mut report::RunResults, what: &str, error: &Error) {
    let note = format!("FAILED: {what}: {error} (its figures are missing from this section)");
    eprintln!("{note}");
    results.notes.push(note);
    results.failed = true;
}
