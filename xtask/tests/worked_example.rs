//! The worked example of README's "When the API docs change" (fixtures in
//! `tests/fixtures/worked-example/`): a revised page makes `X-Language` optional; the docs
//! comparison finds it, the spec change makes the reference match again, and `cargo xtask
//! diff` classifies the change.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::model::spec::Spec;
use xtask::review::{docs, page};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/worked-example")
            .join(name),
    )
    .unwrap()
}

/// Applies a unified diff whose hunks must each match exactly one place in `text`.
fn apply(text: &str, patch: &str) -> String {
    let mut out = text.to_string();
    let mut hunks: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for line in patch.lines() {
        if line.starts_with("@@") {
            hunks.push((Vec::new(), Vec::new()));
            continue;
        }
        let Some((old, new)) = hunks.last_mut() else {
            continue;
        };
        match line.split_at(line.len().min(1)) {
            (" ", rest) => {
                old.push(rest);
                new.push(rest);
            }
            ("-", rest) => old.push(rest),
            ("+", rest) => new.push(rest),
            _ => {}
        }
    }
    for (old, new) in hunks {
        let (old, new) = (old.join("\n") + "\n", new.join("\n") + "\n");
        assert_eq!(
            out.matches(&old).count(),
            1,
            "the hunk must match the spec once:\n{old}"
        );
        out = out.replacen(&old, &new, 1);
    }
    out
}

fn verdict(spec_root: &serde_json::Value, page_text: &str) -> page::Verdict {
    let r = &docs::references(spec_root)[0];
    let rendered: Vec<page::Table> = r.tables().cloned().collect();
    page::verdict(page_text, &rendered, &r.deviations)
}

#[test]
fn a_revised_page_leads_to_a_spec_change_and_a_verdict() {
    let current_text = std::fs::read_to_string(root().join("openapi/taurusdb.yaml")).unwrap();
    let current = Spec::parse("openapi/taurusdb.yaml", current_text.as_bytes()).unwrap();
    let revised_page = fixture("page-revised.txt");

    // 1. The docs comparison finds what changed on the page.
    let before = verdict(&current.root, &revised_page);
    let found: Vec<String> = before.unlisted.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [r#"Table 3 `X-Language` Mandatory: page has "No", spec renders "Yes""#]
    );

    // 2. The spec change makes the reference match the revised page.
    let revised_text = apply(&current_text, &fixture("spec.diff"));
    let revised = Spec::parse("revised.yaml", revised_text.as_bytes()).unwrap();
    assert!(verdict(&revised.root, &revised_page).is_clean());
    assert!(
        xtask::review::lint::lint(&revised).is_empty(),
        "the revised spec lints clean"
    );

    // 3. The diff's verdict, exactly as `cargo xtask diff` prints it.
    let dir = tempfile::tempdir().unwrap();
    let revised_path = dir.path().join("revised.yaml");
    std::fs::write(&revised_path, &revised_text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root())
        .args(["diff", "openapi/taurusdb.yaml"])
        .arg(&revised_path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), fixture("verdict.txt"));
}
