//! The run's numbers, as a Markdown section appended to `docs/chaos-report.md` (or to
//! `CASTELLAN_CHAOS_REPORT`, for runs that should not touch the committed report).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::load::LoadLog;

#[derive(Clone, Debug, Default)]
pub struct FaultRecord {
    pub name: String,
    pub how: String,
    /// Why the fault was not injected, if it was not.
    pub skipped: Option<String>,
    /// Since the scenario's start.
    pub injected_at: Duration,
    /// The same, in microseconds since the epoch (to compare with the ledger's `created_at`).
    pub injected_wall_micros: i64,
    pub restart_at: Duration,
    pub ready_at: Duration,
    /// A probe org written after the restart was visible through the API.
    pub converged_at: Option<Duration>,
    /// Every org acknowledged so far was in the read model.
    pub caught_up_at: Option<Duration>,
    /// Acknowledged orgs that had not reached the read model when the wait gave up.
    pub never_arrived: Vec<String>,
    pub notes: Vec<String>,
}

impl FaultRecord {
    pub fn new(name: &str) -> Self {
        FaultRecord {
            name: name.to_owned(),
            ..FaultRecord::default()
        }
    }

    fn window_end(&self) -> Duration {
        self.caught_up_at
            .or(self.converged_at)
            .unwrap_or(self.ready_at)
    }
}

#[derive(Debug, Default)]
pub struct Totals {
    pub events_written: usize,
    pub orgs_in_ledger: usize,
    pub acknowledged: usize,
    pub not_acknowledged: usize,
    pub not_acknowledged_but_committed: usize,
    pub not_sent: u64,
    pub acked_missing_from_ledger: usize,
    pub acked_missing_from_api: usize,
    pub ledger_orgs_missing_from_api: usize,
    pub api_duplicates: usize,
    pub kafka_messages: u64,
    pub kafka_distinct_positions: usize,
    pub kafka_duplicates: usize,
    pub kafka_missing_positions: usize,
    pub kafka_unknown_positions: usize,
    pub read_rows_compared: usize,
    pub read_rows_missing: usize,
    pub read_rows_extra: usize,
    pub read_rows_differing: usize,
    pub read_rows_per_table: String,
    pub query_orgs: usize,
    pub query_orgs_missing: usize,
    pub query_orgs_extra: usize,
    pub query_orgs_differing: usize,
    pub query_duplicate_ids: usize,
    pub query_domains_differing: usize,
    pub query_metadata_differing: usize,
    pub identity_equal: bool,
    /// Orgs whose rows Cassandra lost when it was SIGKILLed (periodic commit log).
    pub lost_by_cassandra_crash: usize,
    pub final_convergence: Option<Duration>,
    /// When the differences stopped changing (if they never vanished).
    pub final_stable_after: Duration,
    pub total_runtime: Duration,
    pub examples: Vec<String>,
}

impl Totals {
    pub fn events_lost(&self) -> usize {
        self.acked_missing_from_ledger + self.kafka_missing_positions
    }

    pub fn read_model_equal(&self) -> bool {
        self.read_rows_missing == 0
            && self.read_rows_extra == 0
            && self.read_rows_differing == 0
            && self.query_orgs_missing == 0
            && self.query_orgs_extra == 0
            && self.query_orgs_differing == 0
            && self.query_duplicate_ids == 0
            && self.query_domains_differing == 0
            && self.query_metadata_differing == 0
            && self.identity_equal
    }
}

pub struct RunInfo {
    pub started: String,
    pub commit: String,
    pub machine: String,
    pub binary: String,
    pub deployment: String,
    pub rate: u32,
    pub max_in_flight: usize,
    pub down_for: Duration,
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn since(end: Option<Duration>, start: Duration) -> String {
    match end {
        Some(end) => secs(end.saturating_sub(start)),
        None => "**never**".into(),
    }
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

/// A file's modification time, e.g. when a binary was built.
pub fn modified_utc(path: &Path) -> String {
    command_output(
        "date",
        &[
            "-u",
            "-r",
            &path.to_string_lossy(),
            "+%Y-%m-%d %H:%M:%S UTC",
        ],
    )
}

pub fn now_utc() -> String {
    command_output("date", &["-u", "+%Y-%m-%d %H:%M:%S UTC"])
}

pub fn commit(repo: &Path) -> String {
    let repo = repo.to_string_lossy().into_owned();
    let head = command_output("git", &["-C", &repo, "rev-parse", "--short", "HEAD"]);
    let dirty = command_output(
        "git",
        &["-C", &repo, "status", "--porcelain", "--untracked-files=no"],
    );
    if dirty.is_empty() || dirty == "?" {
        head
    } else {
        format!("{head} (with uncommitted changes)")
    }
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "?".into());
    let kernel = command_output("uname", &["-sr"]);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    format!("{cpu}, {cores} cores, {memory} RAM, {kernel} (1-min load at start {load})")
}

/// Acknowledged and not acknowledged calls sent in [from, to], and the slowest acknowledgement.
fn window(log: &LoadLog, from: Duration, to: Duration) -> (usize, usize, Duration) {
    let acked: Vec<_> = log
        .acks
        .iter()
        .filter(|a| a.acked >= from && a.sent <= to)
        .collect();
    let failed = log
        .failures
        .iter()
        .filter(|f| f.at >= from && f.sent <= to)
        .count();
    let slowest = acked
        .iter()
        .map(|a| a.acked.saturating_sub(a.sent))
        .max()
        .unwrap_or_default();
    (acked.len(), failed, slowest)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn render(
    info: &RunInfo,
    faults: &[FaultRecord],
    log: &LoadLog,
    totals: &Totals,
    findings: &[String],
    notes: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Run of {}\n", info.started);
    let _ = writeln!(out, "- Machine: {}", info.machine);
    let _ = writeln!(
        out,
        "- Commit at the start: `{}`; binary: `{}",
        info.commit, info.binary
    );
    let _ = writeln!(out, "- Deployment: {}", info.deployment);
    let _ = writeln!(
        out,
        "- Load: AddOrganization at {}/s (at most {} calls in flight; client timeout 20 s), \
         each fault held {} before the restart",
        info.rate,
        info.max_in_flight,
        secs(info.down_for)
    );
    let mut latencies: Vec<Duration> = log
        .acks
        .iter()
        .map(|a| a.acked.saturating_sub(a.sent))
        .collect();
    latencies.sort();
    let _ = writeln!(
        out,
        "- Acknowledgement latency over the run: p50 {} ms, p99 {} ms, max {} ms\n",
        percentile(&latencies, 0.5).as_millis(),
        percentile(&latencies, 0.99).as_millis(),
        latencies.last().copied().unwrap_or_default().as_millis()
    );
    let _ = writeln!(
        out,
        "| # | Fault | How injected | Restart took | Acked during | Not acked during | Slowest ack | \
         Converged (from restart) | Caught up (from restart) |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    for (n, fault) in faults.iter().enumerate() {
        if let Some(reason) = &fault.skipped {
            let _ = writeln!(
                out,
                "| {} | {} | skipped: {} | | | | | | |",
                n + 1,
                fault.name,
                reason.replace('|', "/")
            );
            continue;
        }
        let (acked, failed, slowest) = window(log, fault.injected_at, fault.window_end());
        let mut caught_up = since(fault.caught_up_at, fault.restart_at);
        if !fault.never_arrived.is_empty() {
            caught_up = format!(
                "{caught_up}, except **{} that never arrived**",
                fault.never_arrived.len()
            );
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} ms | {} | {} |",
            n + 1,
            fault.name,
            fault.how.replace('|', "/"),
            secs(fault.ready_at.saturating_sub(fault.restart_at)),
            acked,
            failed,
            slowest.as_millis(),
            since(fault.converged_at, fault.restart_at),
            caught_up,
        );
    }
    let fault_notes: Vec<String> = faults
        .iter()
        .flat_map(|f| f.notes.iter().map(move |n| format!("{}: {n}", f.name)))
        .collect();
    if !fault_notes.is_empty() {
        let _ = writeln!(out);
        for note in fault_notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    let _ = writeln!(out, "\n| Total | Value |\n|---|---|");
    let rows: Vec<(&str, String)> = vec![
        (
            "Events written (ledger) / of which org.added",
            format!("{} / {}", totals.events_written, totals.orgs_in_ledger),
        ),
        (
            "Events lost (must be 0): acknowledged orgs missing from the ledger + ledger positions missing from Kafka",
            format!(
                "**{}** ({} + {})",
                totals.events_lost(),
                totals.acked_missing_from_ledger,
                totals.kafka_missing_positions
            ),
        ),
        (
            "Orgs acknowledged / not acknowledged (of which committed anyway) / not sent (back-pressure)",
            format!(
                "{} / {} ({}) / {}",
                totals.acknowledged,
                totals.not_acknowledged,
                totals.not_acknowledged_but_committed,
                totals.not_sent
            ),
        ),
        (
            "Acknowledged orgs not listed by the API; ledger orgs not listed",
            format!(
                "{}; {}",
                totals.acked_missing_from_api, totals.ledger_orgs_missing_from_api
            ),
        ),
        (
            "Orgs whose rows Cassandra itself lost at its SIGKILL (periodic commit log; see the notes)",
            totals.lost_by_cassandra_crash.to_string(),
        ),
        (
            "Duplicated rows in the read model (must be 0): ids listed twice (API + queries)",
            format!("**{}**", totals.api_duplicates + totals.query_duplicate_ids),
        ),
        (
            "Kafka messages / distinct positions / duplicates (allowed) / unknown positions",
            format!(
                "{} / {} / {} / {}",
                totals.kafka_messages,
                totals.kafka_distinct_positions,
                totals.kafka_duplicates,
                totals.kafka_unknown_positions
            ),
        ),
        (
            "Read rows vs rebuild: compared / missing / extra / differing",
            format!(
                "{} / {} / {} / {} ({})",
                totals.read_rows_compared,
                totals.read_rows_missing,
                totals.read_rows_extra,
                totals.read_rows_differing,
                totals.read_rows_per_table
            ),
        ),
        (
            "Queries vs rebuild: orgs / missing / extra / differing; domains, metadata differing; identity equal",
            format!(
                "{} / {} / {} / {}; {}, {}; {}",
                totals.query_orgs,
                totals.query_orgs_missing,
                totals.query_orgs_extra,
                totals.query_orgs_differing,
                totals.query_domains_differing,
                totals.query_metadata_differing,
                totals.identity_equal
            ),
        ),
        (
            "Final convergence (load stopped → read model equals the rebuild)",
            totals.final_convergence.map(secs).unwrap_or_else(|| {
                format!(
                    "**never**: the differences below stopped changing {} after the load stopped",
                    secs(totals.final_stable_after)
                )
            }),
        ),
        ("Scenario runtime", secs(totals.total_runtime)),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    let reasons = log.reasons();
    if !reasons.is_empty() {
        let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} × {n}")).collect();
        let _ = writeln!(out, "\nNot acknowledged, by reason: {}.", list.join(", "));
    }
    if !totals.examples.is_empty() {
        let _ = writeln!(out, "\nDifferences (first few):\n");
        for example in &totals.examples {
            let _ = writeln!(out, "- `{example}`");
        }
    }
    if !findings.is_empty() {
        let _ = writeln!(out, "\nFindings (each fails the test):\n");
        for finding in findings {
            let _ = writeln!(out, "- {finding}");
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNotes (do not fail the test):\n");
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    let _ = writeln!(out);
    out
}

const HEADER: &str = "# Chaos report\n\n\
Sections appended by `cargo test -p castellan-chaos-tests --test chaos -- --nocapture` (one per \
run; see `docs/design/0008-chaos.md` for what is injected and checked). Times are wall-clock on \
the machine named in each section; the servers are the shared ones of `infra/` (PostgreSQL, \
Kafka and Cassandra from Maven jars), and the castellan processes are debug builds unless noted.\n\n";

pub fn report_path(repo: &Path) -> PathBuf {
    std::env::var("CASTELLAN_CHAOS_REPORT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo.join("docs/chaos-report.md"))
}

pub fn append(path: &Path, section: &str) -> Result<(), String> {
    let mut text = std::fs::read_to_string(path).unwrap_or_default();
    if text.trim().is_empty() {
        text = HEADER.to_owned();
    }
    if !text.ends_with("\n\n") {
        text.push('\n');
    }
    text.push_str(section);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}
