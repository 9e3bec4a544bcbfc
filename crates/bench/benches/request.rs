//! The per-request benchmark with the system allocator (see `taurusdb_bench::request`).
//!
//! `cargo bench -p taurusdb-bench --bench request`

// glibc's malloc, with allocations counted in the single-threaded phase only.
#[global_allocator]
static ALLOC: taurusdb_bench::CallCounter = taurusdb_bench::CallCounter;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    taurusdb_bench::CallCounter::installed();
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    taurusdb_bench::request::run(rounds, "system allocator").await;
}
