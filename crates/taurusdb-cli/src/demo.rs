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

impl Demo {
    /// Starts the server: every operation's requests get its example response (an operation
    /// without one gets `{}`).
    pub async fn start() -> Demo {
        let server = MockServer::start_async().await;
        for op in spec::operations() {
            let (status, body) = example(op).unwrap_or((200, Value::Object(Default::default())));
            let method = op.method.parse::<Method>().unwrap_or(Method::GET);
            let path = path_regex(op.path);
            server
                .mock_async(|when, then| {
                    when.method(method).path_matches(path.as_str());
                    then.status(status)
                        .header("content-type", "application/json")
                        .header("x-request-id", REQUEST_ID)
                        .body(body.to_string());
                })
                .await;
        }
        Demo { server }
    }

    /// Settings for the demo server, in `language` if given.
    pub fn settings(&self, language: Option<String>) -> Settings {
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
    fn every_operation_of_the_product_spec_has_an_example() {
        for op in spec::operations() {
            if op.success_schema.is_some() {
                // The product spec documents an example for each operation (others get `{}`).
                assert!(example(op).is_some(), "{}", op.id);
            }
        }
    }
}
