//! The zitadel command's part of the run's section: an overview, then one table per scenario
//! with Castellan embedded and distributed, the peer's pair, the ceiling and ZITADEL's figure.

use std::fmt::Write as _;

use crate::Result;
use crate::api::ApiResult;
use crate::stats::ms;
use crate::zitadel::{SCENARIOS, Scenario, ZitadelResults};

const ZITADEL_HARDWARE: &str = "ZITADEL v4.19.2 as published (ZITADEL.md §1.2): k6, 600 VUs for 30 min; \
ZITADEL containers of 6 vCPU / 6 GiB on Cloud Run, 2 to 7 of them; Cloud SQL PostgreSQL 17, 8 vCPU / 64 GB; \
the load generator on other machines";

fn per_sec(result: &ApiResult) -> f64 {
    result.ok as f64 / result.elapsed.as_secs_f64().max(1e-9)
}

fn error_rate(result: &ApiResult) -> f64 {
    let attempts = result.ok + result.errors;
    if attempts == 0 {
        0.0
    } else {
        result.errors as f64 * 100.0 / attempts as f64
    }
}

fn fmt_rate(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    }
}

/// The fastest measurement of `call` on `backend`.
fn best<'a>(results: &'a [ApiResult], backend: &str, call: &str) -> Option<&'a ApiResult> {
    results
        .iter()
        .filter(|r| r.backend == backend && r.call == call)
        .max_by(|a, b| per_sec(a).total_cmp(&per_sec(b)))
}

/// What the machine allows for one iteration: the trivial endpoint's best rate over the
/// requests of an iteration, and the raw argon2id rate over its verifications.
fn ceiling(results: &[ApiResult], scenario: &Scenario) -> Option<(f64, String)> {
    let http = best(results, "ceiling", "trivial_http").map(per_sec)?;
    let mut bound = http / f64::from(scenario.requests.max(1));
    let mut how = format!("{} trivial req/s ÷ {}", fmt_rate(http), scenario.requests);
    if scenario.argon2 > 0
        && let Some(argon2) = best(results, "ceiling", "argon2id_verify").map(per_sec)
    {
        let by_hash = argon2 / f64::from(scenario.argon2);
        if by_hash < bound {
            bound = by_hash;
            how = format!("{} argon2id verifications/s", fmt_rate(argon2));
        }
    }
    Some((bound, how))
}

fn row(out: &mut String, target: &str, result: &mut ApiResult) -> Result<()> {
    let p50 = ms(result.latencies.percentile(50.0));
    let p95 = ms(result.latencies.percentile(95.0));
    let p99 = ms(result.latencies.percentile(99.0));
    writeln!(
        out,
        "| {target} | {} | {} | {p50} | {p95} | {p99} | {} | {:.2}% |",
        result.concurrency,
        fmt_rate(per_sec(result)),
        result.errors,
        error_rate(result),
    )?;
    Ok(())
}

pub fn markdown(z: &mut ZitadelResults) -> Result<String> {
    let mut out = String::new();
    writeln!(out, "### ZITADEL's scenarios")?;
    writeln!(out)?;
    writeln!(
        out,
        "Iterations/s are successful iterations over wall time at one closed-loop concurrency; \
         latencies are per iteration; *best* is the concurrency with the most iterations/s. \
         Targets: **embedded** = `castellan start` (SQLite ledger and read store); \
         **distributed** = all roles in one process on PostgreSQL + Kafka + Cassandra; \
         **peer** = {}; **keycloak** = {}; **ceiling** = the same load generator against a trivial axum endpoint \
         in the bench process, and raw argon2id / RS256 rates on every core. Everything shares \
         this machine's cores. {ZITADEL_HARDWARE}.",
        z.peer_version.as_deref().unwrap_or("not run"),
        z.keycloak_version
            .as_deref()
            .unwrap_or("not run (--keycloak DIR)")
    )?;
    for note in &z.notes {
        writeln!(out, "- Note: {note}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "| scenario | embedded it/s (best) | distributed it/s (best) | peer pair: Castellan / peer | Keycloak pair: Castellan / Keycloak | ceiling it/s | embedded ÷ ceiling | ZITADEL it/s | worst error rate |"
    )?;
    writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")?;
    for scenario in &SCENARIOS {
        let embedded = best(&z.results, "embedded", scenario.name);
        if embedded.is_none() && best(&z.results, "distributed", scenario.name).is_none() {
            continue;
        }
        let rate = |backend: &str| {
            best(&z.results, backend, scenario.name).map_or("—".to_owned(), |r| {
                format!("{} (c={})", fmt_rate(per_sec(r)), r.concurrency)
            })
        };
        let ratio = |pair: Option<&str>, peer: &str| {
            pair.and_then(|call| {
                let ours = best(&z.results, "embedded", call)?;
                let theirs = best(&z.results, peer, call)?;
                Some(format!(
                    "{call}: {} / {} = **{:.2}**",
                    fmt_rate(per_sec(ours)),
                    fmt_rate(per_sec(theirs)),
                    per_sec(ours) / per_sec(theirs).max(1e-9)
                ))
            })
            .unwrap_or_else(|| "—".into())
        };
        let pair = ratio(scenario.pair, "peer");
        let keycloak = ratio(scenario.keycloak, "keycloak");
        let ceiling = ceiling(&z.results, scenario);
        let fraction = match (embedded, &ceiling) {
            (Some(r), Some((bound, _))) => format!("{:.0}%", per_sec(r) * 100.0 / bound.max(1e-9)),
            _ => "—".into(),
        };
        let worst = z
            .results
            .iter()
            .filter(|r| r.call == scenario.name && r.backend != "peer" && r.backend != "keycloak")
            .map(error_rate)
            .fold(0.0_f64, f64::max);
        writeln!(
            out,
            "| {} | {} | {} | {pair} | {keycloak} | {} | {fraction} | {} | {worst:.2}% |",
            scenario.name,
            rate("embedded"),
            rate("distributed"),
            ceiling
                .as_ref()
                .map_or("—".into(), |(bound, _)| fmt_rate(*bound)),
            fmt_rate(scenario.published.0),
        )?;
    }
    writeln!(out)?;
    for scenario in &SCENARIOS {
        let present = z.results.iter().any(|r| r.call == scenario.name);
        if !present {
            continue;
        }
        writeln!(out, "#### {}", scenario.name)?;
        writeln!(out)?;
        writeln!(
            out,
            "{} ({} request{} per iteration{}).",
            scenario.what,
            scenario.requests,
            if scenario.requests == 1 { "" } else { "s" },
            if scenario.argon2 > 0 {
                ", one argon2id verification"
            } else {
                ""
            }
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "| target | concurrency | iterations/s | p50 ms | p95 ms | p99 ms | errors | error rate |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|")?;
        let mut calls = vec![(scenario.name, "")];
        for pair in [scenario.pair, scenario.keycloak].into_iter().flatten() {
            if calls.iter().all(|(call, _)| *call != pair) {
                calls.push((pair, " (pair)"));
            }
        }
        for (call, suffix) in calls {
            for backend in ["embedded", "distributed", "peer", "keycloak"] {
                if (backend == "peer" && scenario.pair != Some(call))
                    || (backend == "keycloak" && scenario.keycloak != Some(call))
                {
                    continue;
                }
                let label = match backend {
                    "peer" | "keycloak" => format!("{backend}: {call}"),
                    _ => format!("Castellan {backend}: {call}{suffix}"),
                };
                for result in z
                    .results
                    .iter_mut()
                    .filter(|r| r.backend == backend && r.call == call)
                {
                    row(&mut out, &label, result)?;
                }
            }
        }
        if let Some((bound, how)) = ceiling(&z.results, scenario) {
            writeln!(
                out,
                "| ceiling ({how}) | — | {} | | | | | |",
                fmt_rate(bound)
            )?;
        }
        writeln!(
            out,
            "| ZITADEL v4.19.2 (600 VUs; 2–7 × 6 vCPU + 8 vCPU DB) | 600 | {} | {} | | | | |",
            fmt_rate(scenario.published.0),
            scenario.published.1
        )?;
        writeln!(out)?;
    }
    let raw: Vec<&mut ApiResult> = z
        .results
        .iter_mut()
        .filter(|r| r.backend == "ceiling")
        .collect();
    if !raw.is_empty() {
        writeln!(out, "#### Ceiling measurements")?;
        writeln!(out)?;
        writeln!(
            out,
            "| measurement | threads / concurrency | per second | p50 ms | p95 ms | p99 ms | what |"
        )?;
        writeln!(out, "|---|--:|--:|--:|--:|--:|---|")?;
        for result in raw {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                result.call,
                result.concurrency,
                fmt_rate(per_sec(result)),
                ms(result.latencies.percentile(50.0)),
                ms(result.latencies.percentile(95.0)),
                ms(result.latencies.percentile(99.0)),
                result.note
            )?;
        }
        writeln!(out)?;
    }
    Ok(out)
}
