//! `cargo xtask lint`: a fixture per rule that triggers it, a clean spec that triggers nothing,
//! and the output a user (or a machine) reads.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::review::lint::{RULES, lint_file};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture that triggers `rule`: `lint/<rule>.yaml`, or one of the bad specs.
fn fixture_for(rule: &str) -> PathBuf {
    let bad = match rule {
        "yaml-syntax" => "syntax-error",
        "oas-version" => "openapi-3.1",
        "oas3-schema" => "invalid-document",
        "invalid-ref" => "dangling-ref",
        "operation-operationId" => "missing-operation-id",
        "operation-operationId-unique" => "duplicate-operation-id",
        "path-params" => "path-parameter-not-in-path",
        "error-responses-one-schema" => "conflicting-error-schemas",
        "json-media-type" => "unsupported-media-type",
        "no-recursive-required" => "recursive-schema",
        _ => return fixtures().join("lint").join(format!("{rule}.yaml")),
    };
    fixtures().join("bad").join(format!("{bad}.yaml"))
}

/// Every finding, of every fixture (good and bad specs alike), names a rule of `RULES`.
#[test]
fn every_rule_emitted_is_listed() {
    let mut specs: Vec<PathBuf> = ["lint", "bad"]
        .iter()
        .flat_map(|d| xtask::review::lint::specs_under(&fixtures().join(d)))
        .collect();
    specs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/taurusdb.yaml"));
    let mut seen = 0;
    for path in &specs {
        for f in lint_file(path, "fixture.yaml") {
            assert!(
                RULES
                    .iter()
                    .any(|(id, severity, _)| *id == f.rule && *severity == f.severity),
                "{}: rule `{}` is not listed in RULES (with severity {})",
                path.display(),
                f.rule,
                f.severity
            );
            seen += 1;
        }
    }
    assert!(seen > RULES.len(), "the fixtures trigger findings ({seen})");
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    for (rule, severity, _) in RULES {
        let path = fixture_for(rule);
        let findings = lint_file(&path, "fixture.yaml");
        let hit = findings.iter().find(|f| f.rule == *rule);
        let hit = hit
            .unwrap_or_else(|| panic!("{} does not trigger {rule}: {findings:#?}", path.display()));
        assert_eq!(hit.severity, *severity, "{rule}");
        assert!(
            hit.line > 1 || matches!(*rule, "yaml-syntax" | "oas-version" | "oas3-api-servers"),
            "{hit}"
        );
    }
}

#[test]
fn a_clean_spec_triggers_nothing() {
    assert_eq!(
        lint_file(&fixtures().join("base.yaml"), "base.yaml"),
        vec![]
    );
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/taurusdb.yaml");
    let findings = lint_file(&spec, "openapi/taurusdb.yaml");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn findings_point_into_the_yaml() {
    let f = lint_file(&fixture_for("response-enum-open"), "x.yaml");
    let hit = f.iter().find(|f| f.rule == "response-enum-open").unwrap();
    assert_eq!((hit.line, hit.column), (54, 11), "{hit}");
    assert_eq!(
        hit.pointer,
        "/components/schemas/Thing/properties/name/x-open-enum"
    );
    let f = lint_file(&fixture_for("operation-tag-defined"), "x.yaml");
    let hit = f
        .iter()
        .find(|f| f.rule == "operation-tag-defined")
        .unwrap();
    assert_eq!(
        hit.to_string(),
        "x.yaml:21:22: warning[operation-tag-defined]: tag `widgets` is not defined in the global tags"
    );
}

/// What a foreign definition contradicts in itself is a warning, with what the generated
/// types make of it: `gen` goes through.
#[test]
fn contradictions_that_gen_resolves_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(fixtures().join("base.yaml"))
        .unwrap()
        .replace(
            "      description: A thing.\n",
            "      description: A thing.\n      required: ['name ']\n",
        )
        .replace(
            "        name:\n          type: string\n          description: Its name.\n",
            "        name:\n          type: string\n          description: Its name.\n          enum: [true, 'x']\n",
        );
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, spec).unwrap();
    let findings = lint_file(&path, "s.yaml");
    let messages: Vec<(String, &str, String)> = findings
        .iter()
        .filter(|f| matches!(f.rule, "required-properties-defined" | "typed-enum"))
        .map(|f| (f.severity.to_string(), f.rule, f.message.clone()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "warning".to_string(),
                "required-properties-defined",
                "required property `name ` is not defined (the property is `name`): the generated types ignore it".to_string()
            ),
            (
                "warning".to_string(),
                "typed-enum",
                "enum value true is not of type string: the generated types take it as \"true\"".to_string()
            ),
        ],
        "{findings:#?}"
    );
}

fn run(args: &[&str], root: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn output_like_a_compiler_with_a_summary_and_an_exit_code() {
    let root = tempfile::tempdir().unwrap();
    let warn = fixture_for("operation-summary");
    let (code, out) = run(&[warn.to_str().unwrap()], root.path());
    assert_eq!(code, 0, "warnings alone do not fail: {out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0]
            .ends_with(": warning[operation-summary]: operation GET /things/{id} has no summary"),
        "{out}"
    );
    assert_eq!(
        *lines.last().unwrap(),
        "lint: 0 errors, 1 warning in 1 file"
    );

    let err = fixture_for("path-params");
    let (code, out) = run(
        &[err.to_str().unwrap(), warn.to_str().unwrap()],
        root.path(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.ends_with("lint: 1 error, 1 warning in 2 files\n"),
        "{out}"
    );

    let (code, out) = run(&["--format", "json", err.to_str().unwrap()], root.path());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["errors"], 1);
    assert_eq!(json["findings"][0]["rule"], "path-params");
    assert_eq!(json["findings"][0]["severity"], "error");
    assert!(json["findings"][0]["line"].as_u64().unwrap() > 1);
}

#[test]
fn without_arguments_every_spec_under_openapi_is_linted() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("openapi")).unwrap();
    std::fs::copy(
        fixtures().join("base.yaml"),
        root.path().join("openapi/a.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixture_for("operation-tags"),
        root.path().join("openapi/b.yml"),
    )
    .unwrap();
    std::fs::write(root.path().join("openapi/notes.txt"), "not a spec").unwrap();
    let (code, out) = run(&[], root.path());
    assert_eq!(code, 0);
    assert!(
        out.starts_with("openapi/b.yml:"),
        "paths are shown relative to the root: {out}"
    );
    assert!(
        out.ends_with("lint: 0 errors, 1 warning in 2 files\n"),
        "{out}"
    );
}
