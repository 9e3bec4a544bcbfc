//! `cargo xtask gen --spec <synthetic spec>`, as a user runs it (the dev profile, through
//! cargo), against openapi-generator's Rust client generator (`java -jar
//! openapi-generator.jar generate -g rust`) on the same spec, in the same run, alternating.
//! Targets: at 1 000 operations, at most 1/3 of openapi-generator's wall time and a peak RSS
//! of at most 512 MiB; time per operation at 1 000 at most 1.5x that at 100 (linear).
//!
//! `cargo bench -p taurusdb-bench --bench openapi_generator` (`BENCH_ROUNDS`, 3 by default).
//! Needs Java 17 and openapi-generator 7.26.0 (`pip install openapi-generator-cli==7.26.0`,
//! or `OPENAPI_GENERATOR_JAR`); without them it says so and measures `gen` alone.

use std::process::Command;

use taurusdb_bench::cost::{
    Run, gen_profile, java, measure, median_of, mib, openapi_generator_jar, workspace,
};
use taurusdb_bench::{synthetic_spec, verdict};

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let root = workspace();
    let dir = tempfile_dir();
    let oag = match (java(), openapi_generator_jar()) {
        (Some(java), Some(jar)) => Some((java, jar)),
        (None, _) => {
            println!(
                "openapi-generator comparison SKIPPED: `java` does not run (install Java 17, or set JAVA)"
            );
            None
        }
        (_, None) => {
            println!(
                "openapi-generator comparison SKIPPED: no openapi-generator.jar (pip install openapi-generator-cli==7.26.0, or set OPENAPI_GENERATOR_JAR)"
            );
            None
        }
    };

    // Build xtask first (the dev profile, as `cargo xtask` does), so that no round includes
    // compiling it.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let xtask = |spec: &std::path::Path, out: &std::path::Path| {
        let mut c = Command::new(&cargo);
        c.current_dir(&root)
            .args(["xtask", "gen", "--root"])
            .arg(out)
            .arg("--spec")
            .arg(spec)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_PROFILE_RELEASE_DEBUG");
        c
    };
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--quiet", "-p", "xtask"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build -p xtask failed");

    println!("openapi_generator: wall time and peak RSS, medians of {rounds} alternating rounds");
    let mut per_op = Vec::new();
    for n in [100usize, 1000] {
        let spec = dir.join(format!("synthetic-{n}.yaml"));
        std::fs::write(&spec, synthetic_spec(n)).expect("spec written");
        let (mut ours, mut theirs): (Vec<Run>, Vec<Run>) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let out = dir.join(format!("gen-{n}-{round}"));
            let log = dir.join(format!("gen-{n}-{round}.log"));
            ours.push(measure(&mut xtask(&spec, &out), &log).unwrap_or_else(|e| panic!("{e}")));
            let _ = std::fs::remove_dir_all(&out);
            if let Some((java, jar)) = &oag {
                let out = dir.join(format!("oag-{n}-{round}"));
                let log = dir.join(format!("oag-{n}-{round}.log"));
                let mut c = Command::new(java);
                c.arg("-jar")
                    .arg(jar)
                    .args(["generate", "-g", "rust", "-i"])
                    .arg(&spec)
                    .arg("-o")
                    .arg(&out);
                theirs.push(measure(&mut c, &log).unwrap_or_else(|e| panic!("{e}")));
                let _ = std::fs::remove_dir_all(&out);
            }
        }
        let wall = |v: &[Run]| median_of(v.iter().map(|r| r.wall.as_secs_f64()).collect());
        let rss = |v: &[Run]| median_of(v.iter().map(|r| r.peak_rss).collect());
        let (t, m) = (wall(&ours), rss(&ours));
        per_op.push(t / n as f64);
        let all: Vec<String> = ours
            .iter()
            .map(|r| format!("{:.2}", r.wall.as_secs_f64()))
            .collect();
        println!(
            "  {n:>4} operations  cargo xtask gen    {t:>7.2} s  peak {:>6.0} MiB   (runs: {} s)",
            mib(m),
            all.join(", ")
        );
        if !theirs.is_empty() {
            let (jt, jm) = (wall(&theirs), rss(&theirs));
            let all: Vec<String> = theirs
                .iter()
                .map(|r| format!("{:.2}", r.wall.as_secs_f64()))
                .collect();
            println!(
                "  {n:>4} operations  openapi-generator  {jt:>7.2} s  peak {:>6.0} MiB   (runs: {} s)",
                mib(jm),
                all.join(", ")
            );
            let ratio = t / jt;
            println!(
                "  {n:>4} operations  time ratio {ratio:.3}{}",
                if n == 1000 {
                    format!(" (target <= 0.333): {}", verdict(ratio <= 1.0 / 3.0))
                } else {
                    String::new()
                }
            );
        }
        if n == 1000 {
            println!(
                "  1 000 operations: peak RSS {:.0} MiB (target <= 512 MiB): {}",
                mib(m),
                verdict(m <= 512 * 1024 * 1024)
            );
            // One more run, with the phases printed: how much of the time is progenitor's
            // passes and the parsing and printing their token output needs, which any
            // pipeline built on progenitor pays (the floor), against openapi-generator.
            let out = dir.join("gen-profiled");
            let log = dir.join("gen-profiled.log");
            let run = measure(xtask(&spec, &out).env("XTASK_GEN_TIMINGS", "1"), &log)
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = std::fs::remove_dir_all(&out);
            let stderr = std::fs::read_to_string(&log).unwrap_or_default();
            match gen_profile(&stderr) {
                None => println!("  profile: `gen` printed no phases (see {})", log.display()),
                Some(p) => {
                    println!(
                        "  1 000 operations, one profiled run of {:.2} s: progenitor {:.2} s, \
                         syn parsing its output {:.2} s, prettyplease {:.2} s, this workspace's \
                         own steps {:.2} s, the rest (cargo, process start and exit) {:.2} s",
                        run.wall.as_secs_f64(),
                        p.progenitor,
                        p.parse,
                        p.print,
                        p.own,
                        run.wall.as_secs_f64() - p.floor() - p.own
                    );
                    if !theirs.is_empty() {
                        let jt = wall(&theirs);
                        let floor = p.floor() / jt;
                        println!(
                            "  floor (progenitor + parse + print, nothing of this workspace's): \
                             {:.2} s, {floor:.3} of openapi-generator's time; progenitor alone \
                             {:.3}: {}",
                            p.floor(),
                            p.progenitor / jt,
                            if floor > 1.0 / 3.0 {
                                "the 1/3 target is below what progenitor's output costs to format"
                            } else {
                                "the 1/3 target is above the floor"
                            }
                        );
                    }
                }
            }
        }
    }
    let growth = per_op[1] / per_op[0];
    println!(
        "  time per operation, 1 000 vs 100: {growth:.2}x (target <= 1.5, i.e. linear): {}",
        verdict(growth <= 1.5)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taurusdb-bench-oag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
