//! The human view of a task's configuration: its identity, the database and table checks as
//! aligned tables with failing checks marked, the whitelist or blacklist summarised, and a
//! verdict. Colour is written as ANSI escapes; the caller's stream strips them when stdout is
//! not a terminal or `NO_COLOR` is set. A failing check is marked with `✗` as well as red, so
//! nothing depends on colour.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use tabwriter::TabWriter;
use taurusdb::types::{
    CheckResult, ReplScope, ReplType, StarRocksReplicationConfig, TableReplConfig,
};

use crate::args::Target;
use crate::error::sanitize;

const HEADING: Style = Style::new().bold();
const COLUMN: Style = Style::new().dimmed();
const ABSENT: Style = Style::new().dimmed();
const PASS: Style = AnsiColor::Green.on_default();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const MISSING: Style = AnsiColor::Yellow.on_default();

/// `text` in `style`.
fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A value from the server, or a dimmed `-` when it is absent.
fn value(v: Option<&str>) -> String {
    match v {
        Some(v) if !v.is_empty() => sanitize(v),
        _ => paint(ABSENT, "-"),
    }
}

/// What a check says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Missing,
}

impl Verdict {
    fn of(result: Option<&CheckResult>) -> Verdict {
        match result {
            Some(CheckResult::Success) => Verdict::Pass,
            Some(_) => Verdict::Fail,
            None => Verdict::Missing,
        }
    }

    fn style(self) -> Style {
        match self {
            Verdict::Pass => PASS,
            Verdict::Fail => FAIL,
            Verdict::Missing => MISSING,
        }
    }

    fn mark(self) -> String {
        let mark = match self {
            Verdict::Pass => "✓",
            Verdict::Fail => "✗",
            Verdict::Missing => "?",
        };
        paint(self.style(), mark)
    }

    /// The result as received (an undocumented value such as `failed` included).
    fn result(self, result: Option<&CheckResult>) -> String {
        match result {
            Some(r) => paint(self.style(), &sanitize(r.as_str())),
            None => paint(self.style(), "(no result)"),
        }
    }
}

/// One row of a check table.
struct Check {
    verdict: Verdict,
    cells: [String; 3],
}

impl Check {
    /// A database check (parameter, value) or a table check (table, configuration).
    fn new(name: Option<&str>, setting: Option<&str>, result: Option<&CheckResult>) -> Check {
        let verdict = Verdict::of(result);
        Check {
            verdict,
            cells: [value(name), value(setting), verdict.result(result)],
        }
    }
}

/// Renders the human view of `config`, queried for `target`.
pub fn render(
    out: &mut dyn Write,
    target: &Target,
    config: &StarRocksReplicationConfig,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        paint(HEADING, "StarRocks replication configuration")
    )?;
    write_facts(out, target, config)?;

    let database: Vec<Check> = config
        .database_checks()
        .iter()
        .map(|c| {
            Check::new(
                c.param_name.as_deref(),
                c.value.as_deref(),
                c.check_result.as_ref(),
            )
        })
        .collect();
    let tables: Vec<Check> = config
        .table_checks()
        .iter()
        .map(|c| {
            Check::new(
                c.table_name.as_deref(),
                c.table_config.as_deref(),
                c.check_result.as_ref(),
            )
        })
        .collect();
    writeln!(out)?;
    write_checks(
        out,
        "Database checks",
        ["PARAMETER", "VALUE", "RESULT"],
        &database,
    )?;
    writeln!(out)?;
    write_checks(
        out,
        "Table checks",
        ["TABLE", "CONFIGURATION", "RESULT"],
        &tables,
    )?;
    writeln!(out)?;
    write_repl_config(
        out,
        "Tables to synchronize (table_repl_config)",
        config.table_repl_config.as_ref(),
    )?;
    write_repl_config(
        out,
        "Updated tables to synchronize (new_table_repl_config)",
        config.new_table_repl_config.as_ref(),
    )?;
    writeln!(out)?;

    let total = database.len() + tables.len();
    let failed = database
        .iter()
        .chain(&tables)
        .filter(|c| c.verdict != Verdict::Pass)
        .count();
    let verdict = match (total, failed) {
        (0, _) => paint(ABSENT, "No checks were reported."),
        (n, 0) => paint(PASS, &format!("✓ All {n} checks passed.")),
        (n, f) => paint(FAIL, &format!("✗ {f} of {n} checks did not pass.")),
    };
    writeln!(out, "{verdict}")
}

/// The task's identity and state, as aligned `label  value` lines.
fn write_facts(
    out: &mut dyn Write,
    target: &Target,
    c: &StarRocksReplicationConfig,
) -> io::Result<()> {
    let mut rows: Vec<(&str, String)> = vec![
        ("Task", sanitize(target.task_name.as_str())),
        ("Instance", sanitize(&target.instance_id)),
        ("Source instance", value(c.source_instance_id.as_deref())),
        ("Source node", value(c.source_node_id.as_deref())),
        (
            "Source database",
            value(
                c.database_info
                    .as_ref()
                    .and_then(|d| d.database_name.as_deref()),
            ),
        ),
        ("Target database", value(c.target_database_name.as_deref())),
        (
            "Tables changed",
            match c.is_tables_change {
                Some(true) => "yes".to_string(),
                Some(false) => "no".to_string(),
                None => paint(ABSENT, "-"),
            },
        ),
    ];
    if let Some(e) = c.error_msg.as_deref().filter(|e| !e.is_empty()) {
        rows.push(("Task error", paint(FAIL, &sanitize(e))));
    }
    if let Some(e) = c
        .last_error_of_alter_table
        .as_deref()
        .filter(|e| !e.is_empty())
    {
        rows.push(("Last ALTER TABLE error", paint(FAIL, &sanitize(e))));
    }
    // Fields the page does not document, shown only when the server sends them.
    for (label, extra) in [
        ("Instance-level sync", &c.is_instance_level_sync),
        ("Database scope", &c.database_repl_scope),
        ("Table names as regex", &c.is_support_reg_exp),
    ] {
        if let Some(v) = extra.as_ref().filter(|v| !v.is_null()) {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            rows.push((label, sanitize(&text)));
        }
    }
    let mut tw = table();
    for (label, v) in rows {
        writeln!(tw, "  {label}\t{v}")?;
    }
    flush(tw, out)
}

/// A titled table of checks, each row marked, or `none` when there are none.
fn write_checks(
    out: &mut dyn Write,
    title: &str,
    columns: [&str; 3],
    checks: &[Check],
) -> io::Result<()> {
    let failed = checks.iter().filter(|c| c.verdict != Verdict::Pass).count();
    let summary = match (checks.len(), failed) {
        (0, _) => paint(ABSENT, "none reported"),
        (n, 0) => paint(PASS, &format!("all {n} passed")),
        (n, f) => paint(FAIL, &format!("{f} of {n} did not pass")),
    };
    writeln!(out, "{}: {summary}", paint(HEADING, title))?;
    if checks.is_empty() {
        return Ok(());
    }
    let mut tw = table();
    let [a, b, c] = columns.map(|h| paint(COLUMN, h));
    writeln!(tw, "   \t{a}\t{b}\t{c}")?;
    for check in checks {
        let [a, b, c] = &check.cells;
        writeln!(tw, "  {}\t{a}\t{b}\t{c}", check.verdict.mark())?;
    }
    flush(tw, out)
}

/// The whitelist or blacklist of one table synchronization configuration.
fn write_repl_config(
    out: &mut dyn Write,
    title: &str,
    config: Option<&TableReplConfig>,
) -> io::Result<()> {
    writeln!(out, "{}", paint(HEADING, title))?;
    let config =
        config.filter(|c| c.repl_type.is_some() || c.repl_scope.is_some() || c.tables.is_some());
    let Some(config) = config else {
        return writeln!(out, "  {}", paint(ABSENT, "not set"));
    };
    let kind = match &config.repl_type {
        Some(t @ ReplType::IncludeTables) => {
            format!("whitelist ({t}): only the tables listed are synchronized")
        }
        Some(t @ ReplType::ExcludeTables) => {
            format!("blacklist ({t}): the tables listed are not synchronized")
        }
        Some(other) => sanitize(other.as_str()),
        None => paint(ABSENT, "-"),
    };
    let scope = match &config.repl_scope {
        Some(s @ ReplScope::All) => format!("all tables ({s})"),
        Some(s @ ReplScope::Part) => format!("some tables ({s})"),
        Some(other) => sanitize(other.as_str()),
        None => paint(ABSENT, "-"),
    };
    let mut tw = table();
    writeln!(tw, "  Type\t{kind}")?;
    writeln!(tw, "  Scope\t{scope}")?;
    let tables = config.tables.as_deref().unwrap_or_default();
    if tables.is_empty() {
        writeln!(tw, "  Tables\t{}", paint(ABSENT, "none listed"))?;
    }
    for (i, t) in tables.iter().enumerate() {
        let label = if i == 0 { "Tables" } else { "" };
        writeln!(tw, "  {label}\t{}", sanitize(t))?;
    }
    flush(tw, out)
}

/// A table whose column widths ignore colour escapes.
fn table() -> TabWriter<Vec<u8>> {
    TabWriter::new(Vec::new()).padding(2).ansi(true)
}

fn flush(tw: TabWriter<Vec<u8>>, out: &mut dyn Write) -> io::Result<()> {
    let bytes = tw
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use taurusdb::types::{DataBaseInfo, DbConfigCheckResult, TableConfigCheckResult};

    fn target() -> Target {
        Target {
            instance_id: "inst".into(),
            task_name: "task_1".parse().unwrap(),
        }
    }

    fn plain(config: &StarRocksReplicationConfig) -> String {
        let mut out = Vec::new();
        render(&mut out, &target(), config).unwrap();
        anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
    }

    #[test]
    fn failing_and_missing_results_are_marked_and_counted() {
        let config = StarRocksReplicationConfig {
            database_info: Some(DataBaseInfo {
                database_name: Some("db".into()),
                db_config_check_results: Some(vec![
                    DbConfigCheckResult {
                        param_name: Some("a_param".into()),
                        value: Some("1".into()),
                        check_result: Some(CheckResult::Success),
                    },
                    DbConfigCheckResult {
                        param_name: Some("b".into()),
                        value: None,
                        check_result: None,
                    },
                ]),
            }),
            table_infos: Some(vec![TableConfigCheckResult {
                table_name: Some("t1".into()),
                table_config: Some("engine".into()),
                check_result: Some(CheckResult::Fail),
            }]),
            table_repl_config: Some(TableReplConfig {
                repl_type: Some(ReplType::IncludeTables),
                repl_scope: Some(ReplScope::Part),
                tables: Some(vec!["db.orders".into(), "db.customers".into()]),
            }),
            is_support_reg_exp: Some(serde_json::Value::String("true".into())),
            last_error_of_alter_table: Some("boom\x1b[2J".into()),
            ..Default::default()
        };
        let text = plain(&config);
        assert!(text.contains("  ✓  a_param    1      success\n"), "{text}");
        assert!(
            text.contains("  ?  b          -      (no result)\n"),
            "{text}"
        );
        assert!(text.contains("  ✗  t1     engine         fail\n"), "{text}");
        assert!(
            text.contains("Database checks: 1 of 2 did not pass"),
            "{text}"
        );
        assert!(
            text.contains("Type    whitelist (include_tables): only the tables listed"),
            "{text}"
        );
        assert!(
            text.contains("  Tables  db.orders\n          db.customers\n"),
            "{text}"
        );
        assert!(text.contains("Table names as regex    true"), "{text}");
        assert!(
            text.contains("boom\\u{1b}[2J"),
            "escapes from the server are neutralised: {text}"
        );
        assert!(text.ends_with("✗ 2 of 3 checks did not pass.\n"), "{text}");
    }

    #[test]
    fn colour_is_written_for_the_stream_to_keep_or_strip() {
        let mut out = Vec::new();
        render(&mut out, &target(), &StarRocksReplicationConfig::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[1m"), "{text:?}");
        let plain = plain(&StarRocksReplicationConfig::default());
        assert!(plain.contains("Database checks: none reported"), "{plain}");
        assert!(
            plain.contains("Tables to synchronize (table_repl_config)\n  not set\n"),
            "{plain}"
        );
        assert!(plain.ends_with("No checks were reported.\n"), "{plain}");
    }
}
