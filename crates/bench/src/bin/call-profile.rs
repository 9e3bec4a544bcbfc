//! One kind of call, `N` times, on one thread, against an in-process server: what
//! `valgrind --tool=callgrind` (or `perf stat -e instructions`) measures to count the
//! instructions a call takes, client and server together, without the noise of wall time.
//!
//! ```sh
//! cargo build --release -p taurusdb-bench --bin call-profile
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.token target/release/call-profile token 2000
//! ```
//!
//! The instructions per call are (total at `N` − total at 0) / `N`; BENCHMARKS.md shows them
//! for `bare`, `wire` (bare reqwest sending the client's headers), `token` and `aksk`. It
//! also prints the allocations per call, and how many are larger than glibc's per-thread
//! cache takes.

use taurusdb_bench::request::{Caller, Callers};
use taurusdb_bench::{CallCounter, LARGE_ALLOCATION, count_allocations, serve_forever};

#[global_allocator]
static ALLOC: CallCounter = CallCounter;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: call-profile bare|wire|token|aksk <calls>";
    let who = match args.next().as_deref() {
        Some("bare") => Caller::Bare,
        Some("wire") => Caller::Wire,
        Some("token") => Caller::Token,
        Some("aksk") => Caller::Signed,
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let Some(n) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let body = taurusdb_bench::page_example_body();
        let callers = Callers::new(&serve_forever(body).await);
        // The connection is opened and every lazy set-up done before the calls counted.
        callers.call(who).await;
        CallCounter::installed();
        let counted = count_allocations(async {
            for _ in 0..n {
                callers.call(who).await;
            }
        })
        .await;
        if let (Some(c), true) = (counted, n > 0) {
            println!(
                "{n} calls: {:.1} allocations per call, {:.1} of them over {LARGE_ALLOCATION} bytes (client and server)",
                c.all as f64 / n as f64,
                c.large as f64 / n as f64
            );
        }
    });
}
