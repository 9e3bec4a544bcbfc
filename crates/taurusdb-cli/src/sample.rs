//! Values made from a schema of the spec, where the spec gives no example: what the demo
//! sends as an argument or a request body and serves as a response. A value made here keeps
//! to the schema's rules that the client checks before sending (types, enumerations,
//! lengths, bounds, item counts and, where one of a few candidates matches, patterns), so
//! that a demo call is never refused for its own made-up input.

use serde_json::{Map, Value, json};
use taurusdb::spec;

/// How deep a made-up value goes (a recursive schema stops here): deep enough for the
/// request bodies of real APIs (Huawei's nest arrays of objects six levels down).
const MAX_DEPTH: usize = 16;

/// The schema's own example (or default, or first enumeration value), else a value made
/// from its type and rules.
pub fn of(schema: &Value) -> Value {
    at(schema, 0, true)
}

/// A value made from the schema's type and rules alone, no example or default taken (where
/// the spec's examples contradict its schemas).
pub fn bare(schema: &Value) -> Value {
    at(schema, 0, false)
}

/// The example of a request body or response (`content` of the first media type): its
/// `example`, else its first named example's `value`.
pub fn of_body(holder: &Value) -> Option<Value> {
    let media = spec::resolve(holder)
        .get("content")?
        .as_object()?
        .values()
        .next()?;
    if let Some(v) = media.get("example") {
        return Some(v.clone());
    }
    if let Some(v) = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
        .and_then(|e| spec::resolve(e).get("value"))
    {
        return Some(v.clone());
    }
    None
}

/// The schema of a request body or response (`content` of the first media type).
pub fn body_schema(holder: &'static Value) -> Option<&'static Value> {
    spec::resolve(holder)
        .get("content")?
        .as_object()?
        .values()
        .next()?
        .get("schema")
}

fn at(schema: &Value, depth: usize, examples: bool) -> Value {
    let s = spec::view(schema);
    for key in ["example", "default"] {
        if let Some(v) = s.get(key).filter(|_| examples) {
            return v.clone();
        }
    }
    if let Some(first) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let ty = s.get("type").and_then(Value::as_str);
    if ty == Some("object") || (ty.is_none() && s.contains_key("properties")) {
        let mut out = Map::new();
        if depth < MAX_DEPTH {
            for (name, prop) in s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                out.insert(name.clone(), at(prop, depth + 1, examples));
            }
        }
        return Value::Object(out);
    }
    match ty {
        Some("array") => {
            let min = s
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            let item = match s.get("items") {
                Some(items) if depth < MAX_DEPTH => at(items, depth + 1, examples),
                _ => Value::Null,
            };
            let max = s
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            if max == 0 || item.is_null() {
                return json!([]);
            }
            Value::Array(vec![item; min.min(max).min(16) as usize])
        }
        Some("string") => Value::String(string(&s)),
        Some("integer") => json!(integer(&s)),
        Some("number") => {
            let n = integer(&s) as f64;
            json!(n)
        }
        Some("boolean") => json!(true),
        _ => json!({}),
    }
}

/// An integer within the schema's bounds: 1 where allowed, else the nearest bound.
fn integer(s: &Map<String, Value>) -> i64 {
    let bound = |k: &str| s.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| s.get(k) == Some(&Value::Bool(true));
    let min = bound("minimum").map(|m| {
        let m = m.ceil() as i64;
        if exclusive("exclusiveMinimum") {
            m + 1
        } else {
            m
        }
    });
    let max = bound("maximum").map(|m| {
        let m = m.floor() as i64;
        if exclusive("exclusiveMaximum") {
            m - 1
        } else {
            m
        }
    });
    let n = min.map_or(1, |m| m.max(1));
    match max {
        Some(m) if n > m => min.unwrap_or(m),
        _ => n,
    }
}

/// A string of the schema's format, within its lengths, matching its pattern if one of a few
/// candidates does.
fn string(s: &Map<String, Value>) -> String {
    let format = s.get("format").and_then(Value::as_str);
    let base = match format {
        Some("date-time") => "2026-01-01T00:00:00Z",
        Some("date") => "2026-01-01",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("email") => "user@example.com",
        Some("uri" | "url") => "https://example.com/",
        _ => "sample",
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    let fit = |text: &str| -> String {
        let mut t: String = text.chars().take(max).collect();
        while t.chars().count() < min {
            t.push('x');
        }
        t
    };
    let Some(pattern) = s.get("pattern").and_then(Value::as_str) else {
        return fit(base);
    };
    let Ok(re) = regress::Regex::new(pattern) else {
        return fit(base);
    };
    let candidates = [
        base,
        "sample_1",
        "sample",
        "abc",
        "ABC",
        "a1",
        "1",
        "123456",
        "a-b",
        "a.b",
        "a",
        "0",
        "192.0.2.1",
        "sample@example.com",
    ];
    candidates
        .iter()
        .map(|c| fit(c))
        .find(|c| re.find(c).is_some())
        .unwrap_or_else(|| fit(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_to_the_rules_the_client_checks() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 10, "maxLength": 12, "pattern": "^[a-z_0-9]+$"},
                "short": {"type": "string", "maxLength": 3},
                "mode": {"type": "string", "enum": ["full", "part"]},
                "count": {"type": "integer", "minimum": 5, "maximum": 9},
                "negative": {"type": "integer", "maximum": -2},
                "tags": {"type": "array", "minItems": 2, "items": {"type": "string"}},
                "none": {"type": "array", "maxItems": 0, "items": {"type": "string"}},
                "given": {"type": "string", "example": "from the spec"},
                "when": {"type": "string", "format": "date-time"},
                "on": {"type": "boolean"}
            }
        });
        assert_eq!(
            of(&schema),
            json!({
                "name": "samplexxxx",
                "short": "sam",
                "mode": "full",
                "count": 5,
                "negative": -2,
                "tags": ["sample", "sample"],
                "none": [],
                "given": "from the spec",
                "when": "2026-01-01T00:00:00Z",
                "on": true
            })
        );
    }

    #[test]
    fn a_recursive_schema_ends() {
        let mut tree = json!({"type": "object"});
        for _ in 0..20 {
            tree = json!({"type": "object", "properties": {"a": tree}});
        }
        let v = of(&tree);
        let deepest = "/a".repeat(MAX_DEPTH);
        assert_eq!(v.pointer(&deepest), Some(&json!({})), "{v}");
        assert!(v.pointer(&format!("{deepest}/a")).is_none(), "{v}");
    }
}
