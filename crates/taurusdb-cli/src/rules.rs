//! The spec's rules for a value the CLI sends (a body field given as a flag, or a whole
//! request body), checked before anything is sent: type, `enum`, `minLength`, `maxLength`,
//! `pattern`, `minimum`, `maximum` (and their exclusive forms), `minItems`, `maxItems`,
//! `uniqueItems`, `required`, `nullable`, and properties the schema does not declare. A
//! violation names where it is (a JSON path into the value) and the rule. Nothing here names
//! an operation or a field of the spec.

use serde_json::{Map, Value};
use taurusdb::spec;

/// How deep a value is checked (a recursive schema stops here).
const MAX_DEPTH: usize = 64;

/// A value that breaks one of the schema's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where: `name`, `a.b[2].c`; empty for the value itself.
    pub path: String,
    /// The rule, as a reason: `longer than 64 characters`, `must be one of: a, b`.
    pub reason: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "`{}`: {}", self.path, self.reason)
        }
    }
}

/// The properties of an object schema (`$ref`s followed, `allOf` members merged, the
/// members' first), its required properties, and what it says of other properties
/// (`additionalProperties`: `None` when it does not say).
pub struct ObjectParts {
    /// (name, schema), in the spec's order.
    pub properties: Vec<(String, Value)>,
    /// The names the schema requires.
    pub required: Vec<String>,
    /// `additionalProperties`, from the schema or one of its members.
    pub additional: Option<Value>,
}

/// The [`ObjectParts`] of `schema`.
pub fn object_parts(schema: &Value) -> ObjectParts {
    let mut parts = ObjectParts {
        properties: Vec::new(),
        required: Vec::new(),
        additional: None,
    };
    collect(schema, 0, &mut parts);
    parts
}

fn collect(schema: &Value, depth: usize, parts: &mut ObjectParts) {
    if depth > 16 {
        return;
    }
    let s = spec::resolve(schema);
    for member in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(member, depth + 1, parts);
    }
    for (name, p) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match parts.properties.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => *existing = p.clone(),
            None => parts.properties.push((name.clone(), p.clone())),
        }
    }
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(r) = r.as_str()
            && !parts.required.iter().any(|q| q == r)
        {
            parts.required.push(r.to_string());
        }
    }
    if let Some(a) = s.get("additionalProperties") {
        parts.additional = Some(a.clone());
    }
}

/// What kind of value a schema takes, as far as the CLI needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object, or anything the schema does not pin to one type (`oneOf`, no `type`).
    Other,
}

/// The kind of value `schema` takes.
pub fn kind(schema: &Value) -> Kind {
    let s = spec::view(schema);
    match s.get("type").and_then(Value::as_str) {
        Some("string") => Kind::String,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("array") => Kind::Array,
        Some(_) => Kind::Other,
        // An enumeration without a type: its values' type.
        None => match s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            Some(Value::String(_)) => Kind::String,
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Kind::Integer,
            Some(Value::Number(_)) => Kind::Number,
            Some(Value::Bool(_)) => Kind::Boolean,
            _ => Kind::Other,
        },
    }
}

/// Checks `value` against `schema`.
pub fn check(schema: &Value, value: &Value) -> Result<(), Violation> {
    let mut path = String::new();
    at(schema, value, &mut path, 0).map_err(|reason| Violation { path, reason })
}

/// The value's JSON type, for messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks `value` at `path` (left pointing at a violation when there is one).
fn at(schema: &Value, value: &Value, path: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let s = spec::view(schema);
    if value.is_null() {
        return if s.get("nullable") == Some(&Value::Bool(true)) {
            Ok(())
        } else {
            Err("must not be null".to_string())
        };
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        let list: Vec<String> = values
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        return Err(format!("must be one of: {}", list.join(", ")));
    }
    let expected = s.get("type").and_then(Value::as_str);
    let type_ok = match expected {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if !type_ok {
        let want = match expected {
            Some("integer") => "an integer",
            Some("array") => "an array",
            Some("object") => "an object",
            Some("string") => "a string",
            Some("number") => "a number",
            Some("boolean") => "true or false",
            _ => "another type",
        };
        return Err(format!("must be {want}, not {}", type_name(value)));
    }
    match value {
        Value::String(text) => string(&s, text),
        Value::Number(n) => number(&s, n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(items) => {
            let uint = |k: &str| s.get(k).and_then(Value::as_u64);
            if let Some(min) = uint("minItems")
                && (items.len() as u64) < min
            {
                return Err(format!("must have at least {min} items"));
            }
            if let Some(max) = uint("maxItems")
                && (items.len() as u64) > max
            {
                return Err(format!("must have at most {max} items"));
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].contains(item) {
                        return Err(format!("must not repeat an item (item {i} repeats one)"));
                    }
                }
            }
            if let Some(item_schema) = s.get("items") {
                let len = path.len();
                for (i, item) in items.iter().enumerate() {
                    path.push_str(&format!("[{i}]"));
                    at(item_schema, item, path, depth + 1)?;
                    path.truncate(len);
                }
            }
            Ok(())
        }
        Value::Object(fields) => object(schema, fields, path, depth),
        Value::Bool(_) | Value::Null => Ok(()),
    }
}

fn string(s: &Map<String, Value>, text: &str) -> Result<(), String> {
    let len = text.chars().count() as u64;
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        return Err(format!("shorter than {min} characters"));
    }
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        return Err(format!("longer than {max} characters"));
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        // A pattern that does not compile lets nothing through.
        let matches = regress::Regex::new(pattern).is_ok_and(|re| re.find(text).is_some());
        if !matches {
            return Err(format!("doesn't match pattern {pattern:?}"));
        }
    }
    Ok(())
}

fn number(s: &Map<String, Value>, n: f64) -> Result<(), String> {
    let exclusive = |k: &str| s.get(k) == Some(&Value::Bool(true));
    if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
        if exclusive("exclusiveMinimum") && n <= min {
            return Err(format!("must be greater than {min}"));
        }
        if n < min {
            return Err(format!("must be at least {min}"));
        }
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
        if exclusive("exclusiveMaximum") && n >= max {
            return Err(format!("must be less than {max}"));
        }
        if n > max {
            return Err(format!("must be at most {max}"));
        }
    }
    Ok(())
}

fn object(
    schema: &Value,
    fields: &Map<String, Value>,
    path: &mut String,
    depth: usize,
) -> Result<(), String> {
    let parts = object_parts(schema);
    let len = path.len();
    let enter = |path: &mut String, name: &str| {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(name);
    };
    for name in &parts.required {
        // A read-only property is the server's: required in responses only.
        let read_only = parts
            .properties
            .iter()
            .any(|(n, s)| n == name && spec::view(s).get("readOnly") == Some(&Value::Bool(true)));
        if !fields.contains_key(name) && !read_only {
            enter(path, name);
            return Err("is required".to_string());
        }
    }
    for (name, value) in fields {
        let declared = parts.properties.iter().find(|(n, _)| n == name);
        enter(path, name);
        match (declared, &parts.additional) {
            (Some((_, s)), _) => at(s, value, path, depth + 1)?,
            (None, Some(Value::Bool(false))) => {
                return Err("is not a field of the schema".to_string());
            }
            (None, Some(extra @ Value::Object(_))) => at(extra, value, path, depth + 1)?,
            (None, Some(_)) => {}
            // The schema lists its fields and says nothing of others: a field it does not
            // list would be dropped by the client's request type, so a typo is refused.
            (None, None) if !parts.properties.is_empty() => {
                return Err("is not a field of the schema".to_string());
            }
            (None, None) => {}
        }
        path.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn violation(schema: Value, value: Value) -> String {
        check(&schema, &value).unwrap_err().to_string()
    }

    #[test]
    fn scalars_are_checked_against_every_rule() {
        let s = json!({"type": "string", "minLength": 3, "maxLength": 5, "pattern": "^[a-z]+$"});
        assert!(check(&s, &json!("abcd")).is_ok());
        assert_eq!(
            violation(s.clone(), json!("ab")),
            "shorter than 3 characters"
        );
        assert_eq!(
            violation(s.clone(), json!("abcdef")),
            "longer than 5 characters"
        );
        assert_eq!(
            violation(s.clone(), json!("ABC")),
            "doesn't match pattern \"^[a-z]+$\""
        );
        assert_eq!(violation(s, json!(3)), "must be a string, not an integer");
        let n = json!({"type": "integer", "minimum": 1, "maximum": 10, "exclusiveMaximum": true});
        assert_eq!(violation(n.clone(), json!(0)), "must be at least 1");
        assert_eq!(violation(n.clone(), json!(10)), "must be less than 10");
        assert_eq!(violation(n, json!(1.5)), "must be an integer, not a number");
        let e = json!({"type": "string", "enum": ["a", "b"]});
        assert_eq!(violation(e, json!("c")), "must be one of: a, b");
        assert_eq!(
            violation(json!({"type": "string"}), Value::Null),
            "must not be null"
        );
        assert!(check(&json!({"type": "string", "nullable": true}), &Value::Null).is_ok());
        // A pattern that does not compile lets nothing through.
        assert!(check(&json!({"type": "string", "pattern": "("}), &json!("a")).is_err());
    }

    #[test]
    fn structures_are_checked_with_the_path_of_what_breaks_a_rule() {
        let s = json!({
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "tables": {"type": "array", "maxItems": 2, "uniqueItems": true,
                           "items": {"type": "object", "properties": {"t": {"type": "string", "maxLength": 2}}}},
                "free": {"type": "object", "additionalProperties": true}
            }
        });
        assert!(check(&s, &json!({"name": "x", "free": {"any": 1}})).is_ok());
        assert_eq!(violation(s.clone(), json!({})), "`name`: is required");
        let server_side = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "readOnly": true}}});
        assert!(
            check(&server_side, &json!({})).is_ok(),
            "read-only: the server's"
        );
        assert_eq!(
            violation(s.clone(), json!({"name": "x", "tables": [{"t": "abc"}]})),
            "`tables[0].t`: longer than 2 characters"
        );
        assert_eq!(
            violation(s.clone(), json!({"name": "x", "tables": [{}, {}, {}]})),
            "`tables`: must have at most 2 items"
        );
        assert_eq!(
            violation(s.clone(), json!({"name": "x", "tables": [{}, {}]})),
            "`tables`: must not repeat an item (item 1 repeats one)"
        );
        assert_eq!(
            violation(s.clone(), json!({"name": "x", "nmae": 1})),
            "`nmae`: is not a field of the schema"
        );
        assert_eq!(violation(s, json!([1])), "must be an object, not an array");
    }

    #[test]
    fn all_of_members_are_merged() {
        let s = json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "integer", "maximum": 1}}}
        ]});
        let parts = object_parts(&s);
        let names: Vec<&str> = parts.properties.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(parts.required, ["a"]);
        assert_eq!(
            violation(s.clone(), json!({"a": "x", "b": 2})),
            "`b`: must be at most 1"
        );
        assert_eq!(violation(s, json!({"b": 0})), "`a`: is required");
        assert_eq!(kind(&json!({"enum": [1, 2]})), Kind::Integer);
        assert_eq!(kind(&json!({"type": "object"})), Kind::Other);
    }
}
