//! The peer: panva's certified `oidc-provider` (npm), started from `bench/peer/server.js` (its
//! dependencies installed from the committed lockfile into the gitignored
//! `bench/peer/node_modules` on first use), loaded with the same load generator for the calls it
//! shares with Castellan's scenarios: client credentials tokens, introspection (basic auth) and
//! userinfo with an access token. It does not offer the JWT bearer grant, sessions, a hosted
//! login or a user API, so the other scenarios have no pair.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::Result;
use crate::api::{ApiResult, print_result, truncate};

/// A bound on the peer's start (not a measurement).
const START_TIMEOUT: Duration = Duration::from_secs(60);

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer")
}

fn node() -> String {
    std::env::var("CASTELLAN_TEST_NODE").unwrap_or_else(|_| "node".into())
}

/// `npm ci` when `node_modules` is missing or older than the lockfile.
fn install() -> Result<()> {
    let dir = peer_dir();
    let installed = dir.join("node_modules").join(".package-lock.json");
    let lock = dir.join("package-lock.json");
    let stale = match (std::fs::metadata(&installed), std::fs::metadata(&lock)) {
        (Ok(done), Ok(lock)) => done.modified()? < lock.modified()?,
        _ => true,
    };
    if stale {
        println!("  peer: npm ci in {}", dir.display());
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "npm ci failed: {}",
                truncate(&String::from_utf8_lossy(&output.stderr), 400)
            )
            .into());
        }
    }
    Ok(())
}

/// The running peer; killed on drop.
struct Peer {
    child: Child,
    port: u16,
    info: Value,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Result<Peer> {
    install()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(node())
        .arg("server.js")
        .arg(port.to_string())
        .current_dir(peer_dir())
        .env("NODE_ENV", "production")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("the peer has no stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let mut peer = Peer {
        child,
        port,
        info: Value::Null,
    };
    let line = receiver
        .recv_timeout(START_TIMEOUT)
        .map_err(|_| "the peer did not start within 60 s")?;
    let info: Value =
        serde_json::from_str(&line).map_err(|e| format!("peer said {line:?}: {e}"))?;
    peer.info = info;
    Ok(peer)
}

fn field(info: &Value, pointer: &str) -> String {
    info.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Measures `pairs` (Castellan call names) on the peer at `concurrencies`. Returns the results
/// and the peer's versions.
pub async fn run(
    pairs: &[&str],
    concurrencies: &[usize],
    duration: Duration,
) -> Result<(Vec<ApiResult>, String)> {
    let peer = start()?;
    let version = {
        let package =
            std::fs::read_to_string(peer_dir().join("node_modules/oidc-provider/package.json"))
                .unwrap_or_default();
        let package: Value = serde_json::from_str(&package).unwrap_or(Value::Null);
        format!(
            "oidc-provider {} on Node.js {} (one process, in-memory Map adapter)",
            field(&package, "/version"),
            field(&peer.info, "/version")
        )
    };
    println!("  peer: {version}, port {}", peer.port);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = format!("http://127.0.0.1:{}", peer.port);
    let host = format!("localhost:{}", peer.port);
    // An opaque client credentials token to introspect.
    let robot = (
        field(&peer.info, "/robot/id"),
        field(&peer.info, "/robot/secret"),
    );
    let token: Value = client
        .post(format!("{base}/token"))
        .header("Host", &host)
        .basic_auth(&robot.0, Some(&robot.1))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    let shared = Arc::new(Shared {
        client,
        base,
        host,
        robot,
        api: (
            field(&peer.info, "/api/id"),
            field(&peer.info, "/api/secret"),
        ),
        introspect_token: field(&token, "/access_token"),
        userinfo_token: field(&peer.info, "/userinfoToken"),
    });
    let timing = PairTiming {
        concurrencies,
        duration,
        warm_up: Duration::from_millis(300),
    };
    let results = measure_pairs(
        pairs,
        &PAIRS,
        &timing,
        "peer",
        shared,
        |shared, name| async move { shared.iteration(name).await },
    )
    .await?;
    drop(peer);
    Ok((results, version))
}

/// How a peer's pairs are measured: a warm-up at 2 clients, then each concurrency.
pub(crate) struct PairTiming<'a> {
    pub concurrencies: &'a [usize],
    pub duration: Duration,
    pub warm_up: Duration,
}

/// Measures the `wanted` pairs of `table` (name, what it does) on a peer as `backend`, each
/// iteration `iteration(shared, name)`; a warm-up run first, not reported.
pub(crate) async fn measure_pairs<S, F, Fut>(
    wanted: &[&str],
    table: &[(&'static str, &'static str)],
    timing: &PairTiming<'_>,
    backend: &str,
    shared: Arc<S>,
    iteration: F,
) -> Result<Vec<ApiResult>>
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, &'static str) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<(), String>> + Send,
{
    let mut results = Vec::new();
    for &pair in wanted {
        let Some((name, what)) = table.iter().find(|(name, _)| *name == pair).copied() else {
            continue;
        };
        for (index, &concurrency) in [2].iter().chain(timing.concurrencies).enumerate() {
            let shared = Arc::clone(&shared);
            let length = if index == 0 {
                timing.warm_up
            } else {
                timing.duration
            };
            let mut result = crate::oidc::measure(name, concurrency, length, what, move || {
                iteration(Arc::clone(&shared), name)
            })
            .await?;
            if index > 0 {
                result.backend = backend.into();
                print_result(&result);
                results.push(result);
            }
        }
    }
    Ok(results)
}

const PAIRS: [(&str, &str); 3] = [
    (
        "introspect_basic",
        "POST /token/introspection of an opaque client credentials token, basic auth",
    ),
    (
        "client_credentials",
        "POST /token, client_credentials, client_secret_basic (secret compared, not hashed)",
    ),
    (
        "user_info",
        "GET /me with an access token of a stored grant",
    ),
];

struct Shared {
    client: reqwest::Client,
    base: String,
    host: String,
    robot: (String, String),
    api: (String, String),
    introspect_token: String,
    userinfo_token: String,
}

impl Shared {
    async fn iteration(&self, name: &str) -> std::result::Result<(), String> {
        let request = match name {
            "introspect_basic" => self
                .client
                .post(format!("{}/token/introspection", self.base))
                .basic_auth(&self.api.0, Some(&self.api.1))
                .form(&[("token", &self.introspect_token)]),
            "client_credentials" => self
                .client
                .post(format!("{}/token", self.base))
                .basic_auth(&self.robot.0, Some(&self.robot.1))
                .form(&[("grant_type", "client_credentials")]),
            _ => self
                .client
                .get(format!("{}/me", self.base))
                .bearer_auth(&self.userinfo_token),
        };
        let response = request
            .header("Host", &self.host)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("HTTP {status}: {}", truncate(&body, 200)));
        }
        if name == "introspect_basic" && !body.contains("\"active\":true") {
            return Err(format!("inactive: {}", truncate(&body, 200)));
        }
        Ok(())
    }
}
