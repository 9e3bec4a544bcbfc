//! `cargo xtask gen` as a user runs it: bad input is reported with the file and the problem,
//! the exit code is non-zero, and the generated file is left byte for byte as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLIENT: &str = "crates/taurusdb/src/generated.rs";
const SENTINEL: &[u8] = b"// committed generated code: must survive a failed run\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A scratch workspace root holding a committed generated file.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(CLIENT);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, SENTINEL).unwrap();
    dir
}

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

fn gen_spec(root: &Path, spec: &Path, check: bool) -> (i32, String) {
    let mut args = vec!["gen", "--spec", spec.to_str().unwrap()];
    if check {
        args.push("--check");
    }
    let out = xtask(root, &args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_refused(spec: &Path, expected: &[&str]) {
    let root = scratch();
    let (code, stderr) = gen_spec(root.path(), spec, false);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&spec.display().to_string()),
        "names the file: {stderr}"
    );
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in: {stderr}");
    }
    assert!(
        !stderr.contains("panicked at"),
        "a panic is reported, not printed: {stderr}"
    );
    assert_eq!(
        std::fs::read(root.path().join(CLIENT)).unwrap(),
        SENTINEL,
        "the generated file is untouched"
    );
    let entries = std::fs::read_dir(root.path().join("crates/taurusdb/src"))
        .unwrap()
        .count();
    assert_eq!(entries, 1, "no temporary file is left behind");
}

#[test]
fn bad_specs_are_reported_and_change_nothing() {
    let cases: &[(&str, &[&str])] = &[
        ("syntax-error.yaml", &[":23:18: YAML syntax error"]),
        (
            "dangling-ref.yaml",
            &[":37:17: dangling $ref `#/components/schemas/Missing`"],
        ),
        (
            "openapi-3.1.yaml",
            &[":1:1: OpenAPI 3.1.0 is not supported"],
        ),
        (
            "missing-operation-id.yaml",
            &[":19:5: operation GET /things/{id} has no operationId"],
        ),
        (
            "duplicate-operation-id.yaml",
            &["duplicate operationId `GetThing`"],
        ),
        (
            "conflicting-error-schemas.yaml",
            &[
                "error responses of `GetThing` have different body schemas (`Thing` for 500, `Error` for 400)",
            ],
        ),
        (
            "path-parameter-not-in-path.yaml",
            &[
                ":19:5: progenitor cannot generate the client: it fails on the operation `GetThing` (`GET /things/{id}`) (a path parameter that the path template does not have)",
                "other missing from path",
            ],
        ),
        (
            "enum-of-mixed-types.yaml",
            &[
                ":58:5: progenitor cannot generate the client: it fails on the schema `Size` (an `enum` without a `type` whose values have different JSON types)",
            ],
        ),
        (
            "unsupported-media-type.yaml",
            &["response `400` of `GetThing` is `application/xml`"],
        ),
        (
            "recursive-schema.yaml",
            &["recursive schema: `Thing` requires itself"],
        ),
        (
            "duplicate-key.yaml",
            &[":23:7: duplicate key `summary` (first at line 22)"],
        ),
        ("not-a-mapping.yaml", &["the spec must be a YAML mapping"]),
        ("swagger-2.yaml", &["Swagger 2.0 document"]),
        (
            "clashing-entry-points.yaml",
            &[":46:5: `GetThing` and `GetOther` would both get the client method `thing`"],
        ),
        (
            "unknown-client-setting.yaml",
            &[":29:11: `x-client-setting` must be one of: project-id, language"],
        ),
        (
            "error-body-names-no-property.yaml",
            &[":58:9: `Error` has no property `error_message`"],
        ),
        (
            "malformed-mock.yaml",
            &[
                ":25:9: `x-mock.action` `show` is not an action of the simulator (known: list, create, update, delete, job)",
            ],
        ),
        (
            "form-request-body.yaml",
            &[":33:11: the request body of `GetThing` is `application/x-www-form-urlencoded`"],
        ),
        (
            "invalid-document.yaml",
            &[
                "not a valid OpenAPI 3.0 document",
                "expected struct Responses",
            ],
        ),
    ];
    for (file, expected) in cases {
        assert_refused(&fixtures().join("bad").join(file), expected);
    }
}

#[test]
fn non_utf8_and_huge_specs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = dir.path().join("latin1.yaml");
    let mut bytes = std::fs::read(fixtures().join("base.yaml")).unwrap();
    bytes.extend_from_slice(b"x-note: caf\xe9\n");
    std::fs::write(&latin1, bytes).unwrap();
    assert_refused(&latin1, &["the spec is not valid UTF-8"]);

    let huge = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(17 * 1024 * 1024).unwrap();
    assert_refused(&huge, &["specs over 16777216 bytes are refused"]);

    assert_refused(&dir.path().join("missing.yaml"), &["cannot read the spec"]);
}

#[test]
fn gen_writes_once_and_check_reports_staleness_with_the_fix() {
    let root = tempfile::tempdir().unwrap();
    let spec = fixtures().join("base.yaml");

    let (code, stderr) = gen_spec(root.path(), &spec, true);
    assert_eq!(code, 1, "a missing file is stale: {stderr}");
    assert!(stderr.contains("the file does not exist"), "{stderr}");

    let (code, stderr) = gen_spec(root.path(), &spec, false);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("wrote {CLIENT}")), "{stderr}");
    let first = std::fs::read_to_string(root.path().join(CLIENT)).unwrap();
    assert!(
        first.starts_with("// @generated by `cargo xtask gen`"),
        "{first}"
    );

    let (code, stderr) = gen_spec(root.path(), &spec, false);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("up to date"),
        "a second run writes nothing: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.path().join(CLIENT)).unwrap(),
        first
    );

    let (code, stderr) = gen_spec(root.path(), &spec, true);
    assert_eq!(code, 0, "{stderr}");

    std::fs::write(
        root.path().join(CLIENT),
        first.replace("pub struct Thing", "pub struct Renamed"),
    )
    .unwrap();
    let (code, stderr) = gen_spec(root.path(), &spec, true);
    assert_eq!(code, 1);
    assert!(stderr.contains(&format!("{CLIENT} is stale")), "{stderr}");
    assert!(
        stderr.contains("-    pub struct Renamed") && stderr.contains("+    pub struct Thing"),
        "{stderr}"
    );
    assert!(stderr.contains("To fix: run `cargo xtask gen`"), "{stderr}");
    assert!(
        std::fs::read_to_string(root.path().join(CLIENT))
            .unwrap()
            .contains("pub struct Renamed"),
        "--check writes nothing"
    );
}

/// A checkout with CRLF line endings (Windows, `core.autocrlf`) holds the same generated
/// files: `gen --check` passes, `gen` writes nothing, and `docs --check` passes too.
#[test]
fn a_crlf_checkout_of_the_generated_files_is_not_stale() {
    let root = tempfile::tempdir().unwrap();
    let spec = fixtures().join("base.yaml");
    let (code, stderr) = gen_spec(root.path(), &spec, false);
    assert_eq!(code, 0, "{stderr}");
    let docs = xtask(root.path(), &["docs", "--spec", spec.to_str().unwrap()]);
    assert_eq!(docs.status.code(), Some(0), "{docs:?}");

    let mut converted = 0;
    for file in [
        CLIENT,
        "crates/taurusdb-httpmock/src/generated.rs",
        "crates/taurusdb-cli/src/generated.rs",
        "openapi/taurusdb.md",
    ] {
        let path = root.path().join(file);
        let lf = std::fs::read_to_string(&path).unwrap();
        let crlf = lf.replace('\n', "\r\n");
        assert_ne!(lf, crlf);
        std::fs::write(&path, &crlf).unwrap();
        converted += 1;
    }
    assert_eq!(converted, 4);

    let (code, stderr) = gen_spec(root.path(), &spec, true);
    assert_eq!(code, 0, "a CRLF copy is not stale: {stderr}");
    let (code, stderr) = gen_spec(root.path(), &spec, false);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("up to date"),
        "nothing is rewritten: {stderr}"
    );
    let docs = xtask(
        root.path(),
        &["docs", "--check", "--spec", spec.to_str().unwrap()],
    );
    assert_eq!(docs.status.code(), Some(0), "{docs:?}");
    assert!(
        std::fs::read_to_string(root.path().join(CLIENT))
            .unwrap()
            .contains("\r\n"),
        "the CRLF copy is left as it is"
    );
}

/// Exit codes: 0 when done, 1 when the command finds what it checks for, 2 for arguments it
/// cannot use.
#[test]
fn exit_codes_are_0_1_and_2() {
    let root = tempfile::tempdir().unwrap();
    let spec = fixtures().join("base.yaml");
    assert_eq!(gen_spec(root.path(), &spec, true).0, 1, "stale: 1");
    assert_eq!(gen_spec(root.path(), &spec, false).0, 0, "written: 0");
    assert_eq!(gen_spec(root.path(), &spec, true).0, 0, "fresh: 0");
    let lint = xtask(
        root.path(),
        &[
            "lint",
            fixtures().join("bad/openapi-3.1.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(lint.status.code(), Some(1), "a lint error: 1");
    let diff = xtask(
        root.path(),
        &["diff", "missing.yaml", spec.to_str().unwrap()],
    );
    assert_eq!(diff.status.code(), Some(2), "an unusable argument: 2");
    let usage = xtask(root.path(), &["gen", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2), "clap's usage error: 2");
}

/// The same corpus through `cargo xtask lint`: each a clear error naming the problem, exit 1,
/// nothing written.
#[test]
fn bad_specs_fail_lint_with_the_problem_named() {
    let root = scratch();
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(17 * 1024 * 1024)
        .unwrap();
    let latin1 = dir.path().join("latin1.yaml");
    std::fs::write(&latin1, b"openapi: 3.0.3\ninfo: {title: caf\xe9}\n").unwrap();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (huge, "error[yaml-syntax]: the spec is 17825792 bytes"),
        (latin1, "error[yaml-syntax]: the spec is not valid UTF-8"),
    ];
    for (file, expected) in [
        ("syntax-error.yaml", "error[yaml-syntax]: YAML syntax error"),
        ("dangling-ref.yaml", "error[invalid-ref]: dangling $ref"),
        (
            "openapi-3.1.yaml",
            "error[oas-version]: OpenAPI 3.1.0 is not supported",
        ),
        ("missing-operation-id.yaml", "error[operation-operationId]"),
        (
            "duplicate-operation-id.yaml",
            "error[operation-operationId-unique]",
        ),
        (
            "conflicting-error-schemas.yaml",
            "error[error-responses-one-schema]",
        ),
        ("path-parameter-not-in-path.yaml", "error[path-params]"),
        ("unsupported-media-type.yaml", "error[json-media-type]"),
        ("recursive-schema.yaml", "error[no-recursive-required]"),
        ("duplicate-key.yaml", "error[yaml-syntax]: duplicate key"),
        (
            "not-a-mapping.yaml",
            "error[yaml-syntax]: the spec must be a YAML mapping",
        ),
        (
            "swagger-2.yaml",
            "error[oas-version]: this is a Swagger 2.0 document",
        ),
        ("invalid-document.yaml", "error[oas3-schema]"),
        ("clashing-entry-points.yaml", "error[generator-extensions]"),
        ("unknown-client-setting.yaml", "error[generator-extensions]"),
        (
            "error-body-names-no-property.yaml",
            "error[generator-extensions]",
        ),
        ("malformed-mock.yaml", "error[generator-extensions]"),
        ("form-request-body.yaml", "error[json-media-type]"),
    ] {
        cases.push((fixtures().join("bad").join(file), expected));
    }
    for (spec, expected) in cases {
        let out = xtask(root.path(), &["lint", spec.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains(expected),
            "expected {expected:?} in: {stdout}"
        );
        assert!(
            stdout.starts_with(&spec.display().to_string()),
            "names the file: {stdout}"
        );
        assert_eq!(std::fs::read(root.path().join(CLIENT)).unwrap(), SENTINEL);
    }
}
