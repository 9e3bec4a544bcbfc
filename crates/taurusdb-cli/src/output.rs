//! Writing a successful response: the human view, JSON or YAML, optionally filtered by a
//! JMESPath `--query`. JSON and YAML are the decoded response as the client's types
//! serialize it (fields in the generated order, absent fields left out), so scripts see the
//! same shape whatever the server's spelling of a field.

use std::io::{self, Write};

use serde_json::Value;
use taurusdb::spec::Operation;

use crate::args::OutputFormat;
use crate::dispatch::Reply;
use crate::human;

/// Applies a JMESPath expression to `value`.
pub fn query(expression: &str, value: &Value) -> io::Result<Value> {
    let expr =
        jmespath::compile(expression).map_err(|e| io::Error::other(format!("--query: {e}")))?;
    let data = jmespath::Variable::from_serializable(value)
        .map_err(|e| io::Error::other(format!("--query: {e}")))?;
    let result = expr
        .search(data)
        .map_err(|e| io::Error::other(format!("--query: {e}")))?;
    serde_json::to_value(&*result).map_err(|e| io::Error::other(format!("--query: {e}")))
}

/// What a successful command shows: the response of `op` called with `args`, and with
/// `--wait`, the final state of the job it started (as the waiter operation's response).
pub struct Shown<'a> {
    /// The operation called.
    pub op: &'a Operation,
    /// Its arguments (label, value), for the human view.
    pub args: &'a [(String, String)],
    /// Its response.
    pub reply: &'a Reply,
    /// With `--wait`, the job's final state.
    pub job: Option<Job<'a>>,
}

/// The final state of a job `--wait` waited for.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    /// The operation that showed it (the spec's `x-waiter`).
    pub op: &'a Operation,
    /// Its arguments (the job's ID), for the human view.
    pub args: &'a [(String, String)],
    /// Its last response.
    pub state: &'a Value,
}

/// Writes `shown` to `out` in `format`. JSON and YAML are the response, or with a job
/// `{"result": ..., "job": ...}`. With a query, its result (over that same value) is written
/// as JSON (or YAML with `-o yaml`): a filtered value has no human view. With a conformance
/// `report` (`--check-spec`) and no query, JSON and YAML output also has `"spec_check"` (the
/// response under `"result"`). Human output carries colour escapes; `out` decides whether
/// they reach the terminal (see `anstream`).
pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    query_expr: Option<&str>,
    report: Option<&taurusdb::conformance::Report>,
    shown: &Shown<'_>,
) -> io::Result<()> {
    let reply = shown.reply;
    let combined;
    let body = match shown.job {
        Some(job) => {
            combined = serde_json::json!({"result": reply.body, "job": job.state});
            &combined
        }
        None => &reply.body,
    };
    let filtered;
    let body = match query_expr {
        Some(q) => {
            filtered = query(q, body)?;
            &filtered
        }
        None => body,
    };
    // With --check-spec, JSON and YAML carry the report under its own key.
    let wrapped;
    let body = match (report, format, query_expr) {
        (Some(r), OutputFormat::Json | OutputFormat::Yaml, None) => {
            let report = serde_json::to_value(r).map_err(io::Error::other)?;
            wrapped = match (shown.job, body) {
                (Some(_), Value::Object(o)) => {
                    let mut o = o.clone();
                    o.insert("spec_check".to_string(), report);
                    Value::Object(o)
                }
                _ => serde_json::json!({"result": body, "spec_check": report}),
            };
            &wrapped
        }
        _ => body,
    };
    match (format, query_expr) {
        (OutputFormat::Human, None) => {
            human::render(out, shown.op, shown.args, &reply.body)?;
            if let Some(job) = shown.job {
                writeln!(out)?;
                human::render(out, job.op, job.args, job.state)?;
            }
        }
        (OutputFormat::Human | OutputFormat::Json, _) => {
            serde_json::to_writer_pretty(&mut *out, body)?;
            out.write_all(b"\n")?;
        }
        (OutputFormat::Yaml, _) => {
            let text = yaml_serde::to_string(body).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()
}

/// A dry run's request (`METHOD URL`, headers, a blank line and the body, as the client
/// writes it) as JSON: `{"method", "url", "headers": {name: value}, "body"}`, the body as
/// JSON when it is.
pub fn request_value(text: &str) -> Value {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, Some(b)),
        None => (text.trim_end(), None),
    };
    let mut lines = head.lines();
    let (method, url) = lines
        .next()
        .and_then(|l| l.split_once(' '))
        .unwrap_or_default();
    let headers: serde_json::Map<String, Value> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), Value::String(v.to_string())))
        .collect();
    let body = body.map(|b| {
        serde_json::from_str(b).unwrap_or_else(|_| Value::String(b.trim_end().to_string()))
    });
    serde_json::json!({"method": method, "url": url, "headers": headers, "body": body})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dry_runs_request_reads_as_json() {
        let text = "POST https://x.example.com/v1/p/things\ncontent-type: application/json\nx-auth-token: [redacted]\n\n{\n  \"a\": 1\n}\n";
        assert_eq!(
            request_value(text),
            json!({"method": "POST", "url": "https://x.example.com/v1/p/things",
                   "headers": {"content-type": "application/json", "x-auth-token": "[redacted]"},
                   "body": {"a": 1}})
        );
        let get = request_value("GET https://x/y?a=1\naccept: application/json\n");
        assert_eq!(get["method"], "GET");
        assert_eq!(get["body"], Value::Null);
        assert_eq!(get["headers"]["accept"], "application/json");
    }

    #[test]
    fn queries_select_from_the_result() {
        let v = json!({"a": {"b": [1, 2, 3]}, "c": "x"});
        assert_eq!(query("a.b[1]", &v).unwrap(), json!(2));
        assert_eq!(query("c", &v).unwrap(), json!("x"));
        assert_eq!(query("missing", &v).unwrap(), Value::Null);
        assert!(query("[?", &v).is_err());
    }
}
