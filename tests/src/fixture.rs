//! Workspaces generated from another spec than the product's, in the style of progenitor's
//! golden-output tests: a temporary copy of the client, httpmock and CLI crates (every
//! hand-written file as it is, so that the copy fails to build when hand-written code names
//! anything of the product spec), their generated code from the given spec, built into
//! `target/fixtures` (shared by every such test, so that dependencies build once).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is below the workspace root")
        .to_path_buf()
}

/// Where the fixture workspaces build.
pub fn target_dir() -> PathBuf {
    root().join("target/fixtures")
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

/// Writes into `dir` a workspace of the three crates with their generated code from `spec`
/// (named `spec_name` in the generated headers). Panics with the generator's diagnostic if
/// `gen` refuses the spec.
pub fn workspace(spec: &Path, spec_name: &str, dir: &Path) {
    let root = root();
    for krate in ["taurusdb", "taurusdb-httpmock", "taurusdb-cli"] {
        for file in tracked(&format!("crates/{krate}")) {
            let rel = file.strip_prefix(&format!("crates/{krate}/")).unwrap();
            // Generated code comes from the spec; examples and tests are the product's.
            if rel == "src/generated.rs"
                || rel.starts_with("tests/")
                || rel.starts_with("examples/")
            {
                continue;
            }
            copy(&root.join(&file), &dir.join(&file));
        }
    }
    // Examples are the product's (not copied): their manifest entries go too.
    for krate in ["taurusdb", "taurusdb-httpmock"] {
        let manifest = dir.join(format!("crates/{krate}/Cargo.toml"));
        let text = std::fs::read_to_string(&manifest).unwrap();
        let text = text.split("[[example]]").next().unwrap().to_string();
        std::fs::write(&manifest, text).unwrap();
    }
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

    let spec = xtask::model::spec::Spec::load(spec).unwrap_or_else(|d| panic!("{d}"));
    let outputs =
        xtask::codegen::generate_in(dir, &spec, spec_name).unwrap_or_else(|d| panic!("{d}"));
    xtask::workspace::write(dir, &outputs).unwrap();
}

/// `cargo <args>` in the fixture workspace `dir`, offline, into [`target_dir`].
pub fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// The warnings rustc gave for the fixture's own crates in cargo's `--message-format short`
/// output (the workspace's lint gates fail on any).
pub fn own_warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("crates/") && l.contains(": warning"))
        .collect()
}
