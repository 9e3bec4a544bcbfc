//! The generic path, guarded by a spec other than the product's, in the style of
//! progenitor's golden-output tests: `tests/fixtures/generic/spec.yaml` (operations with
//! different response schemas, optional query parameters with defaults and bounds, an
//! enumeration, a required header, POSTs with JSON bodies, a paginated list, jobs and their
//! waiter, a question, a download, a group of several words and an alias) is generated with
//! `cargo xtask gen` into a temporary copy of the client, httpmock and CLI crates, which is
//! compiled and tested against servers on 127.0.0.1 (`client.rs` and `cli.rs` beside the
//! spec), and against the httpmock crate's simulator playing the spec's `x-mock` hints
//! (`simulator.rs`).
//!
//! The copies take every hand-written file of the three crates as it is, so this test fails
//! when hand-written code names anything of the product spec. It builds into
//! `target/fixtures` (see `taurusdb_tests::fixture`), so that only the three crates are
//! rebuilt on a second run.

use taurusdb_tests::fixture::{self, root};

/// The generic fixture's workspace, with the fixture's tests as integration tests of the
/// client and the CLI.
fn workspace(dir: &std::path::Path) {
    let root = root();
    fixture::workspace(
        &root.join("tests/fixtures/generic/spec.yaml"),
        "tests/fixtures/generic/spec.yaml",
        dir,
    );
    let fixture = root.join("tests/fixtures/generic");
    for (from, to) in [
        ("client.rs", "crates/taurusdb/tests/generic.rs"),
        ("cli.rs", "crates/taurusdb-cli/tests/generic.rs"),
        ("simulator.rs", "crates/taurusdb-httpmock/tests/generic.rs"),
    ] {
        std::fs::create_dir_all(dir.join(to).parent().unwrap()).unwrap();
        std::fs::copy(fixture.join(from), dir.join(to)).unwrap();
    }
}

#[test]
fn a_spec_with_other_operations_gets_the_same_client_and_cli() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let out = fixture::cargo(
        dir.path(),
        &[
            "test",
            "--quiet",
            "-p",
            "taurusdb",
            "-p",
            "taurusdb-cli",
            "-p",
            "taurusdb-httpmock",
            "--features",
            "taurusdb-httpmock/simulator",
            "--test",
            "generic",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the fixture's crates failed to build or their tests failed:\n{stdout}\n{stderr}"
    );
    // The three test binaries (client, CLI, simulator) ran, and ran tests.
    let passed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("test result: ok."))
        .collect();
    assert_eq!(passed.len(), 3, "{stdout}");
    assert!(passed.iter().all(|l| !l.contains(" 0 passed")), "{stdout}");
}
