//! What `gen` makes of a document it did not write: the spec as a real API's definition
//! states it (Huawei's API Explorer definitions converted to OpenAPI 3.0, say), turned into
//! the canonical document every later pass reads, without any annotation by hand.
//!
//! [`canonical`] changes only what the definition itself leaves ambiguous or contradictory
//! (`cargo xtask lint` reports the contradictions as warnings, with the file and line:
//! `required-properties-defined`, `typed-enum`):
//!
//! - **Media types.** A body's `content` becomes one entry. JSON is `application/json` with
//!   or without parameters (`application/json;charset=UTF-8`, as every Huawei operation
//!   declares), `application/*+json`, and the wildcards `*/*` and `application/*` when their
//!   schema is not binary (converters write `*/*` where Swagger 2.0 declared no `produces`).
//!   A body whose schema is binary (`type: string, format: binary`, Swagger 2.0's
//!   `type: file`) or whose media type is `application/octet-stream` is bytes. Entries
//!   without a schema lend their examples to the entry that has one.
//! - **Client settings by name.** A parameter that is one of the client's settings is marked
//!   `x-client-setting` as if the spec said so: `project_id` in the path (`project-id`),
//!   `X-Language` (`language`), `X-Auth-Token` and `Authorization` (`auth`: the client's
//!   credentials), `Content-Type` (`content-type`: the client sets it), all headers, names
//!   compared ignoring case, `-` and `_`. An explicit `x-client-setting` wins, and
//!   `x-client-setting: none` keeps a parameter a parameter.
//! - **`required` names that are not properties** are dropped (a definition that requires
//!   `"availability_vcpus_quota "`, with a trailing space, requires nothing that exists).
//! - **Enumeration values of another type** than the schema's are written in its type: a
//!   `type: string` enumeration of the JSON booleans `true` and `false` lists the strings
//!   `"true"` and `"false"`.
//!
//! What progenitor must not see (the parameters the client sets itself) is removed later, in
//! the copy handed to progenitor ([`for_progenitor`]).

use serde_json::{Map, Value, json};

use crate::model::spec::Spec;
use crate::model::walk::{self, MediaKind};

/// The settings a parameter may stand for (`x-client-setting`): `project-id` and `language`
/// fill in a parameter the operation keeps; `auth` and `content-type` are headers the client
/// writes itself, so the operation's entry point and command do not take them; `none` says
/// that a parameter recognised by name is an ordinary one.
pub const SETTINGS: [&str; 5] = ["project-id", "language", "auth", "content-type", "none"];

/// The setting a parameter stands for by its name and location, if any.
pub fn recognised_setting(location: &str, name: &str) -> Option<&'static str> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match (location, key.as_str()) {
        ("path", "projectid") => Some("project-id"),
        ("header", "xlanguage") => Some("language"),
        ("header", "xauthtoken" | "authorization") => Some("auth"),
        ("header", "contenttype") => Some("content-type"),
        _ => None,
    }
}

/// Whether a setting's parameter is written by the client itself, outside the operation's
/// arguments.
pub fn set_by_client(setting: &str) -> bool {
    matches!(setting, "auth" | "content-type")
}

/// The canonical document of `spec` (positions are the original's, so that diagnostics still
/// point into the file).
pub fn canonical(spec: &Spec) -> Spec {
    let mut root = spec.root.clone();
    for ptr in body_pointers(&root) {
        if let Some(holder) = root.pointer_mut(&ptr) {
            canonical_content(holder);
        }
    }
    for ptr in parameter_pointers(&root) {
        if let Some(p) = root.pointer_mut(&ptr) {
            mark_setting(p);
        }
    }
    let schema_ptrs: Vec<String> = walk::schemas(&root).into_iter().map(|(p, _)| p).collect();
    for ptr in schema_ptrs {
        if let Some(s) = root.pointer_mut(&ptr) {
            drop_undefined_required(s);
            retype_enum(s);
        }
    }
    let mut out = spec.clone();
    out.root = root;
    out
}

/// Every request body and response, inline or a component: the objects whose `content` is
/// made canonical.
fn body_pointers(root: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for kind in ["requestBodies", "responses"] {
        out.extend(walk::components(root, kind).into_iter().map(|(p, _, _)| p));
    }
    for (op_ptr, _, _, op) in walk::operations(root) {
        if op
            .get("requestBody")
            .is_some_and(|b| b.get("$ref").is_none())
        {
            out.push(format!("{op_ptr}/requestBody"));
        }
        for r in walk::responses(root, &op_ptr, op) {
            if r.declared.get("$ref").is_none() {
                out.push(r.ptr);
            }
        }
    }
    out
}

/// Every parameter object written in the document: of path items, operations and components.
fn parameter_pointers(root: &Value) -> Vec<String> {
    let mut out: Vec<String> = walk::components(root, "parameters")
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    for (item_ptr, _, item) in walk::path_items(root) {
        out.extend(
            walk::declared_parameters(&item_ptr, item)
                .into_iter()
                .map(|(p, _)| p),
        );
        for (op_ptr, _, op) in walk::item_operations(&item_ptr, item) {
            out.extend(
                walk::declared_parameters(&op_ptr, op)
                    .into_iter()
                    .map(|(p, _)| p),
            );
        }
    }
    out
}

/// Whether a schema describes bytes rather than JSON.
pub fn is_binary_schema(schema: &Value) -> bool {
    let ty = schema.get("type").and_then(Value::as_str);
    ty == Some("file")
        || (ty == Some("string") && schema.get("format").and_then(Value::as_str) == Some("binary"))
}

/// The one media type a body keeps: `application/json` with the schema and every example of
/// its JSON entries, or `application/octet-stream` for bytes. Media types the client does not
/// handle (XML, forms, text) are left as they are, for the checks to refuse by name.
fn canonical_content(holder: &mut Value) {
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return;
    };
    let entries: Vec<(MediaKind, &Value)> = content
        .iter()
        .map(|(m, v)| (walk::media_kind(m), v))
        .collect();
    let jsonish = |k: MediaKind| matches!(k, MediaKind::Json | MediaKind::Any);
    let primary = entries
        .iter()
        .find(|(k, v)| jsonish(*k) && v.get("schema").is_some())
        .or_else(|| {
            entries
                .iter()
                .find(|(k, v)| *k == MediaKind::Binary && v.get("schema").is_some())
        })
        .or_else(|| entries.iter().find(|(k, _)| jsonish(*k)))
        .or_else(|| entries.iter().find(|(k, _)| *k == MediaKind::Binary));
    let Some((kind, primary)) = primary else {
        return;
    };
    let schema = primary.get("schema").cloned();
    let binary = *kind == MediaKind::Binary || schema.as_ref().is_some_and(is_binary_schema);
    let mut media = Map::new();
    let schema = match schema {
        Some(s) if binary => {
            let mut s = s;
            if let Some(o) = s.as_object_mut() {
                o.insert("type".into(), json!("string"));
                o.insert("format".into(), json!("binary"));
            }
            s
        }
        Some(s) => s,
        None if binary => json!({"type": "string", "format": "binary"}),
        // Examples with no schema: any JSON value.
        None => json!({}),
    };
    media.insert("schema".into(), schema);
    let mut examples = Map::new();
    let mut example = None;
    for (k, v) in &entries {
        if !(jsonish(*k) || *k == MediaKind::Binary) {
            continue;
        }
        if let Some(e) = v.get("examples").and_then(Value::as_object) {
            for (name, ex) in e {
                examples.entry(name.clone()).or_insert_with(|| ex.clone());
            }
        }
        if example.is_none() {
            example = v.get("example").cloned();
        }
    }
    if let Some(e) = example {
        media.insert("example".into(), e);
    }
    if !examples.is_empty() {
        media.insert("examples".into(), Value::Object(examples));
    }
    for (key, v) in primary.as_object().into_iter().flatten() {
        if !matches!(key.as_str(), "schema" | "example" | "examples") {
            media.insert(key.clone(), v.clone());
        }
    }
    let others: Vec<(String, Value)> = content
        .iter()
        .filter(|(m, _)| walk::media_kind(m) == MediaKind::Other)
        .map(|(m, v)| (m.clone(), v.clone()))
        .collect();
    let name = if binary {
        "application/octet-stream"
    } else {
        "application/json"
    };
    let mut new = Map::new();
    new.insert(name.to_string(), Value::Object(media));
    // A body that also offers a type the client does not handle keeps it, after the one it
    // uses, so that the checks can still name it where it is the only one.
    new.extend(others);
    holder["content"] = Value::Object(new);
}

/// Marks a parameter recognised by name with the setting it stands for.
fn mark_setting(p: &mut Value) {
    if p.get("x-client-setting").is_some() {
        return;
    }
    let (Some(location), Some(name)) = (
        p.get("in").and_then(Value::as_str),
        p.get("name").and_then(Value::as_str),
    ) else {
        return;
    };
    if let Some(setting) = recognised_setting(location, name) {
        p["x-client-setting"] = json!(setting);
    }
}

fn drop_undefined_required(s: &mut Value) {
    let Some(obj) = s.as_object_mut() else {
        return;
    };
    // Names another member of an `allOf` may define are left alone.
    if obj.contains_key("allOf") || obj.contains_key("$ref") {
        return;
    }
    let props: Vec<String> = match obj.get("properties").and_then(Value::as_object) {
        Some(p) => p.keys().cloned().collect(),
        None => return,
    };
    let Some(required) = obj.get_mut("required").and_then(Value::as_array_mut) else {
        return;
    };
    required.retain(|r| r.as_str().is_some_and(|n| props.iter().any(|p| p == n)));
    if required.is_empty() {
        obj.remove("required");
    }
}

/// An enumeration value written in the schema's type, where it can be: a boolean or a number
/// of a `type: string` enumeration as its JSON text, a number or boolean written as a string
/// as that number or boolean.
pub fn retyped(ty: &str, v: &Value) -> Option<Value> {
    match (ty, v) {
        ("string", Value::Bool(_) | Value::Number(_)) => Some(Value::String(v.to_string())),
        ("integer" | "number", Value::String(t)) => t
            .trim()
            .parse::<serde_json::Number>()
            .ok()
            .filter(|n| ty == "number" || n.is_i64() || n.is_u64())
            .map(Value::Number),
        ("boolean", Value::String(t)) => match t.trim() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

fn retype_enum(s: &mut Value) {
    let Some(ty) = s.get("type").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    let Some(values) = s.get_mut("enum").and_then(Value::as_array_mut) else {
        return;
    };
    let mut changed = false;
    for v in values.iter_mut() {
        if let Some(new) = retyped(&ty, v) {
            *v = new;
            changed = true;
        }
    }
    if changed {
        let mut seen = Vec::new();
        values.retain(|v| {
            let first = !seen.contains(v);
            seen.push(v.clone());
            first
        });
    }
}

/// A parameter whose own (inline) scalar schema has constraints, without them: typify would
/// make each such parameter a validating newtype of its own (`<Operation><Parameter>`, one
/// per operation for the same `project_id`), which the entry points would then take instead
/// of a string or a number. The entry points check these constraints themselves, with the
/// reason, before anything is sent (see `operations`). A parameter whose schema is a `$ref`
/// keeps its named type.
fn unconstrained(mut p: Value) -> Value {
    let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
        return p;
    };
    let scalar = matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number")
    );
    if scalar && !schema.contains_key("$ref") && !schema.contains_key("enum") {
        for key in CHECKED_BY_ENTRY_POINTS {
            schema.remove(key);
        }
    }
    p
}

/// The constraints of a scalar parameter that the entry points check (`operations::checks`).
const CHECKED_BY_ENTRY_POINTS: [&str; 7] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
];

/// The copy of the canonical document that progenitor is given: without the parameters the
/// client writes itself (credentials, `Content-Type`), and with the constraints of inline
/// parameter schemas left to the entry points (`unconstrained`).
pub fn for_progenitor(root: &mut Value) {
    let client_set = |p: &Value, root: &Value| {
        walk::resolve(root, p)
            .get("x-client-setting")
            .and_then(Value::as_str)
            .is_some_and(set_by_client)
    };
    let mut holders: Vec<String> = Vec::new();
    for (item_ptr, _, item) in walk::path_items(root) {
        holders.push(item_ptr.clone());
        for (op_ptr, _, _) in walk::item_operations(&item_ptr, item) {
            holders.push(op_ptr);
        }
    }
    for ptr in holders {
        let Some(params) = root
            .pointer(&ptr)
            .and_then(|h| h.get("parameters"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        let kept: Vec<Value> = params
            .iter()
            .filter(|p| !client_set(p, root))
            .cloned()
            .map(unconstrained)
            .collect();
        if kept == *params {
            continue;
        }
        if let Some(h) = root.pointer_mut(&ptr).and_then(Value::as_object_mut) {
            if kept.is_empty() {
                h.remove("parameters");
            } else {
                h.insert("parameters".into(), Value::Array(kept));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(doc: Value) -> Spec {
        Spec::parse("t.json", doc.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn json_with_parameters_wildcards_and_examples_only_entries_become_one_entry() {
        let s = spec(json!({
            "openapi": "3.0.3",
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json;charset=UTF-8": {"schema": {"type": "object"}}}},
                "responses": {
                    "200": {"description": "ok", "content": {
                        "*/*": {"schema": {"$ref": "#/components/schemas/A"}},
                        "application/json": {"examples": {"r": {"value": {"a": 1}}}}
                    }},
                    "201": {"description": "file", "content": {
                        "application/json": {"schema": {"type": "string", "format": "binary"}}
                    }},
                    "202": {"description": "text", "content": {"text/plain": {"schema": {"type": "string"}}}}
                }
            }}},
            "components": {"schemas": {"A": {"type": "object"}}}
        }));
        let c = canonical(&s);
        let op = &c.root["paths"]["/x"]["post"];
        assert_eq!(
            op["requestBody"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        assert_eq!(
            op["responses"]["200"]["content"],
            json!({"application/json": {
                "schema": {"$ref": "#/components/schemas/A"},
                "examples": {"r": {"value": {"a": 1}}}
            }})
        );
        assert_eq!(
            op["responses"]["201"]["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        // What the client does not handle is left for the checks to name.
        assert_eq!(
            op["responses"]["202"]["content"],
            s.root["paths"]["/x"]["post"]["responses"]["202"]["content"]
        );
    }

    #[test]
    fn settings_are_recognised_by_name_and_location_unless_the_spec_says_otherwise() {
        let s = spec(json!({
            "openapi": "3.0.3",
            "paths": {"/v3/{project_id}/x": {"get": {
                "parameters": [
                    {"name": "project_id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "x-language", "in": "header", "schema": {"type": "string"}},
                    {"name": "x-Auth-Token", "in": "header", "schema": {"type": "string"}},
                    {"name": "Content-Type", "in": "header", "schema": {"type": "string"}},
                    {"name": "Authorization", "in": "header", "x-client-setting": "none", "schema": {"type": "string"}},
                    {"name": "project_id", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"204": {"description": "none"}}
            }}}
        }));
        let c = canonical(&s);
        let params = c.root["paths"]["/v3/{project_id}/x"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let settings: Vec<Option<&str>> = params
            .iter()
            .map(|p| p.get("x-client-setting").and_then(Value::as_str))
            .collect();
        assert_eq!(
            settings,
            [
                Some("project-id"),
                Some("language"),
                Some("auth"),
                Some("content-type"),
                Some("none"),
                None
            ]
        );
        let mut progenitor = c.root.clone();
        for_progenitor(&mut progenitor);
        let names: Vec<&str> = progenitor["paths"]["/v3/{project_id}/x"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["project_id", "x-language", "Authorization", "project_id"]
        );
    }

    #[test]
    fn undefined_required_names_and_mistyped_enum_values_are_made_consistent() {
        let s = spec(json!({
            "openapi": "3.0.3",
            "paths": {},
            "components": {"schemas": {
                "Quota": {
                    "type": "object",
                    "required": ["availability_vcpus_quota ", "type", "name"],
                    "properties": {"availability_vcpus_quota": {"type": "integer"}, "name": {"type": "string"}}
                },
                "Flag": {"type": "string", "enum": [true, false, "true"]},
                "Size": {"type": "integer", "enum": ["10", 15, "x"]},
                "Merged": {"allOf": [{"$ref": "#/components/schemas/Quota"}], "required": ["type"]}
            }}
        }));
        let c = canonical(&s);
        let schemas = &c.root["components"]["schemas"];
        assert_eq!(schemas["Quota"]["required"], json!(["name"]));
        assert_eq!(schemas["Flag"]["enum"], json!(["true", "false"]));
        assert_eq!(schemas["Size"]["enum"], json!([10, 15, "x"]));
        assert_eq!(schemas["Merged"]["required"], json!(["type"]));
        // The positions are the original file's.
        assert_eq!(
            c.pos("/components/schemas/Quota/required/0"),
            s.pos("/components/schemas/Quota/required/0")
        );
    }
}
