//! The tolerant-reader transform applied to the spec before progenitor sees it.
//!
//! The spec documents what the API page documents: lengths, patterns and bounds of response
//! fields. progenitor would turn each of them into a validating newtype whose `Deserialize`
//! rejects a response that breaks it, so one over-long table name would lose a whole
//! configuration. Schemas reachable *only* from responses are therefore handed to
//! progenitor with:
//!
//! - `minLength`, `maxLength`, `pattern`, `minItems`, `maxItems`, `uniqueItems` and numeric
//!   bounds removed (they stay in the spec, in the docs and in example validation);
//! - no `required` list, and every property `nullable`, so a missing or `null` field decodes
//!   as `None`.
//!
//! Schemas that requests use too are left alone: requests are validated strictly. What this
//! transform cannot relax (closed enums, `additionalProperties: false`, typed `format`s) is
//! reported by `cargo xtask lint`.

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
    let reach = Reach::of(root);
    let names: Vec<String> = reach.response_only().cloned().collect();
    if let Some(schemas) = root.pointer_mut("/components/schemas") {
        for name in names {
            if let Some(schema) = schemas.get_mut(&name) {
                relax(schema);
            }
        }
    }
    // Inline response schemas: those the operations declare themselves (a response that is a
    // `$ref` has no schema at the operation's pointer).
    let (_, response_schemas) = walk::request_and_response_schemas(root);
    let pointers: Vec<String> = response_schemas.into_iter().map(|(ptr, _)| ptr).collect();
    for ptr in pointers {
        if let Some(schema) = root.pointer_mut(&ptr) {
            relax(schema);
        }
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
        // Used by a request parameter: strict, also where a response uses it.
        assert_eq!(c["Shared"], json!({"type": "string", "maxLength": 5}));
        assert_eq!(c["Name"], json!({"type": "string", "maxLength": 3}));
    }
}
