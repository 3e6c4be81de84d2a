//! Starting and driving a real `castellan` process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use castellan_core::Position;
use castellan_core::clock::SystemClock;
use castellan_core::ids::SequentialIds;
use castellan_writer::ledger::Ledger;
use castellan_writer::ledger::sqlite::SqliteLedger;
use serde_json::Value;

pub const ORG_SERVICE: &str = "zitadel.org.v2.OrganizationService";

pub struct Server {
    child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    pub token: String,
    /// How long the process took from spawn to a ready `/debug/ready`.
    pub ready_after: Duration,
    client: reqwest::Client,
    env: Vec<(String, String)>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `castellan start` with `data_dir` and extra `CASTELLAN_*` settings.
    pub async fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::spawn(data_dir.to_owned(), env).await
    }

    async fn spawn(data_dir: PathBuf, env: Vec<(String, String)>) -> Server {
        let port = free_port();
        let started = Instant::now();
        let mut command = Command::new(env!("CARGO_BIN_EXE_castellan"));
        command
            .arg("start")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CASTELLAN_PORT", port.to_string())
            .env("CASTELLAN_DATA_DIR", &data_dir)
            .env("CASTELLAN_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in &env {
            command.env(name, value);
        }
        let child = command.spawn().expect("spawn castellan");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut server = Server {
            child,
            port,
            data_dir: data_dir.clone(),
            token: String::new(),
            ready_after: Duration::ZERO,
            client,
            env,
        };
        // Poll readiness for up to a minute (a bound on the wait, not a performance assertion).
        for _ in 0..600 {
            let ready = server
                .get("/debug/ready")
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                server.ready_after = started.elapsed();
                let pat_path = server
                    .env
                    .iter()
                    .find(|(name, _)| name == "CASTELLAN_FIRSTINSTANCE_PATPATH")
                    .map(|(_, path)| PathBuf::from(path))
                    .unwrap_or_else(|| data_dir.join("admin.pat"));
                // Processes without the api role write no PAT.
                server.token = std::fs::read_to_string(pat_path).unwrap_or_default();
                eprintln!("castellan ready after {:?}", server.ready_after);
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("castellan exited early with {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("castellan did not become ready");
    }

    /// Kills the process at once (SIGKILL): a crash, not a shutdown.
    pub fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the process with SIGTERM (graceful shutdown) and waits for it.
    pub fn stop(mut self) -> (PathBuf, Vec<(String, String)>) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        assert!(status.unwrap().success());
        let exit = self.child.wait().unwrap();
        assert!(
            exit.success(),
            "castellan did not shut down cleanly: {exit}"
        );
        (self.data_dir.clone(), std::mem::take(&mut self.env))
    }

    /// Stops and starts again on the same data directory and settings.
    pub async fn restart(self) -> Server {
        let (data_dir, env) = self.stop();
        Self::spawn(data_dir, env).await
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .get(self.url(path))
            .header("Host", format!("localhost:{}", self.port))
            .send()
            .await
    }

    /// A raw request: method, path, body bytes, content type, bearer token.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &str,
        content_type: Option<&str>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("Host", format!("localhost:{}", self.port))
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// A Connect call (`/<service>/<method>`) as the admin that must answer 200; its answer.
    pub async fn admin_ok(&self, service: &str, method: &str, body: Value) -> Value {
        let (status, value) = self
            .raw(
                reqwest::Method::POST,
                &format!("/{service}/{method}"),
                &body.to_string(),
                Some("application/json"),
                Some(&self.token),
            )
            .await;
        assert_eq!(status, 200, "{method}: {value}");
        value
    }

    /// A form POST to an OAuth endpoint, with the client's basic authentication if given.
    pub async fn oauth_post(
        &self,
        path: &str,
        client: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.url(path))
            .header("Host", format!("localhost:{}", self.port))
            .form(form);
        if let Some((id, secret)) = client {
            request = request.basic_auth(id, Some(secret));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A Connect unary call as the admin.
    pub async fn connect(&self, method: &str, body: Value) -> (u16, Value) {
        self.connect_as(method, body, &self.token.clone()).await
    }

    pub async fn connect_as(&self, method: &str, body: Value, token: &str) -> (u16, Value) {
        let path = format!("/{ORG_SERVICE}/{method}");
        self.raw(
            reqwest::Method::POST,
            &path,
            &body.to_string(),
            Some("application/json"),
            Some(token),
        )
        .await
    }

    /// A REST call as the admin.
    pub async fn rest(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.token.clone();
        match body {
            Some(body) => {
                self.raw(
                    method,
                    path,
                    &body.to_string(),
                    Some("application/json"),
                    Some(&token),
                )
                .await
            }
            None => self.raw(method, path, "", None, Some(&token)).await,
        }
    }

    /// Organization names the admin sees, in creation order.
    pub async fn org_names(&self) -> Vec<String> {
        let (status, body) = self
            .connect("ListOrganizations", serde_json::json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        names(&body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn names(list: &Value) -> Vec<String> {
    list["result"]
        .as_array()
        .map(|orgs| {
            orgs.iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A second handle on the embedded ledger file (SQLite allows it), to see what was written.
pub struct LedgerProbe {
    pub ledger: Arc<SqliteLedger>,
}

impl LedgerProbe {
    pub async fn open(data_dir: &Path) -> LedgerProbe {
        LedgerProbe {
            ledger: Arc::new(
                SqliteLedger::open(&data_dir.join("ledger.db"))
                    .await
                    .unwrap(),
            ),
        }
    }

    pub async fn head(&self) -> Position {
        self.ledger.head().await.unwrap()
    }

    /// A writer on the same ledger, for setting up callers the API cannot create yet.
    pub fn writer(&self) -> castellan_writer::Writer {
        castellan_writer::Writer::new(
            self.ledger.clone(),
            Arc::new(SystemClock),
            Arc::new(SequentialIds::new("e2e-")),
        )
    }
}
