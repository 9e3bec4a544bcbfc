//! Decoding a large 200 body (100 000 table checks and 1 000 database checks, about 10 MB)
//! into the client's response type, against a minimal hand-written serde struct of the same
//! fields. Targets: at least 0.9 of the baseline's throughput; peak memory within 1.5x.
//!
//! `cargo bench -p taurusdb-bench --bench decode`

use std::hint::black_box;
use std::time::{Duration, Instant};

use taurusdb::types::StarRocksReplicationConfig;
use taurusdb_bench::{Baseline, Counting, large_body, median, peak_during, verdict};

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let body = large_body(100_000, 1_000);
    let bytes = body.as_bytes();
    let mb = bytes.len() as f64 / 1e6;

    // Warm up, and check both decode the same thing.
    let client: StarRocksReplicationConfig = serde_json::from_slice(bytes).expect("decodes");
    let base: Baseline = serde_json::from_slice(bytes).expect("decodes");
    assert_eq!(
        client.table_infos.as_ref().map_or(0, Vec::len),
        base.table_infos.as_ref().map_or(0, Vec::len)
    );
    drop((client, base));

    // Interleaved, so that both see the same machine.
    let (mut c, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(
            serde_json::from_slice::<StarRocksReplicationConfig>(black_box(bytes))
                .expect("decodes"),
        );
        c.push(t.elapsed());
        let t = Instant::now();
        black_box(serde_json::from_slice::<Baseline>(black_box(bytes)).expect("decodes"));
        b.push(t.elapsed());
    }
    let (c, b) = (median(c), median(b));
    let throughput = |d: Duration| mb / d.as_secs_f64();
    let ratio = throughput(c) / throughput(b);

    let (_, c_peak) = peak_during(|| {
        serde_json::from_slice::<StarRocksReplicationConfig>(bytes).expect("decodes")
    });
    let (_, b_peak) = peak_during(|| serde_json::from_slice::<Baseline>(bytes).expect("decodes"));
    let mem_ratio = c_peak as f64 / b_peak as f64;

    println!("decode: body {mb:.1} MB, {rounds} rounds each, medians");
    println!(
        "  client type   {:>8.1} ms  {:>7.1} MB/s  peak {:>6.1} MB",
        c.as_secs_f64() * 1e3,
        throughput(c),
        c_peak as f64 / 1e6
    );
    println!(
        "  baseline      {:>8.1} ms  {:>7.1} MB/s  peak {:>6.1} MB",
        b.as_secs_f64() * 1e3,
        throughput(b),
        b_peak as f64 / 1e6
    );
    println!(
        "  throughput ratio {ratio:.3} (target >= 0.90): {}",
        verdict(ratio >= 0.9)
    );
    println!(
        "  peak memory ratio {mem_ratio:.3} (target <= 1.50): {}",
        verdict(mem_ratio <= 1.5)
    );
}
