//! The report against typed mocks from `taurusdb-httpmock`: the task list is the spec's
//! example of two tasks, and each task's configuration is a response of the test's choosing.

use std::time::Duration;

use httpmock::{Mock, MockServer};
use sync_task_report::{FailedCheck, PAGE_SIZE, report};
use taurusdb::types::{
    CheckResult, DataBaseInfo, DbConfigCheckResult, ErrorResponse, Language,
    StarRocksReplicationConfig, TableConfigCheckResult,
};
use taurusdb::{Client, Credentials, ErrorKind, RetryPolicy};
use taurusdb_httpmock::MockServerExt;
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as config_examples;
use taurusdb_httpmock::examples::list_star_rocks_data_replications as list_examples;

mod common;
use common::{INSTANCE, PROJECT, all_passed, two_task_list};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .project_id(PROJECT)
        .credentials(Credentials::token("test-token"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The spec's list of two tasks, `sync_task_01` and `sync_task_02`, as the only page.
fn two_tasks(server: &MockServer) -> Mock<'_> {
    server.list_star_rocks_data_replications(|when, then| {
        when.project_id(PROJECT)
            .instance_id(INSTANCE)
            .offset(0)
            .limit(i64::from(PAGE_SIZE))
            .x_language(Language::EnUs);
        then.ok(&two_task_list());
    })
}

/// Serves `config` as the configuration of `task`.
fn config_of<'a>(
    server: &'a MockServer,
    task: &str,
    config: &StarRocksReplicationConfig,
) -> Mock<'a> {
    server.list_star_rocks_data_replication_config(|when, then| {
        when.project_id(PROJECT)
            .instance_id(INSTANCE)
            .task_name(&task.parse().unwrap())
            .x_language(Language::EnUs);
        then.ok(config);
    })
}

/// The page's example with every check a success.
fn healthy() -> StarRocksReplicationConfig {
    all_passed(serde_json::from_str(config_examples::STATUS_200_PAGE_CORRECTED).unwrap())
}

/// A configuration built in Rust, as a downstream crate's tests build one: through the
/// generated builders (the types are `#[non_exhaustive]`, so a field the API adds later does
/// not break this code), never with a struct literal. A database check passes; a table check
/// fails, another has no result.
fn failing_tables() -> StarRocksReplicationConfig {
    let check = |param: &str, result: CheckResult| -> DbConfigCheckResult {
        DbConfigCheckResult::builder()
            .param_name(Some(param.to_string()))
            .value(Some("true".to_string()))
            .check_result(Some(result))
            .try_into()
            .unwrap()
    };
    let table = |name: &str, result: Option<CheckResult>| -> TableConfigCheckResult {
        TableConfigCheckResult::builder()
            .table_name(Some(name.to_string()))
            .table_config(Some("order by id".to_string()))
            .check_result(result)
            .try_into()
            .unwrap()
    };
    StarRocksReplicationConfig::builder()
        .database_info(Some(
            DataBaseInfo::builder()
                .database_name(Some("customers".to_string()))
                .db_config_check_results(Some(vec![check(
                    "snapshot_with_lock",
                    CheckResult::Success,
                )]))
                .try_into()
                .unwrap(),
        ))
        .table_infos(Some(vec![
            table("orders", Some(CheckResult::Fail)),
            table("audit_log", None),
            table("payments", Some(CheckResult::Success)),
        ]))
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn lists_the_checks_that_did_not_pass_of_every_task() {
    let server = MockServer::start_async().await;
    let list = two_tasks(&server);
    // The page's example verbatim: its `failed` is not a value the API documents, and a
    // check with a result other than `success` did not pass.
    let first = config_of(
        &server,
        "sync_task_01",
        &serde_json::from_str(config_examples::STATUS_200_PAGE_VERBATIM).unwrap(),
    );
    let second = config_of(&server, "sync_task_02", &failing_tables());

    let r = report(&client(&server), INSTANCE).await.unwrap();
    list.assert();
    first.assert();
    second.assert();
    assert!(!r.all_passed());
    assert_eq!(r.errors().count(), 0);
    assert_eq!(
        r.tasks[0].failures(),
        [FailedCheck::Database {
            parameter: Some("enable_snapshots".into()),
            value: Some("true".into()),
            result: Some(CheckResult::Other("failed".into())),
        }]
    );
    let failures: Vec<(&str, String)> = r
        .failures()
        .map(|(t, c)| (t.name(), c.to_string()))
        .collect();
    assert_eq!(
        failures,
        [
            (
                "sync_task_01",
                "enable_snapshots = true: failed".to_string()
            ),
            (
                "sync_task_02",
                "table orders (order by id): fail".to_string()
            ),
            (
                "sync_task_02",
                "table audit_log (order by id): no result".to_string()
            ),
        ]
    );
    assert_eq!(
        r.to_string(),
        "\
TASK          SOURCE     TARGET               STAGE        STATUS  PROGRESS  CATCH-UP          CHECKS
sync_task_01  orders     orders_analytics     incremental  Yes     100%      incremental 100%  1 failed
sync_task_02  customers  customers_analytics  full         Yes     45%       -                 2 failed

sync_task_01: FAILED enable_snapshots = true: failed
sync_task_02: FAILED table orders (order by id): fail
sync_task_02: FAILED table audit_log (order by id): no result
"
    );
}

#[tokio::test]
async fn an_instance_whose_checks_all_passed_says_so() {
    let server = MockServer::start_async().await;
    two_tasks(&server);
    config_of(&server, "sync_task_01", &healthy());
    config_of(&server, "sync_task_02", &healthy());

    let r = report(&client(&server), INSTANCE).await.unwrap();
    assert!(r.all_passed(), "{r}");
    assert!(r.tasks.iter().all(|t| t.passed()));
    let text = r.to_string();
    assert_eq!(
        text.lines().count(),
        3,
        "the table, nothing under it: {text}"
    );
    assert!(
        text.lines().skip(1).all(|l| l.ends_with("  passed")),
        "{text}"
    );
}

/// An API error on one task's configuration (a task deleted since the list was read, a
/// service error) is that task's: the report records it and goes on with the other tasks,
/// so that one task's trouble does not hide the state of the rest.
#[tokio::test]
async fn an_api_error_on_one_tasks_configuration_is_recorded_and_the_report_goes_on() {
    let server = MockServer::start_async().await;
    two_tasks(&server);
    let refused = server.list_star_rocks_data_replication_config(|when, then| {
        when.task_name(&"sync_task_01".parse().unwrap());
        then.bad_request(
            &serde_json::from_str::<ErrorResponse>(config_examples::STATUS_400_PAGE).unwrap(),
        );
    });
    config_of(
        &server,
        "sync_task_02",
        &serde_json::from_str(config_examples::STATUS_200_PAGE_VERBATIM).unwrap(),
    );

    let r = report(&client(&server), INSTANCE).await.unwrap();
    refused.assert();
    let errors: Vec<(&str, ErrorKind, Option<u16>, Option<&str>)> = r
        .errors()
        .map(|(t, e)| {
            (
                t.name(),
                e.kind(),
                e.status().map(|s| s.as_u16()),
                e.error_code(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            "sync_task_01",
            ErrorKind::Api,
            Some(400),
            Some("DBS.200022")
        )]
    );
    assert!(
        !r.tasks[0].passed(),
        "a task whose checks are unknown did not pass"
    );
    assert!(r.tasks[0].failures().is_empty());
    assert_eq!(r.tasks[1].failures().len(), 1, "the next task was reported");
    let text = r.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("sync_task_01 ") && lines[1].ends_with("  error"),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l
            .starts_with("sync_task_01: ERROR reading the configuration: HTTP 400")
            && l.contains("DBS.200022")
            && l.contains("Instance not found.")),
        "{text}"
    );
    assert!(
        lines.contains(&"sync_task_02: FAILED enable_snapshots = true: failed"),
        "{text}"
    );
}

/// A task the list gives no name cannot be asked for: the client refuses the empty name
/// before sending anything, and that is the task's error.
#[tokio::test]
async fn a_task_without_a_name_is_that_tasks_error() {
    let server = MockServer::start_async().await;
    server.list_star_rocks_data_replications(|_, then| {
        then.ok(&serde_json::from_str(
            r#"{"total_count": "2", "replications": [
                {"source_database": "orders", "stage": "full"},
                {"task_name": "sync_task_02", "stage": "full"}
            ]}"#,
        )
        .unwrap());
    });
    let config = server.list_star_rocks_data_replication_config(|_, then| {
        then.ok(&healthy());
    });

    let r = report(&client(&server), INSTANCE).await.unwrap();
    config.assert_calls(1);
    let (task, e) = r.errors().next().unwrap();
    assert_eq!((task.task_name.as_deref(), task.name()), (None, "?"));
    assert_eq!(
        (e.kind(), e.parameter()),
        (ErrorKind::InvalidRequest, Some("task_name")),
        "{e}"
    );
    assert!(r.tasks[1].passed());
    assert!(
        r.to_string().lines().nth(1).unwrap().starts_with("?  "),
        "{r}"
    );
}

/// A failure that says nothing about the task (no answer in time, no connection) would
/// recur for every task: the report stops with it instead of asking for every task.
#[tokio::test]
async fn a_failure_that_would_recur_for_every_task_stops_the_report() {
    let server = MockServer::start_async().await;
    two_tasks(&server);
    let slow = server.list_star_rocks_data_replication_config(|_, then| {
        then.into_inner()
            .delay(Duration::from_secs(2))
            .status(200)
            .header("content-type", "application/json")
            .body(config_examples::STATUS_200_PAGE_VERBATIM);
    });
    let c = Client::builder()
        .endpoint(server.base_url())
        .project_id(PROJECT)
        .credentials(Credentials::token("test-token"))
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let e = report(&c, INSTANCE).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    slow.assert_calls(1);
}

#[tokio::test]
async fn an_error_listing_the_tasks_is_the_reports_error() {
    let server = MockServer::start_async().await;
    server.list_star_rocks_data_replications(|_, then| {
        then.bad_request(
            &serde_json::from_str::<ErrorResponse>(list_examples::STATUS_400_VENDOR).unwrap(),
        );
    });
    let config = server.list_star_rocks_data_replication_config(|_, then| {
        then.ok(&healthy());
    });

    let e = report(&client(&server), INSTANCE).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.error_code()),
        (ErrorKind::Api, Some("DBS.200022"))
    );
    config.assert_calls(0);
}

/// The report's future can be spawned on a multi-threaded runtime.
#[test]
fn the_report_is_send() {
    fn send<T: Send>(_: &T) {}
    let c = Client::builder()
        .endpoint("http://127.0.0.1:9")
        .project_id(PROJECT)
        .build()
        .unwrap();
    send(&report(&c, INSTANCE));
}
