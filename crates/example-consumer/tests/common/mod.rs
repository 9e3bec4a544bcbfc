//! What the example consumer's test files share: the instance they report on and the spec's
//! responses they start from.

#![allow(dead_code)] // each test file uses part of it

use taurusdb::types::{CheckResult, StarRocksReplicationConfig, StarRocksReplicationList};
use taurusdb_httpmock::examples::list_star_rocks_data_replications as list_examples;

pub const PROJECT: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";
pub const INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";

/// The spec's list of two tasks, `sync_task_01` and `sync_task_02`.
pub fn two_task_list() -> StarRocksReplicationList {
    serde_json::from_str(list_examples::STATUS_200_TWO_TASKS).unwrap()
}

/// `config` with every database check a success.
pub fn all_passed(mut config: StarRocksReplicationConfig) -> StarRocksReplicationConfig {
    for check in config
        .database_info
        .as_mut()
        .unwrap()
        .db_config_check_results
        .as_mut()
        .unwrap()
    {
        check.check_result = Some(CheckResult::Success);
    }
    config
}
