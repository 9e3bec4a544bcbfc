//! The `taurusdb` binary, run as a user would against servers on 127.0.0.1, its stdout, stderr
//! and exit status snapshotted with insta (`tests/snapshots/`).
//!
//! Every run gets an empty environment (no `HUAWEICLOUD_SDK_*`, `TAURUSDB_*`, proxy or colour
//! variables from the developer's shell), a temporary `HOME` and `XDG_CONFIG_HOME`, and
//! `NO_COLOR=1` unless a test says otherwise. Ports and temporary paths are redacted. The
//! harness is `common/mod.rs`, shared with `lifecycle.rs`.

use std::net::TcpListener;
use std::process::Command;
use std::process::Stdio;
use std::time::{Duration, Instant};

use httpmock::MockServer;
use taurusdb_httpmock::MockServerExt as _;
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as examples;

mod common;
use common::*;

/// A mock server answering the example query with `status` and `body`.
fn serve(status: u16, body: &str) -> MockServer {
    let server = MockServer::start();
    server.list_star_rocks_data_replication_config(|when, then| {
        when.project_id(PROJECT).instance_id(INSTANCE);
        then.into_inner()
            .status(status)
            .header("content-type", "application/json")
            .header("x-request-id", format!("req-{status}"))
            .body(body);
    });
    server
}

fn page_example() -> MockServer {
    serve(200, examples::STATUS_200_PAGE_VERBATIM)
}

// ---- Output formats (exit status 0) ----

#[test]
fn human_output() {
    let server = page_example();
    let run = Cli::query(&[]).against(&server.base_url()).run();
    assert_eq!(run.code, 0, "{}", run.render());
    insta::assert_snapshot!("human_output", run.render());
}

#[test]
fn json_output() {
    let server = page_example();
    let run = Cli::query(&["--output", "json"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(
        value["database_info"]["db_config_check_results"][1]["check_result"],
        "failed"
    );
    insta::assert_snapshot!("json_output", run.render());
}

#[test]
fn yaml_output() {
    let server = page_example();
    let run = Cli::query(&["-o", "yaml"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    insta::assert_snapshot!("yaml_output", run.render());
}

#[test]
fn query_filters_the_result_with_jmespath() {
    let server = page_example();
    let run = Cli::query(&[
        "--query",
        "database_info.db_config_check_results[?check_result!='success'].param_name",
    ])
    .against(&server.base_url())
    .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert_eq!(run.stdout, "[\n  \"enable_snapshots\"\n]\n");
    let run = Cli::query(&["--query", "source_node_id", "-o", "yaml"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.stdout, "source_node_id\n", "{}", run.render());
    let run = Cli::query(&["--query", "[?"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 2, "{}", run.render());
    assert!(
        run.stderr.contains("not a JMESPath expression"),
        "{}",
        run.render()
    );
}

#[test]
fn check_spec_reports_departures_after_the_output_with_exit_status_6() {
    let run = Cli::new(&["demo", "--check-spec"]).run();
    assert_eq!(run.code, 6, "{}", run.render());
    assert!(
        run.stdout.contains("✗ 1 of 2 checks did not pass."),
        "the output as without the flag: {}",
        run.render()
    );
    insta::assert_snapshot!("check_spec_human", run.render());

    let run = Cli::new(&["demo", "--check-spec", "-o", "json"]).run();
    assert_eq!(run.code, 6, "{}", run.render());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(v["result"]["source_node_id"], "source_node_id");
    let departures = v["spec_check"]["departures"].as_array().unwrap();
    assert_eq!(departures.len(), 2, "{}", run.render());
    assert!(
        departures.iter().all(|d| d["known"].is_string()),
        "{}",
        run.render()
    );
    assert!(
        !run.stderr.contains("spec check"),
        "the report is in the JSON: {}",
        run.render()
    );

    let run = Cli::new(&["demo", "--check-spec", "-o", "yaml"]).run();
    assert_eq!(run.code, 6, "{}", run.render());
    assert!(run.stdout.contains("spec_check:"), "{}", run.render());
}

#[test]
fn check_spec_is_silent_when_the_response_conforms() {
    let server = serve(200, examples::STATUS_200_PAGE_CORRECTED);
    let run = Cli::query(&["--check-spec"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert_eq!(run.stderr, "", "no report noise");
    let plain = Cli::query(&[]).against(&server.base_url()).run();
    assert_eq!(run.stdout, plain.stdout);
    let run = Cli::query(&["--check-spec", "-o", "json"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["spec_check"]["departures"], serde_json::json!([]));
}

#[test]
fn check_spec_on_an_api_error_keeps_the_error_exit_status() {
    let server = serve(400, r#"{"error_code": "DBS.200022"}"#);
    let run = Cli::query(&["--check-spec"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 3, "{}", run.render());
    assert!(run.stderr.contains("NEW   $  required"), "{}", run.render());
}

#[test]
fn the_operation_id_is_an_alias_of_the_command() {
    let server = page_example();
    let by_name = Cli::query(&[]).against(&server.base_url()).run();
    let by_id = Cli::new(&[
        "ListStarRocksDataReplicationConfig",
        "--instance-id",
        INSTANCE,
        "--task-name",
        TASK,
    ])
    .against(&server.base_url())
    .run();
    assert_eq!(by_id.code, 0, "{}", by_id.render());
    assert_eq!(by_id.stdout, by_name.stdout);
}

#[test]
fn verbose_success_says_where_settings_came_from() {
    let server = page_example();
    let run = Cli::query(&["-o", "json", "--verbose"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    insta::assert_snapshot!("verbose_success_stderr", run.stderr);
}

#[test]
fn demo_shows_the_page_example_without_an_account() {
    let run = Cli::new(&["demo"]).run();
    assert_eq!(run.code, 0, "{}", run.render());
    insta::assert_snapshot!("demo_human", run.render());

    let run = Cli::new(&["demo", "--output", "json"]).run();
    assert_eq!(run.code, 0, "{}", run.render());
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let page: taurusdb::types::StarRocksReplicationConfig =
        serde_json::from_str(examples::STATUS_200_PAGE_VERBATIM).expect("the page example");
    assert_eq!(shown, serde_json::to_value(page).expect("JSON value"));
}

#[test]
fn demo_ignores_the_users_settings() {
    let cli = Cli::new(&["demo", "--verbose"])
        .env("TAURUSDB_AUTH_TOKEN", TOKEN)
        .env("TAURUSDB_CONFIG", "/nonexistent/config.toml");
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.render());
    run.assert_no_secrets();
    assert!(
        run.stderr
            .contains("credentials: IAM token (a dummy) (demo)"),
        "{}",
        run.render()
    );
}

// ---- Exit status 2: refused before any request ----

/// A server that counts every request it gets.
fn counting() -> (MockServer, usize) {
    answering(200, examples::STATUS_200_PAGE_VERBATIM)
}

#[test]
fn bad_task_name_is_refused_before_any_request() {
    let (server, id) = counting();
    let run = Cli::new(&[
        "starrocks",
        "replication-config",
        "--instance-id",
        INSTANCE,
        "--task-name",
        "my-task",
    ])
    .against(&server.base_url())
    .run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("bad_task_name", run.render());
    assert_eq!(calls(&server, id), 0, "nothing was sent");
}

#[test]
fn invalid_instance_id_is_refused_before_any_request() {
    let (server, id) = counting();
    let run = Cli::new(&[
        "starrocks",
        "replication-config",
        "--instance-id",
        "..",
        "--task-name",
        TASK,
    ])
    .against(&server.base_url())
    .run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("invalid_instance_id", run.render());
    assert_eq!(calls(&server, id), 0, "nothing was sent");
}

#[test]
fn usage_error() {
    let run = Cli::new(&["starrocks", "replication-config", "--instance-id", INSTANCE]).run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("usage_error_missing_argument", run.render());

    let run = Cli::query(&["--output", "xml"]).run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("usage_error_bad_output", run.render());

    let run = Cli::new(&[]).run();
    assert_eq!(run.code, 2, "no command prints the help and fails");
    assert!(run.stderr.contains("Usage: taurusdb"), "{}", run.render());
}

#[test]
fn missing_settings_say_where_to_give_them() {
    let run = Cli::query(&[]).run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("missing_region", run.render());

    // The client's chain ends at the ECS metadata service: here one that refuses.
    let run = Cli::query(&["--region", "cn-north-4", "--project-id", PROJECT])
        .env("TAURUSDB_METADATA_ENDPOINT", "http://127.0.0.1:9")
        .run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("missing_credentials", run.render());

    let run = Cli::query(&["--region", "nowhere-1", "--project-id", PROJECT])
        .env("TAURUSDB_AUTH_TOKEN", TOKEN)
        .run();
    assert_eq!(run.code, 2, "{}", run.render());
    assert!(
        run.stderr.starts_with("error: unknown region `nowhere-1`"),
        "{}",
        run.render()
    );
}

#[test]
fn bad_config_files_are_refused() {
    let cli = Cli::query(&[]);
    let path = cli.default_config_path();
    let run = cli.write_config(&path, "project = \"typo\"\n").run();
    assert_eq!(run.code, 2, "{}", run.render());
    insta::assert_snapshot!("config_unknown_key", run.render());

    let run = Cli::query(&["--config", "/nonexistent/taurusdb.toml"]).run();
    assert_eq!(run.code, 2, "{}", run.render());
    assert!(
        run.stderr
            .starts_with("error: cannot read the config file /nonexistent/taurusdb.toml"),
        "{}",
        run.render()
    );
}

// ---- Exit status 3: the API said no ----

#[test]
fn api_error() {
    let server = serve(400, examples::STATUS_400_PAGE);
    let run = Cli::query(&[]).against(&server.base_url()).run();
    assert_eq!(run.code, 3, "{}", run.render());
    insta::assert_snapshot!("api_error", run.render());

    let run = Cli::query(&["--verbose"]).against(&server.base_url()).run();
    assert_eq!(run.code, 3, "{}", run.render());
    insta::assert_snapshot!("api_error_verbose", run.render());
}

// ---- Exit status 4: network ----

#[test]
fn connection_refused() {
    let run = Cli::query(&["--retries", "0"])
        .against(&nothing_listening())
        .run();
    assert_eq!(run.code, 4, "{}", run.render());
    insta::assert_snapshot!("connection_refused", run.render());
}

#[test]
fn timeout() {
    // Connections are accepted by the kernel but never answered.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let started = Instant::now();
    let run = Cli::query(&["--retries", "0", "--timeout", "0.5"])
        .against(&url)
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "--timeout is honoured"
    );
    assert_eq!(run.code, 4, "{}", run.render());
    insta::assert_snapshot!("timeout", run.render());
    drop(listener);
}

#[test]
fn retries_flag() {
    let server = MockServer::start();
    let unavailable = server.mock(|when, then| {
        when.any_request();
        then.status(503).body("{}");
    });
    let run = Cli::query(&["--retries", "0"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 3, "{}", run.render());
    assert_eq!(unavailable.calls(), 1);
    let run = Cli::query(&["--retries", "1"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 3, "{}", run.render());
    assert_eq!(unavailable.calls(), 3, "one attempt, then one retry");
}

// ---- Exit status 5: undecodable response ----

#[test]
fn truncated_json() {
    let body = &examples::STATUS_200_PAGE_VERBATIM[..120];
    let server = serve(200, body);
    let run = Cli::query(&[]).against(&server.base_url()).run();
    assert_eq!(run.code, 5, "{}", run.render());
    insta::assert_snapshot!("truncated_json", run.render());

    let run = Cli::query(&["-v"]).against(&server.base_url()).run();
    assert_eq!(run.code, 5, "{}", run.render());
    insta::assert_snapshot!("truncated_json_verbose", run.render());
}

// ---- Help and completions ----

#[test]
fn help() {
    for (name, args) in [
        ("help_top_level_short", &["-h"][..]),
        ("help_top_level_long", &["--help"]),
        (
            "help_replication_config_short",
            &["starrocks", "replication-config", "-h"],
        ),
        (
            "help_replication_config_long",
            &["starrocks", "replication-config", "--help"],
        ),
        ("help_demo", &["demo", "-h"]),
    ] {
        let run = Cli::new(args).run();
        assert_eq!(run.code, 0, "{}", run.render());
        insta::assert_snapshot!(name, run.render());
    }
}

#[test]
fn completions() {
    for shell in ["bash", "zsh", "fish"] {
        let run = Cli::new(&["completions", shell]).run();
        assert_eq!(run.code, 0, "{}", run.render());
        for word in [
            "starrocks",
            "replication-config",
            "task-name",
            "output",
            "demo",
        ] {
            assert!(run.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    let run = Cli::new(&["completions", "tcsh"]).run();
    assert_eq!(run.code, 2, "{}", run.render());
}

// ---- Precedence: flags > environment > config file ----

fn request_id(run: &Run) -> String {
    run.stderr
        .lines()
        .find_map(|l| l.strip_prefix("request ID: "))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn project_id_precedence() {
    let server = MockServer::start();
    for project in ["flag-project", "env-project", "file-project"] {
        server.list_star_rocks_data_replication_config(|when, then| {
            when.project_id(project);
            then.into_inner()
                .status(200)
                .header("x-request-id", format!("for-{project}"))
                .body(examples::STATUS_200_PAGE_VERBATIM);
        });
    }
    let base = |cli: Cli| {
        let path = cli.default_config_path();
        cli.endpoint(&server.base_url())
            .arg("--verbose")
            .env("TAURUSDB_AUTH_TOKEN", TOKEN)
            .write_config(&path, "project_id = \"file-project\"\n")
    };
    let run = base(Cli::query(&[])).run();
    assert_eq!(request_id(&run), "for-file-project", "{}", run.render());
    let run = base(Cli::query(&[]))
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "env-project")
        .run();
    assert_eq!(request_id(&run), "for-env-project", "{}", run.render());
    let run = base(Cli::query(&["--project-id", "flag-project"]))
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "env-project")
        .run();
    assert_eq!(request_id(&run), "for-flag-project", "{}", run.render());
    assert!(
        run.stderr
            .contains("project ID: flag-project (from --project-id)")
    );
}

#[test]
fn credentials_and_language_precedence() {
    let server = MockServer::start();
    for (token, language) in [
        ("env-token", "zh-cn"),
        ("file-token", "zh-cn"),
        ("file-token", "en-us"),
    ] {
        server.mock(|when, then| {
            when.header("x-auth-token", token)
                .header("x-language", language);
            then.status(200)
                .header("x-request-id", format!("{token}-{language}"))
                .body(examples::STATUS_200_PAGE_VERBATIM);
        });
    }
    let base = |cli: Cli| {
        let path = cli.default_config_path();
        cli.endpoint(&server.base_url())
            .arg("--verbose")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .write_config(&path, "auth_token = \"file-token\"\nlanguage = \"zh-cn\"\n")
    };
    let run = base(Cli::query(&[])).run();
    assert_eq!(request_id(&run), "file-token-zh-cn", "{}", run.render());
    let run = base(Cli::query(&[]))
        .env("TAURUSDB_AUTH_TOKEN", "env-token")
        .run();
    assert_eq!(request_id(&run), "env-token-zh-cn", "{}", run.render());
    let run = base(Cli::query(&["--language", "en-us"])).run();
    assert_eq!(request_id(&run), "file-token-en-us", "{}", run.render());
}

#[test]
fn config_file_location_precedence() {
    let server = MockServer::start();
    for project in ["default-file", "env-file", "flag-file"] {
        server.list_star_rocks_data_replication_config(|when, then| {
            when.project_id(project);
            then.into_inner()
                .status(200)
                .header("x-request-id", format!("for-{project}"))
                .body(examples::STATUS_200_PAGE_VERBATIM);
        });
    }
    let cli = Cli::query(&["--verbose"]);
    let home = cli.home.path().to_path_buf();
    let (env_file, flag_file) = (home.join("env.toml"), home.join("flag.toml"));
    let default_file = cli.default_config_path();
    let cli = cli
        .endpoint(&server.base_url())
        .env("TAURUSDB_AUTH_TOKEN", TOKEN)
        .write_config(&default_file, "project_id = \"default-file\"\n")
        .write_config(&env_file, "project_id = \"env-file\"\n")
        .write_config(&flag_file, "project_id = \"flag-file\"\n");
    let run = cli.run();
    assert_eq!(request_id(&run), "for-default-file", "{}", run.render());
    let cli = cli.env("TAURUSDB_CONFIG", &env_file.display().to_string());
    let run = cli.run();
    assert_eq!(request_id(&run), "for-env-file", "{}", run.render());
    let run = cli
        .arg("--config")
        .arg(&flag_file.display().to_string())
        .run();
    assert_eq!(request_id(&run), "for-flag-file", "{}", run.render());
}

#[test]
fn region_and_endpoint_precedence() {
    let env_server = page_example();
    let file_server = page_example();
    let cli = Cli::query(&["--verbose"]);
    let path = cli.default_config_path();
    let cli = cli
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("TAURUSDB_AUTH_TOKEN", TOKEN)
        .write_config(
            &path,
            &format!("endpoint = \"{}\"\n", file_server.base_url()),
        );
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stderr.contains("(from config file key `endpoint`)"),
        "{}",
        run.render()
    );
    // A region in the environment outranks the file's endpoint; the official per-region
    // override variable points it at a local server.
    let run = cli
        .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env(
            "HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4",
            &env_server.base_url(),
        )
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stderr
            .contains("(from $HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4)"),
        "{}",
        run.render()
    );
}

// ---- Secrets ----

#[test]
fn secrets_never_appear_even_with_verbose() {
    let ok = page_example();
    let api_error = serve(400, examples::STATUS_400_PAGE);
    let truncated = serve(200, &examples::STATUS_200_PAGE_VERBATIM[..120]);
    let aksk_env = |cli: Cli| {
        cli.env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("HUAWEICLOUD_SDK_AK", "AKEXAMPLE")
            .env("HUAWEICLOUD_SDK_SK", SECRET_KEY)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
    };
    for url in [
        ok.base_url(),
        api_error.base_url(),
        truncated.base_url(),
        "http://127.0.0.1:9".into(),
    ] {
        for format in ["human", "json", "yaml"] {
            let run = aksk_env(Cli::query(&["-v", "--retries", "0", "-o", format]))
                .endpoint(&url)
                .run();
            run.assert_no_secrets();
            let run = Cli::query(&["-v", "--retries", "0", "-o", format])
                .against(&url)
                .run();
            run.assert_no_secrets();
        }
    }
    // From a config file, a broken one included.
    for text in [
        format!("project_id = \"{PROJECT}\"\nauth_token = \"{TOKEN}\"\n"),
        format!("project_id = \"{PROJECT}\"\naccess_key = \"AK\"\nsecret_key = \"{SECRET_KEY}\"\n"),
        format!("access_key = \"AK\"\nsecret_key = \"{SECRET_KEY}\n"),
        format!("auth_token = \"{TOKEN}\"\nsecret_key = 1\n"),
        format!("secret_key = \"{SECRET_KEY}\"\n"),
        format!("auth_token = \"{TOKEN}\r\n\"\nproject_id = \"{PROJECT}\"\n"),
    ] {
        let cli = Cli::query(&["-v", "--retries", "0"]).endpoint(&ok.base_url());
        let path = cli.default_config_path();
        let run = cli.write_config(&path, &text).run();
        run.assert_no_secrets();
    }
    // A token that cannot be a header is refused without being repeated.
    let run = Cli::query(&["-v"])
        .endpoint(&ok.base_url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("TAURUSDB_AUTH_TOKEN", &format!("{TOKEN}\u{7}"))
        .run();
    assert_eq!(run.code, 2, "{}", run.render());
    run.assert_no_secrets();
}

// ---- Pipes, colour and the spinner ----

#[test]
fn a_closed_pipe_is_not_an_error() {
    let cli = Cli::new(&["demo"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_taurusdb"))
        .args(&cli.args)
        .env_clear()
        .env("HOME", cli.home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let server = page_example();
    let plain = Cli::query(&[])
        .against(&server.base_url())
        .without_env("NO_COLOR");
    let run = plain.run();
    assert!(
        !run.stdout.contains('\x1b'),
        "not a terminal: no colour\n{}",
        run.stdout
    );
    let forced = plain.env("CLICOLOR_FORCE", "1");
    let run = forced.run();
    assert!(
        run.stdout.contains("\x1b[31m"),
        "CLICOLOR_FORCE colours\n{}",
        run.stdout
    );
    let run = forced.env("NO_COLOR", "1").run();
    assert!(
        !run.stdout.contains('\x1b'),
        "NO_COLOR wins\n{}",
        run.stdout
    );
}

#[test]
fn no_spinner_when_stderr_is_not_a_terminal() {
    let server = MockServer::start();
    server.list_star_rocks_data_replication_config(|_, then| {
        then.into_inner()
            .status(200)
            .delay(Duration::from_millis(700))
            .body(examples::STATUS_200_PAGE_VERBATIM);
    });
    let run = Cli::query(&["-o", "json"])
        .against(&server.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert_eq!(run.stderr, "", "a slow call on a pipe draws nothing");
}

// ---- What the client finds: the official SDKs' profile, unchecked TLS ----

/// Without credentials in the environment or the config file, the client's chain finds the
/// official SDKs' profile; `--verbose` names it (never the secret key), and a profile others
/// can read draws a warning on every call.
#[test]
fn verbose_names_the_profile_the_client_found() {
    let server = page_example();
    let cli = Cli::query(&["-o", "json", "--verbose"])
        .endpoint(&server.base_url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT);
    let dir = cli.home.path().join(".huaweicloud");
    std::fs::create_dir_all(&dir).expect("profile directory");
    let profile = dir.join("credentials");
    std::fs::write(
        &profile,
        format!("[basic]\nak = PROFILEAK\nsk = {SECRET_KEY}\n"),
    )
    .expect("profile");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o644)).expect("mode");
    }
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.render());
    run.assert_no_secrets();
    assert!(
        run.stderr.contains(
            "credentials: AK/SK, access key PROFILEAK (from the profile [HOME]/.huaweicloud/credentials)"
        ),
        "{}",
        run.render()
    );
    #[cfg(unix)]
    assert!(
        run.stderr.starts_with(
            "warning: [HOME]/.huaweicloud/credentials holds credentials and is accessible by group or others (mode 644)"
        ),
        "{}",
        run.render()
    );
}

/// `danger_accept_invalid_certs` (config file or TAURUSDB_DANGER_ACCEPT_INVALID_CERTS) is
/// warned about on every call, verbose or not.
#[test]
fn unchecked_certificates_are_warned_about_on_every_call() {
    let server = page_example();
    let cli = Cli::query(&["-o", "json"]).against(&server.base_url());
    let path = cli.default_config_path();
    let run = cli
        .write_config(&path, "danger_accept_invalid_certs = true\n")
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stderr.starts_with(
            "warning: TLS certificates are not verified (danger_accept_invalid_certs)"
        ),
        "{}",
        run.render()
    );
    let run = Cli::query(&["-o", "json"])
        .against(&server.base_url())
        .env("TAURUSDB_DANGER_ACCEPT_INVALID_CERTS", "true")
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stderr.contains("TLS certificates are not verified"),
        "{}",
        run.render()
    );
    let run = Cli::query(&["-o", "json"])
        .against(&server.base_url())
        .run();
    assert!(!run.stderr.contains("warning"), "{}", run.render());
}

/// Without a project ID anywhere, the client looks it up in IAM by region; `--verbose` says
/// so before the call and prints the ID found after it.
#[test]
fn verbose_reports_a_project_id_looked_up_in_iam() {
    let server = page_example();
    let iam = MockServer::start();
    iam.mock(|when, then| {
        when.method("GET")
            .path("/v3/auth/projects")
            .header("x-auth-token", TOKEN);
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"projects": [{{"id": "{PROJECT}", "name": "cn-north-4"}}]}}"#
            ));
    });
    let run = Cli::query(&["-o", "json", "--verbose", "--region", "cn-north-4"])
        .endpoint(&server.base_url())
        .env("TAURUSDB_AUTH_TOKEN", TOKEN)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam.base_url())
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    run.assert_no_secrets();
    let at = format!("IAM at {}", iam.base_url());
    assert!(
        run.stderr.contains(&format!(
            "project ID: looked up in {at} by region on the first call"
        )) && run
            .stderr
            .contains(&format!("project ID: {PROJECT} (from {at})")),
        "{}",
        run.render()
    );
}

// ---- --dry-run: the request, never sent ----

#[test]
fn dry_run_shows_the_request_with_secrets_redacted_and_sends_nothing() {
    let (server, id) = counting();
    let run = Cli::query(&["--dry-run"]).against(&server.base_url()).run();
    assert_eq!(run.code, 0, "{}", run.render());
    run.assert_no_secrets();
    insta::assert_snapshot!("dry_run", run.render());
    let run = Cli::query(&["--dry-run"])
        .endpoint(&server.base_url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("HUAWEICLOUD_SDK_AK", "AKDRYRUN")
        .env("HUAWEICLOUD_SDK_SK", SECRET_KEY)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
        .arg("-o")
        .arg("json")
        .run();
    assert_eq!(run.code, 0, "{}", run.render());
    run.assert_no_secrets();
    let request: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(request["method"], "GET");
    assert_eq!(request["headers"]["x-security-token"], "[redacted]");
    assert!(
        request["headers"]["authorization"]
            .as_str()
            .is_some_and(|a| a.contains("Signature=[computed when sent]")),
        "{request}"
    );
    assert_eq!(calls(&server, id), 0, "nothing was sent");
    // The demo too.
    let run = Cli::new(&["demo", "--dry-run"]).run();
    assert_eq!(run.code, 0, "{}", run.render());
    assert!(
        run.stdout.starts_with("GET http://127.0.0.1:"),
        "{}",
        run.stdout
    );
}

/// The query gets the flags of what the spec says it does, and no others.
#[test]
fn flags_follow_the_spec() {
    let op = taurusdb::spec::operation("ListStarRocksDataReplicationConfig").unwrap();
    let help = Cli::query(&["--help"]).run();
    for (flag, offered) in [
        ("--dry-run", true),
        ("--wait", op.job.is_some()),
        ("--yes", op.confirm.is_some()),
        ("--all", op.pagination.is_some()),
        ("--json-body", op.body),
        ("--skeleton", op.body),
    ] {
        assert_eq!(
            help.stdout.contains(&format!("{flag} ")) || help.stdout.contains(&format!("{flag}\n")),
            offered,
            "{flag}: {}",
            help.stdout
        );
        if !offered {
            let run = Cli::query(&[flag]).run();
            assert_eq!(run.code, 2, "{flag}: {}", run.render());
            assert!(run.stderr.contains(flag), "{flag}: {}", run.render());
        }
    }
}
