//! Finding the real `castellan` binary.
//!
//! `CARGO_BIN_EXE_castellan` exists only in `castellan-server`'s own tests (artifact dependencies
//! are unstable), so this crate takes the binary cargo puts next to the test executable's
//! directory: `target/<profile>/deps/chaos-<hash>` → `target/<profile>/castellan`.
//!
//! The assumption: that binary was built from the current sources. `cargo test --workspace` builds
//! every binary of every package before it runs any test, so it holds there; a lone
//! `cargo test -p castellan-chaos-tests` does NOT build it (run `cargo build -p castellan-server`
//! first). The test refuses a missing binary, and one older than any source file it is built from
//! (`core`, `schemas`, `writer`, `readers`, `api`, `server`: their `src/`, manifests and schema
//! files), unless `CASTELLAN_CHAOS_ALLOW_STALE_BINARY=1`. `CASTELLAN_CHAOS_BINARY` overrides the
//! path (a release build, say).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The crates whose sources go into the `castellan` binary.
const SOURCE_CRATES: [&str; 6] = ["core", "schemas", "writer", "readers", "api", "server"];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The binary to start, or a message saying why there is none.
pub fn castellan_binary() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("CASTELLAN_CHAOS_BINARY") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "CASTELLAN_CHAOS_BINARY={} is not a file",
                path.display()
            ))
        };
    }
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // target/<profile>/deps/chaos-<hash> → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected test executable path {}", exe.display()))?;
    let binary = profile_dir.join("castellan");
    if !binary.is_file() {
        return Err(format!(
            "{} does not exist: the chaos test runs the real castellan binary, which \
             `cargo test -p castellan-chaos-tests` does not build. Run `cargo build -p castellan-server` \
             first (or `cargo test --workspace`, which builds every binary), or set CASTELLAN_CHAOS_BINARY",
            binary.display()
        ));
    }
    let built = modified(&binary).ok_or_else(|| format!("no mtime for {}", binary.display()))?;
    if let Some((newest, path)) = newest_source() {
        let allow = std::env::var("CASTELLAN_CHAOS_ALLOW_STALE_BINARY").is_ok_and(|v| v == "1");
        if newest > built && !allow {
            return Err(format!(
                "{} is older than {} : rebuild it with `cargo build -p castellan-server` (a lone \
                 `cargo test -p castellan-chaos-tests` does not), or set CASTELLAN_CHAOS_ALLOW_STALE_BINARY=1",
                binary.display(),
                path.display()
            ));
        }
    }
    Ok(binary)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The most recently modified source file of the crates the binary is built from.
fn newest_source() -> Option<(SystemTime, PathBuf)> {
    let root = workspace_root();
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for krate in SOURCE_CRATES {
        let dir = root.join(krate);
        let mut stack = vec![dir.clone()];
        while let Some(current) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    // Tests, benches and examples are not part of the binary.
                    let skip = name.starts_with('.')
                        || ["tests", "benches", "examples", "target", "python"]
                            .contains(&name.as_str());
                    if !skip {
                        stack.push(path);
                    }
                    continue;
                }
                let relevant = [".rs", ".toml", ".sql", ".cql", ".avsc", ".json"]
                    .iter()
                    .any(|ext| name.ends_with(ext));
                if !relevant {
                    continue;
                }
                if let Some(at) = modified(&path)
                    && newest.as_ref().is_none_or(|(best, _)| at > *best)
                {
                    newest = Some((at, path));
                }
            }
        }
    }
    newest
}
