//! The workspace's conventions, applied to a definition converted to OpenAPI 3.0
//! ([`super::swagger`]) or read as one:
//!
//! - **Media types**: JSON with parameters (`application/json;charset=UTF-8`) and `*/*` are
//!   `application/json`; a success body that is a file (`type: file`, or `type: string,
//!   format: binary`) is `application/octet-stream` with `type: string, format: binary`.
//! - **Client settings**: the `project_id` path parameter is `x-client-setting: project-id`,
//!   the `X-Language` header `x-client-setting: language` (names compared ignoring case).
//! - **Authentication**: the `X-Auth-Token` header (any spelling) and an `Authorization`
//!   header are left out: the spec's security schemes (`iamToken`, `akskSignature`) stand
//!   for them. A `Content-Type` header parameter is left out: the client sets it.
//! - **Errors**: the 4xx, 5xx and `default` responses whose body is Huawei's error object
//!   (string `error_code` and `error_msg`, or `code` and `message`) all reference the spec's
//!   one error schema (chosen by [`super::merge`]); the vendor's error definitions are its
//!   candidates.
//! - **Examples**: a parameter's `x-example` is its `example`; a response's `examples` and
//!   `x-response-examples-N`, and the operation's `x-request-examples-N` (or `-text-N`), are
//!   OpenAPI `examples` named `vendor` and `vendor-N`, summarised by their
//!   `-description-N`; the `x-request-examples-url-N` lines are `x-vendor-example-request`.
//!   An example that its schema rejects is not used as one: it is kept verbatim under
//!   `x-vendor-example(s)` beside it, and the reason is recorded.
//! - **Provenance**: each operation records its source (`x-vendor-source`: package,
//!   version, file); every object lists the keywords whose value it takes from the vendor in
//!   `x-vendor` (`[type, minLength, maxLength]`), and the keys whose text is still the
//!   vendor's (Chinese) prose in `x-vendor-text` (`[summary, description]`), so that review
//!   can find every sentence still in Huawei's words. Lines of that text lose their trailing
//!   spaces; nothing else in it changes.
//! - **Contradictions** inside the definition are made consistent and recorded where they
//!   are, in `x-discrepancies`, never passed on silently: a `required` name that is not a
//!   property is dropped, a string enumeration of JSON booleans or numbers is written as
//!   strings, an integer format on a string is dropped, a default the schema rejects is
//!   dropped, an example it rejects is moved as above, a `$ref` with siblings becomes
//!   `allOf` (the siblings kept beside it; a `type` that repeats the target's dropped).
//! - **Named bodies**: a success body given inline (not a file) is a component named after
//!   the operation (`<OperationId>Response`, `...Response<status>` for a second one), as
//!   lint requires of response bodies.
//! - API Explorer's bookkeeping keys are left out (`x-is-registered`, `x-support-sdk`,
//!   `x-api-type`, `x-order`, `x-file`, `x-api-is-publish`); every other extension stays.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::read::{Definition, Kind};
use super::swagger::{self, SRC};
use crate::model::spec::{Diagnostic, escape_pointer};
use crate::model::walk::METHODS;

/// The `$ref` that stands for the spec's error schema until [`super::merge`] names it.
pub const ERROR_REF: &str = "#/components/schemas/\u{0}error";

/// API Explorer's keys that say nothing about the API.
const BOOKKEEPING: [&str; 6] = [
    "x-is-registered",
    "x-support-sdk",
    "x-api-type",
    "x-order",
    "x-file",
    "x-api-is-publish",
];

/// The schema keywords that state a fact, listed in `x-vendor` when they come from the
/// vendor (structure, prose and examples are not facts of this kind).
const SCHEMA_FACTS: [&str; 24] = [
    "type",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "enum",
    "default",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "discriminator",
    "additionalProperties",
];

/// The order of a schema's keys as written.
pub const SCHEMA_ORDER: [&str; 40] = [
    "$ref",
    "type",
    "format",
    "title",
    "description",
    "x-vendor-text",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "enum",
    "default",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "discriminator",
    "example",
    "x-vendor",
    "x-error-body",
    "x-discrepancies",
    "x-vendor-example",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "properties",
    "items",
    "additionalProperties",
    "externalDocs",
];

const OPERATION_ORDER: [&str; 16] = [
    "operationId",
    "x-vendor-source",
    "tags",
    "summary",
    "description",
    "x-constraint",
    "x-vendor-text",
    "deprecated",
    "x-apigateway-ratelimit",
    "x-vendor",
    "x-vendor-example-request",
    "x-discrepancies",
    "x-vendor-examples",
    "parameters",
    "requestBody",
    "responses",
];

const PARAMETER_ORDER: [&str; 16] = [
    "name",
    "in",
    "required",
    "x-client-setting",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "description",
    "x-vendor-text",
    "x-vendor",
    "x-discrepancies",
    "schema",
    "example",
    "x-vendor-example",
    "content",
];

/// One imported operation, in the definition's names.
#[derive(Clone, Debug)]
pub struct Operation {
    pub path: String,
    pub method: &'static str,
    pub id: String,
    /// The operation object as it will be written (tags still the vendor's, component
    /// `$ref`s still the definition's names, the error schema [`ERROR_REF`]).
    pub value: Value,
    /// The operation's JSON pointer in the definition.
    pub src: String,
    /// The definition's error object its error responses referenced (now [`ERROR_REF`]).
    pub error: Option<String>,
}

/// What a definition brings, before its components are named in the spec.
#[derive(Clone, Debug)]
pub struct Imported {
    pub ops: Vec<Operation>,
    /// The definition's component schemas, conventions applied, by its own names.
    pub schemas: Vec<(String, Value)>,
    /// The vendor's error definitions (its name, the error body fields `code`, `message`).
    pub errors: Vec<ErrorDefinition>,
    /// What the import did that a reviewer should know, at the definition's line and column.
    pub notes: Vec<Diagnostic>,
}

#[derive(Clone, Debug)]
pub struct ErrorDefinition {
    pub name: String,
    pub code: String,
    pub message: String,
}

struct Pass<'d> {
    def: &'d Definition,
    /// The converted document, for resolving `$ref`s and validating examples.
    doc: Value,
    notes: Vec<Diagnostic>,
    /// The error object the operation being converted references.
    error: Option<String>,
}

/// Applies the conventions to one definition.
pub fn apply(def: &Definition) -> Imported {
    let doc = match def.swagger() {
        Some(sw) => swagger::convert(&sw),
        None => annotate(&def.spec.root),
    };
    let mut pass = Pass {
        def,
        doc,
        notes: Vec::new(),
        error: None,
    };
    let prefix = base_path(&pass.doc);
    // Components first: examples are validated against the fixed schemas.
    let sources = |name: &str| match def.kind {
        Kind::OpenApi3 => format!("/components/schemas/{}", escape_pointer(name)),
        _ => format!("/definitions/{}", escape_pointer(name)),
    };
    let names: Vec<String> = pass
        .doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut schemas = Vec::new();
    for name in names {
        let raw = pass.doc["components"]["schemas"][&name].clone();
        let fixed = pass.schema(&raw, &sources(&name), &name);
        schemas.push((name, fixed));
    }
    let components: Map<String, Value> = schemas.iter().cloned().collect();
    pass.doc["components"]["schemas"] = Value::Object(components);
    let errors: Vec<ErrorDefinition> = schemas
        .iter()
        .filter_map(|(n, s)| {
            error_fields(s).map(|(code, message)| ErrorDefinition {
                name: n.clone(),
                code,
                message,
            })
        })
        .collect();
    let mut ops = Vec::new();
    let paths: Vec<(String, Value)> = pass
        .doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut extra_schemas = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let src = op
                .get(SRC)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            pass.error = None;
            let value = pass.operation(op, &id, &src, &errors, &schemas, &mut extra_schemas);
            ops.push(Operation {
                path: format!("{prefix}{path}"),
                method,
                id,
                value,
                src,
                error: pass.error.take(),
            });
        }
    }
    schemas.extend(extra_schemas);
    Imported {
        ops,
        schemas,
        errors,
        notes: pass.notes,
    }
}

/// The path part of the definition's first server (Swagger's `basePath`), which the
/// spec's paths must include: its servers are the region endpoints.
fn base_path(doc: &Value) -> String {
    let url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    path.trim_end_matches('/').to_string()
}

/// An OpenAPI 3.0 definition annotated as [`swagger::convert`] annotates its output: each
/// operation, parameter, request body and response with its source pointer, the path item's
/// parameters given to its operations, and `$ref`s to parameters, request bodies and
/// responses inlined.
fn annotate(root: &Value) -> Value {
    let mut doc = root.clone();
    let resolve = |v: &Value, ptr: &str| -> Value {
        let (ptr, mut v) = match v.get("$ref").and_then(Value::as_str) {
            Some(r) => (
                r.trim_start_matches('#').to_string(),
                r.strip_prefix('#')
                    .and_then(|l| root.pointer(l))
                    .cloned()
                    .unwrap_or_else(|| v.clone()),
            ),
            None => (ptr.to_string(), v.clone()),
        };
        if let Some(o) = v.as_object_mut() {
            o.insert(SRC.into(), json!(ptr));
        }
        v
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return doc;
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = format!("/paths/{}", escape_pointer(path));
        let shared: Vec<Value> = crate::model::walk::declared_parameters(&item_ptr, item)
            .into_iter()
            .map(|(p, v)| resolve(v, &p))
            .collect();
        if let Some(o) = item.as_object_mut() {
            o.remove("parameters");
        }
        for method in METHODS {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            let op_ptr = format!("{item_ptr}/{method}");
            let own: Vec<Value> = crate::model::walk::declared_parameters(&op_ptr, op)
                .into_iter()
                .map(|(p, v)| resolve(v, &p))
                .collect();
            let mut params: Vec<Value> = shared
                .iter()
                .filter(|s| {
                    !own.iter()
                        .any(|o| o.get("name") == s.get("name") && o.get("in") == s.get("in"))
                })
                .cloned()
                .collect();
            params.extend(own);
            let Some(o) = op.as_object_mut() else {
                continue;
            };
            if !params.is_empty() {
                o.insert("parameters".into(), Value::Array(params));
            }
            if let Some(b) = o.get("requestBody").cloned() {
                o.insert(
                    "requestBody".into(),
                    resolve(&b, &format!("{op_ptr}/requestBody")),
                );
            }
            if let Some(Value::Object(rs)) = o.get_mut("responses") {
                for (status, r) in rs.iter_mut() {
                    let p = format!("{op_ptr}/responses/{}", escape_pointer(status));
                    *r = resolve(r, &p);
                }
            }
            o.insert(SRC.into(), json!(op_ptr));
        }
    }
    doc
}

/// The error body fields of a schema that is Huawei's error object.
pub fn error_fields(schema: &Value) -> Option<(String, String)> {
    let props = schema.get("properties")?.as_object()?;
    let is_string = |n: &str| {
        props
            .get(n)
            .is_some_and(|p| p.get("type").and_then(Value::as_str) == Some("string"))
    };
    [("error_code", "error_msg"), ("code", "message")]
        .into_iter()
        .find(|(c, m)| is_string(c) && is_string(m))
        .map(|(c, m)| (c.to_string(), m.to_string()))
}

/// A description, summary or title as written: each line without its trailing spaces.
pub fn clean_text(s: &str) -> String {
    let mut out: String = s
        .split('\n')
        .map(|l| l.trim_end_matches([' ', '\t']))
        .collect::<Vec<_>>()
        .join("\n");
    if s.ends_with(' ') || s.ends_with('\t') {
        out = out.trim_end_matches([' ', '\t']).to_string();
    }
    out
}

/// Puts the keys in `order` first, in that order, the rest after them as they were.
pub fn reorder(v: &mut Value, order: &[&str]) {
    let Some(m) = v.as_object_mut() else { return };
    let mut out = Map::new();
    for k in order {
        if let Some(x) = m.remove(*k) {
            out.insert((*k).to_string(), x);
        }
    }
    for (k, x) in std::mem::take(m) {
        out.insert(k, x);
    }
    *m = out;
}

/// A media type in the workspace's terms: JSON of any flavour is `application/json`.
fn normal_media(m: &str) -> String {
    let base = m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
    if base == "*/*"
        || base == "application/json"
        || (base.starts_with("application/") && base.ends_with("+json"))
    {
        "application/json".to_string()
    } else {
        m.to_string()
    }
}

fn is_binary(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("binary")
}

/// The example keys API Explorer numbers: (number, kind) for `x-request-examples-N`,
/// `x-request-examples-text-N`, `-description-N`, `-url-N`.
fn numbered<'a>(op: &'a Value, prefix: &str) -> BTreeMap<u64, BTreeMap<&'static str, &'a Value>> {
    let mut out: BTreeMap<u64, BTreeMap<&'static str, &'a Value>> = BTreeMap::new();
    for (k, v) in op.as_object().into_iter().flatten() {
        let Some(rest) = k.strip_prefix(prefix) else {
            continue;
        };
        let (kind, n) = match rest.rsplit_once('-') {
            Some(("text", n)) => ("text", n),
            Some(("description", n)) => ("description", n),
            Some(("url", n)) => ("url", n),
            Some(_) => continue,
            None => ("body", rest),
        };
        if let Ok(n) = n.parse::<u64>() {
            out.entry(n).or_default().insert(kind, v);
        }
    }
    out
}

fn is_numbered(k: &str, prefix: &str) -> bool {
    k.strip_prefix(prefix).is_some_and(|rest| {
        let n = rest.rsplit_once('-').map_or(rest, |(_, n)| n);
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

impl Pass<'_> {
    fn note(&mut self, src: &str, message: String) {
        let d = self.def.diag(src, message);
        self.notes.push(d);
    }

    /// Records a contradiction on `node` and as a note.
    fn discrepancy(&mut self, node: &mut Map<String, Value>, src: &str, what: &str, text: String) {
        let list = node
            .entry("x-discrepancies")
            .or_insert_with(|| Value::Array(Vec::new()));
        let short: String = match text.char_indices().nth(160) {
            Some((i, _)) => format!("{}...", &text[..i]),
            None => text.clone(),
        };
        if let Value::Array(a) = list {
            a.push(json!(text));
        }
        self.note(
            src,
            format!("{what}: {short} (recorded in x-discrepancies)"),
        );
    }

    /// Validates `value` against `schema` in the definition's terms.
    fn invalid(&self, schema: &Value, value: &Value) -> Vec<String> {
        crate::model::examples::validate_value(&self.doc, schema, value, "")
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    fn target(&self, r: &str) -> Option<&Value> {
        self.doc.pointer(r.strip_prefix('#')?)
    }

    /// A schema with the conventions applied; `src` is its place in the definition, `what`
    /// names it in notes.
    fn schema(&mut self, s: &Value, src: &str, what: &str) -> Value {
        let Some(obj) = s.as_object() else {
            return s.clone();
        };
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let siblings: Map<String, Value> = obj
                .iter()
                .filter(|(k, _)| *k != "$ref")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if siblings.is_empty() {
                return json!({ "$ref": r });
            }
            let target_type = self.target(r).and_then(|t| t.get("type")).cloned();
            let mut wrapper: Map<String, Value> = Map::new();
            for (k, v) in siblings {
                if k == "type" && Some(&v) == target_type.as_ref() {
                    continue;
                }
                wrapper.insert(k, v);
            }
            wrapper.insert("allOf".into(), json!([{ "$ref": r }]));
            return self.finish_schema(wrapper, src, what);
        }
        let mut out = obj.clone();
        if let Some(x) = out.remove("x-example")
            && !out.contains_key("example")
        {
            out.insert("example".into(), x);
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(c) = out.get(key).filter(|c| c.is_object()).cloned() {
                let fixed = self.schema(&c, &format!("{src}/{key}"), &format!("{what}[]"));
                out.insert(key.into(), fixed);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = out.get(key).cloned() {
                let fixed: Vec<Value> = list
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.schema(c, &format!("{src}/{key}/{i}"), what))
                    .collect();
                out.insert(key.into(), Value::Array(fixed));
            }
        }
        if let Some(Value::Object(props)) = out.get("properties").cloned() {
            let fixed: Map<String, Value> = props
                .iter()
                .map(|(n, p)| {
                    let psrc = format!("{src}/properties/{}", escape_pointer(n));
                    (n.clone(), self.schema(p, &psrc, &format!("{what}.{n}")))
                })
                .collect();
            out.insert("properties".into(), Value::Object(fixed));
        }
        self.contradictions(&mut out, src, what);
        self.finish_schema(out, src, what)
    }

    fn contradictions(&mut self, out: &mut Map<String, Value>, src: &str, what: &str) {
        // `required` names that are not properties.
        match out.get("required").cloned() {
            Some(Value::Array(names)) => {
                let props = out.get("properties").and_then(Value::as_object).cloned();
                let mut kept = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    let name = n.as_str().unwrap_or_default();
                    if props.as_ref().is_some_and(|p| p.contains_key(name)) {
                        kept.push(n.clone());
                        continue;
                    }
                    let near = props
                        .as_ref()
                        .and_then(|p| p.keys().find(|k| k.as_str() == name.trim()).cloned());
                    let hint = match near {
                        Some(k) => format!(
                            " (it is probably `{k}`, spelled with surrounding spaces; `{k}` stays optional)"
                        ),
                        None => String::new(),
                    };
                    self.discrepancy(
                        out,
                        &format!("{src}/required/{i}"),
                        what,
                        format!(
                            "Huawei's definition lists {} in `required`, which is not a property of this schema; it is left out{hint}.",
                            serde_json::to_string(n).unwrap_or_default()
                        ),
                    );
                }
                if kept.is_empty() {
                    out.remove("required");
                } else {
                    out.insert("required".into(), Value::Array(kept));
                }
            }
            Some(v) => {
                out.remove("required");
                self.discrepancy(
                    out,
                    &format!("{src}/required"),
                    what,
                    format!(
                        "Huawei's definition gives this schema `required: {}`, which is not a list of property names; it is left out.",
                        serde_json::to_string(&v).unwrap_or_default()
                    ),
                );
            }
            None => {}
        }
        let ty = out.get("type").and_then(Value::as_str).map(str::to_string);
        // A string enumeration of other JSON values.
        if ty.as_deref() == Some("string")
            && let Some(Value::Array(values)) = out.get("enum").cloned()
            && values.iter().any(|v| !v.is_string() && !v.is_null())
        {
            let strings: Vec<Value> = values
                .iter()
                .map(|v| match v {
                    Value::String(_) | Value::Null => v.clone(),
                    other => json!(other.to_string()),
                })
                .collect();
            out.insert("enum".into(), Value::Array(strings.clone()));
            self.discrepancy(
                out,
                &format!("{src}/enum"),
                what,
                format!(
                    "Huawei's definition declares a string whose enumeration values are the JSON values {}; they are written as the strings {}.",
                    serde_json::to_string(&values).unwrap_or_default(),
                    serde_json::to_string(&strings).unwrap_or_default()
                ),
            );
        }
        // A numeric format on a string.
        if ty.as_deref() == Some("string")
            && let Some(f) = out
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_string)
            && matches!(f.as_str(), "int32" | "int64" | "float" | "double")
        {
            out.remove("format");
            self.discrepancy(
                out,
                &format!("{src}/format"),
                what,
                format!(
                    "Huawei's definition gives this string the format `{f}`, a format of numbers; the format is left out."
                ),
            );
        }
        // A default the schema rejects.
        if let Some(d) = out.get("default").cloned() {
            let mut bare = Value::Object(out.clone());
            if let Some(o) = bare.as_object_mut() {
                o.remove("default");
                o.remove("example");
            }
            let problems = self.invalid(&bare, &d);
            if !problems.is_empty() {
                out.remove("default");
                self.discrepancy(
                    out,
                    &format!("{src}/default"),
                    what,
                    format!(
                        "Huawei's definition gives the default {}, which this schema does not allow ({}); it is left out.",
                        serde_json::to_string(&d).unwrap_or_default(),
                        problems.join("; ")
                    ),
                );
            }
        }
        // An example the schema rejects.
        if let Some(e) = out.get("example").cloned() {
            let mut bare = Value::Object(out.clone());
            if let Some(o) = bare.as_object_mut() {
                o.remove("example");
            }
            let problems = self.invalid(&bare, &e);
            if !problems.is_empty() {
                out.remove("example");
                out.insert("x-vendor-example".into(), e);
                self.discrepancy(
                    out,
                    &format!("{src}/example"),
                    what,
                    format!(
                        "Huawei's example is not valid against this schema ({}); it is kept under x-vendor-example, not used as an example.",
                        problems.join("; ")
                    ),
                );
            }
        }
    }

    /// The provenance marks and the order of keys.
    fn finish_schema(&mut self, mut out: Map<String, Value>, _src: &str, _what: &str) -> Value {
        for key in ["title", "description"] {
            if let Some(Value::String(s)) = out.get(key) {
                let cleaned = clean_text(s);
                out.insert(key.into(), json!(cleaned));
            }
        }
        let text: Vec<Value> = ["title", "description"]
            .into_iter()
            .filter(|k| out.contains_key(*k))
            .map(Value::from)
            .collect();
        if !text.is_empty() {
            out.insert("x-vendor-text".into(), Value::Array(text));
        }
        let facts: Vec<Value> = SCHEMA_FACTS
            .into_iter()
            .filter(|k| match out.get(*k) {
                None => false,
                Some(v) => *k != "additionalProperties" || v.is_boolean(),
            })
            .map(Value::from)
            .collect();
        if !facts.is_empty() {
            out.insert("x-vendor".into(), Value::Array(facts));
        }
        let mut v = Value::Object(out);
        reorder(&mut v, &SCHEMA_ORDER);
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        op: &Value,
        id: &str,
        src: &str,
        errors: &[ErrorDefinition],
        schemas: &[(String, Value)],
        extra: &mut Vec<(String, Value)>,
    ) -> Value {
        let mut out = Map::new();
        let mut vendor = Vec::new();
        let mut text = Vec::new();
        out.insert("operationId".into(), json!(id));
        out.insert("x-vendor-source".into(), self.def.provenance.to_value());
        for (k, v) in op.as_object().into_iter().flatten() {
            match k.as_str() {
                "operationId" | "parameters" | "requestBody" | "responses" | SRC => {}
                "summary" | "description" | "x-constraint" => {
                    if let Some(s) = v.as_str() {
                        out.insert(k.clone(), json!(clean_text(s)));
                        text.push(json!(k));
                    } else {
                        out.insert(k.clone(), v.clone());
                    }
                }
                "tags" => {
                    out.insert(k.clone(), v.clone());
                }
                "deprecated" | "x-apigateway-ratelimit" => {
                    out.insert(k.clone(), v.clone());
                    vendor.push(json!(k));
                }
                "security" => {
                    // The token header's scheme is the spec's iamToken; any other stays.
                    let kept: Vec<Value> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|req| {
                            req.as_object()
                                .is_some_and(|o| o.keys().any(|name| !self.is_token_scheme(name)))
                        })
                        .cloned()
                        .collect();
                    if !kept.is_empty() {
                        out.insert(k.clone(), Value::Array(kept));
                    }
                }
                k if BOOKKEEPING.contains(&k) => {}
                k if is_numbered(k, "x-request-examples-") => {}
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        // The example requests, in API Explorer's order.
        let requests = numbered(op, "x-request-examples-");
        let urls: Vec<Value> = requests
            .values()
            .filter_map(|m| m.get("url").map(|v| (*v).clone()))
            .collect();
        match urls.len() {
            0 => {}
            1 => {
                out.insert("x-vendor-example-request".into(), urls[0].clone());
            }
            _ => {
                out.insert("x-vendor-example-request".into(), Value::Array(urls));
            }
        }
        let text: Vec<Value> = ["summary", "description", "x-constraint"]
            .into_iter()
            .filter(|k| text.contains(&json!(k)))
            .map(Value::from)
            .collect();
        if !text.is_empty() {
            out.insert("x-vendor-text".into(), Value::Array(text));
        }
        let vendor: Vec<Value> = ["deprecated", "x-apigateway-ratelimit"]
            .into_iter()
            .filter(|k| vendor.contains(&json!(k)))
            .map(Value::from)
            .collect();
        if !vendor.is_empty() {
            out.insert("x-vendor".into(), Value::Array(vendor));
        }
        // Parameters.
        let mut params = Vec::new();
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(p) = self.parameter(p) {
                params.push(p);
            }
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        // The request body and its examples.
        let bodies: Vec<(u64, Option<&Value>, Value)> = requests
            .iter()
            .filter_map(|(n, m)| {
                let body = m.get("body").or_else(|| m.get("text"))?;
                let summary = m.get("description").copied();
                Some((*n, summary, (*body).clone()))
            })
            .collect();
        match op.get("requestBody") {
            Some(b) => {
                let body = self.request_body(b, src, &bodies);
                out.insert("requestBody".into(), body);
            }
            None if self.consumes_without_body(src).is_some() && bodies.is_empty() => {
                let media = self.consumes_without_body(src).unwrap_or_default();
                self.discrepancy(
                    &mut out,
                    &format!("{src}/consumes"),
                    id,
                    format!(
                        "Huawei's definition says the operation consumes {media}, but it has no body parameter; no request body is written."
                    ),
                );
            }
            None if !bodies.is_empty() => {
                let kept: Map<String, Value> = bodies
                    .iter()
                    .map(|(n, _, v)| (format!("vendor-{n}"), json!({ "value": v })))
                    .collect();
                out.insert("x-vendor-examples".into(), Value::Object(kept));
                self.discrepancy(
                    &mut out,
                    src,
                    id,
                    "Huawei's definition gives example request bodies, but the operation declares no body; they are kept under x-vendor-examples.".into(),
                );
            }
            None => {}
        }
        // Responses.
        let mut responses = Map::new();
        let success: Vec<&String> = op
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| r.keys().filter(|s| s.starts_with('2')).collect())
            .unwrap_or_default();
        let first_success = success.first().map(|s| s.to_string());
        for (status, r) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let name = if Some(status) == first_success.as_ref() {
                format!("{id}Response")
            } else {
                format!("{id}Response{status}")
            };
            let r = self.response(status, r, errors, schemas, (&name, extra));
            responses.insert(status.clone(), r);
        }
        out.insert("responses".into(), Value::Object(responses));
        let mut v = Value::Object(out);
        reorder(&mut v, &OPERATION_ORDER);
        v
    }

    /// The media types other than JSON that a Swagger 2.0 operation says it consumes, when it
    /// has no body (or form) parameter to consume (a JSON `consumes` on such an operation is
    /// boilerplate).
    fn consumes_without_body(&self, src: &str) -> Option<String> {
        let op = self.def.spec.root.pointer(src)?;
        let media: Vec<&str> = op
            .get("consumes")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .filter(|m| normal_media(m) != "application/json")
            .collect();
        let has_body = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| crate::model::walk::resolve(&self.def.spec.root, p))
            .any(|p| {
                matches!(
                    p.get("in").and_then(Value::as_str),
                    Some("body" | "formData")
                )
            });
        (!media.is_empty() && !has_body).then(|| media.join(", "))
    }

    /// Whether a security scheme of the definition is the token header.
    fn is_token_scheme(&self, name: &str) -> bool {
        self.doc
            .pointer(&format!(
                "/components/securitySchemes/{}",
                escape_pointer(name)
            ))
            .is_some_and(|s| {
                s.get("type").and_then(Value::as_str) == Some("apiKey")
                    && s.get("in").and_then(Value::as_str) == Some("header")
                    && s.get("name").and_then(Value::as_str).is_some_and(|n| {
                        n.eq_ignore_ascii_case("X-Auth-Token")
                            || n.eq_ignore_ascii_case("Authorization")
                    })
            })
    }

    /// A parameter in the workspace's terms, or `None` for one the client sets itself.
    fn parameter(&mut self, p: &Value) -> Option<Value> {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        let src = p
            .get(SRC)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if location == "header"
            && ["X-Auth-Token", "Authorization", "Content-Type"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        {
            return None;
        }
        let mut out = Map::new();
        let mut vendor = Vec::new();
        for (k, v) in p.as_object().into_iter().flatten() {
            match k.as_str() {
                SRC => {}
                "description" => {
                    let s = v
                        .as_str()
                        .map_or_else(|| v.clone(), |s| json!(clean_text(s)));
                    out.insert(k.clone(), s);
                    out.insert("x-vendor-text".into(), json!(["description"]));
                }
                "schema" => {
                    let what = format!("parameter {name}");
                    let fixed = self.schema(v, &src, &what);
                    out.insert(k.clone(), fixed);
                }
                "required" | "deprecated" | "allowEmptyValue" | "style" | "explode" => {
                    out.insert(k.clone(), v.clone());
                    vendor.push(json!(k));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        if location == "path" && name.eq_ignore_ascii_case("project_id") {
            out.insert("x-client-setting".into(), json!("project-id"));
        }
        if location == "header" && name.eq_ignore_ascii_case("X-Language") {
            out.insert("x-client-setting".into(), json!("language"));
        }
        if !vendor.is_empty() {
            out.insert("x-vendor".into(), Value::Array(vendor));
        }
        if let (Some(e), Some(s)) = (out.get("example").cloned(), out.get("schema").cloned()) {
            let problems = self.invalid(&s, &e);
            if !problems.is_empty() {
                out.remove("example");
                out.insert("x-vendor-example".into(), e);
                self.discrepancy(
                    &mut out,
                    &src,
                    &format!("parameter {name}"),
                    format!(
                        "Huawei's example is not valid against the parameter's schema ({}); it is kept under x-vendor-example, not used as an example.",
                        problems.join("; ")
                    ),
                );
            }
        }
        let mut v = Value::Object(out);
        reorder(&mut v, &PARAMETER_ORDER);
        Some(v)
    }

    /// The media types of a body in the workspace's terms (JSON as `application/json`).
    fn content(&mut self, content: &Value, src: &str, what: &str) -> Map<String, Value> {
        let mut out: Map<String, Value> = Map::new();
        for (m, media) in content.as_object().into_iter().flatten() {
            let key = normal_media(m);
            let mut media = media.clone();
            if let Some(s) = media.get("schema").cloned() {
                let fixed = self.schema(&s, src, what);
                media["schema"] = fixed;
            }
            match out.get_mut(&key) {
                None => {
                    out.insert(key, media);
                }
                Some(existing) => {
                    // Two spellings of JSON: one body, the examples of both.
                    let (Some(e), Some(m)) = (existing.as_object_mut(), media.as_object()) else {
                        continue;
                    };
                    for (k, v) in m {
                        match (k.as_str(), e.get_mut(k)) {
                            ("examples", Some(Value::Object(ex))) => {
                                for (n, x) in v.as_object().into_iter().flatten() {
                                    ex.entry(n.clone()).or_insert_with(|| x.clone());
                                }
                            }
                            (_, None) => {
                                e.insert(k.clone(), v.clone());
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        out
    }

    fn request_body(
        &mut self,
        b: &Value,
        op_src: &str,
        bodies: &[(u64, Option<&Value>, Value)],
    ) -> Value {
        let src = b
            .get(SRC)
            .and_then(Value::as_str)
            .unwrap_or(op_src)
            .to_string();
        let mut out = Map::new();
        let mut content = self.content(
            b.get("content").unwrap_or(&Value::Null),
            &src,
            "request body",
        );
        if let Some(d) = b.get("description").and_then(Value::as_str) {
            out.insert("description".into(), json!(clean_text(d)));
            out.insert("x-vendor-text".into(), json!(["description"]));
        }
        if !bodies.is_empty() {
            let key = if content.contains_key("application/json") {
                "application/json".to_string()
            } else {
                content
                    .keys()
                    .next()
                    .cloned()
                    .unwrap_or_else(|| "application/json".into())
            };
            let media = content.entry(key).or_insert_with(|| json!({}));
            let schema = media.get("schema").cloned();
            let mut examples = Map::new();
            let mut kept = Map::new();
            let mut problems_all = Vec::new();
            for (n, summary, body) in bodies {
                let mut example = Map::new();
                if let Some(s) = summary.and_then(|s| s.as_str()) {
                    example.insert("summary".into(), json!(clean_text(s)));
                    example.insert("x-vendor-text".into(), json!(["summary"]));
                }
                // A string example is JSON text, when it parses.
                let (value, parse_problem) = match body {
                    Value::String(s) => match serde_json::from_str::<Value>(s) {
                        Ok(v) => (v, None),
                        Err(e) => (body.clone(), Some(format!("it is not valid JSON ({e})"))),
                    },
                    v => (v.clone(), None),
                };
                let problems = match (&parse_problem, &schema) {
                    (Some(p), _) => vec![p.clone()],
                    (None, Some(s)) => self.invalid(s, &value),
                    (None, None) => Vec::new(),
                };
                example.insert("value".into(), value);
                if problems.is_empty() {
                    examples.insert(format!("vendor-{n}"), Value::Object(example));
                } else {
                    problems_all.push(format!("request example {n}: {}", problems.join("; ")));
                    kept.insert(format!("vendor-{n}"), Value::Object(example));
                }
            }
            if let Some(m) = media.as_object_mut() {
                if !examples.is_empty() {
                    m.insert("examples".into(), Value::Object(examples));
                }
                if !kept.is_empty() {
                    m.insert("x-vendor-examples".into(), Value::Object(kept));
                    let text = format!(
                        "Huawei's {} not valid against the body's schema ({}); kept under x-vendor-examples, not used as examples.",
                        if problems_all.len() == 1 {
                            "request example is"
                        } else {
                            "request examples are"
                        },
                        problems_all.join("; ")
                    );
                    self.discrepancy(m, op_src, "request body", text);
                }
            }
        }
        out.insert("content".into(), Value::Object(content));
        if let Some(r) = b.get("required") {
            out.insert("required".into(), r.clone());
            out.insert("x-vendor".into(), json!(["required"]));
        }
        for (k, v) in b.as_object().into_iter().flatten() {
            if k.starts_with("x-") && !out.contains_key(k) {
                out.insert(k.clone(), v.clone());
            }
        }
        let mut v = Value::Object(out);
        reorder(
            &mut v,
            &[
                "description",
                "x-vendor-text",
                "required",
                "x-vendor",
                "content",
            ],
        );
        v
    }

    fn response(
        &mut self,
        status: &str,
        r: &Value,
        errors: &[ErrorDefinition],
        schemas: &[(String, Value)],
        (inline_name, extra): (&str, &mut Vec<(String, Value)>),
    ) -> Value {
        let src = r
            .get(SRC)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let what = format!("response {status}");
        let is_error = status.starts_with('4') || status.starts_with('5') || status == "default";
        let mut out = Map::new();
        if let Some(d) = r.get("description").and_then(Value::as_str) {
            out.insert("description".into(), json!(clean_text(d)));
            out.insert("x-vendor-text".into(), json!(["description"]));
        }
        if let Some(h) = r.get("headers").and_then(Value::as_object) {
            let headers: Map<String, Value> = h
                .iter()
                .map(|(n, hv)| {
                    let mut hv = hv.clone();
                    if let Some(s) = hv.get("schema").cloned() {
                        hv["schema"] = self.schema(&s, &src, &format!("{what} header {n}"));
                    }
                    (n.clone(), hv)
                })
                .collect();
            out.insert("headers".into(), Value::Object(headers));
        }
        let mut content = self.content(r.get("content").unwrap_or(&Value::Null), &src, &what);
        // API Explorer's numbered response examples.
        for (n, m) in numbered(r, "x-response-examples-") {
            let Some(by_media) = m.get("body").and_then(|v| v.as_object()) else {
                continue;
            };
            for (mt, value) in by_media {
                let media = content.entry(normal_media(mt)).or_insert_with(|| json!({}));
                let mut example = Map::new();
                if let Some(s) = m.get("description").and_then(|s| s.as_str()) {
                    example.insert("summary".into(), json!(clean_text(s)));
                    example.insert("x-vendor-text".into(), json!(["summary"]));
                }
                example.insert("value".into(), value.clone());
                if let Some(o) = media.as_object_mut() {
                    let ex = o.entry("examples").or_insert_with(|| json!({}));
                    if let Some(e) = ex.as_object_mut() {
                        e.insert(format!("vendor-{n}"), Value::Object(example));
                    }
                }
            }
        }
        let mut written = Map::new();
        let media_keys: Vec<String> = content.keys().cloned().collect();
        for key in media_keys {
            let mut media = content.remove(&key).unwrap_or_default();
            let Some(m) = media.as_object_mut() else {
                continue;
            };
            // The vendor's example names: swagger2openapi's `response` is `vendor`.
            if let Some(Value::Object(ex)) = m.get("examples").cloned() {
                let renamed: Map<String, Value> = ex
                    .into_iter()
                    .map(|(n, v)| {
                        (
                            if n == "response" {
                                "vendor".to_string()
                            } else {
                                n
                            },
                            v,
                        )
                    })
                    .collect();
                m.insert("examples".into(), Value::Object(renamed));
            }
            let schema = m.get("schema").cloned();
            let mut key = key;
            // What examples are validated against.
            let mut check_against = schema.clone();
            if let Some(s) = &schema {
                let local_error = s
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .filter(|n| errors.iter().any(|e| e.name == *n));
                if let (true, Some(e)) = (is_error, local_error) {
                    self.error.get_or_insert_with(|| e.to_string());
                    m.insert("schema".into(), json!({ "$ref": ERROR_REF }));
                } else if !is_error && is_binary(s) {
                    if key == "application/json" {
                        self.discrepancy(
                            m,
                            &src,
                            &what,
                            "Huawei's definition declares this body a file (`type: file`) sent as application/json; it is written as application/octet-stream.".into(),
                        );
                    }
                    key = "application/octet-stream".into();
                    // A file's examples cannot be checked: they describe the file.
                    if let Some(ex) = m.remove("examples") {
                        m.insert("x-vendor-examples".into(), ex);
                        self.discrepancy(
                            m,
                            &src,
                            &what,
                            "Huawei's example of this file body is a text about the file, not its content; it is kept under x-vendor-examples.".into(),
                        );
                    }
                    check_against = None;
                } else if s.get("$ref").is_none() && !is_binary(s) {
                    // A body must be a named component: the operation's name for it.
                    let mut name = inline_name.to_string();
                    while schemas.iter().chain(extra.iter()).any(|(n, _)| *n == name) {
                        name.push('_');
                    }
                    extra.push((name.clone(), s.clone()));
                    m.insert(
                        "schema".into(),
                        json!({ "$ref": format!("#/components/schemas/{name}") }),
                    );
                }
            }
            if let (Some(s), Some(Value::Object(ex))) = (check_against, m.get("examples").cloned())
            {
                let mut good = Map::new();
                let mut bad = Map::new();
                let mut problems = Vec::new();
                for (n, e) in ex {
                    let value = e.get("value").cloned().unwrap_or(Value::Null);
                    let issues = self.invalid(&s, &value);
                    if issues.is_empty() {
                        good.insert(n, e);
                    } else {
                        problems.push(format!("`{n}`: {}", issues.join("; ")));
                        bad.insert(n, e);
                    }
                }
                if good.is_empty() {
                    m.remove("examples");
                } else {
                    m.insert("examples".into(), Value::Object(good));
                }
                if !bad.is_empty() {
                    m.insert("x-vendor-examples".into(), Value::Object(bad));
                    self.discrepancy(
                        m,
                        &src,
                        &what,
                        format!(
                            "Huawei's example is not valid against the body's schema ({}); it is kept under x-vendor-examples, not used as an example.",
                            problems.join("; ")
                        ),
                    );
                }
            }
            let mut media = Value::Object(std::mem::take(m));
            reorder(
                &mut media,
                &["schema", "examples", "x-vendor-examples", "x-discrepancies"],
            );
            match written.get_mut(&key) {
                None => {
                    written.insert(key, media);
                }
                Some(_) => {
                    self.note(
                        &src,
                        format!("{what}: a second body of type {key} is left out"),
                    );
                }
            }
        }
        if !written.is_empty() {
            out.insert("content".into(), Value::Object(written));
        }
        for (k, v) in r.as_object().into_iter().flatten() {
            if k.starts_with("x-")
                && !is_numbered(k, "x-response-examples-")
                && !out.contains_key(k)
            {
                out.insert(k.clone(), v.clone());
            }
        }
        let mut v = Value::Object(out);
        reorder(
            &mut v,
            &["description", "x-vendor-text", "headers", "content"],
        );
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_loses_trailing_spaces_only() {
        assert_eq!(clean_text("a  \n\n b\t\nc "), "a\n\n b\nc");
        assert_eq!(clean_text("a\n"), "a\n");
    }

    #[test]
    fn media_types() {
        assert_eq!(
            normal_media("application/json;charset=UTF-8"),
            "application/json"
        );
        assert_eq!(normal_media("*/*"), "application/json");
        assert_eq!(normal_media("application/problem+json"), "application/json");
        assert_eq!(normal_media("text/plain"), "text/plain");
    }

    #[test]
    fn numbered_examples() {
        let op = json!({"x-request-examples-1": 1, "x-request-examples-text-1": 2, "x-request-examples-url-2": 3, "x-request-examples-description-10": 4, "x-other": 5});
        let n = numbered(&op, "x-request-examples-");
        assert_eq!(n.keys().copied().collect::<Vec<_>>(), [1, 2, 10]);
        assert_eq!(n[&1]["body"], &json!(1));
        assert_eq!(n[&1]["text"], &json!(2));
        assert!(is_numbered(
            "x-request-examples-url-2",
            "x-request-examples-"
        ));
        assert!(!is_numbered("x-request-examples-", "x-request-examples-"));
    }
}
