//! The report against typed mocks from `taurusdb-httpmock`.

use httpmock::MockServer;
use sync_task_report::report;
use taurusdb::types::{ErrorResponse, Language, StarRocksReplicationConfig};
use taurusdb::{Client, ErrorKind};
use taurusdb_httpmock::MockServerExt;
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as examples;

const INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .project_id("p1")
        .build()
        .unwrap()
}

fn example(json: &str) -> StarRocksReplicationConfig {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn lists_the_checks_that_did_not_pass() {
    let server = MockServer::start_async().await;
    let mock = server.list_star_rocks_data_replication_config(|when, then| {
        when.project_id("p1")
            .instance_id(INSTANCE)
            .task_name(&"nightly".parse().unwrap())
            .x_language(Language::EnUs);
        then.ok(&example(examples::STATUS_200_PAGE_VERBATIM));
    });
    let r = report(&client(&server), INSTANCE, "nightly").await.unwrap();
    mock.assert();
    assert!(!r.healthy());
    assert_eq!(r.failures, ["enable_snapshots = true: failed"]);
    assert_eq!(
        r.to_string(),
        "task nightly: database_name -> target_database_name (all tables)\nFAILED enable_snapshots = true: failed\n"
    );
}

#[tokio::test]
async fn a_healthy_task_says_so() {
    let server = MockServer::start_async().await;
    let mut config = example(examples::STATUS_200_PAGE_CORRECTED);
    for check in config
        .database_info
        .as_mut()
        .unwrap()
        .db_config_check_results
        .as_mut()
        .unwrap()
    {
        check.check_result = Some(taurusdb::types::CheckResult::Success);
    }
    server.list_star_rocks_data_replication_config(|_, then| {
        then.ok(&config);
    });
    let r = report(&client(&server), INSTANCE, "nightly").await.unwrap();
    assert!(r.healthy(), "{r}");
    assert!(r.to_string().ends_with("all checks passed\n"));
}

#[tokio::test]
async fn api_errors_come_through_typed() {
    let server = MockServer::start_async().await;
    server.list_star_rocks_data_replication_config(|_, then| {
        then.bad_request(
            &serde_json::from_str::<ErrorResponse>(examples::STATUS_400_PAGE).unwrap(),
        );
    });
    let e = report(&client(&server), INSTANCE, "nightly")
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.error_code()),
        (ErrorKind::Api, Some("DBS.200022"))
    );
}

/// A response built in Rust, as a downstream crate's tests build one: through the generated
/// builders (the types are `#[non_exhaustive]`, so a field the API adds later does not break
/// this code), never with a struct literal.
#[tokio::test]
async fn responses_built_with_the_generated_builders() {
    use taurusdb::types::{
        CheckResult, DataBaseInfo, DbConfigCheckResult, ReplScope, TableReplConfig,
    };
    let check = DbConfigCheckResult::builder()
        .param_name(Some("enable_snapshots".to_string()))
        .value(Some("true".to_string()))
        .check_result(Some(CheckResult::Fail));
    let config: StarRocksReplicationConfig = StarRocksReplicationConfig::builder()
        .database_info(Some(
            DataBaseInfo::builder()
                .database_name(Some("orders".to_string()))
                .db_config_check_results(Some(vec![check.try_into().unwrap()]))
                .try_into()
                .unwrap(),
        ))
        .table_repl_config(Some(
            TableReplConfig::builder()
                .repl_scope(Some(ReplScope::All))
                .try_into()
                .unwrap(),
        ))
        .target_database_name(Some("orders_copy".to_string()))
        .try_into()
        .unwrap();
    let server = MockServer::start_async().await;
    server.list_star_rocks_data_replication_config(|_, then| {
        then.ok(&config);
    });
    let r = report(&client(&server), INSTANCE, "nightly").await.unwrap();
    assert_eq!(r.failures, ["enable_snapshots = true: fail"]);
    assert_eq!(
        r.to_string(),
        "task nightly: orders -> orders_copy (all tables)\nFAILED enable_snapshots = true: fail\n"
    );
}
