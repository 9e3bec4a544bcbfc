//! Swagger 2.0 to OpenAPI 3.0.3, as swagger2openapi (the reference converter, run on the
//! whole corpus by the tests) converts the constructs Huawei's definitions use, and nothing
//! of the workspace's conventions (those are [`super::conventions`]):
//!
//! - `definitions` are `components.schemas`, `#/definitions/X` is `#/components/schemas/X`;
//!   a schema's `x-nullable` is `nullable`, `type: file` is `type: string, format: binary`,
//!   a string `discriminator` is `{propertyName}`;
//! - a non-body parameter's type keywords are its `schema`, its `x-example` its `example`,
//!   `collectionFormat` is `style`/`explode`; `in: body` is the `requestBody`, with a media
//!   type per `consumes`; `in: formData` parameters are one object schema of a form body
//!   (`multipart/form-data` when one is a file or `consumes` says so);
//! - a response's `schema` goes under each media type of `produces` (the operation's, else
//!   the document's, else `application/json`: swagger2openapi writes `*/*`, but API Explorer's
//!   records leave `produces` out of operations whose bodies are JSON), and its `examples`,
//!   keyed by media type, are that media type's `examples.response`; `headers` get a `schema`;
//! - `#/parameters/X` and `#/responses/X` are inlined; `securityDefinitions` are
//!   `components.securitySchemes` (`basic` as HTTP basic, OAuth 2 flows renamed);
//! - `host`, `basePath` and `schemes` are `servers`.
//!
//! Every key the converter does not know is kept (extensions included), as swagger2openapi
//! keeps them. Each operation, parameter, request body and response it writes carries its
//! place in the source under [`SRC`], so that later passes can point into the definition;
//! [`strip_sources`] removes them.

use serde_json::{Map, Value, json};

use crate::model::spec::escape_pointer;
use crate::model::walk::METHODS;

/// The key under which a converted node records the JSON pointer of its source.
pub const SRC: &str = "\u{0}src";

/// The keywords of a non-body parameter that make up its schema.
const PARAM_SCHEMA_KEYS: [&str; 16] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
];

/// Converts a Swagger 2.0 document (already checked by [`super::read::check`]).
pub fn convert(doc: &Value) -> Value {
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert(
        "info".into(),
        doc.get("info")
            .cloned()
            .unwrap_or_else(|| json!({"title": "", "version": ""})),
    );
    if let Some(servers) = servers(doc) {
        out.insert("servers".into(), servers);
    }
    for key in ["tags", "security", "externalDocs"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let mut paths = Map::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item_ptr = format!("/paths/{}", escape_pointer(path));
        paths.insert(path.clone(), path_item(doc, &item_ptr, item));
    }
    out.insert("paths".into(), Value::Object(paths));
    let mut components = Map::new();
    if let Some(defs) = doc.get("definitions").and_then(Value::as_object) {
        let schemas: Map<String, Value> =
            defs.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    if let Some(defs) = doc.get("securityDefinitions").and_then(Value::as_object) {
        let schemes: Map<String, Value> = defs
            .iter()
            .map(|(k, v)| (k.clone(), security_scheme(v)))
            .collect();
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    out.insert("components".into(), Value::Object(components));
    for (k, v) in doc.as_object().into_iter().flatten() {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

fn servers(doc: &Value) -> Option<Value> {
    let host = doc.get("host").and_then(Value::as_str)?;
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base = if base == "/" { "" } else { base };
    let schemes: Vec<&str> = doc
        .get("schemes")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .filter(|s: &Vec<&str>| !s.is_empty())
        .unwrap_or_else(|| vec!["https"]);
    Some(Value::Array(
        schemes
            .into_iter()
            .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
            .collect(),
    ))
}

/// A Swagger 2.0 schema as OpenAPI 3.0.
pub fn schema(s: &Value) -> Value {
    let Some(obj) = s.as_object() else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "$ref" => {
                let r = v.as_str().unwrap_or_default();
                let r = match r.strip_prefix("#/definitions/") {
                    Some(name) => format!("#/components/schemas/{name}"),
                    None => r.to_string(),
                };
                out.insert(k.clone(), json!(r));
            }
            "x-nullable" => {
                out.insert("nullable".into(), v.clone());
            }
            "type" if v == "file" => {
                out.insert("type".into(), json!("string"));
                out.insert("format".into(), json!("binary"));
            }
            "discriminator" if v.is_string() => {
                out.insert(k.clone(), json!({ "propertyName": v }));
            }
            "properties" => {
                let props: Map<String, Value> = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, p)| (n.clone(), schema(p)))
                    .collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" if v.is_object() => {
                out.insert(k.clone(), schema(v));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list: Vec<Value> = v.as_array().into_iter().flatten().map(schema).collect();
                out.insert(k.clone(), Value::Array(list));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

fn path_item(doc: &Value, item_ptr: &str, item: &Value) -> Value {
    let mut out = Map::new();
    let shared: Vec<(String, &Value)> = crate::model::walk::declared_parameters(item_ptr, item);
    for (k, v) in item.as_object().into_iter().flatten() {
        if METHODS.contains(&k.as_str()) {
            let ptr = format!("{item_ptr}/{k}");
            out.insert(k.clone(), operation(doc, &ptr, v, &shared));
        } else if k == "parameters" {
            // Path-level parameters are given to each operation (a body cannot stay here).
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

fn operation(doc: &Value, ptr: &str, op: &Value, shared: &[(String, &Value)]) -> Value {
    let mut out = Map::new();
    let consumes = media_types(op.get("consumes").or_else(|| doc.get("consumes")));
    let produces = media_types(op.get("produces").or_else(|| doc.get("produces")));
    // The operation's parameters override the path item's of the same name and location.
    let own = crate::model::walk::declared_parameters(ptr, op);
    let resolved = |(p, v): &(String, &Value)| -> (String, Value) {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => (
                r.trim_start_matches('#').to_string(),
                r.strip_prefix('#')
                    .and_then(|local| doc.pointer(local))
                    .cloned()
                    .unwrap_or_else(|| (*v).clone()),
            ),
            None => (p.clone(), (*v).clone()),
        }
    };
    let own: Vec<(String, Value)> = own.iter().map(resolved).collect();
    let mut params: Vec<(String, Value)> = shared
        .iter()
        .map(resolved)
        .filter(|(_, s)| {
            !own.iter()
                .any(|(_, o)| o.get("name") == s.get("name") && o.get("in") == s.get("in"))
        })
        .collect();
    params.extend(own);
    let mut parameters = Vec::new();
    let mut body = None;
    let mut form: Vec<(String, Value)> = Vec::new();
    for (pptr, p) in params {
        match p.get("in").and_then(Value::as_str) {
            Some("body") => body = Some(request_body(&pptr, &p, &consumes)),
            Some("formData") => form.push((pptr, p)),
            _ => parameters.push(parameter(&pptr, &p)),
        }
    }
    if body.is_none() && !form.is_empty() {
        body = Some(form_body(ptr, &form, &consumes));
    }
    for (k, v) in op.as_object().into_iter().flatten() {
        match k.as_str() {
            "parameters" => {
                if !parameters.is_empty() {
                    out.insert(k.clone(), Value::Array(std::mem::take(&mut parameters)));
                }
                if let Some(b) = body.take() {
                    out.insert("requestBody".into(), b);
                }
            }
            "responses" => {
                let mut responses = Map::new();
                for (status, r) in v.as_object().into_iter().flatten() {
                    let rptr = format!("{ptr}/responses/{}", escape_pointer(status));
                    let (rptr, r) = match r.get("$ref").and_then(Value::as_str) {
                        Some(target) => (
                            target.trim_start_matches('#').to_string(),
                            target
                                .strip_prefix('#')
                                .and_then(|l| doc.pointer(l))
                                .unwrap_or(r),
                        ),
                        None => (rptr, r),
                    };
                    responses.insert(status.clone(), response(&rptr, r, &produces));
                }
                out.insert(k.clone(), Value::Object(responses));
            }
            "consumes" | "produces" | "schemes" => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    // Parameters inherited from the path item of an operation that declares none.
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(b) = body {
        out.insert("requestBody".into(), b);
    }
    out.insert(SRC.into(), json!(ptr));
    Value::Object(out)
}

fn media_types(v: Option<&Value>) -> Vec<String> {
    let list = crate::model::walk::strings(v);
    if list.is_empty() {
        vec!["application/json".into()]
    } else {
        list
    }
}

fn parameter(ptr: &str, p: &Value) -> Value {
    let mut out = Map::new();
    let mut schema_keys = Map::new();
    let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
    for (k, v) in p.as_object().into_iter().flatten() {
        match k.as_str() {
            k if PARAM_SCHEMA_KEYS.contains(&k) => {
                let v = if k == "items" { items(v) } else { v.clone() };
                schema_keys.insert(k.to_string(), v);
            }
            "x-example" => {
                out.insert("example".into(), v.clone());
            }
            "collectionFormat" => {
                let (style, explode) = match (v.as_str().unwrap_or("csv"), location) {
                    ("multi", _) => ("form", true),
                    ("ssv", _) => ("spaceDelimited", false),
                    ("pipes", _) => ("pipeDelimited", false),
                    (_, "query") => ("form", false),
                    _ => ("simple", false),
                };
                out.insert("style".into(), json!(style));
                out.insert("explode".into(), json!(explode));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if !schema_keys.is_empty() {
        out.insert("schema".into(), schema(&Value::Object(schema_keys)));
    }
    out.insert(SRC.into(), json!(ptr));
    Value::Object(out)
}

/// The `items` of a non-body parameter: a schema, its own `collectionFormat` dropped.
fn items(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("collectionFormat");
        if let Some(inner) = o.get("items").cloned() {
            o.insert("items".into(), items(&inner));
        }
    }
    v
}

fn request_body(ptr: &str, p: &Value, consumes: &[String]) -> Value {
    let mut out = Map::new();
    if let Some(d) = p.get("description") {
        out.insert("description".into(), d.clone());
    }
    let schema = schema(p.get("schema").unwrap_or(&Value::Null));
    let content: Map<String, Value> = consumes
        .iter()
        .map(|m| (m.clone(), json!({ "schema": schema })))
        .collect();
    out.insert("content".into(), Value::Object(content));
    // `required: false` is OpenAPI's default, and swagger2openapi leaves it out.
    if p.get("required") == Some(&Value::Bool(true)) {
        out.insert("required".into(), json!(true));
    }
    for (k, v) in p.as_object().into_iter().flatten() {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert(SRC.into(), json!(ptr));
    Value::Object(out)
}

fn form_body(op_ptr: &str, form: &[(String, Value)], consumes: &[String]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut file = false;
    for (_, p) in form {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut s = Map::new();
        for (k, v) in p.as_object().into_iter().flatten() {
            if PARAM_SCHEMA_KEYS.contains(&k.as_str()) || k == "description" {
                s.insert(k.clone(), if k == "items" { items(v) } else { v.clone() });
            }
        }
        file |= s.get("type") == Some(&json!("file"));
        properties.insert(name.to_string(), schema(&Value::Object(s)));
        if p.get("required") == Some(&Value::Bool(true)) {
            required.push(json!(name));
        }
    }
    let mut object = Map::new();
    object.insert("type".into(), json!("object"));
    object.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        object.insert("required".into(), Value::Array(required.clone()));
    }
    let forms: Vec<&String> = consumes
        .iter()
        .filter(|m| {
            m.starts_with("application/x-www-form-urlencoded") || m.starts_with("multipart/")
        })
        .collect();
    let media: Vec<String> = if !forms.is_empty() {
        forms.into_iter().cloned().collect()
    } else if file {
        vec!["multipart/form-data".into()]
    } else {
        vec!["application/x-www-form-urlencoded".into()]
    };
    let content: Map<String, Value> = media
        .into_iter()
        .map(|m| (m, json!({ "schema": Value::Object(object.clone()) })))
        .collect();
    let mut body = json!({ "content": content, SRC: op_ptr });
    if !required.is_empty() {
        body["required"] = json!(true);
    }
    body
}

fn response(ptr: &str, r: &Value, produces: &[String]) -> Value {
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    let mut content = Map::new();
    if let Some(s) = r.get("schema") {
        let s = schema(s);
        for m in produces {
            content.insert(m.clone(), json!({ "schema": s }));
        }
    }
    for (m, example) in r
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let media = content.entry(m.clone()).or_insert_with(|| json!({}));
        if let Some(o) = media.as_object_mut() {
            o.insert("examples".into(), json!({"response": {"value": example}}));
        }
    }
    for (k, v) in r.as_object().into_iter().flatten() {
        match k.as_str() {
            "description" | "schema" | "examples" => {}
            "headers" => {
                let headers: Map<String, Value> = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, h)| (n.clone(), header(h)))
                    .collect();
                out.insert(k.clone(), Value::Object(headers));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if !content.is_empty() {
        out.insert("content".into(), Value::Object(content));
    }
    out.insert(SRC.into(), json!(ptr));
    Value::Object(out)
}

fn header(h: &Value) -> Value {
    let mut out = Map::new();
    let mut s = Map::new();
    for (k, v) in h.as_object().into_iter().flatten() {
        if PARAM_SCHEMA_KEYS.contains(&k.as_str()) {
            s.insert(k.clone(), if k == "items" { items(v) } else { v.clone() });
        } else if k != "collectionFormat" {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("schema".into(), schema(&Value::Object(s)));
    Value::Object(out)
}

fn security_scheme(s: &Value) -> Value {
    let mut out = s.as_object().cloned().unwrap_or_default();
    match s.get("type").and_then(Value::as_str) {
        Some("basic") => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!("basic"));
        }
        Some("oauth2") => {
            let flow = match s.get("flow").and_then(Value::as_str) {
                Some("application") => "clientCredentials",
                Some("accessCode") => "authorizationCode",
                Some(other) => other,
                None => "implicit",
            };
            let mut f = Map::new();
            for k in ["authorizationUrl", "tokenUrl", "scopes"] {
                if let Some(v) = out.remove(k) {
                    f.insert(k.into(), v);
                }
            }
            f.entry("scopes").or_insert_with(|| json!({}));
            out.remove("flow");
            out.insert("flows".into(), json!({ flow: f }));
        }
        _ => {}
    }
    Value::Object(out)
}

/// Removes every [`SRC`] key.
pub fn strip_sources(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove(SRC);
            for c in m.values_mut() {
                strip_sources(c);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_sources),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(doc: Value) -> Value {
        let mut v = convert(&doc);
        strip_sources(&mut v);
        v
    }

    #[test]
    fn parameters_bodies_and_responses() {
        let doc = json!({
            "swagger": "2.0", "host": "h.example", "basePath": "/base", "schemes": ["https"],
            "consumes": ["application/json;charset=UTF-8"],
            "parameters": {"Shared": {"name": "s", "in": "query", "type": "integer", "x-example": 3}},
            "paths": {"/x/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
                "post": {
                    "operationId": "A",
                    "parameters": [
                        {"$ref": "#/parameters/Shared"},
                        {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                        {"name": "b", "in": "body", "required": true, "description": "d", "schema": {"$ref": "#/definitions/B"}}
                    ],
                    "produces": ["application/json"],
                    "responses": {
                        "200": {"description": "ok", "schema": {"type": "file"}, "examples": {"application/json": "x"}},
                        "400": {"description": "bad", "schema": {"$ref": "#/definitions/E"}, "x-extra": 1}
                    },
                    "x-apigateway-ratelimit": "g"
                }
            }},
            "definitions": {"B": {"type": "object", "properties": {"n": {"type": "string", "x-nullable": true}}}, "E": {"type": "object"}}
        });
        assert_eq!(
            converted(doc),
            json!({
                "openapi": "3.0.3", "info": {"title": "", "version": ""},
                "servers": [{"url": "https://h.example/base"}],
                "paths": {"/x/{id}": {"post": {
                    "operationId": "A",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "s", "in": "query", "schema": {"type": "integer"}, "example": 3},
                        {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": true}
                    ],
                    "requestBody": {"description": "d", "content": {"application/json;charset=UTF-8": {"schema": {"$ref": "#/components/schemas/B"}}}, "required": true},
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string", "format": "binary"}, "examples": {"response": {"value": "x"}}}}},
                        "400": {"description": "bad", "x-extra": 1, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
                    },
                    "x-apigateway-ratelimit": "g"
                }}},
                "components": {"schemas": {"B": {"type": "object", "properties": {"n": {"type": "string", "nullable": true}}}, "E": {"type": "object"}}}
            })
        );
    }

    #[test]
    fn form_data_and_security() {
        let doc = json!({
            "swagger": "2.0",
            "securityDefinitions": {"basic": {"type": "basic"}, "o": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "a", "tokenUrl": "t", "scopes": {"r": "read"}}},
            "paths": {"/f": {"put": {
                "operationId": "F",
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": true},
                    {"name": "note", "in": "formData", "type": "string"}
                ],
                "responses": {"204": {"description": "done"}}
            }}}
        });
        let v = converted(doc);
        assert_eq!(
            v["paths"]["/f"]["put"]["requestBody"],
            json!({"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}, "required": ["file"]}}},
                   "required": true})
        );
        assert_eq!(
            v["components"]["securitySchemes"],
            json!({"basic": {"type": "http", "scheme": "basic"},
                   "o": {"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "a", "tokenUrl": "t", "scopes": {"r": "read"}}}}})
        );
    }
}
