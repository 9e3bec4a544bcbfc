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

/// Writes `reply`, the response of `op` called with `args`, to `out` in `format`. With a
/// query, its result is written as JSON (or YAML with `-o yaml`): a filtered value has no
/// human view. With a conformance `report` (`--check-spec`), JSON and YAML output is
/// `{"result": ..., "spec_check": report}`. Human output carries colour escapes; `out` decides whether they reach the
/// terminal (see `anstream`).
pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    query_expr: Option<&str>,
    report: Option<&taurusdb::conformance::Report>,
    op: &Operation,
    args: &[(String, String)],
    reply: &Reply,
) -> io::Result<()> {
    let filtered;
    let body = match query_expr {
        Some(q) => {
            filtered = query(q, &reply.body)?;
            &filtered
        }
        None => &reply.body,
    };
    // With --check-spec, JSON and YAML carry the report under its own key.
    let wrapped;
    let body = match (report, format, query_expr) {
        (Some(r), OutputFormat::Json | OutputFormat::Yaml, None) => {
            wrapped = serde_json::json!({"result": body, "spec_check": r});
            &wrapped
        }
        _ => body,
    };
    match (format, query_expr) {
        (OutputFormat::Human, None) => human::render(out, op, args, body)?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_select_from_the_result() {
        let v = json!({"a": {"b": [1, 2, 3]}, "c": "x"});
        assert_eq!(query("a.b[1]", &v).unwrap(), json!(2));
        assert_eq!(query("c", &v).unwrap(), json!("x"));
        assert_eq!(query("missing", &v).unwrap(), Value::Null);
        assert!(query("[?", &v).is_err());
    }
}
