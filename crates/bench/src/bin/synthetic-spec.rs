//! Writes the synthetic spec of the generation benchmarks to stdout:
//! `cargo run -p taurusdb-bench --bin synthetic-spec -- 1000 > /tmp/spec-1000.yaml`.

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| {
            eprintln!("usage: synthetic-spec OPERATIONS");
            std::process::exit(2);
        });
    print!("{}", taurusdb_bench::synthetic_spec(n));
}
