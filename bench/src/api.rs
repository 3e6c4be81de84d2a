//! API throughput against the real `castellan` binary, over HTTP (Connect JSON).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Result;
use crate::stats::Latencies;

const ORG_SERVICE: &str = "zitadel.org.v2.OrganizationService";

/// How long to wait for `/debug/ready` before giving up (a bound, not a measurement).
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// How often readiness is polled; bounds the resolution of the time-to-ready figure.
const READY_POLL: Duration = Duration::from_millis(5);

/// How long a SIGTERM'd server may take to exit before it is killed.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// How much load to apply.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    pub bin: PathBuf,
    /// How long each (call, concurrency) measurement runs.
    pub duration: Duration,
    pub tmp_base: PathBuf,
}

/// One (call, concurrency) measurement.
#[derive(Debug)]
pub struct ApiResult {
    pub backend: String,
    pub call: String,
    pub concurrency: usize,
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latencies: Latencies,
    pub note: String,
}

/// One server lifetime: start, load, stop.
#[derive(Debug)]
pub struct ServerRun {
    pub backend: String,
    /// From spawn to the first ready `/debug/ready`.
    pub ready_after: Duration,
    /// From SIGTERM to exit.
    pub shutdown_after: Duration,
    pub exit: String,
    /// Peak resident set size of the server, read just before stopping it.
    pub peak_rss: Option<String>,
    pub results: Vec<ApiResult>,
}

/// The `castellan` binary to run: `explicit`, else `target/release/castellan` if it exists, else
/// `target/debug/castellan` (looked up from the working directory, then from the workspace this
/// crate was built in). Returns the path and its build profile.
pub fn resolve_bin(explicit: Option<PathBuf>) -> Result<(PathBuf, String)> {
    if let Some(path) = explicit {
        if !path.is_file() {
            return Err(format!("--castellan-bin {} does not exist", path.display()).into());
        }
        let profile = profile_of(&path);
        return Ok((path, profile));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let roots = [PathBuf::from("."), workspace];
    for profile in ["release", "debug"] {
        for root in &roots {
            let candidate = root.join("target").join(profile).join("castellan");
            if candidate.is_file() {
                let candidate = candidate.canonicalize().unwrap_or(candidate);
                return Ok((candidate, profile.to_owned()));
            }
        }
    }
    Err(
        "no castellan binary in target/release or target/debug: build it with \
         `cargo build --release -p castellan-server` or pass --castellan-bin"
            .into(),
    )
}

/// `release`/`debug` from a `target/<profile>/castellan` path; `unknown` otherwise.
pub fn profile_of(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    match parent {
        "release" | "debug" => parent.to_owned(),
        _ => "unknown".to_owned(),
    }
}

/// What load an API run applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// AddOrganization at several concurrencies, then ListOrganizations.
    Orgs,
    /// ZITADEL's manipulate_user scenario: create → update → lock → delete a user.
    ManipulateUser,
    /// The OpenID Provider: client credentials, introspection, userinfo with a PAT, password
    /// sessions, and the raw argon2 verification rate beside them.
    Oidc,
}

/// Starts the server (embedded SQLite, or PostgreSQL at `postgres_dsn`), loads it, stops it.
pub async fn run(
    config: &ApiConfig,
    backend: &str,
    postgres_dsn: Option<&str>,
    workload: Workload,
) -> Result<ServerRun> {
    let dir = tempfile::Builder::new()
        .prefix("castellan-bench-api-")
        .tempdir_in(&config.tmp_base)?;
    let data_dir = dir.path().join("data");
    let log_path = dir.path().join("castellan.log");
    let mut env = Vec::new();
    if let Some(dsn) = postgres_dsn {
        env.push(("CASTELLAN_DATABASE_POSTGRES_DSN".to_owned(), dsn.to_owned()));
    }
    let mut server = Server::start(&config.bin, &data_dir, &log_path, &env).await?;
    println!(
        "  {backend}: castellan ready after {:.3}s (port {})",
        server.ready_after.as_secs_f64(),
        server.port
    );

    let run_tag = format!("{:08x}", rand::random::<u32>());
    let mut results = Vec::new();
    let outcome: Result<()> = async {
        if workload == Workload::Oidc {
            for mut result in crate::oidc::load(&server, config.duration).await? {
                result.backend = backend.to_owned();
                print_result(&result);
                results.push(result);
            }
            return Ok(());
        }
        if workload == Workload::ManipulateUser {
            for concurrency in [1, 8, 32] {
                let mut result =
                    crate::manipulate_user::load(&server, concurrency, config.duration, &run_tag)
                        .await?;
                result.backend = backend.to_owned();
                print_result(&result);
                results.push(result);
            }
            return Ok(());
        }
        // Not measured: opens connections and touches every code path once.
        let warm = load(
            &server,
            "AddOrganization",
            4,
            Duration::from_millis(500),
            &run_tag,
        )
        .await?;
        if warm.ok == 0 {
            return Err(format!("warm-up AddOrganization never succeeded: {}", warm.note).into());
        }
        for concurrency in [1, 8, 32] {
            let mut result = load(
                &server,
                "AddOrganization",
                concurrency,
                config.duration,
                &run_tag,
            )
            .await?;
            result.backend = backend.to_owned();
            print_result(&result);
            results.push(result);
        }
        let mut result = load(&server, "ListOrganizations", 8, config.duration, &run_tag).await?;
        result.backend = backend.to_owned();
        print_result(&result);
        results.push(result);
        Ok(())
    }
    .await;

    let peak_rss = server.peak_rss();
    let (shutdown_after, exit) = server.stop()?;
    if let Err(error) = outcome {
        return Err(format!("{error}; server log: {}", log_tail(&log_path)).into());
    }
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

pub(crate) fn print_result(result: &ApiResult) {
    let mut latencies = result.latencies.clone();
    println!(
        "  {:<8} {:<18} c={:<3} {:>6} ok {:>4} errors in {:>6.2}s = {:>7} req/s, p50 {} ms, p95 {} ms, p99 {} ms {}",
        result.backend,
        result.call,
        result.concurrency,
        result.ok,
        result.errors,
        result.elapsed.as_secs_f64(),
        crate::stats::rate(result.ok as f64, result.elapsed),
        crate::stats::ms(latencies.percentile(50.0)),
        crate::stats::ms(latencies.percentile(95.0)),
        crate::stats::ms(latencies.percentile(99.0)),
        result.note,
    );
}

/// The last lines of the server's log, for error messages.
pub(crate) fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines
        .get(lines.len().saturating_sub(20)..)
        .unwrap_or_default();
    if tail.is_empty() {
        "(empty)".into()
    } else {
        tail.join("\n")
    }
}

/// Runs `concurrency` workers calling `method` back to back for `duration`.
async fn load(
    server: &Server,
    method: &'static str,
    concurrency: usize,
    duration: Duration,
    run_tag: &str,
) -> Result<ApiResult> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for worker in 0..concurrency {
        let client = server.client.clone();
        let target = Arc::clone(&server.target);
        let prefix = format!("bench-{run_tag}-{method}-c{concurrency}-w{worker}");
        handles.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let (mut ok, mut errors) = (0_u64, 0_u64);
            let mut first_error = None;
            let mut last_body = None;
            let mut n = 0_u64;
            while Instant::now() < deadline {
                let body = match method {
                    "AddOrganization" => json!({ "name": format!("{prefix}-{n}") }),
                    _ => json!({}),
                };
                n += 1;
                let begin = Instant::now();
                let outcome = target.call(&client, method, &body).await;
                let latency = begin.elapsed();
                match outcome {
                    Ok((200, body)) => {
                        ok += 1;
                        latencies.record(latency);
                        last_body = Some(body);
                    }
                    Ok((status, body)) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| {
                            format!("HTTP {status}: {}", truncate(&body, 200))
                        });
                    }
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| error.to_string());
                    }
                }
            }
            (latencies, ok, errors, first_error, last_body)
        }));
    }
    let mut latencies = Latencies::default();
    let (mut ok, mut errors) = (0_u64, 0_u64);
    let mut first_error = None;
    let mut last_body = None;
    for handle in handles {
        let (worker_latencies, worker_ok, worker_errors, worker_error, worker_body) =
            handle.await?;
        latencies.merge(worker_latencies);
        ok += worker_ok;
        errors += worker_errors;
        first_error = first_error.or(worker_error);
        last_body = last_body.or(worker_body);
    }
    let elapsed = started.elapsed();
    let mut notes = Vec::new();
    if method == "ListOrganizations"
        && let Some(body) = last_body
    {
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let returned = value
            .get("result")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let total = value
            .get("details")
            .and_then(|details| details.get("totalResult"))
            .map(|total| match total {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "?".into());
        notes.push(format!("{returned} orgs per page of {total}"));
    }
    if let Some(error) = first_error {
        notes.push(format!("first error: {error}"));
    }
    Ok(ApiResult {
        backend: String::new(),
        call: method.to_owned(),
        concurrency,
        ok,
        errors,
        elapsed,
        latencies,
        note: notes.join("; "),
    })
}

pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out.replace(['\n', '|'], " ")
}

/// Where and how to call the server.
#[derive(Debug)]
pub(crate) struct Target {
    port: u16,
    pub(crate) token: String,
}

impl Target {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(crate) fn host(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// A Connect unary call as the admin: status and body. `method` is an OrganizationService
    /// method name or a full `<service>/<method>` path.
    pub(crate) async fn call(
        &self,
        client: &reqwest::Client,
        method: &str,
        body: &Value,
    ) -> reqwest::Result<(u16, String)> {
        let path = if method.contains('/') {
            format!("/{method}")
        } else {
            format!("/{ORG_SERVICE}/{method}")
        };
        let response = client
            .post(self.url(&path))
            .header("Host", self.host())
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {}", self.token))
            .body(body.to_string())
            .send()
            .await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok((status, text))
    }
}

/// A running `castellan start`; killed on drop if not stopped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    pub(crate) ready_after: Duration,
    pub(crate) client: reqwest::Client,
    pub(crate) target: Arc<Target>,
}

impl Server {
    /// Starts `castellan start` with a fresh `data_dir`; `env` adds settings (a PostgreSQL DSN,
    /// the distributed mode's Kafka and Cassandra).
    pub(crate) async fn start(
        bin: &Path,
        data_dir: &Path,
        log_path: &Path,
        env: &[(String, String)],
    ) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = File::create(log_path)?;
        let mut command = Command::new(bin);
        command
            .arg("start")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CASTELLAN_PORT", port.to_string())
            .env("CASTELLAN_DATA_DIR", data_dir)
            .env("CASTELLAN_LOG_LEVEL", "warn")
            // Throughput is measured, so the login and token rate limits are off.
            .env("CASTELLAN_RATELIMIT_TOKENPERCLIENTPERMINUTE", "0")
            .env("CASTELLAN_RATELIMIT_LOGINPERNAMEPERMINUTE", "0")
            .env("CASTELLAN_RATELIMIT_LOGINPERADDRESSPERMINUTE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (name, value) in env {
            command.env(name, value);
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let started = Instant::now();
        let mut child = command.spawn()?;
        let ready_url = format!("http://127.0.0.1:{port}/debug/ready");
        let ready_after = loop {
            let ready = probe
                .get(&ready_url)
                .header("Host", format!("localhost:{port}"))
                .send()
                .await
                .is_ok_and(|response| response.status() == 200);
            if ready {
                break started.elapsed();
            }
            if let Some(status) = child.try_wait()? {
                return Err(format!(
                    "castellan exited before it was ready ({status}); log: {}",
                    log_tail(log_path)
                )
                .into());
            }
            if started.elapsed() > READY_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "castellan was not ready within {READY_TIMEOUT:?}; log: {}",
                    log_tail(log_path)
                )
                .into());
            }
            tokio::time::sleep(READY_POLL).await;
        };
        let token = match std::fs::read_to_string(data_dir.join("admin.pat")) {
            Ok(token) => token.trim().to_owned(),
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("reading {}/admin.pat: {error}", data_dir.display()).into());
            }
        };
        Ok(Server {
            child,
            port,
            ready_after,
            client,
            target: Arc::new(Target { port, token }),
        })
    }

    /// `VmHWM` of the process, e.g. `85 MiB`.
    pub(crate) fn peak_rss(&self) -> Option<String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(format!("{} MiB", kib / 1024))
    }

    /// SIGTERM, then wait (bounded) for the exit. Returns the time it took and the exit status.
    pub(crate) fn stop(&mut self) -> Result<(Duration, String)> {
        let begin = Instant::now();
        let signalled = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()?;
        if !signalled.success() {
            return Err(format!("kill -TERM {} failed: {signalled}", self.child.id()).into());
        }
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok((begin.elapsed(), status.to_string()));
            }
            if begin.elapsed() > SHUTDOWN_TIMEOUT {
                self.child.kill()?;
                let status = self.child.wait()?;
                return Ok((
                    begin.elapsed(),
                    format!("killed after SIGTERM timeout ({status})"),
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
