//! A sync task's whole life through the client's public entry points, against the stateful
//! mock of `taurusdb-httpmock` (feature `simulator`): check the configuration, create the
//! task and wait for its job, find it in the list (a page, and the `items()` stream across
//! pages), pause, resume, modify, query its configuration, delete it and see it gone, each
//! job waited for; a job that fails and one that does not end in time; the typed errors of a
//! task that exists already or does not exist; and, against scripted servers, calls that
//! change a task are sent once while a query is retried.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use taurusdb::types::{self, JobStatus, ReplicationStage};
use taurusdb::{Client, Credentials, ErrorKind};
use taurusdb_httpmock::examples;
use taurusdb_httpmock::simulator::Simulator;
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;

/// The task these tests create.
const NAME: &str = "nightly_orders";
/// The simulator's collection of tasks, as the spec's `x-mock` hints name it.
const TASKS: &str = "replications";
/// The longest any job of these tests may take: the simulator ends them after a few polls.
const JOB_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

fn create_body(name: &str) -> types::builder::CreateReplicationRequest {
    types::CreateReplicationRequest::builder()
        .task_name(name)
        .source_instance_id("1f8c3e5a7b9d4f2a8c6e0b4d2f7a9c1ein07")
        .source_database("orders")
        .target_database("orders_analytics")
}

fn named(name: &str) -> types::builder::ReplicationTaskName {
    types::ReplicationTaskName::builder().task_name(name)
}

fn modify_body() -> Value {
    json!({
        "task_name": NAME,
        "db_configs": [{"param_name": "sync_commit_interval_ms", "value": "5000"}],
        "table_repl_config": {"repl_type": "exclude_tables", "repl_scope": "part", "tables": ["audit_log"]}
    })
}

fn modify_request() -> types::ModifyReplicationRequest {
    serde_json::from_value(modify_body()).unwrap()
}

/// Creates the task; the ID of the job that creates it.
async fn create(c: &Client) -> String {
    let created = c
        .create_replication(INSTANCE, create_body(NAME))
        .await
        .unwrap();
    created.job_id.clone().expect("the call names its job")
}

/// Waits for `job` with short polls, for at most `timeout`.
async fn wait(
    c: &Client,
    job: &str,
    timeout: Duration,
) -> Result<taurusdb::ResponseValue<types::JobInfo>, taurusdb::Error> {
    c.wait_for_job(job)
        .poll_interval(POLL)
        .timeout(timeout)
        .await
}

/// Waits for the job a call named, and returns its final state.
async fn waited(c: &Client, job: Option<&String>) -> types::JobDetail {
    let job = job.expect("the call names its job");
    let done = wait(c, job, JOB_TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("job {job}: {e}"));
    let state = done.into_inner().job.expect("the job's state");
    assert_eq!(state.status, Some(JobStatus::Completed), "{state:?}");
    assert_eq!(
        state.id.as_ref(),
        Some(job),
        "the state of the job waited for"
    );
    state
}

/// The tasks of the instance's first page: name and stage.
async fn listed(c: &Client) -> Vec<(String, Option<ReplicationStage>)> {
    let list = c.replications(INSTANCE).await.unwrap().into_inner();
    list.replications
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.task_name.unwrap_or_default(), t.stage))
        .collect()
}

/// The names of the instance's tasks, through the `items()` stream with pages of `limit`.
async fn streamed(c: &Client, limit: i64) -> Vec<String> {
    let mut items = std::pin::pin!(c.replications(INSTANCE).limit(limit).items());
    let mut names = Vec::new();
    while let Some(task) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(items.as_mut(), cx)).await
    {
        names.push(task.unwrap().task_name.unwrap_or_default());
    }
    names
}

/// The last request the simulator answered: its operation and JSON body.
fn last_request(sim: &Simulator) -> (Option<&'static str>, Option<Value>) {
    let requests = sim.requests();
    let last = requests.last().expect("a request");
    (last.operation, last.json())
}

#[tokio::test]
async fn a_tasks_whole_life_through_the_client_each_job_waited_for() {
    let sim = Simulator::start().await;
    let c = client(&sim.base_url());
    // Two tasks of the instance, and one of another instance that its list never shows.
    for (instance, name) in [
        (INSTANCE, "aaa_first"),
        (INSTANCE, "zzz_last"),
        ("other_in17", NAME),
    ] {
        let scope = [("project_id", PROJECT), ("instance_id", instance)];
        sim.insert(
            TASKS,
            &scope,
            json!({"task_name": name, "stage": "incremental"}),
        )
        .unwrap();
    }

    // The configuration is checked before the task is created.
    let check = json!({
        "task_name": NAME,
        "source_instance_id": "1f8c3e5a7b9d4f2a8c6e0b4d2f7a9c1ein07",
        "source_database_name": "orders",
        "target_database_name": "orders_analytics",
        "db_configs": [{"param_name": "sync_commit_interval_ms", "value": "5000"}],
        "table_repl_config": {"repl_type": "include_tables", "repl_scope": "part", "tables": ["orders"]}
    });
    let request: types::DatabaseConfigCheckRequest = serde_json::from_value(check.clone()).unwrap();
    let checked = c.check_database_config(INSTANCE, request).await.unwrap();
    let results = checked.source_db_config_check_results.as_ref();
    assert!(results.is_some_and(|r| !r.is_empty()), "{checked:?}");
    assert_eq!(
        last_request(&sim),
        (Some("CheckDataBaseConfig"), Some(check.clone()))
    );
    let mut tables = check.clone();
    tables["is_create_task"] = json!("true");
    tables["tables_configs"] = json!([{"table_name": "orders", "table_config": "order by id"}]);
    let request: types::TableConfigCheckRequest = serde_json::from_value(tables.clone()).unwrap();
    let checked = c.check_table_config(INSTANCE, request).await.unwrap();
    let results = checked.tbl_config_check_results.as_ref();
    assert!(results.is_some_and(|r| !r.is_empty()), "{checked:?}");
    assert_eq!(last_request(&sim), (Some("CheckTableConfig"), Some(tables)));

    // Created: listed at once in the stage the service gives a new task.
    waited(&c, Some(&create(&c).await)).await;
    let wait = Some(ReplicationStage::Wait);
    let incremental = Some(ReplicationStage::Incremental);
    assert_eq!(
        listed(&c).await,
        [
            ("aaa_first".to_string(), incremental.clone()),
            ("zzz_last".to_string(), incremental.clone()),
            (NAME.to_string(), wait),
        ]
    );
    let before = sim.requests().len();
    assert_eq!(streamed(&c, 2).await, ["aaa_first", "zzz_last", NAME]);
    let offsets: Vec<Option<String>> = sim.requests()[before..]
        .iter()
        .map(|r| r.query_param("offset").map(str::to_string))
        .collect();
    assert_eq!(offsets, [Some("0".into()), Some("2".into())], "two pages");

    // Paused, resumed: each stage as the list shows it.
    let paused = c.pause_replication(INSTANCE, named(NAME)).await.unwrap();
    waited(&c, paused.job_id.as_ref()).await;
    assert_eq!(
        listed(&c).await[2],
        (NAME.to_string(), Some(ReplicationStage::Paused))
    );
    let resumed = c.resume_replication(INSTANCE, named(NAME)).await.unwrap();
    waited(&c, resumed.job_id.as_ref()).await;
    assert_eq!(listed(&c).await[2], (NAME.to_string(), incremental.clone()));

    // Modified: the new configuration is sent as given, and its job waited for.
    let modified = c
        .modify_replication(INSTANCE, modify_request())
        .await
        .unwrap();
    assert_eq!(
        last_request(&sim),
        (Some("ModifyDataSync"), Some(modify_body()))
    );
    waited(&c, modified.job_id.as_ref()).await;
    let config = c.replication_config(INSTANCE, NAME).await.unwrap();
    assert!(config.database_info.is_some(), "{config:?}");
    let requests = sim.requests();
    let query = requests.last().unwrap();
    assert_eq!(
        (query.operation, query.query_param("task_name")),
        (Some("ListStarRocksDataReplicationConfig"), Some(NAME))
    );

    // Deleted: gone from the list, and from this instance only.
    let deleted = c.delete_replication(INSTANCE, named(NAME)).await.unwrap();
    waited(&c, deleted.job_id.as_ref()).await;
    let names: Vec<String> = listed(&c).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["aaa_first", "zzz_last"]);
    let list = c.replications(INSTANCE).await.unwrap();
    assert_eq!(
        list.total_count
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        sim.items(TASKS, &[("instance_id", "other_in17")])[0]["task_name"],
        NAME
    );

    // One job per change, each polled until it ended.
    let jobs: Vec<&str> = sim.jobs().iter().map(|j| j.operation).collect();
    assert_eq!(
        jobs,
        [
            "CreateStarRocksDataReplication",
            "PauseStarRocksDataReplication",
            "ResumeStarRocksDataReplication",
            "ModifyDataSync",
            "DeleteStarRocksDataReplication"
        ]
    );
    for job in sim.jobs() {
        assert_eq!(job.polls, job.polls_until_done + 1, "{job:?}");
    }
}

#[tokio::test]
async fn a_failed_job_is_the_typed_job_failure_naming_the_job() {
    let sim = Simulator::start().await;
    sim.polls_until_done(1).fail_next_job();
    let c = client(&sim.base_url());
    let job = create(&c).await;
    let e = wait(&c, &job, JOB_TIMEOUT).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::JobFailed, "{e}");
    assert!(
        e.to_string()
            .contains(&format!("job {job} ended with status Failed")),
        "{e}"
    );
    let state: Value = serde_json::from_str(e.body().expect("the job's final state")).unwrap();
    assert_eq!(state["job"]["status"], "Failed", "{state}");
    assert_eq!(
        state["job"]["id"],
        job.as_str(),
        "the state of the job that failed"
    );
    // Only the next job fails: the task stays, and its next change ends well.
    let paused = c.pause_replication(INSTANCE, named(NAME)).await.unwrap();
    waited(&c, paused.job_id.as_ref()).await;
}

#[tokio::test]
async fn a_job_that_does_not_end_in_time_is_the_typed_timeout_naming_the_job() {
    let sim = Simulator::start().await;
    sim.polls_until_done(1_000);
    let c = client(&sim.base_url());
    let job = create(&c).await;
    let started = Instant::now();
    let e = wait(&c, &job, Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(e.kind(), ErrorKind::WaitTimeout, "{e}");
    assert!(
        e.to_string().contains(&format!("job {job} has not ended")),
        "{e}"
    );
    assert!(e.to_string().contains("last status: Running"), "{e}");
    assert!(
        sim.jobs()[0].polls >= 2,
        "polled until the time ran out: {:?}",
        sim.jobs()
    );
}

/// `e` is the API error `status` with the error code and message of the spec's `example`.
fn assert_documented(e: &taurusdb::Error, status: u16, example: &str) {
    let example: Value = serde_json::from_str(example).unwrap();
    assert_eq!(e.kind(), ErrorKind::Api, "{e}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e}");
    assert_eq!(e.error_code(), example["error_code"].as_str(), "{e}");
    assert_eq!(e.error_msg(), example["error_msg"].as_str(), "{e}");
    assert!(
        e.request_id()
            .is_some_and(|id| id.starts_with("simulator-")),
        "{e}"
    );
}

#[tokio::test]
async fn a_task_that_exists_or_does_not_is_a_typed_api_error_and_changes_nothing() {
    let sim = Simulator::start().await;
    let c = client(&sim.base_url());
    create(&c).await;
    // Each operation documents 400 as its only 4xx: the simulator answers a conflict or a
    // missing task with it, and the operation's own example.
    let missing = named("no_such_task");
    let refused = [
        (
            c.create_replication(INSTANCE, create_body(NAME))
                .await
                .map(drop),
            examples::create_star_rocks_data_replication::STATUS_400_VENDOR,
        ),
        (
            c.delete_replication(INSTANCE, missing.clone())
                .await
                .map(drop),
            examples::delete_star_rocks_data_replication::STATUS_400_VENDOR,
        ),
        (
            c.resume_replication(INSTANCE, missing).await.map(drop),
            examples::resume_star_rocks_data_replication::STATUS_400_INVALID_PARAMETER,
        ),
        // Another instance has no such task either.
        (
            c.delete_replication("other_in17", named(NAME))
                .await
                .map(drop),
            examples::delete_star_rocks_data_replication::STATUS_400_VENDOR,
        ),
    ];
    for (result, example) in refused {
        assert_documented(&result.unwrap_err(), 400, example);
    }

    assert_eq!(
        listed(&c).await,
        [(NAME.to_string(), Some(ReplicationStage::Wait))]
    );
    assert_eq!(sim.jobs().len(), 1, "refused calls start no job");
}

/// A client of `url` that retries what may be retried, with short waits.
fn retrying_client(url: &str) -> Client {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT)
        .credentials(Credentials::token(TOKEN))
        .retry(quick_retries(3))
        .build()
        .unwrap()
}

#[tokio::test]
async fn calls_that_change_a_task_are_sent_once_and_a_query_is_retried() {
    let started = json!({"job_id": "7d5f2a1c-3b4e-4c8d-9a6f-0e1b2c3d4e5f"});
    let list: Value =
        serde_json::from_str(examples::list_star_rocks_data_replications::STATUS_200_TWO_TASKS)
            .unwrap();
    // The server fails the first attempt (an answer of 503, or the connection closed once
    // the request is read), and would answer the next.
    let failures = [Step::with_headers(503, &[], "busy"), Step::Close];
    for failure in failures {
        for method in ["POST", "PUT", "DELETE"] {
            let server =
                ScriptServer::start(vec![failure.clone(), Step::json(200, &started)]).await;
            let c = retrying_client(&server.url);
            let result = match method {
                "POST" => c
                    .create_replication(INSTANCE, create_body(NAME))
                    .await
                    .map(drop),
                "PUT" => c
                    .modify_replication(INSTANCE, modify_request())
                    .await
                    .map(drop),
                _ => c.delete_replication(INSTANCE, named(NAME)).await.map(drop),
            };
            let sent: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
            assert_eq!(sent, [method], "{failure:?}: sent once");
            assert!(
                result.is_err(),
                "{failure:?} {method}: the failure is the caller's to see"
            );
        }
        let server = ScriptServer::start(vec![failure.clone(), Step::json(200, &list)]).await;
        let tasks = retrying_client(&server.url).replications(INSTANCE).await;
        assert!(tasks.is_ok(), "{failure:?}: {tasks:?}");
        assert_eq!(
            server.requests().len(),
            2,
            "{failure:?}: the query is retried"
        );
    }
}
