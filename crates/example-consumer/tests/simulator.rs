//! The report against the simulator of `taurusdb-httpmock` (feature `simulator`): tasks are
//! created, paused and deleted through the client, and the report sees what the service
//! would list. The simulator answers every task's configuration with the spec's example for
//! it: the API page's example, whose `enable_snapshots` check is `failed`.

use serde_json::json;
use sync_task_report::{PAGE_SIZE, report};
use taurusdb::types::{
    CreateReplicationRequest, Percentage, ReplicationStage, ReplicationStatus, ReplicationTaskName,
};
use taurusdb::{Client, Credentials, ErrorKind, RetryPolicy};
use taurusdb_httpmock::simulator::Simulator;

mod common;
use common::{INSTANCE, PROJECT};
const OTHER_INSTANCE: &str = "9f1c2d3e4a5b4c6d8e7f0a1b2c3d4e5fin17";
const SOURCE_INSTANCE: &str = "1f8c3e5a7b9d4f2a8c6e0b4d2f7a9c1ein07";
/// The failing check of the configuration the simulator serves for every task.
const EXAMPLE_FAILURE: &str = "enable_snapshots = true: failed";

const LIST: &str = "ListStarRocksDataReplications";
const CONFIG: &str = "ListStarRocksDataReplicationConfig";

fn client(sim: &Simulator) -> Client {
    Client::builder()
        .endpoint(sim.base_url())
        .project_id(PROJECT)
        .credentials(Credentials::token("test-token"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn create(client: &Client, instance: &str, task: &str, source: &str, target: &str) {
    let body = CreateReplicationRequest::builder()
        .task_name(task)
        .source_instance_id(SOURCE_INSTANCE.to_string())
        .source_database(source.to_string())
        .target_database(target.to_string());
    client.create_replication(instance, body).await.unwrap();
}

/// `orders_sync` and then `customers_sync` on [`INSTANCE`].
async fn create_two(client: &Client) {
    create(
        client,
        INSTANCE,
        "orders_sync",
        "orders",
        "orders_analytics",
    )
    .await;
    create(
        client,
        INSTANCE,
        "customers_sync",
        "customers",
        "customers_copy",
    )
    .await;
}

fn task(name: &str) -> ReplicationTaskName {
    ReplicationTaskName::builder()
        .task_name(name)
        .try_into()
        .unwrap()
}

/// The calls of an operation the simulator received, in order.
fn calls(sim: &Simulator, operation: &str) -> Vec<taurusdb_httpmock::simulator::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.operation == Some(operation))
        .collect()
}

#[tokio::test]
async fn tasks_created_through_the_client_appear_in_the_report() {
    let sim = Simulator::start().await;
    let c = client(&sim);
    create_two(&c).await;
    create(&c, OTHER_INSTANCE, "elsewhere", "stock", "stock_copy").await;

    let r = report(&c, INSTANCE).await.unwrap();
    assert_eq!(r.instance_id, INSTANCE);
    let names: Vec<&str> = r.tasks.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        ["orders_sync", "customers_sync"],
        "in the list's order, without the other instance's task"
    );
    let t = &r.tasks[0];
    assert_eq!(t.source_database.as_deref(), Some("orders"));
    assert_eq!(t.target_database.as_deref(), Some("orders_analytics"));
    assert_eq!(t.stage, Some(ReplicationStage::Wait), "a new task waits");
    assert_eq!(t.status, Some(ReplicationStatus::Yes));
    assert_eq!(t.progress, Some(Percentage::String("0%".into())));
    let failures: Vec<String> = t.failures().iter().map(ToString::to_string).collect();
    assert_eq!(failures, [EXAMPLE_FAILURE]);
    assert!(!r.all_passed());
    assert_eq!(r.errors().count(), 0);

    // Each task's configuration was asked for by its name, in this instance.
    let asked: Vec<(String, Option<String>)> = calls(&sim, CONFIG)
        .iter()
        .map(|c| (c.path.clone(), c.query_param("task_name").map(String::from)))
        .collect();
    let path =
        format!("/v3/{PROJECT}/instances/{INSTANCE}/starrocks/databases/replication/configuration");
    assert_eq!(
        asked,
        [
            (path.clone(), Some("orders_sync".to_string())),
            (path, Some("customers_sync".to_string()))
        ]
    );

    assert_eq!(
        r.to_string(),
        "\
TASK            SOURCE     TARGET            STAGE  STATUS  PROGRESS  CATCH-UP  CHECKS
orders_sync     orders     orders_analytics  wait   Yes     0%        -         1 failed
customers_sync  customers  customers_copy    wait   Yes     0%        -         1 failed

orders_sync: FAILED enable_snapshots = true: failed
customers_sync: FAILED enable_snapshots = true: failed
"
    );
}

#[tokio::test]
async fn every_page_of_the_task_list_is_asked_for() {
    let sim = Simulator::start().await;
    let scope = [("project_id", PROJECT), ("instance_id", INSTANCE)];
    let count = 2 * PAGE_SIZE as usize + 5;
    for i in 0..count {
        sim.insert(
            "replications",
            &scope,
            json!({
                "task_name": format!("task_{i:03}"),
                "source_database": "orders",
                "target_database": format!("orders_{i:03}"),
                "stage": "incremental",
                "status": "Yes",
                "percentage": "100%",
            }),
        )
        .unwrap();
    }
    let r = report(&client(&sim), INSTANCE).await.unwrap();

    let names: Vec<String> = r.tasks.iter().map(|t| t.name().to_string()).collect();
    let expected: Vec<String> = (0..count).map(|i| format!("task_{i:03}")).collect();
    assert_eq!(names, expected, "every task of every page, once, in order");
    let pages: Vec<(Option<String>, Option<String>)> = calls(&sim, LIST)
        .iter()
        .map(|r| {
            (
                r.query_param("offset").map(String::from),
                r.query_param("limit").map(String::from),
            )
        })
        .collect();
    let page = |offset: &str| (Some(offset.to_string()), Some(PAGE_SIZE.to_string()));
    assert_eq!(pages, [page("0"), page("100"), page("200")]);
    assert_eq!(
        calls(&sim, CONFIG).len(),
        count,
        "one configuration per task"
    );
    assert!(
        r.tasks
            .iter()
            .all(|t| t.failures().len() == 1 && t.stage == Some(ReplicationStage::Incremental))
    );
}

#[tokio::test]
async fn a_paused_task_shows_its_stage() {
    let sim = Simulator::start().await;
    sim.polls_until_done(0);
    let c = client(&sim);
    create_two(&c).await;
    let job = c
        .pause_replication(INSTANCE, task("orders_sync"))
        .await
        .unwrap()
        .job_id
        .clone()
        .unwrap();
    c.wait_for_job(job).await.unwrap();

    let r = report(&c, INSTANCE).await.unwrap();
    let stages: Vec<(&str, Option<&ReplicationStage>)> = r
        .tasks
        .iter()
        .map(|t| (t.name(), t.stage.as_ref()))
        .collect();
    assert_eq!(
        stages,
        [
            ("orders_sync", Some(&ReplicationStage::Paused)),
            ("customers_sync", Some(&ReplicationStage::Wait))
        ]
    );
    let text = r.to_string();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.starts_with("orders_sync ") && row.contains(" paused "),
        "{text}"
    );
}

#[tokio::test]
async fn a_deleted_task_is_gone_from_the_report() {
    let sim = Simulator::start().await;
    sim.polls_until_done(0);
    let c = client(&sim);
    create_two(&c).await;
    assert_eq!(report(&c, INSTANCE).await.unwrap().tasks.len(), 2);

    let job = c
        .delete_replication(INSTANCE, task("orders_sync"))
        .await
        .unwrap()
        .job_id
        .clone()
        .unwrap();
    c.wait_for_job(job).await.unwrap();

    let r = report(&c, INSTANCE).await.unwrap();
    let names: Vec<&str> = r.tasks.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["customers_sync"]);
    assert!(!r.to_string().contains("orders_sync"), "{r}");
}

#[tokio::test]
async fn an_instance_without_tasks_gives_an_empty_report() {
    let sim = Simulator::start().await;
    let c = client(&sim);
    create(&c, OTHER_INSTANCE, "elsewhere", "stock", "stock_copy").await;

    let r = report(&c, INSTANCE).await.unwrap();
    assert!(r.tasks.is_empty());
    assert!(r.all_passed(), "nothing failed");
    assert_eq!(
        r.to_string(),
        format!("instance {INSTANCE}: no sync tasks\n")
    );
    assert_eq!(calls(&sim, LIST).len(), 1);
    assert!(calls(&sim, CONFIG).is_empty());
}

/// Values as the service sends them: a percentage as a number, a stage the API does not
/// document, control characters (escaped); a name the API's rules do not allow is that
/// task's error, and the report goes on.
#[tokio::test]
async fn values_are_shown_as_received_and_a_refused_name_is_that_tasks_error() {
    let sim = Simulator::start().await;
    let scope = [("project_id", PROJECT), ("instance_id", INSTANCE)];
    for item in [
        json!({"task_name": "numbers", "source_database": "orders", "target_database": "orders_copy",
               "stage": "Incremental", "status": "Yes", "percentage": 45.5,
               "catchup_stage": "full", "catchup_percentage": 7}),
        json!({"task_name": "bad-name", "source_database": "stock", "target_database": "stock_copy"}),
        json!({"task_name": "strings", "source_database": "customers\n\u{1b}[2J", "target_database": "customers_copy",
               "stage": "full", "status": "No", "percentage": "45%"}),
    ] {
        sim.insert("replications", &scope, item).unwrap();
    }
    let r = report(&client(&sim), INSTANCE).await.unwrap();

    let numbers = &r.tasks[0];
    assert_eq!(numbers.progress, Some(Percentage::Number(45.5)));
    assert_eq!(
        numbers.stage,
        Some(ReplicationStage::Other("Incremental".into()))
    );
    let bad = &r.tasks[1];
    let e = bad.checks.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.parameter(), Some("task_name"), "{e}");
    assert_eq!(r.tasks[2].failures().len(), 1, "the report went on");
    let asked: Vec<Option<String>> = calls(&sim, CONFIG)
        .iter()
        .map(|c| c.query_param("task_name").map(String::from))
        .collect();
    assert_eq!(
        asked,
        [Some("numbers".to_string()), Some("strings".to_string())],
        "the refused name was never sent"
    );

    // A line break and a terminal's escape sequence in a value are shown escaped.
    assert_eq!(
        r.to_string(),
        r#"TASK      SOURCE                TARGET          STAGE        STATUS  PROGRESS  CATCH-UP  CHECKS
numbers   orders                orders_copy     Incremental  Yes     45.5      full 7    1 failed
bad-name  stock                 stock_copy      -            -       -         -         error
strings   customers\n\u{1b}[2J  customers_copy  full         No      45%       -         1 failed

numbers: FAILED enable_snapshots = true: failed
bad-name: ERROR reading the configuration: invalid task_name: doesn't match pattern "^[A-Za-z0-9_]+$"
strings: FAILED enable_snapshots = true: failed
"#
    );
    assert_eq!(r.errors().count(), 1);
}
