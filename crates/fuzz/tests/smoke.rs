//! A short, deterministic fuzzing run of each target in every `cargo test`, and every input
//! a longer run ever found failing (kept in `tests/regressions/`), replayed.

use std::time::Duration;

use taurusdb_fuzz::{Report, Target, check, run};

fn assert_no_crashes(report: &Report) {
    let crashes: Vec<_> = report
        .crashes
        .iter()
        .map(|c| (&c.message, String::from_utf8_lossy(&c.input)))
        .collect();
    assert!(crashes.is_empty(), "{crashes:#?}");
}

#[test]
fn decode_survives_a_short_run() {
    let report = run(Target::Decode, 3000, Duration::from_secs(60), 7, None);
    assert_no_crashes(&report);
    assert_eq!(report.iterations, 3000);
}

#[test]
fn spec_survives_a_short_run() {
    let report = run(Target::Spec, 300, Duration::from_secs(120), 7, None);
    assert_no_crashes(&report);
    assert!(
        report.depths[2] > 0,
        "some inputs get past the checks: {:?}",
        report.depths
    );
}

#[test]
fn regressions_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = if name.starts_with("spec") {
            Target::Spec
        } else {
            Target::Decode
        };
        let input = std::fs::read(entry.path()).unwrap();
        let outcome = xtask::codegen::panic::catch(|| check(target, &input, true));
        assert!(matches!(outcome, Ok(Ok(_))), "{name}: {outcome:?}");
    }
}
