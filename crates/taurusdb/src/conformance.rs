//! Conformance reports of live responses (cargo feature `conformance`, off by default).
//!
//! The client decodes tolerantly, so what the server really sends can drift from the spec
//! unseen. With this module a call's response (status, content type, body) is also checked
//! strictly against the spec, through the `jsonschema` crate, with OpenAPI 3.0's semantics
//! (`nullable`, `$ref` siblings ignored, integer formats as ranges): missing required
//! properties, wrong types, `null` where the spec has no `nullable`, values outside an
//! enumeration (open ones included: kept by the client, and reported), lengths, patterns,
//! item counts, and properties the spec does not declare. The decoded value is returned as
//! without the check.
//!
//! A departure the spec already records as known server drift is labelled with the recorded
//! reason ([`Departure::known`]): a property sent under one of its `x-aliases`, or a value of
//! an open enumeration that the enumeration's `x-discrepancies` names. It still counts: the
//! response departs from the spec either way.
//!
//! ```no_run
//! # async fn run(client: &taurusdb::Client) -> Result<(), taurusdb::Error> {
//! let (config, report) = taurusdb::conformance::checked(
//!     client.replication_config("6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17", "sync_task_01"),
//! )
//! .await?;
//! for d in &report.departures {
//!     eprintln!("{d}");
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use serde_json::{Map, Value};

use crate::{Error, ResponseValue, spec};

/// Bodies larger than this are not validated (the report says so).
pub const MAX_VALIDATED_BYTES: usize = 16 * 1024 * 1024;
/// Bodies nested deeper than this are not validated (the report says so).
pub const MAX_VALIDATED_DEPTH: usize = 64;

/// One way a response departs from the spec.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Departure {
    /// Where, as a JSON path into the body (`$.a.b[1].c`); `$` for the response itself.
    pub path: String,
    /// The rule broken: a JSON Schema keyword (`enum`, `type`, `required`, `maxLength`, ...),
    /// `undeclared` for a property the spec does not declare, `status` or `content-type`.
    pub rule: String,
    /// What the spec says.
    pub expected: String,
    /// What the response has.
    pub found: String,
    /// The recorded reason, when the spec already records this as known server drift.
    pub known: Option<String>,
}

impl fmt::Display for Departure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: the spec says {}, found {}",
            self.path, self.rule, self.expected, self.found
        )?;
        if let Some(reason) = &self.known {
            write!(f, " (known: {reason})")?;
        }
        Ok(())
    }
}

/// How one response compares with the spec.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The operationId.
    pub operation: String,
    /// The response's status.
    pub status: u16,
    /// The departures, in the order found.
    pub departures: Vec<Departure>,
    /// Why the body was not validated, if it was not (too large, too deep, not JSON).
    pub not_validated: Option<String>,
}

impl Report {
    /// Whether the response conforms: no departure, and the body was validated.
    pub fn conforms(&self) -> bool {
        self.departures.is_empty() && self.not_validated.is_none()
    }
}

/// A response as it arrived: what [`capture`] keeps of the call it wraps.
#[derive(Clone, Debug)]
pub struct Captured {
    operation: String,
    status: u16,
    content_type: Option<String>,
    body: Arc<Mutex<Sink>>,
}

#[derive(Debug, Default)]
struct Sink {
    bytes: Vec<u8>,
    overflow: bool,
}

tokio::task_local! {
    static CAPTURE: Arc<Mutex<Option<Captured>>>;
}

/// Runs `call` (any call of the client, or several: the last response is kept) and returns
/// its output with the response as it arrived, to [`check`].
pub async fn capture<F: Future>(call: F) -> (F::Output, Option<Captured>) {
    let slot = Arc::new(Mutex::new(None));
    let out = CAPTURE.scope(slot.clone(), call).await;
    let captured = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    (out, captured)
}

/// Sends `request` (an entry point's request) and checks its response against the spec.
pub async fn checked<R, T>(request: R) -> Result<(ResponseValue<T>, Report), Error>
where
    R: IntoFuture<Output = Result<ResponseValue<T>, Error>>,
{
    let (result, captured) = capture(request.into_future()).await;
    let value = result?;
    let report = match captured {
        Some(c) => check(&c),
        None => Report {
            operation: String::new(),
            status: value.status().as_u16(),
            departures: Vec::new(),
            not_validated: Some("no response was captured".into()),
        },
    };
    Ok((value, report))
}

/// Called by the transport on each response: when a capture is running, the body is copied
/// as the client reads it (up to [`MAX_VALIDATED_BYTES`]).
pub(crate) fn tee(response: reqwest::Response, operation: &str) -> reqwest::Response {
    let Ok(slot) = CAPTURE.try_with(Arc::clone) else {
        return response;
    };
    let sink = Arc::new(Mutex::new(Sink::default()));
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(Captured {
        operation: operation.to_string(),
        status: response.status().as_u16(),
        content_type,
        body: sink.clone(),
    });
    crate::transport::map_body(response, |inner| reqwest::Body::wrap(Tee { inner, sink }))
}

/// A body that copies what is read of it into a sink.
struct Tee<B> {
    inner: B,
    sink: Arc<Mutex<Sink>>,
}

impl<B> Body for Tee<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
            if sink.bytes.len() + data.len() > MAX_VALIDATED_BYTES {
                sink.overflow = true;
            } else if !sink.overflow {
                sink.bytes.extend_from_slice(data);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The operation of the spec that progenitor's operation ID (`snake_case`) names.
fn operation(progenitor_id: &str) -> Option<&'static spec::Operation> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let want = norm(progenitor_id);
    spec::operations().iter().find(|o| norm(o.id) == want)
}

/// The strict schemas of the spec (generated by `cargo xtask gen`), parsed once.
fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::from_str(crate::generated::CONFORMANCE_JSON).unwrap_or(Value::Null)
    })
}

type Validators = HashMap<(String, String), Option<Arc<jsonschema::Validator>>>;

/// The validator of one response's body schema, built once.
fn validator(operation: &str, status: &str, schema: &Value) -> Option<Arc<jsonschema::Validator>> {
    static CACHE: OnceLock<Mutex<Validators>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache
        .entry((operation.to_string(), status.to_string()))
        .or_insert_with(|| {
            let mut doc = match schema {
                Value::Object(m) => m.clone(),
                _ => return None,
            };
            doc.insert("components".into(), document()["components"].clone());
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .build(&Value::Object(doc))
                .ok()
                .map(Arc::new)
        })
        .clone()
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Checks a captured response against the spec.
pub fn check(captured: &Captured) -> Report {
    let op = operation(&captured.operation);
    let mut report = Report {
        operation: op.map_or_else(|| captured.operation.clone(), |o| o.id.to_string()),
        status: captured.status,
        departures: Vec::new(),
        not_validated: None,
    };
    let Some(op) = op else {
        report.not_validated = Some("the operation is not in the spec".into());
        return report;
    };
    let responses = &document()["operations"][op.id];
    let status = captured.status.to_string();
    let class = format!("{}XX", status.chars().next().unwrap_or('0'));
    let Some((code, response)) = [status.as_str(), class.as_str(), "default"]
        .into_iter()
        .find_map(|c| responses.get(c).map(|r| (c, r)))
    else {
        let documented: Vec<&String> = responses
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        report.departures.push(Departure {
            path: "$".into(),
            rule: "status".into(),
            expected: format!("one of {documented:?}"),
            found: status,
            known: None,
        });
        return report;
    };
    let media: Vec<&str> = response["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !media.is_empty() {
        let found = captured.content_type.as_deref().unwrap_or("");
        let essence = found
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !media.iter().any(|m| m.eq_ignore_ascii_case(&essence)) {
            report.departures.push(Departure {
                path: "$".into(),
                rule: "content-type".into(),
                expected: media.join(" or "),
                found: if found.is_empty() {
                    "none".into()
                } else {
                    found.into()
                },
                known: None,
            });
        }
    }
    let sink = captured.body.lock().unwrap_or_else(|p| p.into_inner());
    if sink.overflow {
        report.not_validated = Some(format!(
            "the body is larger than {MAX_VALIDATED_BYTES} bytes"
        ));
        return report;
    }
    let schema = &response["schema"];
    if schema.is_null() {
        return report;
    }
    let body: Value = match serde_json::from_slice(&sink.bytes) {
        Ok(v) => v,
        Err(e) if e.to_string().contains("recursion limit") => {
            report.not_validated = Some("the body is nested too deeply".into());
            return report;
        }
        Err(e) => {
            report.not_validated = Some(format!("the body is not JSON: {e}"));
            return report;
        }
    };
    drop(sink);
    if depth(&body) > MAX_VALIDATED_DEPTH {
        report.not_validated = Some(format!(
            "the body is nested deeper than {MAX_VALIDATED_DEPTH} levels"
        ));
        return report;
    }
    let Some(validator) = validator(op.id, code, schema) else {
        report.not_validated = Some("the spec's schema of this response cannot be compiled".into());
        return report;
    };
    let spec_schema = spec::document()
        .pointer(op.pointer)
        .and_then(|o| o.get("responses"))
        .and_then(|r| r.get(code))
        .map(spec::resolve)
        .and_then(|r| r.get("content"))
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"));
    for error in validator.iter_errors(&body) {
        let pointer = error.instance_path().to_string();
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let at = spec_schema.and_then(|s| schema_at(s, &segments));
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    let mut path = segments.clone();
                    path.push(name.clone());
                    report.departures.push(Departure {
                        path: json_path(&path),
                        rule: "undeclared".into(),
                        expected: "no such property".into(),
                        found: short(error.instance().get(name).unwrap_or(&Value::Null)),
                        known: at.as_ref().and_then(|s| alias_reason(s, name)),
                    });
                }
            }
            kind => {
                let expected = match kind {
                    jsonschema::error::ValidationErrorKind::Enum { options } => {
                        format!("one of {}", short(options))
                    }
                    jsonschema::error::ValidationErrorKind::Required { property } => {
                        format!("property {property}")
                    }
                    _ => error.to_string(),
                };
                let found = match kind {
                    jsonschema::error::ValidationErrorKind::Required { .. } => "none".into(),
                    _ => short(error.instance()),
                };
                let known = match kind {
                    jsonschema::error::ValidationErrorKind::Enum { .. } => {
                        at.as_ref().and_then(|s| enum_reason(s, error.instance()))
                    }
                    _ => None,
                };
                report.departures.push(Departure {
                    path: json_path(&segments),
                    rule: kind.keyword().to_string(),
                    expected,
                    found,
                    known,
                });
            }
        }
    }
    report
}

/// `$.a.b[1]` from path segments.
fn json_path(segments: &[String]) -> String {
    let mut out = String::from("$");
    for s in segments {
        if s.parse::<usize>().is_ok() {
            out.push_str(&format!("[{s}]"));
        } else if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.is_empty() {
            out.push('.');
            out.push_str(s);
        } else {
            out.push_str(&format!("[{}]", Value::String(s.clone())));
        }
    }
    out
}

/// A value as compact JSON, cut to a readable length.
fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= 120 {
        return text;
    }
    let cut: String = text.chars().take(120).collect();
    format!("{cut}…")
}

/// The spec's schema (merged view) at `segments` below `schema`.
fn schema_at(schema: &Value, segments: &[String]) -> Option<Map<String, Value>> {
    let mut here = spec::view(schema);
    for seg in segments {
        let next = if seg.parse::<usize>().is_ok() {
            here.get("items")?.clone()
        } else {
            here.get("properties")?.get(seg)?.clone()
        };
        here = spec::view(&next);
    }
    Some(here)
}

fn discrepancies(schema: &Map<String, Value>) -> Option<String> {
    let list: Vec<String> = schema
        .get("x-discrepancies")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (!list.is_empty()).then(|| list.join(" "))
}

/// The reason recorded for `name`, an alias (`x-aliases`) of a property of `object`.
fn alias_reason(object: &Map<String, Value>, name: &str) -> Option<String> {
    object
        .get("properties")?
        .as_object()?
        .values()
        .map(spec::view)
        .find(|p| {
            p.get("x-aliases")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(name)))
        })
        .map(|p| {
            discrepancies(&p).unwrap_or_else(|| format!("`{name}` is a recorded alias (x-aliases)"))
        })
}

/// The reason recorded for `value` outside an open enumeration: its `x-discrepancies`, when
/// they name the value.
fn enum_reason(schema: &Map<String, Value>, value: &Value) -> Option<String> {
    if schema.get("x-open-enum") != Some(&Value::Bool(true)) {
        return None;
    }
    let text = value.as_str()?;
    let reason = discrepancies(schema)?;
    reason.contains(&format!("`{text}`")).then_some(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(json_path(&s(&[])), "$");
        assert_eq!(json_path(&s(&["a", "0", "b"])), "$.a[0].b");
        assert_eq!(json_path(&s(&["a b"])), "$[\"a b\"]");
    }

    #[test]
    fn the_strict_schemas_are_embedded() {
        for op in spec::operations() {
            assert!(document()["operations"].get(op.id).is_some(), "{}", op.id);
        }
    }
}
