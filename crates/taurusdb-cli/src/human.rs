//! The human view of any operation's response, worked out from the response schema in the
//! spec rather than from one response type: objects as aligned `label  value` blocks, nested
//! objects as titled blocks, arrays of objects as tables, arrays of scalars as lists, and
//! fields or values the spec does not list shown as received, never dropped.
//!
//! What a person needs beyond the raw shape comes from presentation hints in the spec, read
//! here by name and documented in the README ("Presentation hints"):
//!
//! - `x-cli-title` (success schema): the heading; else the operation's summary;
//! - `x-cli-label` (property or parameter): the label; else the name as in the API;
//! - `x-cli-verdict: {pass: [...]}` (an enumeration): values that pass get `✓`, any other
//!   value `✗`, no value `?`; rows and the whole response are counted;
//! - `x-cli-summary` (success schema): the noun of the closing count (`checks`);
//! - `x-cli-when-present: true` (property): shown only when the server sends a value;
//! - `x-cli-style: error` (property): a value shown as a failure (red);
//! - `x-enum-descriptions`: a value shown as `description (value)`;
//! - `x-cli-columns: [property, ...]` (an array of objects, or its items' schema): the
//!   table's columns, in this order (a verdict column stays); the other fields the items
//!   have are named under the table.
//!
//! Colour is written as ANSI escapes; the caller's stream strips them when stdout is not a
//! terminal or `NO_COLOR` is set. A failing value is marked with `✗` as well as red, so
//! nothing depends on colour.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::{Map, Value};
use tabwriter::TabWriter;
use taurusdb::spec::{self, Operation, view};

use crate::error::sanitize;

const HEADING: Style = Style::new().bold();
const COLUMN: Style = Style::new().dimmed();
const ABSENT: Style = Style::new().dimmed();
const PASS: Style = AnsiColor::Green.on_default();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const MISSING: Style = AnsiColor::Yellow.on_default();

/// How deep nested objects are laid out before the rest is shown as JSON.
const MAX_DEPTH: usize = 8;

/// `text` in `style`.
fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// What a value says under `x-cli-verdict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Missing,
}

impl Verdict {
    fn of(schema: &Map<String, Value>, value: Option<&Value>) -> Option<Verdict> {
        let pass = schema.get("x-cli-verdict")?.get("pass")?.as_array()?;
        Some(match value {
            None | Some(Value::Null) => Verdict::Missing,
            Some(v) if pass.contains(v) => Verdict::Pass,
            Some(_) => Verdict::Fail,
        })
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
}

/// Counts of verdicts.
#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    failed: usize,
}

impl Tally {
    fn add(&mut self, v: Verdict) {
        self.total += 1;
        if v != Verdict::Pass {
            self.failed += 1;
        }
    }
}

/// A scalar value as text: strings as they are (control characters neutralised), booleans
/// as yes/no, numbers as numbers, anything else as compact JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => sanitize(s),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Null => paint(ABSENT, "-"),
        other => sanitize(&other.to_string()),
    }
}

/// A value of `schema` as one cell: with its verdict's colour, its enumeration description,
/// its style.
fn cell(schema: &Map<String, Value>, value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => {
            if Verdict::of(schema, value).is_some() {
                return paint(MISSING, "(no result)");
            }
            return paint(ABSENT, "-");
        }
        Some(v) => scalar(v),
    };
    let described = value
        .and_then(Value::as_str)
        .and_then(|s| schema.get("x-enum-descriptions")?.get(s)?.as_str())
        .map(|d| format!("{} ({text})", sanitize(d)));
    let text = described.unwrap_or(text);
    if let Some(v) = Verdict::of(schema, value) {
        return paint(v.style(), &text);
    }
    if schema.get("x-cli-style").and_then(Value::as_str) == Some("error") {
        return paint(FAIL, &text);
    }
    text
}

fn label(name: &str, schema: &Map<String, Value>) -> String {
    schema
        .get("x-cli-label")
        .and_then(Value::as_str)
        .map_or_else(|| name.to_string(), str::to_string)
}

fn is_object(schema: &Map<String, Value>, value: Option<&Value>) -> bool {
    match value {
        Some(Value::Object(_)) => true,
        Some(Value::Null) | None => {
            schema.get("type").and_then(Value::as_str) == Some("object")
                || schema.contains_key("properties")
        }
        _ => false,
    }
}

fn is_array(schema: &Map<String, Value>, value: Option<&Value>) -> bool {
    match value {
        Some(Value::Array(_)) => true,
        Some(Value::Null) | None => schema.get("type").and_then(Value::as_str) == Some("array"),
        _ => false,
    }
}

/// The properties of an object schema, in the spec's order, then the value's own keys that
/// the schema does not declare (with an empty schema).
fn fields<'a>(
    schema: &Map<String, Value>,
    value: Option<&'a Map<String, Value>>,
) -> Vec<(String, Map<String, Value>, Option<&'a Value>)> {
    let declared = schema.get("properties").and_then(Value::as_object);
    let mut out = Vec::new();
    // Names the declared properties are also sent under (`x-aliases`).
    let mut aliases: Vec<String> = Vec::new();
    for (name, s) in declared.into_iter().flatten() {
        let s = view(s);
        let own: Vec<String> = s
            .get("x-aliases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        // The client's types already map an alias to the property; this only matters for
        // values that were not decoded.
        let v = value.and_then(|o| o.get(name).or_else(|| own.iter().find_map(|a| o.get(a))));
        aliases.extend(own);
        out.push((name.clone(), s, v));
    }
    for (name, v) in value.into_iter().flatten() {
        if !declared.is_some_and(|d| d.contains_key(name)) && !aliases.contains(name) {
            out.push((name.clone(), Map::new(), Some(v)));
        }
    }
    out
}

/// Whether a property is left out: `x-cli-when-present` and no (or an empty) value.
fn hidden(schema: &Map<String, Value>, value: Option<&Value>) -> bool {
    schema.get("x-cli-when-present") == Some(&Value::Bool(true))
        && match value {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        }
}

struct Renderer<'o> {
    out: &'o mut dyn Write,
    tally: Tally,
}

impl Renderer<'_> {
    /// An object's scalar fields as an aligned block, then its nested objects and arrays.
    ///
    /// Rows start at column `rows`, nested titles at column `titles`.
    fn object(
        &mut self,
        rows_at: usize,
        titles_at: usize,
        schema: &Map<String, Value>,
        value: Option<&Map<String, Value>>,
        extra_rows: Vec<(String, String)>,
        depth: usize,
    ) -> io::Result<()> {
        let row_pad = " ".repeat(rows_at);
        let pad = " ".repeat(titles_at);
        let fields = fields(schema, value);
        let mut rows = extra_rows;
        let mut nested = Vec::new();
        for (name, s, v) in &fields {
            if hidden(s, *v) {
                continue;
            }
            let structured = (is_object(s, *v) || is_array(s, *v)) && depth < MAX_DEPTH;
            if structured {
                nested.push((name, s, *v));
            } else if let Some(verdict) = Verdict::of(s, *v) {
                self.tally.add(verdict);
                rows.push((
                    label(name, s),
                    format!("{} {}", verdict.mark(), cell(s, *v)),
                ));
            } else {
                let text = match v {
                    Some(Value::Object(_) | Value::Array(_)) => {
                        sanitize(&v.map(Value::to_string).unwrap_or_default())
                    }
                    _ => cell(s, *v),
                };
                rows.push((label(name, s), text));
            }
        }
        if !rows.is_empty() {
            let mut tw = table();
            for (l, v) in rows {
                writeln!(tw, "{row_pad}{}\t{v}", sanitize(&l))?;
            }
            flush(tw, self.out)?;
        }
        for (name, s, v) in nested {
            if depth == 0 {
                writeln!(self.out)?;
            }
            if is_array(s, v) {
                self.array(titles_at, name, s, v)?;
            } else {
                writeln!(self.out, "{pad}{}", paint(HEADING, &label(name, s)))?;
                match v {
                    // `{}` says as little as no value.
                    Some(Value::Object(o)) if o.is_empty() => {
                        writeln!(self.out, "{pad}  {}", paint(ABSENT, "not set"))?
                    }
                    Some(Value::Object(o)) => {
                        let inner = titles_at + 2;
                        self.object(inner, inner, s, Some(o), Vec::new(), depth + 1)?
                    }
                    _ => writeln!(self.out, "{pad}  {}", paint(ABSENT, "not set"))?,
                }
            }
        }
        Ok(())
    }

    /// An array: of objects as a table with a verdict per row when the items have one, of
    /// scalars as a list.
    fn array(
        &mut self,
        indent: usize,
        name: &str,
        schema: &Map<String, Value>,
        value: Option<&Value>,
    ) -> io::Result<()> {
        let pad = " ".repeat(indent);
        let title = paint(HEADING, &label(name, schema));
        let items: &[Value] = value.and_then(Value::as_array).map_or(&[], Vec::as_slice);
        let item_schema = schema.get("items").map(view).unwrap_or_default();
        let objects = items.iter().all(Value::is_object) && !items.is_empty()
            || (items.is_empty() && is_object(&item_schema, None));
        if !objects {
            let list: Vec<String> = items.iter().map(scalar).collect();
            let text = if list.is_empty() {
                paint(ABSENT, "none listed")
            } else {
                list.join(", ")
            };
            return writeln!(self.out, "{pad}{title}: {text}");
        }
        // Columns: the item schema's scalar properties, then keys the items have that it
        // does not declare; the verdict column (if any) last.
        let mut columns: Vec<(String, Map<String, Value>)> = Vec::new();
        let first = Map::new();
        for (n, s, _) in fields(&item_schema, Some(&first)) {
            columns.push((n, s));
        }
        for item in items {
            for (n, s, _) in fields(&item_schema, item.as_object()) {
                if !columns.iter().any(|(c, _)| *c == n) {
                    columns.push((n, s));
                }
            }
        }
        // `x-cli-columns` (on the array, else on its items): these columns, in this order;
        // the others are named under the table. A verdict column stays.
        let chosen: Option<Vec<String>> = schema
            .get("x-cli-columns")
            .or_else(|| item_schema.get("x-cli-columns"))
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            });
        let mut left_out: Vec<String> = Vec::new();
        if let Some(chosen) = &chosen {
            let mut picked = Vec::new();
            for name in chosen {
                if let Some(i) = columns.iter().position(|(n, _)| n == name) {
                    picked.push(columns.remove(i));
                }
            }
            for (n, s) in columns {
                if s.contains_key("x-cli-verdict") {
                    picked.push((n, s));
                } else if items
                    .iter()
                    .any(|i| i.get(&n).is_some_and(|v| !v.is_null()))
                {
                    left_out.push(n);
                }
            }
            columns = picked;
        }
        let verdict_col = columns
            .iter()
            .position(|(_, s)| s.contains_key("x-cli-verdict"));
        if let Some(i) = verdict_col {
            let c = columns.remove(i);
            columns.push(c);
        }
        let mut tally = Tally::default();
        let mut rows = Vec::new();
        for item in items {
            let obj = item.as_object();
            let mark = verdict_col.map(|_| {
                let (n, s) = columns.last().expect("the verdict column");
                let v = Verdict::of(s, obj.and_then(|o| o.get(n))).unwrap_or(Verdict::Missing);
                tally.add(v);
                v.mark()
            });
            let cells: Vec<String> = columns
                .iter()
                .map(|(n, s)| {
                    let v = obj.and_then(|o| o.get(n));
                    match v {
                        Some(Value::Object(_) | Value::Array(_)) => {
                            sanitize(&v.map(Value::to_string).unwrap_or_default())
                        }
                        _ => cell(s, v),
                    }
                })
                .collect();
            rows.push((mark, cells));
        }
        let summary = match (items.len(), verdict_col.is_some(), tally.failed) {
            (0, true, _) => paint(ABSENT, "none reported"),
            (0, false, _) => paint(ABSENT, "none"),
            (n, true, 0) => paint(PASS, &format!("all {n} passed")),
            (n, true, f) => paint(FAIL, &format!("{f} of {n} did not pass")),
            (1, false, _) => "1 item".to_string(),
            (n, false, _) => format!("{n} items"),
        };
        self.tally.total += tally.total;
        self.tally.failed += tally.failed;
        writeln!(self.out, "{pad}{title}: {summary}")?;
        if items.is_empty() {
            return Ok(());
        }
        let mut tw = table();
        let heads: Vec<String> = columns
            .iter()
            .map(|(n, s)| paint(COLUMN, &label(n, s).to_uppercase()))
            .collect();
        let lead = if verdict_col.is_some() { "   \t" } else { "  " };
        writeln!(tw, "{pad}{lead}{}", heads.join("\t"))?;
        for (mark, cells) in rows {
            match mark {
                Some(m) => writeln!(tw, "{pad}  {m}\t{}", cells.join("\t"))?,
                None => writeln!(tw, "{pad}  {}", cells.join("\t"))?,
            }
        }
        flush(tw, self.out)?;
        if !left_out.is_empty() {
            let names: Vec<String> = left_out.iter().map(|n| sanitize(n)).collect();
            let note = format!("also in each item: {} (see -o json)", names.join(", "));
            writeln!(self.out, "{pad}  {}", paint(ABSENT, &note))?;
        }
        Ok(())
    }
}

/// Renders `body`, the response of `op` called with `args` (label, value), for people.
pub fn render(
    out: &mut dyn Write,
    op: &Operation,
    args: &[(String, String)],
    body: &Value,
) -> io::Result<()> {
    let schema = op
        .success_schema
        .and_then(|p| spec::document().pointer(p))
        .map(view)
        .unwrap_or_default();
    let title = schema
        .get("x-cli-title")
        .and_then(Value::as_str)
        .unwrap_or(op.summary);
    writeln!(out, "{}", paint(HEADING, &sanitize(title)))?;
    let args: Vec<(String, String)> = args.iter().map(|(l, v)| (l.clone(), sanitize(v))).collect();
    let mut r = Renderer {
        out,
        tally: Tally::default(),
    };
    match body {
        Value::Object(o) => {
            // Scalars first, under the heading; then a blank line before each structure.
            r.object(2, 0, &schema, Some(o), args, 0)?;
        }
        Value::Array(_) => {
            r.object(2, 0, &Map::new(), None, args, 0)?;
            r.array(0, "items", &schema, Some(body))?;
        }
        Value::Null if schema.is_empty() => {
            r.object(2, 0, &Map::new(), None, args, 0)?;
            writeln!(r.out, "{}", paint(ABSENT, "(no body)"))?;
        }
        other => {
            r.object(2, 0, &Map::new(), None, args, 0)?;
            writeln!(r.out, "  {}", scalar(other))?;
        }
    }
    let noun = schema
        .get("x-cli-summary")
        .and_then(Value::as_str)
        .unwrap_or("checks");
    let tally = r.tally;
    if tally.total > 0 || schema.contains_key("x-cli-summary") {
        let line = match (tally.total, tally.failed) {
            (0, _) => paint(ABSENT, &format!("No {noun} were reported.")),
            (n, 0) => paint(PASS, &format!("✓ All {n} {noun} passed.")),
            (n, f) => paint(FAIL, &format!("✗ {f} of {n} {noun} did not pass.")),
        };
        writeln!(r.out)?;
        writeln!(r.out, "{line}")?;
    }
    Ok(())
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
    use serde_json::json;

    /// The first operation whose success schema counts verdicts, rendered without colour.
    fn plain(body: &Value) -> String {
        let op = spec::operations()
            .iter()
            .find(|o| o.success_schema.is_some())
            .expect("an operation with a success schema");
        let mut out = Vec::new();
        render(&mut out, op, &[("Arg".into(), "a\x1b[2Jb".into())], body).unwrap();
        anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
    }

    #[test]
    fn the_view_follows_the_schema_and_its_hints() {
        // Written against the product spec's hints (see openapi/taurusdb.yaml).
        let body = json!({
            "database_info": {"database_name": "db", "db_config_check_results": [
                {"param_name": "a_param", "value": "1", "check_result": "success"},
                {"param_name": "b", "check_result": null},
            ]},
            "table_infos": [{"table_name": "t1", "table_config": "engine", "check_result": "weird"}],
            "table_repl_config": {"repl_type": "include_tables", "repl_scope": "part", "tables": ["db.orders", "db.customers"]},
            "is_support_reg_exp": "true",
            "last_error_of_alter_table": "boom\u{1b}[2J",
            "error_msg": "",
            "brand_new_field": {"x": 1},
        });
        let text = plain(&body);
        assert!(
            text.contains("    ✓  a_param    1      success\n"),
            "{text}"
        );
        assert!(
            text.contains("    ?  b          -      (no result)\n"),
            "{text}"
        );
        assert!(
            text.contains("  ✗  t1     engine         weird\n"),
            "unknown values shown: {text}"
        );
        assert!(
            text.contains("Database checks: 1 of 2 did not pass"),
            "{text}"
        );
        assert!(
            text.contains("  Type   whitelist (include_tables)\n"),
            "{text}"
        );
        assert!(text.contains("Tables: db.orders, db.customers"), "{text}");
        assert!(
            text.contains("Table names as regex    true"),
            "shown when sent: {text}"
        );
        assert!(!text.contains("Task error"), "hidden when empty: {text}");
        assert!(
            !text.contains("Instance-level sync"),
            "hidden when absent: {text}"
        );
        assert!(
            text.contains("boom\\u{1b}[2J"),
            "escapes neutralised: {text}"
        );
        assert!(text.contains("a\\u{1b}[2Jb"), "arguments too: {text}");
        assert!(
            text.contains("brand_new_field"),
            "unknown fields shown: {text}"
        );
        assert!(text.contains("brand_new_field\n  x  1\n"), "{text}");
        assert!(text.ends_with("✗ 2 of 3 checks did not pass.\n"), "{text}");
    }

    #[test]
    fn the_columns_hint_chooses_and_orders_a_tables_columns() {
        let schema = json!({"type": "array", "x-cli-columns": ["name", "id", "absent"], "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "x-cli-label": "ID"},
                "name": {"type": "string", "x-cli-label": "Name"},
                "extra": {"type": "string"},
                "ok": {"type": "string", "x-cli-verdict": {"pass": ["yes"]}}
            }
        }});
        let items = json!([
            {"id": "1", "name": "a", "extra": "e", "ok": "yes", "new": 1},
            {"id": "2", "name": "b", "ok": "no"}
        ]);
        let mut out = Vec::new();
        let mut r = Renderer {
            out: &mut out,
            tally: Tally::default(),
        };
        r.array(0, "things", &view(&schema), Some(&items)).unwrap();
        let text = anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string();
        assert_eq!(
            text,
            "things: 1 of 2 did not pass\n     NAME  ID  OK\n  ✓  a     1   yes\n  ✗  b     2   no\n  also in each item: extra, new (see -o json)\n"
        );
    }

    /// Every `x-cli-columns` of the spec is a list of properties of the items it lays out,
    /// so that no column the spec's author chose is silently missing.
    #[test]
    fn the_specs_column_hints_name_properties_of_their_items() {
        fn visit(v: &Value, at: &str, found: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(columns) = o.get("x-cli-columns") {
                        let items = o.get("items").unwrap_or(v);
                        let parts = crate::rules::object_parts(items);
                        let names = columns.as_array().map(Vec::as_slice).unwrap_or_default();
                        assert!(
                            !names.is_empty(),
                            "{at}: x-cli-columns must list properties"
                        );
                        for n in names {
                            let n = n.as_str().unwrap_or_default();
                            assert!(
                                parts.properties.iter().any(|(p, _)| p == n),
                                "{at}: x-cli-columns names `{n}`, which its items do not have"
                            );
                        }
                        found.push(at.to_string());
                    }
                    for (k, c) in o {
                        visit(c, &format!("{at}/{k}"), found);
                    }
                }
                Value::Array(a) => {
                    for (i, c) in a.iter().enumerate() {
                        visit(c, &format!("{at}/{i}"), found);
                    }
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        visit(spec::document(), "", &mut found);
        // The check itself fails on a hint that names no property.
        let bad = json!({"x-cli-columns": ["nope"], "items": {"properties": {"a": {}}}});
        assert!(std::panic::catch_unwind(|| visit(&bad, "", &mut Vec::new())).is_err());
    }

    #[test]
    fn empty_responses_say_so() {
        let text = plain(&json!({}));
        assert!(text.contains("Table checks: none reported"), "{text}");
        assert!(text.contains("not set"), "{text}");
        assert!(text.ends_with("No checks were reported.\n"), "{text}");
        let mut out = Vec::new();
        let op = &spec::operations()[0];
        render(&mut out, op, &[], &json!({})).unwrap();
        let coloured = String::from_utf8(out).unwrap();
        assert!(
            coloured.contains("\x1b[1m"),
            "colour is written for the stream to strip"
        );
    }
}
