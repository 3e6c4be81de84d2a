//! SCIM 2.0 provisioning at scale (issue #6): the rate at which a provisioning client creates
//! users through `POST /scim/v2/{org}/Users` (Okta-like bodies, no passwords) until one org holds
//! `--users` users, then the latency of Okta's lookup `GET /Users?filter=userName eq "..."` for
//! random existing users. Against the real `castellan` binary: the embedded store, and the
//! distributed mode (PostgreSQL ledger → Kafka → Cassandra read store) when the three are given.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Result;
use crate::api::{ApiConfig, ApiResult, Server, ServerRun, log_tail, print_result, truncate};
use crate::stats::Latencies;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GIVEN: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const FAMILY: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const TITLES: [&str; 4] = ["Engineer", "Analyst", "Manager", "Designer"];
const DEPARTMENTS: [&str; 4] = ["Engineering", "Finance", "Sales", "Support"];
/// Concurrencies tried when `--create-concurrency` is not given.
const PROBE_CONCURRENCIES: [usize; 3] = [8, 16, 32];
/// Concurrencies of the lookup measurement.
const LOOKUP_CONCURRENCIES: [usize; 3] = [1, 8, 32];
/// Completions in each reported window of the main creation run (start and end).
const WINDOW: usize = 10_000;
/// A bound on waiting for the admin's token to reach the read model (not a measurement).
const USABLE_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone, Debug)]
pub struct ScimConfig {
    /// Users in the org when the lookups run.
    pub users: u64,
    /// Concurrency of the main creation run; measured with a probe when `None`.
    pub create_concurrency: Option<usize>,
    /// Stop creating (no new requests) after this long; the lookups then run at the size
    /// reached, which the report states.
    pub create_budget: Option<Duration>,
}

/// The userName of user `n`: a work email, as Okta sends it.
fn user_name(tag: &str, n: u64) -> String {
    let (given, family) = names(n);
    format!(
        "{}.{}.{n}@{tag}.example.com",
        given.to_lowercase(),
        family.to_lowercase()
    )
}

fn names(n: u64) -> (&'static str, &'static str) {
    let pick = |list: &[&'static str], by: u64| {
        list.get((by % list.len() as u64) as usize)
            .copied()
            .unwrap_or_default()
    };
    (pick(&GIVEN, n), pick(&FAMILY, n / 8))
}

/// An Okta-like create body: core user, externalId, active, title, locale and two enterprise
/// attributes. No password.
fn user_body(tag: &str, n: u64) -> Value {
    let (given, family) = names(n);
    let email = user_name(tag, n);
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": email,
        "externalId": format!("00u{tag}{n:010}"),
        "name": {"givenName": given, "familyName": family, "formatted": format!("{given} {family}")},
        "displayName": format!("{given} {family}"),
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "locale": "en-US",
        "title": TITLES.get((n % 4) as usize),
        "active": true,
        ENTERPRISE: {"employeeNumber": n.to_string(), "department": DEPARTMENTS.get((n / 4 % 4) as usize)},
    })
}

/// One successful create: when it completed, how long it took, which user.
struct Sample {
    done: Instant,
    latency: Duration,
    n: u64,
}

struct Batch {
    samples: Vec<Sample>,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
}

/// Creates users `from..from + count` with `concurrency` closed-loop clients.
async fn create(
    server: &Server,
    org: &str,
    tag: &str,
    from: u64,
    count: u64,
    concurrency: usize,
    deadline: Option<Instant>,
) -> Result<Batch> {
    let next = Arc::new(AtomicU64::new(from));
    let end = from + count;
    let url = server.target.url(&format!("/scim/v2/{org}/Users"));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..concurrency {
        let (next, url, tag) = (Arc::clone(&next), url.clone(), tag.to_owned());
        let (client, target) = (server.client.clone(), Arc::clone(&server.target));
        handles.push(tokio::spawn(async move {
            let (mut samples, mut errors, mut first_error) = (Vec::new(), 0_u64, None);
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= end {
                    break;
                }
                let body = user_body(&tag, n).to_string();
                let begin = Instant::now();
                let sent = client
                    .post(&url)
                    .header("Host", target.host())
                    .header("Content-Type", "application/scim+json")
                    .bearer_auth(&target.token)
                    .body(body)
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        (status == 201)
                            .then_some(())
                            .ok_or_else(|| format!("HTTP {status}: {}", truncate(&text, 200)))
                    }
                    Err(error) => Err(error.to_string()),
                };
                match outcome {
                    Ok(()) => samples.push(Sample {
                        done: Instant::now(),
                        latency: begin.elapsed(),
                        n,
                    }),
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert(error);
                    }
                }
            }
            (samples, errors, first_error)
        }));
    }
    let mut batch = Batch {
        samples: Vec::with_capacity(count as usize),
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
    };
    for handle in handles {
        let (samples, errors, first_error) = handle.await?;
        batch.samples.extend(samples);
        batch.errors += errors;
        batch.first_error = batch.first_error.or(first_error);
    }
    batch.elapsed = started.elapsed();
    batch.samples.sort_by_key(|s| s.done);
    Ok(batch)
}

fn result_of(
    call: &str,
    concurrency: usize,
    samples: &[Sample],
    errors: u64,
    elapsed: Duration,
    note: String,
) -> ApiResult {
    let mut latencies = Latencies::with_capacity(samples.len());
    for sample in samples {
        latencies.record(sample.latency);
    }
    let attempts = samples.len() as u64 + errors;
    let error_rate = if attempts == 0 {
        0.0
    } else {
        errors as f64 * 100.0 / attempts as f64
    };
    ApiResult {
        backend: String::new(),
        call: call.to_owned(),
        concurrency,
        ok: samples.len() as u64,
        errors,
        elapsed,
        latencies,
        note: format!("error rate {error_rate:.2}%; {note}"),
    }
}

fn batch_result(call: &str, concurrency: usize, batch: &Batch, note: String) -> ApiResult {
    let mut note = note;
    if let Some(error) = &batch.first_error {
        note.push_str(&format!("; first error: {error}"));
    }
    result_of(
        call,
        concurrency,
        &batch.samples,
        batch.errors,
        batch.elapsed,
        note,
    )
}

/// A window of consecutive completions: its rate runs from the completion before it (or the
/// batch's start) to its last completion, so it counts exactly `window.len()` creates.
fn window_result(
    call: &str,
    concurrency: usize,
    batch_start: Instant,
    before: Option<&Sample>,
    window: &[Sample],
    users_before: u64,
) -> Option<ApiResult> {
    let last = window.last()?;
    let from = before.map_or(batch_start, |s| s.done);
    let note = format!(
        "completions {}–{} of the org's users (errors: see scim_create)",
        users_before + 1,
        users_before + window.len() as u64
    );
    Some(result_of(
        call,
        concurrency,
        window,
        0,
        last.done.saturating_duration_since(from),
        note,
    ))
}

/// The default org's id, once the admin's token works (in the distributed mode it must first
/// travel through Kafka to Cassandra).
async fn default_org(server: &Server) -> Result<String> {
    let started = Instant::now();
    loop {
        let answer = server
            .target
            .call(&server.client, "ListOrganizations", &json!({}))
            .await;
        if let Ok((200, text)) = &answer {
            let value: Value = serde_json::from_str(text)?;
            if let Some(id) = value.pointer("/result/0/id").and_then(Value::as_str) {
                return Ok(id.to_owned());
            }
        }
        if started.elapsed() > USABLE_TIMEOUT {
            return Err(format!("the admin token never became usable: {answer:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Creation (probe, then the rest at the chosen concurrency), then the lookups.
async fn load(
    server: &Server,
    config: &ScimConfig,
    duration: Duration,
    backend: &str,
) -> Result<(Vec<ApiResult>, usize)> {
    let org = default_org(server).await?;
    let tag = format!("b{:08x}", rand::random::<u32>());
    let mut results = Vec::new();
    let push = |mut result: ApiResult, results: &mut Vec<ApiResult>| {
        result.backend = backend.to_owned();
        print_result(&result);
        results.push(result);
    };
    let mut created: Vec<u64> = Vec::with_capacity(config.users as usize);
    let mut next = 0_u64;
    let deadline = config.create_budget.map(|budget| Instant::now() + budget);
    // Not measured: opens connections, touches every code path once.
    let warm = create(server, &org, &tag, next, 100.min(config.users), 4, deadline).await?;
    if warm.samples.is_empty() {
        return Err(format!("warm-up creates all failed: {:?}", warm.first_error).into());
    }
    next += 100.min(config.users);
    created.extend(warm.samples.iter().map(|s| s.n));
    let concurrency = match config.create_concurrency {
        Some(chosen) => chosen,
        None => {
            let probe = (config.users / 50).clamp(200, 2_000);
            let mut best = (0.0_f64, PROBE_CONCURRENCIES[0]);
            for concurrency in PROBE_CONCURRENCIES {
                let count = probe.min(config.users.saturating_sub(next));
                let batch = create(server, &org, &tag, next, count, concurrency, deadline).await?;
                let per_sec = batch.samples.len() as f64 / batch.elapsed.as_secs_f64().max(1e-9);
                if per_sec > best.0 {
                    best = (per_sec, concurrency);
                }
                let note = format!("probe: users {}–{} (store small)", next + 1, next + count);
                next += count;
                created.extend(batch.samples.iter().map(|s| s.n));
                push(
                    batch_result("scim_create_probe", concurrency, &batch, note),
                    &mut results,
                );
            }
            best.1
        }
    };
    let users_before = created.len() as u64;
    let remaining = config.users.saturating_sub(next);
    println!("  {backend}: creating {remaining} users at concurrency {concurrency}");
    let started = Instant::now();
    let batch = create(server, &org, &tag, next, remaining, concurrency, deadline).await?;
    created.extend(batch.samples.iter().map(|s| s.n));
    let attempted = batch.samples.len() as u64 + batch.errors;
    let mut note = format!(
        "users {}–{}: the main run, at the concurrency the probe chose (or --create-concurrency)",
        next + 1,
        next + attempted
    );
    if attempted < remaining {
        note.push_str(&format!(
            "; STOPPED by --create-budget after {attempted} of {remaining} requests"
        ));
    }
    push(
        batch_result("scim_create", concurrency, &batch, note),
        &mut results,
    );
    let samples = &batch.samples;
    if samples.len() >= 2 * WINDOW {
        let first = samples.get(..WINDOW).unwrap_or_default();
        let tail_start = samples.len() - WINDOW;
        let windows = [
            (None, first, users_before),
            (
                samples.get(tail_start - 1),
                samples.get(tail_start..).unwrap_or_default(),
                users_before + tail_start as u64,
            ),
        ];
        for (before, window, offset) in windows {
            if let Some(result) = window_result(
                "scim_create_window",
                concurrency,
                started,
                before,
                window,
                offset,
            ) {
                push(result, &mut results);
            }
        }
    }

    let names: Arc<Vec<String>> = Arc::new(created.iter().map(|&n| user_name(&tag, n)).collect());
    let total = names.len();
    for concurrency in LOOKUP_CONCURRENCIES {
        let (names, client, target) = (
            Arc::clone(&names),
            server.client.clone(),
            Arc::clone(&server.target),
        );
        let url = server.target.url(&format!("/scim/v2/{org}/Users"));
        let note = format!(
            "GET /Users?filter=userName eq \"…\" for a random one of the {total} created users; ok = exactly that user found"
        );
        let result = crate::oidc::measure(
            "scim_lookup_username",
            concurrency,
            duration,
            &note,
            move || {
                let name = names
                    .get(rand::random_range(0..names.len()))
                    .cloned()
                    .unwrap_or_default();
                let (client, target, url) = (client.clone(), Arc::clone(&target), url.clone());
                async move {
                    let response = client
                        .get(&url)
                        .query(&[("filter", format!("userName eq \"{name}\""))])
                        .header("Host", target.host())
                        .bearer_auth(&target.token)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = response.status().as_u16();
                    let text = response.text().await.map_err(|e| e.to_string())?;
                    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let found = body
                        .pointer("/Resources/0/userName")
                        .and_then(Value::as_str);
                    if status == 200
                        && body.get("totalResults") == Some(&json!(1))
                        && found == Some(name.as_str())
                    {
                        Ok(())
                    } else {
                        Err(format!("HTTP {status}: {}", truncate(&text, 200)))
                    }
                }
            },
        )
        .await?;
        push(result, &mut results);
    }
    Ok((results, total))
}

/// Bytes under `path` (the embedded store's size on disk).
fn disk_usage(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => disk_usage(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Starts the server with `env`, runs the scenario, stops it. Returns the run and a note on the
/// data directory's size.
pub async fn run(
    config: &ApiConfig,
    scim: &ScimConfig,
    backend: &str,
    env: &[(String, String)],
) -> Result<(ServerRun, String)> {
    let dir = tempfile::Builder::new()
        .prefix("castellan-bench-scim-")
        .tempdir_in(&config.tmp_base)?;
    let data_dir = dir.path().join("data");
    let log_path = dir.path().join("castellan.log");
    let mut server = Server::start(&config.bin, &data_dir, &log_path, env).await?;
    println!(
        "  {backend}: castellan ready after {:.3}s (port {})",
        server.ready_after.as_secs_f64(),
        server.port
    );
    let outcome = load(&server, scim, config.duration, backend).await;
    let size = disk_usage(&data_dir);
    let peak_rss = server.peak_rss();
    let (shutdown_after, exit) = server.stop()?;
    let (results, users) = match outcome {
        Ok(measured) => measured,
        Err(error) => return Err(format!("{error}; server log: {}", log_tail(&log_path)).into()),
    };
    if exit != "exit status: 0" {
        eprintln!(
            "  warning: castellan exited with {exit}; log: {}",
            log_tail(&log_path)
        );
    }
    dir.close()?;
    let requested = scim.users;
    let note = format!(
        "scim, {backend}: {users} users in the org when the lookups ran ({requested} requested{}); \
         the castellan data directory held {:.1} MiB after the run",
        if users as u64 == requested {
            ""
        } else {
            " — NOT the requested size"
        },
        size as f64 / 1024.0 / 1024.0
    );
    Ok((
        ServerRun {
            backend: backend.to_owned(),
            ready_after: server.ready_after,
            shutdown_after,
            exit,
            peak_rss,
            results,
        },
        note,
    ))
}

/// The distributed mode, every role in one process (one data directory, so one master key): a
/// fresh PostgreSQL database, Kafka topic, consumer group and Cassandra keyspace, dropped
/// afterwards (the topic stays; Kafka's retention removes it).
pub async fn run_distributed(
    config: &ApiConfig,
    scim: &ScimConfig,
    postgres_url: &str,
    brokers: &str,
    nodes: &str,
) -> Result<(ServerRun, String)> {
    let deployment =
        crate::deployment::Deployment::create(postgres_url, brokers, nodes, "scim").await?;
    println!(
        "  cassandra: database {}, keyspace {}",
        deployment.database_name(),
        deployment.keyspace
    );
    let outcome = run(config, scim, "cassandra", &deployment.env).await;
    let dropped = deployment.drop_now().await;
    let (run, note) = outcome?;
    dropped?;
    Ok((
        run,
        format!("{note} (the ledger is in PostgreSQL and the read model in Cassandra, outside it)"),
    ))
}
