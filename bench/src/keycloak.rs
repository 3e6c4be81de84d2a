//! The second peer, opt-in: Keycloak from its server distribution (`org.keycloak:keycloak-quarkus-dist`
//! on Maven Central, extracted by the user; `--keycloak DIR`), started with `kc.sh start-dev`
//! (its embedded H2 database) on a free port, set up through its admin REST API (a realm with a
//! service-account client, a client for a user's password grant, and a user), and loaded with
//! the same load generator for the calls it shares: client credentials tokens then userinfo
//! (Keycloak answers it for a service account), and userinfo with a user's access token (from a
//! password grant at setup).

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Result;
use crate::api::{ApiResult, truncate};

/// A bound on Keycloak's start (the first start builds its Quarkus application; not a
/// measurement).
const START_TIMEOUT: Duration = Duration::from_secs(240);
const PASSWORD: &str = "Bench-Passw0rd!";

/// The running Keycloak: `kc.sh` in a process group of its own, with the JVM it starts as its
/// child; the whole group is stopped on drop.
struct Keycloak(Child);

impl Drop for Keycloak {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let kill = |signal: &str| {
            let _ = Command::new("kill")
                .args([signal, "--", &group])
                .stderr(Stdio::null())
                .status();
        };
        kill("-TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        // The group is usually gone by now.
        kill("-KILL");
        let _ = self.0.wait();
    }
}

fn start(dir: &Path, port: u16, log: &Path) -> Result<Keycloak> {
    let log = std::fs::File::create(log)?;
    let child = Command::new(dir.join("bin").join("kc.sh"))
        .args([
            "start-dev",
            "--http-host=127.0.0.1",
            &format!("--http-port={port}"),
            "--log-level=warn",
        ])
        .env("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
        .env("KC_BOOTSTRAP_ADMIN_PASSWORD", "bench-admin")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()?;
    Ok(Keycloak(child))
}

async fn form(
    client: &reqwest::Client,
    url: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> std::result::Result<Value, String> {
    let mut request = client.post(url).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{url}: HTTP {status}: {}", truncate(&text, 200)));
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn token_of(value: &Value) -> String {
    value
        .get("access_token")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Measures `pairs` on Keycloak at `concurrencies`; returns the results and its version.
pub async fn run(
    dir: &Path,
    tmp_base: &Path,
    pairs: &[&str],
    concurrencies: &[usize],
    duration: Duration,
) -> Result<(Vec<ApiResult>, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = tmp_base.join(format!("castellan-bench-keycloak-{port}.log"));
    let keycloak = start(dir, port, &log)?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let started = Instant::now();
    let admin = loop {
        let answer = form(
            &client,
            &format!("{base}/realms/master/protocol/openid-connect/token"),
            None,
            &[
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", "admin"),
                ("password", "bench-admin"),
            ],
        )
        .await;
        if let Ok(token) = answer {
            break token_of(&token);
        }
        if started.elapsed() > START_TIMEOUT {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("Keycloak did not start: {}", truncate(&text, 600)).into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "  keycloak: ready after {:.0} s (port {port})",
        started.elapsed().as_secs_f64()
    );
    // A realm of its own: start-dev keeps its H2 database in the distribution's directory.
    let realm_name = format!("bench-{:08x}", rand::random::<u32>());
    let robot_secret = format!("{:032x}", rand::random::<u128>());
    let api_secret = format!("{:032x}", rand::random::<u128>());
    let web_secret = format!("{:032x}", rand::random::<u128>());
    let realm = json!({"realm": realm_name, "enabled": true, "clients": [
        {"clientId": "bench-robot", "secret": robot_secret, "publicClient": false,
         "serviceAccountsEnabled": true, "standardFlowEnabled": false,
         "directAccessGrantsEnabled": false, "protocol": "openid-connect"},
        {"clientId": "bench-api", "secret": api_secret, "publicClient": false,
         "serviceAccountsEnabled": false, "standardFlowEnabled": false,
         "directAccessGrantsEnabled": false, "protocol": "openid-connect"},
        {"clientId": "bench-web", "secret": web_secret, "publicClient": false,
         "serviceAccountsEnabled": false, "standardFlowEnabled": false,
         "directAccessGrantsEnabled": true, "protocol": "openid-connect"}],
        "users": [{"username": "bench-ada", "enabled": true, "email": "bench-ada@bench.example.com",
         "emailVerified": true, "firstName": "Bench", "lastName": "Ada",
         "credentials": [{"type": "password", "value": PASSWORD, "temporary": false}]}]});
    let created = client
        .post(format!("{base}/admin/realms"))
        .bearer_auth(&admin)
        .json(&realm)
        .send()
        .await?;
    if !created.status().is_success() {
        let status = created.status();
        let text = created.text().await.unwrap_or_default();
        return Err(format!(
            "creating the realm: HTTP {status}: {}",
            truncate(&text, 300)
        )
        .into());
    }
    let version = client
        .get(format!("{base}/admin/serverinfo"))
        .bearer_auth(&admin)
        .send()
        .await?
        .json::<Value>()
        .await
        .ok()
        .and_then(|info| {
            info.pointer("/systemInfo/version")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into());
    let version = format!("Keycloak {version} (start-dev, embedded H2 database)");
    let shared = Arc::new(Shared {
        client,
        token_url: format!("{base}/realms/{realm_name}/protocol/openid-connect/token"),
        introspect_url: format!(
            "{base}/realms/{realm_name}/protocol/openid-connect/token/introspect"
        ),
        userinfo_url: format!("{base}/realms/{realm_name}/protocol/openid-connect/userinfo"),
        robot: ("bench-robot".into(), robot_secret),
        api: ("bench-api".into(), api_secret),
        token: String::new(),
    });
    // A user's token (a password grant: a stored session), which introspection and userinfo are
    // asked about; Keycloak's client credentials tokens have a transient session only.
    let token = form(
        &shared.client,
        &shared.token_url,
        Some(("bench-web", &web_secret)),
        &[
            ("grant_type", "password"),
            ("username", "bench-ada"),
            ("password", PASSWORD),
            ("scope", "openid profile email"),
        ],
    )
    .await?;
    let shared = Arc::new(Shared {
        token: token_of(&token),
        ..Arc::try_unwrap(shared).map_err(|_| "shared state still in use")?
    });
    let timing = crate::peer::PairTiming {
        concurrencies,
        duration,
        warm_up: Duration::from_millis(500),
    };
    let results = crate::peer::measure_pairs(
        pairs,
        &PAIRS,
        &timing,
        "keycloak",
        shared,
        |shared, name| async move { shared.iteration(name).await },
    )
    .await?;
    drop(keycloak);
    let _ = std::fs::remove_file(&log);
    Ok((results, version))
}

/// `introspect_basic` is not paired yet: Keycloak 26.7.3 answered `active: false` for a
/// password grant's token, asked by a confidential client and by the token's own client alike.
const PAIRS: [(&str, &str); 4] = [
    (
        "introspect_basic",
        "POST .../token/introspect of a user's access token (a signed JWT), basic auth",
    ),
    (
        "client_credentials",
        "POST .../token, client_credentials, client_secret_basic",
    ),
    (
        "machine_client_credentials_login",
        "client_credentials token, then userinfo with it (the service account)",
    ),
    (
        "user_info",
        "GET .../userinfo with a user's access token (password grant)",
    ),
];

struct Shared {
    client: reqwest::Client,
    token_url: String,
    introspect_url: String,
    userinfo_url: String,
    robot: (String, String),
    api: (String, String),
    token: String,
}

impl Shared {
    async fn client_credentials(&self) -> std::result::Result<Value, String> {
        form(
            &self.client,
            &self.token_url,
            Some((&self.robot.0, &self.robot.1)),
            &[("grant_type", "client_credentials"), ("scope", "openid")],
        )
        .await
    }

    async fn userinfo(&self, token: &str) -> std::result::Result<(), String> {
        let response = self
            .client
            .get(&self.userinfo_url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        match response.status().as_u16() {
            200 => Ok(()),
            status => Err(format!("userinfo: HTTP {status}")),
        }
    }

    async fn iteration(&self, name: &str) -> std::result::Result<(), String> {
        match name {
            "introspect_basic" => {
                let body = form(
                    &self.client,
                    &self.introspect_url,
                    Some((&self.api.0, &self.api.1)),
                    &[("token", &self.token)],
                )
                .await?;
                if body.get("active") == Some(&Value::Bool(true)) {
                    Ok(())
                } else {
                    Err(format!("inactive: {}", truncate(&body.to_string(), 200)))
                }
            }
            "client_credentials" => self.client_credentials().await.map(|_| ()),
            "machine_client_credentials_login" => {
                let token = self.client_credentials().await?;
                self.userinfo(&token_of(&token)).await
            }
            _ => self.userinfo(&self.token).await,
        }
    }
}
