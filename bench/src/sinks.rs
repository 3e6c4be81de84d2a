//! SIEM sinks (issue #7): per sink kind (webhook, Splunk HEC, syslog over TCP, and a Kafka topic
//! when brokers are given), the events/s one sink delivers while it catches up with a ledger
//! pre-loaded with `--events` user creations, and the latency from commit to delivery of events
//! made at a steady `--rate` for `--duration` once it has caught up. Against the real `castellan`
//! binary (embedded SQLite) and receivers in this process; see the method in
//! `docs/benchmarks.md`.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use castellan_core::clock::{Clock, SystemClock};

use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::Result;
use crate::api::{ApiConfig, ApiResult, Server, ServerRun, log_tail, print_result, truncate};
use crate::stats::Latencies;

/// Bound on waiting for a sink to catch up (not a measurement).
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(600);
/// Bound on waiting for the steady-rate events to arrive after the last was made.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Clients pre-loading the ledger.
const PRELOAD_CONCURRENCY: usize = 8;

#[derive(Clone, Debug)]
pub struct SinksConfig {
    /// CreateUser calls made before the sinks exist.
    pub preload: u64,
    /// Events per second made during the latency measurement.
    pub rate: u32,
    pub latency_duration: Duration,
    pub kafka_brokers: Option<String>,
}

/// One delivered event as a receiver saw it.
#[derive(Clone, Debug)]
struct Received {
    position: i64,
    aggregate: String,
    /// The event's commit time (the ledger's `created_at`), µs since the epoch.
    created_micros: i64,
    /// When the receiver had it, µs since the epoch.
    at_micros: i64,
    at: Instant,
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Received>>,
}

impl Inbox {
    fn push(&self, position: i64, aggregate: String, created_micros: i64) {
        let at_micros = now_micros();
        if let Ok(mut received) = self.received.lock() {
            received.push(Received {
                position,
                aggregate,
                created_micros,
                at_micros,
                at: Instant::now(),
            });
        }
    }

    fn snapshot(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn clear(&self) {
        if let Ok(mut received) = self.received.lock() {
            received.clear();
        }
    }
}

/// The wall clock (the server's clock on the same machine), µs since the epoch.
fn now_micros() -> i64 {
    SystemClock.now().0
}

/// `2024-04-25T01:02:03.123456Z` → µs since the epoch (the sinks' own format).
fn parse_rfc3339(text: &str) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let micros = number(20..26)?;
    // Days from the civil date (proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + micros)
}

/// The webhook's event JSON → (position, aggregate id, commit time).
fn from_event_json(event: &Value) -> Option<(i64, String, i64)> {
    Some((
        event.get("position")?.as_i64()?,
        event.get("aggregateID")?.as_str()?.to_owned(),
        parse_rfc3339(event.get("created_at")?.as_str()?)?,
    ))
}

/// A minimal HTTP/1.1 receiver (keep-alive, Content-Length bodies) answering 200 to every POST:
/// webhook bodies are one event, Splunk HEC bodies newline-separated HEC objects.
async fn http_receiver(inbox: Arc<Inbox>, splunk: bool) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                loop {
                    let mut length = 0_usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match reader.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0_u8; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let text = String::from_utf8_lossy(&body);
                    for line in text.lines().filter(|l| !l.is_empty()) {
                        let Ok(value) = serde_json::from_str::<Value>(line) else {
                            continue;
                        };
                        let event = if splunk {
                            value.get("event")
                        } else {
                            Some(&value)
                        };
                        if let Some((position, aggregate, created)) =
                            event.and_then(from_event_json)
                        {
                            inbox.push(position, aggregate, created);
                        }
                    }
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                    if reader.get_mut().write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let path = if splunk {
        "/services/collector/event"
    } else {
        "/hook"
    };
    Ok(format!("http://{address}{path}"))
}

/// One syslog message → (position, aggregate id from CEF `cs3`, the RFC 5424 TIMESTAMP).
fn from_syslog(message: &str) -> Option<(i64, String, i64)> {
    let time = message.split(' ').nth(1)?;
    let position = message
        .split("position=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()?;
    let aggregate = message.split(" cs3=").nth(1)?.split(' ').next()?.to_owned();
    Some((position, aggregate, parse_rfc3339(time)?))
}

/// A syslog TCP receiver (octet counting, a connection per batch).
async fn syslog_receiver(inbox: Arc<Inbox>) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                if socket.read_to_end(&mut buffer).await.is_err() {
                    return;
                }
                let messages = castellan_sinks::format::syslog::deframe(&mut buffer);
                for message in messages.unwrap_or_default() {
                    if let Some((position, aggregate, created)) = from_syslog(&message) {
                        inbox.push(position, aggregate, created);
                    }
                }
            });
        }
    });
    Ok(address.to_string())
}

/// Avro's zig-zag varint at `*at`.
fn avro_long(bytes: &[u8], at: &mut usize) -> Option<i64> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((value >> 1) as i64 ^ -((value & 1) as i64));
        }
    }
    None
}

fn avro_string(bytes: &[u8], at: &mut usize) -> Option<String> {
    let length = usize::try_from(avro_long(bytes, at)?).ok()?;
    let text = bytes.get(*at..*at + length)?;
    *at += length;
    Some(String::from_utf8_lossy(text).into_owned())
}

/// The envelope of an event record in Confluent's wire format (design 0005: instance_id,
/// aggregate_type, aggregate_id, sequence, event_type, revision, creator, resource_owner,
/// created_at, position) → (position, aggregate id, created_at).
fn from_avro(value: &[u8]) -> Option<(i64, String, i64)> {
    let mut at = 5; // magic byte and schema id
    avro_string(value, &mut at)?;
    avro_string(value, &mut at)?;
    let aggregate = avro_string(value, &mut at)?;
    avro_long(value, &mut at)?;
    avro_string(value, &mut at)?;
    avro_long(value, &mut at)?;
    avro_string(value, &mut at)?;
    avro_string(value, &mut at)?;
    let created = avro_long(value, &mut at)?;
    let position = avro_long(value, &mut at)?;
    Some((position, aggregate, created))
}

/// Creates the topic and consumes it from the beginning into `inbox`.
async fn kafka_receiver(inbox: Arc<Inbox>, brokers: &str) -> Result<String> {
    let topic = format!("castellan.bench.sinks.{}", rand::random::<u32>());
    castellan_writer::relay::kafka::ensure_topic(&castellan_writer::relay::kafka::KafkaSettings {
        brokers: brokers.to_owned(),
        topic: topic.clone(),
        partitions: 3,
        replication_factor: 1,
    })
    .await
    .map_err(|e| e.to_string())?;
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("bench-sinks-{}", rand::random::<u32>()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()?;
    consumer.subscribe(&[topic.as_str()])?;
    tokio::spawn(async move {
        while let Ok(message) = consumer.recv().await {
            if let Some((position, aggregate, created)) = message.payload().and_then(from_avro) {
                inbox.push(position, aggregate, created);
            }
        }
    });
    Ok(topic)
}

/// A REST call as the admin: status and JSON body.
async fn rest(server: &Server, method: reqwest::Method, path: &str, body: Value) -> Result<Value> {
    let response = server
        .client
        .request(method, server.target.url(path))
        .header("Host", server.target.host())
        .bearer_auth(&server.target.token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    if !(200..300).contains(&status) {
        return Err(format!("{path}: HTTP {status}: {}", truncate(&text, 300)).into());
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn create_user(server: &Server, id: &str) -> Result<()> {
    let body = json!({"userId": id, "username": id, "human": {
        "profile": {"givenName": "Bench", "familyName": "Sink"},
        "email": {"email": format!("{id}@bench.example.com"), "isVerified": true}}});
    let (status, text) = server
        .target
        .call(
            &server.client,
            "zitadel.user.v2.UserService/CreateUser",
            &body,
        )
        .await?;
    if status != 200 {
        return Err(format!("CreateUser: HTTP {status}: {}", truncate(&text, 300)).into());
    }
    Ok(())
}

/// `count` users with `PRELOAD_CONCURRENCY` clients.
async fn preload(server: &Arc<Server>, count: u64) -> Result<()> {
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..PRELOAD_CONCURRENCY {
        let (server, next) = (server.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= count {
                    return Ok::<(), crate::Error>(());
                }
                create_user(&server, &format!("pre-{n}")).await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// A marker org made last: when its event arrives, everything before it has (ledger order).
async fn marker(server: &Server, name: &str) -> Result<String> {
    let (status, text) = server
        .target
        .call(&server.client, "AddOrganization", &json!({ "name": name }))
        .await?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match value.get("organizationId").and_then(Value::as_str) {
        Some(id) if status == 200 => Ok(id.to_owned()),
        _ => Err(format!("AddOrganization: HTTP {status}: {}", truncate(&text, 300)).into()),
    }
}

async fn wait_for(inbox: &Inbox, limit: Duration, done: impl Fn(&[Received]) -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done(&inbox.snapshot()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// One sink kind: catch-up rate, then steady-rate latency; the sink is removed afterwards.
async fn measure(
    server: &Arc<Server>,
    config: &SinksConfig,
    kind: &str,
    sink: Value,
    inbox: &Inbox,
) -> Result<Vec<ApiResult>> {
    inbox.clear();
    let mark = marker(
        server,
        &format!("bench-mark-{kind}-{}", rand::random::<u32>()),
    )
    .await?;
    let created = rest(server, reqwest::Method::POST, "/castellan/v1/sinks", sink).await?;
    let id = created
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let caught_up = wait_for(inbox, CATCH_UP_TIMEOUT, |r| {
        r.iter().any(|e| e.aggregate == mark)
    })
    .await;
    if !caught_up {
        return Err(
            format!("{kind}: the sink did not catch up within {CATCH_UP_TIMEOUT:?}").into(),
        );
    }
    // Up to the marker: what the sink delivered after it belongs to no backlog.
    let received = inbox.snapshot();
    let end = received
        .iter()
        .find(|e| e.aggregate == mark)
        .map_or(i64::MAX, |e| e.position);
    let received: Vec<Received> = received.into_iter().filter(|e| e.position <= end).collect();
    let positions: BTreeSet<i64> = received.iter().map(|e| e.position).collect();
    let first = received.iter().map(|e| e.at).min();
    let last = received.iter().map(|e| e.at).max();
    let elapsed = first
        .zip(last)
        .map_or(Duration::ZERO, |(f, l)| l.duration_since(f));
    let duplicates = received.len() - positions.len();
    let mut results = vec![ApiResult {
        backend: kind.to_owned(),
        call: "sink_catch_up".to_owned(),
        concurrency: 1,
        ok: positions.len() as u64,
        errors: 0,
        elapsed,
        latencies: Latencies::default(),
        note: format!(
            "ok = distinct events delivered (the instance's whole history up to a marker made \
             after {} CreateUser calls), req/s = events/s from the first delivery to the marker's; \
             {duplicates} duplicate deliveries; no latency figures (backlog)",
            config.preload
        ),
    }];

    // Steady rate: one CreateUser every 1/rate s for the duration, from one paced client.
    inbox.clear();
    let interval = Duration::from_secs_f64(1.0 / f64::from(config.rate.max(1)));
    let started = Instant::now();
    let mut made = Vec::new();
    let mut errors = 0_u64;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    while started.elapsed() < config.latency_duration {
        ticker.tick().await;
        let user = format!("lat-{kind}-{}", made.len() + errors as usize);
        match create_user(server, &user).await {
            Ok(()) => made.push(user),
            Err(_) => errors += 1,
        }
    }
    let made_in = started.elapsed();
    let wanted: BTreeSet<String> = made.iter().cloned().collect();
    wait_for(inbox, DRAIN_TIMEOUT, |r| {
        let have: BTreeSet<&String> = r.iter().map(|e| &e.aggregate).collect();
        wanted.iter().all(|w| have.contains(w))
    })
    .await;
    let mut latencies = Latencies::with_capacity(made.len());
    let mut seen = BTreeSet::new();
    for event in inbox.snapshot() {
        if wanted.contains(&event.aggregate) && seen.insert(event.position) {
            let micros = u64::try_from(event.at_micros - event.created_micros).unwrap_or(0);
            latencies.record(Duration::from_micros(micros));
        }
    }
    let delivered = seen.len() as u64;
    results.push(ApiResult {
        backend: kind.to_owned(),
        call: "sink_latency".to_owned(),
        concurrency: 1,
        ok: delivered,
        errors,
        elapsed: made_in,
        latencies,
        note: format!(
            "{} users made in {:.1} s, paced at {} /s (achieved {:.1} /s; CreateUser, one client); \
             latency = receive time − the event's commit time (created_at), every event of those \
             users; req/s = events delivered over the making time; {errors} failed CreateUser",
            made.len(),
            made_in.as_secs_f64(),
            config.rate,
            made.len() as f64 / made_in.as_secs_f64().max(1e-9),
        ),
    });
    rest(
        server,
        reqwest::Method::DELETE,
        &format!("/castellan/v1/sinks/{id}"),
        json!({}),
    )
    .await?;
    Ok(results)
}

/// Starts the server, pre-loads it, measures every sink kind, stops it.
pub async fn run(config: &ApiConfig, sinks: &SinksConfig) -> Result<(ServerRun, Vec<String>)> {
    let dir = tempfile::Builder::new()
        .prefix("castellan-bench-sinks-")
        .tempdir_in(&config.tmp_base)?;
    let data_dir = dir.path().join("data");
    let log_path = dir.path().join("castellan.log");
    let env: Vec<(String, String)> = [
        ("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8"),
        ("CASTELLAN_SINKS_POLLSECONDS", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let server = Arc::new(Server::start(&config.bin, &data_dir, &log_path, &env).await?);
    println!(
        "  sinks: castellan ready after {:.3}s (port {})",
        server.ready_after.as_secs_f64(),
        server.port
    );
    let outcome = load(&server, sinks).await;
    let mut server = Arc::try_unwrap(server).map_err(|_| "the server is still shared")?;
    let peak_rss = server.peak_rss();
    let (shutdown_after, exit) = server.stop()?;
    let (results, notes) = match outcome {
        Ok(measured) => measured,
        Err(error) => return Err(format!("{error}; server log: {}", log_tail(&log_path)).into()),
    };
    dir.close()?;
    Ok((
        ServerRun {
            backend: "sinks".to_owned(),
            ready_after: server.ready_after,
            shutdown_after,
            exit,
            peak_rss,
            results,
        },
        notes,
    ))
}

async fn load(server: &Arc<Server>, config: &SinksConfig) -> Result<(Vec<ApiResult>, Vec<String>)> {
    println!("  sinks: pre-loading {} users", config.preload);
    let started = Instant::now();
    preload(server, config.preload).await?;
    println!(
        "  sinks: pre-loaded in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let mut notes = Vec::new();
    let mut results = Vec::new();
    // A receiver (and inbox) per kind: a removed sink's last deliveries land in its own.
    let inboxes: Vec<Arc<Inbox>> = (0..4).map(|_| Arc::new(Inbox::default())).collect();
    let inbox = |n: usize| inboxes.get(n).cloned().unwrap_or_default();
    let hook = http_receiver(inbox(0), false).await?;
    let hec = http_receiver(inbox(1), true).await?;
    let syslog = syslog_receiver(inbox(2)).await?;
    let mut kinds = vec![
        (
            "webhook",
            json!({"name": "bench webhook", "kind": "webhook", "endpoint": hook,
                   "secret": "bench-signing-key"}),
            inbox(0),
        ),
        (
            "splunk_hec",
            json!({"name": "bench hec", "kind": "splunk_hec", "endpoint": hec,
                   "secret": "bench-token"}),
            inbox(1),
        ),
        (
            "syslog_tcp",
            json!({"name": "bench syslog", "kind": "syslog", "endpoint": syslog}),
            inbox(2),
        ),
    ];
    match &config.kafka_brokers {
        Some(brokers) => {
            let topic = kafka_receiver(inbox(3), brokers).await?;
            kinds.push((
                "kafka",
                json!({"name": "bench kafka", "kind": "kafka", "endpoint": brokers,
                       "topic": topic}),
                inbox(3),
            ));
        }
        None => notes.push("sinks: kafka skipped (no --kafka-brokers)".to_owned()),
    }
    for (kind, sink, inbox) in kinds {
        println!("  sinks: {kind}");
        for mut result in measure(server, config, kind, sink, &inbox).await? {
            print_result(&result);
            result.backend = kind.to_owned();
            results.push(result);
        }
    }
    Ok((results, notes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_sinks_times_parse_back() {
        assert_eq!(
            parse_rfc3339("2024-04-24T23:06:40.123456Z"),
            Some(1_714_000_000_123_456)
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.000001Z"), Some(1));
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn avro_longs_are_zigzag_varints() {
        let mut at = 0;
        assert_eq!(avro_long(&[0x02], &mut at), Some(1));
        at = 0;
        assert_eq!(avro_long(&[0x01], &mut at), Some(-1));
        at = 0;
        assert_eq!(avro_long(&[0xac, 0x02], &mut at), Some(150));
    }
}
