//! The shared test servers of `infra/` (PostgreSQL, Kafka, Cassandra): finding their processes,
//! killing them with SIGKILL and starting them again with their `-up` scripts.
//!
//! Only a server this clone's `infra/` started is ever killed: its pid comes from the infra state
//! directory and must belong to a live process whose command line names that state directory's
//! configuration. Anything else (a server another clone started, a Debian cluster) is left alone
//! and the fault is skipped with a message. [`RestoreGuard`] starts again, on drop, every server
//! that was killed and not yet restored, so a failing test never leaves them down.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Postgres,
    Kafka,
    Cassandra,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Kafka => "kafka",
            Service::Cassandra => "cassandra",
        }
    }
}

pub struct Infra {
    repo: PathBuf,
    state: PathBuf,
    postgres_port: u16,
    kafka_port: u16,
    cassandra_port: u16,
    /// Killed and not restored yet.
    down: Mutex<BTreeSet<Service>>,
}

fn port_of(address: &str) -> Option<u16> {
    // "postgres://u:p@127.0.0.1:55432/postgres", "127.0.0.1:59092" (first of a list)
    let first = address.split(',').next()?;
    let after_at = first.rsplit('@').next()?;
    let host_port = after_at.split('/').find(|part| part.contains(':'))?;
    host_port.rsplit(':').next()?.parse().ok()
}

fn cmdline(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .map(|part| String::from_utf8_lossy(part).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Alive and not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ..." — the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

impl Infra {
    pub fn new(
        repo: &Path,
        postgres_url: &str,
        kafka_brokers: &str,
        cassandra_nodes: &str,
    ) -> Self {
        let state = std::env::var("CASTELLAN_INFRA_DIR")
            .map(PathBuf::from)
            .map(|p| if p.is_absolute() { p } else { repo.join(p) })
            .unwrap_or_else(|_| repo.join("infra/.state"));
        Infra {
            repo: repo.to_owned(),
            state,
            postgres_port: port_of(postgres_url).unwrap_or(0),
            kafka_port: port_of(kafka_brokers).unwrap_or(0),
            cassandra_port: port_of(cassandra_nodes).unwrap_or(0),
            down: Mutex::new(BTreeSet::new()),
        }
    }

    /// PostgreSQL's data directory: `<state>/postgres/data`, or postgres-up's fallback under
    /// `/var/tmp/castellan-infra/<cksum of the state path>/` when the postgres user cannot reach the
    /// state directory.
    fn postgres_data_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.state.join("postgres/data")];
        let state = self.state.to_string_lossy().into_owned();
        let cksum = std::process::Command::new("bash")
            .arg("-c")
            .arg("printf '%s' \"$0\" | cksum | cut -d' ' -f1")
            .arg(&state)
            .output();
        if let Ok(output) = cksum {
            let sum = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if !sum.is_empty() {
                dirs.push(PathBuf::from(format!(
                    "/var/tmp/castellan-infra/{sum}/postgres/data"
                )));
            }
        }
        dirs
    }

    /// The pid of the infra's own server for `service`, or why it is not ours to kill.
    pub fn pid(&self, service: Service) -> Result<u32, String> {
        match service {
            Service::Postgres => {
                for data in self.postgres_data_dirs() {
                    let Ok(pidfile) = std::fs::read_to_string(data.join("postmaster.pid")) else {
                        continue;
                    };
                    let lines: Vec<&str> = pidfile.lines().collect();
                    let pid: u32 = lines
                        .first()
                        .and_then(|l| l.trim().parse().ok())
                        .unwrap_or(0);
                    let port: u16 = lines
                        .get(3)
                        .and_then(|l| l.trim().parse().ok())
                        .unwrap_or(0);
                    let command = cmdline(pid).unwrap_or_default();
                    if pid > 0
                        && alive(pid)
                        && command.contains("postgres")
                        && command.contains(&data.to_string_lossy().into_owned())
                    {
                        if port != self.postgres_port {
                            return Err(format!(
                                "the infra's PostgreSQL ({}) listens on {port}, the test's URL on {}",
                                data.display(),
                                self.postgres_port
                            ));
                        }
                        return Ok(pid);
                    }
                }
                Err(format!(
                    "the PostgreSQL on port {} is not the one infra/postgres-up started from {} \
                     (no live postmaster.pid there)",
                    self.postgres_port,
                    self.state.join("postgres/data").display()
                ))
            }
            Service::Kafka => self.jvm_pid(
                "kafka",
                "kafka.pid",
                "server.properties",
                "kafka.Kafka",
                self.kafka_port,
            ),
            Service::Cassandra => self.jvm_pid(
                "cassandra",
                "cassandra.pid",
                "conf/cassandra.yaml",
                "CassandraDaemon",
                self.cassandra_port,
            ),
        }
    }

    fn jvm_pid(
        &self,
        dir: &str,
        pidfile: &str,
        config: &str,
        main_class: &str,
        port: u16,
    ) -> Result<u32, String> {
        let dir = self.state.join(dir);
        let pid: u32 = std::fs::read_to_string(dir.join(pidfile))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("no pid file {}", dir.join(pidfile).display()))?;
        let command = cmdline(pid).unwrap_or_default();
        let config = dir.join(config).to_string_lossy().into_owned();
        if !alive(pid) || !command.contains(main_class) || !command.contains(&config) {
            return Err(format!(
                "pid {pid} from {} is not a live {main_class} started with {config}: the server on \
                 port {port} is not the infra's own",
                dir.join(pidfile).display()
            ));
        }
        let running_port: u16 = std::fs::read_to_string(dir.join("port"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        if running_port != port {
            return Err(format!(
                "the infra's {main_class} listens on {running_port}, the test uses {port}"
            ));
        }
        Ok(pid)
    }

    /// `commitlog_sync` of the infra's Cassandra (`periodic`, `batch`, `group`), if known.
    pub fn cassandra_commitlog_sync(&self) -> Option<String> {
        let yaml =
            std::fs::read_to_string(self.state.join("cassandra/conf/cassandra.yaml")).ok()?;
        yaml.lines()
            .find_map(|line| line.trim().strip_prefix("commitlog_sync:"))
            .map(|value| value.trim().to_owned())
    }

    /// SIGKILLs the infra's server and waits until the process is gone. Returns its pid.
    pub async fn kill9(&self, service: Service) -> Result<u32, String> {
        let pid = self.pid(service)?;
        if let Ok(mut down) = self.down.lock() {
            down.insert(service);
        }
        let status = tokio::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .await
            .map_err(|e| format!("kill: {e}"))?;
        if !status.success() {
            return Err(format!("kill -9 {pid} failed: {status}"));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while alive(pid) {
            if Instant::now() > deadline {
                return Err(format!("pid {pid} still alive 30 s after SIGKILL"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(pid)
    }

    fn script(&self, service: Service) -> PathBuf {
        self.repo.join(format!("infra/{}-up", service.name()))
    }

    /// Runs `infra/<service>-up` (retrying: a PostgreSQL whose postmaster was SIGKILLed may need a
    /// moment until its orphaned backends have exited). Returns how long it took.
    pub async fn up(&self, service: Service) -> Result<Duration, String> {
        let started = Instant::now();
        let mut last = String::new();
        for attempt in 0..5 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            let output = tokio::process::Command::new("bash")
                .arg(self.script(service))
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .map_err(|e| format!("run {}: {e}", self.script(service).display()))?;
            if output.status.success() {
                if let Ok(mut down) = self.down.lock() {
                    down.remove(&service);
                }
                return Ok(started.elapsed());
            }
            last = format!(
                "{} exited with {}: {}",
                self.script(service).display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
            eprintln!("chaos: {last} (retrying)");
        }
        Err(last)
    }

    /// Starts again (blocking) every server killed and not restored yet.
    pub fn restore_blocking(&self) {
        let down: Vec<Service> = match self.down.lock() {
            Ok(down) => down.iter().copied().collect(),
            Err(_) => vec![Service::Postgres, Service::Kafka, Service::Cassandra],
        };
        for service in down {
            eprintln!("chaos: restoring {} after a failure", service.name());
            for _ in 0..5 {
                let ok = std::process::Command::new("bash")
                    .arg(self.script(service))
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if ok {
                    if let Ok(mut set) = self.down.lock() {
                        set.remove(&service);
                    }
                    break;
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        }
    }
}

/// Restores, on drop, every server killed and not restored.
pub struct RestoreGuard(pub std::sync::Arc<Infra>);

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        self.0.restore_blocking();
    }
}
