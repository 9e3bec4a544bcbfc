//! `cargo xtask semver-corpus [--check] [CASE ...]`: what cargo-semver-checks says of each
//! pair of specs in the corpus (`xtask/tests/fixtures/semver/<case>/{old,new}.yaml`).
//!
//! For each pair it builds the client crate twice, from the old and from the new spec, in
//! temporary directories: a copy of `crates/taurusdb` (its `Cargo.toml`, `README.md` and
//! `src/`, as they are when the command runs) whose `src/generated.rs` is what
//! [`crate::codegen::generate`] makes of that spec, in a workspace of its own that takes the
//! root's `[workspace.package]`, `[workspace.dependencies]` and `Cargo.lock`. The hand-written
//! layer is generic over operations, so any variation of `openapi/taurusdb.yaml` builds, and
//! what is checked is the crate as it ships, not a stand-in. Then it runs
//!
//! ```text
//! cargo semver-checks check-release --baseline-root OLD --manifest-path NEW/Cargo.toml \
//!     -p taurusdb --release-type patch
//! ```
//!
//! with cargo-semver-checks' lints for additions (`inherent_method_added`,
//! `pub_const_added`, ..., "allow" by default) raised to "deny" in both manifests, so that
//! the smallest release that passes is what the tool requires: `patch` when nothing fails,
//! else `minor` or `major` as its summary says. The verdict, the failing lints and the
//! command are written to `<case>/semver-checks.txt`; `--check` writes nothing and fails
//! when a verdict differs from the recorded one.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::model::spec::Spec;
use crate::review::diff::Bump;
use crate::workspace::Exit;

/// The corpus, relative to the workspace root.
pub const CORPUS: &str = "xtask/tests/fixtures/semver";
/// The record beside each pair.
pub const RECORD: &str = "semver-checks.txt";
/// The client crate that is copied, relative to the workspace root.
pub const CLIENT_CRATE: &str = "crates/taurusdb";

/// cargo-semver-checks' lints that ask for a minor release (additions), all "allow" by
/// default in 0.51; raised to "deny" so that an addition shows as `minor`.
pub const ADDITION_LINTS: &[&str] = &[
    "inherent_method_added",
    "inherent_associated_pub_const_added",
    "pub_const_added",
    "pub_static_added",
    "exhaustive_struct_added",
    "exhaustive_struct_with_private_fields_added",
    "exhaustive_struct_with_doc_hidden_fields_added",
    "non_exhaustive_struct_added",
    "exhaustive_enum_added",
    "non_exhaustive_enum_added",
    "union_added",
    "enum_non_exhaustive_struct_variant_field_added",
    "enum_non_exhaustive_tuple_variant_field_added",
];

/// `cargo xtask semver-corpus`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Write nothing; fail when cargo-semver-checks' verdict on a pair differs from the
    /// recorded one.
    #[arg(long)]
    pub check: bool,
    /// Only these cases (directory names under xtask/tests/fixtures/semver).
    pub cases: Vec<String>,
}

/// What cargo-semver-checks said of one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The smallest release type that passes.
    pub verdict: Bump,
    /// The lints that failed at `--release-type patch`.
    pub lints: Vec<String>,
    /// Its summary line.
    pub summary: String,
    pub tool: String,
    pub command: String,
}

impl Record {
    pub fn render(&self) -> String {
        format!(
            "verdict: {}\nlints: {}\nsummary: {}\ntool: {}\ncommand: {}\n\
             where: OLD and NEW are crates/taurusdb with src/generated.rs generated from old.yaml \
             and new.yaml, and the lints for additions denied (`cargo xtask semver-corpus`)\n",
            self.verdict,
            if self.lints.is_empty() {
                "none".to_string()
            } else {
                self.lints.join(", ")
            },
            self.summary,
            self.tool,
            self.command
        )
    }

    pub fn parse(text: &str) -> Result<Record, String> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}: ")))
                .map(str::to_string)
                .ok_or_else(|| format!("no `{key}:` line"))
        };
        let lints = field("lints")?;
        Ok(Record {
            verdict: field("verdict")?.parse()?,
            lints: if lints == "none" {
                Vec::new()
            } else {
                lints.split(", ").map(str::to_string).collect()
            },
            summary: field("summary")?,
            tool: field("tool")?,
            command: field("command")?,
        })
    }
}

/// The recorded verdict of a corpus case.
pub fn recorded(case_dir: &Path) -> Result<Record, String> {
    let path = case_dir.join(RECORD);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Record::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The verdict in cargo-semver-checks' output (run with `--release-type patch`).
pub fn verdict_of(output: &str) -> Result<(Bump, Vec<String>, String), String> {
    let mut lints: Vec<String> = output
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    lints.sort();
    lints.dedup();
    for line in output.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("Summary ") else {
            continue;
        };
        let bump = if rest.starts_with("semver requires new major version") {
            Bump::Major
        } else if rest.starts_with("semver requires new minor version") {
            Bump::Minor
        } else if rest.starts_with("no semver update required") {
            Bump::Patch
        } else {
            continue;
        };
        let summary = rest
            .split(" (")
            .next()
            .unwrap_or(rest)
            .split(", ")
            .next()
            .unwrap_or(rest)
            .trim()
            .to_string();
        return Ok((bump, lints, summary));
    }
    Err(format!(
        "cargo-semver-checks gave no verdict:\n{}",
        output.trim()
    ))
}

/// The `[table]` of a TOML file, verbatim (up to the next table header).
fn table(toml: &str, name: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in toml.lines() {
        if line.trim_start().starts_with('[') {
            inside = line.trim() == format!("[{name}]");
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The client crate's manifest without what the copy has no use for (dev-dependencies on
/// other workspace members, examples), with the lints for additions denied.
fn client_manifest(text: &str) -> String {
    let mut out = String::new();
    let mut keep = true;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            keep = !(t == "[dev-dependencies]"
                || t == "[[example]]"
                || t == "[[test]]"
                || t == "[[bench]]");
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("\n[package.metadata.cargo-semver-checks.lints]\n");
    for lint in ADDITION_LINTS {
        out.push_str(&format!("{lint} = \"deny\"\n"));
    }
    out
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes, under `dir`, a workspace holding the client crate generated from `spec`: the
/// hand-written files of `root`'s `crates/taurusdb` as they are now, and the spec's
/// generated code. Returns the crate's manifest path.
pub fn generate_crate(root: &Path, spec: &Spec, dir: &Path) -> Result<PathBuf, String> {
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    let outputs = crate::codegen::generate_in(root, spec, &spec.file).map_err(|d| d.to_string())?;
    let generated = outputs
        .iter()
        .find(|o| o.path == crate::codegen::CLIENT)
        .ok_or("the generator made no client")?;
    let ws = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| io("Cargo.toml", e))?;
    let deps: String = table(&ws, "workspace.dependencies")
        .lines()
        .filter(|l| !l.contains("path ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\"taurusdb\"]\n\n{}\n{deps}",
        table(&ws, "workspace.package")
    );
    std::fs::create_dir_all(dir).map_err(|e| io("temporary directory", e))?;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| io("Cargo.toml", e))?;
    if root.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .map_err(|e| io("Cargo.lock", e))?;
    }
    let from = root.join(CLIENT_CRATE);
    let to = dir.join("taurusdb");
    copy_dir(&from.join("src"), &to.join("src")).map_err(|e| io("src", e))?;
    if from.join("README.md").exists() {
        std::fs::copy(from.join("README.md"), to.join("README.md"))
            .map_err(|e| io("README.md", e))?;
    }
    // The manifest with this spec's tag features, as `gen` writes it.
    let client = match outputs.iter().find(|o| o.path == crate::codegen::MANIFEST) {
        Some(m) => m.contents.clone(),
        None => std::fs::read_to_string(from.join("Cargo.toml"))
            .map_err(|e| io("crates/taurusdb/Cargo.toml", e))?,
    };
    std::fs::write(to.join("Cargo.toml"), client_manifest(&client))
        .map_err(|e| io("Cargo.toml", e))?;
    std::fs::write(to.join("src/generated.rs"), &generated.contents)
        .map_err(|e| io("generated.rs", e))?;
    Ok(to.join("Cargo.toml"))
}

/// The command line that records a verdict, as written in the record.
pub const COMMAND: &str = "cargo semver-checks check-release --baseline-root OLD --manifest-path NEW/Cargo.toml -p taurusdb --release-type patch";

/// Runs cargo-semver-checks on one pair of specs.
pub fn check_pair(root: &Path, old: &Spec, new: &Spec) -> Result<Record, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let (old_dir, new_dir) = (tmp.path().join("old"), tmp.path().join("new"));
    generate_crate(root, old, &old_dir).map_err(|e| format!("old spec: {e}"))?;
    let manifest = generate_crate(root, new, &new_dir).map_err(|e| format!("new spec: {e}"))?;
    let tool = Command::new("cargo")
        .args(["semver-checks", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .ok_or(
            "cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked`",
        )?;
    let out = Command::new("cargo")
        .args(["semver-checks", "check-release", "--baseline-root"])
        .arg(&old_dir)
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", "taurusdb", "--release-type", "patch"])
        .env("CARGO_TARGET_DIR", target_dir(root))
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (verdict, lints, summary) = verdict_of(&text)?;
    if out.status.success() != (verdict == Bump::Patch) {
        return Err(format!(
            "cargo-semver-checks exited with {} but said {summary:?}:\n{text}",
            out.status
        ));
    }
    Ok(Record {
        verdict,
        lints,
        summary,
        tool,
        command: COMMAND.to_string(),
    })
}

/// Where cargo-semver-checks builds: `semver-corpus` under the target directory, so that
/// the dependencies are built once for every pair.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("semver-corpus")
}

/// The cases of the corpus, sorted.
pub fn cases(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join(CORPUS))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("old.yaml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The command.
pub fn run(root: &Path, args: &Args) -> Exit {
    let all = cases(root);
    let chosen: Vec<String> = if args.cases.is_empty() {
        all.clone()
    } else {
        args.cases.clone()
    };
    let mut failed = false;
    for case in &chosen {
        if !all.contains(case) {
            eprintln!("error: no case `{case}` under {CORPUS}");
            return Exit::Usage;
        }
        let dir = root.join(CORPUS).join(case);
        let load = |w: &str| Spec::load(&dir.join(format!("{w}.yaml"))).map_err(|d| d.to_string());
        let result = load("old")
            .and_then(|o| load("new").map(|n| (o, n)))
            .and_then(|(o, n)| {
                let start = std::time::Instant::now();
                check_pair(root, &o, &n).map(|r| (r, start.elapsed()))
            });
        let (record, took) = match result {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {case}: {e}");
                failed = true;
                continue;
            }
        };
        let before = recorded(&dir).ok();
        let same =
            before.as_ref().map(|b| (b.verdict, &b.lints)) == Some((record.verdict, &record.lints));
        println!(
            "{case:<40} {:<6} {} ({:.0} s){}",
            record.verdict.to_string(),
            if record.lints.is_empty() {
                "-".to_string()
            } else {
                record.lints.join(", ")
            },
            took.as_secs_f64(),
            if same {
                ""
            } else {
                "  (differs from the record)"
            }
        );
        if args.check {
            failed |= !same;
        } else if let Err(e) = std::fs::write(dir.join(RECORD), record.render()) {
            eprintln!("error: {case}: cannot write {RECORD}: {e}");
            failed = true;
        }
    }
    Exit::failure_if(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_from_the_tools_output() {
        let major = "     Checked [   0.010s] 263 checks: 261 pass, 2 fail, 0 warn, 0 skip\n\n--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---\n\nDescription:\n...\n--- failure inherent_method_missing: pub method removed or renamed ---\n     Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        let (bump, lints, summary) = verdict_of(major).unwrap();
        assert_eq!(bump, Bump::Major);
        assert_eq!(
            lints,
            ["inherent_method_missing", "struct_pub_field_missing"]
        );
        assert_eq!(
            summary,
            "semver requires new major version: 2 major and 0 minor checks failed"
        );
        let minor = "--- failure inherent_method_added: pub method added ---\n     Summary semver requires new minor version: 0 major and 1 minor checks failed\n";
        assert_eq!(verdict_of(minor).unwrap().0, Bump::Minor);
        let none = "     Summary no semver update required\n    Finished [   1.2s] taurusdb\n";
        assert_eq!(verdict_of(none).unwrap().0, Bump::Patch);
        assert!(verdict_of("error: failed to build rustdoc").is_err());
    }

    #[test]
    fn records_round_trip() {
        let r = Record {
            verdict: Bump::Minor,
            lints: vec!["inherent_method_added".into()],
            summary: "semver requires new minor version: 0 major and 1 minor checks failed".into(),
            tool: "cargo-semver-checks 0.51.0".into(),
            command: COMMAND.into(),
        };
        assert_eq!(Record::parse(&r.render()).unwrap(), r);
    }

    #[test]
    fn the_copy_drops_dev_dependencies_and_denies_addition_lints() {
        let m = client_manifest(
            "[package]\nname = \"taurusdb\"\n\n[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nx = { path = \"../x\" }\n\n[[example]]\nname = \"quickstart\"\n",
        );
        assert!(m.contains("serde = \"1\"") && !m.contains("../x") && !m.contains("quickstart"));
        assert!(m.contains(
            "[package.metadata.cargo-semver-checks.lints]\ninherent_method_added = \"deny\"\n"
        ));
    }
}
