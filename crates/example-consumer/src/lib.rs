//! A downstream crate of `taurusdb`: a report on one StarRocks data synchronization task,
//! listing the checks that did not pass. It uses `taurusdb` only through its public API and
//! tests itself against `taurusdb-httpmock`.

use std::fmt;

use taurusdb::Client;
use taurusdb::types::{
    CheckResult, DbConfigCheckResult, ReplScope, ReplType, StarRocksReplicationConfig,
    TableConfigCheckResult,
};

/// The database checks of a configuration; none when absent or `null`.
pub fn database_checks(config: &StarRocksReplicationConfig) -> &[DbConfigCheckResult] {
    config
        .database_info
        .as_ref()
        .and_then(|d| d.db_config_check_results.as_deref())
        .unwrap_or_default()
}

/// The table checks of a configuration; none when absent or `null`.
pub fn table_checks(config: &StarRocksReplicationConfig) -> &[TableConfigCheckResult] {
    config.table_infos.as_deref().unwrap_or_default()
}

/// Whether a check result is a pass: `success`, and nothing else (a missing result, or one
/// the API does not document such as `failed`, is not).
pub fn passed(result: Option<&CheckResult>) -> bool {
    result == Some(&CheckResult::Success)
}

/// What an operator wants to know about a sync task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub task: String,
    pub source_database: String,
    pub target_database: String,
    pub scope: String,
    /// `parameter = value: result` of every database or table check that did not pass.
    pub failures: Vec<String>,
}

impl Report {
    /// Summarizes a task's configuration.
    pub fn new(task: &str, config: &StarRocksReplicationConfig) -> Report {
        let or_unknown = |s: Option<&String>| s.cloned().unwrap_or_else(|| "?".into());
        let result = |r: Option<&taurusdb::types::CheckResult>| {
            r.map_or("no result".into(), ToString::to_string)
        };
        let mut failures: Vec<String> = database_checks(config)
            .iter()
            .filter(|c| !passed(c.check_result.as_ref()))
            .map(|c| {
                format!(
                    "{} = {}: {}",
                    or_unknown(c.param_name.as_ref()),
                    or_unknown(c.value.as_ref()),
                    result(c.check_result.as_ref())
                )
            })
            .collect();
        failures.extend(
            table_checks(config)
                .iter()
                .filter(|c| !passed(c.check_result.as_ref()))
                .map(|c| {
                    format!(
                        "table {} ({}): {}",
                        or_unknown(c.table_name.as_ref()),
                        or_unknown(c.table_config.as_ref()),
                        result(c.check_result.as_ref())
                    )
                }),
        );
        Report {
            task: task.to_string(),
            source_database: or_unknown(
                config
                    .database_info
                    .as_ref()
                    .and_then(|d| d.database_name.as_ref()),
            ),
            target_database: or_unknown(config.target_database_name.as_ref()),
            scope: scope(config),
            failures,
        }
    }

    /// Whether every check passed.
    pub fn healthy(&self) -> bool {
        self.failures.is_empty()
    }
}

fn scope(config: &StarRocksReplicationConfig) -> String {
    let Some(repl) = &config.table_repl_config else {
        return "unknown".into();
    };
    let tables = repl.tables.as_deref().unwrap_or_default();
    match (&repl.repl_scope, &repl.repl_type) {
        (Some(ReplScope::All), _) => "all tables".into(),
        (_, Some(ReplType::IncludeTables)) => format!("only {}", tables.join(", ")),
        (_, Some(ReplType::ExcludeTables)) => format!("all tables except {}", tables.join(", ")),
        (scope, kind) => format!("{} / {}", display(scope.as_ref()), display(kind.as_ref())),
    }
}

fn display(v: Option<&impl ToString>) -> String {
    v.map_or("?".into(), ToString::to_string)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "task {}: {} -> {} ({})",
            self.task, self.source_database, self.target_database, self.scope
        )?;
        if self.healthy() {
            return writeln!(f, "all checks passed");
        }
        for failure in &self.failures {
            writeln!(f, "FAILED {failure}")?;
        }
        Ok(())
    }
}

/// Queries the task and summarizes it.
pub async fn report(
    client: &Client,
    instance_id: &str,
    task: &str,
) -> Result<Report, taurusdb::Error> {
    let config = client.replication_config(instance_id, task).await?;
    Ok(Report::new(task, &config))
}
