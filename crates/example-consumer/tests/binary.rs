//! The `sync-task-report` binary against typed mocks: its settings from the environment only
//! (as `ClientBuilder::from_env()` reads them: a region whose endpoint the official
//! per-region variable points at the mock, a project ID, a token), its output and its exit
//! status.

use std::process::Command;

use httpmock::MockServer;
use taurusdb::types::{ErrorResponse, StarRocksReplicationConfig};
use taurusdb_httpmock::MockServerExt;
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as config_examples;

mod common;
use common::{INSTANCE, PROJECT, all_passed, two_task_list};
const TOKEN: &str = "binary-test-token-3f9a";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args` in an environment of its own: an empty home (no profile or
/// regions file of this machine), and, given a server, the settings that point it there.
fn run(server: Option<&MockServer>, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-task-report"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        // Never the cloud's metadata service, whatever the test's settings lack.
        .env("TAURUSDB_METADATA_ENDPOINT", "http://127.0.0.1:9");
    if let Some(server) = server {
        command
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
            .env(
                "HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4",
                server.base_url(),
            )
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("TAURUSDB_AUTH_TOKEN", TOKEN);
    }
    let output = command.output().expect("the binary runs");
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token never shows: {}",
        run.render()
    );
    run
}

impl Run {
    fn render(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The spec's two tasks, for requests that carry the environment's project and token.
fn two_tasks(server: &MockServer) -> httpmock::Mock<'_> {
    server.list_star_rocks_data_replications(|when, then| {
        when.project_id(PROJECT)
            .instance_id(INSTANCE)
            .into_inner()
            .header("x-auth-token", TOKEN);
        then.ok(&two_task_list());
    })
}

fn config_of(server: &MockServer, task: &str, config: &StarRocksReplicationConfig) {
    server.list_star_rocks_data_replication_config(|when, then| {
        when.task_name(&task.parse().unwrap());
        then.ok(config);
    });
}

fn verbatim() -> StarRocksReplicationConfig {
    serde_json::from_str(config_examples::STATUS_200_PAGE_VERBATIM).unwrap()
}

fn healthy() -> StarRocksReplicationConfig {
    all_passed(verbatim())
}

#[test]
fn a_failing_check_prints_the_table_and_exits_1() {
    let server = MockServer::start();
    let list = two_tasks(&server);
    config_of(&server, "sync_task_01", &verbatim());
    config_of(&server, "sync_task_02", &healthy());

    let run = run(Some(&server), &[INSTANCE]);
    list.assert();
    assert_eq!(run.code, Some(1), "{}", run.render());
    assert_eq!(
        run.stdout,
        "\
TASK          SOURCE     TARGET               STAGE        STATUS  PROGRESS  CATCH-UP          CHECKS
sync_task_01  orders     orders_analytics     incremental  Yes     100%      incremental 100%  1 failed
sync_task_02  customers  customers_analytics  full         Yes     45%       -                 passed

sync_task_01: FAILED enable_snapshots = true: failed
",
        "{}",
        run.render()
    );
    assert_eq!(run.stderr, "", "{}", run.render());
}

#[test]
fn every_check_passed_exits_0() {
    let server = MockServer::start();
    two_tasks(&server);
    config_of(&server, "sync_task_01", &healthy());
    config_of(&server, "sync_task_02", &healthy());

    let run = run(Some(&server), &[INSTANCE]);
    assert_eq!(run.code, Some(0), "{}", run.render());
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.render());
    assert_eq!(run.stderr, "", "{}", run.render());
}

#[test]
fn an_instance_without_tasks_exits_0() {
    let server = MockServer::start();
    server.list_star_rocks_data_replications(|_, then| {
        then.ok(&serde_json::from_str(r#"{"total_count": "0", "replications": []}"#).unwrap());
    });

    let run = run(Some(&server), &[INSTANCE]);
    assert_eq!(run.code, Some(0), "{}", run.render());
    assert_eq!(run.stdout, format!("instance {INSTANCE}: no sync tasks\n"));
}

#[test]
fn a_configuration_that_cannot_be_read_is_reported_and_exits_2_with_the_error() {
    let server = MockServer::start();
    two_tasks(&server);
    server.list_star_rocks_data_replication_config(|when, then| {
        when.task_name(&"sync_task_01".parse().unwrap());
        then.bad_request(
            &serde_json::from_str::<ErrorResponse>(config_examples::STATUS_400_PAGE).unwrap(),
        );
    });
    config_of(&server, "sync_task_02", &verbatim());

    let run = run(Some(&server), &[INSTANCE]);
    assert_eq!(run.code, Some(2), "{}", run.render());
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert!(
        rows[1].starts_with("sync_task_01 ") && rows[1].ends_with("  error"),
        "{}",
        run.render()
    );
    assert!(
        rows[2].starts_with("sync_task_02 ") && rows[2].ends_with("  1 failed"),
        "the report went on: {}",
        run.render()
    );
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(errors.len(), 1, "{}", run.render());
    assert!(
        errors[0].starts_with("error: the configuration of task sync_task_01: HTTP 400")
            && errors[0].contains("DBS.200022: Instance not found."),
        "{}",
        run.render()
    );
}

#[test]
fn a_list_that_cannot_be_read_exits_2_with_the_error() {
    let server = MockServer::start();
    server.list_star_rocks_data_replications(|_, then| {
        then.internal_server_error(
            &serde_json::from_str::<ErrorResponse>(config_examples::STATUS_500_SERVER_FAILURE)
                .unwrap(),
        );
    });

    let run = run(Some(&server), &[INSTANCE]);
    assert_eq!(run.code, Some(2), "{}", run.render());
    assert_eq!(run.stdout, "", "{}", run.render());
    assert!(
        run.stderr.starts_with("error: HTTP 500")
            && run.stderr.contains("DBS.108000: Server failure.")
            && run.stderr.lines().count() == 1,
        "{}",
        run.render()
    );
}

#[test]
fn arguments_other_than_one_instance_id_print_the_usage_and_exit_2() {
    for args in [&[][..], &[INSTANCE, "extra"], &["--verbose"]] {
        let run = run(None, args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.render());
        assert_eq!(run.stderr, "usage: sync-task-report <instance-id>\n");
        assert_eq!(run.stdout, "");
    }
    let help = run(None, &["--help"]);
    assert_eq!(help.code, Some(0), "{}", help.render());
    assert!(
        help.stdout
            .starts_with("usage: sync-task-report <instance-id>\n")
    );
}
