//! An in-tree fuzzing harness that runs on stable Rust (cargo-fuzz needs nightly): seeded
//! mutations of a corpus, fed to a target under `catch_unwind`, with oracles beyond "does
//! not panic".
//!
//! - [`Target::Decode`]: response bodies through the client's decoding (the 200 body and the
//!   error body). Oracle: whatever decodes re-encodes and decodes to the same value.
//! - [`Target::Spec`]: spec text through the loader, the checks `gen` makes, `lint`, `docs`,
//!   the tolerant-reader transform, example validation and `diff`. Oracle: a spec has no
//!   differences from itself; every few inputs that pass the checks are also generated.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use taurusdb::types::{ErrorResponse, StarRocksReplicationConfig};

/// What to fuzz.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Decode,
    Spec,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "decode" => Ok(Target::Decode),
            "spec" => Ok(Target::Spec),
            other => Err(format!("unknown target `{other}` (decode or spec)")),
        }
    }
}

/// The seed inputs of a target.
pub fn corpus(target: Target) -> Vec<Vec<u8>> {
    use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as ex;
    match target {
        Target::Decode => [
            ex::STATUS_200_PAGE_VERBATIM,
            ex::STATUS_200_PAGE_CORRECTED,
            ex::STATUS_400_PAGE,
            ex::STATUS_500_SERVER_FAILURE,
            r#"{"database_info":{"databaseName":"d","dbCfgCheckResults":[{"check_result":"x"}]},"table_infos":null,"is_instance_level_sync":"true"}"#,
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        Target::Spec => [
            include_str!("../../../openapi/taurusdb.yaml"),
            include_str!("../../../xtask/tests/fixtures/base.yaml"),
            include_str!("../../../xtask/tests/fixtures/bad/recursive-schema.yaml"),
            include_str!("../../../xtask/tests/fixtures/bad/conflicting-error-schemas.yaml"),
            include_str!("../../../xtask/tests/fixtures/lint/response-enum-open.yaml"),
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
    }
}

/// Fragments worth splicing in.
const TOKENS: &[&str] = &[
    "null",
    "{}",
    "[]",
    "\"\"",
    "-1",
    "1e999",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "true",
    ":",
    ",",
    "\"failed\"",
    "$ref: '#/components/schemas/",
    "&a",
    "*a",
    "!!binary",
    "---",
    "\t",
    "\n  ",
    "{{",
    "x-open-enum: true",
    "required: [",
    "nullable: true",
    "allOf:",
    "enum: [",
    "'",
    "\"",
    "#",
    "? ",
    "|",
    ">",
    "~",
    "\u{feff}",
    "é",
];

/// One mutation of `input`.
pub fn mutate(rng: &mut fastrand::Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.usize(..4);
    for _ in 0..rounds {
        let len = out.len();
        match rng.u8(..8) {
            0 if len > 0 => {
                let i = rng.usize(..len);
                out[i] ^= 1 << rng.u8(..8);
            }
            1 if len > 0 => {
                let i = rng.usize(..len);
                let n = rng.usize(..len - i).min(64);
                out.drain(i..i + n);
            }
            2 => {
                let i = rng.usize(..=len);
                let t = TOKENS[rng.usize(..TOKENS.len())];
                out.splice(i..i, t.bytes());
            }
            3 if len > 0 => out.truncate(rng.usize(..len)),
            4 => {
                let other = &corpus[rng.usize(..corpus.len())];
                if !other.is_empty() {
                    let a = rng.usize(..other.len());
                    let b = (a + rng.usize(..256)).min(other.len());
                    let i = rng.usize(..=len);
                    out.splice(i..i, other[a..b].iter().copied());
                }
            }
            5 if len > 1 => {
                let a = rng.usize(..len);
                let b = (a + rng.usize(..128)).min(len);
                let chunk = out[a..b].to_vec();
                let i = rng.usize(..=len);
                out.splice(i..i, chunk);
            }
            6 => {
                let i = rng.usize(..=len);
                let depth = rng.usize(..300);
                let (open, close) = if rng.bool() {
                    ("[", "]")
                } else {
                    ("{\"a\":", "}")
                };
                let nest = format!("{}{}", open.repeat(depth), close.repeat(depth));
                out.splice(i..i, nest.bytes());
            }
            _ if len > 0 => {
                let i = rng.usize(..len);
                out[i] = rng.u8(..);
            }
            _ => out.push(rng.u8(..)),
        }
    }
    out
}

/// How far an input got: 0 rejected at once, 1 parsed, 2 passed the checks `gen` makes,
/// 3 generated.
pub type Depth = usize;

/// Runs `target` on one input; `Err` describes an oracle violation. Panics are caught by
/// the caller.
pub fn check(target: Target, input: &[u8], generate: bool) -> Result<Depth, String> {
    match target {
        Target::Decode => {
            let mut depth = 0;
            if let Ok(v) = serde_json::from_slice::<StarRocksReplicationConfig>(input) {
                depth = 1;
                let again: StarRocksReplicationConfig = serde_json::from_str(
                    &serde_json::to_string(&v).map_err(|e| format!("re-encoding failed: {e}"))?,
                )
                .map_err(|e| format!("a decoded value does not decode again: {e}"))?;
                if again != v {
                    return Err("decode(encode(decode(x))) != decode(x)".into());
                }
            }
            let _ = serde_json::from_slice::<ErrorResponse>(input);
            Ok(depth)
        }
        Target::Spec => {
            let Ok(spec) = xtask::model::spec::Spec::parse("fuzz.yaml", input) else {
                return Ok(0);
            };
            let _ = xtask::review::lint::lint(&spec);
            let _ = xtask::review::docs::references(&spec.root);
            let _ = xtask::model::examples::check(&spec.root);
            let mut relaxed = spec.root.clone();
            xtask::codegen::tolerant::apply(&mut relaxed);
            let changes = xtask::review::diff::diff(&spec.root, &spec.root);
            if !changes.is_empty() {
                return Err(format!("a spec differs from itself: {changes:?}"));
            }
            if spec.openapi().is_err() {
                return Ok(1);
            }
            if generate {
                let generated = xtask::codegen::generate(&spec, "fuzz.yaml");
                return Ok(if generated.is_ok() { 3 } else { 2 });
            }
            Ok(2)
        }
    }
}

/// A failing input.
#[derive(Debug, Clone)]
pub struct Crash {
    pub input: Vec<u8>,
    pub message: String,
    pub saved: Option<PathBuf>,
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub iterations: u64,
    pub elapsed: Duration,
    pub slowest: Duration,
    pub crashes: Vec<Crash>,
    /// How many inputs reached each [`Depth`].
    pub depths: [u64; 4],
}

/// Runs until `iterations` inputs or `time` have passed, whichever comes first. Failing
/// inputs are saved under `crash_dir`, if given.
pub fn run(
    target: Target,
    iterations: u64,
    time: Duration,
    seed: u64,
    crash_dir: Option<&Path>,
) -> Report {
    let corpus = corpus(target);
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut report = Report::default();
    // Bases: the seeds, and mutants that got past the parser (1) or the checks (2). Deeper
    // ones are picked more often, so that mutations compound where they reach deeper code.
    let mut pools: [Vec<Vec<u8>>; 3] = [corpus.clone(), Vec::new(), Vec::new()];
    while report.iterations < iterations && started.elapsed() < time {
        let pick = match rng.u8(..10) {
            0..=4 if !pools[2].is_empty() => 2,
            5..=6 if !pools[1].is_empty() => 1,
            _ => 0,
        };
        let base = &pools[pick][rng.usize(..pools[pick].len())];
        let input = mutate(&mut rng, base, &corpus);
        let generate = target == Target::Spec && report.iterations % 64 == 0;
        let t = Instant::now();
        let outcome = xtask::codegen::panic::catch(|| check(target, &input, generate));
        report.slowest = report.slowest.max(t.elapsed());
        report.iterations += 1;
        let message = match outcome {
            Ok(Ok(depth)) => {
                report.depths[depth.min(3)] += 1;
                let keep = match depth {
                    0 => None,
                    1 => (rng.u8(..8) == 0).then_some(1),
                    _ => Some(2),
                };
                if let Some(level) = keep {
                    let pool = &mut pools[level];
                    if pool.len() < 512 {
                        pool.push(input);
                    } else {
                        let i = rng.usize(..pool.len());
                        pool[i] = input;
                    }
                }
                continue;
            }
            Ok(Err(violation)) => violation,
            Err(panic) => format!("panic: {panic}"),
        };
        let saved = crash_dir.and_then(|dir| {
            std::fs::create_dir_all(dir).ok()?;
            let path = dir.join(format!("{target:?}-{:016x}", fastrand::u64(..)).to_lowercase());
            std::fs::write(&path, &input).ok()?;
            Some(path)
        });
        report.crashes.push(Crash {
            input,
            message,
            saved,
        });
    }
    report.elapsed = started.elapsed();
    report
}
