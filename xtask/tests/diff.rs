//! `cargo xtask diff`: a pair of fixture specs per change class with the expected
//! classification, the generated items each change touches, and the command's output.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::model::spec::Spec;
use xtask::review::diff::{Bump, Class, attribute, bump, diff};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn load(case: &str, which: &str) -> Spec {
    Spec::load(&dir().join(case).join(format!("{which}.yaml"))).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn each_change_class_is_classified() {
    use Class::*;
    // (case, class, message starts with, a generated item it touches or "", the bump the
    // whole diff calls for)
    let cases: &[(&str, Class, &str, &str, Bump)] = &[
        (
            "operation-removed",
            Breaking,
            "operation `GetThing` (GET /things/{id}) removed",
            "Client::get_thing",
            Bump::Major,
        ),
        (
            "operation-added",
            Info,
            "operation `Health` (GET /health) added",
            "builder::Health",
            Bump::Minor,
        ),
        (
            "path-changed",
            Breaking,
            "operation `GetThing` moved from GET /things/{id} to GET /items/{id}",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "parameter-added-required",
            Breaking,
            "required parameter `lang` (query) added",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "parameter-added-optional",
            Info,
            "optional parameter `lang` (query) added",
            "builder::GetThing",
            Bump::Minor,
        ),
        (
            "parameter-became-required",
            Breaking,
            "parameter `lang` of `GetThing` became required",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "parameter-became-optional",
            Info,
            "parameter `lang` of `GetThing` became optional",
            "builder::GetThing",
            Bump::Minor,
        ),
        (
            "parameter-removed",
            Breaking,
            "parameter `lang` (query) of `GetThing` removed",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "parameter-type-changed",
            Breaking,
            "type of parameter `id` of `GetThing` changed from string to integer",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "parameter-location-changed",
            Breaking,
            "parameter `lang` of `GetThing` moved from query to header",
            "builder::GetThing",
            Bump::Major,
        ),
        (
            "request-enum-value-removed",
            Breaking,
            "value `zh` removed from parameter `lang`",
            "types::GetThingLang",
            Bump::Major,
        ),
        (
            "request-enum-value-added",
            Info,
            "value `fr` added to parameter `lang`",
            "types::GetThingLang",
            Bump::Minor,
        ),
        (
            "request-constraint-tightened",
            Breaking,
            "maxLength of parameter `lang` of `GetThing` changed from 10 to 5: tightened",
            "",
            Bump::Major,
        ),
        (
            "request-constraint-loosened",
            Info,
            "maxLength of parameter `lang` of `GetThing` changed from 10 to 20: loosened",
            "",
            Bump::Minor,
        ),
        (
            "request-pattern-added",
            Breaking,
            "pattern of parameter `lang` of `GetThing` changed from none to ^[a-z]+$",
            "",
            Bump::Major,
        ),
        (
            "response-property-removed",
            Breaking,
            "property `state` of schema `Thing` removed",
            "types::Thing",
            Bump::Major,
        ),
        (
            "response-property-renamed",
            Breaking,
            "property `name` of schema `Thing` renamed to `title`",
            "types::Thing",
            Bump::Major,
        ),
        (
            "response-property-type-changed",
            Breaking,
            "type of `name` of schema `Thing` changed from string to integer",
            "types::Thing",
            Bump::Major,
        ),
        (
            "response-property-became-required",
            Info,
            "`name` of schema `Thing` became required; no change to generated code",
            "",
            Bump::Patch,
        ),
        (
            "response-property-became-optional",
            Info,
            "`name` of schema `Thing` became optional; no change to generated code",
            "",
            Bump::Patch,
        ),
        (
            "response-enum-value-added-open",
            Info,
            "value `broken` added to `state` of schema `Thing`: an open enum",
            "types::ThingState",
            Bump::Minor,
        ),
        (
            "response-enum-value-added-closed",
            Breaking,
            "value `broken` added to `state` of schema `Thing`: a closed enum",
            "types::ThingState",
            Bump::Major,
        ),
        (
            "response-constraint-tightened",
            Info,
            "maxLength of `name` of schema `Thing` changed from none to 5: documentation only",
            "",
            Bump::Patch,
        ),
        (
            "security-scheme-removed",
            Breaking,
            "security scheme `token` removed",
            "",
            Bump::Major,
        ),
        (
            "security-changed",
            Warning,
            "the security requirements changed",
            "",
            Bump::Minor,
        ),
        (
            "server-changed",
            Warning,
            "server `https://api.example.com` removed",
            "SERVERS",
            Bump::Minor,
        ),
        (
            "region-removed",
            Breaking,
            "region `us-1` removed",
            "SERVERS",
            Bump::Major,
        ),
    ];
    let covered: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        covered.len(),
        cases.len() + 1,
        "every fixture pair is checked (and no-change)"
    );
    for (case, class, message, touches, expected) in cases {
        let (old, new) = (load(case, "old"), load(case, "new"));
        let mut changes = diff(&old.root, &new.root);
        attribute(&mut changes, &old, &new);
        let hit = changes
            .iter()
            .find(|c| c.message.starts_with(message))
            .unwrap_or_else(|| {
                panic!("{case}: no change starting with {message:?} in {changes:#?}")
            });
        assert_eq!(hit.class, *class, "{case}: {hit}");
        assert!(!hit.pointer.is_empty(), "{case}");
        if !touches.is_empty() {
            assert!(hit.touches.iter().any(|t| t == touches), "{case}: {hit}");
        }
        let worst = changes.iter().map(|c| c.class).min().unwrap();
        assert_eq!(
            worst, *class,
            "{case}: nothing worse than the change itself: {changes:#?}"
        );
        assert_eq!(bump(&changes), *expected, "{case}: {changes:#?}");
        assert!(
            changes.iter().all(|c| !c.effect.is_empty()),
            "{case}: every change says what it does to code: {changes:#?}"
        );
    }
    let same = load("no-change", "old");
    assert_eq!(diff(&same.root, &load("no-change", "new").root), vec![]);
    assert_eq!(bump(&[]), Bump::None);
}

fn xtask(args: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(&root)
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pair(case: &str) -> (String, String) {
    let p = |w: &str| {
        dir()
            .join(case)
            .join(format!("{w}.yaml"))
            .display()
            .to_string()
    };
    (p("old"), p("new"))
}

#[test]
fn fail_on_sets_the_exit_code() {
    let (old, new) = pair("security-changed");
    assert_eq!(xtask(&[&old, &new]).0, 0, "reporting alone does not fail");
    assert_eq!(
        xtask(&[&old, &new, "--fail-on", "breaking"]).0,
        0,
        "a warning is not breaking"
    );
    assert_eq!(xtask(&[&old, &new, "--fail-on", "warning"]).0, 1);
    let (old, new) = pair("request-enum-value-added");
    assert_eq!(
        xtask(&[&old, &new, "--fail-on", "warning"]).0,
        0,
        "a value added to a non_exhaustive request enum is not a warning"
    );
    assert_eq!(xtask(&[&old, &new, "--fail-on", "info"]).0, 1);
    let (old, new) = pair("parameter-removed");
    let (code, out, _) = xtask(&[
        &old,
        &new,
        "--fail-on",
        "breaking",
        "--from-version",
        "0.1.3",
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("breaking parameter `lang` (query) of `GetThing` removed (at /paths/~1things~1{id}/get/parameters/1) [touches Client::get_thing, builder::GetThing, requests::GetThing, types::GetThingLang]\n         major: `.lang(..)` on `builder::GetThing` goes: code that sets it stops compiling\n"), "{out}");
    assert!(
        out.ends_with(
            "diff: 1 breaking, 0 warning, 0 info; version bump: major (breaking changes), 0.1.3 -> 0.2.0\n"
        ),
        "{out}"
    );
}

#[test]
fn json_output() {
    let (old, new) = pair("response-enum-value-added-open");
    let (code, out, _) = xtask(&[&old, &new, "--format", "json", "--from-version", "0.1.3"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["info"], 1);
    assert_eq!(v["changes"][0]["class"], "info");
    assert_eq!(v["changes"][0]["bump"], "minor");
    assert_eq!(
        v["changes"][0]["pointer"],
        "/components/schemas/Thing/properties/state/enum"
    );
    assert_eq!(v["changes"][0]["touches"][0], "types::ThingState");
    assert!(
        v["changes"][0]["effect"]
            .as_str()
            .unwrap()
            .starts_with("a new variant `Broken`"),
        "{v}"
    );
    assert_eq!(v["bump"], "minor");
    assert_eq!(v["current_version"], "0.1.3");
    assert_eq!(v["next_version"], "0.1.4");
    assert!(
        v["changelog"]
            .as_str()
            .unwrap()
            .starts_with("## [0.1.4] - ")
    );

    // Without --from-version, the version is the client crate's own.
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/taurusdb/Cargo.toml"),
    )
    .unwrap();
    let current = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"');
    let (old, new) = pair("response-property-removed");
    let (_, out, _) = xtask(&[&old, &new, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bump"], "major");
    assert_eq!(v["current_version"], current);
    let next = xtask::review::diff::Version::next(
        current.parse().unwrap(),
        xtask::review::diff::Bump::Major,
    );
    assert_eq!(v["next_version"], next.to_string());
    let (old, new) = pair("no-change");
    let (_, out, _) = xtask(&[&old, &new, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&v["bump"], &v["next_version"]),
        (&"none".into(), &current.into())
    );
}

#[test]
fn changelog_sections() {
    let (old, new) = pair("response-property-renamed");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", &old, &new, "--changelog", "--from-version", "1.4.2"])
        .env("SOURCE_DATE_EPOCH", "951782400")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "## [2.0.0] - 2000-02-29\n\n### Changed\n\n- **Breaking:** Property `name` of schema `Thing` renamed to `title` (the field `.name` and the builder method `.name(..)` become `.title`: code that uses them stops compiling).\n"
    );
    // Every section, in Keep a Changelog's order, from one pair of specs.
    let changes = vec![
        (
            "operation-added",
            "### Added\n\n- Operation `Health` (GET /health) added.\n",
        ),
        (
            "parameter-removed",
            "### Removed\n\n- **Breaking:** Parameter `lang` (query) of `GetThing` removed (`.lang(..)` on `builder::GetThing` goes: code that sets it stops compiling).\n",
        ),
        (
            "request-constraint-loosened",
            "### Fixed\n\n- MaxLength of parameter `lang` of `GetThing` changed from 10 to 20: loosened (code keeps compiling; values that were refused before are now accepted).\n",
        ),
    ];
    for (case, section) in changes {
        let (old, new) = pair(case);
        let (code, out, _) = xtask(&[&old, &new, "--changelog", "--from-version", "0.1.3"]);
        assert_eq!(code, 0);
        assert!(out.contains(section), "{case}: {out}");
    }
    let (old, new) = pair("no-change");
    let (_, out, _) = xtask(&[&old, &new, "--changelog", "--from-version", "0.1.3"]);
    assert!(
        out.starts_with("## [0.1.3] - ") && out.ends_with("\n\nNo changes to the API.\n"),
        "{out}"
    );
}

#[test]
fn git_revisions_and_bad_arguments() {
    let (code, out, err) = xtask(&["HEAD:openapi/taurusdb.yaml", "openapi/taurusdb.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("diff: "), "{out}");
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let v31 = bad.join("openapi-3.1.yaml").display().to_string();
    let syntax = bad.join("syntax-error.yaml").display().to_string();
    // (old, new, what stderr says): each names the side and the reason.
    let cases: &[(&str, &str, &str)] = &[
        (
            "no-such-rev-zz:openapi/taurusdb.yaml",
            "openapi/taurusdb.yaml",
            "error: cannot compare: the old spec (no-such-rev-zz:openapi/taurusdb.yaml) cannot be read: no-such-rev-zz:openapi/taurusdb.yaml: git show failed",
        ),
        (
            "openapi/taurusdb.yaml",
            "missing.yaml",
            "error: cannot compare: the new spec (missing.yaml) cannot be read: missing.yaml: no such file",
        ),
        (
            "HEAD:no/such/path.yaml",
            "openapi/taurusdb.yaml",
            "error: cannot compare: the old spec (HEAD:no/such/path.yaml) cannot be read: HEAD:no/such/path.yaml: git show failed",
        ),
        (
            "openapi/taurusdb.yaml",
            &v31,
            "OpenAPI 3.1.0 is not supported",
        ),
        ("openapi/taurusdb.yaml", &syntax, "the new spec ("),
    ];
    for (old, new, says) in cases {
        for extra in [&[][..], &["--format", "json"], &["--changelog"]] {
            let mut args = vec![*old, *new];
            args.extend(extra);
            let (code, out, err) = xtask(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
            assert_eq!(out, "", "{args:?}: nothing is written");
        }
    }
    let (code, _, err) = xtask(&[&v31, "missing.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the old spec (") && err.contains("the new spec (missing.yaml)"),
        "both sides are named: {err}"
    );
}
