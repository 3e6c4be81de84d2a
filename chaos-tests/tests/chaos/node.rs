//! A `castellan start` process in one role, and a client of the api role.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ORG_SERVICE: &str = "zitadel.org.v2.OrganizationService";

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("free port: {e}"))
}

/// The last lines of a log file, for error messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(file) = std::fs::File::open(path) else {
        return String::new();
    };
    let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

pub struct Node {
    child: Option<Child>,
    pub role: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    binary: PathBuf,
    env: Vec<(String, String)>,
    /// Spawn → ready, for the last start.
    pub ready_after: Duration,
}

impl Node {
    /// Starts `castellan start` with `CASTELLAN_ROLES=role` and `env`, and waits until
    /// `/debug/ready` answers 200 (bounded: 90 s). stderr goes to `log` (appended).
    pub async fn start(
        binary: &Path,
        role: &str,
        data_dir: &Path,
        env: &[(String, String)],
        log: &Path,
    ) -> Result<Node, String> {
        let mut node = Node {
            child: None,
            role: role.to_owned(),
            port: 0,
            data_dir: data_dir.to_owned(),
            log: log.to_owned(),
            binary: binary.to_owned(),
            env: env.to_vec(),
            ready_after: Duration::ZERO,
        };
        node.spawn().await?;
        Ok(node)
    }

    async fn spawn(&mut self) -> Result<(), String> {
        let port = free_port()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("open {}: {e}", self.log.display()))?;
        let mut command = Command::new(&self.binary);
        command
            .arg("start")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CASTELLAN_PORT", port.to_string())
            .env("CASTELLAN_DATA_DIR", &self.data_dir)
            .env(
                "CASTELLAN_LOG_LEVEL",
                "warn,castellan_server=info,castellan_writer=info,castellan_readers=info",
            )
            .env("CASTELLAN_ROLES", &self.role)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let started = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", self.binary.display()))?;
        self.child = Some(child);
        self.port = port;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let url = format!("http://127.0.0.1:{port}/debug/ready");
        while started.elapsed() < Duration::from_secs(90) {
            let ready = client
                .get(&url)
                .header("Host", format!("localhost:{port}"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                self.ready_after = started.elapsed();
                return Ok(());
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!(
                    "castellan ({}) exited during startup with {status}; log {}:\n{}",
                    self.role,
                    self.log.display(),
                    tail(&self.log, 30)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "castellan ({}) not ready after 90 s; log {}:\n{}",
            self.role,
            self.log.display(),
            tail(&self.log, 30)
        ))
    }

    /// Whether the process has exited (and how), without waiting.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(Some(status))) => Some(status.to_string()),
            Some(Ok(None)) => None,
            Some(Err(e)) => Some(e.to_string()),
            None => Some("not running".into()),
        }
    }

    /// SIGKILL: a crash, not a shutdown.
    pub fn kill9(&mut self) -> Result<u32, String> {
        let mut child = self.child.take().ok_or("not running")?;
        let pid = child.id();
        child.kill().map_err(|e| format!("kill {pid}: {e}"))?;
        child.wait().map_err(|e| format!("wait {pid}: {e}"))?;
        Ok(pid)
    }

    /// Starts the process again (same role, settings and data directory; a new port).
    pub async fn restart(&mut self) -> Result<Duration, String> {
        if self.child.is_some() {
            self.kill9()?;
        }
        self.spawn().await?;
        Ok(self.ready_after)
    }

    /// SIGTERM, then SIGKILL after 10 s.
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// The admin's personal access token (the api role writes it on first start).
    pub fn admin_token(&self) -> Result<String, String> {
        let path = self.data_dir.join("admin.pat");
        std::fs::read_to_string(&path)
            .map(|t| t.trim().to_owned())
            .map_err(|e| format!("read {}: {e}", path.display()))
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Connect calls to the api process, as the admin.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    port: u16,
    token: String,
}

impl Api {
    pub fn new(port: u16, token: String) -> Result<Api, String> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Api {
            client,
            port,
            token,
        })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// One Connect unary call; Err for transport failures and timeouts.
    pub async fn call(
        &self,
        method: &str,
        body: Value,
        timeout: Duration,
    ) -> Result<(u16, Value), String> {
        let response = self
            .client
            .post(format!(
                "http://127.0.0.1:{}/{ORG_SERVICE}/{method}",
                self.port
            ))
            .header("Host", format!("localhost:{}", self.port))
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {}", self.token))
            .timeout(timeout)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "client timeout".to_owned()
                } else {
                    format!("transport: {e}")
                }
            })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| format!("body: {e}"))?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// Creates an org; its id once the API acknowledged it (200), else why not.
    pub async fn add_org(&self, name: &str, timeout: Duration) -> Result<String, String> {
        let (status, body) = self
            .call("AddOrganization", json!({ "name": name }), timeout)
            .await?;
        if status != 200 {
            let code = body
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            return Err(format!("HTTP {status} {code}"));
        }
        body.get("organizationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("200 without organizationId: {body}"))
    }

    /// Whether ListOrganizations (by id) returns the org with this name.
    pub async fn org_visible(&self, id: &str, name: &str) -> Result<bool, String> {
        let (status, body) = self
            .call(
                "ListOrganizations",
                json!({"queries": [{"idQuery": {"id": id}}]}),
                Duration::from_secs(10),
            )
            .await?;
        if status != 200 {
            return Err(format!("ListOrganizations: HTTP {status}"));
        }
        Ok(orgs(&body).iter().any(|(i, n)| i == id && n == name))
    }

    /// Every org the admin sees, all pages (1000 each, ascending creation order).
    pub async fn list_all(&self) -> Result<Vec<(String, String)>, String> {
        let mut all = Vec::new();
        loop {
            let (status, body) = self
                .call(
                    "ListOrganizations",
                    json!({"query": {"offset": all.len().to_string(), "limit": 1000, "asc": true}}),
                    Duration::from_secs(30),
                )
                .await?;
            if status != 200 {
                return Err(format!("ListOrganizations: HTTP {status}: {body}"));
            }
            let page = orgs(&body);
            let total = body
                .pointer("/details/totalResult")
                .and_then(|v| {
                    v.as_u64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                })
                .unwrap_or(0);
            let empty = page.is_empty();
            all.extend(page);
            if empty || all.len() as u64 >= total {
                return Ok(all);
            }
        }
    }
}

/// (id, name) of every org in a ListOrganizations response.
fn orgs(body: &Value) -> Vec<(String, String)> {
    body.get("result")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    let field = |name: &str| {
                        o.get(name)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    (field("id"), field("name"))
                })
                .collect()
        })
        .unwrap_or_default()
}
