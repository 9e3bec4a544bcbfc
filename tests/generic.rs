//! The generic path, guarded by a spec other than the product's, in the style of
//! progenitor's golden-output tests: `tests/fixtures/generic/spec.yaml` (three operations:
//! different response schemas, optional query parameters with defaults and bounds, an
//! enumeration, a required header, a POST with a JSON body) is generated with `cargo xtask
//! gen` into a temporary copy of the client, httpmock and CLI crates, which is compiled and
//! tested against servers on 127.0.0.1 (`client.rs` and `cli.rs` beside the spec).
//!
//! The copies take every hand-written file of the three crates as it is, so this test fails
//! when hand-written code names anything of the product spec. It builds into
//! `target/generic-fixture`, so that only the three crates are rebuilt on a second run.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is below the workspace root")
        .to_path_buf()
}

/// The files git tracks under `dir` (relative to the workspace root).
fn tracked(dir: &str) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "--", dir])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git ls-files {dir}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

/// A workspace with the three crates, their generated code from `spec`, and the fixture's
/// tests as integration tests of the client and the CLI.
fn workspace(spec: &Path, dir: &Path) {
    let root = root();
    for krate in ["taurusdb", "taurusdb-httpmock", "taurusdb-cli"] {
        for file in tracked(&format!("crates/{krate}")) {
            let rel = file.strip_prefix(&format!("crates/{krate}/")).unwrap();
            // Generated code comes from the fixture; examples and tests are the product's.
            if rel == "src/generated.rs"
                || rel.starts_with("tests/")
                || rel.starts_with("examples/")
            {
                continue;
            }
            copy(&root.join(&file), &dir.join(&file));
        }
    }
    let manifest = dir.join("crates/taurusdb/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.split("[[example]]").next().unwrap().to_string();
    std::fs::write(&manifest, text).unwrap();
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members =
        "members = [\"crates/taurusdb\", \"crates/taurusdb-httpmock\", \"crates/taurusdb-cli\"]";
    let workspace: String = workspace
        .lines()
        .map(|l| if l.starts_with("members") { members } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("Cargo.toml"), workspace + "\n").unwrap();
    copy(&root.join("Cargo.lock"), &dir.join("Cargo.lock"));
    copy(&root.join("README.md"), &dir.join("README.md"));
    let fixture = root.join("tests/fixtures/generic");
    copy(
        &fixture.join("client.rs"),
        &dir.join("crates/taurusdb/tests/generic.rs"),
    );
    copy(
        &fixture.join("cli.rs"),
        &dir.join("crates/taurusdb-cli/tests/generic.rs"),
    );

    let spec = xtask::model::spec::Spec::load(spec).unwrap_or_else(|d| panic!("{d}"));
    let outputs = xtask::codegen::generate(&spec, "tests/fixtures/generic/spec.yaml")
        .unwrap_or_else(|d| panic!("{d}"));
    xtask::workspace::write(dir, &outputs).unwrap();
}

#[test]
fn a_spec_with_other_operations_gets_the_same_client_and_cli() {
    let root = root();
    let dir = tempfile::tempdir().unwrap();
    workspace(&root.join("tests/fixtures/generic/spec.yaml"), dir.path());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args([
            "test",
            "--offline",
            "--quiet",
            "-p",
            "taurusdb",
            "-p",
            "taurusdb-cli",
            "--test",
            "generic",
        ])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", root.join("target/generic-fixture"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the fixture's crates failed to build or their tests failed:\n{stdout}\n{stderr}"
    );
    // Both test binaries ran, and ran tests.
    let passed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("test result: ok."))
        .collect();
    assert_eq!(passed.len(), 2, "{stdout}");
    assert!(passed.iter().all(|l| !l.contains(" 0 passed")), "{stdout}");
}
