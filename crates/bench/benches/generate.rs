//! `cargo xtask gen`'s pipeline (load, check, transform, progenitor, post-process, format) on
//! the workspace's spec and on synthetic specs of 10, 100 and 1 000 operations. Targets:
//! 1 000 operations in under 3 s, and time growing no worse than linearly: the time per
//! operation at 1 000 at most 1.5x that at 100 (the baseline of the same run).
//!
//! `cargo bench -p taurusdb-bench --bench generate`

use std::time::{Duration, Instant};

use taurusdb_bench::{median, synthetic_spec, verdict};
use xtask::model::spec::Spec;

fn time(text: &str, rounds: usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let spec = Spec::parse("bench.yaml", text.as_bytes()).expect("a valid spec");
        let out = xtask::codegen::generate(&spec, "bench.yaml").expect("generates");
        times.push(t.elapsed());
        size = out.iter().map(|o| o.contents.len()).sum();
    }
    (median(times), size)
}

fn main() {
    let ours = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/taurusdb.yaml"
    ))
    .expect("the spec");
    println!("generate: median of runs, all generated files");
    let (t, size) = time(&ours, 9);
    println!(
        "  openapi/taurusdb.yaml     {:>8.1} ms  {:>9} bytes",
        t.as_secs_f64() * 1e3,
        size
    );
    let mut per_op = Vec::new();
    for (n, rounds) in [(10, 9), (100, 5), (1000, 3)] {
        let (t, size) = time(&synthetic_spec(n), rounds);
        let each = t.as_secs_f64() / n as f64;
        per_op.push(each);
        println!(
            "  synthetic, {n:>4} operations {:>8.1} ms  {:>9} bytes  {:.2} ms/operation",
            t.as_secs_f64() * 1e3,
            size,
            each * 1e3
        );
        if n == 1000 {
            println!(
                "  1 000 operations in {:.2} s (target < 3 s): {}",
                t.as_secs_f64(),
                verdict(t < Duration::from_secs(3))
            );
        }
    }
    let growth = per_op[2] / per_op[1];
    println!(
        "  time per operation, 1 000 vs 100: {growth:.2}x (target <= 1.5, i.e. linear): {}",
        verdict(growth <= 1.5)
    );
}
