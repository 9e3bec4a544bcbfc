//! Validating the spec's examples and defaults against their schemas.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema draft 4: the differences that matter here are
//! `nullable` (turned into a `null` type) and `$ref`s into `#/components/schemas`, which
//! resolve because each schema is validated inside a document that carries the spec's
//! `components`. Examples kept as documentation under `x-` keys are not validated here.

use serde_json::{Map, Value};

use crate::spec::{METHODS, escape_pointer};
use crate::walk::{children, declared_parameters, media};

/// An example or default that its schema rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// JSON pointer of the example (or default) in the spec.
    pub pointer: String,
    /// What the validator says, with the path inside the example.
    pub message: String,
}

/// Validates every example and default of the spec.
pub fn check(root: &Value) -> Vec<Invalid> {
    let mut out = Vec::new();
    let components = converted_components(root);
    let mut schemas: Vec<(String, &Value)> = Vec::new();
    if let Some(s) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in s {
            schemas.push((
                format!("/components/schemas/{}", escape_pointer(name)),
                schema,
            ));
        }
    }
    let mut holders: Vec<(String, &Value)> = Vec::new();
    for (kind, key) in [("parameters", "parameters"), ("headers", "headers")] {
        if let Some(map) = root
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
        {
            for (name, p) in map {
                holders.push((format!("/components/{key}/{}", escape_pointer(name)), p));
            }
        }
    }
    for (kind, key) in [
        ("responses", "responses"),
        ("requestBodies", "requestBodies"),
    ] {
        if let Some(map) = root
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
        {
            for (name, r) in map {
                media_holders(
                    &format!("/components/{key}/{}", escape_pointer(name)),
                    r,
                    &mut holders,
                );
            }
        }
    }
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let base = format!("/paths/{}", escape_pointer(path));
            params(&base, item, &mut holders);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_ptr = format!("{base}/{method}");
                params(&op_ptr, op, &mut holders);
                if let Some(body) = op.get("requestBody") {
                    media_holders(&format!("{op_ptr}/requestBody"), body, &mut holders);
                }
                if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                    for (code, r) in responses {
                        let ptr = format!("{op_ptr}/responses/{}", escape_pointer(code));
                        media_holders(&ptr, r, &mut holders);
                        if let Some(headers) = r.get("headers").and_then(Value::as_object) {
                            for (h, header) in headers {
                                holders
                                    .push((format!("{ptr}/headers/{}", escape_pointer(h)), header));
                            }
                        }
                    }
                }
            }
        }
    }
    // A parameter, header or media type: its `example`/`examples` against its `schema`.
    for (ptr, holder) in &holders {
        if let Some(schema) = holder.get("schema") {
            schemas.push((format!("{ptr}/schema"), schema));
            for (ex_ptr, example) in examples_of(ptr, holder) {
                validate(schema, example, &components, &ex_ptr, &mut out);
            }
        }
    }
    // Every schema: its own `example` and `default`, then its subschemas.
    while let Some((ptr, schema)) = schemas.pop() {
        for key in ["example", "default"] {
            if let Some(v) = schema.get(key) {
                validate(schema, v, &components, &format!("{ptr}/{key}"), &mut out);
            }
        }
        schemas.extend(children(&ptr, schema));
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

/// Validates one value against one schema of the spec; the issues are reported under `ptr`.
pub fn validate_value(root: &Value, schema: &Value, value: &Value, ptr: &str) -> Vec<Invalid> {
    let mut out = Vec::new();
    validate(schema, value, &converted_components(root), ptr, &mut out);
    out
}

fn params<'a>(base: &str, holder: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    // Component parameters are validated where they are defined.
    out.extend(
        declared_parameters(base, holder)
            .into_iter()
            .filter(|(_, p)| p.get("$ref").is_none()),
    );
}

fn media_holders<'a>(base: &str, holder: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    out.extend(media(base, holder));
}

fn examples_of<'a>(ptr: &str, holder: &'a Value) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    if let Some(e) = holder.get("example") {
        out.push((format!("{ptr}/example"), e));
    }
    if let Some(map) = holder.get("examples").and_then(Value::as_object) {
        for (name, e) in map {
            if let Some(v) = e.get("value") {
                out.push((format!("{ptr}/examples/{}/value", escape_pointer(name)), v));
            }
        }
    }
    out
}

/// The spec's `components`, with every schema converted to JSON Schema.
fn converted_components(root: &Value) -> Value {
    let mut components = root
        .get("components")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        for s in schemas.values_mut() {
            *s = to_json_schema(s);
        }
    }
    components
}

/// OpenAPI 3.0 schema to JSON Schema draft 4: `nullable: true` adds `null` to `type`
/// (or wraps an untyped schema in `anyOf` with `{"type": "null"}`); annotations stay.
pub fn to_json_schema(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        let v = match k.as_str() {
            "properties" => Value::Object(
                v.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(n, s)| (n.clone(), to_json_schema(s)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            "items" | "additionalProperties" | "not" if v.is_object() => to_json_schema(v),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                v.as_array()
                    .into_iter()
                    .flatten()
                    .map(to_json_schema)
                    .collect(),
            ),
            "example" | "nullable" => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), serde_json::json!([t, "null"]));
                if let Some(Value::Array(e)) = out.get_mut("enum") {
                    e.push(Value::Null);
                }
            }
            _ => {
                let inner = Value::Object(std::mem::take(&mut out));
                out.insert("anyOf".into(), serde_json::json!([inner, {"type": "null"}]));
            }
        }
    }
    Value::Object(out)
}

fn validate(schema: &Value, value: &Value, components: &Value, ptr: &str, out: &mut Vec<Invalid>) {
    let mut doc = match to_json_schema(schema) {
        Value::Object(m) => m,
        _ => return,
    };
    doc.insert("components".into(), components.clone());
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&Value::Object(doc))
    {
        Ok(v) => v,
        Err(e) => {
            out.push(Invalid {
                pointer: ptr.to_string(),
                message: format!("its schema cannot be used for validation: {e}"),
            });
            return;
        }
    };
    for error in validator.iter_errors(value) {
        let at = error.instance_path().to_string();
        let at = if at.is_empty() {
            String::new()
        } else {
            format!("at `{at}`: ")
        };
        out.push(Invalid {
            pointer: ptr.to_string(),
            message: format!("{at}{error}"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::{SPEC, workspace_root};
    use crate::spec::Spec;
    use serde_json::json;

    fn spec() -> Value {
        Spec::load(&workspace_root().join(SPEC)).unwrap().root
    }

    #[test]
    fn every_example_and_default_of_the_spec_is_valid() {
        let issues = check(&spec());
        assert!(issues.is_empty(), "{issues:#?}");
    }

    #[test]
    fn a_broken_example_is_reported_where_it_is() {
        let mut root = spec();
        let ex = root
            .pointer_mut(
                "/paths/~1v3~1{project_id}~1instances~1{instance_id}~1starrocks~1databases~1replication~1configuration\
                 /get/responses/200/content/application~1json/examples/page-corrected/value/database_info/db_config_check_results/1/check_result",
            )
            .unwrap();
        *ex = json!("failed");
        *root
            .pointer_mut("/components/parameters/TaskName/example")
            .unwrap() = json!("a-b");
        *root
            .pointer_mut("/components/schemas/Language/default")
            .unwrap() = json!("fr-fr");
        let issues = check(&root);
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(pointers.len(), 3, "{issues:#?}");
        assert_eq!(pointers[0], "/components/parameters/TaskName/example");
        assert_eq!(pointers[1], "/components/schemas/Language/default");
        assert!(
            pointers[2].ends_with("/page-corrected/value"),
            "{issues:#?}"
        );
        assert!(
            issues[2]
                .message
                .starts_with("at `/database_info/db_config_check_results/1/check_result`"),
            "{issues:#?}"
        );
    }

    /// The page's verbatim 200 example is kept as documentation because it breaks the page's
    /// own tables; this pins down exactly how, so that the recorded discrepancy stays true.
    #[test]
    fn the_page_example_breaks_the_schema_exactly_as_recorded() {
        let root = spec();
        let response = root
            .pointer("/paths/~1v3~1{project_id}~1instances~1{instance_id}~1starrocks~1databases~1replication~1configuration/get/responses/200")
            .unwrap();
        let schema = &response["content"]["application/json"]["schema"];
        let page = &response["x-page-example"]["value"];
        let issues = validate_value(&root, schema, page, "x-page-example");
        let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"at `/database_info/db_config_check_results/1/check_result`: "failed" is not one of "success" or "fail""#
            ]
        );
        assert!(page.get("table_info").is_some() && page.get("table_infos").is_none());
    }

    #[test]
    fn nullable_becomes_a_null_type() {
        assert_eq!(
            to_json_schema(&json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            to_json_schema(&json!({"allOf": [{"$ref": "#/x"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
        );
    }
}
