//! A downstream crate of `taurusdb`: a report on every StarRocks data synchronization task of
//! a TaurusDB instance (its databases, stage, health and progress, as the task list gives
//! them) with the checks of each task's configuration that did not pass.
//!
//! It uses `taurusdb` only through its public API, with only the cargo feature of the
//! operations it calls (`htap-standard`), and tests itself against `taurusdb-httpmock`: the
//! simulator for the tasks' life, typed expectations for the configurations' checks.
//!
//! ```no_run
//! # async fn run() -> Result<(), taurusdb::Error> {
//! let client = taurusdb::ClientBuilder::from_env()?.build()?;
//! let report = sync_task_report::report(&client, "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17").await?;
//! print!("{report}");
//! for task in &report.tasks {
//!     if let Err(e) = &task.checks {
//!         eprintln!("the configuration of {} could not be read: {e}", task.name());
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::fmt;

use futures_util::StreamExt;
use taurusdb::types::{
    CheckResult, DbConfigCheckResult, Percentage, ReplicationStage, ReplicationStatus,
    StarRocksReplicationConfig, StarRocksReplicationInfo, TableConfigCheckResult,
};
use taurusdb::{Client, Error, ErrorKind};

/// How many tasks the report asks for per page of the task list: the most the API gives
/// (the service's own page size when none is asked for).
pub const PAGE_SIZE: u32 = 100;

/// Reports on every sync task of an instance: the task list page after page (the client's
/// `items()` stream), then the configuration of each task, one call after another.
///
/// A task whose configuration cannot be read is reported with the error
/// ([`TaskReport::checks`]) and the report goes on with the next task when the error concerns
/// that task: the service answered with an error status ([`ErrorKind::Api`]), its answer
/// could not be decoded ([`ErrorKind::Decode`], [`ErrorKind::BodyTooLarge`]), or the client
/// refused to send the task's name ([`ErrorKind::InvalidRequest`]: the list gave a name the
/// API's rules do not allow, or none). Any other error (configuration, credentials,
/// connection, timeout) would recur for every task, so the report stops with it, as it does
/// when a page of the list cannot be read.
pub async fn report(client: &Client, instance_id: &str) -> Result<Report, Error> {
    let mut tasks = Vec::new();
    let mut list = client.replications(instance_id).limit(PAGE_SIZE).items();
    while let Some(task) = list.next().await {
        let task = task?;
        // A task the list names not at all: the client refuses the empty name before
        // sending anything, and that refusal is the task's error.
        let name = task.task_name.clone().unwrap_or_default();
        let checks = match client.replication_config(instance_id, name).await {
            Ok(config) => Ok(failing_checks(&config)),
            Err(e) if concerns_the_task(&e) => Err(e),
            Err(e) => return Err(e),
        };
        tasks.push(TaskReport::new(task, checks));
    }
    Ok(Report {
        instance_id: instance_id.to_string(),
        tasks,
    })
}

/// Whether an error of a task's configuration call is about that task (the report records it
/// and goes on) rather than about the client or the network (the report stops).
fn concerns_the_task(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Api | ErrorKind::Decode | ErrorKind::BodyTooLarge | ErrorKind::InvalidRequest
    )
}

/// The report on every sync task of an instance, in the order the service lists them.
#[derive(Debug)]
pub struct Report {
    /// The instance reported on.
    pub instance_id: String,
    /// Its tasks (none: the instance has no sync task).
    pub tasks: Vec<TaskReport>,
}

impl Report {
    /// Whether every task's configuration was read and every check of it passed (true of an
    /// instance without tasks).
    pub fn all_passed(&self) -> bool {
        self.tasks.iter().all(TaskReport::passed)
    }

    /// The tasks whose configuration could not be read, with the error.
    pub fn errors(&self) -> impl Iterator<Item = (&TaskReport, &Error)> {
        self.tasks
            .iter()
            .filter_map(|t| t.checks.as_ref().err().map(|e| (t, e)))
    }

    /// The checks that did not pass, with their task.
    pub fn failures(&self) -> impl Iterator<Item = (&TaskReport, &FailedCheck)> {
        self.tasks
            .iter()
            .flat_map(|t| t.failures().iter().map(move |f| (t, f)))
    }
}

/// One sync task: what the task list says of it, and the checks of its configuration that
/// did not pass. Values the service left out are `None`; stages, statuses and percentages
/// are kept as received (a value the API does not document too).
#[derive(Debug)]
pub struct TaskReport {
    /// The task's name.
    pub task_name: Option<String>,
    /// The TaurusDB database it reads.
    pub source_database: Option<String>,
    /// The StarRocks database it writes.
    pub target_database: Option<String>,
    /// Its stage (`wait`, `full`, `incremental`, `paused`, ...).
    pub stage: Option<ReplicationStage>,
    /// Its health (`Yes`, `No`).
    pub status: Option<ReplicationStatus>,
    /// The progress of its stage, as the service sends it: `"45%"` or `45`.
    pub progress: Option<Percentage>,
    /// The stage of its catch-up synchronization.
    pub catchup_stage: Option<ReplicationStage>,
    /// The progress of its catch-up synchronization, as the service sends it.
    pub catchup_progress: Option<Percentage>,
    /// The checks of its configuration that did not pass (empty: all passed), or why the
    /// configuration could not be read.
    pub checks: Result<Vec<FailedCheck>, Error>,
}

impl TaskReport {
    /// A task as the list gives it, with the outcome of reading its configuration.
    pub fn new(task: StarRocksReplicationInfo, checks: Result<Vec<FailedCheck>, Error>) -> Self {
        TaskReport {
            task_name: task.task_name,
            source_database: task.source_database,
            target_database: task.target_database,
            stage: task.stage,
            status: task.status,
            progress: task.percentage,
            catchup_stage: task.catchup_stage,
            catchup_progress: task.catchup_percentage,
            checks,
        }
    }

    /// The task's name, `?` when the list gave none.
    pub fn name(&self) -> &str {
        self.task_name.as_deref().unwrap_or("?")
    }

    /// Whether its configuration was read and every check passed.
    pub fn passed(&self) -> bool {
        matches!(&self.checks, Ok(failures) if failures.is_empty())
    }

    /// The checks that did not pass (none when the configuration could not be read).
    pub fn failures(&self) -> &[FailedCheck] {
        self.checks.as_deref().unwrap_or_default()
    }
}

/// A check of a task's configuration that did not pass.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FailedCheck {
    /// The check of a database parameter.
    Database {
        /// The parameter.
        parameter: Option<String>,
        /// Its value.
        value: Option<String>,
        /// The result, as received (`None`: the service gave none).
        result: Option<CheckResult>,
    },
    /// The check of a table.
    Table {
        /// The table.
        table: Option<String>,
        /// Its setting.
        config: Option<String>,
        /// The result, as received (`None`: the service gave none).
        result: Option<CheckResult>,
    },
}

impl fmt::Display for FailedCheck {
    /// `parameter = value: result` or `table name (setting): result`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |s: &Option<String>| s.as_deref().map_or("?".into(), printable);
        let result = |r: &Option<CheckResult>| {
            r.as_ref()
                .map_or("no result".into(), |r| printable(r.as_str()))
        };
        match self {
            FailedCheck::Database {
                parameter,
                value,
                result: r,
            } => write!(f, "{} = {}: {}", text(parameter), text(value), result(r)),
            FailedCheck::Table {
                table,
                config,
                result: r,
            } => write!(f, "table {} ({}): {}", text(table), text(config), result(r)),
        }
    }
}

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

/// The database checks, then the table checks, of a configuration that did not pass.
pub fn failing_checks(config: &StarRocksReplicationConfig) -> Vec<FailedCheck> {
    let databases = database_checks(config)
        .iter()
        .filter(|c| !passed(c.check_result.as_ref()))
        .map(|c| FailedCheck::Database {
            parameter: c.param_name.clone(),
            value: c.value.clone(),
            result: c.check_result.clone(),
        });
    let tables = table_checks(config)
        .iter()
        .filter(|c| !passed(c.check_result.as_ref()))
        .map(|c| FailedCheck::Table {
            table: c.table_name.clone(),
            config: c.table_config.clone(),
            result: c.check_result.clone(),
        });
    databases.chain(tables).collect()
}

/// The columns of the report's table.
const HEADER: [&str; 8] = [
    "TASK", "SOURCE", "TARGET", "STAGE", "STATUS", "PROGRESS", "CATCH-UP", "CHECKS",
];

impl TaskReport {
    /// The task's row of the report's table.
    fn row(&self) -> [String; 8] {
        let catchup = match (&self.catchup_stage, &self.catchup_progress) {
            (None, None) => None,
            (stage, progress) => Some(format!(
                "{} {}",
                cell(stage.as_ref()),
                cell(progress.as_ref())
            )),
        };
        let checks = match &self.checks {
            Ok(f) if f.is_empty() => "passed".to_string(),
            Ok(f) => format!("{} failed", f.len()),
            Err(_) => "error".to_string(),
        };
        [
            printable(self.name()),
            cell(self.source_database.as_ref()),
            cell(self.target_database.as_ref()),
            cell(self.stage.as_ref()),
            cell(self.status.as_ref()),
            cell(self.progress.as_ref()),
            cell(catchup.as_ref()),
            checks,
        ]
    }
}

/// A value as the table shows it: `-` when absent or empty, else printable.
fn cell(value: Option<&impl fmt::Display>) -> String {
    value
        .map(|v| printable(&v.to_string()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "-".into())
}

/// A value from the service as one line of plain text: control characters (a line break,
/// a terminal's escape sequence) escaped, so that no value breaks the table or reaches the
/// terminal as a command.
fn printable(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

impl fmt::Display for Report {
    /// A table of the tasks, one row each, then every check that did not pass and every
    /// configuration that could not be read, by task.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tasks.is_empty() {
            return writeln!(f, "instance {}: no sync tasks", self.instance_id);
        }
        let rows: Vec<[String; 8]> = self.tasks.iter().map(TaskReport::row).collect();
        let mut widths = HEADER.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let header = HEADER.map(String::from);
        for row in std::iter::once(&header).chain(&rows) {
            let mut line = String::new();
            for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = width - cell.chars().count();
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad + 2));
                }
            }
            writeln!(f, "{line}")?;
        }
        let mut details = Vec::new();
        for task in &self.tasks {
            match &task.checks {
                Ok(failures) => details.extend(
                    failures
                        .iter()
                        .map(|c| format!("{}: FAILED {c}", printable(task.name()))),
                ),
                Err(e) => details.push(format!(
                    "{}: ERROR reading the configuration: {}",
                    printable(task.name()),
                    printable(&e.to_string())
                )),
            }
        }
        if !details.is_empty() {
            writeln!(f)?;
        }
        for line in details {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}
