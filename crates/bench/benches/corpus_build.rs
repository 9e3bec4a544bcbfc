//! Build cost of a client of Huawei's whole API: the 183 TaurusDB operations of
//! `openapi/vendor/corpus/`, imported into one spec (`cargo xtask import`), generated into a
//! workspace of the three crates (as `tests/corpus.rs` does) and the client crate alone
//! built from clean (its dependencies built first and kept, `CARGO_INCREMENTAL=0`, dev
//! profile), against openapi-generator 7.26's Rust client of the same spec, built the same
//! way, in the same run, alternating. Variants of ours:
//!
//! - `default`: every tag's operations (the default features), no response builders;
//! - `builders`: the default features and `builders` (the response-only types' builders);
//! - `one tag`: `--no-default-features --features htap-standard`, the 21 operations of one
//!   tag, as a crate that needs one part of the API builds it.
//!
//! Reports each build's wall time and its ratio to openapi-generator's (median of the rounds).
//! Target (issue 17): the default client no slower to build than openapi-generator's (at
//! most 1.00x).
//!
//! `cargo bench -p taurusdb-bench --bench corpus_build` (`BENCH_ROUNDS`, 3 by default).
//! Needs Java 17 and openapi-generator 7.26.0 (`pip install openapi-generator-cli==7.26.0`,
//! or `OPENAPI_GENERATOR_JAR`) and the network for openapi-generator's crate's
//! dependencies; without them it says so and measures ours alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use taurusdb_bench::cost::{java, median_of, openapi_generator_jar, workspace};
use taurusdb_bench::verdict;

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let root = workspace().canonicalize().expect("the workspace");
    let dir = std::env::temp_dir().join(format!("taurusdb-bench-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // The spec: every definition of the corpus imported into an empty spec.
    let spec = dir.join("corpus.yaml");
    let out = Command::new(cargo())
        .current_dir(&root)
        .args(["run", "--quiet", "-p", "xtask", "--", "import", "--spec"])
        .arg(&spec)
        .arg("openapi/vendor/corpus")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo xtask import of the corpus failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = dir.join("ours");
    taurusdb_tests::fixture::workspace(&spec, "corpus.yaml", &ours);
    let generated = std::fs::metadata(ours.join("crates/taurusdb/src/generated.rs"))
        .map(|m| m.len())
        .unwrap_or(0);

    let oag = match (java(), openapi_generator_jar()) {
        (Some(java), Some(jar)) => openapi_generator(&java, &jar, &spec, &dir.join("oag")),
        _ => {
            println!(
                "openapi-generator comparison SKIPPED: no `java` or no openapi-generator.jar (pip install openapi-generator-cli==7.26.0, or set OPENAPI_GENERATOR_JAR)"
            );
            None
        }
    };

    let variants: Vec<(&str, Vec<&str>)> = vec![
        ("default", vec![]),
        ("builders", vec!["--features", "builders"]),
        (
            "one tag",
            vec!["--no-default-features", "--features", "htap-standard"],
        ),
    ];
    println!(
        "corpus_build: the client of {} ({} KB of generated code), the crate alone from clean, dev profile, {rounds} round(s)",
        spec.display(),
        generated / 1024
    );
    // Dependencies first, once, for every variant (they stay built).
    for (_, flags) in &variants {
        build(&ours, "taurusdb", flags, false);
    }
    if let Some((crate_dir, name)) = &oag {
        build(crate_dir, name, &[], false);
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut theirs = Vec::new();
    for round in 0..rounds {
        let oag_first = round % 2 == 1;
        if oag_first && let Some((crate_dir, name)) = &oag {
            theirs.push(timed(crate_dir, name, &[], round, "openapi-generator"));
        }
        for (i, (label, flags)) in variants.iter().enumerate() {
            times[i].push(timed(&ours, "taurusdb", flags, round, label));
        }
        if !oag_first && let Some((crate_dir, name)) = &oag {
            theirs.push(timed(crate_dir, name, &[], round, "openapi-generator"));
        }
    }

    println!("medians:");
    let base = (!theirs.is_empty()).then(|| median_of(theirs.clone()));
    if let Some(b) = base {
        println!("  {:<18} {b:>6.1} s  1.00x", "openapi-generator");
    }
    for (i, (label, _)) in variants.iter().enumerate() {
        let t = median_of(times[i].clone());
        match base {
            Some(b) => println!("  {label:<18} {t:>6.1} s  {:.2}x", t / b),
            None => println!("  {label:<18} {t:>6.1} s"),
        }
    }
    if let Some(b) = base {
        let ratio = median_of(times[0].clone()) / b;
        println!(
            "target: the default client at most 1.00x openapi-generator's: {:.2}x {}",
            ratio,
            verdict(ratio <= 1.00)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// openapi-generator's Rust client of `spec` in `out`: (its directory, its package name).
fn openapi_generator(
    java: &Path,
    jar: &Path,
    spec: &Path,
    out: &Path,
) -> Option<(PathBuf, String)> {
    let status = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args([
            "generate",
            "-g",
            "rust",
            "--package-name",
            "oag_corpus",
            "-i",
        ])
        .arg(spec)
        .arg("-o")
        .arg(out)
        .output()
        .expect("java runs");
    if !status.status.success() {
        println!(
            "openapi-generator comparison SKIPPED: openapi-generator failed:\n{}",
            String::from_utf8_lossy(&status.stdout)
        );
        return None;
    }
    // Its own workspace, with a lock file of its own (it needs the network once).
    let manifest = out.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).ok()?;
    std::fs::write(&manifest, format!("{text}\n[workspace]\n")).ok()?;
    Some((out.to_path_buf(), "oag_corpus".to_string()))
}

/// `cargo build -p <package> <flags>` in `dir`, into `dir/target`; panics with cargo's output
/// when the build fails.
fn build(dir: &Path, package: &str, flags: &[&str], offline: bool) -> f64 {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(dir)
        .args(["build", "--quiet", "-p", package])
        .args(flags)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS");
    if offline {
        cmd.arg("--offline");
    }
    let started = Instant::now();
    let out = cmd.output().expect("cargo runs");
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "building {package} in {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    secs
}

/// The package alone rebuilt from clean (`cargo clean -p`), timed and printed.
fn timed(dir: &Path, package: &str, flags: &[&str], round: usize, label: &str) -> f64 {
    let out = Command::new(cargo())
        .current_dir(dir)
        .args(["clean", "--quiet", "-p", package])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo clean -p {package}");
    let secs = build(dir, package, flags, true);
    println!("  round {round}: {label:<18} {secs:>6.1} s");
    secs
}
