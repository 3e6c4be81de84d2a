//! The scenario: one deployment (1 api, 1 relay, 2 readers) under a steady write load; six faults
//! in turn, each followed by a recovery check; then the ledger, the topic and the read model are
//! checked against each other and the numbers appended to `docs/chaos-report.md`.
//!
//! One `#[tokio::test]` on purpose: cargo runs test binaries one at a time, and nothing else in
//! this binary may run while the shared servers are down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use castellan_readers::scylla::ScyllaReadStore;
use castellan_readers::store::ReadStore;
use castellan_readers::tables::ORGS;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use sqlx::Connection as _;

use super::binary::{castellan_binary, workspace_root};
use super::checks;
use super::infra::{Infra, RestoreGuard, Service};
use super::load::{Ack, CALL_TIMEOUT, Load, LoadLog};
use super::node::{Api, Node, tail};
use super::proxy::Proxy;
use super::report::{self, FaultRecord, RunInfo, Totals};

/// Org creations per second.
const RATE: u32 = 20;
/// Calls outstanding at most; a tick finding that many is skipped (counted as not sent).
const MAX_IN_FLIGHT: usize = 32;
/// How long a killed component stays down before its restart begins.
const DOWN_FOR: Duration = Duration::from_secs(4);
/// How long the proxy keeps the api cut off from PostgreSQL.
const CUT_FOR: Duration = Duration::from_secs(5);
/// Bound on every wait for recovery.
const CONVERGE_BOUND: Duration = Duration::from_secs(120);
/// How long an acknowledged probe may take to become visible before another one is written (the
/// API already waited up to 15 s for the read model before acknowledging it).
const PROBE_VISIBLE_WITHIN: Duration = Duration::from_secs(10);
/// A wait for the read model to catch up gives up once nothing has changed for this long.
const STALL: Duration = Duration::from_secs(30);
/// Pause between a fault's recovery and the next fault.
const SETTLE: Duration = Duration::from_secs(2);
const PARTITIONS: u32 = 4;
/// The first instance's domain (`ExternalDomain`'s default).
const DOMAIN: &str = "localhost";

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the chaos test needs the real servers. Start them and export their \
             addresses with `eval \"$(bash infra/up)\"` (or run scripts/test)"
        )
    })
}

/// One isolated deployment's names and settings.
struct Deployment {
    postgres_url: String,
    database: String,
    /// The ledger's DSN, straight to PostgreSQL.
    ledger_url: String,
    /// `host:port` of PostgreSQL (the proxy's upstream).
    postgres_address: String,
    brokers: String,
    nodes: Vec<String>,
    topic: String,
    keyspace: String,
    /// Settings every process gets (without the DSN).
    common: Vec<(String, String)>,
}

impl Deployment {
    async fn create(postgres_url: &str, brokers: &str, nodes: &str) -> Deployment {
        let suffix = rand::random::<u32>();
        let database = format!("castellan_chaos_{suffix}");
        let mut admin = sqlx::PgConnection::connect(postgres_url)
            .await
            .expect("connect to CASTELLAN_TEST_POSTGRES_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut admin)
            .await
            .expect("create the deployment's database");
        let _ = admin.close().await;
        let (base, _) = postgres_url
            .rsplit_once('/')
            .expect("CASTELLAN_TEST_POSTGRES_URL ends with /<database>");
        let (_, postgres_address) = base
            .rsplit_once('@')
            .expect("CASTELLAN_TEST_POSTGRES_URL has user@host:port");
        let topic = format!("castellan.chaos.{suffix}");
        create_topic(brokers, &topic)
            .await
            .unwrap_or_else(|e| panic!("create the topic {topic}: {e}"));
        let keyspace = format!("castellan_chaos_{suffix}");
        let common = vec![
            ("CASTELLAN_KAFKA_BROKERS".to_owned(), brokers.to_owned()),
            ("CASTELLAN_KAFKA_TOPIC".to_owned(), topic.clone()),
            (
                "CASTELLAN_KAFKA_PARTITIONS".to_owned(),
                PARTITIONS.to_string(),
            ),
            (
                "CASTELLAN_KAFKA_GROUPID".to_owned(),
                format!("chaos-readers-{suffix}"),
            ),
            ("CASTELLAN_CASSANDRA_NODES".to_owned(), nodes.to_owned()),
            ("CASTELLAN_CASSANDRA_KEYSPACE".to_owned(), keyspace.clone()),
        ];
        Deployment {
            postgres_url: postgres_url.to_owned(),
            ledger_url: format!("{base}/{database}"),
            postgres_address: postgres_address.to_owned(),
            database,
            brokers: brokers.to_owned(),
            nodes: nodes
                .split(',')
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect(),
            topic,
            keyspace,
            common,
        }
    }

    fn env(&self, dsn: &str) -> Vec<(String, String)> {
        let mut env = self.common.clone();
        env.push(("CASTELLAN_DATABASE_POSTGRES_DSN".to_owned(), dsn.to_owned()));
        env
    }

    /// The DSN of the deployment's database through a local proxy port.
    fn proxied_url(&self, port: u16) -> String {
        let (base, _) = self.ledger_url.rsplit_once('/').unwrap_or_default();
        let (credentials, _) = base.rsplit_once('@').unwrap_or_default();
        format!("{credentials}@127.0.0.1:{port}/{}", self.database)
    }

    /// Drops the database, topic and keyspace (after a passing run; a failing one keeps them).
    async fn drop_all(&self, cassandra: &ScyllaReadStore) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.postgres_url).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.database
            )))
            .execute(&mut admin)
            .await;
        }
        let _ = cassandra
            .session()
            .query_unpaged(format!("DROP KEYSPACE IF EXISTS \"{}\"", self.keyspace), ())
            .await;
        let admin: Result<AdminClient<DefaultClientContext>, _> = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .create();
        if let Ok(admin) = admin {
            let _ = admin
                .delete_topics(&[&self.topic], &AdminOptions::new())
                .await;
        }
    }
}

/// Creates the topic and waits until its metadata shows every partition with a leader.
///
/// Castellan's own `ensure_topic` (writer/src/relay/kafka.rs) creates the topic and reads its
/// metadata at once; right after the creation the broker may not list the partitions yet, and the
/// process then exits at startup ("topic ... has no partitions"). Creating it here first keeps
/// that startup race (reported separately) out of this test.
async fn create_topic(brokers: &str, topic: &str) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("allow.auto.create.topics", "false")
        .create()
        .map_err(|e| e.to_string())?;
    let new = NewTopic::new(
        topic,
        i32::try_from(PARTITIONS).unwrap_or(4),
        TopicReplication::Fixed(1),
    );
    let results = admin
        .create_topics([&new], &AdminOptions::new())
        .await
        .map_err(|e| e.to_string())?;
    for result in results {
        result.map_err(|(name, code)| format!("{name}: {code}"))?;
    }
    let started = Instant::now();
    loop {
        let ready = admin
            .inner()
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .ok()
            .and_then(|metadata| {
                metadata
                    .topics()
                    .iter()
                    .find(|t| t.name() == topic)
                    .map(|t| {
                        t.error().is_none()
                            && t.partitions().len() == PARTITIONS as usize
                            && t.partitions().iter().all(|p| p.leader() >= 0)
                    })
            })
            .unwrap_or(false);
        if ready {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err("the partitions never appeared in the metadata".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Nodes {
    api: Node,
    relay: Node,
    readers: Vec<Node>,
}

impl Nodes {
    fn all(&mut self) -> Vec<&mut Node> {
        let mut all = vec![&mut self.api, &mut self.relay];
        all.extend(self.readers.iter_mut());
        all
    }
}

/// What the faults share.
struct Ctx {
    t0: Instant,
    api: Api,
    cassandra: Arc<ScyllaReadStore>,
    instance: String,
    load: Load,
    /// Probe orgs the API acknowledged (they must survive too).
    probes: Vec<Ack>,
    /// Processes that died without being killed.
    findings: Vec<String>,
    /// Acknowledged orgs an earlier fault's catch-up found missing for good (later catch-ups
    /// do not wait for them again).
    known_lost: BTreeSet<String>,
}

impl Ctx {
    fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    /// Restarts (and reports) any castellan process that exited on its own.
    async fn check_processes(&mut self, nodes: &mut Nodes, during: &str) {
        for node in nodes.all() {
            if let Some(status) = node.exited() {
                let finding = format!(
                    "the {} process exited on its own ({status}) during \"{during}\"; log {}:\n{}",
                    node.role,
                    node.log.display(),
                    tail(&node.log, 20)
                );
                eprintln!("chaos: {finding}");
                self.findings.push(finding);
                if let Err(error) = node.restart().await {
                    self.findings
                        .push(format!("restarting {} failed: {error}", node.role));
                }
            }
        }
    }
}

/// The wall clock, in the ledger's unit (`created_at`: microseconds since the epoch).
fn wall_micros() -> i64 {
    use castellan_core::clock::{Clock as _, SystemClock};
    SystemClock.now().0
}

/// Writes probe orgs until one is visible through the API (ListOrganizations by id). Returns the
/// visible probe (its `acked` is when it became visible), and the acknowledged probes that never
/// became visible (each is given [`PROBE_VISIBLE_WITHIN`] before the next probe is written).
async fn converge(api: &Api, label: &str, t0: Instant) -> Result<(Ack, Vec<Ack>), String> {
    let started = Instant::now();
    let mut attempt = 0;
    let mut last_error = String::new();
    let mut invisible = Vec::new();
    while started.elapsed() < CONVERGE_BOUND {
        attempt += 1;
        let name = format!("{label}-probe-{attempt}");
        let sent = t0.elapsed();
        match api.add_org(&name, CALL_TIMEOUT).await {
            Ok(id) => {
                let acked = t0.elapsed();
                let waiting = Instant::now();
                while waiting.elapsed() < PROBE_VISIBLE_WITHIN {
                    if api.org_visible(&id, &name).await == Ok(true) {
                        let probe = Ack {
                            id,
                            name,
                            sent,
                            acked: t0.elapsed(),
                        };
                        return Ok((probe, invisible));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                last_error = format!("probe {name} acknowledged but not visible");
                eprintln!("chaos: {last_error} after {PROBE_VISIBLE_WITHIN:?}");
                invisible.push(Ack {
                    id,
                    name,
                    sent,
                    acked,
                });
            }
            Err(error) => {
                last_error = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Err(format!(
        "no probe org visible within {CONVERGE_BOUND:?} ({attempt} attempts; last: {last_error})"
    ))
}

/// Waits until every org acknowledged so far is in the read model. Returns when it was, or the
/// ids still missing once nothing has arrived for [`STALL`] (or after [`CONVERGE_BOUND`]).
/// The error carries when the last missing org arrived.
///
/// Calls sent before `since` are first given time to be answered (a call whose events are late
/// is only acknowledged when the API's read-your-writes wait runs out), so that every org written
/// before the system recovered is checked here, not after a later fault.
async fn caught_up(
    ctx: &Ctx,
    since: Duration,
) -> Result<Duration, (String, Vec<String>, Duration)> {
    let waiting = Instant::now();
    while ctx
        .load
        .oldest_in_flight()
        .is_some_and(|sent| sent <= since)
        && waiting.elapsed() < CALL_TIMEOUT + Duration::from_secs(1)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut expected: BTreeSet<String> =
        ctx.load.snapshot().acks.into_iter().map(|a| a.id).collect();
    expected.extend(ctx.probes.iter().map(|a| a.id.clone()));
    expected.retain(|id| !ctx.known_lost.contains(id));
    let started = Instant::now();
    let mut absent: Vec<String> = expected.iter().cloned().collect();
    let mut progress_at = Instant::now();
    let mut last_arrival = ctx.now();
    let mut last_error = String::new();
    while started.elapsed() < CONVERGE_BOUND && progress_at.elapsed() < STALL {
        match ctx.cassandra.scan(ORGS, &ctx.instance).await {
            Ok(rows) => {
                let present: BTreeSet<&str> = rows.iter().map(|r| r.clustering.as_str()).collect();
                let now_absent: Vec<String> = absent
                    .iter()
                    .filter(|id| !present.contains(id.as_str()))
                    .cloned()
                    .collect();
                if now_absent.is_empty() {
                    return Ok(ctx.now());
                }
                if now_absent.len() < absent.len() {
                    progress_at = Instant::now();
                    last_arrival = ctx.now();
                }
                absent = now_absent;
            }
            Err(error) => last_error = format!("; last error: {error}"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err((
        format!(
            "{} of {} acknowledged orgs never reached the read model (nothing arrived for {} s{last_error}): {}",
            absent.len(),
            expected.len(),
            STALL.as_secs(),
            absent
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        absent,
        last_arrival,
    ))
}

/// After a restart: the probe, then the backlog. False if the system did not recover (no probe
/// became visible): the remaining faults are then not injected.
async fn recover(ctx: &mut Ctx, nodes: &mut Nodes, record: &mut FaultRecord) -> bool {
    ctx.check_processes(nodes, &record.name).await;
    let label = format!("chaos-{}", record.name.replace(' ', "-"));
    match converge(&ctx.api, &label, ctx.t0).await {
        Ok((probe, invisible)) => {
            record.converged_at = Some(probe.acked);
            if !invisible.is_empty() {
                record.notes.push(format!(
                    "{} acknowledged probe(s) not visible within {} s: {}",
                    invisible.len(),
                    PROBE_VISIBLE_WITHIN.as_secs(),
                    invisible
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            ctx.probes.push(probe);
            ctx.probes.extend(invisible);
        }
        Err(error) => {
            record.notes.push(error);
            return false;
        }
    }
    let since = record.converged_at.unwrap_or_else(|| ctx.now());
    match caught_up(ctx, since).await {
        Ok(at) => record.caught_up_at = Some(at),
        Err((error, missing, last_arrival)) => {
            record.caught_up_at = Some(last_arrival);
            // The system is live (the probe converged) but lost rows: record it and go on, so
            // that the remaining faults still run.
            eprintln!("chaos: {}: {error}", record.name);
            record.notes.push(error);
            ctx.known_lost.extend(missing.iter().cloned());
            record.never_arrived = missing;
        }
    }
    ctx.check_processes(nodes, &record.name).await;
    eprintln!(
        "chaos: {} recovered: converged {:.1} s, caught up {:.1} s after the restart",
        record.name,
        record
            .converged_at
            .unwrap_or_default()
            .saturating_sub(record.restart_at)
            .as_secs_f64(),
        record
            .caught_up_at
            .unwrap_or_default()
            .saturating_sub(record.restart_at)
            .as_secs_f64()
    );
    tokio::time::sleep(SETTLE).await;
    true
}

async fn kill_node(
    ctx: &mut Ctx,
    nodes: &mut Nodes,
    name: &str,
    which: fn(&mut Nodes) -> &mut Node,
) -> (FaultRecord, bool) {
    let mut record = FaultRecord::new(name);
    eprintln!("chaos: injecting \"{name}\"");
    record.injected_at = ctx.now();
    record.injected_wall_micros = wall_micros();
    let node = which(nodes);
    match node.kill9() {
        Ok(pid) => {
            record.how = format!(
                "SIGKILL of the {} process (pid {pid}); restarted {} s later (same settings)",
                node.role,
                DOWN_FOR.as_secs()
            )
        }
        Err(error) => panic!("kill {name}: {error}"),
    }
    tokio::time::sleep(DOWN_FOR).await;
    record.restart_at = ctx.now();
    if let Err(error) = which(nodes).restart().await {
        panic!("restart after {name}: {error}");
    }
    record.ready_at = ctx.now();
    let ok = recover(ctx, nodes, &mut record).await;
    (record, ok)
}

async fn kill_server(
    ctx: &mut Ctx,
    nodes: &mut Nodes,
    infra: &Infra,
    name: &str,
    service: Service,
) -> (FaultRecord, bool) {
    let mut record = FaultRecord::new(name);
    if let Err(reason) = infra.pid(service) {
        eprintln!("chaos: skipping \"{name}\": {reason}");
        record.skipped = Some(reason);
        return (record, true);
    }
    eprintln!("chaos: injecting \"{name}\"");
    record.injected_at = ctx.now();
    record.injected_wall_micros = wall_micros();
    let pid = match infra.kill9(service).await {
        Ok(pid) => pid,
        Err(error) => panic!("kill {}: {error}", service.name()),
    };
    tokio::time::sleep(DOWN_FOR).await;
    record.restart_at = ctx.now();
    let took = match infra.up(service).await {
        Ok(took) => took,
        Err(error) => panic!("restart {}: {error}", service.name()),
    };
    record.ready_at = ctx.now();
    let what = match service {
        Service::Postgres => "PostgreSQL's postmaster",
        Service::Kafka => "the Kafka broker (kafka.Kafka, KRaft broker+controller)",
        Service::Cassandra => "Cassandra (CassandraDaemon)",
    };
    record.how = format!(
        "SIGKILL of {what} (pid {pid}); `infra/{}-up` {} s later ({:.1} s until it was ready)",
        service.name(),
        DOWN_FOR.as_secs(),
        took.as_secs_f64()
    );
    let ok = recover(ctx, nodes, &mut record).await;
    (record, ok)
}

async fn cut_proxy(ctx: &mut Ctx, nodes: &mut Nodes, proxy: &Proxy) -> (FaultRecord, bool) {
    let name = "api/relay-PostgreSQL partition";
    let mut record = FaultRecord::new(name);
    eprintln!("chaos: injecting \"{name}\"");
    record.injected_at = ctx.now();
    record.injected_wall_micros = wall_micros();
    let open = proxy.cut();
    tokio::time::sleep(CUT_FOR).await;
    record.restart_at = ctx.now();
    proxy.heal();
    record.ready_at = ctx.now();
    let (_, refused) = proxy.counts();
    record.how = format!(
        "the TCP proxy between the api and relay and PostgreSQL closed its {open} open connections \
         and closed every new one for {} s ({refused} refused), then let them through",
        CUT_FOR.as_secs()
    );
    let ok = recover(ctx, nodes, &mut record).await;
    (record, ok)
}

async fn wait_until_usable(api: &Api) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        let ok = api
            .call(
                "ListOrganizations",
                serde_json::json!({}),
                Duration::from_secs(10),
            )
            .await
            .is_ok_and(|(status, _)| status == 200);
        if ok {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the admin token never became usable (is the pipeline running?)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_crashes_of_every_component() {
    let started_at = report::now_utc();
    let repo = workspace_root();
    let binary = castellan_binary().unwrap_or_else(|message| panic!("{message}"));
    let postgres_url = required("CASTELLAN_TEST_POSTGRES_URL");
    let brokers = required("CASTELLAN_TEST_KAFKA_BROKERS");
    let nodes_setting = required("CASTELLAN_TEST_CASSANDRA_NODES");
    let infra = Arc::new(Infra::new(&repo, &postgres_url, &brokers, &nodes_setting));
    // From here on, every server killed is started again, however the test ends.
    let _restore = RestoreGuard(infra.clone());
    let machine = report::machine();
    // At the start: others may commit while the test runs.
    let commit = report::commit(&repo);

    let deployment = Deployment::create(&postgres_url, &brokers, &nodes_setting).await;
    let work =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("chaos-{}", deployment.database));
    std::fs::create_dir_all(&work).expect("work directory");
    eprintln!(
        "chaos: deployment {} (topic {}, keyspace {}), logs in {}",
        deployment.database,
        deployment.topic,
        deployment.keyspace,
        work.display()
    );
    let proxy = Proxy::start(deployment.postgres_address.clone())
        .await
        .expect("start the proxy");
    let dir = |name: &str| -> PathBuf {
        let path = work.join(name);
        std::fs::create_dir_all(&path).expect("data directory");
        path
    };
    let log = |name: &str| -> PathBuf { work.join(format!("{name}.log")) };

    // Sequentially: every process migrates the ledger and the keyspace when it starts (the CQL
    // schema must not be created from two processes at once).
    // The api and the relay reach PostgreSQL through the proxy (the relay's lead is a session
    // advisory lock: cutting its connection takes the lead away); the readers connect directly.
    let proxied_env = deployment.env(&deployment.proxied_url(proxy.port));
    let direct_env = deployment.env(&deployment.ledger_url);
    let api_node = Node::start(&binary, "api", &dir("api"), &proxied_env, &log("api"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let relay = Node::start(&binary, "relay", &dir("relay"), &proxied_env, &log("relay"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut readers = Vec::new();
    for name in ["reader-a", "reader-b"] {
        readers.push(
            Node::start(&binary, "reader", &dir(name), &direct_env, &log(name))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let mut nodes = Nodes {
        api: api_node,
        relay,
        readers,
    };
    let api = Api::new(
        nodes.api.port,
        nodes.api.admin_token().unwrap_or_else(|e| panic!("{e}")),
    )
    .expect("http client");
    wait_until_usable(&api).await;

    let ledger = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&deployment.ledger_url)
        .await
        .expect("connect to the ledger");
    let instance = checks::instance_id(&ledger).await.expect("instance id");
    let cassandra = Arc::new(
        ScyllaReadStore::connect(&deployment.nodes, &deployment.keyspace)
            .await
            .expect("connect to Cassandra"),
    );

    let t0 = Instant::now();
    let load = Load::start(
        api.clone(),
        format!(
            "chaos-{}",
            deployment.database.trim_start_matches("castellan_chaos_")
        ),
        RATE,
        MAX_IN_FLIGHT,
        t0,
    );
    let mut ctx = Ctx {
        t0,
        api: api.clone(),
        cassandra: cassandra.clone(),
        instance: instance.clone(),
        load,
        probes: Vec::new(),
        findings: Vec::new(),
        known_lost: BTreeSet::new(),
    };
    // Warm up under load before the first fault.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let mut faults: Vec<FaultRecord> = Vec::new();
    let plan = [
        "relay crash",
        "reader crash",
        "Kafka crash",
        "Cassandra crash",
        "PostgreSQL crash",
        "api/relay-PostgreSQL partition",
    ];
    let mut healthy = true;
    for step in plan {
        if !healthy {
            let mut record = FaultRecord::new(step);
            record.skipped = Some("not injected: an earlier fault did not recover".into());
            faults.push(record);
            continue;
        }
        let (record, ok) = match step {
            "relay crash" => kill_node(&mut ctx, &mut nodes, step, |n| &mut n.relay).await,
            "reader crash" => kill_node(&mut ctx, &mut nodes, step, |n| &mut n.readers[0]).await,
            "Kafka crash" => kill_server(&mut ctx, &mut nodes, &infra, step, Service::Kafka).await,
            "Cassandra crash" => {
                kill_server(&mut ctx, &mut nodes, &infra, step, Service::Cassandra).await
            }
            "PostgreSQL crash" => {
                kill_server(&mut ctx, &mut nodes, &infra, step, Service::Postgres).await
            }
            _ => cut_proxy(&mut ctx, &mut nodes, &proxy).await,
        };
        healthy = ok;
        faults.push(record);
    }

    // Stop the load; wait for the pipeline to drain and the read model to equal a rebuild.
    let Ctx {
        load,
        probes,
        mut findings,
        ..
    } = ctx;
    // Observations reported without failing the test.
    let mut notes: Vec<String> = Vec::new();
    eprintln!("chaos: stopping the load");
    let mut log: LoadLog = load.stop().await;
    log.acks.extend(probes);
    let stopped = Instant::now();
    let events = checks::ledger_events(&ledger).await.expect("ledger");
    let head = events.last().map(|e| e.position).unwrap_or(0);
    let rebuild_path = work.join("rebuild.db");
    let _ = std::fs::remove_file(&rebuild_path);
    let rebuilt = checks::rebuild(&deployment.ledger_url, &rebuild_path, head)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rebuilt_rows = checks::embedded_rows(&rebuild_path)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut final_convergence = None;
    let mut row_diff = checks::RowDiff::default();
    let mut last_counts = None;
    let mut changed_at = Instant::now();
    let mut stable_after = Duration::ZERO;
    while stopped.elapsed() < CONVERGE_BOUND && changed_at.elapsed() < STALL {
        match checks::cassandra_rows(&cassandra, &deployment.keyspace).await {
            Ok(rows) => {
                row_diff = checks::diff_rows(&rows, &rebuilt_rows);
                if row_diff.equal() {
                    final_convergence = Some(stopped.elapsed());
                    break;
                }
                let counts = Some((row_diff.missing, row_diff.extra, row_diff.differing));
                if counts != last_counts {
                    last_counts = counts;
                    changed_at = Instant::now();
                    stable_after = stopped.elapsed();
                }
            }
            Err(error) => eprintln!("chaos: {error}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let relay_at = checks::relay_checkpoint(&ledger).await.unwrap_or(0);
    if relay_at < head {
        findings.push(format!(
            "the relay's checkpoint ({relay_at}) is behind the ledger's head ({head}) after the drain"
        ));
    }
    let token = api.token().to_owned();
    let query_diff = checks::diff_queries(
        cassandra.as_ref(),
        rebuilt.as_ref(),
        &instance,
        DOMAIN,
        &token,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let topic = checks::scan_topic(&deployment.brokers, &deployment.topic)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let listed = api.list_all().await.unwrap_or_else(|e| panic!("{e}"));

    // Tally.
    let ledger_orgs: BTreeMap<&str, Option<&str>> = events
        .iter()
        .filter(|e| e.event_type == "org.added")
        .map(|e| (e.aggregate_id.as_str(), e.name.as_deref()))
        .collect();
    let ledger_org_names: BTreeSet<&str> = ledger_orgs.values().flatten().copied().collect();
    let listed_ids: BTreeSet<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    let ledger_positions: BTreeSet<i64> = events.iter().map(|e| e.position).collect();
    let kafka_positions: BTreeSet<i64> = topic.positions.iter().copied().collect();
    let acked_missing: Vec<&Ack> = log
        .acks
        .iter()
        .filter(|a| !ledger_orgs.contains_key(a.id.as_str()))
        .collect();
    let mut totals = Totals {
        events_written: events.len(),
        orgs_in_ledger: ledger_orgs.len(),
        acknowledged: log.acks.len(),
        not_acknowledged: log.failures.len(),
        not_acknowledged_but_committed: log
            .failures
            .iter()
            .filter(|f| ledger_org_names.contains(f.name.as_str()))
            .count(),
        not_sent: log.not_sent,
        acked_missing_from_ledger: acked_missing.len(),
        acked_missing_from_api: log
            .acks
            .iter()
            .filter(|a| !listed_ids.contains(a.id.as_str()))
            .count(),
        ledger_orgs_missing_from_api: ledger_orgs
            .keys()
            .filter(|id| !listed_ids.contains(*id))
            .count(),
        api_duplicates: listed.len() - listed_ids.len(),
        kafka_messages: topic.messages,
        kafka_distinct_positions: kafka_positions.len(),
        kafka_duplicates: topic.positions.len() - kafka_positions.len(),
        kafka_missing_positions: ledger_positions.difference(&kafka_positions).count(),
        kafka_unknown_positions: kafka_positions.difference(&ledger_positions).count()
            + usize::try_from(topic.without_position).unwrap_or(0),
        read_rows_compared: row_diff.compared,
        read_rows_missing: row_diff.missing,
        read_rows_extra: row_diff.extra,
        read_rows_differing: row_diff.differing,
        read_rows_per_table: row_diff
            .per_table
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        query_orgs: query_diff.orgs_rebuilt,
        query_orgs_missing: query_diff.orgs_missing,
        query_orgs_extra: query_diff.orgs_extra,
        query_orgs_differing: query_diff.orgs_differing,
        query_duplicate_ids: query_diff.duplicate_org_ids,
        query_domains_differing: query_diff.domains_differing,
        query_metadata_differing: query_diff.metadata_differing,
        identity_equal: query_diff.identity_equal,
        lost_by_cassandra_crash: 0,
        final_convergence,
        final_stable_after: stable_after,
        total_runtime: t0.elapsed(),
        examples: row_diff
            .examples
            .iter()
            .chain(query_diff.examples.iter())
            .take(12)
            .cloned()
            .collect(),
    };
    // Orgs whose rows are missing or differ in Cassandra (row comparison and queries).
    let lost_orgs: BTreeSet<String> = row_diff
        .missing_keys
        .iter()
        .chain(row_diff.differing_keys.iter())
        .filter_map(|(table, partition, clustering)| match table.as_str() {
            "orgs" => Some(clustering.clone()),
            "org_domains" | "org_metadata" => partition.split('\u{1f}').nth(1).map(str::to_owned),
            _ => None,
        })
        .chain(query_diff.missing_org_ids.iter().cloned())
        .chain(query_diff.differing_org_ids.iter().cloned())
        .collect();
    let commitlog_sync = infra.cassandra_commitlog_sync();
    let excused = lost_by_cassandra_crash(
        &faults,
        &events,
        &lost_orgs,
        &row_diff,
        &query_diff,
        commitlog_sync.as_deref(),
    );
    if let Some(explanation) = &excused {
        totals.lost_by_cassandra_crash = lost_orgs.len();
        let message = format!(
            "Cassandra lost acknowledged writes at its SIGKILL (not counted as a failure; \
             CASTELLAN_CHAOS_STRICT=1 counts it): {explanation}"
        );
        eprintln!("chaos: {message}");
        notes.push(message);
    }
    let is_excused = |id: &str| excused.is_some() && lost_orgs.contains(id);
    for fault in &faults {
        if fault.skipped.is_none() && fault.converged_at.is_none() {
            findings.push(format!(
                "\"{}\" did not recover (no probe org became visible): {}",
                fault.name,
                fault.notes.join("; ")
            ));
        }
        let unexplained = fault
            .never_arrived
            .iter()
            .filter(|id| !is_excused(id))
            .count();
        if unexplained > 0 {
            findings.push(format!(
                "after \"{}\", {unexplained} acknowledged orgs never reached the read model",
                fault.name
            ));
        }
    }
    if !acked_missing.is_empty() {
        findings.push(format!(
            "{} acknowledged orgs are not in the ledger, e.g. {:?}",
            acked_missing.len(),
            acked_missing
                .iter()
                .take(3)
                .map(|a| &a.name)
                .collect::<Vec<_>>()
        ));
    }
    if totals.kafka_missing_positions > 0 {
        let missing: Vec<i64> = ledger_positions
            .difference(&kafka_positions)
            .take(5)
            .copied()
            .collect();
        findings.push(format!(
            "{} ledger positions never reached Kafka, e.g. {missing:?}",
            totals.kafka_missing_positions
        ));
    }
    if !totals.read_model_equal() && excused.is_none() {
        findings.push(format!(
            "the read model in Cassandra differs from a rebuild from the ledger (see the \
             differences); {}",
            lost_by_fault(&faults, &log, &ledger_orgs, &lost_orgs)
        ));
    }

    let acked_unlisted = log
        .acks
        .iter()
        .filter(|a| !listed_ids.contains(a.id.as_str()) && !is_excused(&a.id))
        .count();
    let read_model_ok = totals.read_model_equal() || excused.is_some();

    let info = RunInfo {
        started: started_at,
        commit,
        machine,
        binary: format!(
            "{}` (built {})",
            binary.strip_prefix(&repo).unwrap_or(&binary).display(),
            report::modified_utc(&binary)
        ),
        deployment: format!(
            "1 api and 1 relay (both through the TCP proxy to PostgreSQL), 2 readers; topic with \
             {PARTITIONS} partitions; database/keyspace `{}`",
            deployment.database
        ),
        rate: RATE,
        max_in_flight: MAX_IN_FLIGHT,
        down_for: DOWN_FOR,
    };
    let section = report::render(&info, &faults, &log, &totals, &findings, &notes);
    eprintln!("\n{section}");
    let report_path = report::report_path(&repo);
    if let Err(error) = report::append(&report_path, &section) {
        eprintln!("chaos: {error}");
    } else {
        eprintln!("chaos: report appended to {}", report_path.display());
    }

    for node in nodes.all() {
        node.stop().await;
    }
    drop(proxy);
    // The assertions below, evaluated before they panic: a passing run cleans up after itself.
    let passed = findings.is_empty()
        && totals.events_lost() == 0
        && read_model_ok
        && acked_unlisted == 0
        && totals.api_duplicates + totals.query_duplicate_ids == 0;
    if passed {
        ledger.close().await;
        deployment.drop_all(&cassandra).await;
        let _ = std::fs::remove_dir_all(&work);
    } else {
        eprintln!(
            "chaos: kept database/keyspace {} and topic {} for inspection; logs in {}",
            deployment.database,
            deployment.topic,
            work.display()
        );
    }

    assert_eq!(
        totals.events_lost(),
        0,
        "events lost; findings: {findings:#?}"
    );
    assert_eq!(acked_unlisted, 0, "acknowledged orgs not listed by the API");
    assert_eq!(
        totals.api_duplicates + totals.query_duplicate_ids,
        0,
        "duplicated rows in the read model"
    );
    assert!(
        read_model_ok,
        "the read model differs from the rebuild: {:#?}",
        totals.examples
    );
    assert!(findings.is_empty(), "findings: {findings:#?}");
}

/// When the orgs missing from the read model were written, relative to the faults (a lead for
/// the logs: which fault window each falls in).
fn lost_by_fault(
    faults: &[FaultRecord],
    log: &LoadLog,
    ledger_orgs: &BTreeMap<&str, Option<&str>>,
    lost_orgs: &BTreeSet<String>,
) -> String {
    if lost_orgs.is_empty() {
        return "no org is missing".into();
    }
    // When each lost org was sent: acknowledged ones by id, the others by name.
    let sent_by_id: BTreeMap<&str, Duration> =
        log.acks.iter().map(|a| (a.id.as_str(), a.sent)).collect();
    let sent_by_name: BTreeMap<&str, Duration> = log
        .failures
        .iter()
        .map(|f| (f.name.as_str(), f.sent))
        .collect();
    let margin = Duration::from_secs(3);
    let mut during: BTreeMap<String, usize> = BTreeMap::new();
    for id in lost_orgs {
        let sent = sent_by_id.get(id.as_str()).copied().or_else(|| {
            ledger_orgs
                .get(id.as_str())
                .copied()
                .flatten()
                .and_then(|name| sent_by_name.get(name).copied())
        });
        // From the injection until a probe written after the restart was visible (a reader may
        // still fail while its driver reconnects after the server itself is back).
        let fault = sent.and_then(|sent| {
            faults.iter().rfind(|f| {
                let end = f.converged_at.unwrap_or(f.ready_at + CONVERGE_BOUND);
                f.skipped.is_none() && sent + margin >= f.injected_at && sent <= end + margin
            })
        });
        let key = match (sent, fault) {
            (_, Some(fault)) => format!("during \"{}\"", fault.name),
            (Some(_), None) => "outside every fault".to_owned(),
            (None, None) => "not written by the load".to_owned(),
        };
        *during.entry(key).or_insert(0) += 1;
    }
    let list: Vec<String> = during.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(
        "{} orgs missing, written: {}",
        lost_orgs.len(),
        list.join(", ")
    )
}

/// Whether every difference between the read model and the rebuild is a write Cassandra itself
/// acknowledged and then lost when it was SIGKILLed.
///
/// With `commitlog_sync: periodic` (Cassandra's and ScyllaDB's default; the infra's Cassandra
/// uses it) a write is acknowledged before its commit-log section is marked durable (every
/// ~100 ms; fsync every `commitlog_sync_period`), and replay ignores unmarked sections: a killed
/// single-replica node forgets the writes of its last ~50–100 ms (measured: 58 of 3908
/// acknowledged inserts, the last 45 ms). The readers had committed those offsets, so nothing
/// rewrites them. Excused only with a periodic commit log, only for org rows (missing or
/// differing, none extra), and only for orgs with an event written in the 1.5 s before a
/// Cassandra SIGKILL. `CASTELLAN_CHAOS_STRICT=1` excuses nothing.
fn lost_by_cassandra_crash(
    faults: &[FaultRecord],
    events: &[checks::LedgerEvent],
    lost_orgs: &BTreeSet<String>,
    rows: &checks::RowDiff,
    queries: &checks::QueryDiff,
    commitlog_sync: Option<&str>,
) -> Option<String> {
    if lost_orgs.is_empty()
        || commitlog_sync != Some("periodic")
        || std::env::var("CASTELLAN_CHAOS_STRICT").is_ok_and(|v| v == "1")
    {
        return None;
    }
    let org_rows_only = rows
        .missing_keys
        .iter()
        .chain(rows.differing_keys.iter())
        .all(|(table, _, _)| ["orgs", "org_domains", "org_metadata"].contains(&table.as_str()));
    if !org_rows_only
        || rows.extra > 0
        || queries.orgs_extra > 0
        || queries.duplicate_org_ids > 0
        || !queries.identity_equal
    {
        return None;
    }
    let kills: Vec<i64> = faults
        .iter()
        .filter(|f| f.name == "Cassandra crash" && f.skipped.is_none())
        .map(|f| f.injected_wall_micros)
        .collect();
    let before = 1_500_000;
    let after = 300_000;
    let mut latest_gap = 0;
    for org in lost_orgs {
        let gap = events
            .iter()
            .filter(|e| &e.aggregate_id == org)
            .filter_map(|e| {
                kills
                    .iter()
                    .find(|kill| e.created_at >= *kill - before && e.created_at <= *kill + after)
                    .map(|kill| *kill - e.created_at)
            })
            .min()?;
        latest_gap = latest_gap.max(gap);
    }
    Some(format!(
        "{} orgs, each written at most {} ms before Cassandra was SIGKILLed, are missing or \
         incomplete in the read model (their events are in the ledger and in Kafka, and the \
         readers committed them): Cassandra runs with commitlog_sync: periodic and a replication \
         factor of 1, so it acknowledges writes its commit-log replay then ignores. Durable \
         acknowledgements need commitlog_sync: batch/group, or RF >= 3 with QUORUM writes",
        lost_orgs.len(),
        latest_gap / 1000
    ))
}
