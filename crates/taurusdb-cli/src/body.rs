//! A JSON request body from the command line: each top-level property of the body's schema
//! is a flag (named by the generator, `generated::body_flags`: the property in kebab case,
//! `body-` first when that is a parameter's or one of the CLI's own flags), `--json-body
//! FILE` gives a whole body whose fields the flags override, and `--skeleton` prints an
//! example body. Every value is checked against the spec's rules before anything is sent
//! (`rules`). Nothing here names an operation or a field of the spec.
//!
//! How a flag takes its value, by the property's schema:
//!
//! - a string, integer, number, boolean or enumeration: the value itself (`--limit 10`,
//!   `--enabled false`);
//! - an array of those: the flag repeated, or values separated by commas (`--tables a,b
//!   --tables c`), or a JSON array (`--tables '["a,b"]'`) for values with commas;
//! - an object, an array of objects, or anything else: JSON text, or `@FILE` for a file
//!   holding it.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, value_parser};
use serde_json::{Map, Value};
use taurusdb::spec::{self, Operation};

use crate::dispatch::{EXAMPLE_BODY, JSON_BODY};
use crate::rules::{self, Kind};

/// `--skeleton`: print an example body and exit.
pub const SKELETON: &str = "skeleton";

/// The help heading of the body's flags.
pub const HEADING: &str = "Request body (flags override the fields of --json-body)";

/// One top-level property of a request body that has a flag.
#[derive(Clone, Debug)]
pub struct Field {
    /// The property's name in the body.
    pub property: &'static str,
    /// Its flag, without `--`.
    pub flag: &'static str,
    /// Its schema.
    pub schema: Value,
    /// Whether the body's schema requires it.
    pub required: bool,
}

impl Field {
    fn kind(&self) -> Kind {
        rules::kind(&self.schema)
    }

    /// Arrays of scalars take their items one by one; other arrays are JSON text.
    fn item_schema(&self) -> Option<Value> {
        if self.kind() != Kind::Array {
            return None;
        }
        let items = spec::view(&self.schema).get("items").cloned()?;
        match rules::kind(&items) {
            Kind::String | Kind::Integer | Kind::Number | Kind::Boolean => Some(items),
            Kind::Array | Kind::Other => None,
        }
    }
}

/// The schema of `op`'s JSON request body.
pub fn schema(op: &Operation) -> Option<&'static Value> {
    let body = spec::document().pointer(op.pointer)?.get("requestBody")?;
    crate::sample::body_schema(body)
}

/// The body properties of `op` that have a flag, in the spec's order.
pub fn fields(op: &Operation) -> Vec<Field> {
    let Some(schema) = schema(op) else {
        return Vec::new();
    };
    let parts = rules::object_parts(schema);
    crate::generated::body_flags(op.id)
        .iter()
        .filter_map(|&(property, flag)| {
            let (_, schema) = parts.properties.iter().find(|(n, _)| n == property)?;
            Some(Field {
                property,
                flag,
                schema: schema.clone(),
                required: parts.required.iter().any(|r| r == property),
            })
        })
        .collect()
}

/// A value of an enumeration as a flag takes it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value name of a flag: `--task-name <TASK_NAME>`.
fn value_name(flag: &str) -> String {
    flag.to_ascii_uppercase().replace('-', "_")
}

/// What a scalar flag's text is, as JSON of the schema's kind.
fn scalar(kind: Kind, text: &str) -> Result<Value, String> {
    match kind {
        Kind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| text.trim().parse::<u64>().map(Value::from))
            .map_err(|_| "must be an integer".to_string()),
        Kind::Number => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| "must be a number".to_string()),
            _ => Err("must be a number".to_string()),
        },
        Kind::Boolean => match text.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("must be true or false".to_string()),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

/// A scalar flag's value, checked against its schema.
fn parse_scalar(schema: &Value, text: &str) -> Result<Value, String> {
    let value = scalar(rules::kind(schema), text)?;
    rules::check(schema, &value).map_err(|v| v.to_string())?;
    Ok(value)
}

/// One occurrence of an array flag: items separated by commas, or a JSON array; each item
/// checked against the items' schema.
fn parse_items(items: &Value, text: &str) -> Result<Value, String> {
    let values: Vec<Value> = if text.trim_start().starts_with('[') {
        let parsed: Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON array: {e}"))?;
        parsed.as_array().cloned().ok_or("not a JSON array")?
    } else {
        text.split(',')
            .map(|t| scalar(rules::kind(items), t))
            .collect::<Result<_, _>>()?
    };
    for (i, v) in values.iter().enumerate() {
        rules::check(items, v).map_err(|e| format!("item {}: {e}", i + 1))?;
    }
    Ok(Value::Array(values))
}

/// JSON text, or `@FILE`, checked against the schema.
fn parse_json(schema: &Value, text: &str) -> Result<Value, String> {
    let (source, text) = match text.strip_prefix('@') {
        Some(path) => (
            format!("{path}: "),
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?,
        ),
        None => (String::new(), text.to_string()),
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{source}not JSON text: {e}"))?;
    rules::check(schema, &value).map_err(|v| format!("{source}{v}"))?;
    Ok(value)
}

/// The spec's rules of a schema in a few words, for help: `3 to 64 characters`.
fn rules_summary(schema: &Value) -> Vec<String> {
    let s = spec::view(schema);
    let mut out = Vec::new();
    let uint = |k: &str| s.get(k).and_then(Value::as_u64);
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    match (uint("minLength"), uint("maxLength")) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} characters")),
        (Some(a), None) => out.push(format!("at least {a} characters")),
        (None, Some(b)) => out.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        out.push(format!("matching {p}"));
    }
    let exclusive = |k: &str| s.get(k) == Some(&Value::Bool(true));
    let low = num("minimum").map(|a| {
        if exclusive("exclusiveMinimum") {
            format!("above {a}")
        } else {
            format!("at least {a}")
        }
    });
    let high = num("maximum").map(|b| {
        if exclusive("exclusiveMaximum") {
            format!("below {b}")
        } else {
            format!("at most {b}")
        }
    });
    match (low, high) {
        (Some(a), Some(b)) => out.push(format!("{a} and {b}")),
        (Some(a), None) => out.push(a),
        (None, Some(b)) => out.push(b),
        (None, None) => {}
    }
    match (uint("minItems"), uint("maxItems")) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} items")),
        (Some(a), None) => out.push(format!("at least {a} items")),
        (None, Some(b)) => out.push(format!("at most {b} items")),
        (None, None) => {}
    }
    out
}

/// The flags of `op`'s body fields. Outside the demo, a required property's flag is
/// required unless `--json-body` (or `--skeleton`) is given.
pub fn args(op: &Operation, demo: bool) -> Vec<Arg> {
    fields(op)
        .into_iter()
        .map(|field| {
            let s = spec::view(&field.schema);
            let description = s
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string();
            let mut arg = Arg::new(field.flag)
                .long(field.flag)
                .value_name(value_name(field.flag))
                .help_heading(HEADING);
            let mut notes = rules_summary(&field.schema);
            let schema = field.schema.clone();
            arg = match (field.kind(), field.item_schema()) {
                (Kind::Array, Some(items)) => {
                    notes.extend(
                        rules_summary(&items)
                            .into_iter()
                            .map(|r| format!("each {r}")),
                    );
                    if let Some(values) = spec::view(&items).get("enum").and_then(Value::as_array) {
                        let values: Vec<String> = values.iter().map(text).collect();
                        notes.push(format!("each one of: {}", values.join(", ")));
                    }
                    notes.push("repeat the flag or separate values with commas".to_string());
                    arg.action(ArgAction::Append)
                        .value_parser(move |t: &str| parse_items(&items, t))
                }
                (Kind::String | Kind::Integer | Kind::Number | Kind::Boolean, _) => {
                    let values: Vec<String> = s
                        .get("enum")
                        .and_then(Value::as_array)
                        .map(|e| e.iter().map(text).collect())
                        .unwrap_or_default();
                    if !values.is_empty() {
                        let kind = field.kind();
                        arg.value_parser(clap::builder::TypedValueParser::try_map(
                            PossibleValuesParser::new(values),
                            move |t: String| scalar(kind, &t),
                        ))
                    } else if field.kind() == Kind::Boolean {
                        arg.value_parser(clap::builder::TypedValueParser::try_map(
                            PossibleValuesParser::new(["true", "false"]),
                            |t: String| scalar(Kind::Boolean, &t),
                        ))
                    } else {
                        arg.value_parser(move |t: &str| parse_scalar(&schema, t))
                    }
                }
                _ => {
                    notes.push("JSON text, or @FILE".to_string());
                    arg.value_parser(move |t: &str| parse_json(&schema, t))
                }
            };
            if field.required && !demo {
                notes.push(format!("required unless --{JSON_BODY} gives it"));
            }
            let first = crate::args::first_sentence(&description).trim_end_matches('.');
            let mut short = if first.is_empty() {
                format!("The request body's `{}`", field.property)
            } else {
                first.to_string()
            };
            let mut long = if description.is_empty() {
                short.clone()
            } else {
                description.clone()
            };
            if !notes.is_empty() {
                let notes = format!("[{}]", notes.join("; "));
                short = format!("{short} {notes}");
                long = format!("{long}\n\n{notes}");
            }
            arg = arg.help(short).long_help(long);
            if field.required && !demo {
                arg = arg.required_unless_present_any([JSON_BODY, SKELETON]);
            }
            arg
        })
        .collect()
}

/// `--json-body` and `--skeleton` for an operation with a JSON body. `--json-body` is
/// required unless the body has flags (or `--skeleton` is given), and never in the demo.
pub fn file_args(op: &Operation, demo: bool) -> Vec<Arg> {
    let has_fields = !fields(op).is_empty();
    let mut json_body = Arg::new(JSON_BODY)
        .long(JSON_BODY)
        .value_name("FILE")
        .value_parser(value_parser!(PathBuf))
        .help_heading(HEADING)
        .help("The whole request body: a JSON file, or - for stdin");
    if !demo && !has_fields {
        json_body = json_body.required_unless_present(SKELETON);
    }
    vec![
        json_body,
        Arg::new(SKELETON)
            .long(SKELETON)
            .action(ArgAction::SetTrue)
            .help_heading(HEADING)
            .help("Print an example request body (JSON) to start a --json-body file from, and exit: nothing is sent"),
    ]
}

/// The example request body `--skeleton` prints: the spec's example when the client takes
/// it, else one made from the schema.
pub fn skeleton(op: &Operation) -> Option<Value> {
    crate::demo::request_body(op).map(|(body, _)| body)
}

/// Where a body came from, for messages.
fn origin(m: &ArgMatches) -> Option<String> {
    m.try_get_one::<PathBuf>(JSON_BODY)
        .ok()
        .flatten()
        .map(|p| format!("--{JSON_BODY} {}", p.display()))
}

/// The request body of `op` from the command line: `--json-body` (in the demo, its example
/// without it; else `{}` when the body has flags), each body flag given setting its field,
/// and the whole checked against the spec's rules. `None` for an operation without a body.
/// A refusal names the flag or the field and the rule.
pub fn assemble(op: &Operation, m: &ArgMatches) -> Result<Option<Value>, String> {
    if !op.body {
        return Ok(None);
    }
    let fields = fields(op);
    let mut body = match m.try_get_one::<PathBuf>(JSON_BODY).ok().flatten() {
        Some(path) => read_json(path)?,
        None => match m.try_get_one::<String>(EXAMPLE_BODY).ok().flatten() {
            Some(example) => serde_json::from_str(example).map_err(|e| {
                format!("the demo's example body is not the operation's request body: {e}")
            })?,
            None if !fields.is_empty() => Value::Object(Map::new()),
            None => return Err(format!("missing --{JSON_BODY}")),
        },
    };
    let mut from_flags = Vec::new();
    for field in &fields {
        let value = if field.item_schema().is_some() {
            let Some(parts) = m.try_get_many::<Value>(field.flag).ok().flatten() else {
                continue;
            };
            Value::Array(
                parts
                    .flat_map(|p| p.as_array().cloned().unwrap_or_default())
                    .collect(),
            )
        } else {
            match m.try_get_one::<Value>(field.flag).ok().flatten() {
                Some(v) => v.clone(),
                None => continue,
            }
        };
        let Some(object) = body.as_object_mut() else {
            return Err(format!(
                "--{}: {} is not a JSON object, so a flag cannot set one of its fields",
                field.flag,
                origin(m).unwrap_or_else(|| "the request body".to_string())
            ));
        };
        object.insert(field.property.to_string(), value);
        from_flags.push(field);
    }
    if let Some(schema) = schema(op)
        && let Err(v) = rules::check(schema, &body)
    {
        let top = v
            .path
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string();
        let flag = from_flags.iter().find(|f| f.property == top);
        let source = match (flag, origin(m)) {
            (Some(f), _) => format!("--{}", f.flag),
            (None, Some(o)) => o,
            (None, None) => "the request body".to_string(),
        };
        let field = if v.path.is_empty() {
            String::new()
        } else {
            format!("field `{}` ", v.path)
        };
        return Err(format!(
            "{source}: {field}breaks the spec's rules: {}",
            v.reason
        ));
    }
    Ok(Some(body))
}

/// A JSON file, or stdin for `-`.
fn read_json(path: &std::path::Path) -> Result<Value, String> {
    let text = if path.as_os_str() == "-" {
        if std::io::stdin().is_terminal() {
            eprintln!("reading the request body (JSON) from stdin; end it with Ctrl-D");
        }
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| format!("cannot read --{JSON_BODY} {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("--{JSON_BODY} {}: not JSON text: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flag_values_take_the_schemas_type_and_rules() {
        let s = json!({"type": "integer", "minimum": 1, "maximum": 5});
        assert_eq!(parse_scalar(&s, "3"), Ok(json!(3)));
        assert_eq!(parse_scalar(&s, "9").unwrap_err(), "must be at most 5");
        assert_eq!(parse_scalar(&s, "x").unwrap_err(), "must be an integer");
        let b = json!({"type": "boolean"});
        assert_eq!(parse_scalar(&b, "false"), Ok(json!(false)));
        assert!(parse_scalar(&b, "no").is_err());
        let n = json!({"type": "number"});
        assert_eq!(parse_scalar(&n, "2.5"), Ok(json!(2.5)));
        assert!(parse_scalar(&n, "inf").is_err());
        let t = json!({"type": "string", "maxLength": 2});
        assert_eq!(
            parse_scalar(&t, "abc").unwrap_err(),
            "longer than 2 characters"
        );
    }

    #[test]
    fn array_flags_take_commas_or_json_and_check_each_item() {
        let items = json!({"type": "string", "maxLength": 3});
        assert_eq!(parse_items(&items, "a,b"), Ok(json!(["a", "b"])));
        assert_eq!(parse_items(&items, r#"["a,b"]"#), Ok(json!(["a,b"])));
        assert_eq!(
            parse_items(&items, "a,long").unwrap_err(),
            "item 2: longer than 3 characters"
        );
        let ints = json!({"type": "integer"});
        assert_eq!(parse_items(&ints, "1,2"), Ok(json!([1, 2])));
        assert!(parse_items(&ints, "1,x").is_err());
    }

    #[test]
    fn json_flags_take_text_or_a_file() {
        let s = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        assert_eq!(parse_json(&s, r#"{"a": 1}"#), Ok(json!({"a": 1})));
        assert_eq!(
            parse_json(&s, r#"{"a": "x"}"#).unwrap_err(),
            "`a`: must be an integer, not a string"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.json");
        std::fs::write(&file, r#"{"a": 2}"#).unwrap();
        assert_eq!(
            parse_json(&s, &format!("@{}", file.display())),
            Ok(json!({"a": 2}))
        );
        assert!(
            parse_json(&s, "@/nonexistent/v.json")
                .unwrap_err()
                .starts_with("cannot read /nonexistent/v.json")
        );
        assert!(
            parse_json(&s, "{")
                .unwrap_err()
                .starts_with("not JSON text")
        );
    }

    #[test]
    fn help_summarises_the_rules() {
        assert_eq!(
            rules_summary(
                &json!({"type": "string", "minLength": 3, "maxLength": 64, "pattern": "^a$"})
            ),
            ["3 to 64 characters", "matching ^a$"]
        );
        assert_eq!(
            rules_summary(&json!({"type": "integer", "minimum": 1})),
            ["at least 1"]
        );
        assert_eq!(
            rules_summary(
                &json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1})
            ),
            ["above 0 and at most 1"]
        );
    }
}
