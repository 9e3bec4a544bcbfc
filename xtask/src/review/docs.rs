//! `cargo xtask docs [--check]`: the spec rendered as an API reference laid out like the
//! Huawei Cloud page it was written from (Function, URI, parameter tables, response tables per
//! schema, examples, status codes), written to `openapi/taurusdb.md`.
//!
//! The tables are built as data first ([`Table`], defined beside the page comparison in
//! [`crate::review::page`]), so that they can be compared row by row with the page's own tables; the
//! markdown is made from the same data.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::model::spec::escape_pointer;
use crate::model::walk::{self, component, text};
use crate::review::page::{Row, Table};
use crate::workspace::{Command, Exit, Output, display_path, ensure};

/// The rendered reference, relative to the workspace root.
pub const REFERENCE: &str = "openapi/taurusdb.md";

/// The reference of one operation.
#[derive(Debug, Clone)]
pub struct Reference {
    pub operation_id: String,
    pub title: String,
    pub function: String,
    pub method: String,
    pub path: String,
    /// (section heading, tables)
    pub sections: Vec<(String, Vec<Table>)>,
    pub example_request: Option<String>,
    /// (status, description, example title, JSON)
    pub examples: Vec<(String, String, String, String)>,
    /// (status, description)
    pub statuses: Vec<(String, String)>,
    /// The spec's `x-page-deviations`: where the reference knowingly differs from the page.
    pub deviations: Vec<crate::review::page::Deviation>,
}

impl Reference {
    /// Every table, in order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|(_, t)| t.iter())
    }
}

/// Builds the reference of every operation.
pub fn references(root: &Value) -> Vec<Reference> {
    walk::operations(root)
        .into_iter()
        .map(|(ptr, method, path, op)| Builder { root, next: 1 }.operation(&ptr, method, &path, op))
        .collect()
}

struct Builder<'a> {
    root: &'a Value,
    next: usize,
}

impl Builder<'_> {
    fn table(&mut self, title: String, rows: Vec<Row>, notes: Vec<String>) -> Table {
        let number = self.next;
        self.next += 1;
        Table {
            number,
            title,
            status: None,
            rows,
            notes,
        }
    }

    fn operation(mut self, op_ptr: &str, method: &str, path: &str, op: &Value) -> Reference {
        let root = self.root;
        let params: Vec<&Value> = walk::parameters(root, path, op_ptr, op)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let of = |location: &str| {
            params
                .iter()
                .copied()
                .filter(|p| p["in"] == location)
                .collect::<Vec<_>>()
        };

        let mut sections = Vec::new();
        let mut uri = Vec::new();
        let path_rows = of("path").iter().map(|p| self.parameter_row(p)).collect();
        uri.push(self.table("URI parameters".into(), path_rows, notes_of(&of("path"))));
        let query = of("query");
        if !query.is_empty() {
            let rows = query.iter().map(|p| self.parameter_row(p)).collect();
            uri.push(self.table("Query parameters".into(), rows, notes_of(&query)));
        }
        sections.push(("URI".to_string(), uri));

        let headers = of("header");
        let (mut header_rows, mut header_notes) = self.security_rows(op);
        header_rows.extend(headers.iter().map(|p| self.parameter_row(p)));
        header_notes.extend(notes_of(&headers));
        if !header_rows.is_empty() {
            let t = self.table(
                "Request header parameters".into(),
                header_rows,
                header_notes,
            );
            sections.push(("Request Parameters".to_string(), vec![t]));
        }

        let mut response_tables = Vec::new();
        let mut statuses = Vec::new();
        let mut examples = Vec::new();
        for r in walk::responses(root, op_ptr, op) {
            let (status, response) = (r.status, r.body);
            let description = text(response.get("description"));
            statuses.push((status.clone(), description.clone()));
            if let Some(schema) = walk::json_media(response).and_then(|m| m.get("schema")) {
                let first = response_tables.len();
                self.schema_tables(
                    "Response body parameters",
                    schema,
                    &mut BTreeSet::new(),
                    &mut response_tables,
                );
                if let Some(body) = response_tables.get_mut(first) {
                    body.status = Some(status.clone());
                }
            }
            for (name, ex) in walk::json_examples(response) {
                let json = serde_json::to_string_pretty(&ex["value"]).unwrap_or_default();
                examples.push((
                    status.clone(),
                    description.clone(),
                    Some(text(ex.get("summary")))
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| name.clone()),
                    json,
                ));
            }
            if let Some(page) = walk::page_example(response) {
                let json = serde_json::to_string_pretty(&page["value"]).unwrap_or_default();
                examples.push((
                    status.clone(),
                    description.clone(),
                    "The page's example, verbatim".into(),
                    json,
                ));
            }
        }
        sections.push(("Response Parameters".to_string(), response_tables));

        Reference {
            operation_id: text(op.get("operationId")),
            title: text(op.get("summary")),
            function: text(op.get("description")),
            method: method.to_uppercase(),
            path: path.to_string(),
            sections,
            example_request: op
                .get("x-page-example-request")
                .and_then(Value::as_str)
                .map(str::to_string),
            examples,
            statuses,
            deviations: crate::review::page::deviations(op),
        }
    }

    /// Header rows for the operation's `apiKey` header security schemes: mandatory when every
    /// security alternative needs the scheme.
    fn security_rows(&self, op: &Value) -> (Vec<Row>, Vec<String>) {
        let root = self.root;
        let requirements = op
            .get("security")
            .or_else(|| root.get("security"))
            .and_then(Value::as_array);
        let Some(requirements) = requirements else {
            return (vec![], vec![]);
        };
        let schemes = root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let mut names: Vec<&String> = Vec::new();
        for req in requirements {
            for name in req.as_object().into_iter().flatten().map(|(k, _)| k) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        for name in names {
            let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
                continue;
            };
            if scheme["type"] != "apiKey" || scheme["in"] != "header" {
                continue;
            }
            let everywhere = requirements.iter().all(|r| r.get(name).is_some());
            let header = text(scheme.get("name"));
            notes.extend(property_notes(&header, scheme));
            rows.push(Row {
                parameter: header,
                mandatory: Some(if everywhere { "Yes" } else { "No" }.into()),
                ty: "String".into(),
                description: paragraphs(&text(scheme.get("description"))),
            });
        }
        (rows, notes)
    }

    fn parameter_row(&self, p: &Value) -> Row {
        let schema = p.get("schema").unwrap_or(&Value::Null);
        let mut description = paragraphs(&text(p.get("description")));
        description.extend(self.details(schema, &Value::Null));
        Row {
            parameter: text(p.get("name")),
            mandatory: Some(if p["required"] == true { "Yes" } else { "No" }.into()),
            ty: self.type_name(schema),
            description,
        }
    }

    /// The table of an object schema, then (depth first, in property order) the tables of the
    /// object components it uses, each once.
    fn schema_tables(
        &mut self,
        title: &str,
        schema: &Value,
        done: &mut BTreeSet<String>,
        out: &mut Vec<Table>,
    ) {
        let root = self.root;
        let target = self.target(schema);
        let Some(props) = target.get("properties").and_then(Value::as_object) else {
            return;
        };
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        let mut nested = Vec::new();
        for (name, prop) in props {
            let mut description = paragraphs(&text(
                prop.get("description")
                    .or_else(|| self.target(prop).get("description")),
            ));
            description.extend(self.details(prop, prop));
            rows.push(Row {
                parameter: name.clone(),
                mandatory: None,
                ty: self.type_name(prop),
                description,
            });
            notes.extend(property_notes(name, prop));
            let inner = prop.get("items").unwrap_or(prop);
            if let Some(component) = component(inner)
                && self.target(inner).get("properties").is_some()
                && !done.contains(component)
            {
                nested.push(component.to_string());
            }
        }
        let table = self.table(title.to_string(), rows, notes);
        out.push(table);
        for component in nested {
            if done.insert(component.clone()) {
                let schema = root
                    .pointer(&format!(
                        "/components/schemas/{}",
                        escape_pointer(&component)
                    ))
                    .cloned()
                    .unwrap_or(Value::Null);
                self.schema_tables(&component, &schema, done, out);
            }
        }
    }

    /// What a schema stands for: the component it references, or itself.
    fn target<'v>(&'v self, schema: &'v Value) -> &'v Value {
        match component(schema) {
            Some(c) => self
                .root
                .pointer(&format!("/components/schemas/{}", escape_pointer(c)))
                .unwrap_or(schema),
            None => schema,
        }
    }

    /// The page's type names: `String`, `Boolean`, `DataBaseInfo object`,
    /// `Array of TableConfigCheckResult objects`, `Array of strings`.
    fn type_name(&self, schema: &Value) -> String {
        let target = self.target(schema);
        match target.get("type").and_then(Value::as_str) {
            Some("array") => {
                let items = schema
                    .get("items")
                    .or_else(|| target.get("items"))
                    .unwrap_or(&Value::Null);
                let item_target = self.target(items);
                match (
                    component(items),
                    item_target.get("type").and_then(Value::as_str),
                ) {
                    (Some(c), Some("object")) => format!("Array of {c} objects"),
                    (_, Some(t)) => format!("Array of {}s", t),
                    _ => "Array".into(),
                }
            }
            Some("object") => match component(schema) {
                Some(c) => format!("{c} object"),
                None => "Object".into(),
            },
            Some(t) => capitalize(t),
            None => "Any".into(),
        }
    }

    /// What the page shows after the description: enumerated values and lengths.
    fn details(&self, schema: &Value, property: &Value) -> Vec<String> {
        let target = self.target(schema);
        let mut out = Vec::new();
        if let Some(values) = target.get("enum").and_then(Value::as_array) {
            let described = target.get("x-enum-descriptions").and_then(Value::as_object);
            if described.is_none() {
                out.push("Values:".to_string());
            }
            for v in values {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                match described.and_then(|d| d.get(&v)).and_then(Value::as_str) {
                    Some(d) => out.push(format!("• {v}: {d}")),
                    None => out.push(format!("• {v}")),
                }
            }
        }
        let constraint = |key: &str| {
            property
                .get(key)
                .or_else(|| schema.get(key))
                .or_else(|| target.get(key))
        };
        if let Some(n) = constraint("minLength") {
            out.push(format!("• Minimum length: {n} characters"));
        }
        if let Some(n) = constraint("maxLength") {
            out.push(format!("• Maximum length: {n} characters"));
        }
        if let Some(p) = constraint("pattern").and_then(Value::as_str) {
            out.push(format!("• Pattern: `{p}`"));
        }
        out
    }
}

fn notes_of(params: &[&Value]) -> Vec<String> {
    params
        .iter()
        .flat_map(|p| property_notes(&text(p.get("name")), p))
        .collect()
}

fn property_notes(name: &str, schema: &Value) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(aliases) = schema.get("x-aliases").and_then(Value::as_array) {
        let list: Vec<String> = aliases
            .iter()
            .filter_map(Value::as_str)
            .map(|a| format!("`{a}`"))
            .collect();
        notes.push(format!("`{name}` is also accepted as {}.", list.join(", ")));
    }
    for d in schema
        .get("x-discrepancies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        notes.push(format!("`{name}`: {}", one_line(&text(Some(d)))));
    }
    notes
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A description's paragraphs (blank-line separated), each on one line; markdown list items
/// become `• ` bullets.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        let bullet = line.strip_prefix("- ").or_else(|| line.strip_prefix("• "));
        if line.is_empty() || bullet.is_some() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if let Some(b) = bullet {
                out.push(format!("• {}", b.trim_matches('`')));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The reference as markdown.
pub fn markdown(refs: &[Reference], spec_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- @generated by `cargo xtask docs` from {spec_name}. DO NOT EDIT. -->"
    );
    let _ = writeln!(
        out,
        "<!-- Change the spec and run `cargo xtask docs`; `cargo xtask docs --check` fails while this file is stale. -->\n"
    );
    for r in refs {
        let _ = writeln!(out, "# {}\n", r.title);
        let _ = writeln!(out, "## Function\n\n{}\n", r.function);
        let _ = writeln!(out, "## URI\n\n`{} {}`\n", r.method, r.path);
        for (heading, tables) in &r.sections {
            if heading != "URI" {
                let _ = writeln!(out, "## {heading}\n");
            }
            for t in tables {
                write_table(&mut out, t);
            }
        }
        if let Some(req) = &r.example_request {
            let _ = writeln!(out, "## Example Request\n\n```\n{req}\n```\n");
        }
        if !r.examples.is_empty() {
            let _ = writeln!(out, "## Example Response\n");
            for (status, description, title, json) in &r.examples {
                let _ = writeln!(
                    out,
                    "Status code: {status} ({description}), {title}:\n\n```json\n{json}\n```\n"
                );
            }
        }
        let _ = writeln!(
            out,
            "## Status Codes\n\n| Status Code | Description |\n|---|---|"
        );
        for (status, description) in &r.statuses {
            let _ = writeln!(out, "| {status} | {description} |");
        }
        out.push('\n');
        if !r.deviations.is_empty() {
            let _ = writeln!(
                out,
                "## Deviations from the API page\n\n| Table | Parameter | Column | Reason |\n|---|---|---|---|"
            );
            for d in &r.deviations {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    d.table,
                    d.parameter,
                    d.column,
                    one_line(&d.reason)
                );
            }
            out.push('\n');
        }
    }
    out
}

fn write_table(out: &mut String, t: &Table) {
    // The status a body belongs to precedes its table, as on the page.
    if let Some(status) = &t.status {
        let _ = writeln!(out, "Status code: {status}\n");
    }
    let _ = writeln!(out, "Table {} {}\n", t.number, t.title);
    let with_mandatory = t.rows.iter().any(|row| row.mandatory.is_some());
    if with_mandatory {
        let _ = writeln!(
            out,
            "| Parameter | Mandatory | Type | Description |\n|---|---|---|---|"
        );
    } else {
        let _ = writeln!(out, "| Parameter | Type | Description |\n|---|---|---|");
    }
    for row in &t.rows {
        let description = row
            .description
            .iter()
            .map(|p| p.replace('|', "\\|"))
            .collect::<Vec<_>>()
            .join("<br>");
        match &row.mandatory {
            Some(m) if with_mandatory => {
                let _ = writeln!(
                    out,
                    "| {} | {m} | {} | {description} |",
                    row.parameter, row.ty
                );
            }
            _ => {
                let _ = writeln!(out, "| {} | {} | {description} |", row.parameter, row.ty);
            }
        }
    }
    out.push('\n');
    if !t.notes.is_empty() {
        let _ = writeln!(out, "Notes:\n");
        for n in &t.notes {
            let _ = writeln!(out, "- {n}");
        }
        out.push('\n');
    }
}

/// The command: render (or check) the reference, then compare each operation's tables with
/// its page, if the page is kept under `openapi/page/`.
pub fn run(root: &Path, spec_path: &Path, check: bool) -> Exit {
    let spec_name = display_path(root, spec_path);
    let spec = match crate::model::spec::Spec::load(spec_path) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("error: {d}");
            return Exit::Failure;
        }
    };
    let refs = references(&spec.root);
    let output = Output {
        path: REFERENCE.to_string(),
        contents: markdown(&refs, &spec_name),
    };
    let mut exit = ensure(root, std::slice::from_ref(&output), check, &DOCS);
    if exit != Exit::Success && !check {
        return exit;
    }
    for r in &refs {
        let page_path = root.join(crate::review::page::page_file(&r.operation_id));
        let Ok(text) = std::fs::read_to_string(&page_path) else {
            continue;
        };
        let rendered: Vec<Table> = r.tables().cloned().collect();
        let verdict = crate::review::page::verdict(&text, &rendered, &r.deviations);
        for d in &verdict.unlisted {
            eprintln!(
                "error: {}: {d}; fix the spec or list it in the operation's x-page-deviations",
                page_path.display()
            );
        }
        for d in &verdict.stale {
            eprintln!(
                "error: {spec_name}: x-page-deviations lists Table {} `{}` {}, which {}",
                d.table,
                d.parameter,
                d.column,
                if d.reason.is_empty() {
                    "has no reason"
                } else {
                    "no longer differs from the page"
                }
            );
        }
        if verdict.is_clean() {
            eprintln!(
                "docs: {} tables of {} match the page, but for {} listed deviations",
                rendered.len(),
                r.operation_id,
                verdict.differences.len()
            );
        } else {
            exit = Exit::Failure;
        }
    }
    exit
}

/// `cargo xtask docs`, as `--check` names it.
const DOCS: Command = Command {
    name: "cargo xtask docs",
    tag: "docs",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{SPEC, workspace_root};

    fn spec() -> Value {
        crate::workspace::spec().root
    }

    /// The page's tables against the reference's, table by table and row by row: every
    /// difference is listed in the spec as a deviation with its reason, and every listed
    /// deviation still occurs.
    #[test]
    fn the_reference_matches_the_page_but_for_listed_deviations() {
        let root = spec();
        let r = &references(&root)[0];
        let text = std::fs::read_to_string(
            workspace_root().join(crate::review::page::page_file(&r.operation_id)),
        )
        .unwrap();
        assert_eq!(
            crate::review::page::tables(&text).len(),
            10,
            "the page has ten tables"
        );
        let rendered: Vec<Table> = r.tables().cloned().collect();
        let verdict = crate::review::page::verdict(&text, &rendered, &r.deviations);
        let report: Vec<String> = verdict.unlisted.iter().map(ToString::to_string).collect();
        assert!(
            verdict.unlisted.is_empty(),
            "unlisted differences:\n{}",
            report.join("\n")
        );
        assert!(
            verdict.stale.is_empty(),
            "deviations that do not occur: {:#?}",
            verdict.stale
        );
        assert_eq!(verdict.differences.len(), r.deviations.len());
    }

    #[test]
    fn tables_are_numbered_and_typed_as_on_the_page() {
        let r = &references(&spec())[0];
        let titles: Vec<String> = r
            .tables()
            .map(|t| format!("{} {}", t.number, t.title))
            .collect();
        assert_eq!(
            titles,
            [
                "1 URI parameters",
                "2 Query parameters",
                "3 Request header parameters",
                "4 Response body parameters",
                "5 DataBaseInfo",
                "6 DbConfigCheckResult",
                "7 TableConfigCheckResult",
                "8 TableReplConfig",
                "9 Response body parameters",
                "10 Response body parameters",
            ]
        );
        let t4 = r.tables().nth(3).unwrap();
        let types: Vec<&str> = t4.rows.iter().take(4).map(|row| row.ty.as_str()).collect();
        assert_eq!(
            types,
            [
                "String",
                "String",
                "DataBaseInfo object",
                "Array of TableConfigCheckResult objects"
            ]
        );
    }

    /// `openapi/taurusdb.md` is what the spec renders: the check `cargo xtask docs --check`
    /// makes, in a plain `cargo test`.
    #[test]
    fn the_committed_reference_is_fresh() {
        let root = workspace_root();
        let out = Output {
            path: REFERENCE.into(),
            contents: markdown(&references(&spec()), SPEC),
        };
        let stale = crate::workspace::stale(&root, &[out]);
        let report: String = stale.iter().map(|s| s.diff.clone()).collect();
        assert!(
            stale.is_empty(),
            "{report}\nTo fix: run `cargo xtask docs` and commit the result."
        );
    }
}
