//! Shared fixtures of the workspace's tests: the spec, its examples, and a client pointed at
//! a mock server on 127.0.0.1.

use serde_json::Value;
use taurusdb::{Client, Credentials, RetryPolicy};

/// Project, instance and task of the tests' requests.
pub const PROJECT: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";
pub const INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";
pub const TASK: &str = "sync_task_01";
pub const TOKEN: &str = "test-token-5f0c";

/// The request path for `instance` (already encoded) under the tests' project.
pub fn path(instance: &str) -> String {
    format!("/v3/{PROJECT}/instances/{instance}/starrocks/databases/replication/configuration")
}

/// The workspace's spec as JSON.
pub fn spec() -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    xtask::model::spec::Spec::load(&root.join(xtask::codegen::SPEC))
        .unwrap_or_else(|d| panic!("{d}"))
        .root
}

fn operation() -> Value {
    spec()["paths"]["/v3/{project_id}/instances/{instance_id}/starrocks/databases/replication/configuration"]["get"]
        .clone()
}

/// The page's 200 example, verbatim (`x-page-example`).
pub fn page_example() -> Value {
    operation()["responses"]["200"]["x-page-example"]["value"].clone()
}

/// The page's 200 example with its departures from the page's tables corrected.
pub fn corrected_example() -> Value {
    operation()["responses"]["200"]["content"]["application/json"]["examples"]["page-corrected"]["value"].clone()
}

/// The page's 400 example.
pub fn page_400() -> Value {
    operation()["responses"]["400"]["content"]["application/json"]["examples"]["page"]["value"]
        .clone()
}

/// The spec's 500 example.
pub fn example_500() -> Value {
    operation()["responses"]["500"]["content"]["application/json"]["examples"]["server-failure"]["value"].clone()
}

/// A client of `base_url` with a fixed token and no retries.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .endpoint(base_url)
        .project_id(PROJECT)
        .credentials(Credentials::token(TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .expect("a valid test configuration")
}

/// A retry policy of `attempts` attempts with short waits, so that retry tests run fast.
pub fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .backoff(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(40),
        )
        .max_elapsed(std::time::Duration::from_secs(10))
}

pub mod capture;
pub mod fixture;
pub mod script;
pub mod sigcheck;

/// The checks of a replication configuration, as the tests read them (the client has no
/// hand-written accessors: every field is the generated one).
pub trait Checks {
    /// `database_info.db_config_check_results`, empty when absent or `null`.
    fn database_checks(&self) -> &[taurusdb::types::DbConfigCheckResult];
    /// `table_infos`, empty when absent or `null`.
    fn table_checks(&self) -> &[taurusdb::types::TableConfigCheckResult];
    /// Whether every check says `success`.
    fn all_checks_passed(&self) -> bool;
}

impl Checks for taurusdb::types::StarRocksReplicationConfig {
    fn database_checks(&self) -> &[taurusdb::types::DbConfigCheckResult] {
        self.database_info
            .as_ref()
            .and_then(|d| d.db_config_check_results.as_deref())
            .unwrap_or_default()
    }

    fn table_checks(&self) -> &[taurusdb::types::TableConfigCheckResult] {
        self.table_infos.as_deref().unwrap_or_default()
    }

    fn all_checks_passed(&self) -> bool {
        let pass = |r: Option<&taurusdb::types::CheckResult>| {
            r == Some(&taurusdb::types::CheckResult::Success)
        };
        self.database_checks()
            .iter()
            .all(|c| pass(c.check_result.as_ref()))
            && self
                .table_checks()
                .iter()
                .all(|c| pass(c.check_result.as_ref()))
    }
}
