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
//! - `x-mock: {collection, action, key, from, copy, set, items, running, id}`: what the
//!   simulator of `taurusdb-httpmock` does when the operation is called (README, "A stateful
//!   mock: the simulator"); read here per operation ([`read`]) and across the operations of a
//!   collection ([`collections`]).

use serde_json::Value;

use crate::codegen::operations::{Location, Operation};
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
    pub mock: Option<Mock>,
}

/// What `x-mock` makes the simulator do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MockAction {
    List,
    Create,
    Update,
    Delete,
    Job,
}

impl MockAction {
    const ALL: [(&'static str, MockAction); 5] = [
        ("list", MockAction::List),
        ("create", MockAction::Create),
        ("update", MockAction::Update),
        ("delete", MockAction::Delete),
        ("job", MockAction::Job),
    ];

    pub fn name(self) -> &'static str {
        MockAction::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("?", |(n, _)| n)
    }

    /// The keys of `x-mock` that the action takes (besides `action`), the required first.
    fn keys(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            MockAction::List => (&["collection"], &["items"]),
            MockAction::Create | MockAction::Update => {
                (&["collection", "key"], &["from", "copy", "set"])
            }
            MockAction::Delete => (&["collection", "key"], &["from"]),
            MockAction::Job => (&["running"], &["id"]),
        }
    }
}

/// `x-mock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mock {
    pub action: MockAction,
    /// The collection of items (every action but `job`).
    pub collection: Option<String>,
    /// create, update, delete: the item property that identifies an item.
    pub key: Option<String>,
    /// create, update, delete: the request's body property or parameter that carries the key
    /// (default: the key's name).
    pub from: Option<String>,
    /// create, update: request body properties copied into the item.
    pub copy: Vec<String>,
    /// create, update: values the item gets.
    pub set: serde_json::Map<String, Value>,
    /// list: the success body's property of the items (default: `x-paginated.items`).
    pub items: Option<String>,
    /// job: the status of a job still running.
    pub running: Option<String>,
    /// job: the JSON pointer of the job's ID in the success body.
    pub id: Option<String>,
}

impl Mock {
    /// Where the request carries the key.
    pub fn key_source(&self) -> Option<&str> {
        self.from.as_deref().or(self.key.as_deref())
    }
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
    properties(root, schema)
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

/// Follows a schema's local `$ref`s.
fn deref<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(t) => s = t,
            None => break,
        }
    }
    s
}

/// The schema and the members of its `allOf`s, `$ref`s followed.
fn members<'a>(root: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut stack = vec![schema];
    while let Some(s) = stack.pop() {
        if out.len() > 64 {
            break;
        }
        let s = deref(root, s);
        out.push(s);
        stack.extend(
            s.get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    out
}

/// The properties of a schema (its `$ref`s and `allOf` followed): (name, schema).
fn properties<'a>(root: &'a Value, schema: &'a Value) -> Vec<(&'a String, &'a Value)> {
    members(root, schema)
        .into_iter()
        .flat_map(|s| {
            s.get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
        })
        .collect()
}

/// A keyword of a schema or of one of its `allOf` members.
fn keyword<'a>(root: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    members(root, schema).into_iter().find_map(|s| s.get(key))
}

/// The schema of the property `name` of `schema`.
fn property<'a>(root: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    properties(root, schema)
        .into_iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The schema at a JSON pointer into a value of `schema` (through properties and array items).
fn schema_at<'a>(root: &'a Value, schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut s = schema;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        s = match property(root, s, &segment) {
            Some(p) => p,
            None if segment.parse::<usize>().is_ok() => keyword(root, s, "items")?,
            None => return None,
        };
    }
    Some(s)
}

/// Why `value` is not a value of `schema` (its `type` and `enum`), if it is not.
fn misfit(root: &Value, schema: &Value, value: &Value) -> Option<String> {
    if let Some(values) = keyword(root, schema, "enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Some(format!("not one of {}", Value::Array(values.clone())));
    }
    let ty = keyword(root, schema, "type").and_then(Value::as_str)?;
    let fits = match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    (!fits).then(|| format!("not of the property's type `{ty}`"))
}

/// The schema of the operation's JSON request body, if it has one.
fn body_schema<'a>(root: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let body = deref(root, op.get("requestBody")?);
    let media = body.get("content")?.as_object()?;
    media
        .iter()
        .find(|(m, _)| walk::media_kind(m) == walk::MediaKind::Json)
        .or_else(|| media.iter().next())
        .and_then(|(_, m)| m.get("schema"))
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

    if let Some(x) = op.get("x-mock") {
        hints.mock = Some(read_mock(
            spec,
            &format!("{ptr}/x-mock"),
            x,
            op,
            params,
            success_schema,
            &hints,
        )?);
    }
    Ok(hints)
}

/// `x-mock` of one operation, checked against the operation (its request body, parameters,
/// success body and other hints); [`collections`] checks it against the collection's items.
fn read_mock(
    spec: &Spec,
    at: &str,
    x: &Value,
    op: &Value,
    params: &[(String, &'static str, bool)],
    success_schema: Option<&str>,
    hints: &Hints,
) -> Result<Mock, Diagnostic> {
    let root = &spec.root;
    let obj = x.as_object().ok_or_else(|| {
        spec.diag(
            at,
            "`x-mock` must be an object with `action` and what the action takes",
        )
    })?;
    let names: Vec<&str> = MockAction::ALL.iter().map(|(n, _)| *n).collect();
    let action = match obj.get("action") {
        Some(Value::String(a)) => MockAction::ALL
            .iter()
            .find(|(n, _)| n == a)
            .map(|(_, a)| *a)
            .ok_or_else(|| {
                spec.diag(
                    &format!("{at}/action"),
                    format!(
                        "`x-mock.action` `{a}` is not an action of the simulator (known: {})",
                        names.join(", ")
                    ),
                )
            })?,
        _ => {
            return Err(spec.diag(
                at,
                format!("`x-mock` needs an `action`: one of {}", names.join(", ")),
            ));
        }
    };
    let (required, optional) = action.keys();
    let takes = || {
        required
            .iter()
            .chain(optional)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(k) = obj.keys().find(|k| {
        *k != "action" && !required.contains(&k.as_str()) && !optional.contains(&k.as_str())
    }) {
        return Err(spec.diag(
            &format!("{at}/{k}"),
            format!(
                "`x-mock.{k}` does not apply to the action `{}` (it takes: {})",
                action.name(),
                takes()
            ),
        ));
    }
    if let Some(k) = required.iter().find(|k| !obj.contains_key(**k)) {
        return Err(spec.diag(
            at,
            format!("`x-mock` of the action `{}` needs `{k}`", action.name()),
        ));
    }
    let text = |key: &str| -> Result<Option<String>, Diagnostic> {
        obj.get(key)
            .map(|_| string_field(spec, at, obj, key))
            .transpose()
    };
    let mut mock = Mock {
        action,
        collection: text("collection")?,
        key: text("key")?,
        from: text("from")?,
        copy: Vec::new(),
        set: serde_json::Map::new(),
        items: text("items")?,
        running: text("running")?,
        id: text("id")?,
    };
    let body = body_schema(root, op);
    let body_has = |name: &str| body.is_some_and(|b| property(root, b, name).is_some());
    if let Some(source) = mock.key_source() {
        let param = params
            .iter()
            .any(|(n, loc, _)| n == source && matches!(*loc, "query" | "path"));
        if !body_has(source) && !param {
            let key = if mock.from.is_some() { "from" } else { "key" };
            return Err(spec.diag(
                &format!("{at}/{key}"),
                format!(
                    "`x-mock.{key}` takes the key from `{source}`, which is neither a property of the request body nor a query or path parameter of this operation"
                ),
            ));
        }
    }
    if let Some(v) = obj.get("copy") {
        mock.copy = strings(spec, &format!("{at}/copy"), Some(v), "`x-mock.copy`")?;
        if let Some((i, p)) = mock.copy.iter().enumerate().find(|(_, p)| !body_has(p)) {
            return Err(spec.diag(
                &format!("{at}/copy/{i}"),
                format!("`x-mock.copy` names `{p}`, which is not a property of the request body"),
            ));
        }
    }
    if let Some(v) = obj.get("set") {
        mock.set = v
            .as_object()
            .filter(|m| !m.is_empty())
            .cloned()
            .ok_or_else(|| {
                spec.diag(
                    &format!("{at}/set"),
                    "`x-mock.set` must be a non-empty object of item properties and their values",
                )
            })?;
    }
    let success = success_schema.and_then(|p| root.pointer(p));
    match action {
        MockAction::List => {
            let Some(success) = success else {
                return Err(spec.diag(
                    at,
                    "`x-mock` of the action `list` needs a JSON success body to put the items in",
                ));
            };
            let paged = hints.paginated.as_ref().map(|p| p.items.clone());
            let items = match (&mock.items, paged) {
                (Some(i), Some(p)) if *i != p => {
                    return Err(spec.diag(
                        &format!("{at}/items"),
                        format!("`x-mock.items` names `{i}`, but `x-paginated.items` names `{p}`"),
                    ));
                }
                (Some(i), _) => i.clone(),
                (None, Some(p)) => p,
                (None, None) => {
                    return Err(spec.diag(
                        at,
                        "`x-mock` of a list needs `items` (the success body's property of the items) when the operation has no `x-paginated`",
                    ));
                }
            };
            let array = property(root, success, &items)
                .is_some_and(|p| keyword(root, p, "type").and_then(Value::as_str) == Some("array"));
            if !array {
                return Err(spec.diag(
                    &format!("{at}/items"),
                    format!("`x-mock.items` names `{items}`, which is not an array property of the success body"),
                ));
            }
            mock.items = Some(items);
        }
        MockAction::Job => {
            let Some(waiter) = &hints.waiter else {
                return Err(spec.diag(
                    &format!("{at}/action"),
                    "`x-mock` of the action `job` belongs on the operation that shows a job, which has `x-waiter`",
                ));
            };
            let running = mock.running.clone().unwrap_or_default();
            if waiter.success.contains(&running) || waiter.failure.contains(&running) {
                return Err(spec.diag(
                    &format!("{at}/running"),
                    format!("`x-mock.running` `{running}` is one of `x-waiter`'s success or failure values: a job with it would not be running"),
                ));
            }
            if let Some(status) = success.and_then(|s| schema_at(root, s, &waiter.status))
                && let Some(why) = misfit(root, status, &Value::String(running.clone()))
            {
                return Err(spec.diag(
                    &format!("{at}/running"),
                    format!(
                        "`x-mock.running` `{running}` is no value of the status at `{}`: {why}",
                        waiter.status
                    ),
                ));
            }
            if let Some(id) = &mock.id {
                let found = id.starts_with('/')
                    && success.is_some_and(|s| schema_at(root, s, id).is_some());
                if !found {
                    return Err(spec.diag(
                        &format!("{at}/id"),
                        format!("`x-mock.id` `{id}` must be a JSON pointer to a property of the success body, e.g. /job/id"),
                    ));
                }
            }
        }
        MockAction::Create | MockAction::Update | MockAction::Delete => {}
    }
    Ok(mock)
}

/// The checks of `x-mock` across operations: each collection has a `list` whose items are
/// objects with the `key`, `copy` and `set` properties of its other operations (and values of
/// their types), one key, the same scope (path parameters other than the key) everywhere; and
/// at most one operation simulates jobs.
pub fn collections(spec: &Spec, ops: &[Operation]) -> Result<(), Diagnostic> {
    let root = &spec.root;
    let mocked: Vec<(&Operation, &Mock)> = ops
        .iter()
        .filter_map(|o| o.hints.mock.as_ref().map(|m| (o, m)))
        .collect();
    let jobs: Vec<&Operation> = mocked
        .iter()
        .filter(|(_, m)| m.action == MockAction::Job)
        .map(|(o, _)| *o)
        .collect();
    if let [first, second, ..] = jobs.as_slice() {
        return Err(spec.diag(
            &format!("{}/x-mock/action", second.pointer),
            format!(
                "`{}` and `{}` both simulate jobs (`x-mock` action `job`): one operation shows the simulator's jobs",
                first.id, second.id
            ),
        ));
    }
    let mut names: Vec<&str> = mocked
        .iter()
        .filter_map(|(_, m)| m.collection.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let members: Vec<(&Operation, &Mock)> = mocked
            .iter()
            .filter(|(_, m)| m.collection.as_deref() == Some(name))
            .copied()
            .collect();
        let at = |o: &Operation, key: &str| format!("{}/x-mock/{key}", o.pointer);
        // The items' schemas, from each list.
        let lists: Vec<(&Operation, &Value)> = members
            .iter()
            .filter(|(_, m)| m.action == MockAction::List)
            .filter_map(|(o, m)| {
                let success = root.pointer(o.success_schema.as_deref()?)?;
                let array = property(root, success, m.items.as_deref()?)?;
                Some((*o, keyword(root, array, "items").unwrap_or(&Value::Null)))
            })
            .collect();
        if lists.is_empty() {
            let (o, _) = members[0];
            return Err(spec.diag(
                &at(o, "collection"),
                format!("the collection `{name}` has no operation with the action `list`: its items' schema comes from a list's success body"),
            ));
        }
        let mut key: Option<(&Operation, &str)> = None;
        for (o, m) in &members {
            if let Some(k) = m.key.as_deref() {
                match key {
                    Some((first, other)) if other != k => {
                        return Err(spec.diag(
                            &at(o, "key"),
                            format!("`x-mock.key` of `{}` is `{k}`, but `{}` keys the collection `{name}` by `{other}`: one collection, one key", o.id, first.id),
                        ));
                    }
                    None => key = Some((o, k)),
                    _ => {}
                }
            }
            for (list, item) in &lists {
                let has = |p: &str| property(root, item, p);
                let missing = |what: &str, p: &str| {
                    format!(
                        "`x-mock.{what}` names `{p}`, which is not a property of the items of `{}` (the collection `{name}`)",
                        list.id
                    )
                };
                if let Some(k) = m.key.as_deref()
                    && has(k).is_none()
                {
                    return Err(spec.diag(&at(o, "key"), missing("key", k)));
                }
                for (i, p) in m.copy.iter().enumerate() {
                    if has(p).is_none() {
                        return Err(spec.diag(&at(o, &format!("copy/{i}")), missing("copy", p)));
                    }
                }
                for (p, v) in &m.set {
                    let Some(schema) = has(p) else {
                        return Err(spec.diag(
                            &at(o, &format!("set/{}", escape_pointer(p))),
                            missing("set", p),
                        ));
                    };
                    if let Some(why) = misfit(root, schema, v) {
                        return Err(spec.diag(
                            &at(o, &format!("set/{}", escape_pointer(p))),
                            format!("`x-mock.set` gives `{p}` the value {v}, {why}"),
                        ));
                    }
                }
            }
        }
        // The scope: path parameters other than the key's.
        let scope = |o: &Operation, m: &Mock| -> Vec<String> {
            let mut s: Vec<String> = o
                .params
                .iter()
                .filter(|p| p.location == Location::Path && Some(p.name.as_str()) != m.key_source())
                .map(|p| p.name.clone())
                .collect();
            s.sort();
            s
        };
        let (first, first_mock) = members[0];
        let expected = scope(first, first_mock);
        for (o, m) in &members[1..] {
            let found = scope(o, m);
            if found != expected {
                return Err(spec.diag(
                    &at(o, "collection"),
                    format!(
                        "`{}` scopes the collection `{name}` by the path parameters [{}], but `{}` by [{}]: the operations of a collection take the same path parameters (besides the key)",
                        o.id,
                        found.join(", "),
                        first.id,
                        expected.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
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

    /// A spec whose operations simulate a collection and its jobs; each `x-mock` on a line
    /// of its own (lines 7, 22, 36, 48, 57).
    const MOCKED: &str = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/{project_id}/things:
    get:
      operationId: ListThings
      x-mock: {collection: things, action: list}
      x-paginated: {offset: offset, limit: limit, items: things, total: total}
      parameters:
        - {name: project_id, in: path, required: true, x-client-setting: project-id, schema: {type: string}}
        - {name: offset, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Things'}
    post:
      operationId: CreateThing
      x-job: job_id
      x-mock: {collection: things, action: create, key: name, copy: [size], set: {state: new}}
      parameters:
        - {name: project_id, in: path, required: true, x-client-setting: project-id, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ThingInput'}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/JobId'}}}
  /v1/{project_id}/things/{thing}:
    put:
      operationId: UpdateThing
      x-mock: {collection: things, action: update, key: name, from: thing, set: {state: paused}}
      parameters:
        - {name: project_id, in: path, required: true, x-client-setting: project-id, schema: {type: string}}
        - {name: thing, in: path, required: true, schema: {type: string}}
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/ThingInput'}}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/JobId'}}}
    delete:
      operationId: DeleteThing
      x-mock: {collection: things, action: delete, key: name, from: thing}
      parameters:
        - {name: project_id, in: path, required: true, x-client-setting: project-id, schema: {type: string}}
        - {name: thing, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: gone}
  /v1/{project_id}/jobs/{job}:
    get:
      operationId: ShowJob
      x-mock: {action: job, running: Running, id: /job/id}
      x-waiter: {name: job, id: job, status: /job/status, success: [Done], failure: [Failed]}
      parameters:
        - {name: project_id, in: path, required: true, x-client-setting: project-id, schema: {type: string}}
        - {name: job, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}
components:
  schemas:
    Things: {type: object, properties: {total: {type: string}, things: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}
    Thing: {type: object, properties: {name: {type: string}, size: {type: integer}, state: {type: string, enum: [new, paused]}}}
    ThingInput: {type: object, properties: {name: {type: string}, size: {type: integer}, colour: {type: string}}}
    JobId: {type: object, properties: {job_id: {type: string}}}
    Job: {type: object, properties: {job: {type: object, properties: {id: {type: string}, status: {type: string, enum: [Running, Done, Failed]}}}}}
"#;

    fn mocked(text: &str) -> Result<Vec<Operation>, Diagnostic> {
        let s = Spec::parse("t.yaml", text.as_bytes()).unwrap();
        crate::codegen::operations::operations(&s)
    }

    #[test]
    fn the_simulators_hints_are_read() {
        let ops = mocked(MOCKED).unwrap();
        let mock = |id: &str| {
            ops.iter()
                .find(|o| o.id == id)
                .and_then(|o| o.hints.mock.clone())
                .unwrap()
        };
        let list = mock("ListThings");
        assert_eq!(list.action, MockAction::List);
        assert_eq!(list.items.as_deref(), Some("things"), "from x-paginated");
        let create = mock("CreateThing");
        assert_eq!(create.key_source(), Some("name"));
        assert_eq!(create.copy, ["size"]);
        assert_eq!(create.set["state"], "new");
        assert_eq!(mock("UpdateThing").key_source(), Some("thing"));
        let job = mock("ShowJob");
        assert_eq!(
            (job.running.as_deref(), job.id.as_deref()),
            (Some("Running"), Some("/job/id"))
        );
    }

    #[test]
    fn malformed_simulator_hints_are_refused_with_their_line() {
        let list = "x-mock: {collection: things, action: list}";
        let create = "x-mock: {collection: things, action: create, key: name, copy: [size], set: {state: new}}";
        let update = "x-mock: {collection: things, action: update, key: name, from: thing, set: {state: paused}}";
        let delete = "x-mock: {collection: things, action: delete, key: name, from: thing}";
        let job = "x-mock: {action: job, running: Running, id: /job/id}";
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                create,
                "x-mock: things",
                "t.yaml:22:",
                "`x-mock` must be an object",
            ),
            (
                update,
                "x-mock: {collection: things, action: pause, key: name}",
                "t.yaml:36:",
                "`pause` is not an action of the simulator (known: list, create, update, delete, job)",
            ),
            (
                delete,
                "x-mock: {collection: things, key: name}",
                "t.yaml:48:",
                "needs an `action`",
            ),
            (
                list,
                "x-mock: {collection: things, action: list, key: name}",
                "t.yaml:7:",
                "`x-mock.key` does not apply to the action `list`",
            ),
            (
                delete,
                "x-mock: {collection: things, action: delete, from: thing}",
                "t.yaml:48:",
                "of the action `delete` needs `key`",
            ),
            (
                job,
                "x-mock: {action: job, running: Running, colour: red}",
                "t.yaml:57:",
                "`x-mock.colour` does not apply to the action `job`",
            ),
            (
                create,
                "x-mock: {collection: things, action: create, key: title}",
                "t.yaml:22:",
                "takes the key from `title`, which is neither a property of the request body nor a query or path parameter",
            ),
            (
                delete,
                "x-mock: {collection: things, action: delete, key: name, from: it}",
                "t.yaml:48:",
                "`x-mock.from` takes the key from `it`",
            ),
            (
                create,
                "x-mock: {collection: things, action: create, key: colour}",
                "t.yaml:22:",
                "`x-mock.key` names `colour`, which is not a property of the items of `ListThings`",
            ),
            (
                create,
                "x-mock: {collection: things, action: create, key: name, copy: [weight]}",
                "t.yaml:22:",
                "`x-mock.copy` names `weight`, which is not a property of the request body",
            ),
            (
                create,
                "x-mock: {collection: things, action: create, key: name, copy: [colour]}",
                "t.yaml:22:",
                "`x-mock.copy` names `colour`, which is not a property of the items",
            ),
            (
                update,
                "x-mock: {collection: things, action: update, key: name, from: thing, set: {mood: calm}}",
                "t.yaml:36:",
                "`x-mock.set` names `mood`, which is not a property of the items",
            ),
            (
                update,
                "x-mock: {collection: things, action: update, key: name, from: thing, set: {state: gone}}",
                "t.yaml:36:",
                "gives `state` the value \"gone\", not one of [\"new\",\"paused\"]",
            ),
            (
                update,
                "x-mock: {collection: things, action: update, key: name, from: thing, set: {size: big}}",
                "t.yaml:36:",
                "not of the property's type `integer`",
            ),
            (
                update,
                "x-mock: {collection: things, action: update, key: name, from: thing, set: {}}",
                "t.yaml:36:",
                "`x-mock.set` must be a non-empty object",
            ),
            (
                "x-paginated: {offset: offset, limit: limit, items: things, total: total}",
                "x-cli-label: Things",
                "t.yaml:7:",
                "`x-mock` of a list needs `items` (the success body's property of the items) when the operation has no `x-paginated`",
            ),
            (
                list,
                "x-mock: {collection: things, action: list, items: total}",
                "t.yaml:7:",
                "`x-mock.items` names `total`, but `x-paginated.items` names `things`",
            ),
            (
                delete,
                "x-mock: {action: job, running: Running}",
                "t.yaml:48:",
                "belongs on the operation that shows a job, which has `x-waiter`",
            ),
            (
                job,
                "x-mock: {action: job, running: Done}",
                "t.yaml:57:",
                "`x-mock.running` `Done` is one of `x-waiter`'s success or failure values",
            ),
            (
                job,
                "x-mock: {action: job, running: Waiting}",
                "t.yaml:57:",
                "`Waiting` is no value of the status at `/job/status`: not one of",
            ),
            (
                job,
                "x-mock: {action: job, running: Running, id: /job/number}",
                "t.yaml:57:",
                "`x-mock.id` `/job/number` must be a JSON pointer to a property of the success body",
            ),
            (
                delete,
                "x-mock: {collection: things, action: delete, key: size, from: thing}",
                "t.yaml:48:",
                "`x-mock.key` of `DeleteThing` is `size`, but `CreateThing` keys the collection `things` by `name`",
            ),
            (
                create,
                "x-mock: {collection: others, action: create, key: name}",
                "t.yaml:22:",
                "the collection `others` has no operation with the action `list`",
            ),
            (
                update,
                "x-mock: {collection: things, action: update, key: name}",
                "t.yaml:36:",
                "`UpdateThing` scopes the collection `things` by the path parameters [project_id, thing], but `ListThings` by [project_id]",
            ),
            (
                delete,
                "x-mock: {action: job, running: Running}\n      x-waiter: {name: job2, id: thing, status: /job_id, success: [A], failure: [B]}",
                "t.yaml:58:",
                "`DeleteThing` and `ShowJob` both simulate jobs",
            ),
        ];
        // The spec as given is accepted: each refusal is the case's own.
        mocked(MOCKED).unwrap();
        for (old, new, line, expected) in cases {
            assert!(MOCKED.contains(old), "{old}");
            let Err(e) = mocked(&MOCKED.replacen(old, new, 1)) else {
                panic!("{new}: accepted");
            };
            let e = e.to_string();
            assert!(e.starts_with(line), "{new}: expected at {line}: {e}");
            assert!(e.contains(expected), "{new}: expected {expected:?} in {e}");
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
