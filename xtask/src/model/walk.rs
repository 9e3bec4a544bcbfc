//! Walking an OpenAPI 3.0 document held as JSON: every traversal the commands share (path
//! items and operations, parameters, responses and their schemas, components, the objects
//! that hold a schema, every schema, subschemas, references and examples). Commands ask this
//! module; none loops over paths and methods itself. Each function returns what it finds with
//! its JSON pointer, so that messages can point into the YAML.

use serde_json::Value;

use crate::model::spec::escape_pointer;

/// The HTTP methods an OpenAPI 3.0 path item can hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every path item: (JSON pointer, path, path item).
pub fn path_items(root: &Value) -> Vec<(String, &String, &Value)> {
    root.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(path, item)| (format!("/paths/{}", escape_pointer(path)), path, item))
        .collect()
}

/// The operations of one path item: (JSON pointer, method, operation object).
pub fn item_operations<'a>(
    item_ptr: &str,
    item: &'a Value,
) -> Vec<(String, &'static str, &'a Value)> {
    METHODS
        .into_iter()
        .filter_map(|method| Some((format!("{item_ptr}/{method}"), method, item.get(method)?)))
        .collect()
}

/// Every operation: (JSON pointer, method, path, operation object).
pub fn operations(root: &Value) -> Vec<(String, &'static str, String, &Value)> {
    path_items(root)
        .into_iter()
        .flat_map(|(item_ptr, path, item)| {
            item_operations(&item_ptr, item)
                .into_iter()
                .map(move |(ptr, method, op)| (ptr, method, path.clone(), op))
        })
        .collect()
}

/// The components of one kind (`schemas`, `parameters`, `responses`, ...): (JSON pointer,
/// name, component).
pub fn components<'a>(root: &'a Value, kind: &str) -> Vec<(String, &'a String, &'a Value)> {
    root.get("components")
        .and_then(|c| c.get(kind))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, v)| {
            (
                format!("/components/{kind}/{}", escape_pointer(name)),
                name,
                v,
            )
        })
        .collect()
}

/// One response of an operation.
pub struct Response<'a> {
    /// Where the operation declares it (`.../responses/<status>`).
    pub ptr: String,
    pub status: &'a String,
    /// The response as written: perhaps a `$ref`.
    pub declared: &'a Value,
    /// The response, its `$ref` followed.
    pub body: &'a Value,
}

/// The responses of an operation, in the order written.
pub fn responses<'a>(root: &'a Value, op_ptr: &str, op: &'a Value) -> Vec<Response<'a>> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(status, declared)| Response {
            ptr: format!("{op_ptr}/responses/{}", escape_pointer(status)),
            status,
            declared,
            body: resolve(root, declared),
        })
        .collect()
}

/// The `schema` of every media type of `holder` (a request body, response or parameter):
/// (JSON pointer of the schema, media type, schema).
pub fn media_schemas<'a>(base: &str, holder: &'a Value) -> Vec<(String, &'a String, &'a Value)> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(m, v)| {
            Some((
                format!("{base}/content/{}/schema", escape_pointer(m)),
                m,
                v.get("schema")?,
            ))
        })
        .collect()
}

/// What a media type is to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json`, with or without parameters (`application/json;charset=UTF-8`),
    /// or `application/<anything>+json`.
    Json,
    /// `*/*` or `application/*`: JSON unless the schema says bytes.
    Any,
    /// `application/octet-stream`.
    Binary,
    /// Anything else (text, XML, forms): not handled by the client.
    Other,
}

/// What `media` (a `content` key) is to the client; case and parameters do not matter.
pub fn media_kind(media: &str) -> MediaKind {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => MediaKind::Json,
        e if e.starts_with("application/") && e.ends_with("+json") => MediaKind::Json,
        "*/*" | "application/*" => MediaKind::Any,
        "application/octet-stream" => MediaKind::Binary,
        _ => MediaKind::Other,
    }
}

/// The JSON media type of a response or request body (the first, if it has several).
pub fn json_media(holder: &Value) -> Option<&Value> {
    holder
        .get("content")?
        .as_object()?
        .iter()
        .find(|(m, _)| media_kind(m) == MediaKind::Json)
        .map(|(_, v)| v)
}

/// The named examples of a response's JSON body: (name, example object).
pub fn json_examples(response: &Value) -> Vec<(&String, &Value)> {
    json_media(response)
        .and_then(|m| m.get("examples"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect()
}

/// The page's verbatim example of a response (`x-page-example`), kept as documentation.
pub fn page_example(response: &Value) -> Option<&Value> {
    response.get("x-page-example")
}

/// The examples of a parameter, header or media type: its `example` and the `value` of each
/// of its `examples`, with their pointers under `ptr`.
pub fn examples_of<'a>(ptr: &str, holder: &'a Value) -> Vec<(String, &'a Value)> {
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

/// The objects that hold a `schema` (and examples of it): parameters and headers, of the
/// components, path items, operations and responses, and the media types of request bodies
/// and responses. A parameter that is a `$ref` is left to the component it points at.
pub fn schema_holders(root: &Value) -> Vec<(String, &Value)> {
    let mut holders: Vec<(String, &Value)> = Vec::new();
    for kind in ["parameters", "headers"] {
        holders.extend(
            components(root, kind)
                .into_iter()
                .map(|(ptr, _, p)| (ptr, p)),
        );
    }
    for kind in ["responses", "requestBodies"] {
        for (ptr, _, r) in components(root, kind) {
            holders.extend(media(&ptr, r).into_iter().map(|(ptr, _, m)| (ptr, m)));
        }
    }
    let own_parameters = |base: &str, holder| {
        declared_parameters(base, holder)
            .into_iter()
            .filter(|(_, p)| p.get("$ref").is_none())
    };
    for (item_ptr, _, item) in path_items(root) {
        holders.extend(own_parameters(&item_ptr, item));
        for (op_ptr, _, op) in item_operations(&item_ptr, item) {
            holders.extend(own_parameters(&op_ptr, op));
            if let Some(body) = op.get("requestBody") {
                let at = format!("{op_ptr}/requestBody");
                holders.extend(media(&at, body).into_iter().map(|(ptr, _, m)| (ptr, m)));
            }
            for r in responses(root, &op_ptr, op) {
                holders.extend(
                    media(&r.ptr, r.declared)
                        .into_iter()
                        .map(|(ptr, _, m)| (ptr, m)),
                );
                for (h, header) in r
                    .declared
                    .get("headers")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    holders.push((format!("{}/headers/{}", r.ptr, escape_pointer(h)), header));
                }
            }
        }
    }
    holders
}

/// Every schema of the document, with its pointer: the component schemas, the schemas of
/// [`schema_holders`], and all their subschemas ([`children`]); a `$ref` is not followed.
pub fn schemas(root: &Value) -> Vec<(String, &Value)> {
    let mut stack: Vec<(String, &Value)> = components(root, "schemas")
        .into_iter()
        .map(|(ptr, _, s)| (ptr, s))
        .collect();
    for (ptr, holder) in schema_holders(root) {
        if let Some(s) = holder.get("schema") {
            stack.push((format!("{ptr}/schema"), s));
        }
    }
    let mut out = Vec::new();
    while let Some((ptr, s)) = stack.pop() {
        stack.extend(children(&ptr, s));
        out.push((ptr, s));
    }
    out
}

/// The schemas requests use (parameters, of path items and operations, and request bodies)
/// and those responses use, as written (a `$ref` not followed).
pub fn request_and_response_schemas(root: &Value) -> (Vec<&Value>, Vec<(String, &Value)>) {
    let mut request = Vec::new();
    let mut response = Vec::new();
    let parameter_schemas = |base: &str, holder, out: &mut Vec<_>| {
        for (_, p) in declared_parameters(base, holder) {
            let p = resolve(root, p);
            out.extend(p.get("schema"));
            out.extend(media_schemas("", p).into_iter().map(|(_, _, s)| s));
        }
    };
    for (item_ptr, _, item) in path_items(root) {
        parameter_schemas(&item_ptr, item, &mut request);
        for (op_ptr, _, op) in item_operations(&item_ptr, item) {
            parameter_schemas(&op_ptr, op, &mut request);
            if let Some(body) = op.get("requestBody") {
                request.extend(
                    media_schemas("", resolve(root, body))
                        .into_iter()
                        .map(|(_, _, s)| s),
                );
            }
            for r in responses(root, &op_ptr, op) {
                response.extend(
                    media_schemas(&r.ptr, r.body)
                        .into_iter()
                        .map(|(ptr, _, s)| (ptr, s)),
                );
            }
        }
    }
    (request, response)
}

/// Subtrees whose contents are data, not document structure: a `$ref` key in an example is
/// just a key.
fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum") || key.starts_with("x-")
}

/// Every `$ref` of the document outside example data: (pointer of the `$ref`, its target).
pub fn refs(root: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect_refs(root, String::new(), &mut out);
    out
}

fn collect_refs(v: &Value, ptr: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_ptr = format!("{ptr}/{}", escape_pointer(k));
                if k == "$ref" {
                    if let Some(s) = child.as_str() {
                        out.push((child_ptr, s.to_string()));
                    }
                } else if !is_data_key(k) {
                    collect_refs(child, child_ptr, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

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

/// The keywords whose value is one subschema (when it is an object).
pub const SUBSCHEMA: [&str; 3] = ["items", "additionalProperties", "not"];
/// The keywords whose value is a list of subschemas.
pub const SUBSCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// The direct subschemas of a schema (properties, [`SUBSCHEMA`] and the members of
/// [`SUBSCHEMA_LISTS`]), with their pointers under `ptr`.
pub fn children<'a>(ptr: &str, s: &'a Value) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (n, p) in props {
            out.push((format!("{ptr}/properties/{}", escape_pointer(n)), p));
        }
    }
    for key in SUBSCHEMA {
        if let Some(c) = s.get(key).filter(|c| c.is_object()) {
            out.push((format!("{ptr}/{key}"), c));
        }
    }
    for key in SUBSCHEMA_LISTS {
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
    let item = root
        .get("paths")
        .and_then(|p| p.get(path))
        .unwrap_or(&Value::Null);
    let mut out = declared_parameters(&item_ptr, item);
    out.extend(declared_parameters(op_ptr, op));
    out.into_iter()
        .map(|(ptr, p)| (ptr, resolve(root, p)))
        .collect()
}

/// The media types of a request body, response or parameter (`content`): (pointer, media
/// type, media type object).
pub fn media<'a>(base: &str, holder: &'a Value) -> Vec<(String, &'a String, &'a Value)> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(m, v)| (format!("{base}/content/{}", escape_pointer(m)), m, v))
        .collect()
}

/// The strings of a JSON array (a `tags` list, an enumeration), in order; none when `v` is
/// not an array, and its items that are not strings left out.
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
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
    fn the_strings_of_an_array() {
        assert_eq!(strings(Some(&json!(["a", 1, "b"]))), ["a", "b"]);
        assert!(strings(Some(&json!("a"))).is_empty());
        assert!(strings(None).is_empty());
    }

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
