//! The real thing: Huawei's own definitions of TaurusDB's operations
//! (`openapi/vendor/corpus/`, API Explorer's records from the package
//! huawei-cloud-api-definitions-GaussDB 0.1.20260828), as a maintainer gives them to the
//! workspace, generate a client and a CLI that compile without a warning, and every
//! command's `--help` and `demo` exit 0.
//!
//! Two ways in, each tested:
//!
//! - **converted**, as a maintainer first tries it: each record re-wrapped as Swagger 2.0,
//!   converted by swagger2openapi and merged, unannotated (`tests/fixtures/corpus/`, made by
//!   its `convert.py`);
//! - **imported**: `cargo xtask import` of the package's files as they ship, into an empty
//!   spec, which must also lint clean.
//!
//! In `cargo test`: the 47 HTAP operations (tags HTAP-标准版 and HTAP-轻量版), both ways.
//! With `CORPUS=1`: all 183 operations, both ways (the conversion needs `swagger2openapi` on
//! the PATH, or `SWAGGER2OPENAPI` naming it); its last result is in BENCHMARKS.md ("The
//! corpus").

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use taurusdb_tests::fixture::{self, root};

/// What running every command of a generated CLI found.
struct Run {
    operations: usize,
    failures: Vec<String>,
}

/// Generates the workspace of `spec`, builds the client and the CLI, and runs `--help` and
/// `demo` of every operation.
fn generate_build_and_run(spec: &Path, name: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    fixture::workspace(spec, name, dir.path());
    let started = Instant::now();
    let out = fixture::cargo(
        dir.path(),
        &[
            "build",
            "--message-format",
            "short",
            "-p",
            "taurusdb",
            "-p",
            "taurusdb-cli",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name}: the crates do not build:\n{stderr}"
    );
    let warnings = fixture::own_warnings(&stderr);
    assert!(
        warnings.is_empty(),
        "{name}: the generated crates have warnings, which fail the workspace's lint gates:\n{}",
        warnings.join("\n")
    );
    eprintln!("{name}: built in {:.0?}", started.elapsed());
    // The binary is copied out: another fixture's build may overwrite target/fixtures.
    let bin = dir.path().join("taurusdb");
    std::fs::copy(fixture::target_dir().join("debug/taurusdb"), &bin).unwrap();

    let spec = xtask::model::spec::Spec::load(spec).unwrap();
    let ids: Vec<String> = xtask::model::walk::operations(&spec.root)
        .into_iter()
        .filter_map(|(_, _, _, op)| Some(op.get("operationId")?.as_str()?.to_string()))
        .collect();
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for id in &ids {
        for args in [vec![id.as_str(), "--help"], vec!["demo", id.as_str()]] {
            let (code, stdout, stderr) = run(&bin, &args, home.path());
            let ok = code == Some(0) && !stdout.is_empty() && !stderr.contains("panicked");
            if !ok {
                failures.push(format!(
                    "taurusdb {}: exit {code:?}\n{}",
                    args.join(" "),
                    stderr.lines().take(4).collect::<Vec<_>>().join("\n")
                ));
            }
        }
    }
    Run {
        operations: ids.len(),
        failures,
    }
}

/// Runs the CLI with nothing of the user's environment, killed after a minute.
fn run(bin: &Path, args: &[&str], home: &Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(bin)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clean(name: &str, run: &Run, expected: usize) {
    assert_eq!(run.operations, expected, "{name}");
    assert!(
        run.failures.is_empty(),
        "{name}: {} of {} runs failed:\n{}",
        run.failures.len(),
        run.operations * 2,
        run.failures.join("\n\n")
    );
}

/// The corpus files whose API Explorer tag is one of `tags` (all with none).
fn corpus_files(tags: &[&str]) -> Vec<PathBuf> {
    let dir = root().join("openapi/vendor/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            tags.is_empty() || {
                let record: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
                tags.iter().any(|t| record["tags"] == *t)
            }
        })
        .collect();
    files.sort();
    files
}

/// `cargo xtask import` of `files` into a new spec in `dir`, which lints clean (no error).
fn imported(files: &[PathBuf], dir: &Path) -> PathBuf {
    let spec = dir.join("imported.yaml");
    let outcome = xtask::import::import(&root(), &spec, files, false)
        .unwrap_or_else(|exit| panic!("import failed ({exit:?})"));
    let text = outcome.text.expect("operations added");
    xtask::import::write_atomically(&spec, &text).unwrap();
    let findings = xtask::review::lint::lint_file(&spec, "imported.yaml");
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == xtask::review::lint::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "the import does not lint clean:\n{}",
        errors.join("\n")
    );
    spec
}

const HTAP: [&str; 2] = ["HTAP-标准版", "HTAP-轻量版"];

#[test]
fn htap_operations_imported_lint_clean_generate_compile_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus_files(&HTAP);
    assert_eq!(files.len(), 47);
    let spec = imported(&files, dir.path());
    let run = generate_build_and_run(&spec, "imported.yaml");
    assert_clean("HTAP, imported", &run, 47);
}

/// The tags' features of a client of two tags (the HTAP operations, imported): each alone,
/// and with `builders`, compile without a warning (a client with no tag at all, which has no
/// operation, is not a configuration that must be warning-free), and an operation of the other tag is not
/// there.
#[test]
fn htap_tags_build_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let spec = imported(&corpus_files(&HTAP), dir.path());
    fixture::workspace(&spec, "imported.yaml", dir.path());
    let generated =
        std::fs::read_to_string(dir.path().join("crates/taurusdb/src/generated.rs")).unwrap();
    let lite = type_of_tag(&generated, "htap-lite")
        .expect("an operation's type under the feature of tag HTAP (Lite Edition)");
    // A crate of its own that asks for one tag (the client's dev-dependencies, the mocks,
    // turn every tag on in its tests).
    let probe = dir.path().join("probe");
    std::fs::create_dir_all(probe.join("src")).unwrap();
    std::fs::copy(dir.path().join("Cargo.lock"), probe.join("Cargo.lock")).unwrap();
    std::fs::write(
        probe.join("src/lib.rs"),
        format!(
            "pub fn the_operation_is_there() {{\n    let _: Option<taurusdb::{lite}> = None;\n}}\n"
        ),
    )
    .unwrap();
    let probe_check = |features: &str| {
        std::fs::write(
            probe.join("Cargo.toml"),
            format!("[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ntaurusdb = {{ path = \"../crates/taurusdb\", default-features = false, features = [{features}] }}\n\n[workspace]\n"),
        )
        .unwrap();
        let out = fixture::cargo(&probe, &["check", "--message-format", "short"]);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, stderr) = probe_check("\"htap-lite\"");
    assert!(ok, "the probe with its operation's tag: {stderr}");
    let (ok, stderr) = probe_check("\"htap-standard\"");
    assert!(!ok, "taurusdb::{lite} compiles without its tag's feature");
    let name = lite.split("::").nth(1).unwrap().split('<').next().unwrap();
    assert!(
        stderr.contains(name) && stderr.lines().filter(|l| l.contains(": error")).count() == 1,
        "one tag: the only error must be the other tag's operation:\n{stderr}"
    );
    let check = |flags: &[&str]| {
        let mut args = vec![
            "check",
            "--message-format",
            "short",
            "-p",
            "taurusdb",
            "--lib",
        ];
        args.extend_from_slice(flags);
        let out = fixture::cargo(dir.path(), &args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for flags in [
        &[][..],
        &["--no-default-features", "--features", "htap-standard"][..],
        &["--no-default-features", "--features", "htap-lite"][..],
        &["--features", "builders"][..],
        // progenitor's builders, with every tag and with one.
        &["--features", "raw"][..],
        &["--no-default-features", "--features", "htap-lite,raw"][..],
    ] {
        let (ok, stderr) = check(flags);
        assert!(ok, "{flags:?}: {stderr}");
        let warnings = fixture::own_warnings(&stderr);
        assert!(warnings.is_empty(), "{flags:?}: {}", warnings.join("\n"));
    }
}

/// The first type under `feature` in a top-level module of generated code that is there without
/// other features (the `requests`; progenitor's `builder` needs `raw`), as a path with its
/// lifetimes `'static`.
fn type_of_tag(generated: &str, feature: &str) -> Option<String> {
    let cfg = format!("    #[cfg(feature = \"{feature}\")]");
    let mut module = String::new();
    let mut lines = generated.lines();
    while let Some(line) = lines.next() {
        if let Some(m) = line.strip_prefix("pub mod ") {
            module = m.trim_end_matches(" {").to_string();
            continue;
        }
        // progenitor's `builder` module is behind the `raw` feature as well.
        if line != cfg || module == "builder" {
            continue;
        }
        // Past the docs and the other attributes.
        let next = lines.by_ref().find(|l| {
            let l = l.trim_start();
            !(l.starts_with("///") || l.starts_with("#["))
        })?;
        if let Some(rest) = next.strip_prefix("    pub struct ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let lifetime = if rest[name.len()..].starts_with("<'a>") {
                "<'static>"
            } else {
                ""
            };
            return Some(format!("{module}::{name}{lifetime}"));
        }
    }
    None
}

#[test]
fn htap_operations_as_converted_generate_compile_and_run() {
    let spec = root().join("tests/fixtures/corpus/swagger2openapi-htap.json");
    let run = generate_build_and_run(&spec, "tests/fixtures/corpus/swagger2openapi-htap.json");
    assert_clean("HTAP", &run, 47);
}

/// The whole corpus, converted now and imported (opt-in: `CORPUS=1`).
#[test]
fn every_operation_as_converted_generates_compiles_and_runs() {
    if std::env::var_os("CORPUS").is_none_or(|v| v != "1") {
        eprintln!(
            "skipped: set CORPUS=1 to convert and import, generate, build and run all 183 operations"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec: PathBuf = dir.path().join("swagger2openapi-all.json");
    let status = Command::new("python3")
        .arg(root().join("tests/fixtures/corpus/convert.py"))
        .arg(&spec)
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "convert.py failed: is swagger2openapi installed (npm install swagger2openapi; SWAGGER2OPENAPI=path)?"
    );
    let run = generate_build_and_run(&spec, "swagger2openapi-all.json");
    assert_clean("the corpus, converted", &run, 183);
    let spec = imported(&corpus_files(&[]), dir.path());
    let run = generate_build_and_run(&spec, "imported.yaml");
    assert_clean("the corpus, imported", &run, 183);
}
