//! Writing JSON values as YAML text in the spec's own style: block mappings and sequences
//! indented by two spaces, sequences indented under their key, plain scalars where the
//! loader reads them back as the same string, single quotes otherwise (`'200'`,
//! `'#/components/schemas/X'`), literal blocks (`|`) for text of several lines, and the
//! short keyword lists `x-vendor` and `x-vendor-text` in flow style (`[minLength, maxLength]`),
//! as the hand-written spec has them.
//!
//! What is written is read back by [`crate::model::spec::Spec`] as the same value: the
//! import checks the whole spliced document that way before anything is written, and the
//! tests check every string of the corpus.

use std::fmt::Write as _;

use serde_json::Value;

/// Keys whose value (a list of keywords) is written in flow style.
const FLOW_LISTS: [&str; 2] = ["x-vendor", "x-vendor-text"];

/// Lines of prose longer than this are folded at spaces, as the hand-written spec's are.
const WIDTH: usize = 100;

/// `key: value` at `indent` spaces, and the value's lines below it, each line ending in `\n`.
pub fn entry(key: &str, value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_entry(&mut out, key, value, indent);
    out
}

/// A sequence item (`- value`) at `indent` spaces.
pub fn item(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_item(&mut out, value, indent);
    out
}

/// A whole document: a mapping's entries at column 1.
pub fn document(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                write_entry(&mut out, k, v, 0);
            }
        }
        other => {
            let _ = writeln!(
                out,
                "{}",
                inline(other, false).unwrap_or_else(|| "{}".into())
            );
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_entry(out: &mut String, key: &str, value: &Value, indent: usize) {
    pad(out, indent);
    let written = scalar_text(key, false);
    out.push_str(&written);
    out.push(':');
    if FLOW_LISTS.contains(&key)
        && let Some(flow) = flow_list(value)
    {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    write_value(out, value, indent + written.chars().count() + 1, indent + 2);
}

/// Writes what follows `key:` or `- `, which ends at column `at`: a scalar on the same line
/// (folded over lines at `child` spaces when it is long prose), or a newline and the
/// collection's lines at `child` spaces.
fn write_value(out: &mut String, value: &Value, at: usize, child: usize) {
    if let Some(text) = inline(value, false) {
        let lines = fold(&text, WIDTH.saturating_sub(at), WIDTH.saturating_sub(child));
        out.push(' ');
        out.push_str(lines[0]);
        out.push('\n');
        for l in &lines[1..] {
            pad(out, child);
            out.push_str(l);
            out.push('\n');
        }
        return;
    }
    match value {
        Value::String(s) => {
            // Only multi-line strings that a literal block holds exactly get here.
            let trailing = s.len() - s.trim_end_matches('\n').len();
            let chomp = match trailing {
                0 => "-",
                1 => "",
                _ => "+",
            };
            let _ = writeln!(out, " |{chomp}");
            let body = &s[..s.len() - trailing];
            for line in body.split('\n') {
                if !line.is_empty() {
                    pad(out, child);
                    out.push_str(line);
                }
                out.push('\n');
            }
            // Kept (`|+`) newlines beyond the first are empty lines.
            for _ in 1..trailing {
                out.push('\n');
            }
        }
        Value::Object(map) => {
            out.push('\n');
            for (k, v) in map {
                write_entry(out, k, v, child);
            }
        }
        Value::Array(items) => {
            out.push('\n');
            for v in items {
                write_item(out, v, child);
            }
        }
        _ => unreachable!("scalars are written inline"),
    }
}

/// A plain or single-quoted scalar's text in lines of at most `first`, then `rest`,
/// characters, broken at single spaces before a letter, digit or parenthesis (a line break in
/// such a scalar reads as one space); other text as one line.
fn fold(text: &str, first: usize, rest: usize) -> Vec<&str> {
    if text.starts_with('"') || text.chars().count() <= first {
        return vec![text];
    }
    let bytes = text.as_bytes();
    let breaks: Vec<usize> = text
        .char_indices()
        .filter(|(i, c)| {
            *c == ' '
                && *i > 0
                && bytes[i - 1] != b' '
                && text[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_alphanumeric() || n == '(')
        })
        .map(|(i, _)| i)
        .collect();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut width = first;
    let mut last_fit: Option<usize> = None;
    for &b in &breaks {
        if text[start..b].chars().count() <= width {
            last_fit = Some(b);
            continue;
        }
        if let Some(f) = last_fit.take() {
            lines.push(&text[start..f]);
            start = f + 1;
            width = rest;
            if text[start..b].chars().count() <= width {
                last_fit = Some(b);
            }
        }
    }
    if text[start..].chars().count() > width
        && let Some(f) = last_fit
    {
        lines.push(&text[start..f]);
        start = f + 1;
    }
    lines.push(&text[start..]);
    lines
}

fn write_item(out: &mut String, value: &Value, indent: usize) {
    pad(out, indent);
    out.push('-');
    match value {
        Value::Object(map) if !map.is_empty() => {
            // The first key on the dash's line, the others below it.
            let mut first = true;
            for (k, v) in map {
                if first {
                    out.push(' ');
                    let mut line = String::new();
                    write_entry(&mut line, k, v, indent + 2);
                    out.push_str(&line[indent + 2..]);
                    first = false;
                } else {
                    write_entry(out, k, v, indent + 2);
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for v in items {
                write_item(out, v, indent + 2);
            }
        }
        _ => write_value(out, value, indent + 1, indent + 2),
    }
}

/// A value written on one line, or `None` when it needs lines of its own (a non-empty
/// collection, a multi-line string that a literal block holds).
fn inline(value: &Value, flow: bool) -> Option<String> {
    match value {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => {
            if s.contains('\n') && literal_ok(s) && !flow {
                None
            } else {
                Some(scalar_text(s, flow))
            }
        }
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(m) if m.is_empty() => Some("{}".into()),
        _ => None,
    }
}

/// A list of plain scalars as `[a, b]`, when every item can be written so.
fn flow_list(value: &Value) -> Option<String> {
    let items = value.as_array()?;
    let parts: Option<Vec<String>> = items
        .iter()
        .map(|v| match v {
            Value::String(s) if plain_ok(s, true) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect();
    Some(format!("[{}]", parts?.join(", ")))
}

/// A string as one line of YAML: plain, single-quoted or double-quoted.
pub fn scalar_text(s: &str, flow: bool) -> String {
    if plain_ok(s, flow) {
        s.to_string()
    } else if s.chars().all(|c| !needs_escape(c)) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// Characters a single-quoted or plain scalar cannot hold as they are (line breaks, tabs,
/// control characters, and the characters some YAML readers take for line breaks or a
/// byte-order mark).
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a literal block (`|`) holds `s` exactly: no tab, carriage return or other control
/// character, no line with trailing spaces, and a first line that does not start with a space
/// (a literal block takes its indentation from it).
fn literal_ok(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    !body.is_empty()
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
        && body.lines().all(|l| !l.ends_with(' '))
        && body
            .lines()
            .find(|l| !l.is_empty())
            .is_some_and(|l| !l.starts_with(' '))
}

/// Whether `s` can be written as a plain scalar and read back as this string by a YAML 1.2
/// reader (and by YAML 1.1 readers, which take `yes`, `no`, `on` and `off` for booleans).
fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with(' ') || s.ends_with(' ') || s.chars().any(needs_escape) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "<<"
    ) {
        return false;
    }
    // Anything that might be read as a number (decimal, float, hex, octal, infinities).
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric_start = digits
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    !(numeric_start
        && digits
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::spec::Spec;
    use serde_json::json;

    fn round_trip(v: &Value) -> Value {
        let text = document(&json!({ "k": v }));
        Spec::parse("t.yaml", text.as_bytes())
            .unwrap_or_else(|d| panic!("{d}\n{text}"))
            .root["k"]
            .clone()
    }

    #[test]
    fn strings_read_back_as_written() {
        let strings = [
            "plain",
            "two words",
            "200",
            "1.5",
            "-1",
            "0x1f",
            ".inf",
            "1e5",
            "true",
            "No",
            "null",
            "~",
            "",
            " leading",
            "trailing ",
            "#/components/schemas/X",
            "a: b",
            "a #b",
            "end:",
            "it's",
            "- dash",
            "[x]",
            "{x}",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "`x",
            "|x",
            ">x",
            "\"q\"",
            "中文描述。",
            "**参数解释**:\n\n请求语言类型。\n",
            "two\nlines",
            "ends\n\n\n",
            "\nstarts with a newline",
            " indented\nfirst line",
            "tab\there",
            "cr\r\nlf",
            "trailing \nspace",
            "bell\u{7}",
            "bom\u{feff}",
            "ls\u{2028}ps\u{2029}nel\u{85}",
            "back\\slash \"quoted\"",
            "GET https://{localhost}/v3/{project_id}/x?offset=1&limit=10",
            "Huawei's example is not valid against the body's schema (`vendor`: at `/ext_text`: null is not of type \"string\"; at `/replications/0/catchup_percentage`: 0 is not of type \"string\"); kept.",
            "A long sentence that is plain prose and goes on and on, well past the width of a line in the spec, so that it is folded over lines.",
            "Double  spaces  everywhere  in  a  long  line  that  cannot  be  folded  at  them  without  changing  the  text  at  all.",
            "A line with a # hash and - dash and ( parenthesis and 'quotes' that runs longer than the width of one line of the spec file.",
        ];
        for s in strings {
            assert_eq!(round_trip(&json!(s)), json!(s), "{s:?}");
        }
    }

    #[test]
    fn collections_and_scalars_read_back_as_written() {
        let v = json!({
            "x-vendor": ["minLength", "maxLength"],
            "x-vendor-text": ["description"],
            "list": [1, "a", null, true, 2.5, {"a": 1, "b": [1, 2]}, [3, [4]], [], {}],
            "nested": {"201": {"description": "a\nb\n"}, "200": "x", "empty": {}},
            "items": [{"name": "p", "in": "path", "schema": {"type": "string"}}],
            "text-in-list": ["one\ntwo\n", "x"],
        });
        assert_eq!(round_trip(&v), v);
    }

    #[test]
    fn the_style_is_the_specs() {
        let v = json!({
            "tags": ["HTAP (Standard Edition)"],
            "x-vendor": ["type", "minLength"],
            "$ref": "#/components/schemas/X",
            "200": 1,
            "description": "Line one.\nLine two.\n",
            "parameters": [{"name": "project_id", "in": "path"}],
        });
        assert_eq!(
            document(&v),
            "tags:\n  - HTAP (Standard Edition)\nx-vendor: [type, minLength]\n$ref: '#/components/schemas/X'\n\
             '200': 1\ndescription: |\n  Line one.\n  Line two.\nparameters:\n  - name: project_id\n    in: path\n"
        );
        assert_eq!(
            entry("k", &json!("a\nb"), 4),
            "    k: |-\n      a\n      b\n"
        );
        assert_eq!(item(&json!({"a": 1, "b": 2}), 2), "  - a: 1\n    b: 2\n");
        let long = "Huawei's definition lists \"type\" in `required`, which is not a property of this schema; it is left out.";
        assert_eq!(
            entry("x-discrepancies", &json!([long]), 6),
            "      x-discrepancies:\n        - Huawei's definition lists \"type\" in `required`, which is not a property of this schema; it\n          is left out.\n"
        );
    }
}
