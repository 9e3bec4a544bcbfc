//! The per-request benchmark with mimalloc as the global allocator, for client and baseline
//! alike (see `taurusdb_bench::request`).
//!
//! `cargo bench -p taurusdb-bench --bench request_mimalloc`

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    taurusdb_bench::request::run(rounds, "mimalloc").await;
}
