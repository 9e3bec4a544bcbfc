//! Conformance reports of live responses (`taurusdb::conformance`, the client's
//! `conformance` feature), against servers on 127.0.0.1: every kind of departure, the known
//! ones labelled with the spec's recorded reason, and no report noise for a conforming one.

use httpmock::MockServer;
use serde_json::{Value, json};
use taurusdb::ErrorKind;
use taurusdb::conformance::{self, Departure, Report};
use taurusdb_tests::*;

/// Serves `body` with `content_type` for every request and returns the report of one call.
async fn report_of(
    status: u16,
    content_type: &str,
    body: String,
) -> (Result<(), taurusdb::Error>, Report) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
    let c = client(&server.base_url());
    let (result, captured) =
        conformance::capture(c.replication_config(INSTANCE, TASK).into_future()).await;
    let report = conformance::check(&captured.expect("a response was captured"));
    (result.map(|_| ()), report)
}

async fn departures(body: Value) -> Vec<Departure> {
    let (_, report) = report_of(200, "application/json", body.to_string()).await;
    report.departures
}

fn one<'a>(ds: &'a [Departure], path: &str) -> &'a Departure {
    ds.iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no departure at {path}: {ds:#?}"))
}

use std::future::IntoFuture as _;

#[tokio::test]
async fn a_conforming_response_has_an_empty_report() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .json_body(corrected_example());
        })
        .await;
    let c = client(&server.base_url());
    let (value, report) = conformance::checked(c.replication_config(INSTANCE, TASK))
        .await
        .unwrap();
    assert!(report.conforms(), "{report:#?}");
    assert!(report.departures.is_empty());
    assert_eq!(report.operation, "ListStarRocksDataReplicationConfig");
    assert_eq!(report.status, 200);
    assert!(
        value.table_infos.is_some(),
        "the decoded value comes back as without the check"
    );
}

#[tokio::test]
async fn every_kind_of_departure_is_reported_with_path_rule_spec_value_and_found() {
    let mut body = corrected_example();
    body["source_node_id"] = Value::Null; // null where the spec has no nullable
    body["table_repl_config"]["repl_type"] = json!("weird"); // outside an open enum, not recorded
    body["table_infos"] =
        json!([{"table_name": "a", "table_config": "x1", "check_result": "success"}]); // minLength
    body["target_database_name"] = json!("bad-name!"); // pattern
    body["brand_new"] = json!({"x": 1}); // undeclared
    body["database_info"]["db_config_check_results"][0]["value"] = json!("v".repeat(65)); // maxLength
    let ds = departures(body).await;

    let d = one(&ds, "$.source_node_id");
    assert_eq!((d.rule.as_str(), d.found.as_str()), ("type", "null"));
    assert!(d.expected.contains("string"), "{d}");
    let d = one(&ds, "$.table_repl_config.repl_type");
    assert_eq!(d.rule, "enum");
    assert_eq!(d.expected, "one of [\"include_tables\",\"exclude_tables\"]");
    assert_eq!(d.found, "\"weird\"");
    assert_eq!(d.known, None, "a value no one recorded is new");
    let d = one(&ds, "$.table_infos[0].table_name");
    assert_eq!(d.rule, "minLength");
    let d = one(&ds, "$.target_database_name");
    assert_eq!(d.rule, "pattern");
    let d = one(&ds, "$.brand_new");
    assert_eq!(
        (d.rule.as_str(), d.found.as_str()),
        ("undeclared", "{\"x\":1}")
    );
    assert_eq!(d.known, None);
    let d = one(&ds, "$.database_info.db_config_check_results[0].value");
    assert_eq!(d.rule, "maxLength");
    assert_eq!(ds.len(), 6, "{ds:#?}");
}

#[tokio::test]
async fn item_counts_and_types_are_checked_even_when_the_client_cannot_decode() {
    let mut body = corrected_example();
    body["table_infos"] = Value::Array(
        (0..51)
            .map(|i| json!({"table_name": format!("t{i}"), "table_config": "cfg", "check_result": "success"}))
            .collect(),
    );
    let ds = departures(body).await;
    assert_eq!(one(&ds, "$.table_infos").rule, "maxItems");

    let mut body = corrected_example();
    body["is_tables_change"] = json!("yes");
    let (result, report) = report_of(200, "application/json", body.to_string()).await;
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Decode);
    let d = one(&report.departures, "$.is_tables_change");
    assert_eq!(d.rule, "type");
}

#[tokio::test]
async fn known_server_drift_is_labelled_with_the_recorded_reason() {
    let page = json!({
        "database_info": {
            "databaseName": "db",
            "db_config_check_results": [{"param_name": "enable_snapshots", "value": "true", "check_result": "failed"}]
        },
        "table_info": [],
    });
    let ds = departures(page).await;
    let d = one(
        &ds,
        "$.database_info.db_config_check_results[0].check_result",
    );
    assert_eq!(d.rule, "enum");
    assert!(d.known.as_deref().unwrap().contains("`failed`"), "{d}");
    let d = one(&ds, "$.table_info");
    assert_eq!(d.rule, "undeclared");
    assert!(d.known.as_deref().unwrap().contains("table_infos"), "{d}");
    let d = one(&ds, "$.database_info.databaseName");
    assert!(d.known.as_deref().unwrap().contains("databaseName"), "{d}");
    // An unrecorded value of the same open enumeration is new.
    let ds = departures(json!({"table_infos": [{"table_name": "tt", "table_config": "cc", "check_result": "maybe"}]})).await;
    assert_eq!(one(&ds, "$.table_infos[0].check_result").known, None);
}

#[tokio::test]
async fn content_type_status_and_error_bodies_are_checked() {
    let (result, report) = report_of(200, "text/plain", corrected_example().to_string()).await;
    assert!(result.is_ok());
    let d = one(&report.departures, "$");
    assert_eq!(
        (d.rule.as_str(), d.expected.as_str(), d.found.as_str()),
        ("content-type", "application/json", "text/plain")
    );

    let (result, report) = report_of(
        400,
        "application/json",
        json!({"error_code": "DBS.1"}).to_string(),
    )
    .await;
    assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(400));
    let d = one(&report.departures, "$");
    assert_eq!(d.rule, "required");
    assert!(d.expected.contains("error_msg"), "{d}");

    let (result, report) = report_of(418, "application/json", "{}".into()).await;
    assert!(result.is_err());
    let d = one(&report.departures, "$");
    assert_eq!((d.rule.as_str(), d.found.as_str()), ("status", "418"));
}

#[tokio::test]
async fn too_large_or_too_deep_bodies_are_reported_as_not_validated() {
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!([deep]);
    }
    let mut body = corrected_example();
    body["error_msg"] = json!("");
    body["brand_new"] = deep;
    let (result, report) = report_of(200, "application/json", body.to_string()).await;
    assert!(result.is_ok());
    assert!(!report.conforms());
    assert!(
        report.not_validated.as_deref().unwrap().contains("nested"),
        "{report:#?}"
    );

    let mut body = corrected_example();
    body["padding"] = json!("x".repeat(conformance::MAX_VALIDATED_BYTES));
    let (result, report) = report_of(200, "application/json", body.to_string()).await;
    assert!(result.is_ok(), "the client still decodes it");
    assert!(
        report
            .not_validated
            .as_deref()
            .unwrap()
            .contains("larger than"),
        "{report:#?}"
    );

    let (_, report) = report_of(200, "application/json", "{\"a\": ".into()).await;
    assert!(
        report
            .not_validated
            .as_deref()
            .unwrap()
            .contains("not JSON"),
        "{report:#?}"
    );
}
