//! A stateful mock of the API for downstream tests: an httpmock server that keeps the
//! collections of items the spec's `x-mock` hints describe, so that a test can create an
//! item, see it in a list, change it, delete it, and wait for the jobs those calls start.
//!
//! Nothing here names an operation, a parameter or a field: every behaviour comes from the
//! spec the client was generated from ([`taurusdb::spec::operations`] and
//! [`taurusdb::spec::document`]), read when the simulator starts. The rules (README,
//! "A stateful mock: the simulator"):
//!
//! - **list** (`x-mock: {collection, action: list, items}`): the success example, with its
//!   items property (`x-paginated.items`, else `x-mock.items`) replaced by the collection's
//!   items in the request's scope, in the order they were created. With `x-paginated`, the
//!   page starts at the `offset` query parameter (default 0) and holds at most `limit` items
//!   (default: the parameter's schema default, else all); both may be sent as strings (one
//!   that is not a number is refused as below, 400). The `total` property is the number of
//!   items in the scope, as a string when the schema says `type: string`, as a number when
//!   it gives another type, and as the success example gives it when it gives none (a
//!   `oneOf` of a string and a number).
//!   Other query parameters do not filter.
//! - **create / update / delete** (`x-mock: {collection, action, key, from, copy, set}`): the
//!   key's value comes from the request: the body property named `from` (default: the key),
//!   else the query parameter of that name, else the path parameter. Create adds an item of
//!   the key, the `copy` properties the body has and the `set` values; update copies the
//!   `copy` properties the body has and writes the `set` values; delete removes the item.
//!   The answer is the success example, its `x-job` property (if the operation has one) a
//!   fresh job ID. A create of a key the scope has (409), an update or delete of a key it
//!   has not (404), or a request without the key (400) is refused: with that status when the
//!   operation documents it, else with the lowest 4xx it documents (with none, that status),
//!   the response's example as the body (`{}` without one); nothing changes.
//! - **Scope**: items belong to the request's path parameters other than the key's (the
//!   project, an instance): what one instance has, another does not see.
//! - **Changes take effect at once**, when the call is answered, not when its job ends: a
//!   list right after a create shows the item, whether or not the test waits for the job
//!   (the service also lists a task as soon as it accepts it, in the stage `set` gives it),
//!   and a second create of the same key conflicts at once. A job told to fail
//!   ([`Simulator::fail_next_job`]) reports failure; the change stays.
//! - **job** (`x-mock: {action: job, running, id}`, beside `x-waiter`): for a job ID the
//!   simulator issued, the success example with the value at the `x-waiter.status` pointer
//!   set to `running` for the first N polls ([`Simulator::polls_until_done`], default 2),
//!   then to `x-waiter.success[0]` (or `failure[0]` for a failing job), and the job's ID at
//!   the `id` pointer. An ID it did not issue is answered as a missing key.
//! - **Every other operation** answers with its example success response: the spec's
//!   verbatim page example (`x-page-example`), else its first named example, else its
//!   `example`, else `{}` (a file download without an example: a few bytes), as
//!   `taurusdb demo` picks it. Its `x-job` property, if it has one, is a fresh job ID too, so
//!   that every job the client hears of can be waited for.
//! - Every request is recorded ([`Simulator::requests`]), the ones no operation matches too
//!   (answered 404).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use httpmock::{HttpMockRequest, HttpMockResponse, Method, MockServer};
use serde_json::{Map, Value};
use taurusdb::spec::{self, Location, Operation};

/// How many polls of a job answer "running" unless set ([`Simulator::polls_until_done`]).
pub const DEFAULT_POLLS_UNTIL_DONE: u32 = 2;

/// Header names whose values a recorded request's `Debug` output hides.
const SECRET_HEADERS: [&str; 4] = [
    "x-auth-token",
    "authorization",
    "x-security-token",
    "proxy-authorization",
];

/// A running simulator of the spec's API on 127.0.0.1; it stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use taurusdb_httpmock::simulator::Simulator;
///
/// let sim = Simulator::start().await;
/// sim.polls_until_done(3).fail_next_job();
/// // Point the client at it.
/// let client = taurusdb::Client::builder()
///     .endpoint(sim.base_url())
///     .project_id("0549e61b4a8c4fdfb1c47bd8a3d8d8b1")
///     .credentials(taurusdb::Credentials::token("test"))
///     .build()
///     .unwrap();
/// # let _ = client;
/// // ... calls ...; then what the server saw, and (for a collection of the spec's x-mock
/// // hints) what it holds: `sim.items("tasks", &[("instance_id", "i1")])`.
/// assert!(sim.requests().is_empty());
/// assert!(sim.jobs().is_empty());
/// assert!(sim.insert("no such collection", &[], serde_json::json!({})).is_err());
/// # }
/// ```
pub struct Simulator {
    server: MockServer,
    shared: Arc<Shared>,
}

/// A request the simulator received, and what it answered.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The operationId it was answered as; `None` when no operation matched (answered 404).
    pub operation: Option<&'static str>,
    /// The method, upper case.
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of a header (the name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let secret = SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
                (n.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("status", &self.status)
            .finish()
    }
}

/// A job the simulator issued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobRecord {
    /// Its ID.
    pub id: String,
    /// The operationId of the call that started it.
    pub operation: &'static str,
    /// How often it has been polled.
    pub polls: u32,
    /// How many polls answer "running" before it ends.
    pub polls_until_done: u32,
    /// Whether it ends in failure.
    pub fails: bool,
}

/// What the simulator refused, and why ([`Simulator::insert`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatorError(String);

impl fmt::Display for SimulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimulatorError {}

impl Simulator {
    /// Starts a simulator of the spec the client was generated from.
    pub async fn start() -> Simulator {
        let server = MockServer::start_async().await;
        let shared = Arc::new(Shared::new(Model::of_spec()));
        for (route, method, regex) in shared.model.mocks() {
            let s = Arc::clone(&shared);
            server
                .mock_async(|when, then| {
                    when.method(method).path_matches(regex.as_str());
                    then.respond_with(move |req| s.respond(Some(route), req));
                })
                .await;
        }
        let s = Arc::clone(&shared);
        server
            .mock_async(|_, then| {
                then.respond_with(move |req| s.respond(None, req));
            })
            .await;
        Simulator { server, shared }
    }

    /// [`Simulator::start`] outside an async runtime (a `#[test]` that runs a command).
    pub fn start_blocking() -> Simulator {
        let server = MockServer::start();
        let shared = Arc::new(Shared::new(Model::of_spec()));
        for (route, method, regex) in shared.model.mocks() {
            let s = Arc::clone(&shared);
            server.mock(|when, then| {
                when.method(method).path_matches(regex.as_str());
                then.respond_with(move |req| s.respond(Some(route), req));
            });
        }
        let s = Arc::clone(&shared);
        server.mock(|_, then| {
            then.respond_with(move |req| s.respond(None, req));
        });
        Simulator { server, shared }
    }

    /// The server's base URL (`http://127.0.0.1:PORT`), the client's endpoint.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The httpmock server underneath.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Jobs issued from now on answer "running" to their first `n` polls, then end.
    pub fn polls_until_done(&self, n: u32) -> &Self {
        self.shared.state().polls_until_done = n;
        self
    }

    /// The next job issued ends in failure (`x-waiter.failure[0]`) instead of success.
    pub fn fail_next_job(&self) -> &Self {
        self.shared.state().fail_next_job = true;
        self
    }

    /// The items of `collection` (as `x-mock.collection` names it) whose scope has every
    /// given path parameter value (`&[]`: every item), in the order they were created.
    ///
    /// # Panics
    ///
    /// When the spec has no collection of that name (so that a misspelt name fails the
    /// test instead of reading as an empty collection).
    pub fn items(&self, collection: &str, scope: &[(&str, &str)]) -> Vec<Value> {
        if let Err(e) = self.shared.model.collection(collection) {
            panic!("{e}");
        }
        self.shared
            .state()
            .items
            .get(collection)
            .into_iter()
            .flatten()
            .filter(|item| {
                scope
                    .iter()
                    .all(|(k, v)| item.scope.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|item| Value::Object(item.value.clone()))
            .collect()
    }

    /// Adds an item to `collection` in `scope` (the path parameters, other than the key's,
    /// of the requests that should see it), as if a create had made it: a test's starting
    /// state. Refused when the spec has no such collection, or the item is not an object,
    /// lacks the collection's key, or its key is already in the scope.
    pub fn insert(
        &self,
        collection: &str,
        scope: &[(&str, &str)],
        item: Value,
    ) -> Result<(), SimulatorError> {
        let Value::Object(value) = item else {
            return Err(SimulatorError(format!(
                "an item of `{collection}` must be a JSON object"
            )));
        };
        let key = match self.shared.model.collection(collection)? {
            Some(property) => match value.get(property) {
                Some(v) => key_text(v),
                None => {
                    return Err(SimulatorError(format!(
                        "an item of `{collection}` needs its key `{property}`"
                    )));
                }
            },
            None => String::new(),
        };
        let scope: BTreeMap<String, String> = scope
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut state = self.shared.state();
        let items = state.items.entry(collection.to_string()).or_default();
        if !key.is_empty() && items.iter().any(|i| i.key == key && i.scope == scope) {
            return Err(SimulatorError(format!(
                "`{collection}` already has the item `{key}` in this scope"
            )));
        }
        items.push(Item { scope, key, value });
        Ok(())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests.clone()
    }

    /// Every job issued so far, in order.
    pub fn jobs(&self) -> Vec<JobRecord> {
        self.shared.state().jobs.clone()
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.server.base_url())
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// The model: what each operation does, read from the spec once.

/// An operation as the simulator needs it (from the operation table and the document).
#[derive(Clone, Debug)]
struct OpView {
    id: &'static str,
    method: String,
    path: String,
    pointer: String,
    success_status: Option<String>,
    binary: bool,
    /// `x-paginated`: offset, limit, items, total.
    pagination: Option<[String; 4]>,
    job: Option<String>,
    /// (name, in the path, the schema's default).
    parameters: Vec<(String, Location, Option<Value>)>,
}

impl OpView {
    fn of(op: &Operation, doc: &Value) -> OpView {
        let parameters = op
            .parameters
            .iter()
            .map(|p| {
                let default = parameter_object(doc, op.pointer, p.name)
                    .and_then(|o| o.get("schema"))
                    .map(|s| resolve(doc, s))
                    .and_then(|s| s.get("default"))
                    .cloned();
                (p.name.to_string(), p.location, default)
            })
            .collect();
        OpView {
            id: op.id,
            method: op.method.to_string(),
            path: op.path.to_string(),
            pointer: op.pointer.to_string(),
            success_status: op.success_status.map(str::to_string),
            binary: op.binary_response,
            pagination: op
                .pagination
                .map(|p| [p.offset, p.limit, p.items, p.total].map(str::to_string)),
            job: op.job.map(str::to_string),
            parameters,
        }
    }
}

/// The parameter object named `name` of the operation at `pointer` (`$ref` followed; the
/// operation's own before the path item's).
fn parameter_object<'a>(doc: &'a Value, pointer: &str, name: &str) -> Option<&'a Value> {
    let item = doc.pointer(pointer.rsplit_once('/')?.0)?;
    let op = doc.pointer(pointer)?;
    [op, item]
        .into_iter()
        .flat_map(|h| {
            h.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .map(|p| resolve(doc, p))
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

/// Follows local `$ref`s in `doc`.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(t) => v = t,
            None => break,
        }
    }
    v
}

/// A keyword of a schema or of one of its `allOf` members (`$ref`s followed).
fn keyword<'a>(doc: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    in_all_of(doc, schema, |s| s.get(key))
}

/// The schema of property `name` of `schema`.
fn property<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    in_all_of(doc, schema, |s| {
        s.get("properties").and_then(|p| p.get(name))
    })
}

/// The first value `find` gives of `schema` or of one of its `allOf` members, depth first
/// (`$ref`s followed; at most 64 schemas looked at, so that a cycle ends).
fn in_all_of<'a>(
    doc: &'a Value,
    schema: &'a Value,
    find: impl Fn(&'a Value) -> Option<&'a Value>,
) -> Option<&'a Value> {
    let mut stack = vec![schema];
    let mut seen = 0;
    while let Some(s) = stack.pop() {
        seen += 1;
        if seen > 64 {
            break;
        }
        let s = resolve(doc, s);
        if let Some(v) = find(s) {
            return Some(v);
        }
        stack.extend(
            s.get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    None
}

/// The example of a response object, as `taurusdb demo` picks it: the verbatim page example
/// (`x-page-example`), else the first named example of its first media type, else its
/// `example`.
fn response_example(doc: &Value, response: &Value) -> Option<Value> {
    let response = resolve(doc, response);
    if let Some(v) = response.get("x-page-example").and_then(|e| e.get("value")) {
        return Some(v.clone());
    }
    let media = response.get("content")?.as_object()?.values().next()?;
    if let Some(v) = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
        .and_then(|e| resolve(doc, e).get("value"))
    {
        return Some(v.clone());
    }
    media.get("example").cloned()
}

/// A response's first media type, when it is a JSON one.
fn json_media(doc: &Value, response: &Value) -> Option<String> {
    let media = resolve(doc, response).get("content")?.as_object()?;
    media
        .keys()
        .find(|m| {
            let m = m.to_ascii_lowercase();
            m.starts_with("application/json") || m.contains("+json")
        })
        .cloned()
}

enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

/// A response as the spec documents it.
struct Canned {
    status: u16,
    content_type: String,
    body: Body,
}

enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    Create,
    Update,
    Delete,
}

struct Paging {
    offset: String,
    limit: String,
    default_limit: Option<u64>,
    total: String,
    total_as_string: bool,
}

enum Action {
    Example,
    List {
        collection: String,
        items: String,
        paging: Option<Paging>,
    },
    Change {
        change: Change,
        collection: String,
        key: String,
        source: String,
        copy: Vec<String>,
        set: Map<String, Value>,
    },
    Job {
        id_param: String,
        id_in_path: bool,
        status: String,
        running: String,
        success: String,
        failure: String,
        id_pointer: Option<String>,
    },
}

struct Route {
    id: &'static str,
    method: String,
    segments: Vec<Segment>,
    success: Canned,
    job: Option<String>,
    /// The documented 4xx responses, by status: their example, else `{}`.
    errors: BTreeMap<u16, Value>,
    action: Action,
}

struct Model {
    routes: Vec<Route>,
    /// Each collection, and its key property (none when only lists name it).
    collections: BTreeMap<String, Option<String>>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Model {
    fn of_spec() -> Model {
        let doc = spec::document();
        let ops: Vec<OpView> = spec::operations()
            .iter()
            .map(|op| OpView::of(op, doc))
            .collect();
        Model::new(doc, &ops)
    }

    fn new(doc: &Value, ops: &[OpView]) -> Model {
        let mut collections = BTreeMap::new();
        let routes = ops
            .iter()
            .map(|op| {
                let route = Route::new(doc, op);
                match &route.action {
                    Action::Change {
                        collection, key, ..
                    } => {
                        collections.insert(collection.clone(), Some(key.clone()));
                    }
                    Action::List { collection, .. } => {
                        collections.entry(collection.clone()).or_insert(None);
                    }
                    Action::Example | Action::Job { .. } => {}
                }
                route
            })
            .collect();
        Model {
            routes,
            collections,
        }
    }

    /// The key property of `collection`, if it has one; an error when the spec has no such
    /// collection.
    fn collection(&self, name: &str) -> Result<Option<&String>, SimulatorError> {
        match self.collections.get(name) {
            Some(key) => Ok(key.as_ref()),
            None => {
                let known: Vec<&str> = self.collections.keys().map(String::as_str).collect();
                Err(SimulatorError(format!(
                    "the spec has no collection `{name}` (its `x-mock` hints name: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )))
            }
        }
    }

    /// Each route's index, method and path pattern, the ones with fewer parameters in the
    /// path first (httpmock answers with the first mock that matches: `/a/b` before `/a/{x}`).
    fn mocks(&self) -> Vec<(usize, Method, String)> {
        let mut out: Vec<(usize, usize, Method, String)> = self
            .routes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let params = r
                    .segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Param(_)))
                    .count();
                let method = r.method.parse::<Method>().unwrap_or(Method::GET);
                (params, i, method, r.regex())
            })
            .collect();
        out.sort_by_key(|(params, i, _, _)| (*params, *i));
        out.into_iter().map(|(_, i, m, r)| (i, m, r)).collect()
    }
}

impl Route {
    fn new(doc: &Value, op: &OpView) -> Route {
        let op_obj = doc.pointer(&op.pointer).unwrap_or(&Value::Null);
        let responses = op_obj.get("responses").unwrap_or(&Value::Null);
        let success = Route::success(doc, op, responses);
        let errors = responses
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(status, r)| {
                let code: u16 = status.parse().ok()?;
                (400..500).contains(&code).then(|| {
                    (
                        code,
                        response_example(doc, r).unwrap_or_else(|| Value::Object(Map::new())),
                    )
                })
            })
            .collect();
        let segments = op
            .path
            .split('/')
            .skip(1)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_string()),
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        Route {
            id: op.id,
            method: op.method.clone(),
            segments,
            success,
            job: op.job.clone(),
            errors,
            action: Route::action(doc, op, op_obj),
        }
    }

    fn success(doc: &Value, op: &OpView, responses: &Value) -> Canned {
        let status = op
            .success_status
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        let response = op
            .success_status
            .as_deref()
            .and_then(|s| responses.get(s))
            .unwrap_or(&Value::Null);
        let example = response_example(doc, response);
        if op.binary {
            let bytes = match example {
                Some(Value::String(s)) => s.into_bytes(),
                Some(other) => other.to_string().into_bytes(),
                None => b"the simulator's file\n".to_vec(),
            };
            return Canned {
                status,
                content_type: "application/octet-stream".to_string(),
                body: Body::Bytes(bytes),
            };
        }
        Canned {
            status,
            content_type: json_media(doc, response)
                .unwrap_or_else(|| "application/json".to_string()),
            body: Body::Json(example.unwrap_or_else(|| Value::Object(Map::new()))),
        }
    }

    fn action(doc: &Value, op: &OpView, op_obj: &Value) -> Action {
        let Some(hint) = op_obj.get("x-mock") else {
            return Action::Example;
        };
        let collection = text(hint, "collection");
        match (hint.get("action").and_then(Value::as_str), collection) {
            (Some("list"), Some(collection)) => {
                let items =
                    text(hint, "items").or_else(|| op.pagination.as_ref().map(|p| p[2].clone()));
                let Some(items) = items else {
                    return Action::Example;
                };
                let paging = op.pagination.as_ref().map(|[offset, limit, _, total]| {
                    let default_limit = op
                        .parameters
                        .iter()
                        .find(|(n, _, _)| n == limit)
                        .and_then(|(_, _, d)| d.as_ref())
                        .and_then(|d| match d {
                            Value::Number(n) => n.as_u64(),
                            Value::String(s) => s.trim().parse().ok(),
                            _ => None,
                        });
                    let response = op_obj
                        .get("responses")
                        .and_then(|r| op.success_status.as_deref().and_then(|s| r.get(s)));
                    let schema = response
                        .map(|r| resolve(doc, r))
                        .and_then(|r| r.get("content"))
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|m| m.get("schema"));
                    let total_type = schema
                        .and_then(|s| property(doc, s, total))
                        .and_then(|p| keyword(doc, p, "type"))
                        .and_then(Value::as_str);
                    // A schema that gives the total no one type (a `oneOf` of a string and
                    // a number): as the success example gives it.
                    let total_as_string = match total_type {
                        Some(t) => t == "string",
                        None => response
                            .and_then(|r| response_example(doc, r))
                            .is_some_and(|e| e.get(total.as_str()).is_some_and(Value::is_string)),
                    };
                    Paging {
                        offset: offset.clone(),
                        limit: limit.clone(),
                        default_limit,
                        total: total.clone(),
                        total_as_string,
                    }
                });
                Action::List {
                    collection,
                    items,
                    paging,
                }
            }
            (Some(action @ ("create" | "update" | "delete")), Some(collection)) => {
                let change = match action {
                    "create" => Change::Create,
                    "update" => Change::Update,
                    _ => Change::Delete,
                };
                let Some(key) = text(hint, "key") else {
                    return Action::Example;
                };
                let source = text(hint, "from").unwrap_or_else(|| key.clone());
                let copy = hint
                    .get("copy")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let set = hint
                    .get("set")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                Action::Change {
                    change,
                    collection,
                    key,
                    source,
                    copy,
                    set,
                }
            }
            (Some("job"), _) => {
                let waiter = op_obj.get("x-waiter").unwrap_or(&Value::Null);
                let first = |k: &str| {
                    waiter
                        .get(k)
                        .and_then(Value::as_array)
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let (Some(id_param), Some(status), Some(running), Some(success), Some(failure)) = (
                    text(waiter, "id"),
                    text(waiter, "status"),
                    text(hint, "running"),
                    first("success"),
                    first("failure"),
                ) else {
                    return Action::Example;
                };
                let id_in_path = op
                    .parameters
                    .iter()
                    .any(|(n, l, _)| *n == id_param && *l == Location::Path);
                Action::Job {
                    id_param,
                    id_in_path,
                    status,
                    running,
                    success,
                    failure,
                    id_pointer: text(hint, "id"),
                }
            }
            _ => Action::Example,
        }
    }

    /// The path pattern: `{name}` matches one segment.
    fn regex(&self) -> String {
        let mut out = String::from("^");
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Literal(l) => out.push_str(&regex::escape(l)),
                Segment::Param(_) => out.push_str("[^/]+"),
            }
        }
        if self.segments.is_empty() {
            out.push('/');
        }
        out.push('$');
        out
    }

    /// The path parameters of `path` (decoded), if it is one of this route's paths.
    fn path_params(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut out = BTreeMap::new();
        for (seg, part) in self.segments.iter().zip(parts) {
            match seg {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => {
                    let value = percent_encoding::percent_decode_str(part)
                        .decode_utf8_lossy()
                        .into_owned();
                    out.insert(name.clone(), value);
                }
            }
        }
        Some(out)
    }

    /// The documented 4xx response for a refusal: `preferred` if documented, else the
    /// lowest documented one, else `preferred` with `{}`.
    fn refusal(&self, preferred: u16) -> (u16, Value) {
        if let Some(body) = self.errors.get(&preferred) {
            return (preferred, body.clone());
        }
        self.errors
            .iter()
            .next()
            .map(|(s, b)| (*s, b.clone()))
            .unwrap_or((preferred, Value::Object(Map::new())))
    }
}

// ---------------------------------------------------------------------------------------
// The state and the answers.

struct Item {
    scope: BTreeMap<String, String>,
    key: String,
    value: Map<String, Value>,
}

struct State {
    items: BTreeMap<String, Vec<Item>>,
    jobs: Vec<JobRecord>,
    polls_until_done: u32,
    fail_next_job: bool,
    requests: Vec<RecordedRequest>,
    answered: u64,
}

struct Shared {
    model: Model,
    state: Mutex<State>,
}

/// A request, as the simulator reads it.
struct Incoming {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// An answer.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, content_type: &str, body: &Value) -> Answer {
        Answer {
            status,
            content_type: content_type.to_string(),
            body: body.to_string().into_bytes(),
        }
    }
}

/// A key's text: a string as it is, anything else as JSON.
fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sets the value at a JSON pointer, making the objects on the way (a value that is not an
/// object on the way is replaced by one).
fn set_pointer(target: &mut Value, pointer: &str, value: Value) {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    set_at(target, &segments, value);
}

fn set_at(target: &mut Value, segments: &[String], value: Value) {
    let Some((first, rest)) = segments.split_first() else {
        *target = value;
        return;
    };
    if let Value::Array(items) = target
        && let Some(i) = first.parse::<usize>().ok().filter(|i| *i < items.len())
    {
        return set_at(&mut items[i], rest, value);
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        set_at(map.entry(first.clone()).or_insert(Value::Null), rest, value);
    }
}

impl Shared {
    fn new(model: Model) -> Shared {
        Shared {
            model,
            state: Mutex::new(State {
                items: BTreeMap::new(),
                jobs: Vec::new(),
                polls_until_done: DEFAULT_POLLS_UNTIL_DONE,
                fail_next_job: false,
                requests: Vec::new(),
                answered: 0,
            }),
        }
    }

    /// The state; a test that panicked while holding it does not poison the others' view.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// httpmock's view of a request, answered and recorded.
    fn respond(&self, route: Option<usize>, req: &HttpMockRequest) -> HttpMockResponse {
        let uri = req.uri();
        let incoming = Incoming {
            method: req.method_str().to_ascii_uppercase(),
            path: uri.path().to_string(),
            query: req.query_params(),
            headers: req
                .headers_vec()
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: req.body_ref().to_vec(),
        };
        let (answer, request_id) = self.handle(route, incoming);
        HttpMockResponse::builder()
            .status(answer.status)
            .header("content-type", answer.content_type)
            .header("x-request-id", request_id)
            .body(answer.body)
            .build()
    }

    /// Answers a request as route `route` (`None`: no operation matched), records it, and
    /// returns the answer with its request ID.
    fn handle(&self, route: Option<usize>, req: Incoming) -> (Answer, String) {
        let mut state = self.state();
        state.answered += 1;
        let request_id = format!("simulator-{}", state.answered);
        let matched = route
            .and_then(|i| self.model.routes.get(i))
            .and_then(|r| r.path_params(&req.path).map(|p| (r, p)));
        let answer = match &matched {
            Some((route, params)) => answer(&mut state, route, params, &req),
            None => Answer::json(
                404,
                "application/json",
                &serde_json::json!({
                    "message": format!("no operation of the spec is {} {}", req.method, req.path)
                }),
            ),
        };
        state.requests.push(RecordedRequest {
            operation: matched.as_ref().map(|(r, _)| r.id),
            method: req.method,
            path: req.path,
            query: req.query,
            headers: req.headers,
            body: req.body,
            status: answer.status,
        });
        (answer, request_id)
    }
}

/// Issues a job for a call of `operation`.
fn issue_job(state: &mut State, operation: &'static str) -> String {
    let n = state.jobs.len() as u64 + 1;
    // Shaped as Huawei's job IDs are (a UUID), so that an ID parameter with a UUID's
    // pattern or length takes it.
    let id = format!("00000000-0000-4000-8000-{n:012x}");
    let fails = std::mem::take(&mut state.fail_next_job);
    state.jobs.push(JobRecord {
        id: id.clone(),
        operation,
        polls: 0,
        polls_until_done: state.polls_until_done,
        fails,
    });
    id
}

/// The success answer of `route`, its `x-job` property a fresh job ID.
fn success(state: &mut State, route: &Route) -> Answer {
    match &route.success.body {
        Body::Bytes(b) => Answer {
            status: route.success.status,
            content_type: route.success.content_type.clone(),
            body: b.clone(),
        },
        Body::Json(example) => {
            let mut body = example.clone();
            if let Some(property) = &route.job {
                let id = issue_job(state, route.id);
                if !body.is_object() {
                    body = Value::Object(Map::new());
                }
                body[property.as_str()] = Value::String(id);
            }
            Answer::json(route.success.status, &route.success.content_type, &body)
        }
    }
}

fn refuse(route: &Route, preferred: u16) -> Answer {
    let (status, body) = route.refusal(preferred);
    Answer::json(status, "application/json", &body)
}

fn answer(
    state: &mut State,
    route: &Route,
    params: &BTreeMap<String, String>,
    req: &Incoming,
) -> Answer {
    let query = |name: &str| {
        req.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    match &route.action {
        Action::Example => success(state, route),
        Action::List {
            collection,
            items,
            paging,
        } => {
            let scope = params.clone();
            let all: Vec<Value> = state
                .items
                .get(collection)
                .into_iter()
                .flatten()
                .filter(|i| i.scope == scope)
                .map(|i| Value::Object(i.value.clone()))
                .collect();
            let Answer {
                status,
                content_type,
                body,
            } = success(state, route);
            let mut body: Value =
                serde_json::from_slice(&body).unwrap_or_else(|_| Value::Object(Map::new()));
            if !body.is_object() {
                body = Value::Object(Map::new());
            }
            let count = all.len();
            let page = match paging {
                None => all,
                Some(p) => {
                    let number = |name: &str, default: Option<u64>| match query(name) {
                        None => Ok(default),
                        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| ()),
                    };
                    let (Ok(offset), Ok(limit)) = (
                        number(&p.offset, Some(0)),
                        number(&p.limit, p.default_limit),
                    ) else {
                        return refuse(route, 400);
                    };
                    let offset = usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX);
                    let limit =
                        limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
                    body[p.total.as_str()] = if p.total_as_string {
                        Value::String(count.to_string())
                    } else {
                        Value::from(count)
                    };
                    all.into_iter().skip(offset).take(limit).collect()
                }
            };
            body[items.as_str()] = Value::Array(page);
            Answer::json(status, &content_type, &body)
        }
        Action::Change {
            change,
            collection,
            key,
            source,
            copy,
            set,
        } => {
            let body: Map<String, Value> = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|v| match v {
                    Value::Object(m) => Some(m),
                    _ => None,
                })
                .unwrap_or_default();
            let key_value = body
                .get(source)
                .cloned()
                .or_else(|| query(source).map(Value::String))
                .or_else(|| params.get(source).cloned().map(Value::String));
            let Some(key_value) = key_value else {
                return refuse(route, 400);
            };
            let key_string = key_text(&key_value);
            let scope: BTreeMap<String, String> = params
                .iter()
                .filter(|(n, _)| *n != source)
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect();
            let items = state.items.entry(collection.clone()).or_default();
            let found = items
                .iter()
                .position(|i| i.key == key_string && i.scope == scope);
            match (change, found) {
                (Change::Create, Some(_)) => return refuse(route, 409),
                (Change::Update | Change::Delete, None) => return refuse(route, 404),
                (Change::Create, None) => {
                    let mut value = Map::new();
                    value.insert(key.clone(), key_value);
                    for p in copy {
                        if let Some(v) = body.get(p) {
                            value.insert(p.clone(), v.clone());
                        }
                    }
                    value.extend(set.clone());
                    items.push(Item {
                        scope,
                        key: key_string,
                        value,
                    });
                }
                (Change::Update, Some(i)) => {
                    let item = &mut items[i].value;
                    for p in copy {
                        if let Some(v) = body.get(p) {
                            item.insert(p.clone(), v.clone());
                        }
                    }
                    item.extend(set.clone());
                }
                (Change::Delete, Some(i)) => {
                    items.remove(i);
                }
            }
            success(state, route)
        }
        Action::Job {
            id_param,
            id_in_path,
            status,
            running,
            success: done,
            failure,
            id_pointer,
        } => {
            let id = if *id_in_path {
                params.get(id_param).cloned()
            } else {
                query(id_param)
            };
            let Some(job) = id.and_then(|id| state.jobs.iter_mut().find(|j| j.id == id)) else {
                return refuse(route, 404);
            };
            job.polls += 1;
            let value = if job.polls <= job.polls_until_done {
                running
            } else if job.fails {
                failure
            } else {
                done
            };
            let (value, job_id) = (value.clone(), job.id.clone());
            let mut body = match &route.success.body {
                Body::Json(v) => v.clone(),
                Body::Bytes(_) => Value::Object(Map::new()),
            };
            set_pointer(&mut body, status, Value::String(value));
            if let Some(p) = id_pointer {
                set_pointer(&mut body, p, Value::String(job_id));
            }
            Answer::json(route.success.status, &route.success.content_type, &body)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A made-up API shaped like Huawei's: tasks of an instance, paged with string offsets
    /// and a string total, changed by calls that start jobs.
    fn doc() -> Value {
        let p = |name: &str, place: &str| json!({"name": name, "in": place, "required": place == "path", "schema": {"type": "string"}});
        let ok = |example: Value, schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}, "examples": {"one": {"value": example}}}}});
        let err = |example: Option<Value>| {
            let mut media = json!({"schema": {"$ref": "#/components/schemas/Error"}});
            if let Some(e) = example {
                media["example"] = e;
            }
            json!({"description": "no", "content": {"application/json": media}})
        };
        let body = |schema: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        json!({
            "paths": {
                "/v3/{project_id}/instances/{instance_id}/tasks": {
                    "parameters": [p("project_id", "path"), p("instance_id", "path")],
                    "get": {
                        "operationId": "ListTasks",
                        "x-paginated": {"offset": "offset", "limit": "limit", "items": "tasks", "total": "total_count"},
                        "x-mock": {"collection": "tasks", "action": "list"},
                        "parameters": [p("offset", "query"), {"name": "limit", "in": "query", "schema": {"type": "string", "default": "2"}}],
                        "responses": {
                            "200": ok(json!({"tasks": [{"task_name": "from_the_example"}], "total_count": "1", "ext": "kept"}), "Tasks"),
                            "400": err(Some(json!({"error_code": "E.400"})))
                        }
                    },
                    "post": {
                        "operationId": "CreateTask",
                        "x-job": "job_id",
                        "x-mock": {"collection": "tasks", "action": "create", "key": "task_name", "copy": ["source_database"], "set": {"stage": "wait"}},
                        "requestBody": body("TaskInput"),
                        "responses": {
                            "200": ok(json!({"job_id": "123"}), "JobId"),
                            "400": err(Some(json!({"error_code": "E.400"}))),
                            "409": err(Some(json!({"error_code": "E.409"})))
                        }
                    },
                    "delete": {
                        "operationId": "DeleteTask",
                        "x-job": "job_id",
                        "x-mock": {"collection": "tasks", "action": "delete", "key": "task_name"},
                        "requestBody": body("TaskName"),
                        "responses": {
                            "200": ok(json!({"job_id": "123"}), "JobId"),
                            "400": err(Some(json!({"error_code": "E.400"})))
                        }
                    }
                },
                "/v3/{project_id}/instances/{instance_id}/tasks/pause": {
                    "parameters": [p("project_id", "path"), p("instance_id", "path")],
                    "post": {
                        "operationId": "PauseTask",
                        "x-job": "job_id",
                        "x-mock": {"collection": "tasks", "action": "update", "key": "task_name", "set": {"stage": "paused"}},
                        "requestBody": body("TaskName"),
                        "responses": {
                            "200": ok(json!({"job_id": "123"}), "JobId"),
                            "404": err(Some(json!({"error_code": "E.404"}))),
                            "400": err(None)
                        }
                    }
                },
                "/v3/{project_id}/jobs": {
                    "get": {
                        "operationId": "ShowJob",
                        "x-waiter": {"name": "job", "id": "id", "status": "/job/status", "success": ["Completed"], "failure": ["Failed"]},
                        "x-mock": {"action": "job", "running": "Running", "id": "/job/id"},
                        "parameters": [p("project_id", "path"), p("id", "query")],
                        "responses": {
                            "200": ok(json!({"job": {"id": "job-1", "status": "Completed", "name": "kept"}}), "Job"),
                            "400": err(None)
                        }
                    }
                },
                "/v3/{project_id}/restart": {
                    "post": {
                        "operationId": "Restart",
                        "x-job": "job_id",
                        "parameters": [p("project_id", "path")],
                        "responses": {"202": ok(json!({"job_id": "123", "note": "kept"}), "JobId")}
                    }
                },
                "/v3/{project_id}/tasks/{name}": {
                    "get": {
                        "operationId": "ShowByName",
                        "parameters": [p("project_id", "path"), p("name", "path")],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
                    }
                },
                "/v3/{project_id}/tasks/export": {
                    "get": {
                        "operationId": "Export",
                        "parameters": [p("project_id", "path")],
                        "responses": {"200": {"description": "file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
                    }
                }
            },
            "components": {"schemas": {
                "Tasks": {"type": "object", "properties": {
                    "total_count": {"type": "string"},
                    "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
                    "ext": {"type": "string"}
                }},
                "Task": {"type": "object", "properties": {"task_name": {"type": "string"}, "source_database": {"type": "string"}, "stage": {"type": "string"}}},
                "TaskInput": {"type": "object", "properties": {"task_name": {"type": "string"}, "source_database": {"type": "string"}, "target_database": {"type": "string"}}},
                "TaskName": {"type": "object", "properties": {"task_name": {"type": "string"}}},
                "JobId": {"type": "object", "properties": {"job_id": {"type": "string"}, "note": {"type": "string"}}},
                "Job": {"type": "object", "properties": {"job": {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"}, "name": {"type": "string"}}}}},
                "Error": {"type": "object", "properties": {"error_code": {"type": "string"}}}
            }}
        })
    }

    /// The operation table `gen` would write for [`doc`].
    fn ops(doc: &Value) -> Vec<OpView> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if method == "parameters" {
                    continue;
                }
                let pointer = format!(
                    "/paths/{}/{method}",
                    path.replace('~', "~0").replace('/', "~1")
                );
                let responses = op["responses"].as_object().unwrap();
                let success_status = responses.keys().find(|s| s.starts_with('2')).cloned();
                let binary = success_status.as_ref().is_some_and(|s| {
                    responses[s]["content"]
                        .get("application/octet-stream")
                        .is_some()
                });
                let parameters = item
                    .get("parameters")
                    .into_iter()
                    .chain(op.get("parameters"))
                    .flat_map(|p| p.as_array().unwrap())
                    .map(|p| {
                        let location = if p["in"] == "path" {
                            Location::Path
                        } else {
                            Location::Query
                        };
                        (
                            p["name"].as_str().unwrap().to_string(),
                            location,
                            p["schema"].get("default").cloned(),
                        )
                    })
                    .collect();
                let id: &'static str = Box::leak(
                    op["operationId"]
                        .as_str()
                        .unwrap()
                        .to_string()
                        .into_boxed_str(),
                );
                out.push(OpView {
                    id,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    pointer,
                    success_status,
                    binary,
                    pagination: op.get("x-paginated").map(|p| {
                        ["offset", "limit", "items", "total"]
                            .map(|k| p[k].as_str().unwrap().to_string())
                    }),
                    job: op.get("x-job").and_then(Value::as_str).map(str::to_string),
                    parameters,
                });
            }
        }
        out
    }

    fn sim() -> Shared {
        let doc = doc();
        Shared::new(Model::new(&doc, &ops(&doc)))
    }

    const TASKS: &str = "/v3/p1/instances/i1/tasks";

    /// Sends a request to the route that the server would match, like httpmock does.
    fn call(s: &Shared, method: &str, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let route = s.model.mocks().into_iter().find(|(_, m, re)| {
            m.to_string() == method && regex::Regex::new(re).unwrap().is_match(path)
        });
        let query = query
            .split('&')
            .filter(|q| !q.is_empty())
            .map(|q| {
                let (k, v) = q.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        let (answer, _) = s.handle(
            route.map(|(i, _, _)| i),
            Incoming {
                method: method.to_string(),
                path: path.to_string(),
                query,
                headers: vec![("x-auth-token".into(), "secret".into())],
                body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            },
        );
        let body = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        (answer.status, body)
    }

    fn create(s: &Shared, path: &str, name: &str) -> (u16, Value) {
        call(
            s,
            "POST",
            path,
            Some(json!({"task_name": name, "source_database": "db", "target_database": "t"})),
        )
    }

    fn names(body: &Value) -> Vec<&str> {
        body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_created_item_is_listed_with_the_examples_other_properties_and_a_total_as_the_schema_types_it()
     {
        let s = sim();
        let (status, list) = call(&s, "GET", TASKS, None);
        assert_eq!(status, 200);
        assert_eq!(
            list,
            json!({"tasks": [], "total_count": "0", "ext": "kept"}),
            "the example's items replaced"
        );
        let (status, created) = create(&s, TASKS, "a");
        assert_eq!(status, 200);
        assert_eq!(
            created["job_id"], "00000000-0000-4000-8000-000000000001",
            "a fresh job ID"
        );
        let (_, list) = call(&s, "GET", TASKS, None);
        assert_eq!(list["total_count"], "1", "a string, as the schema says");
        assert_eq!(
            list["tasks"],
            json!([{"task_name": "a", "source_database": "db", "stage": "wait"}]),
            "the key, the copied properties (not the others) and the set values"
        );
    }

    #[test]
    fn a_total_the_schema_does_not_type_is_answered_as_the_example_gives_it() {
        for (example, expected) in [(json!("7"), json!("1")), (json!(7), json!(1))] {
            let mut doc = doc();
            doc["components"]["schemas"]["Tasks"]["properties"]["total_count"] =
                json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
            let list = "/paths/~1v3~1{project_id}~1instances~1{instance_id}~1tasks/get";
            let examples = "/responses/200/content/application~1json/examples/one/value";
            *doc.pointer_mut(&format!("{list}{examples}/total_count"))
                .unwrap() = example.clone();
            let s = Shared::new(Model::new(&doc, &ops(&doc)));
            create(&s, TASKS, "a");
            let (_, list) = call(&s, "GET", TASKS, None);
            assert_eq!(list["total_count"], expected, "the example's {example}");
        }
    }

    #[test]
    fn lists_page_by_offset_and_limit_given_as_strings_with_the_limits_default() {
        let s = sim();
        for name in ["a", "b", "c", "d", "e"] {
            assert_eq!(create(&s, TASKS, name).0, 200);
        }
        let (_, page) = call(&s, "GET", &format!("{TASKS}?offset=1&limit=3"), None);
        assert_eq!(names(&page), ["b", "c", "d"]);
        assert_eq!(
            page["total_count"], "5",
            "the count of every item, not the page's"
        );
        let (_, page) = call(&s, "GET", &format!("{TASKS}?offset=4"), None);
        assert_eq!(names(&page), ["e"]);
        let (_, page) = call(&s, "GET", TASKS, None);
        assert_eq!(names(&page), ["a", "b"], "the limit parameter's default, 2");
        let (_, page) = call(&s, "GET", &format!("{TASKS}?offset=9"), None);
        assert!(names(&page).is_empty());
        let (status, body) = call(&s, "GET", &format!("{TASKS}?limit=many"), None);
        assert_eq!((status, body), (400, json!({"error_code": "E.400"})));
    }

    #[test]
    fn conflicts_and_missing_keys_get_the_documented_error_and_change_nothing() {
        let s = sim();
        create(&s, TASKS, "a");
        let (status, body) = call(
            &s,
            "POST",
            TASKS,
            Some(json!({"task_name": "a", "source_database": "other"})),
        );
        assert_eq!(
            (status, body),
            (409, json!({"error_code": "E.409"})),
            "409 is documented"
        );
        let (status, body) = call(
            &s,
            "POST",
            &format!("{TASKS}/pause"),
            Some(json!({"task_name": "zz"})),
        );
        assert_eq!((status, body), (404, json!({"error_code": "E.404"})));
        let (status, body) = call(&s, "DELETE", TASKS, Some(json!({"task_name": "zz"})));
        assert_eq!(
            (status, body),
            (400, json!({"error_code": "E.400"})),
            "no 404: the lowest documented 4xx"
        );
        let (status, _) = call(&s, "DELETE", TASKS, Some(json!({})));
        assert_eq!(status, 400, "no key in the request");
        let (_, list) = call(&s, "GET", TASKS, None);
        assert_eq!(
            list["tasks"],
            json!([{"task_name": "a", "source_database": "db", "stage": "wait"}])
        );
        assert_eq!(s.state().jobs.len(), 1, "refused calls start no job");
    }

    #[test]
    fn update_sets_values_and_delete_removes_within_the_scope_of_the_path_parameters() {
        let s = sim();
        let other = "/v3/p1/instances/i2/tasks";
        create(&s, TASKS, "a");
        create(&s, other, "a");
        assert_eq!(
            call(
                &s,
                "POST",
                &format!("{TASKS}/pause"),
                Some(json!({"task_name": "a"}))
            )
            .0,
            200
        );
        let (_, list) = call(&s, "GET", TASKS, None);
        assert_eq!(list["tasks"][0]["stage"], "paused");
        let (_, list) = call(&s, "GET", other, None);
        assert_eq!(
            list["tasks"][0]["stage"], "wait",
            "the other instance's task is another"
        );
        assert_eq!(
            call(&s, "DELETE", TASKS, Some(json!({"task_name": "a"}))).0,
            200
        );
        assert_eq!(call(&s, "GET", TASKS, None).1["total_count"], "0");
        assert_eq!(call(&s, "GET", other, None).1["total_count"], "1");
        assert_eq!(
            call(&s, "GET", "/v3/p2/instances/i1/tasks", None).1["total_count"],
            "0",
            "nor another project's"
        );
    }

    #[test]
    fn a_job_runs_for_n_polls_then_succeeds_or_fails_and_unknown_jobs_are_refused() {
        let s = sim();
        let job = |s: &Shared, id: &str| call(s, "GET", &format!("/v3/p1/jobs?id={id}"), None);
        let id = create(&s, TASKS, "a").1["job_id"]
            .as_str()
            .unwrap()
            .to_string();
        for _ in 0..DEFAULT_POLLS_UNTIL_DONE {
            assert_eq!(
                job(&s, &id).1,
                json!({"job": {"id": id, "status": "Running", "name": "kept"}})
            );
        }
        assert_eq!(job(&s, &id).1["job"]["status"], "Completed");
        assert_eq!(job(&s, &id).1["job"]["status"], "Completed", "and stays so");

        s.state().polls_until_done = 0;
        s.state().fail_next_job = true;
        let failing = create(&s, TASKS, "b").1["job_id"]
            .as_str()
            .unwrap()
            .to_string();
        let next = create(&s, TASKS, "c").1["job_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(job(&s, &failing).1["job"]["status"], "Failed");
        assert_eq!(
            job(&s, &next).1["job"]["status"],
            "Completed",
            "only the next job fails"
        );
        assert_eq!(
            (job(&s, "job-1").0, job(&s, "job-1").1),
            (400, json!({})),
            "not issued: the first 4xx, no example"
        );
        let jobs = s.state().jobs.clone();
        assert_eq!(
            jobs.iter().map(|j| j.operation).collect::<Vec<_>>(),
            ["CreateTask"; 3]
        );
        assert_eq!(jobs[0].polls, 4);
    }

    #[test]
    fn other_operations_answer_their_example_with_a_fresh_job_and_unmatched_requests_404() {
        let s = sim();
        let (status, body) = call(&s, "POST", "/v3/p1/restart", None);
        assert_eq!(status, 202);
        assert_eq!(body["note"], "kept");
        let id = body["job_id"].as_str().unwrap().to_string();
        let (_, job) = call(&s, "GET", &format!("/v3/p1/jobs?id={id}"), None);
        assert_eq!(
            job["job"]["status"], "Running",
            "a job the waiter can follow"
        );
        let (status, body) = call(&s, "GET", "/v3/p1/tasks/export", None);
        assert_eq!(status, 200, "the literal path before `/tasks/{{name}}`");
        assert_eq!(body, Value::Null, "bytes, not JSON");
        let (status, body) = call(&s, "GET", "/v3/p1/tasks/x", None);
        assert_eq!((status, body), (200, json!({})), "no example: {{}}");
        let (status, _) = call(&s, "GET", "/nowhere", None);
        assert_eq!(status, 404);
        let recorded = s.state().requests.clone();
        let ops: Vec<Option<&str>> = recorded.iter().map(|r| r.operation).collect();
        assert_eq!(
            ops,
            [
                Some("Restart"),
                Some("ShowJob"),
                Some("Export"),
                Some("ShowByName"),
                None
            ]
        );
        assert_eq!(recorded[1].query_param("id"), Some(id.as_str()));
        assert_eq!(recorded[0].header("X-Auth-Token"), Some("secret"));
        let debug = format!("{:?}", recorded[0]);
        assert!(
            !debug.contains("secret") && debug.contains("<redacted>"),
            "{debug}"
        );
    }

    #[test]
    fn pointers_are_set_through_missing_objects() {
        let mut v = json!({"job": "x", "list": [{"a": 1}]});
        set_pointer(&mut v, "/job/status", json!("Running"));
        set_pointer(&mut v, "/list/0/a", json!(2));
        set_pointer(&mut v, "/new~1key", json!(true));
        assert_eq!(
            v,
            json!({"job": {"status": "Running"}, "list": [{"a": 2}], "new/key": true})
        );
    }

    #[tokio::test]
    async fn the_server_answers_every_operation_of_the_spec_and_records_the_rest() {
        let sim = Simulator::start().await;
        sim.polls_until_done(5).fail_next_job();
        assert_eq!(sim.shared.state().polls_until_done, 5);
        assert!(sim.shared.state().fail_next_job);
        let op = &spec::operations()[0];
        let path: String = op
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let http = reqwest::Client::new();
        let url = |path: &str| format!("{}{path}", sim.base_url());
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let answer = http
            .request(method, url(&path))
            .header("x-auth-token", "t")
            .send()
            .await
            .unwrap();
        let status = op.success_status.unwrap_or("200");
        assert_eq!(answer.status().as_str(), status);
        assert_eq!(answer.headers()["x-request-id"], "simulator-1");
        let answer = http.get(url("/no/such/operation")).send().await.unwrap();
        assert_eq!(answer.status(), 404);
        let recorded = sim.requests();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0].operation, Some(op.id));
        assert_eq!(recorded[0].status.to_string(), status);
        assert_eq!((recorded[1].operation, recorded[1].status), (None, 404));
        assert_eq!(recorded[0].header("x-auth-token"), Some("t"));
    }

    #[test]
    fn inserted_items_are_seen_by_requests_of_their_scope() {
        let doc = doc();
        let s = Simulator {
            server: MockServer::start(),
            shared: Arc::new(Shared::new(Model::new(&doc, &ops(&doc)))),
        };
        let scope = [("project_id", "p1"), ("instance_id", "i1")];
        s.insert(
            "tasks",
            &scope,
            json!({"task_name": "seeded", "stage": "full"}),
        )
        .unwrap();
        let e = s
            .insert("tasks", &scope, json!({"task_name": "seeded"}))
            .unwrap_err();
        assert!(
            e.to_string().contains("already has the item `seeded`"),
            "{e}"
        );
        let e = s
            .insert("tasks", &scope, json!({"stage": "full"}))
            .unwrap_err();
        assert!(e.to_string().contains("needs its key `task_name`"), "{e}");
        assert!(s.insert("tasks", &scope, json!([])).is_err());
        assert_eq!(names(&call(&s.shared, "GET", TASKS, None).1), ["seeded"]);
        assert_eq!(s.items("tasks", &[("instance_id", "i1")]).len(), 1);
        assert!(s.items("tasks", &[("instance_id", "i2")]).is_empty());
        assert_eq!(s.items("tasks", &[]).len(), 1);
        let e = s.insert("task", &scope, json!({})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the spec has no collection `task` (its `x-mock` hints name: tasks)"
        );
        let misspelt =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.items("task", &[])));
        assert!(misspelt.is_err(), "a misspelt collection fails the test");
    }
}
