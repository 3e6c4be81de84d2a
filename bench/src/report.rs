//! The environment of a run and the markdown section it appends to `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use castellan_core::clock::{Clock, SystemClock};

use crate::Result;
use crate::api::ServerRun;
use crate::ledger::LedgerResult;
use crate::stats::{ms, rate};

const HEADER: &str = "\
# Benchmarks

Measured figures for Castellan, appended by `castellan-bench` (crate `bench/`, see
`bench/README.md`). Every section below is one run; its numbers were produced by that run and
written by the tool, never typed in. Sections are only comparable when machine, load, build
profile and flags match.

## Method

- **ledger** drives the `Ledger` trait directly (no HTTP, no command handlers), once for SQLite
  (a file in a fresh temporary directory; WAL, `synchronous=FULL`, one serialized writer) and
  once for PostgreSQL (a fresh database `castellan_bench_<random>`, dropped afterwards).
  After an unmeasured warm-up (64 appends from 16 tasks) it runs:
  (a) single-event appends, each to a new aggregate, sequentially;
  (b) batches of 10 and of 100 events per append (one new aggregate per batch), sequentially
      (`--events / batch size` appends, at least 50);
  (c) 1, 4 and 16 concurrent writers, each appending single events to its own aggregate
      (`--events` in total);
  (d) 8 writers appending single events to ONE aggregate, retrying each `Conflict` with the
      version the conflict reports, until `--events / 4` (at least 50) appends succeeded. Its
      latency runs from the first attempt to the successful one (retries included).
  Latency is per `append` call (one transaction); events/s is events over wall time.
- **api** starts the real `castellan` binary (`castellan start`, log level `warn`) on a free
  port with a fresh data directory (embedded SQLite) and, given a PostgreSQL URL, a second
  time with its ledger in a fresh PostgreSQL database. *Ready* is the time from spawning the
  process to the first `200` from `/debug/ready` (polled every 5 ms). After an unmeasured
  warm-up (4 workers, 0.5 s), closed-loop workers call Connect JSON
  `zitadel.org.v2.OrganizationService/AddOrganization` (unique names) at concurrency 1, 8 and
  32, then `ListOrganizations` (`{}`, the default page) at concurrency 8, each for
  `--duration`. req/s counts successful (HTTP 200) calls over wall time; latency percentiles
  are of successful calls; every other outcome counts as an error. The server is stopped with
  SIGTERM; *stop* is the time until it exited.
- Percentiles are nearest-rank over all samples. The client runs on the same machine as the
  server (and PostgreSQL), so they compete for the same cores.
- Passwords in URLs on the recorded command line are replaced by `***`.
";

/// Where and how the run happened.
#[derive(Debug)]
pub struct Environment {
    pub date_utc: String,
    pub cores: String,
    pub cpu_model: String,
    pub memory: String,
    pub os: String,
    pub kernel: String,
    pub load_before: String,
    /// Share of CPU time (all cores) spent busy in the second before the run, in percent.
    pub cpu_busy_before: Option<f64>,
    pub commit: String,
    pub command_line: String,
    pub bench_profile: String,
    pub tmp_fs: String,
}

impl Environment {
    pub fn capture(tmp_base: &Path) -> Self {
        Self {
            date_utc: utc_now(),
            cores: command_output("nproc", &[]).unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| "?".into())
            }),
            cpu_model: proc_field("/proc/cpuinfo", "model name", ':').unwrap_or_else(unknown),
            memory: proc_field("/proc/meminfo", "MemTotal", ':')
                .and_then(|value| {
                    let kib: f64 = value.trim_end_matches("kB").trim().parse().ok()?;
                    Some(format!("{:.1} GiB", kib / 1024.0 / 1024.0))
                })
                .unwrap_or_else(unknown),
            os: proc_field("/etc/os-release", "PRETTY_NAME", '=')
                .map(|name| name.trim_matches('"').to_owned())
                .unwrap_or_else(unknown),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|text| text.trim().to_owned())
                .unwrap_or_else(|_| unknown()),
            load_before: load_average(),
            cpu_busy_before: cpu_busy_over(std::time::Duration::from_secs(1)),
            commit: git_commit(),
            command_line: command_line(),
            bench_profile: if cfg!(debug_assertions) {
                "debug".into()
            } else {
                "release".into()
            },
            tmp_fs: filesystem_of(tmp_base),
        }
    }
}

fn unknown() -> String {
    "unknown".into()
}

/// Busy and total jiffies of all CPUs so far (`/proc/stat`; idle and iowait count as idle).
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|field| field.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// The share of CPU time spent busy over the next `window` (blocks for `window`).
fn cpu_busy_over(window: std::time::Duration) -> Option<f64> {
    let (busy_start, total_start) = cpu_jiffies()?;
    std::thread::sleep(window);
    let (busy_end, total_end) = cpu_jiffies()?;
    let total = total_end.checked_sub(total_start)?;
    if total == 0 {
        return None;
    }
    Some(busy_end.saturating_sub(busy_start) as f64 * 100.0 / total as f64)
}

/// `/proc/loadavg`'s first three fields.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| unknown())
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The value of the first `key<separator>value` line of a file.
fn proc_field(path: &str, key: &str, separator: char) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(separator)?;
        (name.trim() == key).then(|| value.trim().to_owned())
    })
}

/// The short commit, with `-dirty` when the work tree has uncommitted changes.
fn git_commit() -> String {
    let Some(commit) = command_output("git", &["rev-parse", "--short", "HEAD"]) else {
        return unknown();
    };
    let dirty = command_output("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|status| !status.is_empty());
    if dirty {
        format!("{commit} (work tree has uncommitted changes)")
    } else {
        commit
    }
}

/// The repository root, if we are inside one.
pub fn repo_root() -> Option<std::path::PathBuf> {
    command_output("git", &["rev-parse", "--show-toplevel"]).map(Into::into)
}

/// The command line as typed, quoted where needed, with URL passwords masked.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args.next().unwrap_or_else(|| "castellan-bench".into());
    std::iter::once(program)
        .chain(args)
        .map(|arg| shell_quote(&mask_password(&arg)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `scheme://user:secret@host` → `scheme://user:***@host` (anywhere in `arg`).
pub fn mask_password(arg: &str) -> String {
    let Some(scheme_end) = arg.find("://") else {
        return arg.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = arg.get(authority_start..).unwrap_or_default();
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return arg.to_owned();
    };
    let userinfo = authority.get(..at).unwrap_or_default();
    let Some((user, _password)) = userinfo.split_once(':') else {
        return arg.to_owned();
    };
    format!(
        "{}{user}:***{}",
        arg.get(..authority_start).unwrap_or_default(),
        rest.get(at..).unwrap_or_default()
    )
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%*".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The filesystem type holding `path` (longest matching mount point in `/proc/mounts`).
fn filesystem_of(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return unknown();
    };
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            let mount_point = fields.next()?;
            let fs_type = fields.next()?;
            path.starts_with(mount_point)
                .then(|| (mount_point.len(), fs_type.to_owned()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs_type)| format!("{} ({fs_type})", path.display()))
        .unwrap_or_else(unknown)
}

/// Now as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc_now() -> String {
    let micros = SystemClock.now().as_micros();
    let secs = micros.div_euclid(1_000_000);
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        day_secs / 3600,
        day_secs % 3600 / 60,
        day_secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Everything one run measured, plus notes about what was skipped.
#[derive(Debug, Default)]
pub struct RunResults {
    pub ledger: Vec<LedgerResult>,
    pub servers: Vec<ServerRun>,
    /// The `castellan` binary used and its profile, when the api scenario ran.
    pub castellan_bin: Option<(String, String)>,
    pub postgres_settings: Option<String>,
    pub pipeline: Option<crate::pipeline::PipelineResults>,
    pub notes: Vec<String>,
    /// Whether any measurement failed (the run still records the others).
    pub failed: bool,
}

/// The markdown section of one run.
pub fn section(
    env: &Environment,
    results: &mut RunResults,
    load_after: &str,
    wall: std::time::Duration,
) -> Result<String> {
    let mut out = String::new();
    writeln!(out, "## Run of {}", env.date_utc)?;
    writeln!(out)?;
    writeln!(out, "- Command: `{}`", env.command_line)?;
    writeln!(out, "- Git commit: {}", env.commit)?;
    writeln!(
        out,
        "- Machine: {} cores ({}), {} RAM, {}, kernel {}",
        env.cores, env.cpu_model, env.memory, env.os, env.kernel
    )?;
    writeln!(
        out,
        "- Load average (1/5/15 min): {} before the run, {load_after} after it{}",
        env.load_before,
        busy_note(&env.load_before, env.cpu_busy_before, &env.cores)
    )?;
    if let Some(busy) = env.cpu_busy_before {
        writeln!(
            out,
            "- CPU busy in the second before the run (all cores, other processes): {busy:.0}%"
        )?;
    }
    writeln!(
        out,
        "- castellan-bench build profile: {}",
        env.bench_profile
    )?;
    if let Some((path, profile)) = &results.castellan_bin {
        writeln!(
            out,
            "- castellan binary: `{path}` (build profile: {profile})"
        )?;
    }
    writeln!(
        out,
        "- Temporary files (SQLite ledgers, data dirs): {}",
        env.tmp_fs
    )?;
    if let Some(settings) = &results.postgres_settings {
        writeln!(out, "- PostgreSQL: {settings} (same machine)")?;
    }
    writeln!(out, "- Wall time of the run: {:.0} s", wall.as_secs_f64())?;
    for note in &results.notes {
        writeln!(out, "- Note: {}", note.replace('\n', " / "))?;
    }
    writeln!(out)?;

    if !results.ledger.is_empty() {
        writeln!(out, "### Ledger appends")?;
        writeln!(out)?;
        writeln!(
            out,
            "| backend | scenario | appends | events | seconds | events/s | appends/s | p50 ms | p99 ms | notes |"
        )?;
        writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|")?;
        for result in &mut results.ledger {
            let p50 = ms(result.latencies.percentile(50.0));
            let p99 = ms(result.latencies.percentile(99.0));
            writeln!(
                out,
                "| {} | {} | {} | {} | {:.2} | {} | {} | {p50} | {p99} | {} |",
                result.backend,
                result.scenario,
                result.appends,
                result.events,
                result.elapsed.as_secs_f64(),
                rate(result.events as f64, result.elapsed),
                rate(result.appends as f64, result.elapsed),
                result.note,
            )?;
        }
        writeln!(out)?;
    }

    if !results.servers.is_empty() {
        writeln!(out, "### Server start and stop")?;
        writeln!(out)?;
        writeln!(
            out,
            "| backend | ready after spawn | stop after SIGTERM | exit | peak RSS |"
        )?;
        writeln!(out, "|---|--:|--:|---|--:|")?;
        for server in &results.servers {
            writeln!(
                out,
                "| {} | {} ms | {} ms | {} | {} |",
                server.backend,
                ms(server.ready_after),
                ms(server.shutdown_after),
                server.exit,
                server.peak_rss.as_deref().unwrap_or("?"),
            )?;
        }
        writeln!(out)?;

        writeln!(out, "### API calls")?;
        writeln!(out)?;
        writeln!(
            out,
            "| backend | call | concurrency | ok | errors | seconds | req/s | p50 ms | p95 ms | p99 ms | notes |"
        )?;
        writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")?;
        for server in &mut results.servers {
            for result in &mut server.results {
                let p50 = ms(result.latencies.percentile(50.0));
                let p95 = ms(result.latencies.percentile(95.0));
                let p99 = ms(result.latencies.percentile(99.0));
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {:.2} | {} | {p50} | {p95} | {p99} | {} |",
                    result.backend,
                    result.call,
                    result.concurrency,
                    result.ok,
                    result.errors,
                    result.elapsed.as_secs_f64(),
                    rate(result.ok as f64, result.elapsed),
                    result.note,
                )?;
            }
        }
        writeln!(out)?;
    }
    if let Some(pipeline) = &mut results.pipeline {
        writeln!(
            out,
            "### Distributed pipeline (PostgreSQL → relay → Kafka → readers → Cassandra)"
        )?;
        writeln!(out)?;
        writeln!(out, "| stage | events | seconds | events/s | note |")?;
        writeln!(out, "|---|--:|--:|--:|---|")?;
        for stage in &pipeline.throughput {
            writeln!(
                out,
                "| {} | {} | {:.2} | {} | {} |",
                stage.what,
                stage.events,
                stage.elapsed.as_secs_f64(),
                crate::stats::rate(stage.events as f64, stage.elapsed),
                stage.note
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "End-to-end lag, commit → queryable in Cassandra, at {} events/s ({} events; progress sampled every {} ms, so figures are ±{} ms): p50 {} ms, p95 {} ms, p99 {} ms, max {} ms; not visible within 60 s: {}.",
            pipeline.lag_rate,
            pipeline.lag_events,
            pipeline.lag_poll.as_millis(),
            pipeline.lag_poll.as_millis(),
            crate::stats::ms(pipeline.lag.percentile(50.0)),
            crate::stats::ms(pipeline.lag.percentile(95.0)),
            crate::stats::ms(pipeline.lag.percentile(99.0)),
            crate::stats::ms(pipeline.lag.percentile(100.0)),
            pipeline.lag_unseen
        )?;
        writeln!(out)?;
    }
    Ok(out)
}

/// A warning when the machine was busy before we started: CPU busy in the second before the run
/// or a high 1-minute load average (which also remembers load that has just ended).
fn busy_note(load: &str, cpu_busy: Option<f64>, cores: &str) -> String {
    let one_minute: Option<f64> = load.split_whitespace().next().and_then(|v| v.parse().ok());
    let cores_count: f64 = cores.parse().unwrap_or(1.0);
    match (cpu_busy, one_minute) {
        (Some(busy), _) if busy >= 20.0 => format!(
            " — **the machine was not otherwise idle**: other processes kept the CPUs {busy:.0}% \
             busy in the second before the run, so the figures are lower and noisier than on an \
             idle machine"
        ),
        (_, Some(load)) if load >= 0.5 * cores_count => format!(
            " — **the machine was not otherwise idle**: a 1-minute load average of {load:.2} on \
             {cores} cores means other work was running or had just run, so the figures may be \
             lower and noisier than on an idle machine"
        ),
        (_, Some(load)) if load >= 0.3 => {
            " — the machine was idle at the start, but the load average shows recent activity"
                .to_owned()
        }
        _ => String::new(),
    }
}

/// Appends `section` to `path`, creating the file with the method header if it is missing.
pub fn append(path: &Path, section: &str) -> Result<()> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let exists = path.is_file() && std::fs::metadata(path)?.len() > 0;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if !exists {
        writeln!(file, "{HEADER}")?;
    }
    write!(file, "{section}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords() {
        assert_eq!(
            mask_password("postgres://castellan:castellan@127.0.0.1:55432/postgres"),
            "postgres://castellan:***@127.0.0.1:55432/postgres"
        );
        assert_eq!(
            mask_password("--postgres-url=postgres://u:p@h/db"),
            "--postgres-url=postgres://u:***@h/db"
        );
        assert_eq!(mask_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_password("all"), "all");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("--events"), "--events");
        assert_eq!(shell_quote("a b"), "'a b'");
    }
}
