//! Quick start: query a sync task's configuration.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With no credentials in the environment it starts a mock server on 127.0.0.1 that serves the
//! API page's example response, and queries it through the real client. With credentials
//! (`HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK`, or `TAURUSDB_AUTH_TOKEN`) plus
//! `HUAWEICLOUD_SDK_PROJECT_ID` and `HUAWEICLOUD_SDK_REGION`, it queries the real cloud:
//!
//! ```sh
//! cargo run --example quickstart -- <instance-id> <task-name>
//! ```

use std::io::Write;

use httpmock::MockServer;
use taurusdb::{Client, ClientBuilder, ResponseValueExt, env};
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as examples;

const MOCK_INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";
const MOCK_TASK: &str = "sync_task_01";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let credentials = [env::AK, env::AUTH_TOKEN]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    let result = if credentials {
        let [instance, task] = args.as_slice() else {
            eprintln!("usage: cargo run --example quickstart -- <instance-id> <task-name>");
            std::process::exit(2);
        };
        match ClientBuilder::from_env().and_then(ClientBuilder::build) {
            Ok(client) => {
                println!("Querying {} ...", client.config().endpoint());
                query(&client, instance, task, &mut std::io::stdout()).await
            }
            Err(e) => Err(e),
        }
    } else {
        println!(
            "No credentials in the environment: querying a mock server that serves the page's example."
        );
        let server = mock_server().await;
        query(
            &mock_client(&server),
            MOCK_INSTANCE,
            MOCK_TASK,
            &mut std::io::stdout(),
        )
        .await
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A mock server on 127.0.0.1 that answers the query with the page's 200 example, verbatim.
async fn mock_server() -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path_includes("/starrocks/databases/replication/configuration");
            then.status(200)
                .header("content-type", "application/json")
                .header("x-request-id", "mock-request-1")
                .body(examples::STATUS_200_PAGE_VERBATIM);
        })
        .await;
    server
}

fn mock_client(server: &MockServer) -> Client {
    Client::builder()
        .endpoint(server.base_url())
        .project_id("0549e61b4a8c4fdfb1c47bd8a3d8d8b1")
        .token("not-a-real-token")
        .build()
        .expect("a valid configuration")
}

async fn query(
    client: &Client,
    instance: &str,
    task: &str,
    out: &mut impl Write,
) -> Result<(), taurusdb::Error> {
    let response = client.replication_config(instance, task).await?;
    let request_id = response.request_id().unwrap_or("-").to_string();
    let config = response.into_inner();
    let _ = writeln!(
        out,
        "Task {task} of instance {instance} (request ID {request_id}):"
    );
    let checks = config
        .database_info
        .as_ref()
        .and_then(|d| d.db_config_check_results.as_deref())
        .unwrap_or_default();
    for check in checks {
        let _ = writeln!(
            out,
            "  database check {:<26} = {:<16} {}",
            check.param_name.as_deref().unwrap_or("?"),
            check.value.as_deref().unwrap_or("?"),
            check
                .check_result
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
    }
    let tables = config.table_infos.as_deref().unwrap_or_default();
    let all_passed = checks
        .iter()
        .map(|c| c.check_result.as_ref())
        .chain(tables.iter().map(|c| c.check_result.as_ref()))
        .all(|r| r == Some(&taurusdb::types::CheckResult::Success));
    let _ = writeln!(out, "  all checks passed: {all_passed}");
    let _ = writeln!(out, "\nThe decoded configuration:\n{config:#?}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_mock_mode_prints_the_page_example() {
        let server = super::mock_server().await;
        let mut out = Vec::new();
        super::query(
            &super::mock_client(&server),
            super::MOCK_INSTANCE,
            super::MOCK_TASK,
            &mut out,
        )
        .await
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("(request ID mock-request-1)"), "{text}");
        assert!(text.contains("database check enable_snapshots"), "{text}");
        assert!(
            text.contains("failed"),
            "the page's undocumented value is shown: {text}"
        );
        assert!(text.contains("all checks passed: false"), "{text}");
    }
}
