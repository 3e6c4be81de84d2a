//! ZITADEL's published load scenarios (ZITADEL.md §1) against a Castellan this process starts,
//! embedded and (given PostgreSQL, Kafka and Cassandra) distributed, beside a peer (panva's
//! oidc-provider, see `peer.rs`) and a ceiling (`ceiling.rs`), all in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::Result;
use crate::api::{ApiConfig, ApiResult, Server, ServerRun, log_tail, print_result};
use crate::zitadel_setup::Fixture;
use crate::{zitadel_flows as flows, zitadel_setup};

/// One of ZITADEL's scenarios, with what an iteration costs and ZITADEL's published figure.
pub struct Scenario {
    pub name: &'static str,
    /// What one Castellan iteration does.
    pub what: &'static str,
    /// HTTP requests per iteration.
    pub requests: u32,
    /// argon2id verifications per iteration.
    pub argon2: u32,
    /// ZITADEL v4.19.2: k6 iterations/s and the k6 metric's p50/p95/p99.
    pub published: (f64, &'static str),
    /// The call measured on Castellan and on the peer (oidc-provider) for the pair, if the peer
    /// can do it.
    pub pair: Option<&'static str>,
    /// The same for Keycloak.
    pub keycloak: Option<&'static str>,
}

pub static SCENARIOS: [Scenario; 11] = [
    Scenario {
        name: "introspect",
        what: "POST /oauth/v2/introspect of an opaque token; the API app authenticates with a JWT signed by its key (private_key_jwt)",
        requests: 1,
        argon2: 0,
        published: (4810.0, "66 / 386 / 466 ms"),
        pair: Some("introspect_basic"),
        keycloak: None,
    },
    Scenario {
        name: "machine_client_credentials_login",
        what: "client_credentials token (machine user + secret, an argon2id hash), then userinfo with it",
        requests: 2,
        argon2: 1,
        published: (2006.0, "token 50 / 843 / 985 ms"),
        pair: Some("client_credentials"),
        keycloak: Some("machine_client_credentials_login"),
    },
    Scenario {
        name: "machine_jwt_profile_grant",
        what: "POST /oauth/v2/token, grant jwt-bearer, an assertion signed with the machine user's RSA key",
        requests: 1,
        argon2: 0,
        published: (2334.0, "token 127 / 746 / 896 ms"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "machine_pat_login",
        what: "GET /oidc/v1/userinfo with a personal access token",
        requests: 1,
        argon2: 0,
        published: (8371.0, "27 / 325 / 377 ms"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "user_info",
        what: "GET /oidc/v1/userinfo with the access token of a hosted login",
        requests: 1,
        argon2: 0,
        published: (8984.0, "25 / 263 / 321 ms"),
        pair: Some("user_info"),
        keycloak: Some("user_info"),
    },
    Scenario {
        name: "human_password_login",
        what: "the hosted login without JavaScript: authorize → login page → login name form → password form (CSRF cookie) → callback → code exchange",
        requests: 5,
        argon2: 1,
        published: (78.0, "flow 6.91 / 18.88 / 24.31 s"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "add_session",
        what: "SessionService/CreateSession with a user check",
        requests: 1,
        argon2: 0,
        published: (1388.0, "n/a"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "password_session",
        what: "SessionService/CreateSession with user and password checks",
        requests: 1,
        argon2: 1,
        published: (102.0, "4.77 / 16.27 / 18.54 s (bcrypt cost 12)"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "otp_session",
        what: "CreateSession with user and password checks, then SetSession with a TOTP code (ZITADEL's: login name, then an email OTP, no password)",
        requests: 2,
        argon2: 1,
        published: (173.0, "3.24 / 6.31 / 7.03 s (email OTP)"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "oidc_session",
        what: "authorize → CreateSession (user and password checks; Castellan finishes an auth request only with an authenticated user) → OIDCService/CreateCallback → code exchange, as a login UI's service account (IAM_LOGIN_CLIENT)",
        requests: 4,
        argon2: 1,
        published: (265.0, "n/a"),
        pair: None,
        keycloak: None,
    },
    Scenario {
        name: "manipulate_user",
        what: "UserService CreateUser → UpdateUser → LockUser → DeleteUser",
        requests: 4,
        argon2: 0,
        published: (66.0, "request 219 ms / 21 s / 25 s"),
        pair: None,
        keycloak: None,
    },
];

/// Calls measured on Castellan only to pair them with the peer's.
pub const PAIR_ONLY: [(&str, &str); 2] = [
    (
        "introspect_basic",
        "POST /oauth/v2/introspect, the API app with basic auth (as the peer)",
    ),
    (
        "client_credentials",
        "client_credentials token only (machine user + secret, an argon2id hash)",
    ),
];

pub fn scenario(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

#[derive(Clone, Debug)]
pub struct ZitadelConfig {
    pub api: ApiConfig,
    /// Scenario names (validated), in SCENARIOS order.
    pub scenarios: Vec<&'static str>,
    pub concurrencies: Vec<usize>,
    /// Humans with a TOTP authenticator for otp_session.
    pub otp_users: usize,
    /// PostgreSQL URL, Kafka brokers, Cassandra nodes.
    pub distributed: Option<(String, String, String)>,
    pub peer: bool,
    /// An extracted Keycloak server distribution to measure as a second peer.
    pub keycloak: Option<std::path::PathBuf>,
    pub ceiling: bool,
}

/// Everything the zitadel command measured; `backend` of each result is `embedded`,
/// `distributed`, `peer` or `ceiling`.
#[derive(Debug, Default)]
pub struct ZitadelResults {
    pub results: Vec<ApiResult>,
    pub notes: Vec<String>,
    pub peer_version: Option<String>,
    pub keycloak_version: Option<String>,
}

/// The zitadel command: selected scenarios on each target, then the section's tables.
pub async fn run(
    config: &ZitadelConfig,
    servers: &mut Vec<ServerRun>,
    failures: &mut Vec<String>,
) -> ZitadelResults {
    let mut out = ZitadelResults::default();
    if config.ceiling {
        ceiling(config, "start", &mut out, failures).await;
    }
    println!("zitadel: castellan embedded");
    match castellan(config, "embedded", &[], failures).await {
        Ok(run) => {
            out.results.extend(run.results.iter().map(copy_result));
            servers.push(run);
        }
        Err(error) => failures.push(format!("zitadel, embedded: {error}")),
    }
    if let Some((postgres_url, brokers, nodes)) = &config.distributed {
        println!("zitadel: castellan distributed (PostgreSQL ledger, Kafka, Cassandra read store)");
        match distributed(config, postgres_url, brokers, nodes, failures).await {
            Ok(run) => {
                out.results.extend(run.results.iter().map(copy_result));
                servers.push(run);
            }
            Err(error) => failures.push(format!("zitadel, distributed: {error}")),
        }
    } else {
        out.notes.push(
            "distributed mode skipped: it needs --postgres-url, --kafka-brokers and --cassandra-nodes"
                .into(),
        );
    }
    if config.peer {
        let pairs: Vec<&str> = config
            .scenarios
            .iter()
            .filter_map(|name| scenario(name).and_then(|s| s.pair))
            .collect();
        if !pairs.is_empty() {
            println!("zitadel: peer (oidc-provider)");
            match crate::peer::run(&pairs, &config.concurrencies, config.api.duration).await {
                Ok((results, version)) => {
                    out.results.extend(results);
                    out.peer_version = Some(version);
                }
                Err(error) => failures.push(format!("peer: {error}")),
            }
        }
    }
    if let Some(dir) = &config.keycloak {
        let pairs: Vec<&str> = config
            .scenarios
            .iter()
            .filter_map(|name| scenario(name).and_then(|s| s.keycloak))
            .collect();
        println!("zitadel: Keycloak from {}", dir.display());
        let measured = crate::keycloak::run(
            dir,
            &config.api.tmp_base,
            &pairs,
            &config.concurrencies,
            config.api.duration,
        )
        .await;
        match measured {
            Ok((results, version)) => {
                out.results.extend(results);
                out.keycloak_version = Some(version);
            }
            Err(error) => failures.push(format!("keycloak: {error}")),
        }
    }
    if config.ceiling {
        ceiling(config, "end", &mut out, failures).await;
    }
    out
}

/// The ceiling, measured at the start and at the end of the run: the machine is shared, and the
/// report takes the better of the two for each measurement.
async fn ceiling(
    config: &ZitadelConfig,
    when: &str,
    out: &mut ZitadelResults,
    failures: &mut Vec<String>,
) {
    println!(
        "zitadel: ceiling at the {when} (trivial HTTP endpoint in this process, raw crypto rates)"
    );
    match crate::ceiling::run(&config.concurrencies, config.api.duration, when).await {
        Ok(results) => out.results.extend(results),
        Err(error) => failures.push(format!("ceiling at the {when}: {error}")),
    }
}

fn copy_result(result: &ApiResult) -> ApiResult {
    ApiResult {
        backend: result.backend.clone(),
        call: result.call.clone(),
        concurrency: result.concurrency,
        ok: result.ok,
        errors: result.errors,
        elapsed: result.elapsed,
        latencies: result.latencies.clone(),
        note: result.note.clone(),
    }
}

/// How many TOTP users `otp_session` needs at this duration (each serves about three checks in
/// the first 30 s; about 150 iterations/s are the most two cores do with argon2id).
pub fn otp_users_needed(duration: Duration, points: usize) -> usize {
    let iterations = 150.0 * duration.as_secs_f64() * points as f64 + 50.0;
    ((iterations / 2.0).ceil() as usize).clamp(32, 4000)
}

/// The calls to measure on Castellan: the scenarios, then the calls paired with the peer.
fn calls(config: &ZitadelConfig) -> Vec<(&'static str, &'static str)> {
    let mut calls: Vec<(&str, &str)> = config
        .scenarios
        .iter()
        .filter_map(|name| scenario(name).map(|s| (s.name, s.what)))
        .collect();
    if config.peer || config.keycloak.is_some() {
        for (name, what) in PAIR_ONLY {
            let wanted = config.scenarios.iter().any(|s| {
                scenario(s).is_some_and(|s| s.pair == Some(name) || s.keycloak == Some(name))
            });
            if wanted {
                calls.push((name, what));
            }
        }
    }
    calls
}

/// Starts Castellan with `env`, sets the data up, measures every call, stops it.
async fn castellan(
    config: &ZitadelConfig,
    backend: &str,
    env: &[(String, String)],
    failures: &mut Vec<String>,
) -> Result<ServerRun> {
    let dir = tempfile::Builder::new()
        .prefix("castellan-bench-zitadel-")
        .tempdir_in(&config.api.tmp_base)?;
    let data_dir = dir.path().join("data");
    let log_path = dir.path().join("castellan.log");
    let mut server = Server::start(&config.api.bin, &data_dir, &log_path, env).await?;
    println!(
        "  {backend}: castellan ready after {:.3}s (port {})",
        server.ready_after.as_secs_f64(),
        server.port
    );
    let outcome = measure_all(config, &server, backend, failures).await;
    let peak_rss = server.peak_rss();
    let (shutdown_after, exit) = server.stop()?;
    let results = match outcome {
        Ok(results) => results,
        Err(error) => return Err(format!("{error}; server log: {}", log_tail(&log_path)).into()),
    };
    if exit != "exit status: 0" {
        eprintln!(
            "  warning: castellan exited with {exit}; log: {}",
            log_tail(&log_path)
        );
    }
    dir.close()?;
    Ok(ServerRun {
        backend: backend.to_owned(),
        ready_after: server.ready_after,
        shutdown_after,
        exit,
        peak_rss,
        results,
    })
}

async fn measure_all(
    config: &ZitadelConfig,
    server: &Server,
    backend: &str,
    failures: &mut Vec<String>,
) -> Result<Vec<ApiResult>> {
    let otp = if config.scenarios.contains(&"otp_session") {
        config.otp_users
    } else {
        0
    };
    println!("  {backend}: setting up (apps, keys, users, {otp} TOTP users)");
    let fixture = Arc::new(zitadel_setup::fixture(server, otp).await?);
    let mut results = Vec::new();
    for (name, what) in calls(config) {
        // Not measured: touches every code path of the call once.
        let warm = measure(&fixture, name, "", 2, Duration::from_millis(300)).await?;
        if warm.ok == 0 {
            // The others still run; the section names what is missing.
            failures.push(format!(
                "{backend}, {name}: the warm-up never succeeded{}",
                warm.note
            ));
            continue;
        }
        for &concurrency in &config.concurrencies {
            let mut result =
                measure(&fixture, name, what, concurrency, config.api.duration).await?;
            result.backend = backend.to_owned();
            print_result(&result);
            results.push(result);
        }
    }
    Ok(results)
}

async fn measure(
    fixture: &Arc<Fixture>,
    name: &'static str,
    what: &str,
    concurrency: usize,
    duration: Duration,
) -> Result<ApiResult> {
    let counter = Arc::new(AtomicUsize::new(0));
    let tag = format!("{:08x}", rand::random::<u32>());
    let fixture = Arc::clone(fixture);
    crate::oidc::measure(name, concurrency, duration, what, move || {
        let fixture = Arc::clone(&fixture);
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let tag = tag.clone();
        async move { iteration(&fixture, name, n, &tag).await }
    })
    .await
}

async fn iteration(
    f: &Fixture,
    name: &str,
    n: usize,
    tag: &str,
) -> std::result::Result<(), String> {
    match name {
        "introspect" => flows::introspect_jwt(f, n).await,
        "introspect_basic" => flows::introspect_basic(f).await,
        "client_credentials" => flows::client_credentials(f).await.map(|_| ()),
        "machine_client_credentials_login" => flows::machine_client_credentials_login(f).await,
        "machine_jwt_profile_grant" => flows::jwt_profile_grant(f, n).await,
        "machine_pat_login" => flows::userinfo(f, &f.target.token).await,
        "user_info" => flows::userinfo(f, &f.user_token).await,
        "human_password_login" => flows::human_password_login(f).await.map(|_| ()),
        "add_session" => flows::add_session(f).await,
        "password_session" => flows::password_session(f).await,
        "otp_session" => flows::otp_session(f, n).await,
        "oidc_session" => flows::oidc_session(f).await,
        "manipulate_user" => {
            crate::manipulate_user::iteration(&f.http, &f.target, &format!("zmu-{tag}-{n}")).await
        }
        other => Err(format!("unknown scenario {other}")),
    }
}

/// The distributed mode, every role in one process, on a fresh database, topic, consumer group
/// and keyspace (database and keyspace are dropped afterwards; Kafka's retention removes the
/// topic).
async fn distributed(
    config: &ZitadelConfig,
    postgres_url: &str,
    brokers: &str,
    nodes: &str,
    failures: &mut Vec<String>,
) -> Result<ServerRun> {
    let deployment =
        crate::deployment::Deployment::create(postgres_url, brokers, nodes, "zitadel").await?;
    println!(
        "  distributed: database {}, keyspace {}",
        deployment.database_name(),
        deployment.keyspace
    );
    let outcome = castellan(config, "distributed", &deployment.env, failures).await;
    let dropped = deployment.drop_now().await;
    let run = outcome?;
    dropped?;
    Ok(run)
}
