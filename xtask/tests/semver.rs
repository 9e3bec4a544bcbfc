//! `cargo xtask diff`'s bump against cargo-semver-checks' verdict on the generated crate, for
//! every pair of specs in the corpus (`tests/fixtures/semver/<case>/{old,new}.yaml`, verdicts
//! recorded beside each pair in `semver-checks.txt` by `cargo xtask semver-corpus`).
//!
//! The diff's bump is never lower than the recorded one, and equal to it except where
//! cargo-semver-checks cannot see the change: those cases are listed below with the reason,
//! and for them the diff must say more (else the entry is stale).

use std::path::{Path, PathBuf};

use xtask::model::spec::Spec;
use xtask::review::diff::{Bump, Version, attribute, bump, diff};
use xtask::review::semver::{CORPUS, cases, generate_crate, recorded};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Cases where the diff asks for more than cargo-semver-checks, and why it cannot see them.
const BLIND: &[(&str, &str)] = &[
    (
        "response-property-type-changed",
        "a field's type changes (Option<bool> to Option<String>): no lint compares field types",
    ),
    (
        "request-constraint-tightened",
        "values that were accepted are refused at run time: function bodies are not compared",
    ),
    (
        "request-constraint-loosened",
        "values that were refused are accepted at run time: a behaviour change, not an API one",
    ),
    (
        "request-enum-value-added",
        "a variant of a non_exhaustive enum: cargo-semver-checks has no lint for it",
    ),
    (
        "response-enum-value-added",
        "a variant of a non_exhaustive enum: cargo-semver-checks has no lint for it",
    ),
    (
        "header-parameter-became-optional",
        "send() no longer refuses a request without it: a behaviour change, not an API one",
    ),
    (
        "response-code-added",
        "a status is decoded as documented: the change is inside send()",
    ),
    (
        "alias-added",
        "a serde alias: decoding accepts another name, which rustdoc does not show",
    ),
    (
        "region-added",
        "the server table is pub(crate): `.region(..)` accepts another value at run time",
    ),
];

#[test]
fn the_diffs_bump_matches_cargo_semver_checks() {
    let root = root();
    let all = cases(&root);
    assert!(all.len() >= 15, "the corpus has at least 15 pairs: {all:?}");
    for (case, _) in BLIND {
        assert!(all.iter().any(|c| c == case), "{case}: no such case");
    }
    let mut table = Vec::new();
    for case in &all {
        let dir = root.join(CORPUS).join(case);
        let load = |w: &str| {
            Spec::load(&dir.join(format!("{w}.yaml"))).unwrap_or_else(|d| panic!("{case}: {d}"))
        };
        let (old, new) = (load("old"), load("new"));
        let mut changes = diff(&old.root, &new.root);
        attribute(&mut changes, &old, &new);
        let ours = bump(&changes);
        let record = recorded(&dir).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(
            record
                .command
                .starts_with("cargo semver-checks check-release --baseline-root OLD"),
            "{case}: the record names the command: {record:?}"
        );
        assert!(
            ours >= record.verdict,
            "{case}: the diff says {ours}, lower than cargo-semver-checks' {}: {changes:#?}",
            record.verdict
        );
        match BLIND.iter().find(|(c, _)| c == case) {
            Some((_, why)) => assert!(
                ours > record.verdict,
                "{case}: listed as invisible to cargo-semver-checks ({why}), but both say {ours}"
            ),
            None => assert_eq!(
                ours, record.verdict,
                "{case}: cargo-semver-checks sees this change ({:?}) and says {}",
                record.lints, record.verdict
            ),
        }
        table.push((case.clone(), record.verdict, ours));
    }
    // The "done when": an added optional property or enum value passes
    // `--release-type minor` and the diff says minor, 0.1.3 -> 0.1.4; a removed property
    // fails it and the diff says major.
    let find = |c: &str| table.iter().find(|(n, ..)| n == c).unwrap().clone();
    let (_, tool, ours) = find("response-property-added-optional");
    assert_eq!((tool, ours), (Bump::Minor, Bump::Minor));
    assert_eq!(Version(0, 1, 3).next(ours).to_string(), "0.1.4");
    let (_, tool, ours) = find("response-enum-value-added");
    assert!(tool <= Bump::Minor && ours == Bump::Minor);
    let (_, tool, ours) = find("response-property-removed");
    assert_eq!((tool, ours), (Bump::Major, Bump::Major));
    assert_eq!(Version(0, 1, 3).next(ours).to_string(), "0.2.0");
}

#[test]
fn each_pair_differs_by_its_change_only() {
    let root = root();
    for case in cases(&root) {
        let dir = root.join(CORPUS).join(&case);
        let load = |w: &str| Spec::load(&dir.join(format!("{w}.yaml"))).unwrap();
        let changes = diff(&load("old").root, &load("new").root);
        assert!(!changes.is_empty(), "{case}: the pair differs");
        assert!(
            changes.len() <= 2,
            "{case}: one change (two for an operation and its schema): {changes:#?}"
        );
    }
}

#[test]
fn the_crate_for_a_spec_is_the_client_with_that_specs_generated_code() {
    let root = root();
    let spec = Spec::load(
        &root
            .join(CORPUS)
            .join("response-property-added-optional/new.yaml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = generate_crate(&root, &spec, dir.path()).unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let generated = read(&dir.path().join("taurusdb/src/generated.rs"));
    assert!(
        generated.contains("pub region_name:"),
        "the new spec's field"
    );
    for file in ["lib.rs", "open_enum.rs"] {
        assert_eq!(
            read(&dir.path().join("taurusdb/src").join(file)),
            read(&root.join("crates/taurusdb/src").join(file)),
            "{file}: the hand-written layer, copied as it is"
        );
    }
    let m = read(&manifest);
    assert!(m.contains("name = \"taurusdb\""));
    assert!(!m.contains("[dev-dependencies]") && !m.contains("[[example]]"));
    assert!(m.contains("inherent_method_added = \"deny\""));
    let ws = read(&dir.path().join("Cargo.toml"));
    assert!(ws.contains("members = [\"taurusdb\"]") && ws.contains("[workspace.dependencies]"));
    assert!(dir.path().join("Cargo.lock").exists());
}
