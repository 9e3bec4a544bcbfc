//! Per-request overhead: the client's full call (IAM token, and AK/SK signing) against a bare
//! reqwest GET of the same URL, with the same timeouts, that decodes the same type; both
//! against one keep-alive server on 127.0.0.1 answering with the page's example. Targets:
//! median latency ratio at most 1.10 with a token and 1.25 with signing; requests per second
//! with 64 concurrent callers within 10% of bare reqwest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cost::median_of;
use crate::{median, serve_forever, verdict};
use taurusdb::types::StarRocksReplicationConfig;
use taurusdb::{Client, Credentials, RetryPolicy};

const PROJECT: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";
const INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";
const TASK: &str = "sync_task_01";

fn client(url: &str, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT)
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .expect("configured")
}

async fn bare(http: &reqwest::Client, url: &str, wire: bool) {
    let mut request = http
        .get(url)
        .header("accept", "application/json")
        .header("x-auth-token", "bench-token")
        .header("x-language", "en-us");
    if wire {
        // What the client sends on top (see `Caller::Wire`).
        request = request
            .header("x-project-id", PROJECT)
            .header("user-agent", "taurusdb-rust/0.1.0");
    }
    let body = request
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("read");
    let v: StarRocksReplicationConfig = serde_json::from_slice(&body).expect("decodes");
    std::hint::black_box(v);
}

/// Who makes a call: bare reqwest (with the baseline's headers or the client's), the client
/// with a token, the client with AK/SK signing.
#[derive(Clone, Copy)]
pub enum Caller {
    /// The target's baseline: a GET with `Accept`, `X-Auth-Token` and `X-Language`.
    Bare,
    /// Bare reqwest sending the request the client sends with a token: the same headers
    /// (`X-Project-Id` and `User-Agent` too), nothing checked, nothing retried. What any
    /// client of this API costs at least, with reqwest.
    Wire,
    Token,
    Signed,
}

/// The callers, each set up once.
pub struct Callers {
    bare: reqwest::Client,
    token: Client,
    signed: Client,
    url: String,
}

impl Callers {
    /// The callers, against the server at `base`.
    pub fn new(base: &str) -> Callers {
        Callers {
            bare: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .connect_timeout(Duration::from_secs(10))
                .build()
                .expect("built"),
            token: client(base, Credentials::token("bench-token")),
            signed: client(base, Credentials::aksk("AKBENCH", "sk-bench")),
            url: format!(
                "{base}/v3/{PROJECT}/instances/{INSTANCE}/starrocks/databases/replication/configuration?task_name={TASK}"
            ),
        }
    }

    /// One call, its response decoded.
    pub async fn call(&self, who: Caller) {
        match who {
            Caller::Bare => bare(&self.bare, &self.url, false).await,
            Caller::Wire => bare(&self.bare, &self.url, true).await,
            Caller::Token => {
                std::hint::black_box(
                    self.token
                        .replication_config(INSTANCE, TASK)
                        .await
                        .expect("ok"),
                );
            }
            Caller::Signed => {
                std::hint::black_box(
                    self.signed
                        .replication_config(INSTANCE, TASK)
                        .await
                        .expect("ok"),
                );
            }
        }
    }
}

/// Runs the benchmark and prints its report; `allocator` names the global allocator.
pub async fn run(rounds: usize, allocator: &str) {
    let body = crate::page_example_body();
    let base = serve_forever(body).await;
    let callers = Arc::new(Callers::new(&base));

    // Sequential latency, interleaved so that all three see the same machine.
    let order = [Caller::Bare, Caller::Token, Caller::Signed];
    for who in order {
        for _ in 0..200 {
            callers.call(who).await;
        }
    }
    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..rounds {
        for (i, who) in order.iter().enumerate() {
            let t = Instant::now();
            callers.call(*who).await;
            times[i].push(t.elapsed());
        }
    }
    let [b, t, s] = times.map(median);
    let (rt, rs) = (
        t.as_secs_f64() / b.as_secs_f64(),
        s.as_secs_f64() / b.as_secs_f64(),
    );
    println!("request ({allocator}): {rounds} sequential calls each, median latency");
    println!("  bare reqwest  {:>7.1} µs", b.as_secs_f64() * 1e6);
    println!(
        "  client, token {:>7.1} µs  ratio {rt:.3} (target <= 1.10): {}",
        t.as_secs_f64() * 1e6,
        verdict(rt <= 1.10)
    );
    println!(
        "  client, AK/SK {:>7.1} µs  ratio {rs:.3} (target <= 1.25): {}",
        s.as_secs_f64() * 1e6,
        verdict(rs <= 1.25)
    );

    // CPU per call: the same calls, and a server of their own, on a single-threaded runtime in
    // a thread of its own, where wall time is the CPU a call takes (client and server).
    let single = std::thread::spawn({
        move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                let callers = Callers::new(&serve_forever(body).await);
                let mut per_call = Vec::new();
                for who in [Caller::Bare, Caller::Wire, Caller::Token] {
                    let n = rounds * 2;
                    let started = Instant::now();
                    for _ in 0..n {
                        callers.call(who).await;
                    }
                    per_call.push(started.elapsed() / n as u32);
                }
                // Allocations per call (client and server: the server's are the same for all).
                let mut allocations = Vec::new();
                for who in [Caller::Bare, Caller::Wire, Caller::Token, Caller::Signed] {
                    let n = 200;
                    let counted = crate::count_allocations(async {
                        for _ in 0..n {
                            callers.call(who).await;
                        }
                    })
                    .await;
                    allocations.push(counted.map(|c| {
                        format!(
                            "{:.1} ({:.1})",
                            c.all as f64 / n as f64,
                            c.large as f64 / n as f64
                        )
                    }));
                }
                (per_call, allocations)
            })
        }
    })
    .join()
    .expect("the single-threaded run finished");
    let (single, allocations) = single;
    match &allocations[..] {
        [Some(b), Some(w), Some(t), Some(s)] => println!(
            "  allocations per call (client and server, one thread; in brackets, those over {} bytes): bare {b}, same wire request {w}, token {t}, AK/SK {s}",
            crate::LARGE_ALLOCATION,
        ),
        _ => println!("  allocations per call: not counted with this global allocator"),
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "  one thread, CPU per call: bare {:.1} µs, same wire request {:.1} µs ({:.3}), client {:.1} µs, ratio {:.3}",
        us(single[0]),
        us(single[1]),
        single[1].as_secs_f64() / single[0].as_secs_f64(),
        us(single[2]),
        single[2].as_secs_f64() / single[0].as_secs_f64()
    );

    // Throughput with 64 concurrent callers: rounds of one run each of bare reqwest, the same
    // wire request and the client (the order rotating), the ratios taken within each round
    // and the medians over the rounds, since a run of a few thousand calls on a shared
    // machine varies by tens of percent.
    let per_caller = (rounds / 16).max(50);
    let concurrent_rounds: usize = std::env::var("BENCH_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    let throughput = |who: Caller| {
        let callers = callers.clone();
        async move {
            let started = Instant::now();
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let c = callers.clone();
                    tokio::spawn(async move {
                        for _ in 0..per_caller {
                            c.call(who).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("a caller finished");
            }
            (64 * per_caller) as f64 / started.elapsed().as_secs_f64()
        }
    };
    let kinds = [Caller::Bare, Caller::Wire, Caller::Token];
    let mut rps: [Vec<f64>; 3] = Default::default();
    for round in 0..concurrent_rounds {
        for k in 0..3 {
            let i = (round + k) % 3;
            rps[i].push(throughput(kinds[i]).await);
        }
    }
    let ratios = |a: usize, b: usize| -> Vec<f64> {
        rps[a].iter().zip(&rps[b]).map(|(x, y)| x / y).collect()
    };
    let client_bare = ratios(2, 0);
    let (lo, hi) = client_bare
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    let ratio = median_of(client_bare);
    println!(
        "  64 concurrent callers x {per_caller}, {concurrent_rounds} rounds (medians): bare {:.0} req/s, same wire request {:.0}, client {:.0}; client / bare {ratio:.3} (rounds {lo:.2} to {hi:.2}) (target >= 0.90): {}",
        median_of(rps[0].clone()),
        median_of(rps[1].clone()),
        median_of(rps[2].clone()),
        verdict(ratio >= 0.9)
    );
    println!(
        "  64 concurrent callers: same wire request / bare {:.3}, client / same wire request {:.3}",
        median_of(ratios(1, 0)),
        median_of(ratios(2, 1))
    );
}
