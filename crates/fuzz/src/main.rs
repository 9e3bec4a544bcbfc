//! `cargo run --release -p taurusdb-fuzz -- <decode|spec> [--seconds N] [--iterations N] [--seed N]`
//!
//! Fuzzes a target and saves failing inputs under `crates/fuzz/crashes/`; exits 1 if any.

use std::process::ExitCode;
use std::time::Duration;

use taurusdb_fuzz::{Target, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: taurusdb-fuzz <decode|spec> [--seconds N] [--iterations N] [--seed N]";
    let Some(target) = args.first().and_then(|t| t.parse::<Target>().ok()) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let flag = |name: &str, default: u64| -> Result<u64, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(default),
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number")),
        }
    };
    let (seconds, iterations, seed) = match (
        flag("--seconds", 60),
        flag("--iterations", u64::MAX),
        flag("--seed", 1),
    ) {
        (Ok(s), Ok(i), Ok(seed)) => (s, i, seed),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => {
            eprintln!("{e}\n{usage}");
            return ExitCode::from(2);
        }
    };
    let crash_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crashes");
    let report = run(
        target,
        iterations,
        Duration::from_secs(seconds),
        seed,
        Some(&crash_dir),
    );
    println!(
        "{target:?}: {} inputs in {:.1} s ({:.0}/s), slowest {:?}, {} failing; reached: rejected {}, parsed {}, checked {}, generated {}",
        report.iterations,
        report.elapsed.as_secs_f64(),
        report.iterations as f64 / report.elapsed.as_secs_f64().max(1e-9),
        report.slowest,
        report.crashes.len(),
        report.depths[0],
        report.depths[1],
        report.depths[2],
        report.depths[3],
    );
    for c in &report.crashes {
        println!(
            "  {}: {}",
            c.saved
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            c.message
        );
    }
    if report.crashes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
