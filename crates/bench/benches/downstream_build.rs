//! Downstream build cost: a new crate that depends on `taurusdb` and makes one call, built
//! from clean, against a crate that makes the same call with bare reqwest + serde + tokio
//! (reqwest with the client's features: rustls, json, query, gzip), in the same run,
//! alternating which goes first. Reports the wall-time ratio and the ratio of crates
//! compiled. Target: at most 1.15x.
//!
//! Both crates are written from the first operation of `taurusdb::spec::operations()` (its entry
//! point, path, required parameters and their examples), into a temporary directory, each
//! with the workspace's Cargo.lock and a target directory of its own, built with
//! `cargo build --offline` (dev profile; `BENCH_PROFILE=release` for release).
//!
//! `cargo bench -p taurusdb-bench --bench downstream_build` (`BENCH_ROUNDS`, 1 by default).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use taurusdb::spec::{Location, Operation};
use taurusdb_bench::cost::{median_of, workspace};
use taurusdb_bench::verdict;

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let release = std::env::var("BENCH_PROFILE").is_ok_and(|p| p == "release");
    let root = workspace().canonicalize().expect("the workspace");
    let dir =
        std::env::temp_dir().join(format!("taurusdb-bench-downstream-{}", std::process::id()));
    let op = &taurusdb::spec::operations()[0];
    let client = write_crate(&dir.join("with-client"), &root, &client_crate(op, &root));
    let bare = write_crate(&dir.join("with-reqwest"), &root, &bare_crate(op));

    println!(
        "downstream_build: one call of {} from a new crate, built from clean ({} profile), {rounds} round(s)",
        op.id,
        if release { "release" } else { "dev" }
    );
    let (mut c, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let order: [(&PathBuf, bool); 2] = if round % 2 == 0 {
            [(&client, true), (&bare, false)]
        } else {
            [(&bare, false), (&client, true)]
        };
        for (krate, is_client) in order {
            let built = build(krate, release);
            println!(
                "  round {round}: {:<22} {:>6.1} s  {:>4} crates",
                if is_client {
                    "with taurusdb"
                } else {
                    "bare reqwest+serde"
                },
                built.0,
                built.1.len()
            );
            if is_client {
                c.push(built)
            } else {
                b.push(built)
            }
        }
    }
    let tc = median_of(c.iter().map(|x| x.0).collect());
    let tb = median_of(b.iter().map(|x| x.0).collect());
    let (cc, cb) = (&c[0].1, &b[0].1);
    let time_ratio = tc / tb;
    let crate_ratio = cc.len() as f64 / cb.len() as f64;
    println!(
        "  with taurusdb {tc:.1} s, {} crates; bare {tb:.1} s, {} crates",
        cc.len(),
        cb.len()
    );
    println!(
        "  wall-time ratio {time_ratio:.3} (target <= 1.15): {}",
        verdict(time_ratio <= 1.15)
    );
    println!(
        "  crate-count ratio {crate_ratio:.3} (target <= 1.15): {}",
        verdict(crate_ratio <= 1.15)
    );
    let extra: Vec<&String> = cc.difference(cb).collect();
    println!(
        "  compiled only with taurusdb ({}): {}",
        extra.len(),
        join(&extra)
    );
    let missing: Vec<&String> = cb.difference(cc).collect();
    if !missing.is_empty() {
        println!(
            "  compiled only for bare reqwest ({}): {}",
            missing.len(),
            join(&missing)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// Builds `krate` from clean: (seconds, the packages compiled, as `name version`).
fn build(krate: &Path, release: bool) -> (f64, BTreeSet<String>) {
    let target = krate.join("target");
    let _ = std::fs::remove_dir_all(&target);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(krate)
        .args(["build", "--offline", "--message-format=json"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS");
    if release {
        cmd.arg("--release");
    }
    let started = Instant::now();
    let out = cmd.output().expect("cargo runs");
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "building {} failed:\n{}",
        krate.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, compiled(&String::from_utf8_lossy(&out.stdout)))
}

/// The packages of the `compiler-artifact` messages (build scripts and proc macros included).
fn compiled(messages: &str) -> BTreeSet<String> {
    messages
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter_map(|m| {
            let t = &m["target"]["name"];
            let id = m["package_id"].as_str()?;
            // `registry+...#name@1.2.3` or `path+file:///...#name@0.1.0`
            let tail = id.rsplit('#').next()?;
            let tail = if tail.contains('@') {
                tail.replace('@', " ")
            } else {
                format!("{} {tail}", t.as_str()?)
            };
            Some(tail)
        })
        .collect()
}

fn write_crate(dir: &Path, root: &Path, (manifest, main): &(String, String)) -> PathBuf {
    std::fs::create_dir_all(dir.join("src")).expect("a directory");
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("written");
    std::fs::write(dir.join("src/main.rs"), main).expect("written");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("the lock file");
    dir.to_path_buf()
}

const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;

/// The arguments of the entry point: required parameters the client does not fill in from
/// its settings, in the order of the spec, each its example (or a placeholder).
fn arguments(op: &Operation) -> Vec<(&'static str, Location, String)> {
    op.parameters
        .iter()
        .filter(|p| p.required && p.setting.is_none())
        .map(|p| {
            (
                p.name,
                p.location,
                p.example.unwrap_or("example").to_string(),
            )
        })
        .collect()
}

fn client_crate(op: &Operation, root: &Path) -> (String, String) {
    let manifest = format!(
        "[package]\nname = \"with-client\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ntaurusdb = {{ path = {:?} }}\n{TOKIO}\n\n[workspace]\n",
        root.join("crates/taurusdb").display().to_string()
    );
    let args: Vec<String> = arguments(op)
        .iter()
        .map(|(_, _, v)| format!("{v:?}"))
        .collect();
    let main = format!(
        r#"#[tokio::main]
async fn main() {{
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:9".into());
    let client = taurusdb::Client::builder()
        .endpoint(&endpoint)
        .project_id("0549e61b4a8c4fdfb1c47bd8a3d8d8b1")
        .credentials(taurusdb::Credentials::token("token"))
        .build()
        .expect("configured");
    match client.{method}({args}).await {{
        Ok(reply) => println!("{{reply:?}}"),
        Err(e) => eprintln!("{{e}}"),
    }}
}}
"#,
        method = op.rust_method,
        args = args.join(", ")
    );
    (manifest, main)
}

fn bare_crate(op: &Operation) -> (String, String) {
    let manifest = format!(
        "[package]\nname = \"with-reqwest\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\nreqwest = {{ version = \"0.13.5\", default-features = false, features = [\"json\", \"query\", \"rustls\", \"gzip\"] }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n{TOKIO}\n\n[workspace]\n"
    );
    let mut path = op
        .path
        .replace("{project_id}", "0549e61b4a8c4fdfb1c47bd8a3d8d8b1");
    let mut query = Vec::new();
    for (name, location, value) in arguments(op) {
        match location {
            Location::Path => path = path.replace(&format!("{{{name}}}"), &value),
            Location::Query => query.push(format!("({name:?}, {value:?})")),
            _ => {}
        }
    }
    let main = format!(
        r#"#[derive(serde::Deserialize, Debug)]
struct Reply(serde_json::Map<String, serde_json::Value>);

#[tokio::main]
async fn main() {{
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:9".into());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("built");
    let sent = http
        .request(reqwest::Method::{method}, format!("{{endpoint}}{path}"))
        .query(&[{query}])
        .header("x-auth-token", "token")
        .header("x-language", "en-us")
        .send()
        .await;
    match sent {{
        Ok(response) => match response.error_for_status() {{
            Ok(response) => match response.json::<Reply>().await {{
                Ok(reply) => println!("{{reply:?}}"),
                Err(e) => eprintln!("{{e}}"),
            }},
            Err(e) => eprintln!("{{e}}"),
        }},
        Err(e) => eprintln!("{{e}}"),
    }}
}}
"#,
        method = op.method,
        query = query.join(", ")
    );
    (manifest, main)
}
