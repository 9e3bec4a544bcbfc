//! `cargo xtask diff`: a pair of fixture specs per change class with the expected
//! classification, the generated items each change touches, and the command's output.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::diff::{Class, attribute, diff};
use xtask::spec::Spec;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn load(case: &str, which: &str) -> Spec {
    Spec::load(&dir().join(case).join(format!("{which}.yaml"))).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn each_change_class_is_classified() {
    use Class::*;
    // (case, class, message starts with, a generated item it touches or "")
    let cases: &[(&str, Class, &str, &str)] = &[
        (
            "operation-removed",
            Breaking,
            "operation `GetThing` (GET /things/{id}) removed",
            "Client::get_thing",
        ),
        (
            "operation-added",
            Info,
            "operation `Health` (GET /health) added",
            "builder::Health",
        ),
        (
            "path-changed",
            Breaking,
            "operation `GetThing` moved from GET /things/{id} to GET /items/{id}",
            "builder::GetThing",
        ),
        (
            "parameter-added-required",
            Breaking,
            "required parameter `lang` (query) added",
            "builder::GetThing",
        ),
        (
            "parameter-added-optional",
            Info,
            "optional parameter `lang` (query) added",
            "builder::GetThing",
        ),
        (
            "parameter-became-required",
            Breaking,
            "parameter `lang` of `GetThing` became required",
            "builder::GetThing",
        ),
        (
            "parameter-became-optional",
            Info,
            "parameter `lang` of `GetThing` became optional",
            "builder::GetThing",
        ),
        (
            "parameter-removed",
            Breaking,
            "parameter `lang` (query) of `GetThing` removed",
            "builder::GetThing",
        ),
        (
            "parameter-type-changed",
            Breaking,
            "type of parameter `id` of `GetThing` changed from string to integer",
            "builder::GetThing",
        ),
        (
            "parameter-location-changed",
            Breaking,
            "parameter `lang` of `GetThing` moved from query to header",
            "builder::GetThing",
        ),
        (
            "request-enum-value-removed",
            Breaking,
            "value `zh` removed from parameter `lang`",
            "types::GetThingLang",
        ),
        (
            "request-enum-value-added",
            Warning,
            "value `fr` added to parameter `lang`",
            "types::GetThingLang",
        ),
        (
            "request-constraint-tightened",
            Breaking,
            "maxLength of parameter `lang` of `GetThing` changed from 10 to 5: tightened",
            "",
        ),
        (
            "request-constraint-loosened",
            Info,
            "maxLength of parameter `lang` of `GetThing` changed from 10 to 20: loosened",
            "",
        ),
        (
            "request-pattern-added",
            Breaking,
            "pattern of parameter `lang` of `GetThing` changed from none to ^[a-z]+$",
            "",
        ),
        (
            "response-property-removed",
            Breaking,
            "property `state` of schema `Thing` removed",
            "types::Thing",
        ),
        (
            "response-property-renamed",
            Breaking,
            "property `name` of schema `Thing` renamed to `title`",
            "types::Thing",
        ),
        (
            "response-property-type-changed",
            Breaking,
            "type of `name` of schema `Thing` changed from string to integer",
            "types::Thing",
        ),
        (
            "response-property-became-required",
            Info,
            "`name` of schema `Thing` became required; no change to generated code",
            "",
        ),
        (
            "response-property-became-optional",
            Info,
            "`name` of schema `Thing` became optional; no change to generated code",
            "",
        ),
        (
            "response-enum-value-added-open",
            Info,
            "value `broken` added to `state` of schema `Thing`: an open enum",
            "types::ThingState",
        ),
        (
            "response-enum-value-added-closed",
            Breaking,
            "value `broken` added to `state` of schema `Thing`: a closed enum",
            "types::ThingState",
        ),
        (
            "response-constraint-tightened",
            Info,
            "maxLength of `name` of schema `Thing` changed from none to 5: documentation only",
            "",
        ),
        (
            "security-scheme-removed",
            Breaking,
            "security scheme `token` removed",
            "",
        ),
        (
            "security-changed",
            Warning,
            "the security requirements changed",
            "",
        ),
        (
            "server-changed",
            Warning,
            "server `https://api.example.com` removed",
            "SERVERS",
        ),
        (
            "region-removed",
            Breaking,
            "region `us-1` removed",
            "SERVERS",
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
    for (case, class, message, touches) in cases {
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
    }
    let same = load("no-change", "old");
    assert_eq!(diff(&same.root, &load("no-change", "new").root), vec![]);
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
    let (old, new) = pair("request-enum-value-added");
    assert_eq!(xtask(&[&old, &new]).0, 0, "reporting alone does not fail");
    assert_eq!(
        xtask(&[&old, &new, "--fail-on", "breaking"]).0,
        0,
        "a warning is not breaking"
    );
    assert_eq!(xtask(&[&old, &new, "--fail-on", "warning"]).0, 1);
    let (old, new) = pair("parameter-removed");
    let (code, out, _) = xtask(&[&old, &new, "--fail-on", "breaking"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("breaking parameter `lang` (query) of `GetThing` removed (at /paths/~1things~1{id}/get/parameters/1) [touches Client::get_thing, builder::GetThing, types::GetThingLang]\n"), "{out}");
    assert!(
        out.ends_with(
            "diff: 1 breaking, 0 warning, 0 info; version bump: major (breaking changes)\n"
        ),
        "{out}"
    );
}

#[test]
fn json_output() {
    let (old, new) = pair("response-enum-value-added-open");
    let (code, out, _) = xtask(&[&old, &new, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["info"], 1);
    assert_eq!(v["changes"][0]["class"], "info");
    assert_eq!(
        v["changes"][0]["pointer"],
        "/components/schemas/Thing/properties/state/enum"
    );
    assert_eq!(v["changes"][0]["touches"][0], "types::ThingState");
    assert_eq!(v["bump"], "patch (additive changes only)");
}

#[test]
fn git_revisions_and_bad_arguments() {
    let (code, out, err) = xtask(&["HEAD:openapi/taurusdb.yaml", "openapi/taurusdb.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("diff: "), "{out}");
    let (code, _, err) = xtask(&[
        "no-such-rev-zz:openapi/taurusdb.yaml",
        "openapi/taurusdb.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("git show failed"), "{err}");
    let (code, _, err) = xtask(&["missing.yaml", "openapi/taurusdb.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.yaml: no such file"), "{err}");
}
