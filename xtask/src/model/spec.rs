//! Loading an OpenAPI document: YAML (or JSON) text to a JSON value that remembers where
//! every node came from, then to [`openapiv3::OpenAPI`].
//!
//! Every failure is a [`Diagnostic`] that names the file and, where there is one, the line
//! and column, so that `gen`, `lint`, `docs` and `diff` report bad input the same way.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// Specs larger than this are refused before parsing: no real API description comes close,
/// and a parser fed an arbitrarily large file is an easy way to exhaust memory.
pub const MAX_SPEC_BYTES: usize = 16 * 1024 * 1024;

/// Aliases may repeat anchored nodes; this bounds the expanded size (the "billion laughs").
const MAX_NODES: usize = 2_000_000;

/// No API description nests this deep; deeper input would exhaust the stack of the recursive
/// passes that follow (and of dropping the value).
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column in the spec's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    fn from_span(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

/// A problem with a spec file: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: {}", self.file, p.line, p.col, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// A parsed spec: its JSON value and the position of every node, keyed by JSON pointer.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The path as given, used in messages.
    pub file: String,
    pub path: PathBuf,
    pub root: Value,
    /// Every node's position by JSON pointer, sorted by pointer for [`Spec::pos`]: a map
    /// key's position stands for its value. (A sorted list rather than a hash map: built
    /// once per node, read only for diagnostics.)
    positions: Vec<(String, Pos)>,
}

impl Spec {
    /// Reads and parses a spec file.
    pub fn load(path: &Path) -> Result<Spec, Diagnostic> {
        let file = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| Diagnostic::new(&file, None, format!("cannot read the spec: {e}")))?;
        if meta.len() > MAX_SPEC_BYTES as u64 {
            return Err(too_large(&file, meta.len()));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Diagnostic::new(&file, None, format!("cannot read the spec: {e}")))?;
        let mut spec = Spec::parse(&file, &bytes)?;
        spec.path = path.to_path_buf();
        Ok(spec)
    }

    /// Parses spec text; `file` is the name used in messages.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Spec, Diagnostic> {
        if bytes.len() > MAX_SPEC_BYTES {
            return Err(too_large(file, bytes.len() as u64));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let offset = e.valid_up_to();
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            let col = offset
                - bytes[..offset]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            Diagnostic::new(
                file,
                Some(Pos { line, col }),
                format!("the spec is not valid UTF-8 (invalid byte at offset {offset})"),
            )
        })?;
        let (root, positions) = Builder::new(file).run(text)?;
        Ok(Spec {
            file: file.to_string(),
            path: PathBuf::from(file),
            root,
            positions,
        })
    }

    /// The position of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn pos(&self, pointer: &str) -> Option<Pos> {
        let mut p = pointer;
        loop {
            if let Ok(i) = self
                .positions
                .binary_search_by(|(ptr, _)| ptr.as_str().cmp(p))
            {
                return Some(self.positions[i].1);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// The position of the node at exactly `pointer` (no ancestor's).
    pub fn exact_pos(&self, pointer: &str) -> Option<Pos> {
        self.positions
            .binary_search_by(|(ptr, _)| ptr.as_str().cmp(pointer))
            .ok()
            .map(|i| self.positions[i].1)
    }

    /// Every recorded node as (JSON pointer, position), sorted by pointer: a mapping's value
    /// is at its key, a sequence's item where it starts. `import` finds where a node's text
    /// ends from the node that follows it.
    pub fn positions(&self) -> &[(String, Pos)] {
        &self.positions
    }

    /// A diagnostic about the node at `pointer`.
    pub fn diag(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.file, self.pos(pointer), message)
    }

    /// Checks what progenitor needs before it is asked to generate anything and converts the
    /// document to [`openapiv3::OpenAPI`]: [`crate::model::checks::openapi`].
    pub fn openapi(&self) -> Result<openapiv3::OpenAPI, Diagnostic> {
        crate::model::checks::openapi(self)
    }

    /// The document must be OpenAPI 3.0.x: [`crate::model::checks::version`].
    pub fn check_version(&self) -> Vec<Diagnostic> {
        crate::model::checks::version(self)
    }
}

fn too_large(file: &str, len: u64) -> Diagnostic {
    Diagnostic::new(
        file,
        None,
        format!("the spec is {len} bytes; specs over {MAX_SPEC_BYTES} bytes are refused"),
    )
}

// The document's traversals live in `walk`; these are re-exported where `diff` and the
// generator have always found them.
pub use crate::model::walk::{METHODS, operations, refs};

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Deserializes the document, turning serde's error into (pointer, message).
pub fn to_openapi(root: &Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    serde_path_to_error::deserialize(root).map_err(|e| {
        let mut ptr = String::new();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => ptr.push_str(&format!("/{index}")),
                Segment::Map { key } => ptr.push_str(&format!("/{}", escape_pointer(key))),
                Segment::Enum { .. } | Segment::Unknown => {}
            }
        }
        let at = if ptr.is_empty() {
            "the document root".to_string()
        } else {
            format!("`{ptr}`")
        };
        (
            ptr,
            format!("not a valid OpenAPI 3.0 document at {at}: {}", e.inner()),
        )
    })
}

/// Builds a JSON value from saphyr's event stream, recording positions and refusing what
/// JSON cannot hold (non-scalar keys, duplicate keys, several documents).
struct Builder<'f> {
    file: &'f str,
    /// In document order until the end, when they are sorted by pointer.
    positions: Vec<(String, Pos)>,
    anchors: HashMap<usize, Value>,
    nodes: usize,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        ptr: String,
    },
    Map {
        map: Map<String, Value>,
        pending_key: Option<(String, Pos)>,
        anchor: usize,
        ptr: String,
    },
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Self {
        Builder {
            file,
            positions: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
        }
    }

    fn err(&self, pos: Pos, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file, Some(pos), msg)
    }

    fn run(mut self, text: &str) -> Result<(Value, Vec<(String, Pos)>), Diagnostic> {
        let mut parser = Parser::new_from_str(text);
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Value> = None;
        let mut documents = 0;
        while let Some(event) = parser.next_event() {
            let (event, span) = event.map_err(|e| {
                let m = e.marker();
                self.err(
                    Pos {
                        line: m.line(),
                        col: m.col() + 1,
                    },
                    format!("YAML syntax error: {}", e.info()),
                )
            })?;
            let pos = Pos::from_span(&span);
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(self.err(pos, "the spec holds more than one YAML document"));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                    let value =
                        scalar(&text, style, tag.as_deref()).map_err(|m| self.err(pos, m))?;
                    self.value(&mut stack, &mut root, value, anchor, pos, Some(&text))?;
                }
                Event::Alias(id) => {
                    let value = self
                        .anchors
                        .get(&id)
                        .cloned()
                        .ok_or_else(|| self.err(pos, "alias to an unknown anchor"))?;
                    self.nodes += count_nodes(&value);
                    self.value(&mut stack, &mut root, value, 0, pos, None)?;
                }
                Event::SequenceStart(anchor, _) => {
                    let ptr = self.child_ptr(&stack, pos)?;
                    stack.push(Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        ptr,
                    });
                }
                Event::MappingStart(anchor, _) => {
                    let ptr = self.child_ptr(&stack, pos)?;
                    stack.push(Frame::Map {
                        map: Map::new(),
                        pending_key: None,
                        anchor,
                        ptr,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (value, anchor) = match stack.pop() {
                        Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
                        Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                        None => return Err(self.err(pos, "unbalanced YAML collection")),
                    };
                    self.place(&mut stack, &mut root, value, anchor, pos)?;
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
            if stack.len() > MAX_DEPTH {
                return Err(self.err(
                    pos,
                    format!("the spec nests deeper than {MAX_DEPTH} levels"),
                ));
            }
            if self.nodes > MAX_NODES {
                return Err(self.err(
                    pos,
                    format!("the spec expands to more than {MAX_NODES} nodes"),
                ));
            }
        }
        let root = root.unwrap_or(Value::Null);
        if !root.is_object() {
            return Err(Diagnostic::new(
                self.file,
                Some(Pos { line: 1, col: 1 }),
                "the spec must be a YAML mapping (an OpenAPI document object)",
            ));
        }
        // One entry per pointer: a mapping's value is not recorded (its key is) and a
        // mapping's keys are unique.
        let mut positions = self.positions;
        positions.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok((root, positions))
    }

    /// The pointer of the collection about to start, given the open collections. Its
    /// position is recorded unless it is a mapping's value, whose key's stands for it.
    fn child_ptr(&mut self, stack: &[Frame], pos: Pos) -> Result<String, Diagnostic> {
        let ptr = match stack.last() {
            None => String::new(),
            Some(Frame::Seq { items, ptr, .. }) => format!("{ptr}/{}", items.len()),
            Some(Frame::Map {
                pending_key: Some((k, _)),
                ptr,
                ..
            }) => return Ok(format!("{ptr}/{}", escape_pointer(k))),
            Some(Frame::Map {
                pending_key: None, ..
            }) => {
                return Err(self.err(
                    pos,
                    "a mapping key must be a plain scalar (string or number)",
                ));
            }
        };
        self.positions.push((ptr.clone(), pos));
        Ok(ptr)
    }

    /// A scalar or alias: either a key of the enclosing mapping or a value.
    fn value(
        &mut self,
        stack: &mut [Frame],
        root: &mut Option<Value>,
        value: Value,
        anchor: usize,
        pos: Pos,
        raw: Option<&str>,
    ) -> Result<(), Diagnostic> {
        if let Some(Frame::Map {
            pending_key: pending @ None,
            map,
            ptr,
            ..
        }) = stack.last_mut()
        {
            let key = match &value {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => {
                    raw.map(str::to_string).unwrap_or_else(|| value.to_string())
                }
                _ => {
                    return Err(Diagnostic::new(
                        self.file,
                        Some(pos),
                        "a mapping key must be a string or a number",
                    ));
                }
            };
            let key_ptr = format!("{ptr}/{}", escape_pointer(&key));
            // Every earlier key's value is in the map already.
            if map.contains_key(&key) {
                let first = self.positions.iter().rev().find(|(p, _)| *p == key_ptr);
                let line = first.map_or(0, |(_, p)| p.line);
                return Err(Diagnostic::new(
                    self.file,
                    Some(pos),
                    format!("duplicate key `{key}` (first at line {line})"),
                ));
            }
            self.positions.push((key_ptr, pos));
            *pending = Some((key, pos));
            return Ok(());
        }
        // A mapping's value needs no pointer of its own (its key has the position).
        if !matches!(stack.last(), Some(Frame::Map { .. })) {
            self.child_ptr(stack, pos)?;
        }
        self.place(stack, root, value, anchor, pos)
    }

    /// Puts a finished node into its parent.
    fn place(
        &mut self,
        stack: &mut [Frame],
        root: &mut Option<Value>,
        value: Value,
        anchor: usize,
        pos: Pos,
    ) -> Result<(), Diagnostic> {
        self.nodes += 1;
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => *root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                map, pending_key, ..
            }) => match pending_key.take() {
                Some((k, _)) => {
                    map.insert(k, value);
                }
                None => {
                    return Err(Diagnostic::new(
                        self.file,
                        Some(pos),
                        "a mapping key must be a plain scalar (string or number)",
                    ));
                }
            },
        }
        Ok(())
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves a scalar with the YAML 1.2 core schema.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    match tag {
        None => {}
        Some("!!str" | "tag:yaml.org,2002:str") => return Ok(Value::String(text.to_string())),
        Some(
            "!!int"
            | "!!float"
            | "!!bool"
            | "!!null"
            | "tag:yaml.org,2002:int"
            | "tag:yaml.org,2002:float"
            | "tag:yaml.org,2002:bool"
            | "tag:yaml.org,2002:null",
        ) => {
            return plain(text)
                .ok_or_else(|| format!("`{text}` does not match its tag {}", tag.unwrap_or("")));
        }
        Some(other) => return Err(format!("unsupported YAML tag `{other}`")),
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    Ok(plain(text).unwrap_or_else(|| Value::String(text.to_string())))
}

fn plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::Number(i.into()));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Value::Number(u.into()));
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16)
            .ok()
            .map(|i| Value::Number(i.into()));
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8)
            .ok()
            .map(|i| Value::Number(i.into()));
    }
    let looks_float = digits
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_float && let Ok(f) = text.parse::<f64>() {
        return Number::from_f64(f).map(Value::Number);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Spec, Diagnostic> {
        Spec::parse("t.yaml", text.as_bytes())
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let s =
            parse("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: en-us\ng: \"200\"\n200: x\n").unwrap();
        assert_eq!(
            s.root,
            serde_json::json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": "en-us", "g": "200", "200": "x"})
        );
    }

    #[test]
    fn positions_point_at_keys_and_items() {
        let s = parse("a:\n  b:\n    - x\n    - y: 1\n").unwrap();
        assert_eq!(s.pos("/a/b"), Some(Pos { line: 2, col: 3 }));
        assert_eq!(s.pos("/a/b/1/y"), Some(Pos { line: 4, col: 7 }));
        assert_eq!(s.pos("/a/b/1/y/missing"), Some(Pos { line: 4, col: 7 }));
        // Sequence items, a mapping inside a sequence, and a key's position for its value.
        assert_eq!(s.pos("/a/b/0"), Some(Pos { line: 3, col: 7 }));
        assert_eq!(s.pos("/a/b/1"), Some(Pos { line: 4, col: 7 }));
        assert_eq!(s.pos("/a"), Some(Pos { line: 1, col: 1 }));
        assert_eq!(s.pos("/c"), s.pos(""));
    }

    #[test]
    fn every_node_has_an_exact_position() {
        let s = parse("a:\n  - x\n  - k: 1\n    l: 2\nb: {c: 3}\n").unwrap();
        assert_eq!(s.exact_pos("/a/1/l"), Some(Pos { line: 4, col: 5 }));
        assert_eq!(s.exact_pos("/a/1/missing"), None);
        // A mapping inside a sequence starts at its first key, after the dash.
        assert_eq!(s.exact_pos("/a/1"), Some(Pos { line: 3, col: 5 }));
        assert_eq!(s.exact_pos("/b/c"), Some(Pos { line: 5, col: 5 }));
        let pointers: Vec<&str> = s.positions().iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            ["", "/a", "/a/0", "/a/1", "/a/1/k", "/a/1/l", "/b", "/b/c"]
        );
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"), "{e}");
        assert!(e.pos.is_some(), "{e}");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:3:1: duplicate key `a` (first at line 1)"
        );
    }

    #[test]
    fn non_utf8_is_refused_with_position() {
        let e = Spec::parse("t.yaml", b"a: 1\nb: \xff\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, col: 4 }));
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn aliases_are_expanded_within_a_budget() {
        let s = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(s.root["b"], serde_json::json!([1, 2]));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{e}");
    }

    #[test]
    fn schemas_that_require_themselves_are_refused() {
        let base =
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n";
        let ok = format!(
            "{base}    A:\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/A'}}\n"
        );
        parse(&ok).unwrap().openapi().unwrap();
        let bad = format!(
            "{base}    A:\n      type: object\n      required: [b]\n      properties:\n        b: {{$ref: '#/components/schemas/B'}}\n    B:\n      type: object\n      required: [a]\n      properties:\n        a: {{allOf: [{{$ref: '#/components/schemas/A'}}]}}\n"
        );
        let e = parse(&bad).unwrap().openapi().unwrap_err();
        assert!(
            e.message
                .starts_with("recursive schema: `A` requires itself (A -> B -> A)"),
            "{e}"
        );
        assert_eq!(e.pos.map(|p| p.line), Some(15));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let flow = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&flow).is_err());
        let block: String = (0..300)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(300)
            + "x\n";
        let e = parse(&block).unwrap_err();
        assert!(e.message.contains("nests deeper than 128 levels"), "{e}");
        let ok = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        parse(&ok).unwrap();
    }

    #[test]
    fn several_documents_are_refused() {
        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(e.message.contains("more than one YAML document"), "{e}");
    }
}
