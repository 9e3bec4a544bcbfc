//! Validating the spec's examples and defaults against their schemas.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema draft 4: the differences that matter here are
//! `nullable` (turned into a `null` type) and `$ref`s into `#/components/schemas`, which
//! resolve because each schema is validated inside a document that carries the spec's
//! `components`. Examples kept as documentation under `x-` keys are not validated here.

use serde_json::{Map, Value};

use crate::model::walk::{self, SUBSCHEMA, SUBSCHEMA_LISTS};

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
    // A parameter, header or media type: its `example`/`examples` against its `schema`.
    for (ptr, holder) in walk::schema_holders(root) {
        if let Some(schema) = holder.get("schema") {
            for (ex_ptr, example) in walk::examples_of(&ptr, holder) {
                validate(schema, example, &components, &ex_ptr, &mut out);
            }
        }
    }
    // Every schema: its own `example` and `default`.
    for (ptr, schema) in walk::schemas(root) {
        for key in ["example", "default"] {
            if let Some(v) = schema.get(key) {
                validate(schema, v, &components, &format!("{ptr}/{key}"), &mut out);
            }
        }
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

/// An OpenAPI 3.0 schema as a JSON Schema (draft 4) schema: `nullable` becomes a `null`
/// type, `example` goes. Examples are validated with it.
pub fn to_json_schema(schema: &Value) -> Value {
    convert(schema, false)
}

/// An OpenAPI 3.0 schema as the strict JSON Schema (draft 4) schema that a live response is
/// checked against: as [`to_json_schema`], and also the siblings of a `$ref` dropped (OpenAPI
/// 3.0 ignores them), OpenAPI's integer formats as ranges (`int32`, `int64`), its other
/// formats that JSON Schema does not know left out, and properties an object schema does not
/// declare forbidden (`additionalProperties: false`) unless it says otherwise, so that they
/// are reported.
pub fn to_strict_json_schema(schema: &Value) -> Value {
    convert(schema, true)
}

fn convert(schema: &Value, strict: bool) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    if strict && let Some(r) = obj.get("$ref") {
        return serde_json::json!({ "$ref": r });
    }
    let mut out = Map::new();
    for (k, v) in obj {
        let v = match k.as_str() {
            "properties" => Value::Object(
                v.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(n, s)| (n.clone(), convert(s, strict)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            k if SUBSCHEMA.contains(&k) && v.is_object() => convert(v, strict),
            k if SUBSCHEMA_LISTS.contains(&k) => Value::Array(
                v.as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| convert(s, strict))
                    .collect(),
            ),
            "example" | "nullable" => continue,
            "format" if strict => {
                match v.as_str() {
                    Some("int32") => {
                        out.entry("minimum").or_insert(i32::MIN.into());
                        out.entry("maximum").or_insert(i32::MAX.into());
                    }
                    Some("int64") => {
                        out.entry("minimum").or_insert(i64::MIN.into());
                        out.entry("maximum").or_insert(i64::MAX.into());
                    }
                    Some(
                        "date-time" | "date" | "time" | "email" | "hostname" | "ipv4" | "ipv6"
                        | "uri" | "uri-reference" | "uuid",
                    ) => {
                        out.insert(k.clone(), v.clone());
                    }
                    _ => {}
                }
                continue;
            }
            k if strict && k.starts_with("x-") => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    if strict && obj.contains_key("properties") && !obj.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
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
    use serde_json::json;

    fn spec() -> Value {
        crate::workspace::spec().root
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
