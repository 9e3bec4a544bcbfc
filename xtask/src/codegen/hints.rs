//! The operation hints that drive generated behaviour beyond one call (README, "Generation
//! hints"): each read and checked here, with the file and line of what is wrong.
//!
//! - `x-paginated: {offset, limit, items, total}`: a list that pages by offset; the request
//!   gets `pages()` and `items()` streams, the command `--all`.
//! - `x-job: <property>`: the success body names an asynchronous job by this property; the
//!   command gets `--wait`.
//! - `x-waiter: {name, id, status, success, failure}`: the operation that shows a job; the
//!   client gets `wait_for_<name>(id)`.
//! - `x-cli-aliases: [<command path>]`: other commands that run the operation.
//! - `x-cli-confirm: <question>`: the command asks before it runs (or needs `--yes`).
//! - `x-idempotent: <bool>`: whether a retry may repeat the call once it may have reached
//!   the server (default: only GET, HEAD, OPTIONS and TRACE).

use serde_json::Value;

use crate::model::spec::{Diagnostic, Spec, escape_pointer};
use crate::model::walk;

/// `x-paginated`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paginated {
    /// The query parameter of the first item's index.
    pub offset: String,
    /// The query parameter of the page size.
    pub limit: String,
    /// The success body's property holding the page's items.
    pub items: String,
    /// The success body's property holding the total count.
    pub total: String,
}

/// `x-waiter`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// `wait_for_<name>`.
    pub name: String,
    /// The parameter that takes the job's ID.
    pub id: String,
    /// The JSON pointer of the status in the success body.
    pub status: String,
    pub success: Vec<String>,
    pub failure: Vec<String>,
}

/// Every hint of one operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    pub paginated: Option<Paginated>,
    pub job: Option<String>,
    pub waiter: Option<Waiter>,
    pub aliases: Vec<String>,
    pub confirm: Option<String>,
    pub idempotent: Option<bool>,
}

/// Whether a method may be repeated with the same effect without the spec saying so: the
/// safe methods (RFC 9110, 9.2.1). PUT and DELETE are idempotent by definition but, on this
/// API, start jobs: the client never repeats them once they may have reached the server
/// unless the operation says `x-idempotent: true`.
pub fn idempotent_method(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "OPTIONS" | "TRACE"
    )
}

/// The properties of the success schema at `schema_ptr` (its `$ref`s and `allOf` followed).
fn success_properties<'a>(root: &'a Value, schema_ptr: Option<&str>) -> Vec<&'a String> {
    let Some(schema) = schema_ptr.and_then(|p| root.pointer(p)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![schema];
    let mut depth = 0;
    while let Some(s) = stack.pop() {
        depth += 1;
        if depth > 64 {
            break;
        }
        let s = match walk::ref_name(s) {
            Some(n) => match root.pointer(&format!("/components/schemas/{}", escape_pointer(n))) {
                Some(t) => t,
                None => continue,
            },
            None => s,
        };
        out.extend(
            s.get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k),
        );
        stack.extend(
            s.get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    out
}

fn string_field(
    spec: &Spec,
    at: &str,
    obj: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<String, Diagnostic> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(spec.diag(
            &format!("{at}/{key}"),
            format!("`{key}` must be a non-empty string"),
        )),
    }
}

fn strings(
    spec: &Spec,
    at: &str,
    v: Option<&Value>,
    what: &str,
) -> Result<Vec<String>, Diagnostic> {
    v.and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .and_then(|a| {
            a.iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| spec.diag(at, format!("{what} must be a non-empty list of strings")))
}

/// The hints of the operation at `ptr`. `params` are its parameters' (name, location);
/// `success_schema` the pointer of its success body's schema.
pub fn read(
    spec: &Spec,
    ptr: &str,
    op: &Value,
    params: &[(String, &'static str, bool)],
    success_schema: Option<&str>,
) -> Result<Hints, Diagnostic> {
    let root = &spec.root;
    let props = success_properties(root, success_schema);
    let is_property = |p: &str| props.iter().any(|q| *q == p);
    let param = |name: &str| params.iter().find(|(n, _, _)| n == name);
    let mut hints = Hints::default();

    if let Some(x) = op.get("x-paginated") {
        let at = format!("{ptr}/x-paginated");
        let obj = x.as_object().ok_or_else(|| {
            spec.diag(
                &at,
                "`x-paginated` must be an object with `offset`, `limit`, `items` and `total`",
            )
        })?;
        if let Some(k) = obj
            .keys()
            .find(|k| !["offset", "limit", "items", "total"].contains(&k.as_str()))
        {
            return Err(spec.diag(
                &at,
                format!(
                    "`x-paginated` has an unknown key `{k}` (known: offset, limit, items, total)"
                ),
            ));
        }
        let p = Paginated {
            offset: string_field(spec, &at, obj, "offset")?,
            limit: string_field(spec, &at, obj, "limit")?,
            items: string_field(spec, &at, obj, "items")?,
            total: string_field(spec, &at, obj, "total")?,
        };
        for key in ["offset", "limit"] {
            let name = if key == "offset" { &p.offset } else { &p.limit };
            if !matches!(param(name), Some((_, "query", _))) {
                return Err(spec.diag(
                    &format!("{at}/{key}"),
                    format!("`x-paginated.{key}` names `{name}`, which is not a query parameter of this operation"),
                ));
            }
        }
        for (key, name) in [("items", &p.items), ("total", &p.total)] {
            if !is_property(name) {
                return Err(spec.diag(
                    &format!("{at}/{key}"),
                    format!("`x-paginated.{key}` names `{name}`, which is not a property of the success body"),
                ));
            }
        }
        hints.paginated = Some(p);
    }

    if let Some(x) = op.get("x-job") {
        let at = format!("{ptr}/x-job");
        let name = x
            .as_str()
            .ok_or_else(|| spec.diag(&at, "`x-job` must name a property of the success body"))?;
        if !is_property(name) {
            return Err(spec.diag(
                &at,
                format!("`x-job` names `{name}`, which is not a property of the success body"),
            ));
        }
        hints.job = Some(name.to_string());
    }

    if let Some(x) = op.get("x-waiter") {
        let at = format!("{ptr}/x-waiter");
        let obj = x.as_object().ok_or_else(|| {
            spec.diag(
                &at,
                "`x-waiter` must be an object with `name`, `id`, `status`, `success` and `failure`",
            )
        })?;
        if let Some(k) = obj
            .keys()
            .find(|k| !["name", "id", "status", "success", "failure"].contains(&k.as_str()))
        {
            return Err(spec.diag(&at, format!("`x-waiter` has an unknown key `{k}` (known: name, id, status, success, failure)")));
        }
        let name = string_field(spec, &at, obj, "name")?;
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || !name.starts_with(|c: char| c.is_ascii_lowercase())
        {
            return Err(spec.diag(
                &format!("{at}/name"),
                "`x-waiter.name` must be a snake_case word (the client gets `wait_for_<name>`)",
            ));
        }
        let id = string_field(spec, &at, obj, "id")?;
        match param(&id) {
            Some((_, "path" | "query", true)) => {}
            _ => {
                return Err(spec.diag(
                    &format!("{at}/id"),
                    format!("`x-waiter.id` names `{id}`, which is not a required path or query parameter of this operation"),
                ));
            }
        }
        let others = params
            .iter()
            .filter(|(n, _, required)| *required && *n != id)
            .count();
        if others > 0 {
            return Err(spec.diag(&at, "the operation of `x-waiter` may require no argument but the job's ID (and the client's settings)"));
        }
        let status = string_field(spec, &at, obj, "status")?;
        if !status.starts_with('/') {
            return Err(spec.diag(
                &format!("{at}/status"),
                "`x-waiter.status` must be a JSON pointer into the success body, e.g. /job/status",
            ));
        }
        hints.waiter = Some(Waiter {
            name,
            id,
            status,
            success: strings(
                spec,
                &format!("{at}/success"),
                obj.get("success"),
                "`x-waiter.success`",
            )?,
            failure: strings(
                spec,
                &format!("{at}/failure"),
                obj.get("failure"),
                "`x-waiter.failure`",
            )?,
        });
    }

    if let Some(x) = op.get("x-cli-aliases") {
        let at = format!("{ptr}/x-cli-aliases");
        let aliases = strings(spec, &at, Some(x), "`x-cli-aliases`")?;
        for (i, a) in aliases.iter().enumerate() {
            if !command_path(a) {
                return Err(spec.diag(&format!("{at}/{i}"), format!("alias `{a}` must be words of lower-case letters, digits and `-`, separated by one space")));
            }
        }
        hints.aliases = aliases;
    }

    if let Some(x) = op.get("x-cli-confirm") {
        let at = format!("{ptr}/x-cli-confirm");
        hints.confirm = Some(
            x.as_str()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| {
                    spec.diag(&at, "`x-cli-confirm` must be the question the command asks")
                })?
                .to_string(),
        );
    }

    if let Some(x) = op.get("x-idempotent") {
        hints.idempotent = Some(x.as_bool().ok_or_else(|| {
            spec.diag(
                &format!("{ptr}/x-idempotent"),
                "`x-idempotent` must be true or false",
            )
        })?);
    }
    Ok(hints)
}

/// A command path: words of lower-case letters, digits and `-`, separated by one space,
/// none of them a word the CLI keeps (`demo`, `completions`, `help`).
pub fn command_path(s: &str) -> bool {
    !s.is_empty()
        && s.split(' ').all(|w| {
            !w.is_empty()
                && w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !["demo", "completions", "help"].contains(&w)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(op: Value) -> Spec {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {"/x": {"get": op}},
            "components": {"schemas": {
                "Page": {"type": "object", "properties": {"items": {"type": "array"}, "total_count": {"type": "string"}, "job_id": {"type": "string"}}},
                "Job": {"type": "object", "properties": {"job": {"type": "object"}}}
            }}
        });
        Spec::parse("t.json", doc.to_string().as_bytes()).unwrap()
    }

    fn params() -> Vec<(String, &'static str, bool)> {
        vec![
            ("offset".into(), "query", false),
            ("limit".into(), "query", false),
            ("id".into(), "query", true),
        ]
    }

    #[test]
    fn hints_are_read_and_checked_against_the_operation() {
        let op = json!({
            "x-paginated": {"offset": "offset", "limit": "limit", "items": "items", "total": "total_count"},
            "x-job": "job_id",
            "x-waiter": {"name": "job", "id": "id", "status": "/job/status", "success": ["Completed"], "failure": ["Failed"]},
            "x-cli-aliases": ["starrocks replication-config"],
            "x-cli-confirm": "Delete it?",
            "x-idempotent": false
        });
        let s = spec(op.clone());
        let h = read(
            &s,
            "/paths/~1x/get",
            &s.root["paths"]["/x"]["get"],
            &params(),
            Some("/components/schemas/Page"),
        )
        .unwrap();
        assert_eq!(h.paginated.unwrap().total, "total_count");
        assert_eq!(h.job.as_deref(), Some("job_id"));
        assert_eq!(h.waiter.unwrap().success, ["Completed"]);
        assert_eq!(h.aliases, ["starrocks replication-config"]);
        assert_eq!(h.confirm.as_deref(), Some("Delete it?"));
        assert_eq!(h.idempotent, Some(false));
    }

    #[test]
    fn hints_that_do_not_fit_the_operation_are_refused_with_their_place() {
        let cases = [
            (
                json!({"x-paginated": {"offset": "start", "limit": "limit", "items": "items", "total": "total_count"}}),
                "`start`, which is not a query parameter",
            ),
            (
                json!({"x-paginated": {"offset": "offset", "limit": "limit", "items": "rows", "total": "total_count"}}),
                "`rows`, which is not a property",
            ),
            (
                json!({"x-job": "workflow_id"}),
                "`workflow_id`, which is not a property",
            ),
            (
                json!({"x-waiter": {"name": "job", "id": "offset", "status": "/job/status", "success": ["A"], "failure": ["B"]}}),
                "not a required path or query parameter",
            ),
            (
                json!({"x-waiter": {"name": "job", "id": "id", "status": "job.status", "success": ["A"], "failure": ["B"]}}),
                "must be a JSON pointer",
            ),
            (
                json!({"x-waiter": {"name": "job", "id": "id", "status": "/s", "success": [], "failure": ["B"]}}),
                "non-empty list",
            ),
            (
                json!({"x-cli-aliases": ["Starrocks  x"]}),
                "separated by one space",
            ),
            (json!({"x-idempotent": "yes"}), "true or false"),
        ];
        for (op, expected) in cases {
            let s = spec(op);
            let e = read(
                &s,
                "/paths/~1x/get",
                &s.root["paths"]["/x"]["get"],
                &params(),
                Some("/components/schemas/Page"),
            )
            .unwrap_err();
            assert!(e.message.contains(expected), "{expected}: {e}");
            assert!(e.pos.is_some(), "{e}");
        }
    }

    #[test]
    fn only_safe_methods_are_repeated_without_the_spec_saying_so() {
        for m in ["GET", "head", "OPTIONS", "TRACE"] {
            assert!(idempotent_method(m), "{m}");
        }
        for m in ["PUT", "DELETE", "POST", "PATCH"] {
            assert!(!idempotent_method(m), "{m}");
        }
    }
}
