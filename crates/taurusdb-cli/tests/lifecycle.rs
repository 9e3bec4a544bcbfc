//! A sync task's whole life through the `taurusdb` binary, against the stateful mock of
//! `taurusdb-httpmock` (feature `simulator`) on 127.0.0.1, with settings and credentials in
//! the environment as a user gives them (the harness: `common/mod.rs`): check, create with
//! body flags and `--wait`, list (a table, JSON, `--all` across pages), pause, resume, modify,
//! query the configuration (and its alias), delete (refused off a terminal without `--yes`),
//! see it gone, show a job; `--wait` on a job that fails (exit 7) or does not end in time
//! (exit 4); body flags that break the spec's rules (exit 2, nothing sent).
//!
//! Then every command of the spec, from the operation table (a new operation is covered
//! without an edit here): its demo in the human view and as JSON, and its `--dry-run` from
//! the spec's examples (as text and as JSON, secrets redacted, nothing sent); and the exit statuses 0, 2, 3, 4 and
//! 5 of a query, a POST with a body, and a DELETE that asks first.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use taurusdb::spec::Operation;
use taurusdb_httpmock::simulator::{RecordedRequest, Simulator};

/// The task these tests create.
const NAME: &str = "nightly_orders";
/// The simulator's collection of tasks, as the spec's `x-mock` hints name it.
const TASKS: &str = "replications";
/// An access key: not a secret, but the dry run shows it redacted all the same.
const ACCESS_KEY: &str = "AKLIFECYCLE0000";

/// `taurusdb starrocks replication <args> --instance-id INSTANCE` against `sim`.
fn replication(sim: &Simulator, args: &[&str]) -> Run {
    Cli::new(&["starrocks", "replication"])
        .args(args)
        .args(&["--instance-id", INSTANCE])
        .against(&sim.base_url())
        .run()
}

/// The body flags of a new task named `name`.
fn create_flags(name: &str) -> Vec<&str> {
    vec![
        "create",
        "--task-name",
        name,
        "--source-instance-id",
        "1f8c3e5a7b9d4f2a8c6e0b4d2f7a9c1ein07",
        "--source-database",
        "orders",
        "--target-database",
        "orders_analytics",
    ]
}

/// The cells of the line of `text` whose first cell is `first`.
fn row<'a>(text: &'a str, first: &str) -> Option<Vec<&'a str>> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&first))
}

/// The task names and stages `list -o json` shows.
fn listed(sim: &Simulator) -> Vec<(String, String)> {
    let run = replication(sim, &["list", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.render());
    run.json()["replications"]
        .as_array()
        .expect("the tasks")
        .iter()
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (text("task_name"), text("stage"))
        })
        .collect()
}

/// The ID of the last job the simulator issued, and the operation that started it.
fn last_job(sim: &Simulator) -> (String, &'static str) {
    let job = sim.jobs().pop().expect("a job");
    (job.id, job.operation)
}

/// The operations of the requests the simulator received from `from` on.
fn operations(sim: &Simulator, from: usize) -> Vec<Option<&'static str>> {
    sim.requests()[from..].iter().map(|r| r.operation).collect()
}

/// The requests the simulator answered as `operation`.
fn sent(sim: &Simulator, operation: &str) -> Vec<RecordedRequest> {
    let requests = sim.requests().into_iter();
    requests
        .filter(|r| r.operation == Some(operation))
        .collect()
}

/// Stdout has a line of exactly these cells (apart from white space).
fn assert_row(run: &Run, cells: &[&str]) {
    let found = run
        .stdout
        .lines()
        .any(|l| l.split_whitespace().eq(cells.iter().copied()));
    assert!(found, "no line {cells:?}:\n{}", run.render());
}

/// The body in the JSON file `path`.
fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `--skeleton`'s body of the command `words`, written to a file in `dir` (after `edit`).
fn skeleton_file(dir: &Path, words: &[&str], edit: impl FnOnce(&mut Value)) -> PathBuf {
    let run = Cli::new(words).arg("--skeleton").run();
    assert_eq!(run.code, 0, "{words:?}: {}", run.render());
    let mut body = run.json();
    edit(&mut body);
    let path = dir.join(format!("{}.json", words.join("-")));
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

#[test]
fn a_tasks_whole_life_through_the_cli() {
    let sim = Simulator::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let rename = |b: &mut Value| b["task_name"] = json!(NAME);

    // The configuration is checked first, from bodies made from --skeleton's (tables listed:
    // the client leaves an empty list out); a flag overrides a field of the file.
    let tables = |b: &mut Value| {
        b["table_repl_config"] =
            json!({"repl_type": "exclude_tables", "repl_scope": "part", "tables": ["audit_log"]});
    };
    for (command, operation, title) in [
        (
            "check-database",
            "CheckDataBaseConfig",
            "Database configuration check",
        ),
        (
            "check-tables",
            "CheckTableConfig",
            "Table configuration check",
        ),
    ] {
        let file = skeleton_file(dir.path(), &["starrocks", "replication", command], tables);
        let path = file.to_str().unwrap();
        let run = replication(&sim, &[command, "--json-body", path, "--task-name", NAME]);
        assert_eq!(run.code, 0, "{}", run.render());
        assert!(run.stdout.starts_with(title), "{}", run.stdout);
        let mut expected = read_json(&file);
        rename(&mut expected);
        assert_eq!(sent(&sim, operation)[0].json(), Some(expected));
    }

    // Created from body flags; --wait follows the job through a poll that says "Running".
    sim.polls_until_done(1);
    let mut create = create_flags(NAME);
    create.push("--wait");
    let run = replication(&sim, &create);
    assert_eq!(run.code, 0, "{}", run.render());
    let (created, operation) = last_job(&sim);
    assert_eq!(operation, "CreateStarRocksDataReplication");
    assert!(
        run.stdout
            .starts_with("Creating the synchronization task\n"),
        "{}",
        run.stdout
    );
    assert_row(&run, &["Job", &created]);
    // The job's final state, under the job's ID as the job command shows it.
    assert_row(&run, &["Job", "ID", &created]);
    assert_row(&run, &["ID", &created]);
    assert_row(&run, &["Status", "Completed"]);
    assert_eq!(
        sim.jobs()[0].polls,
        2,
        "polled while running, then once done"
    );
    assert_eq!(
        sim.items(TASKS, &[("instance_id", INSTANCE)]),
        [
            json!({"task_name": NAME, "source_database": "orders", "target_database": "orders_analytics",
                "stage": "wait", "status": "Yes", "percentage": "0%"})
        ],
        "the body the flags made"
    );
    sim.polls_until_done(0);

    // Listed: a table, and JSON.
    let run = replication(&sim, &["list"]);
    assert_eq!(run.code, 0, "{}", run.render());
    let cells = row(&run.stdout, NAME).unwrap_or_else(|| panic!("{}", run.stdout));
    let expected = [NAME, "orders", "orders_analytics", "waiting", "(wait)"];
    assert_eq!(cells[..5], expected, "{}", run.stdout);
    let run = replication(&sim, &["list", "-o", "json"]);
    assert_eq!(
        run.json()["total_count"],
        "1",
        "a string, as the service sends it"
    );
    assert_eq!(listed(&sim), [(NAME.to_string(), "wait".to_string())]);

    // Paused and resumed, each job waited for, each stage in the list.
    for (command, stage) in [("pause", "paused"), ("resume", "incremental")] {
        let run = replication(
            &sim,
            &[command, "--task-name", NAME, "--wait", "-o", "json"],
        );
        assert_eq!(run.code, 0, "{}", run.render());
        let (job, _) = last_job(&sim);
        let shown = run.json();
        assert_eq!(shown["result"]["job_id"], job.as_str(), "{shown}");
        assert_eq!(shown["job"]["job"]["id"], job.as_str(), "{shown}");
        assert_eq!(shown["job"]["job"]["status"], "Completed", "{shown}");
        assert_eq!(listed(&sim), [(NAME.to_string(), stage.to_string())]);
    }

    // Modified from a file.
    let file = skeleton_file(dir.path(), &["starrocks", "replication", "modify"], rename);
    let run = replication(
        &sim,
        &["modify", "--json-body", file.to_str().unwrap(), "--wait"],
    );
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stdout
            .starts_with("Modifying the synchronization task\n"),
        "{}",
        run.stdout
    );
    let modified: Vec<_> = sent(&sim, "ModifyDataSync")
        .iter()
        .map(RecordedRequest::json)
        .collect();
    assert_eq!(modified, [Some(read_json(&file))]);
    assert_eq!(last_job(&sim).1, "ModifyDataSync");

    // Its configuration, by the command and by its alias.
    let config = replication(&sim, &["config", "--task-name", NAME]);
    assert_eq!(config.code, 0, "{}", config.render());
    let alias = [
        "starrocks",
        "replication-config",
        "--instance-id",
        INSTANCE,
        "--task-name",
        NAME,
    ];
    let alias = Cli::new(&alias).against(&sim.base_url()).run();
    assert_eq!(
        (alias.code, &alias.stdout),
        (0, &config.stdout),
        "{}",
        alias.render()
    );
    let queried: Vec<_> = sent(&sim, "ListStarRocksDataReplicationConfig")
        .iter()
        .map(|r| r.query_param("task_name").map(str::to_string))
        .collect();
    assert_eq!(queried, [Some(NAME.to_string()), Some(NAME.to_string())]);

    // Deleted: not off a terminal without --yes (nothing sent), then with it.
    let before = sim.requests().len();
    let run = replication(&sim, &["delete", "--task-name", NAME]);
    assert_eq!(run.code, 2, "{}", run.render());
    let question =
        format!("Delete the synchronization task {NAME} of StarRocks instance {INSTANCE}?");
    run.assert_stderr_says(&[&question, "pass --yes"]);
    assert_eq!(sim.requests().len(), before, "nothing was sent");
    let run = replication(&sim, &["delete", "--task-name", NAME, "--yes", "--wait"]);
    assert_eq!(run.code, 0, "{}", run.render());
    assert_row(&run, &["Status", "Completed"]);
    assert_eq!(
        operations(&sim, before),
        [
            Some("DeleteStarRocksDataReplication"),
            Some("ShowGaussMySqlJobInfo")
        ]
    );

    // Gone.
    let run = replication(&sim, &["list"]);
    assert!(run.stdout.contains("Tasks: none"), "{}", run.stdout);
    assert!(listed(&sim).is_empty());

    // A job, shown by the command --wait names.
    let run = Cli::new(&["job", "show", "--id", &created])
        .against(&sim.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert_row(&run, &["ID", &created]);
}

#[test]
fn list_all_follows_every_page_of_more_tasks_than_a_page() {
    let sim = Simulator::start_blocking();
    let names = ["task_a", "task_b", "task_c", "task_d", "task_e"];
    for name in names {
        let scope = [("project_id", PROJECT), ("instance_id", INSTANCE)];
        sim.insert(TASKS, &scope, json!({"task_name": name, "stage": "full"}))
            .unwrap();
    }
    let run = replication(&sim, &["list", "--limit", "2", "--all", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.render());
    let shown = run.json()["replications"].as_array().unwrap().clone();
    let shown: Vec<&Value> = shown.iter().map(|t| &t["task_name"]).collect();
    assert_eq!(shown, names, "{}", run.stdout);
    let requests = sim.requests();
    let offsets: Vec<Option<&str>> = requests.iter().map(|r| r.query_param("offset")).collect();
    assert_eq!(offsets, [Some("0"), Some("2"), Some("4")], "three pages");
    let run = replication(&sim, &["list", "--limit", "2", "--all"]);
    for name in names {
        assert!(row(&run.stdout, name).is_some(), "{name}: {}", run.stdout);
    }
    // Without --all, one page.
    let run = replication(&sim, &["list", "--limit", "2", "-o", "json"]);
    assert_eq!(run.json()["replications"].as_array().unwrap().len(), 2);
}

#[test]
fn wait_exits_7_when_the_job_fails_and_4_when_it_does_not_end_in_time() {
    let sim = Simulator::start_blocking();
    sim.polls_until_done(0).fail_next_job();
    let mut create = create_flags(NAME);
    create.push("--wait");
    let run = replication(&sim, &create);
    assert_eq!(run.code, 7, "{}", run.render());
    let (job, _) = last_job(&sim);
    // The final state, and the command that shows it again.
    assert_row(&run, &["Status", "Failed"]);
    assert_row(&run, &["ID", &job]);
    let look = format!("taurusdb job show --id {job}");
    run.assert_stderr_says(&[&format!("job {job} ended with status Failed"), &look]);

    sim.polls_until_done(1_000);
    let started = Instant::now();
    let pause = [
        "pause",
        "--task-name",
        NAME,
        "--wait",
        "--wait-timeout",
        "1",
    ];
    let run = replication(&sim, &pause);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 4, "{}", run.render());
    let (job, operation) = last_job(&sim);
    assert_eq!(operation, "PauseStarRocksDataReplication");
    // The call's output, and the job to look at.
    assert_row(&run, &["Job", &job]);
    let look = format!("taurusdb job show --id {job}");
    run.assert_stderr_says(&[&format!("job {job} has not ended"), &look]);
    assert_eq!(sent(&sim, operation).len(), 1, "the call is not repeated");
}

#[test]
fn body_flags_that_break_the_spec_are_refused_naming_the_flag_and_nothing_is_sent() {
    let sim = Simulator::start_blocking();
    for (name, rule) in [
        ("my-task", "doesn't match pattern"),
        ("ab", "shorter than 3 characters"),
    ] {
        let run = replication(&sim, &create_flags(name));
        assert_eq!(run.code, 2, "{}", run.render());
        run.assert_stderr_says(&["--task-name", name, rule]);
    }
    let mut flags = create_flags(NAME);
    flags[8] = "orders-analytics";
    let run = replication(&sim, &flags);
    assert_eq!(run.code, 2, "{}", run.render());
    run.assert_stderr_says(&["--target-database", "doesn't match pattern"]);
    // In a file: the field is named.
    let dir = tempfile::tempdir().unwrap();
    let file = skeleton_file(dir.path(), &["starrocks", "replication", "pause"], |b| {
        b["task_name"] = json!("my-task");
    });
    let run = replication(&sim, &["pause", "--json-body", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.render());
    run.assert_stderr_says(&["--json-body", "field `task_name`"]);
    assert!(
        sim.requests().is_empty(),
        "nothing was sent: {:?}",
        sim.requests()
    );
}

// ---------------------------------------------------------------------------------------
// Every command of the spec.

/// The command line of `op`: its group's words, then its name.
fn words(op: &Operation) -> Vec<&'static str> {
    op.cli_group
        .into_iter()
        .flat_map(|g| g.split(' '))
        .chain([op.cli_name])
        .collect()
}

#[test]
fn every_command_runs_in_the_demo_in_the_human_view_and_as_json() {
    for op in taurusdb::spec::operations() {
        let words = words(op);
        let run = Cli::new(&["demo"]).args(&words).run();
        assert_eq!(run.code, 0, "{words:?}: {}", run.render());
        assert!(!run.stdout.trim().is_empty(), "{words:?}: {}", run.render());
        let run = Cli::new(&["demo"]).args(&words).args(&["-o", "json"]).run();
        assert_eq!(run.code, 0, "{words:?}: {}", run.render());
        assert!(run.json().is_object(), "{words:?}: {}", run.stdout);
    }
}

/// `op`'s command line with its required parameters from the spec's examples, and its body
/// from `--skeleton` in a file in `dir`.
fn from_examples(op: &Operation, dir: &Path) -> Vec<String> {
    let words = words(op);
    let mut args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    for p in op
        .parameters
        .iter()
        .filter(|p| p.required && p.setting.is_none())
    {
        let example = p
            .example
            .unwrap_or_else(|| panic!("{}: `{}` has no example", op.id, p.name));
        args.extend([format!("--{}", p.flag), example.to_string()]);
    }
    if op.body {
        let file = skeleton_file(dir, &words, |_| {});
        args.extend(["--json-body".to_string(), file.display().to_string()]);
    }
    args
}

#[test]
fn every_command_dry_runs_from_the_specs_examples_redacting_secrets_and_sending_nothing() {
    let sim = Simulator::start_blocking();
    let url = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    for op in taurusdb::spec::operations() {
        let args = from_examples(op, dir.path());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The path with its parameters filled in, and the query's required parameters.
        let mut path = op.path.replace("{project_id}", PROJECT);
        let mut query = Vec::new();
        for p in op
            .parameters
            .iter()
            .filter(|p| p.required && p.setting.is_none())
        {
            let example = p.example.unwrap_or_default();
            path = path.replace(&format!("{{{}}}", p.name), example);
            if p.location == taurusdb::spec::Location::Query {
                query.push(format!("{}={example}", p.name));
            }
        }
        let token = Cli::new(&args).arg("--dry-run").against(&url);
        let aksk = Cli::new(&args)
            .arg("--dry-run")
            .against(&url)
            .env("HUAWEICLOUD_SDK_AK", ACCESS_KEY)
            .env("HUAWEICLOUD_SDK_SK", SECRET_KEY)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN);
        for cli in [token, aksk] {
            let run = cli.run();
            assert_eq!(run.code, 0, "{}: {}", op.id, run.render());
            run.assert_no_secrets();
            assert!(
                !run.stdout.contains(ACCESS_KEY),
                "{}: {}",
                op.id,
                run.stdout
            );
            let first = run.stdout.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("{} http://127.0.0.1:[PORT]{path}", op.method)),
                "{}: {first}",
                op.id
            );
            for q in &query {
                assert!(first.contains(q.as_str()), "{}: {q} in {first}", op.id);
            }
            assert!(
                run.stdout.contains(": [redacted]"),
                "{}: {}",
                op.id,
                run.stdout
            );
        }
        // As JSON.
        let run = Cli::new(&args)
            .args(&["--dry-run", "-o", "json"])
            .against(&url)
            .run();
        assert_eq!(run.code, 0, "{}: {}", op.id, run.render());
        let request = run.json();
        assert_eq!(request["method"], op.method, "{request}");
        let shown = request["url"].as_str().unwrap_or_default();
        assert!(
            shown.starts_with(&format!("http://127.0.0.1:[PORT]{path}")),
            "{}: {shown}",
            op.id
        );
        assert_eq!(request["body"].is_null(), !op.body, "{}: {request}", op.id);
    }
    assert!(
        sim.requests().is_empty(),
        "nothing was sent: {:?}",
        sim.requests()
    );
}

// ---------------------------------------------------------------------------------------
// The exit statuses of each kind of command.

#[test]
fn a_query_a_post_with_a_body_and_a_delete_that_asks_exit_0_2_3_4_and_5() {
    let delete = ["delete", "--task-name", NAME, "--yes"];
    // Each kind: the command, the same breaking the spec's rules or not confirmed (exit 2),
    // and what the refusal says.
    let kinds: [(&str, Vec<&str>, Vec<&str>, &str); 3] = [
        ("GET", vec!["list"], vec!["list", "--limit", "0"], "--limit"),
        (
            "POST",
            create_flags(NAME),
            create_flags("ab"),
            "--task-name",
        ),
        (
            "DELETE",
            delete.to_vec(),
            vec!["delete", "--task-name", NAME],
            "pass --yes",
        ),
    ];
    let at = |url: &str, args: &[&str], extra: &[&str]| {
        let cli = Cli::new(&["starrocks", "replication"]).args(args);
        cli.args(&["--instance-id", INSTANCE])
            .args(extra)
            .against(url)
            .run()
    };
    for (method, good, bad, refusal) in kinds {
        // 0: the simulator answers (after a create, for the delete to find a task).
        let sim = Simulator::start_blocking();
        if method == "DELETE" {
            assert_eq!(replication(&sim, &create_flags(NAME)).code, 0);
        }
        let before = sim.requests().len();
        let run = replication(&sim, &good);
        assert_eq!(run.code, 0, "{method}: {}", run.render());
        assert_eq!(sim.requests()[before].method, method);

        // 2: refused before anything is sent.
        let before = sim.requests().len();
        let run = replication(&sim, &bad);
        assert_eq!(run.code, 2, "{method}: {}", run.render());
        run.assert_stderr_says(&[refusal]);
        assert_eq!(sim.requests().len(), before, "{method}: nothing was sent");

        // 3: the API's error; a retryable one retried only where the call can be repeated.
        let failure = r#"{"error_code": "DBS.108000", "error_msg": "Server failure."}"#;
        let (server, id) = answering(503, failure);
        let run = at(&server.base_url(), &good, &["--retries", "1"]);
        assert_eq!(run.code, 3, "{method}: {}", run.render());
        run.assert_stderr_says(&["HTTP 503", "DBS.108000: Server failure."]);
        let expected = if method == "GET" { 2 } else { 1 };
        assert_eq!(
            calls(&server, id),
            expected,
            "{method}: sent {expected} time(s)"
        );

        // 4: nothing listens.
        let run = at(&nothing_listening(), &good, &["--retries", "0"]);
        assert_eq!(run.code, 4, "{method}: {}", run.render());

        // 5: an answer that is not the response.
        let (server, _) = answering(200, r#"{"job_id": "trunc"#);
        let run = at(&server.base_url(), &good, &[]);
        assert_eq!(run.code, 5, "{method}: {}", run.render());
        run.assert_no_secrets();
    }
}
