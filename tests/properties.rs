//! Properties, checked on generated inputs (proptest):
//! - any path parameter value the client accepts stays one encoded path segment on the wire
//!   and decodes back to itself;
//! - `task_name` validation accepts exactly the page's rule (3 to 128 of `A-Z a-z 0-9 _`);
//! - the signer's canonical path and query agree with the independent reference in
//!   `tests/src/sigcheck.rs`.

use proptest::prelude::*;
use taurusdb::ErrorKind;
use taurusdb::signing::canonical_request;
use taurusdb::types::TaskName;
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;

/// Strings with what breaks URLs: separators, escapes, dots, spaces, controls, non-ASCII.
fn awkward() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9_-]{1,6}",
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("%".to_string()),
        Just("%2F".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just(" ".to_string()),
        Just("+".to_string()),
        Just("&=;".to_string()),
        "\\PC{1,3}",
        "[\\x00-\\x1f]",
    ];
    proptest::collection::vec(piece, 1..6).prop_map(|v| v.concat())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn task_name_validation_is_exactly_the_pages_rule(name in prop_oneof![
        "[A-Za-z0-9_]{0,130}",
        "[A-Za-z0-9_ .-]{2,10}",
        "\\PC{0,8}",
    ]) {
        let rule = (3..=128).contains(&name.chars().count()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        prop_assert_eq!(TaskName::try_from(name.as_str()).is_ok(), rule, "{:?}", name);
    }

    #[test]
    fn the_canonical_path_and_query_match_an_independent_reference(
        segments in proptest::collection::vec(awkward(), 1..4),
        query in proptest::collection::vec((awkward(), awkward()), 0..4),
    ) {
        let path: String = segments.iter().map(|s| format!("/{}", taurusdb::signing::escape(s))).collect();
        let encoded_query = query
            .iter()
            .map(|(k, v)| format!("{}={}", form(k), form(v)))
            .collect::<Vec<_>>()
            .join("&");
        let url: reqwest::Url = format!("https://h{path}?{encoded_query}").parse().unwrap();
        let c = canonical_request("GET", &url, &reqwest::header::HeaderMap::new(), b"");
        let lines: Vec<&str> = c.request.split('\n').collect();
        prop_assert_eq!(lines[1], sigcheck::canonical_path(url.path()));
        prop_assert_eq!(lines[2], sigcheck::canonical_query(url.query().unwrap_or_default()));
    }
}

/// `application/x-www-form-urlencoded`, as the generated client encodes query values.
fn form(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[test]
fn any_accepted_path_value_stays_one_segment_and_round_trips() {
    let rt = runtime();
    let server = rt.block_on(ScriptServer::start(vec![Step::json(
        200,
        &serde_json::json!({}),
    )]));
    let client = client(&server.url);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    });
    runner
        .run(&awkward(), |value| {
            let before = server.requests().len();
            let result = rt.block_on(
                client
                    .replication_config(value.as_str(), TASK)
                    .into_future(),
            );
            if value == "." || value == ".." {
                prop_assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidRequest);
                prop_assert_eq!(server.requests().len(), before, "nothing was sent");
                return Ok(());
            }
            prop_assert!(result.is_ok(), "{:?}: {:?}", value, result.err());
            let sent = server.requests().last().cloned().unwrap();
            let segments: Vec<&str> = sent.path().split('/').collect();
            prop_assert_eq!(segments.len(), 9, "{:?} became {}", value, sent.path());
            prop_assert_eq!(segments[4], taurusdb::signing::escape(&value));
            prop_assert_eq!(sigcheck::unescape(segments[4]), value);
            Ok(())
        })
        .unwrap();
}

use std::future::IntoFuture as _;
