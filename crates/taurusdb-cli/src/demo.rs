//! `taurusdb demo`: a mock server on 127.0.0.1 (httpmock) that answers every operation of
//! the spec with its example success response, and the settings that point the real client
//! at it. The example of an operation is the one the spec keeps verbatim from the API page
//! (`x-page-example`, the page's own departures included), else its first named example,
//! else its `example`. Nothing from the user's environment or config file is used.

use httpmock::{Method, MockServer};
use serde_json::Value;
use taurusdb::Credentials;
use taurusdb::spec::{self, Operation};

use crate::config::{Location, Origin, ResolvedCredentials, Settings, Sourced};

/// The project ID the demo's requests carry.
pub const PROJECT_ID: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";

/// The request ID the demo's responses carry.
pub const REQUEST_ID: &str = "demo-request-1";

/// A running demo server; it stops when dropped.
pub struct Demo {
    server: MockServer,
}

/// The example success response of `op`: (status, body).
pub fn example(op: &Operation) -> Option<(u16, Value)> {
    let status = op.success_status?;
    let pointer = op.pointer;
    let response = spec::resolve(
        spec::document()
            .pointer(pointer)?
            .get("responses")?
            .get(status)?,
    );
    let code = status.parse().unwrap_or(200);
    if let Some(v) = response.get("x-page-example").and_then(|e| e.get("value")) {
        return Some((code, v.clone()));
    }
    let media = response.get("content")?.as_object()?.values().next()?;
    if let Some(v) = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
        .and_then(|e| spec::resolve(e).get("value"))
    {
        return Some((code, v.clone()));
    }
    media.get("example").map(|v| (code, v.clone()))
}

/// A regular expression for the paths of `template` (`{name}` matches one segment).
fn path_regex(template: &str) -> String {
    let mut out = String::from("^");
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&regex_escape(&rest[..start]));
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("[^/]+");
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&regex_escape(&rest[start..]));
                rest = "";
            }
        }
    }
    out.push_str(&regex_escape(rest));
    out.push('$');
    out
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What the demo serves for one operation.
pub struct Served {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Why the spec's example is not what is served, if it is not.
    pub note: Option<String>,
}

/// The first of the spec's example, a value made from the schema with the examples of its
/// parts, and one made from the schema alone, that `check` accepts (the last if none is);
/// and, when the example is not the one, why.
fn first_accepted(
    what: &str,
    example: Option<Value>,
    schema: Option<&Value>,
    check: impl Fn(&Value) -> Result<(), String>,
) -> (Value, Option<String>) {
    let made = || schema.map_or(Value::Object(Default::default()), crate::sample::of);
    let bare = || schema.map_or(Value::Object(Default::default()), crate::sample::bare);
    let (example_failed, candidate) = match example {
        Some(e) => match check(&e) {
            Ok(()) => return (e, None),
            Err(why) => (Some(why), made()),
        },
        None => (None, made()),
    };
    let value = if check(&candidate).is_ok() {
        candidate
    } else {
        bare()
    };
    let note = example_failed
        .map(|why| format!("the spec's example {what} is not one the client takes ({why}); using one made from its schema"));
    (value, note)
}

/// What the demo serves for `op`: its example success response when the client decodes it,
/// else one made from the success schema (`{}` without one); a file download's body is the
/// example's text.
pub fn served(op: &Operation) -> Served {
    let schema = op.success_schema.and_then(|p| spec::document().pointer(p));
    let example = example(op);
    let status = example.as_ref().map_or_else(
        || {
            op.success_status
                .and_then(|s| s.parse().ok())
                .unwrap_or(200)
        },
        |(s, _)| *s,
    );
    let what = format!("response of {}", op.id);
    let (body, note) = if op.binary_response {
        // Without an example, a few bytes stand for the file.
        let body = example.map_or(Value::String("the demo's file\n".to_string()), |(_, b)| b);
        (body, None)
    } else {
        first_accepted(&what, example.map(|(_, b)| b), schema, |v| {
            crate::generated::decodes_as_success(op.id, v)
        })
    };
    // The job the demo waits for (`--wait`) has ended by the first poll.
    let (body, note) = match finished_job(op, &body) {
        Some(done) => (done, note),
        None => (body, note),
    };
    if op.binary_response {
        let bytes = match body {
            Value::String(text) => text.into_bytes(),
            other => other.to_string().into_bytes(),
        };
        return Served {
            status,
            content_type: "application/octet-stream",
            body: bytes,
            note,
        };
    }
    Served {
        status,
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        note,
    }
}

/// For the operation that shows jobs (`x-waiter`), `body` with the job's status one that
/// ends a wait with success (the first of `x-waiter.success`) when it is not already one:
/// `None` when it is, or `op` shows no jobs.
fn finished_job(op: &Operation, body: &Value) -> Option<Value> {
    op.waiter?;
    let waiter = spec::document().pointer(op.pointer)?.get("x-waiter")?;
    let pointer = waiter.get("status")?.as_str()?;
    let success = waiter.get("success")?.as_array()?;
    let done = success.first()?;
    if body.pointer(pointer).is_some_and(|s| success.contains(s)) {
        return None;
    }
    let mut body = body.clone();
    // Make the objects on the way to the status, then set it.
    let mut at = &mut body;
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        if !at.is_object() {
            *at = Value::Object(Default::default());
        }
        let object = at.as_object_mut()?;
        if i + 1 == tokens.len() {
            object.insert(token.clone(), done.clone());
            break;
        }
        at = object
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    Some(body)
}

/// The request body the demo sends for `op` when none is given (and `--skeleton` prints):
/// the spec's example when it keeps to the spec's rules and the client accepts it, else one
/// made from the body's schema; and why the example was not used, if it was not.
pub fn request_body(op: &Operation) -> Option<(Value, Option<String>)> {
    let body = spec::document().pointer(op.pointer)?.get("requestBody")?;
    let schema = crate::sample::body_schema(body);
    let what = format!("request body of {}", op.id);
    // Accepted: by the spec's rules, as the command checks a body, and by the client.
    Some(first_accepted(
        &what,
        crate::sample::of_body(body),
        schema,
        |v| {
            if let Some(s) = schema {
                crate::rules::check(s, v).map_err(|e| e.to_string())?;
            }
            crate::generated::decodes_as_body(op.id, v)
        },
    ))
}

impl Demo {
    /// Starts the server: every operation's requests get its example response (see
    /// [`served`]).
    pub async fn start() -> Demo {
        let server = MockServer::start_async().await;
        for op in spec::operations() {
            let served = served(op);
            let method = op.method.parse::<Method>().unwrap_or(Method::GET);
            let path = path_regex(op.path);
            server
                .mock_async(|when, then| {
                    when.method(method).path_matches(path.as_str());
                    then.status(served.status)
                        .header("content-type", served.content_type)
                        .header("x-request-id", REQUEST_ID)
                        .body(served.body);
                })
                .await;
        }
        Demo { server }
    }

    /// Settings for the demo server calling `op`, in `language` if given (else, where the
    /// spec has no default, the example of `op`'s language parameter, or a value its schema
    /// allows).
    pub fn settings(&self, language: Option<String>, op: &Operation) -> Settings {
        let language = language.or_else(|| {
            let index = op
                .parameters
                .iter()
                .position(|p| p.setting == Some(spec::Setting::Language))?;
            let param = &op.parameters[index];
            let schema = spec::parameter_object(op, index)?.get("schema")?;
            if spec::resolve(schema).get("default").is_some() {
                return None;
            }
            match param.example {
                Some(e) => Some(e.to_string()),
                None => match crate::sample::of(schema) {
                    Value::String(s) => Some(s),
                    _ => None,
                },
            }
        });
        Settings {
            location: Location::Endpoint(Sourced {
                value: self.server.base_url(),
                origin: Origin::Demo,
            }),
            region: None,
            project_id: Sourced {
                value: PROJECT_ID.to_string(),
                origin: Origin::Demo,
            },
            language: language.map(|l| Sourced {
                value: l,
                origin: Origin::Flag("--language"),
            }),
            credentials: ResolvedCredentials {
                credentials: Credentials::token("demo-token"),
                description: "IAM token (a dummy)".to_string(),
                origin: Origin::Demo,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_become_anchored_patterns() {
        assert_eq!(
            path_regex("/v3/{project_id}/instances/{instance_id}/a-b"),
            "^/v3/[^/]+/instances/[^/]+/a\\-b$"
        );
        assert_eq!(path_regex("/x.y"), "^/x\\.y$");
    }

    #[test]
    fn the_demos_job_has_ended_by_the_first_poll() {
        for op in spec::operations().iter().filter(|o| o.waiter.is_some()) {
            let served = served(op);
            let body: Value = serde_json::from_slice(&served.body).unwrap();
            let waiter = &spec::document().pointer(op.pointer).unwrap()["x-waiter"];
            let status = body.pointer(waiter["status"].as_str().unwrap());
            assert!(
                waiter["success"]
                    .as_array()
                    .unwrap()
                    .contains(status.unwrap()),
                "{body}"
            );
        }
    }

    #[test]
    fn every_operation_of_the_product_spec_has_an_example() {
        for op in spec::operations() {
            if op.success_schema.is_some() {
                // The product spec documents an example for each operation (others get `{}`).
                assert!(example(op).is_some(), "{}", op.id);
            }
        }
    }
}
