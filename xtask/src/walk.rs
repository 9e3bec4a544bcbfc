//! Walking an OpenAPI 3.0 document held as JSON: the helpers the loader's checks, the
//! tolerant transform, lint, docs, diff and example validation share.

use serde_json::Value;

use crate::spec::escape_pointer;

/// Follows a local `$ref` (one level, as parameters and responses allow).
pub fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(ptr) => root.pointer(ptr).unwrap_or(v),
        None => v,
    }
}

/// The component name a schema `$ref` points at.
pub fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// The component a schema stands for: its `$ref`, or the one `$ref` of an `allOf` wrapper
/// (the way a property with its own description references a component).
pub fn component(schema: &Value) -> Option<&str> {
    if let Some(n) = ref_name(schema) {
        return Some(n);
    }
    match schema.get("allOf")?.as_array()?.as_slice() {
        [only] => ref_name(only),
        _ => None,
    }
}

/// The direct subschemas of a schema (properties, items, additional properties, `not`, and
/// the members of `allOf`/`anyOf`/`oneOf`), with their pointers under `ptr`.
pub fn children<'a>(ptr: &str, s: &'a Value) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (n, p) in props {
            out.push((format!("{ptr}/properties/{}", escape_pointer(n)), p));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(c) = s.get(key).filter(|c| c.is_object()) {
            out.push((format!("{ptr}/{key}"), c));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, c) in s
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push((format!("{ptr}/{key}/{i}"), c));
        }
    }
    out
}

/// The parameters declared in `holder` (a path item or an operation), as written, with their
/// pointers under `base`.
pub fn declared_parameters<'a>(base: &str, holder: &'a Value) -> Vec<(String, &'a Value)> {
    holder
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| (format!("{base}/parameters/{i}"), p))
        .collect()
}

/// Every parameter of an operation, the path item's first, `$ref`s resolved.
pub fn parameters<'a>(
    root: &'a Value,
    path: &str,
    op_ptr: &str,
    op: &'a Value,
) -> Vec<(String, &'a Value)> {
    let item_ptr = format!("/paths/{}", escape_pointer(path));
    let item = &root["paths"][path];
    let mut out = declared_parameters(&item_ptr, item);
    out.extend(declared_parameters(op_ptr, op));
    out.into_iter()
        .map(|(ptr, p)| (ptr, resolve(root, p)))
        .collect()
}

/// The media types of a request body, response or parameter (`content`), with pointers.
pub fn media<'a>(base: &str, holder: &'a Value) -> Vec<(String, &'a Value)> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(m, v)| (format!("{base}/content/{}", escape_pointer(m)), v))
        .collect()
}

/// A string field, trimmed; empty when absent.
pub fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_through_refs_and_allof_wrappers() {
        assert_eq!(
            component(&json!({"$ref": "#/components/schemas/A"})),
            Some("A")
        );
        assert_eq!(
            component(&json!({"allOf": [{"$ref": "#/components/schemas/B"}], "description": "x"})),
            Some("B")
        );
        assert_eq!(
            component(&json!({"allOf": [{"$ref": "#/components/schemas/B"}, {}]})),
            None
        );
        assert_eq!(component(&json!({"type": "string"})), None);
    }

    #[test]
    fn parameters_of_path_item_and_operation_resolved() {
        let root = json!({
            "paths": {"/x": {"parameters": [{"$ref": "#/components/parameters/P"}], "get": {"parameters": [{"name": "q", "in": "query"}]}}},
            "components": {"parameters": {"P": {"name": "p", "in": "path"}}}
        });
        let op = &root["paths"]["/x"]["get"];
        let ps = parameters(&root, "/x", "/paths/~1x/get", op);
        let names: Vec<(&str, &str)> = ps
            .iter()
            .map(|(ptr, p)| (ptr.as_str(), p["name"].as_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                ("/paths/~1x/parameters/0", "p"),
                ("/paths/~1x/get/parameters/0", "q")
            ]
        );
    }
}
