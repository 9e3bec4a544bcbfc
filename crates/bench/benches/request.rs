//! The per-request benchmark with the system allocator (see `taurusdb_bench::request`).
//!
//! `cargo bench -p taurusdb-bench --bench request`

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    taurusdb_bench::request::run(rounds, "system allocator").await;
}
