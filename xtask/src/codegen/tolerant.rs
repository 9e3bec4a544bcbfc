//! The tolerant-reader transform applied to the spec before progenitor sees it.
//!
//! The spec documents what the API documents: lengths, patterns, bounds and enumerations of
//! response fields. progenitor would turn each of them into a validating type whose
//! `Deserialize` rejects a response that breaks it, so one over-long table name, or one stage
//! the server added, would lose a whole response. So, in the copy progenitor is given:
//!
//! 1. **Schemas that requests and responses share are split**: requests get a copy named
//!    `<Name>Input` (`<Name>Input2`, ... if that is taken), and every `$ref` in a request's
//!    schemas points at the copies, so that requests stay strict while responses are relaxed.
//!    Components marked `x-open-enum: true` are not split: they are open on both sides.
//! 2. **Schemas reachable only from responses are relaxed**: `minLength`, `maxLength`,
//!    `pattern`, item counts, `uniqueItems` and numeric bounds removed, typed string formats
//!    (`date-time`, `uuid`, ...) and `additionalProperties: false` removed, enumerations of
//!    anything but strings removed (the value's type is kept), no `required` list, and every
//!    property `nullable`, so that a missing or `null` field decodes as `None`. It all stays
//!    in the spec, the docs and example validation.
//! 3. **Every string enumeration reachable from responses is open**: a component gets
//!    `x-open-enum: true` (unless it says `x-open-enum: false`), and an inline one becomes
//!    such a component, named as typify would have named its type (the parent's name and
//!    the property's, in Pascal case). Open enums keep the documented values as variants and
//!    any other value as `Other(String)`.
//!
//! Request schemas are left alone: requests are validated strictly.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::model::walk::{self, SUBSCHEMA, SUBSCHEMA_LISTS, children, ref_name};

/// Keywords that constrain a value without changing its Rust type.
pub const DOCUMENTED_ONLY: [&str; 11] = [
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// String formats typify turns into types whose parsing fails on a malformed value.
pub const TYPED_FORMATS: [&str; 6] = ["uuid", "date-time", "date", "ipv4", "ipv6", "ip"];

/// Names of component schemas reachable from requests and from responses.
#[derive(Debug, Default)]
pub struct Reach {
    pub request: BTreeSet<String>,
    pub response: BTreeSet<String>,
}

impl Reach {
    pub fn of(root: &Value) -> Reach {
        let mut reach = Reach::default();
        let components = root.pointer("/components/schemas");
        let (request_roots, response_roots) = walk::request_and_response_schemas(root);
        for schema in request_roots {
            schema_refs(schema, components, &mut reach.request);
        }
        for (_, schema) in response_roots {
            schema_refs(schema, components, &mut reach.response);
        }
        reach
    }

    /// Components that only responses use: the ones the transform relaxes.
    pub fn response_only(&self) -> impl Iterator<Item = &String> {
        self.response.iter().filter(|n| !self.request.contains(*n))
    }
}

/// Adds every component schema reachable from `schema` to `out`.
pub fn schema_refs(schema: &Value, components: Option<&Value>, out: &mut BTreeSet<String>) {
    if let Some(name) = ref_name(schema) {
        if out.insert(name.to_string())
            && let Some(target) = components.and_then(|c| c.get(name))
        {
            schema_refs(target, components, out);
        }
        return;
    }
    for (_, s) in children("", schema) {
        schema_refs(s, components, out);
    }
}

/// Applies the tolerant-reader transform to `root` in place.
pub fn apply(root: &mut Value) {
    split_shared(root);
    let reach = Reach::of(root);
    let names: Vec<String> = reach.response_only().cloned().collect();
    // Open every response enumeration first (an inline one becomes a component), then relax.
    let mut hoisted = Vec::new();
    for name in &names {
        hoist_enums(root, &schema_ptr(name), name, &mut hoisted);
    }
    for (ptr, type_name) in inline_response_schemas(root) {
        hoist_enums(root, &ptr, &type_name, &mut hoisted);
    }
    for name in names.iter().chain(&hoisted) {
        if let Some(schema) = root.pointer_mut(&schema_ptr(name)) {
            open_enum(schema);
            relax(schema);
        }
    }
    for (ptr, _) in inline_response_schemas(root) {
        if let Some(schema) = root.pointer_mut(&ptr) {
            relax(schema);
        }
    }
}

fn schema_ptr(name: &str) -> String {
    format!(
        "/components/schemas/{}",
        crate::model::spec::escape_pointer(name)
    )
}

/// The schemas that responses declare themselves (not a `$ref` to a component), of the
/// operations and of `components/responses`, with the name typify gives the type of each
/// (`<OperationId>Response`, as progenitor asks for it, or the response component's name).
fn inline_response_schemas(root: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |base: &str, holder: &Value, name: &str| {
        for (ptr, _, s) in walk::media_schemas(base, holder) {
            if ref_name(s).is_none() {
                out.push((ptr, name.to_string()));
            }
        }
    };
    for (ptr, name, r) in walk::components(root, "responses") {
        add(&ptr, r, name);
    }
    for (op_ptr, _, _, op) in walk::operations(root) {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
        for r in walk::responses(root, &op_ptr, op) {
            if r.declared.get("$ref").is_none() {
                add(&r.ptr, r.declared, &pascal(&format!("{id}_response")));
            }
        }
    }
    out
}

/// A name in Pascal case, as typify derives the names of inline types.
fn pascal(s: &str) -> String {
    use heck::ToPascalCase;
    s.to_pascal_case()
}

/// Component schemas used by both sides get a request copy (see the module docs).
fn split_shared(root: &mut Value) {
    let reach = Reach::of(root);
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let shared: Vec<String> = reach
        .request
        .intersection(&reach.response)
        .filter(|n| schemas.get(*n).and_then(|s| s.get("x-open-enum")) != Some(&Value::Bool(true)))
        .cloned()
        .collect();
    if shared.is_empty() {
        return;
    }
    let mut taken: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut copies: Vec<(String, String)> = Vec::new();
    for name in &shared {
        let mut copy = format!("{name}Input");
        let mut n = 2;
        while taken.contains(&copy) {
            copy = format!("{name}Input{n}");
            n += 1;
        }
        taken.insert(copy.clone());
        copies.push((name.clone(), copy));
    }
    let renamed = |target: &str| -> Option<String> {
        let name = target.strip_prefix("#/components/schemas/")?;
        copies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| format!("#/components/schemas/{c}"))
    };
    // The request side: request-only components, the copies, and the schemas of parameters
    // and request bodies.
    let request_only: Vec<String> = reach
        .request
        .iter()
        .filter(|n| !reach.response.contains(*n))
        .cloned()
        .collect();
    let mut pointers: Vec<String> = request_only.iter().map(|n| schema_ptr(n)).collect();
    pointers.extend(request_schema_pointers(root));
    if let Some(schemas) = root
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, copy) in &copies {
            if let Some(s) = schemas.get(name).cloned() {
                schemas.insert(copy.clone(), s);
            }
            pointers.push(schema_ptr(copy));
        }
    }
    for ptr in pointers {
        if let Some(s) = root.pointer_mut(&ptr) {
            rewrite_refs(s, &renamed);
        }
    }
}

/// The pointers of the schemas that parameters and request bodies declare.
fn request_schema_pointers(root: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let param = |ptr: String, p: &Value, out: &mut Vec<String>| {
        if p.get("schema").is_some() {
            out.push(format!("{ptr}/schema"));
        }
        out.extend(walk::media_schemas(&ptr, p).into_iter().map(|(s, _, _)| s));
    };
    for (ptr, _, p) in walk::components(root, "parameters") {
        param(ptr, p, &mut out);
    }
    for (ptr, _, b) in walk::components(root, "requestBodies") {
        out.extend(walk::media_schemas(&ptr, b).into_iter().map(|(s, _, _)| s));
    }
    for (item_ptr, _, item) in walk::path_items(root) {
        for (ptr, p) in walk::declared_parameters(&item_ptr, item) {
            param(ptr, p, &mut out);
        }
        for (op_ptr, _, op) in walk::item_operations(&item_ptr, item) {
            for (ptr, p) in walk::declared_parameters(&op_ptr, op) {
                param(ptr, p, &mut out);
            }
            if let Some(b) = op.get("requestBody") {
                let at = format!("{op_ptr}/requestBody");
                out.extend(walk::media_schemas(&at, b).into_iter().map(|(s, _, _)| s));
            }
        }
    }
    out
}

/// Rewrites the `$ref`s of a schema and its subschemas (not of example data).
fn rewrite_refs(s: &mut Value, renamed: &dyn Fn(&str) -> Option<String>) {
    match s {
        Value::Object(obj) => {
            if let Some(Value::String(target)) = obj.get_mut("$ref")
                && let Some(new) = renamed(target)
            {
                *target = new;
            }
            for (k, v) in obj.iter_mut() {
                if !matches!(k.as_str(), "example" | "examples" | "default" | "enum")
                    && !k.starts_with("x-")
                {
                    rewrite_refs(v, renamed);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                rewrite_refs(v, renamed);
            }
        }
        _ => {}
    }
}

/// Whether a schema is a string enumeration (what an open enum can hold).
fn is_string_enum(s: &Value) -> bool {
    let strings = s
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|vals| !vals.is_empty() && vals.iter().all(Value::is_string));
    strings && s.get("type").is_none_or(|t| t == "string") && ref_name(s).is_none()
}

/// Marks a component that is a string enumeration open, unless it says otherwise.
fn open_enum(schema: &mut Value) {
    if is_string_enum(schema)
        && let Some(obj) = schema.as_object_mut()
        && !obj.contains_key("x-open-enum")
    {
        obj.insert("x-open-enum".into(), Value::Bool(true));
        obj.insert("type".into(), json!("string"));
    }
}

/// Moves every inline string enumeration under the schema at `ptr` (whose type typify names
/// `type_name`) into a component of its own, named as typify would name its type, and adds
/// the new components' names to `hoisted`.
fn hoist_enums(root: &mut Value, ptr: &str, type_name: &str, hoisted: &mut Vec<String>) {
    // (pointer of an inline enumeration, the name of its type), found first, moved after.
    let mut found: Vec<(String, String)> = Vec::new();
    let Some(start) = root.pointer(ptr) else {
        return;
    };
    let mut stack = vec![(ptr.to_string(), type_name.to_string(), start, true)];
    while let Some((p, name, s, top)) = stack.pop() {
        if ref_name(s).is_some() {
            continue;
        }
        if !top && is_string_enum(s) {
            found.push((p, name));
            continue;
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                stack.push((
                    format!("{p}/properties/{}", crate::model::spec::escape_pointer(k)),
                    pascal(&format!("{name}_{k}")),
                    v,
                    false,
                ));
            }
        }
        if let Some(items) = s.get("items").filter(|i| i.is_object()) {
            stack.push((
                format!("{p}/items"),
                pascal(&format!("{name}_item")),
                items,
                false,
            ));
        }
        if let Some(extra) = s.get("additionalProperties").filter(|i| i.is_object()) {
            stack.push((
                format!("{p}/additionalProperties"),
                pascal(&format!("{name}_value")),
                extra,
                false,
            ));
        }
    }
    for (p, name) in found {
        let taken = |n: &str| root.pointer(&schema_ptr(n)).is_some();
        let mut unique = name.clone();
        let mut n = 2;
        while taken(&unique) {
            unique = format!("{name}{n}");
            n += 1;
        }
        let Some(inline) = root.pointer_mut(&p) else {
            continue;
        };
        let schema = std::mem::replace(
            inline,
            json!({ "$ref": format!("#/components/schemas/{unique}") }),
        );
        if let Some(d) = schema.get("description") {
            *inline = json!({"allOf": [{"$ref": format!("#/components/schemas/{unique}")}], "description": d});
        }
        let Some(components) = root
            .as_object_mut()
            .map(|o| o.entry("components").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        components.insert(unique.clone(), schema);
        hoisted.push(unique);
    }
}

/// Relaxes one schema and its inline subschemas (not what its `$ref`s point at).
fn relax(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.contains_key("$ref") {
        return;
    }
    for key in DOCUMENTED_ONLY {
        obj.remove(key);
    }
    obj.remove("required");
    if obj
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| TYPED_FORMATS.contains(&f))
        && obj.get("type").and_then(Value::as_str) == Some("string")
    {
        obj.remove("format");
    }
    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.remove("additionalProperties");
    }
    let string_enum = obj
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|v| v.iter().all(Value::is_string));
    if !string_enum {
        obj.remove("enum");
    }
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for prop in props.values_mut() {
            relax(prop);
            make_nullable(prop);
        }
    }
    // Not `not`: a constraint removed under `not` would make the schema stricter.
    for key in SUBSCHEMA.into_iter().filter(|k| *k != "not") {
        if let Some(s) = obj.get_mut(key).filter(|s| s.is_object()) {
            relax(s);
        }
    }
    for key in SUBSCHEMA_LISTS {
        for s in obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            relax(s);
        }
    }
}

/// Marks a property `nullable`; a bare `$ref` is wrapped in `allOf` first, since 3.0 ignores
/// keywords beside `$ref`.
fn make_nullable(prop: &mut Value) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    if obj.contains_key("$ref") {
        let reference = obj.remove("$ref").unwrap_or(Value::Null);
        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
    // An untyped schema already accepts null.
    let typed = obj.contains_key("type")
        || obj.contains_key("allOf")
        || obj.contains_key("oneOf")
        || obj.contains_key("anyOf");
    if typed {
        obj.insert("nullable".into(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({
            "paths": {"/x/{id}": {"get": {
                "parameters": [
                    {"name": "id", "in": "path", "schema": {"$ref": "#/components/schemas/Shared"}},
                    {"$ref": "#/components/parameters/Q"}
                ],
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}}
            }}},
            "components": {
                "parameters": {"Q": {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}}},
                "schemas": {
                    "Name": {"type": "string", "maxLength": 3},
                    "Shared": {"type": "string", "maxLength": 5},
                    "Body": {"type": "object", "required": ["a"], "properties": {
                        "a": {"type": "string", "minLength": 2, "pattern": "^x$"},
                        "b": {"$ref": "#/components/schemas/Inner"},
                        "s": {"$ref": "#/components/schemas/Shared"},
                        "n": {"type": "integer", "minimum": 0},
                        "any": {"description": "untyped"}
                    }},
                    "Inner": {"type": "object", "properties": {"t": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 9}}}}
                }
            }
        })
    }

    #[test]
    fn reach_separates_requests_from_responses() {
        let r = Reach::of(&spec());
        assert_eq!(r.request.iter().collect::<Vec<_>>(), ["Name", "Shared"]);
        assert_eq!(
            r.response.iter().collect::<Vec<_>>(),
            ["Body", "Inner", "Shared"]
        );
        assert_eq!(r.response_only().collect::<Vec<_>>(), ["Body", "Inner"]);
    }

    #[test]
    fn response_only_schemas_are_relaxed_and_request_schemas_kept() {
        let mut s = spec();
        apply(&mut s);
        let c = &s["components"]["schemas"];
        assert_eq!(
            c["Body"]["properties"]["a"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            c["Body"]["properties"]["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/Inner"}], "nullable": true})
        );
        assert_eq!(
            c["Body"]["properties"]["n"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            c["Body"]["properties"]["any"],
            json!({"description": "untyped"})
        );
        assert!(c["Body"].get("required").is_none());
        assert_eq!(
            c["Inner"]["properties"]["t"],
            json!({"type": "array", "items": {"type": "string"}, "nullable": true})
        );
        // Shared with a request parameter: split. The response keeps the name, relaxed; the
        // request gets a strict copy, and its `$ref` points at it.
        assert_eq!(c["Shared"], json!({"type": "string"}));
        assert_eq!(c["SharedInput"], json!({"type": "string", "maxLength": 5}));
        assert_eq!(
            s["paths"]["/x/{id}"]["get"]["parameters"][0]["schema"],
            json!({"$ref": "#/components/schemas/SharedInput"})
        );
        assert_eq!(c["Name"], json!({"type": "string", "maxLength": 3}));
    }

    #[test]
    fn every_response_enumeration_is_open_and_requests_keep_theirs_closed() {
        let mut s = json!({
            "paths": {"/r": {"post": {
                "operationId": "ListTasks",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Config"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
                        "mode": {"type": "string", "enum": ["a", "b"]},
                        "config": {"$ref": "#/components/schemas/Config"}
                    }
                }}}}}
            }}},
            "components": {"schemas": {
                "Task": {"type": "object", "properties": {
                    "stage": {"type": "string", "description": "Stage.", "enum": ["wait", "full"]},
                    "size": {"type": "integer", "enum": [10, 15]},
                    "flags": {"type": "array", "items": {"type": "string", "enum": ["x"]}},
                    "level": {"$ref": "#/components/schemas/Level"}
                }},
                "Config": {"type": "object", "required": ["scope"], "properties": {
                    "scope": {"$ref": "#/components/schemas/Scope"}
                }},
                "Scope": {"type": "string", "enum": ["all", "part"]},
                "TaskStage": {"type": "string", "description": "Taken already."},
                "Level": {"type": "string", "enum": ["x"], "x-open-enum": false}
            }}
        });
        apply(&mut s);
        let c = &s["components"]["schemas"];
        // Inline ones become components named as typify names their types.
        assert_eq!(
            c["TaskStage2"],
            json!({"type": "string", "description": "Stage.", "enum": ["wait", "full"], "x-open-enum": true})
        );
        assert_eq!(
            c["Task"]["properties"]["stage"],
            json!({"allOf": [{"$ref": "#/components/schemas/TaskStage2"}], "description": "Stage.", "nullable": true})
        );
        assert_eq!(c["TaskFlagsItem"]["x-open-enum"], json!(true));
        assert_eq!(c["ListTasksResponseMode"]["x-open-enum"], json!(true));
        // An integer enumeration keeps its type and loses its values.
        assert_eq!(
            c["Task"]["properties"]["size"],
            json!({"type": "integer", "nullable": true})
        );
        // Shared: the response's `Scope` is open, the request's `ScopeInput` closed and strict.
        assert_eq!(c["Scope"]["x-open-enum"], json!(true));
        assert_eq!(
            c["ScopeInput"],
            json!({"type": "string", "enum": ["all", "part"]})
        );
        assert_eq!(
            c["ConfigInput"]["properties"]["scope"],
            json!({"$ref": "#/components/schemas/ScopeInput"})
        );
        assert_eq!(c["ConfigInput"]["required"], json!(["scope"]));
        assert!(c["Config"].get("required").is_none());
        assert_eq!(
            s["paths"]["/r"]["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/ConfigInput"})
        );
        // `x-open-enum: false` is the spec's to say.
        assert_eq!(c["Level"]["x-open-enum"], json!(false));
    }
}
