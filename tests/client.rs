//! The client against a real HTTP server on 127.0.0.1 (httpmock): the exact request, the
//! page's examples, every tolerance the client promises, and its errors.

use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{Value, json};
use taurusdb::types::{CheckResult, Language, ReplScope, ReplType, StarRocksReplicationConfig};
use taurusdb::{Client, Credentials, ErrorKind, RetryPolicy, Secret, TokenProvider};
use taurusdb_tests::*;

/// Serves `body` with `status` for any request; returns the server and the decoded result.
async fn respond(
    status: u16,
    body: &str,
) -> (
    MockServer,
    Result<StarRocksReplicationConfig, taurusdb::Error>,
) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(path(INSTANCE));
            then.status(status)
                .header("content-type", "application/json")
                .header("x-request-id", "req-7f3a")
                .body(body);
        })
        .await;
    let result = client(&server.base_url())
        .replication_config(INSTANCE, TASK)
        .await
        .map(|v| v.into_inner());
    (server, result)
}

async fn decode(body: Value) -> StarRocksReplicationConfig {
    let (_server, result) = respond(200, &body.to_string()).await;
    result.unwrap_or_else(|e| panic!("{body} should decode: {e}"))
}

#[tokio::test]
async fn sends_the_documented_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path(INSTANCE))
                .query_param("task_name", TASK)
                .query_param_count(".*", ".*", 1)
                .header("x-auth-token", TOKEN)
                .header("x-language", "en-us")
                .header("x-project-id", PROJECT)
                .header("accept", "application/json")
                .header_missing("api-version")
                .header_missing("authorization");
            then.status(200).json_body(corrected_example());
        })
        .await;
    let response = client(&server.base_url())
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    mock.assert_async().await;
}

#[tokio::test]
async fn the_language_can_be_chosen_per_client_and_per_call() {
    let server = MockServer::start_async().await;
    let zh = server
        .mock_async(|when, then| {
            when.header("x-language", "zh-cn");
            then.status(200).json_body(json!({}));
        })
        .await;
    let c = client(&server.base_url());
    c.replication_config(INSTANCE, TASK)
        .language(Language::ZhCn)
        .await
        .unwrap();
    let zh_client = Client::builder()
        .endpoint(server.base_url())
        .project_id(PROJECT)
        .language(Language::ZhCn)
        .build()
        .unwrap();
    zh_client.replication_config(INSTANCE, TASK).await.unwrap();
    zh.assert_calls_async(2).await;
}

#[tokio::test]
async fn path_parameters_stay_one_encoded_segment() {
    let server = MockServer::start_async().await;
    let odd = r"in/17\x y?z#%";
    let expected = path("in%2F17%5Cx%20y%3Fz%23%25");
    let mock = server
        .mock_async(move |when, then| {
            when.is_true(move |req| req.uri().path() == expected);
            then.status(200).json_body(json!({}));
        })
        .await;
    client(&server.base_url())
        .replication_config(odd, TASK)
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn the_page_example_decodes_field_by_field() {
    let c = decode(page_example()).await;
    assert_eq!(c.source_instance_id.as_deref(), Some("source_instance_id"));
    assert_eq!(
        c.target_database_name.as_deref(),
        Some("target_database_name")
    );
    assert_eq!(c.source_node_id.as_deref(), Some("source_node_id"));

    let db = c.database_info.as_ref().unwrap();
    assert_eq!(db.database_name.as_deref(), Some("database_name"));
    let checks = db.db_config_check_results.as_ref().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(
        checks[0].param_name.as_deref(),
        Some("default_isolation_level")
    );
    assert_eq!(checks[0].value.as_deref(), Some("QUERY_SNAPSHOT"));
    assert_eq!(checks[0].check_result, Some(CheckResult::Success));
    assert_eq!(checks[1].param_name.as_deref(), Some("enable_snapshots"));
    assert_eq!(checks[1].value.as_deref(), Some("true"));
    assert_eq!(
        checks[1].check_result,
        Some(CheckResult::Other("failed".into())),
        "kept, not rejected"
    );

    assert_eq!(
        c.table_infos,
        Some(vec![]),
        "the page's `table_info` spelling"
    );
    let repl = c.table_repl_config.as_ref().unwrap();
    assert_eq!(repl.repl_type, Some(ReplType::ExcludeTables));
    assert_eq!(repl.repl_scope, Some(ReplScope::All));
    assert_eq!(repl.tables, Some(vec![]));
    let new = c.new_table_repl_config.as_ref().unwrap();
    assert_eq!(
        (&new.repl_type, &new.repl_scope, &new.tables),
        (&None, &None, &None),
        "`{{}}` decodes"
    );
    assert_eq!(c.is_tables_change, Some(false));
    assert_eq!(c.last_error_of_alter_table.as_deref(), Some(""));
    assert_eq!(c.is_instance_level_sync, None);

    assert_eq!(c.database_checks().len(), 2);
    assert!(!c.all_checks_passed(), "`failed` is not a pass");
}

#[tokio::test]
async fn unknown_fields_are_ignored_at_every_level() {
    let c = decode(json!({
        "source_instance_id": "i",
        "brand_new_field": {"nested": [1, 2, 3]},
        "database_info": {"database_name": "db", "extra": true,
            "db_config_check_results": [{"param_name": "p", "check_result": "success", "severity": "high"}]},
        "table_infos": [{"table_name": "t1", "check_result": "fail", "hint": null}],
        "table_repl_config": {"repl_type": "include_tables", "repl_scope": "part", "tables": ["t1"], "regex": false}
    }))
    .await;
    assert_eq!(c.source_instance_id.as_deref(), Some("i"));
    assert_eq!(c.table_checks()[0].check_result, Some(CheckResult::Fail));
    assert_eq!(
        c.table_repl_config.unwrap().tables,
        Some(vec!["t1".to_string()])
    );
}

#[tokio::test]
async fn unlisted_enum_values_are_kept() {
    let c = decode(json!({
        "database_info": {"db_config_check_results": [{"check_result": "warning"}]},
        "table_infos": [{"check_result": "skipped"}],
        "table_repl_config": {"repl_type": "regex_tables", "repl_scope": "some"}
    }))
    .await;
    assert_eq!(
        c.database_checks()[0].check_result,
        Some(CheckResult::Other("warning".into()))
    );
    assert_eq!(
        c.table_checks()[0].check_result,
        Some(CheckResult::Other("skipped".into()))
    );
    let repl = c.table_repl_config.unwrap();
    assert_eq!(repl.repl_type, Some(ReplType::Other("regex_tables".into())));
    assert_eq!(
        repl.repl_scope.as_ref().map(ToString::to_string).as_deref(),
        Some("some")
    );
}

#[tokio::test]
async fn the_live_servers_camel_case_spellings_are_accepted() {
    let c = decode(json!({
        "database_info": {"databaseName": "db1", "dbCfgCheckResults": [{"param_name": "binlog_format", "value": "ROW", "check_result": "success"}]}
    }))
    .await;
    let db = c.database_info.as_ref().unwrap();
    assert_eq!(db.database_name.as_deref(), Some("db1"));
    assert_eq!(
        c.database_checks()[0].param_name.as_deref(),
        Some("binlog_format")
    );
    assert!(c.all_checks_passed());
}

#[tokio::test]
async fn extra_fields_of_the_live_server_decode_whatever_their_type() {
    for value in [json!("true"), json!(true), json!(1), json!({"a": 1})] {
        let c = decode(json!({"is_instance_level_sync": value, "is_support_reg_exp": value, "database_repl_scope": value, "error_msg": "x"})).await;
        assert_eq!(c.is_instance_level_sync.as_ref(), Some(&value));
        assert_eq!(c.is_support_reg_exp.as_ref(), Some(&value));
        assert_eq!(c.error_msg.as_deref(), Some("x"));
    }
}

#[tokio::test]
async fn missing_and_null_fields_and_arrays_decode_as_none() {
    let empty = decode(json!({})).await;
    assert_eq!(empty, StarRocksReplicationConfig::default());
    assert!(empty.table_checks().is_empty() && empty.database_checks().is_empty());

    let nulls = decode(json!({
        "source_instance_id": null, "source_node_id": null, "database_info": null, "table_infos": null,
        "table_repl_config": null, "new_table_repl_config": null, "target_database_name": null,
        "is_tables_change": null, "last_error_of_alter_table": null, "is_instance_level_sync": null,
        "database_repl_scope": null, "is_support_reg_exp": null, "error_msg": null
    }))
    .await;
    assert_eq!(nulls, StarRocksReplicationConfig::default());

    let nested = decode(json!({
        "database_info": {"database_name": null, "db_config_check_results": null},
        "table_infos": [{"table_name": null, "table_config": null, "check_result": null}],
        "table_repl_config": {"repl_type": null, "repl_scope": null, "tables": null}
    }))
    .await;
    assert_eq!(nested.database_checks().len(), 0);
    assert_eq!(nested.table_checks()[0].check_result, None);
    assert!(
        !nested.all_checks_passed(),
        "a check without a result does not pass"
    );
}

#[tokio::test]
async fn documented_lengths_and_patterns_of_response_fields_are_not_enforced() {
    let long = "x".repeat(5000);
    let c = decode(json!({
        "target_database_name": "no-dashes-allowed-by-the-page",
        "database_info": {"db_config_check_results": [
            {"param_name": "", "value": "", "check_result": "success"},
            {"param_name": long, "value": long, "check_result": "success"}
        ]},
        "table_infos": [
            {"table_name": "", "table_config": "", "check_result": ""},
            {"table_name": long, "table_config": long, "check_result": "much_longer_than_ten_characters"}
        ]
    }))
    .await;
    assert_eq!(
        c.target_database_name.as_deref(),
        Some("no-dashes-allowed-by-the-page")
    );
    assert_eq!(
        c.database_checks()[1].param_name.as_deref(),
        Some(long.as_str())
    );
    assert_eq!(c.table_checks()[0].table_name.as_deref(), Some(""));
    assert_eq!(
        c.table_checks()[0].check_result,
        Some(CheckResult::Other(String::new()))
    );
}

#[tokio::test]
async fn the_400_and_500_examples_are_typed_errors() {
    let (_s, result) = respond(400, &page_400().to_string()).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(e.error_code(), Some("DBS.200022"));
    assert_eq!(e.error_msg(), Some("Instance not found."));
    assert_eq!(e.request_id(), Some("req-7f3a"));
    assert_eq!(
        e.to_string(),
        "HTTP 400 Bad Request: DBS.200022: Instance not found. (request ID req-7f3a)"
    );
    assert!(!e.is_retryable());

    let (_s, result) = respond(500, &example_500().to_string()).await;
    let e = result.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(e.error_code(), Some("DBS.108000"));
    assert_eq!(
        e.to_string(),
        "HTTP 500 Internal Server Error: DBS.108000: Server failure. (request ID req-7f3a)"
    );
}

#[tokio::test]
async fn a_gateway_error_shape_is_read_too() {
    let (_s, result) = respond(
        401,
        r#"{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}"#,
    )
    .await;
    let e = result.unwrap_err();
    assert_eq!(
        (e.status().map(|s| s.as_u16()), e.error_code()),
        (Some(401), Some("APIGW.0301"))
    );
    assert_eq!(
        e.error_msg(),
        Some("Incorrect IAM authentication information")
    );
}

#[tokio::test]
async fn an_undocumented_status_with_an_html_body_keeps_status_body_and_request_id() {
    let html = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n";
    let (_s, result) = respond(502, html).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(e.body(), Some(html));
    assert_eq!(e.request_id(), Some("req-7f3a"));
    assert!(e.is_retryable());
    assert_eq!(
        e.to_string(),
        "HTTP 502 Bad Gateway: body: <html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html> (request ID req-7f3a)"
    );
}

#[tokio::test]
async fn a_documented_error_status_with_a_non_json_body_keeps_its_status() {
    let (_s, result) = respond(400, "Bad Request").await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(
        e.status().map(|s| s.as_u16()),
        Some(400),
        "progenitor alone would lose it"
    );
    assert_eq!(e.body(), Some("Bad Request"));
    assert_eq!(e.request_id(), Some("req-7f3a"));
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_the_raw_body() {
    let full = corrected_example().to_string();
    let truncated = &full[..full.len() / 2];
    let (_s, result) = respond(200, truncated).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(e.body(), Some(truncated));
    assert_eq!(e.request_id(), Some("req-7f3a"));
    let line = e.to_string();
    assert!(
        line.starts_with("HTTP 200 OK: the response body could not be decoded: EOF while parsing"),
        "{line}"
    );
    assert!(!line.contains('\n'));

    let (_s, result) = respond(200, "OK").await;
    assert_eq!(
        result.unwrap_err().body(),
        Some("OK"),
        "a 2xx body that is not JSON is kept"
    );
}

/// A mock answering every request with `{}`, to count what was sent.
async fn answer_anything(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await
}

#[tokio::test]
async fn bad_task_names_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let any = answer_anything(&server).await;
    let c = client(&server.base_url());
    for (name, reason) in [
        ("ab", "shorter than 3 characters"),
        ("task-name", "doesn't match pattern"),
        ("tâche_01", "doesn't match pattern"),
        ("task name", "doesn't match pattern"),
    ] {
        let e = c.replication_config(INSTANCE, name).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{name}");
        assert!(
            e.to_string()
                .starts_with(&format!("invalid task_name: {reason}")),
            "{e}"
        );
        assert_eq!(e.parameter(), Some("task_name"));
    }
    let e = c
        .replication_config(INSTANCE, "a".repeat(129))
        .await
        .unwrap_err();
    assert!(e.to_string().ends_with("longer than 128 characters"), "{e}");
    let e = c.replication_config("..", TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = c.replication_config("", TASK).await.unwrap_err();
    assert_eq!(e.to_string(), "instance_id is empty");
    c.replication_config(INSTANCE, "a".repeat(128))
        .await
        .unwrap();
    c.replication_config(INSTANCE, "abc").await.unwrap();
    any.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_body_built_with_a_bad_value_is_refused_naming_the_field_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let any = answer_anything(&server).await;
    // The generated builders' setters share one conversion error (`call::conversion_error`,
    // which `cargo xtask gen` points them at): the message names the field and the reason.
    let body = taurusdb::types::CreateReplicationRequest::builder()
        .task_name("task name")
        .source_instance_id(INSTANCE)
        .source_database("orders")
        .target_database("orders_analytics");
    let e = client(&server.base_url())
        .create_replication(INSTANCE, body)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(
        e.to_string()
            .starts_with("invalid body: error converting supplied value for task_name: "),
        "{e}"
    );
    assert!(e.to_string().contains("doesn't match pattern"), "{e}");
    any.assert_calls_async(0).await;
}

struct BadToken;

impl TokenProvider for BadToken {
    fn token(
        &self,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Secret, taurusdb::BoxError>> + Send + '_>>
    {
        Box::pin(async { Ok(Secret::new("secret-token\r\nX-Injected: yes")) })
    }
}

struct FailingProvider;

impl TokenProvider for FailingProvider {
    fn token(
        &self,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Secret, taurusdb::BoxError>> + Send + '_>>
    {
        Box::pin(async { Err("IAM answered 401".into()) })
    }
}

#[tokio::test]
async fn header_values_with_cr_or_lf_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let any = answer_anything(&server).await;
    let build = |credentials| {
        Client::builder()
            .endpoint(server.base_url())
            .project_id(PROJECT)
            .credentials(credentials)
            .retry(RetryPolicy::none())
            .build()
    };
    let e = build(Credentials::token("abc\r\nX-Injected: yes")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(
        e.to_string(),
        "the IAM token contains a carriage return (CR), which cannot be sent in an HTTP header"
    );

    let e = build(Credentials::token_provider(BadToken))
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(
        e.to_string()
            .starts_with("the IAM token contains a carriage return (CR)"),
        "{e}"
    );
    assert!(!e.to_string().contains("secret-token"), "{e}");

    let e = build(Credentials::token_provider(FailingProvider))
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(e.to_string(), "the token provider failed: IAM answered 401");

    let e = Client::builder()
        .endpoint(server.base_url())
        .project_id("p\r\n")
        .build()
        .unwrap_err();
    assert!(
        e.to_string().contains("line feed") || e.to_string().contains("carriage return"),
        "{e}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_generated_builder_is_there_for_full_control() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path(path(INSTANCE)).header("x-language", "zh-cn");
            then.status(200).json_body(corrected_example());
        })
        .await;
    let c = client(&server.base_url());
    let response = c
        .raw_list_star_rocks_data_replication_config()
        .project_id(PROJECT)
        .instance_id(INSTANCE)
        .task_name(TASK)
        .x_language(Language::ZhCn)
        .send()
        .await
        .unwrap();
    assert!(response.table_infos.as_ref().is_some_and(Vec::is_empty));
    mock.assert_async().await;
}
