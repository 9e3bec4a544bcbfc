//! The per-operation layer that progenitor does not write, generated for every operation of
//! the spec so that no hand-written code names an operation, a parameter or a field:
//!
//! - in the client: an entry point on `Client` per operation (`x-rust-method`, else the
//!   operationId in snake case) returning a request type in `requests`, whose `send` fills in
//!   the client's settings (`x-client-setting`), checks every argument against the spec's
//!   constraints before anything is sent, and describes its request (path, query, headers,
//!   body, the statuses it documents) to the client's one generic call path (`call::run`,
//!   `exchange::Request`), which maps every failure to the crate's typed `Error`
//!   (progenitor's builders, renamed `raw_<op>`, stay behind the `raw` feature); the
//!   operation table `OPERATIONS`; the error bodies' accessors (`x-error-body`); and the spec
//!   itself as JSON (`SPEC_JSON`), which the CLI's renderer and the conformance report read;
//! - in the CLI: progenitor's generated clap commands are kept for their arguments (its
//!   `execute_*`, which would call the raw builders, are dropped) and `dispatch` is added,
//!   which runs any operation from parsed arguments through the client's entry points.
//!
//! The generator reads the parameter types from progenitor's own builder structs, so the
//! entry points accept exactly what progenitor's builders accept, and what goes on the wire
//! from its `send` (whether it asks for JSON, how it sends the body, its `match` on the
//! status), so that the request is the one progenitor's builder would send.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{ImplItem, Item, ItemImpl, ItemMod};

use crate::codegen::hints::{self, Hints};
use crate::codegen::normalize::{self, SETTINGS};
use crate::model::spec::{Diagnostic, Spec, escape_pointer};
use crate::model::walk;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// One parameter of an operation, as the generator needs it.
#[derive(Clone)]
pub struct Param {
    pub name: String,
    pub location: Location,
    pub required: bool,
    pub description: String,
    pub setting: Option<String>,
    pub default: Option<Value>,
    pub example: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    /// The field of progenitor's builder (filled in from its output).
    pub field: String,
    /// The Rust type progenitor's builder holds (without `Option`).
    pub ty: Option<syn::Type>,
}

/// The flags the CLI keeps for itself (its settings, output and call options, clap's own):
/// a parameter whose name would be one of them gets its location as a prefix
/// (`--query-region`), so that no command has two flags of one name. The CLI checks that
/// every flag it defines is listed here (the generated `RESERVED_FLAGS`).
pub const RESERVED_FLAGS: [&str; 24] = [
    "all",
    "check-spec",
    "config",
    "dry-run",
    "endpoint",
    "help",
    "json-body",
    "language",
    "output",
    "output-file",
    "project-id",
    "query",
    "region",
    "retries",
    "skeleton",
    "timeout",
    "verbose",
    "version",
    "wait",
    "wait-timeout",
    "yes",
    "json-body-template",
    "example-body",
    "insecure",
];

impl Param {
    /// progenitor's argument ID of the parameter in its generated clap command: the name in
    /// kebab case, as heck (which progenitor uses) writes it.
    pub fn arg(&self) -> String {
        use heck::ToKebabCase;
        self.name.to_kebab_case()
    }

    /// The `--flag` of the CLI: [`Param::arg`], prefixed with the location when that is one
    /// of the CLI's own flags ([`RESERVED_FLAGS`]).
    pub fn flag(&self) -> String {
        let arg = self.arg();
        // A setting's parameter is the setting's flag (`--project-id`), not one of its own.
        if self.setting.is_some() || !RESERVED_FLAGS.contains(&arg.as_str()) {
            return arg;
        }
        let location = match self.location {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        };
        format!("{location}-{arg}")
    }
}

/// One operation of the spec.
#[derive(Clone)]
pub struct Operation {
    pub id: String,
    pub pointer: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub rust_method: String,
    pub cli_group: Option<String>,
    pub cli_name: String,
    pub params: Vec<Param>,
    pub body: bool,
    /// The Rust type of the request body (filled in from progenitor's output).
    pub body_ty: Option<syn::Type>,
    /// JSON pointer of the success response's schema in the spec.
    pub success_schema: Option<String>,
    pub success_status: Option<String>,
    /// Whether the success body is bytes (a file), not JSON (filled in from progenitor's
    /// output: its `send` returns a `ByteStream`).
    pub binary_response: bool,
    /// The Rust type of the success body (filled in from progenitor's output).
    pub success_ty: Option<syn::Type>,
    /// The hints that drive more than one call ([`hints`]).
    pub hints: Hints,
    /// The command-line flags of the JSON body's top-level properties: (property, flag),
    /// in the spec's order ([`body_flags`]).
    pub body_flags: Vec<(String, String)>,
    /// The cargo feature of its tag, if it has one (filled in by `gen`, see
    /// [`crate::codegen::features`]).
    pub feature: Option<String>,
}

/// `ListStarRocksDataReplicationConfig` -> `list-star-rocks-data-replication-config`.
pub fn kebab(s: &str) -> String {
    crate::codegen::postprocess::snake(s).replace('_', "-")
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok()
}

/// Every operation of the spec, with the `x-` extensions that name its entry points checked.
/// Refuses what the generic path cannot serve, naming the place.
pub fn operations(spec: &Spec) -> Result<Vec<Operation>, Diagnostic> {
    let root = &spec.root;
    let mut out: Vec<Operation> = Vec::new();
    for (ptr, method, path, op) in crate::model::spec::operations(root) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                spec.diag(
                    &ptr,
                    format!(
                        "`{} {path}` has no operationId: the generated entry points, CLI command and mocks are named after it",
                        method.to_ascii_uppercase()
                    ),
                )
            })?
            .to_string();
        let rust_method = match op.get("x-rust-method") {
            None => crate::codegen::postprocess::snake(&id),
            Some(Value::String(s))
                if is_ident(s)
                    && s.chars()
                        .all(|c| c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit()) =>
            {
                s.clone()
            }
            Some(_) => {
                return Err(spec.diag(
                    &format!("{ptr}/x-rust-method"),
                    "`x-rust-method` must be a snake_case Rust identifier",
                ));
            }
        };
        if rust_method.starts_with("raw_") {
            return Err(spec.diag(
                &format!("{ptr}/x-rust-method"),
                format!("method name `{rust_method}`: names starting with `raw_` are progenitor's builders"),
            ));
        }
        let (cli_group, cli_name) = cli_names(spec, &ptr, op, &id)?;
        let mut params = Vec::new();
        for (pptr, p) in walk::parameters(root, &path, &ptr, op) {
            if let Some(p) = param(spec, &pptr, p)? {
                params.push(p);
            }
        }
        let (success_status, success_schema) = success(spec, &ptr, op);
        let arguments: Vec<(String, &'static str, bool)> = params
            .iter()
            .filter(|p| p.setting.is_none())
            .map(|p| {
                let location = match p.location {
                    Location::Path => "path",
                    Location::Query => "query",
                    Location::Header => "header",
                };
                (p.name.clone(), location, p.required)
            })
            .collect();
        let hints = hints::read(spec, &ptr, op, &arguments, success_schema.as_deref())?;
        let properties = body_properties(root, op);
        let body_flags = body_flags(&properties, &params);
        if let Some(question) = &hints.confirm {
            for name in placeholders(question) {
                if !params.iter().any(|p| p.name == name) && !properties.contains(&name) {
                    return Err(spec.diag(
                        &format!("{ptr}/x-cli-confirm"),
                        format!("`{{{name}}}` in `x-cli-confirm` is neither a parameter nor a property of the request body of `{id}`: the command could not fill it in"),
                    ));
                }
            }
        }
        let o = Operation {
            summary: walk::text(op.get("summary")),
            description: walk::text(op.get("description")),
            body: op.get("requestBody").is_some(),
            body_ty: None,
            id,
            pointer: ptr,
            method: method.to_ascii_uppercase(),
            path,
            rust_method,
            cli_group,
            cli_name,
            params,
            success_schema,
            success_status,
            binary_response: false,
            success_ty: None,
            hints,
            body_flags,
            feature: None,
        };
        if let Some(other) = out.iter().find(|x| x.rust_method == o.rust_method) {
            return Err(spec.diag(
                &o.pointer,
                format!(
                    "`{}` and `{}` would both get the client method `{}`: set `x-rust-method` on one",
                    other.id, o.id, o.rust_method
                ),
            ));
        }
        command_clash(spec, &out, &o)?;
        out.push(o);
    }
    hints::collections(spec, &out)?;
    Ok(out)
}

impl Operation {
    /// The command's words: `starrocks replication config`.
    pub fn cli_path(&self) -> String {
        match &self.cli_group {
            Some(g) => format!("{g} {}", self.cli_name),
            None => self.cli_name.clone(),
        }
    }

    /// Whether a retry may repeat it once it may have reached the server.
    pub fn idempotent(&self) -> bool {
        self.hints
            .idempotent
            .unwrap_or_else(|| hints::idempotent_method(&self.method))
    }

    /// The command and its aliases.
    pub fn command_paths(&self) -> Vec<String> {
        std::iter::once(self.cli_path())
            .chain(self.hints.aliases.iter().cloned())
            .collect()
    }

    /// Every command line that runs it: its command, its aliases and its operationId (a
    /// hidden command at the top level, as KooCLI names operations), each once.
    pub fn all_command_paths(&self) -> Vec<String> {
        let mut paths = self.command_paths();
        if !paths.contains(&self.id) {
            paths.push(self.id.clone());
        }
        paths
    }
}

/// Refuses `o` when one of its command lines is one of an earlier operation's, or is the
/// group of one (or has one as its group): clap cannot have two commands, or a command and
/// a group, of one name.
fn command_clash(spec: &Spec, earlier: &[Operation], o: &Operation) -> Result<(), Diagnostic> {
    for path in o.all_command_paths() {
        // A command is one path; a group is every shorter prefix of one.
        let clash = earlier.iter().find_map(|x| {
            x.all_command_paths()
                .into_iter()
                .find_map(|other| {
                    if other == path {
                        Some(format!("would both get the command `{path}`"))
                    } else if other.starts_with(&format!("{path} "))
                        || path.starts_with(&format!("{other} "))
                    {
                        Some(format!(
                            "give `{path}` and `{other}`: one command would be the other's group"
                        ))
                    } else {
                        None
                    }
                })
                .map(|why| (x, why))
        });
        if let Some((other, why)) = clash {
            return Err(spec.diag(
                &o.pointer,
                format!(
                    "`{}` and `{}` {why}: set `x-cli` (or `x-cli-aliases`) on one",
                    other.id, o.id
                ),
            ));
        }
    }
    // Its own command lines: an alias that is its command, or the group of another.
    let own = o.all_command_paths();
    for (i, a) in own.iter().enumerate() {
        for b in &own[i + 1..] {
            if a.starts_with(&format!("{b} ")) || b.starts_with(&format!("{a} ")) {
                return Err(spec.diag(
                    &o.pointer,
                    format!("`{}` gives `{a}` and `{b}`: one command would be the other's group: change `x-cli` or `x-cli-aliases`", o.id),
                ));
            }
        }
    }
    Ok(())
}

/// The `{name}` placeholders of a question (`x-cli-confirm`).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty() && !name.contains('{') && !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// The top-level properties of an operation's JSON request body, in the spec's order: its
/// schema's (`$ref`s and `allOf` members followed, the members' first), without those
/// marked `readOnly` (never sent).
pub fn body_properties(root: &Value, op: &Value) -> Vec<String> {
    let Some(body) = op.get("requestBody").map(|b| walk::resolve(root, b)) else {
        return Vec::new();
    };
    let Some(schema) = walk::json_media(body).and_then(|m| m.get("schema")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_properties(root, schema, 0, &mut out);
    out
}

fn collect_properties(root: &Value, schema: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 16 {
        return;
    }
    let s = schema_target(root, schema);
    for member in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_properties(root, member, depth + 1, out);
    }
    for (name, p) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let read_only = schema_target(root, p).get("readOnly") == Some(&Value::Bool(true))
            || p.get("readOnly") == Some(&Value::Bool(true));
        if !read_only && !out.contains(name) {
            out.push(name.clone());
        }
    }
}

/// A schema with its `$ref`s followed (as often as they chain).
fn schema_target<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(t) => schema = t,
            None => break,
        }
    }
    schema
}

/// The flag of each body property: its name in kebab case, prefixed with `body-` when that
/// is one of the CLI's own flags ([`RESERVED_FLAGS`]) or a parameter's flag. A property
/// whose name gives no flag (no letter or digit), or whose flag another property already
/// has, gets none: the command sets it through `--json-body` only.
pub fn body_flags(properties: &[String], params: &[Param]) -> Vec<(String, String)> {
    use heck::ToKebabCase;
    let param_flags: Vec<String> = params.iter().map(Param::flag).collect();
    let taken = |flag: &str, out: &[(String, String)]| {
        RESERVED_FLAGS.contains(&flag)
            || param_flags.iter().any(|f| f == flag)
            || out.iter().any(|(_, f)| f == flag)
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for name in properties {
        let arg = name.to_kebab_case();
        if !arg.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let flag = if RESERVED_FLAGS.contains(&arg.as_str()) || param_flags.contains(&arg) {
            format!("body-{arg}")
        } else {
            arg
        };
        if !taken(&flag, &out) {
            out.push((name.clone(), flag));
        }
    }
    out
}

fn cli_word(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `x-cli: {group, name}`; by default no group and the operationId in kebab case.
fn cli_names(
    spec: &Spec,
    ptr: &str,
    op: &Value,
    id: &str,
) -> Result<(Option<String>, String), Diagnostic> {
    let Some(x) = op.get("x-cli") else {
        return Ok((None, kebab(id)));
    };
    let at = format!("{ptr}/x-cli");
    let obj = x.as_object().ok_or_else(|| {
        spec.diag(
            &at,
            "`x-cli` must be an object with `name` and optionally `group`",
        )
    })?;
    if let Some(k) = obj.keys().find(|k| *k != "name" && *k != "group") {
        return Err(spec.diag(
            &at,
            format!("`x-cli` has an unknown key `{k}` (known: name, group)"),
        ));
    }
    let word = |key: &str| -> Result<Option<String>, Diagnostic> {
        match obj.get(key) {
            None => Ok(None),
            // A group may have several words (`starrocks replication`); a name has one.
            Some(Value::String(s))
                if hints::command_path(s) && (key == "group" || cli_word(s)) =>
            {
                Ok(Some(s.clone()))
            }
            Some(_) => Err(spec.diag(
                &format!("{at}/{key}"),
                format!("`x-cli.{key}` must be a lower-case word of letters, digits and `-` (a group: such words separated by one space), and not demo, completions or help"),
            )),
        }
    };
    let group = word("group")?;
    let name = word("name")?.unwrap_or_else(|| kebab(id));
    Ok((group, name))
}

/// One parameter, or `None` for a header the client writes itself (credentials,
/// `Content-Type`: `x-client-setting: auth | content-type`, see [`normalize`]).
fn param(spec: &Spec, ptr: &str, p: &Value) -> Result<Option<Param>, Diagnostic> {
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| spec.diag(ptr, "a parameter needs a `name`"))?
        .to_string();
    let location = match p.get("in").and_then(Value::as_str) {
        Some("path") => Location::Path,
        Some("query") => Location::Query,
        Some("header") => Location::Header,
        other => {
            return Err(spec.diag(
                &format!("{ptr}/in"),
                format!(
                    "parameter `{name}` is in `{}`: the generated client sends path, query and header parameters only",
                    other.unwrap_or("?")
                ),
            ));
        }
    };
    let setting = match p.get("x-client-setting") {
        None => None,
        Some(Value::String(s)) if s == "none" => None,
        Some(Value::String(s)) if normalize::set_by_client(s) => return Ok(None),
        Some(Value::String(s)) if SETTINGS.contains(&s.as_str()) => Some(s.clone()),
        Some(_) => {
            return Err(spec.diag(
                &format!("{ptr}/x-client-setting"),
                format!("`x-client-setting` must be one of: {}", SETTINGS.join(", ")),
            ));
        }
    };
    let schema = p
        .get("schema")
        .map(|s| walk::resolve(&spec.root, s))
        .unwrap_or(&Value::Null);
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let uint = |k: &str| schema.get(k).and_then(Value::as_u64);
    let example = p
        .get("example")
        .or_else(|| schema.get("example"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        });
    Ok(Some(Param {
        required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
            || location == Location::Path,
        description: walk::text(p.get("description")),
        default: schema.get("default").cloned(),
        example,
        min_length: uint("minLength"),
        max_length: uint("maxLength"),
        pattern: schema
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_string),
        minimum: num("minimum"),
        maximum: num("maximum"),
        exclusive_minimum: schema.get("exclusiveMinimum") == Some(&Value::Bool(true)),
        exclusive_maximum: schema.get("exclusiveMaximum") == Some(&Value::Bool(true)),
        field: String::new(),
        ty: None,
        name,
        location,
        setting,
    }))
}

/// The first 2xx response with a body: its status and the pointer of its JSON schema.
fn success(spec: &Spec, ptr: &str, op: &Value) -> (Option<String>, Option<String>) {
    let Some(r) = walk::responses(&spec.root, ptr, op)
        .into_iter()
        .find(|r| r.status.starts_with('2'))
    else {
        return (None, None);
    };
    // The schema's pointer where it is written: under the component a `$ref` names.
    let r_ptr = match r.declared.get("$ref").and_then(Value::as_str) {
        Some(rf) => rf.trim_start_matches('#').to_string(),
        None => r.ptr.clone(),
    };
    let schema = walk::media_schemas(&r_ptr, r.body)
        .into_iter()
        .next()
        .map(|(schema_ptr, _, _)| schema_ptr);
    (Some(r.status.clone()), schema)
}

/// What a live response of each operation is checked against (the client's `conformance`
/// feature): the spec's component schemas and every response's body schema, converted to
/// strict JSON Schema ([`crate::model::examples::to_strict_json_schema`]), with each response's media
/// types: `{"components": {"schemas": ..}, "operations": {id: {status: {"content": [..],
/// "schema": ..}}}}`.
pub fn conformance_document(spec: &Spec) -> Value {
    let root = &spec.root;
    let schemas: serde_json::Map<String, Value> = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(n, s)| (n.clone(), crate::model::examples::to_strict_json_schema(s)))
        .collect();
    let mut operations = serde_json::Map::new();
    for (_, _, _, op) in crate::model::spec::operations(root) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let mut responses = serde_json::Map::new();
        for walk::Response {
            status: code,
            body: r,
            ..
        } in walk::responses(root, "", op)
        {
            let content = r.get("content").and_then(Value::as_object);
            let media: Vec<Value> = content
                .into_iter()
                .flatten()
                .map(|(m, _)| Value::String(m.clone()))
                .collect();
            let schema = content
                .into_iter()
                .flatten()
                .find_map(|(_, m)| m.get("schema"))
                .map(crate::model::examples::to_strict_json_schema)
                .unwrap_or(Value::Null);
            responses.insert(
                code.clone(),
                serde_json::json!({"content": media, "schema": schema}),
            );
        }
        operations.insert(id.to_string(), Value::Object(responses));
    }
    serde_json::json!({"components": {"schemas": schemas}, "operations": operations})
}

/// An error schema's `x-error-body: {code: <property>, message: <property>}`.
pub struct ErrorBody {
    /// The component's name.
    pub schema: String,
    /// The property holding the error code.
    pub code: Option<String>,
    /// The property holding the error message.
    pub message: Option<String>,
}

/// Every error schema with `x-error-body`.
pub fn error_bodies(spec: &Spec) -> Result<Vec<ErrorBody>, Diagnostic> {
    let mut out = Vec::new();
    for (name, schema) in spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(x) = schema.get("x-error-body") else {
            continue;
        };
        let at = format!("/components/schemas/{}/x-error-body", escape_pointer(name));
        let props = schema.get("properties").and_then(Value::as_object);
        let field = |key: &str| -> Result<Option<String>, Diagnostic> {
            match x.get(key) {
                None => Ok(None),
                Some(Value::String(p)) => {
                    let prop = props.and_then(|ps| ps.get(p)).ok_or_else(|| {
                        spec.diag(
                            &format!("{at}/{key}"),
                            format!("`{name}` has no property `{p}`"),
                        )
                    })?;
                    if prop.get("type").and_then(Value::as_str) != Some("string") {
                        return Err(spec.diag(
                            &format!("{at}/{key}"),
                            format!("`{name}.{p}` must be a string to be the error's {key}"),
                        ));
                    }
                    Ok(Some(p.clone()))
                }
                Some(_) => Err(spec.diag(&format!("{at}/{key}"), "must name a property")),
            }
        };
        if !x.is_object() {
            return Err(spec.diag(
                &at,
                "`x-error-body` must be an object with `code` and `message`",
            ));
        }
        out.push(ErrorBody {
            schema: name.clone(),
            code: field("code")?,
            message: field("message")?,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Reading progenitor's output

fn impl_self_is(i: &ItemImpl, name: &str) -> bool {
    i.trait_.is_none()
        && matches!(&*i.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// Renames progenitor's `Client::<op>()` builder methods to `raw_<op>()` and returns, per
/// operation (in the order of `ops`), the name of its builder struct.
pub fn rename_raw_builders(
    file: &mut syn::File,
    ops: &[Operation],
) -> Result<Vec<(syn::Ident, syn::Ident)>, String> {
    let mut found: Vec<Option<(syn::Ident, syn::Ident)>> = vec![None; ops.len()];
    // Looked up by name: a spec of 1 000 operations would otherwise normalise a million IDs.
    let by_name: std::collections::HashMap<String, usize> = ops
        .iter()
        .enumerate()
        .map(|(k, o)| (normalized(&o.id), k))
        .collect();
    for item in &mut file.items {
        let Item::Impl(i) = item else { continue };
        if !impl_self_is(i, "Client") {
            continue;
        }
        for it in &mut i.items {
            let ImplItem::Fn(f) = it else { continue };
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let syn::Type::Path(tp) = &**ty else { continue };
            let segs: Vec<_> = tp.path.segments.iter().collect();
            if segs.len() != 2 || segs[0].ident != "builder" {
                continue;
            }
            let name = normalized(&f.sig.ident.to_string());
            if let Some(&k) = by_name.get(&name) {
                f.sig.ident = format_ident!("raw_{}", f.sig.ident);
                found[k] = Some((segs[1].ident.clone(), f.sig.ident.clone()));
                f.attrs.push(syn::parse_quote!(
                    #[doc = " progenitor's builder, as generated (no client settings filled in, no reasons for refused arguments, progenitor's error type): prefer the operation's entry point."]
                ));
            }
        }
    }
    found
        .into_iter()
        .zip(ops)
        .map(|(f, o)| {
            f.ok_or_else(|| format!("progenitor's output has no builder method for `{}`", o.id))
        })
        .collect()
}

/// progenitor's builder structs link to the `Client` method that makes them, now renamed
/// `raw_<op>`: their docs follow.
fn relink_builder_docs(file: &mut syn::File, builders: &[(syn::Ident, syn::Ident)]) {
    let Some(Item::Mod(ItemMod {
        content: Some((_, items)),
        ..
    })) = file
        .items
        .iter_mut()
        .find(|i| matches!(i, Item::Mod(m) if m.ident == "builder"))
    else {
        return;
    };
    let renamed: std::collections::HashMap<String, String> = builders
        .iter()
        .map(|(b, raw)| (b.to_string(), raw.to_string()))
        .collect();
    for item in items {
        let Item::Struct(strukt) = item else { continue };
        let Some(raw) = renamed.get(&strukt.ident.to_string()) else {
            continue;
        };
        let old = format!("Client::{}", raw.trim_start_matches("raw_"));
        let new = format!("Client::{raw}");
        for attr in &mut strukt.attrs {
            if let syn::Meta::NameValue(nv) = &mut attr.meta
                && nv.path.is_ident("doc")
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &mut nv.value
            {
                let value = text.value();
                if value.contains(&old) && !value.contains(&new) {
                    *text = syn::LitStr::new(&value.replace(&old, &new), text.span());
                }
            }
        }
    }
}

/// The fields of progenitor's builder struct `builder::<name>` and the output type of its
/// `send`: (field, type inside `Result<_, String>`), success type, error type.
struct Builder {
    fields: Vec<(String, syn::Type)>,
    success: syn::Type,
    error: syn::Type,
    wire: Wire,
}

/// What progenitor's `send` does on the wire, read from its body, that the entry point's
/// request says to `exchange::Request` instead: whether it asks for JSON, how it sends the
/// body, and its `match` on the response's status.
#[derive(Debug, Default, PartialEq)]
struct Wire {
    accept_json: bool,
    /// `.json(&body)` (`Some(true)`), `.body(body)` as bytes (`Some(false)`), none.
    json_body: Option<bool>,
    /// Success statuses (inclusive ranges) and whether their body is JSON.
    ok: Vec<(u16, u16)>,
    ok_json: bool,
    /// Documented error statuses and whether their body is JSON.
    err: Vec<(u16, u16)>,
    err_json: bool,
}

/// The error of a `send` whose responses of one class (success or error) are read in two ways:
/// progenitor gives a class one type, and `exchange::Responses` one way of reading it.
fn mixed(name: &syn::Ident, class: &str) -> String {
    format!(
        "`builder::{name}::send` reads some {class} responses as JSON and others as empty, which the client does not support"
    )
}

/// Reads [`Wire`] from progenitor's `send`; anything it does not recognise (a websocket
/// upgrade, a form body, one class of responses read in two ways) is refused with what it is.
fn read_wire(name: &syn::Ident, send: &syn::ImplItemFn) -> Result<Wire, String> {
    use syn::visit::Visit;
    #[derive(Default)]
    struct V {
        wire: Wire,
        arms: Option<Vec<syn::Arm>>,
        problem: Option<String>,
    }
    impl<'ast> Visit<'ast> for V {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let args = m.args.to_token_stream().to_string();
            match m.method.to_string().as_str() {
                "header" if args.contains("ACCEPT") => self.wire.accept_json = true,
                "json" => self.wire.json_body = Some(true),
                "body" if args == "body" => self.wire.json_body = Some(false),
                "form_urlencoded" => {
                    self.problem = Some("a form body (application/x-www-form-urlencoded)".into())
                }
                _ => {}
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            if m.expr.to_token_stream().to_string().contains("status") {
                self.arms = Some(m.arms.clone());
            }
            syn::visit::visit_expr_match(self, m);
        }
    }
    use quote::ToTokens;
    let mut v = V::default();
    v.visit_block(&send.block);
    if let Some(p) = v.problem {
        return Err(format!(
            "`builder::{name}::send` sends {p}, which the client does not support"
        ));
    }
    let arms = v
        .arms
        .ok_or_else(|| format!("`builder::{name}::send` has no `match` on the status"))?;
    let mut wire = v.wire;
    let int = |e: &syn::Expr| -> Option<u16> {
        match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse().ok(),
            _ => None,
        }
    };
    for arm in &arms {
        let range = match &arm.pat {
            syn::Pat::Lit(syn::PatLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse::<u16>().ok().map(|c| (c, c)),
            syn::Pat::Range(r) => match (
                r.start.as_deref().and_then(int),
                r.end.as_deref().and_then(int),
            ) {
                (Some(lo), Some(hi)) => Some((lo, hi)),
                _ => None,
            },
            syn::Pat::Wild(_) => Some((0, u16::MAX)),
            _ => None,
        };
        let body = arm.body.to_token_stream().to_string();
        let Some(range) = range else {
            return Err(format!(
                "`builder::{name}::send`: a status pattern the generator does not read: `{}`",
                arm.pat.to_token_stream()
            ));
        };
        if body.contains("UnexpectedResponse") {
            continue;
        }
        let json = body.contains("from_response");
        let known = json || body.contains("empty") || body.contains("stream");
        if !known {
            return Err(format!(
                "`builder::{name}::send`: a response the client does not support (`{body}`; a websocket upgrade?)"
            ));
        }
        if body.contains("ErrorResponse") {
            if body.contains("stream") {
                return Err(format!(
                    "`builder::{name}::send`: an error response whose body is not JSON (status {}-{}), which the client does not support",
                    range.0, range.1
                ));
            }
            if !wire.err.is_empty() && wire.err_json != json {
                return Err(mixed(name, "error"));
            }
            wire.err.push(range);
            wire.err_json = json;
        } else {
            if !wire.ok.is_empty() && wire.ok_json != json {
                return Err(mixed(name, "success"));
            }
            wire.ok.push(range);
            wire.ok_json = json;
        }
    }
    Ok(wire)
}

fn builder_mod(file: &syn::File) -> Option<&Vec<Item>> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(ItemMod {
            ident,
            content: Some((_, items)),
            ..
        }) if ident == "builder" => Some(items),
        _ => None,
    })
}

fn generic_args(ty: &syn::Type) -> Vec<syn::Type> {
    let syn::Type::Path(tp) = ty else {
        return Vec::new();
    };
    let Some(last) = tp.path.segments.last() else {
        return Vec::new();
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The structs of progenitor's `builder` module and the `send` of each, by name: indexed
/// once, so that reading every operation's builder stays linear in the operations.
#[derive(Default)]
struct BuilderIndex<'a> {
    structs: std::collections::HashMap<String, &'a syn::ItemStruct>,
    sends: std::collections::HashMap<String, &'a syn::ImplItemFn>,
}

impl<'a> BuilderIndex<'a> {
    fn new(items: &'a [Item]) -> Self {
        let mut index = BuilderIndex::default();
        for item in items {
            match item {
                Item::Struct(s) => {
                    index.structs.insert(s.ident.to_string(), s);
                }
                Item::Impl(imp) if imp.trait_.is_none() => {
                    let syn::Type::Path(p) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(last) = p.path.segments.last() else {
                        continue;
                    };
                    for it in &imp.items {
                        if let ImplItem::Fn(f) = it
                            && f.sig.ident == "send"
                        {
                            index.sends.entry(last.ident.to_string()).or_insert(f);
                        }
                    }
                }
                _ => {}
            }
        }
        index
    }
}

fn read_builder(items: &BuilderIndex<'_>, name: &syn::Ident) -> Result<Builder, String> {
    let strukt = items
        .structs
        .get(&name.to_string())
        .ok_or_else(|| format!("progenitor's output has no `builder::{name}`"))?;
    let mut fields = Vec::new();
    for f in &strukt.fields {
        let Some(ident) = &f.ident else { continue };
        if ident == "client" {
            continue;
        }
        let inner = generic_args(&f.ty)
            .into_iter()
            .next()
            .ok_or_else(|| format!("`builder::{name}.{ident}` is not a `Result<_, String>`"))?;
        fields.push((ident.to_string(), inner));
    }
    let send = items
        .sends
        .get(&name.to_string())
        .ok_or_else(|| format!("`builder::{name}` has no `send`"))?;
    let syn::ReturnType::Type(_, out) = &send.sig.output else {
        return Err(format!("`builder::{name}::send` returns nothing"));
    };
    let [ok, err] = generic_args(out)
        .try_into()
        .map_err(|_| format!("`builder::{name}::send` does not return a `Result<_, _>`"))?;
    let success = generic_args(&ok)
        .into_iter()
        .next()
        .ok_or_else(|| format!("`builder::{name}::send` does not return a `ResponseValue<_>`"))?;
    let error = generic_args(&err)
        .into_iter()
        .next()
        .ok_or_else(|| format!("`builder::{name}::send` does not return an `Error<_>`"))?;
    let wire = read_wire(name, send)?;
    Ok(Builder {
        fields,
        success,
        error,
        wire,
    })
}

fn option_inner(ty: &syn::Type) -> Option<syn::Type> {
    (last_ident(ty).as_deref() == Some("Option"))
        .then(|| generic_args(ty).into_iter().next())
        .flatten()
}

fn is_string(ty: &syn::Type) -> bool {
    last_ident(ty).as_deref() == Some("String")
}

// ---------------------------------------------------------------------------------------
// Writing the client's layer

/// Adds the entry points, request types, operation table, error accessors and the spec as
/// JSON to the client's file.
/// What the client's file held before its types were rendered, that the entry points need:
/// each operation's (builder struct, raw method), the types' features, the types' fields.
pub struct Layout<'a> {
    pub builders: &'a [(syn::Ident, syn::Ident)],
    pub reach: &'a crate::codegen::features::Reach,
    pub types: &'a crate::codegen::postprocess::TypeFields,
}

pub fn client(
    file: &mut syn::File,
    ops: &mut [Operation],
    layout: &Layout<'_>,
    error_bodies: &[ErrorBody],
    spec_json: &str,
    conformance_json: &str,
) -> Result<(), String> {
    let Layout {
        builders,
        reach,
        types,
    } = layout;
    let (builders, reach, types) = (*builders, *reach, *types);
    relink_builder_docs(file, builders);
    let items =
        BuilderIndex::new(builder_mod(file).ok_or("progenitor's output has no `builder` module")?);
    let mut entry_points = Vec::new();
    let mut requests = Vec::new();
    let mut error_types: Vec<String> = Vec::new();
    for (op, (name, _raw)) in ops.iter_mut().zip(builders) {
        let b = read_builder(&items, name).map_err(|e| format!("{}: {e}", op.id))?;
        for p in &mut op.params {
            let (field, ty) = b
                .fields
                .iter()
                .find(|(f, _)| normalized(f) == normalized(&p.name))
                .ok_or_else(|| {
                    format!(
                        "{}: progenitor's builder has no field for parameter `{}`",
                        op.id, p.name
                    )
                })?;
            p.field = field.clone();
            p.ty = Some(option_inner(ty).unwrap_or_else(|| ty.clone()));
        }
        let body_ty = if op.body {
            let t = b
                .fields
                .iter()
                .find(|(f, _)| f == "body")
                .map(|(_, t)| t.clone())
                .ok_or_else(|| format!("{}: progenitor's builder has no `body`", op.id))?;
            Some(body_type(&t))
        } else {
            None
        };
        if let Some(e) = last_ident(&b.error)
            && !error_types.contains(&e)
        {
            error_types.push(e);
        }
        op.body_ty = body_ty;
        op.binary_response = last_ident(&b.success).as_deref() == Some("ByteStream");
        op.success_ty = Some(b.success.clone());
        let (entry, request) =
            request_tokens(op, name, &b).map_err(|e| format!("{}: {e}", op.id))?;
        entry_points.push(entry);
        requests.push(request);
        requests.push(pages_tokens(op, name, types).map_err(|e| format!("{}: {e}", op.id))?);
        entry_points.push(waiter_tokens(op).map_err(|e| format!("{}: {e}", op.id))?);
    }
    let idempotent_overrides = ops
        .iter()
        .filter(|o| o.hints.idempotent.is_some())
        .map(|o| {
            // The entry points name the operation by its operationId, progenitor's builders
            // (feature `raw`) in snake case.
            let (id, v) = (&o.id, o.idempotent());
            let snake = crate::codegen::postprocess::snake(id);
            if snake == *id {
                quote!(#id => #v,)
            } else {
                quote!(#id | #snake => #v,)
            }
        });
    let table = ops.iter().map(operation_entry);
    let accessors = error_bodies
        .iter()
        .filter(|b| error_types.contains(&b.schema))
        .map(
            |ErrorBody {
                 schema,
                 code,
                 message,
             }| {
                let ty = format_ident!("{}", schema);
                let get = |f: &Option<String>| match f {
                    Some(f) => {
                        let f = format_ident!("{}", field_ident(f));
                        quote!(self.#f.as_deref())
                    }
                    None => quote!(None),
                };
                let (code, message) = (get(code), get(message));
                let cfg = type_cfg(reach, schema);
                quote! {
                    #cfg
                    impl crate::ApiErrorBody for types::#ty {
                        fn error_code(&self) -> ::std::option::Option<&str> { #code }
                        fn error_message(&self) -> ::std::option::Option<&str> { #message }
                    }
                }
            },
        );
    let undeclared = error_types
        .iter()
        .filter(|e| *e != "()" && !error_bodies.iter().any(|b| b.schema == **e))
        .map(|name| {
            let ty = format_ident!("{}", name);
            let cfg = type_cfg(reach, name);
            quote! {
                #cfg
                impl crate::ApiErrorBody for types::#ty {
                    fn error_code(&self) -> ::std::option::Option<&str> { None }
                    fn error_message(&self) -> ::std::option::Option<&str> { None }
                }
            }
        });
    let json = crate::codegen::postprocess::raw_string(spec_json);
    let conformance = crate::codegen::postprocess::raw_string(conformance_json);
    let extra = crate::codegen::parse_items(quote! {
        impl Client { #(#entry_points)* }

        /// The request of each operation, made by its entry point on [`Client`]: `.await` it
        /// or call `send`. Optional parameters have setters; a parameter that the client
        /// fills in from its settings (project ID, language) has one too, to override it.
        pub mod requests {
            #[allow(unused_imports)]
            use super::{types, ByteStream, Client, ResponseValue};
            #(#requests)*
        }

        #(#accessors)*
        #(#undeclared)*

        /// Whether a retry may repeat a call of `operation` (`method`) once it may have
        /// reached the server: the spec's `x-idempotent`, else only a safe method.
        pub(crate) fn idempotent(operation: &str, method: &str) -> bool {
            match operation {
                #(#idempotent_overrides)*
                _ => crate::spec::is_idempotent(method),
            }
        }

        /// Every operation of the spec, in the spec's order.
        #[cfg(feature = "spec")]
        pub const OPERATIONS: &[crate::spec::Operation] = &[#(#table),*];

        /// The spec, as JSON: what the CLI's renderer and the conformance report read.
        #[cfg(feature = "spec")]
        pub const SPEC_JSON: &str = #json;

        /// What live responses are checked against (strict JSON Schema): see `conformance`.
        #[cfg(feature = "conformance")]
        pub const CONFORMANCE_JSON: &str = #conformance;
    })
    .map_err(|e| format!("the generated entry points do not parse: {e}"))?;
    file.items.extend(extra.items);
    Ok(())
}

/// The `cfg` of items about a generated type: those of the type itself.
fn type_cfg(reach: &crate::codegen::features::Reach, name: &str) -> TokenStream {
    match reach.features.get(name) {
        Some(f) => {
            let f = f.iter();
            quote!(#[cfg(any(#(feature = #f),*))])
        }
        None => TokenStream::new(),
    }
}

/// progenitor holds a body as `types::builder::X` (builder style) or `types::X`; the entry
/// point takes `types::X`.
fn body_type(t: &syn::Type) -> syn::Type {
    if let syn::Type::Path(tp) = t {
        let segs: Vec<String> = tp
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segs.len() == 3 && segs[0] == "types" && segs[1] == "builder" {
            let name = format_ident!("{}", segs[2]);
            return syn::parse_quote!(types::#name);
        }
    }
    t.clone()
}

fn field_ident(s: &str) -> String {
    let f = crate::codegen::postprocess::snake(s);
    if is_ident(&f) { f } else { format!("{f}_") }
}

fn location_tokens(l: Location) -> TokenStream {
    match l {
        Location::Path => quote!(crate::spec::Location::Path),
        Location::Query => quote!(crate::spec::Location::Query),
        Location::Header => quote!(crate::spec::Location::Header),
    }
}

fn setting_tokens(s: &str) -> TokenStream {
    match s {
        "project-id" => quote!(crate::spec::Setting::ProjectId),
        _ => quote!(crate::spec::Setting::Language),
    }
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

fn operation_entry(op: &Operation) -> TokenStream {
    let Operation {
        id,
        method,
        path,
        summary,
        description,
        rust_method,
        cli_name,
        ..
    } = op;
    let group = opt_str(op.cli_group.as_deref());
    let pointer = &op.pointer;
    let success = opt_str(op.success_schema.as_deref());
    let status = opt_str(op.success_status.as_deref());
    let body = op.body;
    let params = op.params.iter().map(|p| {
        let name = &p.name;
        let location = location_tokens(p.location);
        let required = p.required;
        let setting = match &p.setting {
            Some(s) => {
                let s = setting_tokens(s);
                quote!(::std::option::Option::Some(#s))
            }
            None => quote!(::std::option::Option::None),
        };
        let description = &p.description;
        let (arg, flag) = (p.arg(), p.flag());
        let example = opt_str(p.example.as_deref());
        quote! {
            crate::spec::Parameter {
                name: #name, location: #location, required: #required, setting: #setting,
                description: #description, arg: #arg, flag: #flag, example: #example,
            }
        }
    });
    let binary = op.binary_response;
    let h = &op.hints;
    let aliases = h.aliases.iter();
    let pagination = match &h.paginated {
        Some(hints::Paginated {
            offset,
            limit,
            items,
            total,
        }) => quote!(::std::option::Option::Some(crate::spec::Pagination {
            offset: #offset, limit: #limit, items: #items, total: #total,
        })),
        None => quote!(::std::option::Option::None),
    };
    let job = opt_str(h.job.as_deref());
    let waiter = opt_str(h.waiter.as_ref().map(|w| w.name.as_str()));
    let confirm = opt_str(h.confirm.as_deref());
    let idempotent = op.idempotent();
    quote! {
        crate::spec::Operation {
            id: #id, method: #method, path: #path, pointer: #pointer, summary: #summary,
            description: #description, rust_method: #rust_method, cli_group: #group,
            cli_name: #cli_name, parameters: &[#(#params),*], body: #body,
            success_status: #status, success_schema: #success, binary_response: #binary,
            cli_aliases: &[#(#aliases),*], pagination: #pagination, job: #job, waiter: #waiter,
            confirm: #confirm, idempotent: #idempotent,
        }
    }
}

fn f64_tokens(v: Option<f64>) -> TokenStream {
    match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The checks of one parameter's value `v` (a `&T`) against the spec's constraints that its
/// Rust type does not enforce by itself.
fn checks(p: &Param) -> TokenStream {
    let name = &p.name;
    let ty = p.ty.as_ref().expect("filled in from the builder");
    let mut out = TokenStream::new();
    if p.location == Location::Path {
        if is_string(ty) {
            out.extend(quote!(crate::validate::path_segment(v.as_str(), #name)?;));
        } else {
            out.extend(quote!(crate::validate::path_segment(&v.to_string(), #name)?;));
        }
    }
    if is_string(ty) && (p.min_length.is_some() || p.max_length.is_some() || p.pattern.is_some()) {
        let min = match p.min_length {
            Some(n) => quote!(::std::option::Option::Some(#n)),
            None => quote!(::std::option::Option::None),
        };
        let max = match p.max_length {
            Some(n) => quote!(::std::option::Option::Some(#n)),
            None => quote!(::std::option::Option::None),
        };
        let pattern = opt_str(p.pattern.as_deref());
        out.extend(quote!(crate::validate::string(#name, v.as_str(), #min, #max, #pattern)?;));
    }
    if p.minimum.is_some() || p.maximum.is_some() {
        let (min, max) = (f64_tokens(p.minimum), f64_tokens(p.maximum));
        let (emin, emax) = (p.exclusive_minimum, p.exclusive_maximum);
        out.extend(
            quote!(crate::validate::number(#name, &v.to_string(), #min, #emin, #max, #emax)?;),
        );
    }
    out
}

fn doc_lines(text: &str) -> Vec<String> {
    text.lines().map(|l| format!(" {l}")).collect()
}

/// The entry point on `Client` and the request type of one operation.
fn request_tokens(
    op: &Operation,
    builder_name: &syn::Ident,
    b: &Builder,
) -> Result<(TokenStream, TokenStream), String> {
    let ty_name = builder_name;
    let method = format_ident!("{}", op.rust_method);
    let body = op.body_ty.as_ref();
    let success = &b.success;
    // Positional: required parameters the client does not fill in, then the body.
    let positional: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.required && p.setting.is_none())
        .collect();
    let field = |p: &Param| format_ident!("{}", p.field);
    let ty = |p: &Param| p.ty.clone().expect("filled in from the builder");

    let ctor_args = positional.iter().map(|p| {
        let (f, t) = (field(p), ty(p));
        quote!(#f: impl ::std::convert::TryInto<#t, Error: ::std::fmt::Display>)
    });
    let body_arg =
        body.map(|t| quote!(body: impl ::std::convert::TryInto<#t, Error: ::std::fmt::Display>));
    let ctor_args: Vec<TokenStream> = ctor_args.chain(body_arg).collect();
    let inits = op.params.iter().map(|p| {
        let f = field(p);
        if positional.iter().any(|q| q.name == p.name) {
            quote!(#f: ::std::option::Option::Some(crate::call::convert(#f)))
        } else {
            quote!(#f: ::std::option::Option::None)
        }
    });
    let body_init = body.map(|_| quote!(body: crate::call::convert(body),));
    let fields = op.params.iter().map(|p| {
        let (f, t) = (field(p), ty(p));
        quote!(#f: ::std::option::Option<::std::result::Result<#t, ::std::string::String>>)
    });
    let body_field =
        body.map(|t| quote!(pub(crate) body: ::std::result::Result<#t, ::std::string::String>,));
    let setters = op
        .params
        .iter()
        .filter(|p| !positional.iter().any(|q| q.name == p.name))
        .map(|p| {
            let (f, t) = (field(p), ty(p));
            let mut doc = doc_lines(&p.description);
            if let Some(s) = &p.setting {
                doc.push(String::new());
                doc.push(format!(" Default: the client's {s} setting."));
            } else if let Some(d) = &p.default {
                doc.push(String::new());
                doc.push(format!(" Default: `{d}`."));
            }
            // A parameter filled in from a client setting can also be set under the
            // setting's name (`language` for `X-Language`), unless that names another one.
            let alias = p.setting.as_ref().map(|s| s.replace('-', "_")).filter(|a| {
                *a != p.field && !op.params.iter().any(|q| q.field == *a)
            });
            let alias = alias.map(|a| {
                let a = format_ident!("{}", a);
                let doc = format!(" The same as [`{f}`](Self::{f}).");
                quote! {
                    #[doc = #doc]
                    pub fn #a(self, value: impl ::std::convert::TryInto<#t, Error: ::std::fmt::Display>) -> Self {
                        self.#f(value)
                    }
                }
            });
            quote! {
                #(#[doc = #doc])*
                pub fn #f(mut self, value: impl ::std::convert::TryInto<#t, Error: ::std::fmt::Display>) -> Self {
                    self.#f = ::std::option::Option::Some(crate::call::convert(value));
                    self
                }
                #alias
            }
        });
    let resolve = op.params.iter().map(|p| {
        let f = field(p);
        let t = ty(p);
        let name = &p.name;
        let setting = p.setting.as_ref().map(|s| {
            let s = setting_tokens(s);
            // A project ID the client does not have yet was looked up (once) by `call::run`.
            quote!(let #f = match #f {
                ::std::option::Option::None => settings.get(#s).map(crate::call::convert),
                given => given,
            };)
        });
        let default = p.default.as_ref().and_then(|d| match d {
            Value::String(s) => Some(quote!(let #f = #f.or_else(|| ::std::option::Option::Some(crate::call::convert(#s)));)),
            Value::Number(n) if n.is_u64() => {
                let n = n.as_u64().unwrap_or_default();
                Some(quote!(let #f = #f.or_else(|| ::std::option::Option::Some(crate::call::convert(#n))); ))
            }
            Value::Bool(b) => Some(quote!(let #f = #f.or_else(|| ::std::option::Option::Some(crate::call::convert(#b)));)),
            _ => None,
        });
        // Only a required parameter gets the spec's default filled in: an optional one is
        // left out, and the server applies its default.
        let default = if p.required { default } else { None };
        let checks = checks(p);
        let check = if checks.is_empty() {
            None
        } else if p.required {
            Some(quote!({ let v = &#f; #checks }))
        } else {
            Some(quote!(if let ::std::option::Option::Some(v) = &#f { #checks }))
        };
        if p.required {
            quote! {
                #setting
                #default
                let #f: #t = crate::call::required(#name, #f)?;
                #check
            }
        } else {
            quote! {
                #setting
                let #f: ::std::option::Option<#t> = crate::call::optional(#name, #f)?;
                #check
            }
        }
    });
    let wire = wire_tokens(op, b)?;
    let id = &op.id;
    // Whether the call may need the project ID looked up: a parameter that the setting fills
    // in and the caller left unset.
    let project = op
        .params
        .iter()
        .filter(|p| p.setting.as_deref() == Some("project-id"))
        .map(|p| {
            let f = field(p);
            quote!(self.#f.is_none())
        })
        .collect::<Vec<_>>();
    let lookup = if project.is_empty() {
        quote!(false)
    } else {
        quote!(#(#project)||*)
    };
    let error = &b.error;
    let (run, run_types) = if op.binary_response {
        (quote!(crate::call::run_stream), quote!(#error))
    } else {
        (quote!(crate::call::run), quote!(#success, #error))
    };
    let body_resolve = body.map(|_| {
        quote! {
            let body = body.map_err(|reason| crate::call::invalid("body", reason))?;
        }
    });
    let field_names: Vec<_> = op.params.iter().map(field).collect();
    let body_name = body.map(|_| quote!(body,));
    let mut doc = vec![format!(" {}", op.summary)];
    if !op.description.is_empty() {
        doc.push(String::new());
        doc.extend(doc_lines(&op.description));
    }
    doc.push(String::new());
    doc.push(format!(
        " `{} {}` (`{}`). The client's settings fill in what they provide; every argument is checked against the spec before anything is sent, and any failure is an [`Error`](crate::Error).",
        op.method, op.path, op.id
    ));
    let req_doc = format!(
        " A `{}` request (`{} {}`), made by [`Client::{}`]: `.await` it or call [`send`](Self::send).",
        op.id, op.method, op.path, op.rust_method
    );
    let cfg = crate::codegen::features::op_cfg(op.feature.as_deref());
    let entry = quote! {
        #cfg
        #(#[doc = #doc])*
        pub fn #method(&self, #(#ctor_args),*) -> requests::#ty_name<'_> {
            requests::#ty_name {
                client: self,
                #(#inits,)*
                #body_init
            }
        }
    };
    let request = quote! {
        #cfg
        #[doc = #req_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent or awaited"]
        pub struct #ty_name<'a> {
            pub(crate) client: &'a Client,
            #(pub(crate) #fields,)*
            #body_field
        }

        #cfg
        impl<'a> #ty_name<'a> {
            #(#setters)*

            /// Sends the request: fills in the client's settings, checks every argument
            /// against the spec, and maps every failure to [`Error`](crate::Error).
            pub fn send(self) -> impl ::std::future::Future<Output = ::std::result::Result<ResponseValue<#success>, crate::Error>> + Send + 'a {
                let lookup = #lookup;
                #run::<#run_types, _>(self.client, #id, lookup, move |settings| {
                    let Self { client, #(#field_names,)* #body_name } = self;
                    #[allow(unused_variables)]
                    let (config, settings) = (client.config(), settings);
                    #(#resolve)*
                    #body_resolve
                    #wire
                })
            }
        }

        #cfg
        impl<'a> ::std::future::IntoFuture for #ty_name<'a> {
            type Output = ::std::result::Result<ResponseValue<#success>, crate::Error>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + Send + 'a>>;
            // Inline: codegen happens in the crate that awaits the request, so that this
            // crate does not compile the call of every operation it does not make.
            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    };
    Ok((entry, request))
}

/// The end of the request's preparation in an entry point's `send`: the request described to
/// `exchange::Request` (path, body, query and headers as progenitor's `send` puts them), for
/// `call::run` to send. The parameters are in scope, checked, under their fields' names.
fn wire_tokens(op: &Operation, b: &Builder) -> Result<TokenStream, String> {
    let w = &b.wire;
    let id = &op.id;
    let method = format_ident!("{}", op.method.to_ascii_uppercase());
    // The path template: literal pieces around the path parameters.
    let mut pieces = Vec::new();
    let mut values = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("the path `{}` has an unclosed `{{`", op.path))?;
        let name = &rest[open + 1..close];
        let p = op
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.name == name)
            .ok_or_else(|| {
                format!(
                    "the path `{}` names `{name}`, which is no path parameter",
                    op.path
                )
            })?;
        pieces.push(rest[..open].to_string());
        values.push(format_ident!("{}", p.field));
        rest = &rest[close + 1..];
    }
    pieces.push(rest.to_string());
    let body = match (op.body_ty.is_some(), w.json_body) {
        (false, _) => None,
        (true, Some(true)) => Some(quote!(let request = request.json(&body);)),
        (true, Some(false)) => Some(quote!(let request = request.octets(body);)),
        (true, None) => return Err("progenitor's `send` does not send the body".into()),
    };
    // progenitor sends the query parameters in the order of their names.
    let mut query: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.location == Location::Query)
        .collect();
    query.sort_by(|a, b| a.name.cmp(&b.name));
    let query = query.iter().map(|p| {
        let (name, f) = (&p.name, format_ident!("{}", p.field));
        quote!(let request = request.query(#name, &#f);)
    });
    let headers = op
        .params
        .iter()
        .filter(|p| p.location == Location::Header)
        .map(|p| {
            let (name, f) = (&p.name, format_ident!("{}", p.field));
            if p.required {
                quote!(let request = request.header(#name, &#f);)
            } else {
                quote! {
                    let request = match &#f {
                        ::std::option::Option::Some(v) => request.header(#name, v),
                        ::std::option::Option::None => request,
                    };
                }
            }
        });
    let ranges = |r: &[(u16, u16)]| {
        let r = r.iter().map(|(lo, hi)| quote!((#lo, #hi)));
        quote!(&[#(#r),*])
    };
    let read = |json: bool| {
        if json {
            quote!(crate::exchange::Read::Json)
        } else {
            quote!(crate::exchange::Read::Empty)
        }
    };
    let (ok, err) = (ranges(&w.ok), ranges(&w.err));
    let (ok_read, err_read) = (read(w.ok_json), read(w.err_json));
    let accept = w.accept_json;
    Ok(quote! {
        const RESPONSES: crate::exchange::Responses = crate::exchange::Responses {
            accept_json: #accept,
            ok: #ok,
            ok_read: #ok_read,
            err: #err,
            err_read: #err_read,
        };
        let request = crate::exchange::Request::new(
            client,
            #id,
            ::reqwest::Method::#method,
            &[#(#pieces),*],
            &[#(&#values),*],
            &RESPONSES,
        );
        #body
        #(#query)*
        #(#headers)*
        ::std::result::Result::Ok(request)
    })
}

/// The primitive integer types a page offset may have.
const INTEGERS: [&str; 10] = [
    "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize",
];

/// `pages()` and `items()` on the request type of a paginated operation (`x-paginated`).
fn pages_tokens(
    op: &Operation,
    request: &syn::Ident,
    types: &crate::codegen::postprocess::TypeFields,
) -> Result<TokenStream, String> {
    let Some(p) = &op.hints.paginated else {
        return Ok(TokenStream::new());
    };
    let success = op
        .success_ty
        .as_ref()
        .ok_or("x-paginated: no success type")?;
    let name = last_ident(success).ok_or("x-paginated: the success type has no name")?;
    let fields = types
        .get(&name)
        .ok_or_else(|| format!("x-paginated: the success body `{name}` is not a struct"))?;
    let field = |prop: &str| {
        fields
            .iter()
            .find(|(wire, _, _)| wire == prop)
            .ok_or_else(|| format!("x-paginated: `{name}` has no field for `{prop}`"))
    };
    let (_, items, items_ty) = field(&p.items)?;
    let (_, total, _) = field(&p.total)?;
    let optional = option_inner(items_ty);
    let vec = optional.as_ref().unwrap_or(items_ty);
    if last_ident(vec).as_deref() != Some("Vec") {
        return Err(format!("x-paginated: `{name}.{}` is not an array", p.items));
    }
    let mut item = generic_args(vec)
        .into_iter()
        .next()
        .ok_or("x-paginated: the items' type has no element type")?;
    in_types_module(&mut item);
    let (count, take) = if optional.is_some() {
        (
            quote!(body.#items.as_ref().map_or(0, ::std::vec::Vec::len)),
            quote!(body.#items.unwrap_or_default()),
        )
    } else {
        (quote!(body.#items.len()), quote!(body.#items))
    };
    let offset = op
        .params
        .iter()
        .find(|q| q.name == p.offset)
        .ok_or("x-paginated: no offset parameter")?;
    let offset_field = format_ident!("{}", offset.field);
    let offset_ty = offset
        .ty
        .as_ref()
        .ok_or("x-paginated: the offset has no type")?;
    let value = match last_ident(offset_ty).as_deref() {
        Some("String") => quote!(offset.to_string()),
        Some(i) if INTEGERS.contains(&i) => quote!(offset),
        _ => {
            return Err(format!(
                "x-paginated: the offset `{}` is neither an integer nor a string",
                p.offset
            ));
        }
    };
    let doc_pages = format!(
        " Every page of the list, one request after another (as a `Stream`): `{}` advanced by the items received, until `{}` of them (or a page without items).",
        p.offset, p.total
    );
    let doc_items = format!(
        " Every item of the list (`{}` of each page), one after another across its pages (as a `Stream`).",
        p.items
    );
    let cfg = crate::codegen::features::op_cfg(op.feature.as_deref());
    Ok(quote! {
        #cfg
        impl<'a> #request<'a> {
            #[doc = #doc_pages]
            pub fn pages(self) -> crate::paginate::Pages<'a, #success> {
                let start = crate::paginate::start(&self.#offset_field);
                crate::paginate::Pages::new(
                    start,
                    move |offset| ::std::boxed::Box::pin(self.clone().#offset_field(#value).send()),
                    |body: &#success| (#count, crate::paginate::count(&body.#total)),
                )
            }

            #[doc = #doc_items]
            pub fn items(self) -> crate::paginate::Items<'a, #success, #item> {
                self.pages().items(|body: #success| #take)
            }
        }
    })
}

/// A type as written inside `types` (where typify names its own types without a path:
/// `Widget`), as the request types outside it must write it (`types::Widget`). Paths with
/// more than one segment, or a leading `::`, are absolute already; lower-case names are
/// primitives.
fn in_types_module(ty: &mut syn::Type) {
    use syn::visit_mut::VisitMut;
    struct Qualify;
    impl VisitMut for Qualify {
        fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, p);
            let path = &mut p.path;
            let local = p.qself.is_none()
                && path.leading_colon.is_none()
                && path.segments.len() == 1
                && path.segments[0]
                    .ident
                    .to_string()
                    .starts_with(|c: char| c.is_ascii_uppercase())
                && !["Self", "Option", "Vec", "String", "Box"]
                    .contains(&path.segments[0].ident.to_string().as_str());
            if local {
                path.segments.insert(0, syn::parse_quote!(types));
            }
        }
    }
    Qualify.visit_type_mut(ty);
}

/// `Client::wait_for_<name>` for the operation that shows a job (`x-waiter`).
fn waiter_tokens(op: &Operation) -> Result<TokenStream, String> {
    let Some(w) = &op.hints.waiter else {
        return Ok(TokenStream::new());
    };
    let success = op.success_ty.as_ref().ok_or("x-waiter: no success type")?;
    let id = op
        .params
        .iter()
        .find(|q| q.name == w.id)
        .ok_or("x-waiter: no ID parameter")?;
    let id_ty = id.ty.as_ref().ok_or("x-waiter: the ID has no type")?;
    let method = format_ident!("wait_for_{}", w.name);
    let entry = format_ident!("{}", op.rust_method);
    let (status, id_name) = (&w.status, &id.name);
    let (ok, failed) = (&w.success, &w.failure);
    let doc = format!(
        " Waits for the job `{}` to end, polling [`{}`](Self::{}) until `{}` is one of {:?} (the job's last response) or {:?} (an error of kind `JobFailed`); `.await` it. The interval and the timeout are bounded (see [`crate::wait::Waiter`]); a job that has not ended in time is an error of kind `WaitTimeout` that names it.",
        id.name, op.rust_method, op.rust_method, w.status, w.success, w.failure
    );
    let cfg = crate::codegen::features::op_cfg(op.feature.as_deref());
    Ok(quote! {
        #cfg
        #[doc = #doc]
        pub fn #method(
            &self,
            id: impl ::std::convert::TryInto<#id_ty, Error: ::std::fmt::Display>,
        ) -> crate::wait::Waiter<'_, #success> {
            let id: ::std::result::Result<#id_ty, ::std::string::String> = crate::call::convert(id);
            let job = match &id {
                ::std::result::Result::Ok(v) => v.to_string(),
                ::std::result::Result::Err(_) => ::std::string::String::new(),
            };
            crate::wait::Waiter::new(
                job,
                move || {
                    let id = id.clone();
                    ::std::boxed::Box::pin(async move {
                        let id = id.map_err(|reason| crate::call::invalid(#id_name, reason))?;
                        self.#entry(id).await
                    })
                },
                #status,
                &[#(#ok),*],
                &[#(#failed),*],
            )
        }
    })
}

// ---------------------------------------------------------------------------------------
// Writing the CLI's layer

/// Keeps progenitor's clap commands and drops what would execute them (its `execute_*` call
/// the raw builders); adds `dispatch`, which runs an operation through the client's entry
/// points, and `command`, the clap command of an operation ID.
pub fn cli(file: &mut syn::File, ops: &[Operation]) -> Result<(), String> {
    let mut kept = Vec::new();
    for item in std::mem::take(&mut file.items) {
        match item {
            Item::Impl(mut i) if impl_self_is(&i, "Cli") => {
                i.items.retain(|it| match it {
                    ImplItem::Fn(f) => !f.sig.ident.to_string().starts_with("execute"),
                    _ => true,
                });
                kept.push(Item::Impl(i));
            }
            Item::Trait(mut t) if t.ident == "CliConfig" => {
                t.items.clear();
                t.attrs.push(syn::parse_quote!(
                    #[doc = " progenitor's hooks for executing its commands: this CLI runs operations through `dispatch` instead, so none remain."]
                ));
                kept.push(Item::Trait(t));
            }
            other => kept.push(other),
        }
    }
    file.items = kept;
    let commands = ops.iter().map(|op| {
        let id = &op.id;
        let variant = format_ident!("{}", pascal(&op.id));
        quote!(#id => ::std::option::Option::Some(Cli::<T>::get_command(CliCommand::#variant)),)
    });
    let arms = ops.iter().map(|op| {
        let id = &op.id;
        let method = format_ident!("{}", op.rust_method);
        let positional: Vec<&Param> = op
            .params
            .iter()
            .filter(|p| p.required && p.setting.is_none())
            .collect();
        let args = positional.iter().map(|p| {
            let t = p.ty.clone().expect("filled in");
            let flag = p.flag();
            quote!(crate::dispatch::required::<#t>(matches, #flag)?)
        });
        let body = op
            .body_ty
            .as_ref()
            .map(|t| quote!(crate::dispatch::body::<#t>(body)?));
        let args: Vec<TokenStream> = args.chain(body).collect();
        let optional = op
            .params
            .iter()
            .filter(|p| !(p.required && p.setting.is_none()) && p.setting.is_none())
            .map(|p| {
                let t = p.ty.clone().expect("filled in");
                let flag = p.flag();
                let f = format_ident!("{}", p.field);
                quote! {
                    if let ::std::option::Option::Some(v) = crate::dispatch::optional::<#t>(matches, #flag) {
                        request = request.#f(v);
                    }
                }
            });
        let reply = if op.binary_response {
            quote!(crate::dispatch::reply_bytes(request.send().await).await)
        } else {
            quote!(crate::dispatch::reply(request.send().await))
        };
        // `--all`: every page, one list.
        let reply = match &op.hints.paginated {
            Some(p) => {
                let items = &p.items;
                quote! {
                    if crate::dispatch::all(matches) {
                        crate::dispatch::reply_all(request.pages(), #items).await
                    } else {
                        #reply
                    }
                }
            }
            None => reply,
        };
        quote! {
            #id => {
                #[allow(unused_mut)]
                let mut request = client.#method(#(#args),*);
                #(#optional)*
                #reply
            }
        }
    });
    let reserved = RESERVED_FLAGS.iter();
    let decodes_success = ops
        .iter()
        .filter(|op| !op.binary_response)
        .filter_map(|op| {
            let id = &op.id;
            let ty = op.success_ty.as_ref()?;
            Some(quote!(#id => crate::dispatch::decodes::<#ty>(value),))
        });
    let decodes_body = ops.iter().filter_map(|op| {
        let id = &op.id;
        let ty = op.body_ty.as_ref()?;
        Some(quote!(#id => crate::dispatch::decodes::<#ty>(value),))
    });
    let body_flags = ops.iter().filter(|op| !op.body_flags.is_empty()).map(|op| {
        let id = &op.id;
        let pairs = op.body_flags.iter().map(|(p, f)| quote!((#p, #f)));
        quote!(#id => &[#(#pairs),*],)
    });
    let wait = match ops.iter().find(|o| o.hints.waiter.is_some()) {
        Some(o) => {
            let method = format_ident!(
                "wait_for_{}",
                o.hints.waiter.as_ref().map_or("", |w| w.name.as_str())
            );
            quote! {
                crate::dispatch::reply(
                    client.#method(job.to_string()).timeout(timeout).on_status(on_status).await,
                )
            }
        }
        None => quote! {
            let _ = (client, job, timeout, on_status);
            ::std::result::Result::Err(crate::dispatch::DispatchError::Unknown("an operation that shows jobs (x-waiter)".to_string()))
        },
    };
    let extra = crate::codegen::parse_items(quote! {
        /// Waits for the job `job` through the spec's job waiter (`x-waiter`), calling
        /// `on_status` with each status polled.
        pub async fn wait(
            client: &Client,
            job: &str,
            timeout: ::std::time::Duration,
            on_status: impl Fn(&str) + Send + Sync,
        ) -> ::std::result::Result<crate::dispatch::Reply, crate::dispatch::DispatchError> {
            #wait
        }

        /// The flags the CLI keeps for itself: no parameter's flag is one of them (the
        /// generator prefixes such a parameter's flag with its location).
        pub const RESERVED_FLAGS: &[&str] = &[#(#reserved),*];

        /// The flags of the top-level properties of the operation `id`'s JSON request body:
        /// (property, flag), in the spec's order.
        pub fn body_flags(id: &str) -> &'static [(&'static str, &'static str)] {
            match id {
                #(#body_flags)*
                _ => &[],
            }
        }

        /// The clap command progenitor generated for the operation `id`.
        pub fn command<T: CliConfig>(id: &str) -> ::std::option::Option<::clap::Command> {
            match id {
                #(#commands)*
                _ => ::std::option::Option::None,
            }
        }

        /// Whether `value` decodes as the success body of the operation `id` (the demo
        /// serves a spec's example only when it does): the reason when it does not.
        pub fn decodes_as_success(id: &str, value: &::serde_json::Value) -> ::std::result::Result<(), ::std::string::String> {
            match id {
                #(#decodes_success)*
                _ => ::std::result::Result::Ok(()),
            }
        }

        /// Whether `value` is a request body of the operation `id` that the client accepts:
        /// the reason when it is not.
        pub fn decodes_as_body(id: &str, value: &::serde_json::Value) -> ::std::result::Result<(), ::std::string::String> {
            match id {
                #(#decodes_body)*
                _ => ::std::result::Result::Ok(()),
            }
        }

        /// Runs the operation `id` with the arguments in `matches` and the request body
        /// `body` (assembled from its flags and `--json-body`), through the client's entry
        /// point of that operation.
        pub async fn dispatch(
            client: &Client,
            id: &str,
            matches: &::clap::ArgMatches,
            body: ::std::option::Option<::serde_json::Value>,
        ) -> ::std::result::Result<crate::dispatch::Reply, crate::dispatch::DispatchError> {
            match id {
                #(#arms)*
                _ => ::std::result::Result::Err(crate::dispatch::DispatchError::Unknown(id.to_string())),
            }
        }
    })
    .map_err(|e| format!("the generated dispatch does not parse: {e}"))?;
    file.items.extend(extra.items);
    Ok(())
}

/// progenitor's variant name of an operation ID (as `CliCommand` has it): the ID's words
/// capitalised, as the open enums' variants are named.
fn pascal(id: &str) -> String {
    crate::codegen::postprocess::variant_name(&crate::codegen::postprocess::snake(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_is_read_off_progenitor_s_send() {
        let send: syn::ImplItemFn = syn::parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<types::A>, Error<types::E>> {
                let request = client.client.post(url)
                    .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                    .json(&body)
                    .build()?;
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    200u16..=299u16 => ResponseValue::from_response(response).await,
                    400u16..=499u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    500u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        let wire = read_wire(&format_ident!("A"), &send).unwrap();
        assert_eq!(
            wire,
            Wire {
                accept_json: true,
                json_body: Some(true),
                ok: vec![(200, 200), (200, 299)],
                ok_json: true,
                err: vec![(400, 499), (500, 500)],
                err_json: true,
            }
        );
        let upgrade: syn::ImplItemFn = syn::parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<types::A>, Error<()>> {
                match response.status().as_u16() {
                    101u16 => ResponseValue::upgrade(response).await,
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        let e = read_wire(&format_ident!("A"), &upgrade).unwrap_err();
        assert!(
            e.contains("builder::A::send") && e.contains("does not support"),
            "{e}"
        );
        let none: syn::ImplItemFn = syn::parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> { todo!() }
        };
        let e = read_wire(&format_ident!("A"), &none).unwrap_err();
        assert!(e.contains("no `match` on the status"), "{e}");
        let mixed: syn::ImplItemFn = syn::parse_quote! {
            pub async fn send(self) -> Result<ResponseValue<()>, Error<types::E>> {
                match response.status().as_u16() {
                    204u16 => Ok(ResponseValue::empty(response)),
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    500u16 => Err(Error::ErrorResponse(ResponseValue::empty(response))),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        let e = read_wire(&format_ident!("A"), &mixed).unwrap_err();
        assert!(
            e.contains("some error responses as JSON and others as empty"),
            "{e}"
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            kebab("ListStarRocksDataReplicationConfig"),
            "list-star-rocks-data-replication-config"
        );
        assert_eq!(
            pascal("ListStarRocksDataReplicationConfig"),
            "ListStarRocksDataReplicationConfig"
        );
        assert_eq!(normalized("X-Language"), normalized("x_language"));
    }

    /// A spec of `ops` (`"METHOD /path"` -> the operation object), parsed from text so that
    /// diagnostics have lines.
    fn spec_of(ops: &[(&str, Value)]) -> Spec {
        let mut paths = serde_json::Map::new();
        for (key, op) in ops {
            let (method, path) = key.split_once(' ').unwrap();
            let item = paths
                .entry(path.to_string())
                .or_insert_with(|| serde_json::json!({}));
            item[method.to_ascii_lowercase()] = op.clone();
        }
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": {
                "Base": {"type": "object", "properties": {"name": {"type": "string"}, "id": {"type": "string", "readOnly": true}}},
                "Body": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
                    "output": {"type": "string"}, "task_id": {"type": "string"}, "dbName": {"type": "string"},
                    "db_name": {"type": "string"}, "_": {"type": "string"}
                }}]}
            }}
        });
        // JSON is YAML: the parser gives every node its line.
        let text = serde_json::to_string_pretty(&doc).unwrap();
        Spec::parse("t.yaml", text.as_bytes()).unwrap()
    }

    fn op(id: &str, extra: Value) -> Value {
        let mut o =
            serde_json::json!({"operationId": id, "responses": {"200": {"description": "ok"}}});
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    }

    fn refused(ops: &[(&str, Value)]) -> String {
        match operations(&spec_of(ops)) {
            Ok(_) => panic!("accepted"),
            Err(d) => {
                assert!(d.pos.is_some(), "{d}");
                d.to_string()
            }
        }
    }

    #[test]
    fn command_lines_that_clash_are_refused_with_their_place() {
        let grouped = |id: &str, group: &str, name: &str| {
            op(
                id,
                serde_json::json!({"x-cli": {"group": group, "name": name}}),
            )
        };
        // Two commands on one path.
        let e = refused(&[
            ("GET /a", grouped("GetA", "things", "show")),
            ("GET /b", grouped("GetB", "things", "show")),
        ]);
        assert!(
            e.contains("would both get the command `things show`"),
            "{e}"
        );
        // An alias on another's command.
        let e = refused(&[
            ("GET /a", grouped("GetA", "things", "show")),
            (
                "GET /b",
                op(
                    "GetB",
                    serde_json::json!({"x-cli-aliases": ["things show"]}),
                ),
            ),
        ]);
        assert!(
            e.contains("would both get the command `things show`"),
            "{e}"
        );
        // A group of several words whose prefix is another's command.
        let e = refused(&[
            ("GET /a", grouped("GetA", "things", "parts")),
            ("GET /b", grouped("GetB", "things parts", "list")),
        ]);
        assert!(e.contains("one command would be the other's group"), "{e}");
        // An operationId that is another's group.
        let e = refused(&[
            ("GET /a", grouped("GetA", "things", "list")),
            ("GET /b", grouped("things", "other", "list")),
        ]);
        assert!(
            e.contains("`GetA` and `things` give `things` and `things list`: one command would be the other's group"),
            "{e}"
        );
        // An operation's own alias below its own command.
        let e = refused(&[(
            "GET /a",
            op(
                "GetA",
                serde_json::json!({"x-cli": {"group": "things", "name": "show"}, "x-cli-aliases": ["things show all"]}),
            ),
        )]);
        assert!(e.contains("one command would be the other's group"), "{e}");

        // A group holding both a subgroup and a command, and an alias elsewhere: accepted.
        let ok = operations(&spec_of(&[
            ("GET /a", grouped("GetA", "starrocks replication", "list")),
            ("GET /b", grouped("GetB", "starrocks", "databases")),
            (
                "GET /c",
                op(
                    "GetC",
                    serde_json::json!({"x-cli": {"group": "starrocks replication", "name": "config"}, "x-cli-aliases": ["starrocks replication-config"]}),
                ),
            ),
        ]))
        .unwrap();
        assert_eq!(
            ok[2].all_command_paths(),
            [
                "starrocks replication config",
                "starrocks replication-config",
                "GetC"
            ]
        );
    }

    #[test]
    fn confirmation_placeholders_name_a_parameter_or_a_body_property() {
        let body = serde_json::json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}});
        let param = serde_json::json!([{"name": "job", "in": "query", "required": true, "schema": {"type": "string"}}]);
        let ok = operations(&spec_of(&[(
            "POST /a",
            op(
                "PostA",
                serde_json::json!({"x-cli-confirm": "Delete {name} of {job}?", "requestBody": body, "parameters": param}),
            ),
        )]))
        .unwrap();
        assert_eq!(
            ok[0].hints.confirm.as_deref(),
            Some("Delete {name} of {job}?")
        );
        let e = refused(&[(
            "POST /a",
            op(
                "PostA",
                serde_json::json!({"x-cli-confirm": "Delete {task}?", "requestBody": body}),
            ),
        )]);
        assert!(
            e.contains("`{task}` in `x-cli-confirm` is neither a parameter nor a property"),
            "{e}"
        );
        assert_eq!(placeholders("a {x} b {y} {x} {} {"), ["x", "y"]);
    }

    #[test]
    fn body_properties_get_flags_that_clash_with_nothing() {
        let body = serde_json::json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}});
        let param =
            serde_json::json!([{"name": "task_id", "in": "query", "schema": {"type": "string"}}]);
        let ops = operations(&spec_of(&[(
            "POST /a",
            op(
                "PostA",
                serde_json::json!({"requestBody": body, "parameters": param}),
            ),
        )]))
        .unwrap();
        let flags: Vec<(&str, &str)> = ops[0]
            .body_flags
            .iter()
            .map(|(p, f)| (p.as_str(), f.as_str()))
            .collect();
        // `allOf` members first; `readOnly` left out; the CLI's own `--output` and the
        // parameter's `--task-id` prefixed; `db_name` has no flag of its own (dbName has it);
        // `_` gives no flag.
        assert_eq!(
            flags,
            [
                ("name", "name"),
                ("output", "body-output"),
                ("task_id", "body-task-id"),
                ("dbName", "db-name"),
            ]
        );
    }
}
