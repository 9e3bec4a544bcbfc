//! The official SDKs' regions file, `~/.huaweicloud/regions.yaml` (or the file that
//! `HUAWEICLOUD_SDK_REGIONS_FILE` names): endpoints per service and region, consulted after
//! the environment's `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>` and before the spec's table.
//!
//! ```yaml
//! gaussdb:
//!   - id: cn-north-4
//!     endpoint: https://gaussdb.cn-north-4.myhuaweicloud.com
//!   - id: my-private-region
//!     endpoints:
//!       - https://gaussdb-a.example.internal
//!       - https://gaussdb-b.example.internal
//! ```
//!
//! Facts from huaweicloudsdkcore 3.1.219 (`region/cache.py`, `ProfileRegionCache`): the
//! top-level keys are service names, matched case-insensitively (the SDK upper-cases them;
//! this API's service is `GAUSSDB`); each is a list of regions with `id` and `endpoint`
//! and/or `endpoints` (the list first, then `endpoint`); several endpoints are tried in turn
//! on connection errors.
//!
//! **A small strict reader, not a YAML crate**, for the reason the profile reader gives
//! (`profile.rs`): the file uses block mappings and sequences of plain or quoted scalars, and
//! flow sequences of scalars (`endpoints: [a, b]`); this reader handles those, and refuses
//! every other YAML construct (anchors, aliases, tags, block scalars, flow mappings, several
//! documents) with its line, rather than reading it differently from a YAML library. Keys
//! appearing twice are errors. The whole file is checked, other services' entries too.

use std::path::Path;

use crate::Error;
use crate::profile::file_error;

/// This API's service name in the regions file (matched case-insensitively).
pub(crate) const SERVICE: &str = "gaussdb";

/// A region of the regions file: its endpoints and the line of each.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) id: String,
    pub(crate) endpoints: Vec<(String, usize)>,
}

/// The `gaussdb` regions of the regions file at `path`, whose text is `text`.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Vec<Region>, Error> {
    let lines = lines(text, path)?;
    let mut parser = Parser { lines, at: 0, path };
    let Some(first) = parser.lines.first() else {
        return Ok(Vec::new());
    };
    let root = parser.node(first.indent)?;
    if let Some(extra) = parser.lines.get(parser.at) {
        return Err(parser.error(extra.line, None, "unexpected indentation"));
    }
    let Node::Map(services) = root else {
        return Err(parser.error(1, None, "the file must map service names to region lists"));
    };
    let mut regions: Vec<Region> = Vec::new();
    for (service, line, value) in services {
        if !service.eq_ignore_ascii_case(SERVICE) {
            continue;
        }
        let items = match value {
            Node::Seq(items) => items,
            Node::Null => Vec::new(),
            _ => return Err(parser.error(line, Some(&service), "expected a list of regions")),
        };
        for (line, item) in items {
            let Node::Map(fields) = item else {
                return Err(parser.error(
                    line,
                    Some(&service),
                    "a region must be `id:` with `endpoint:` or `endpoints:`",
                ));
            };
            let (mut id, mut single, mut list) = (None, None, Vec::new());
            for (key, kline, value) in fields {
                match (key.as_str(), value) {
                    ("id", Node::Scalar(v)) => id = Some((v, kline)),
                    ("endpoint", Node::Scalar(v)) => single = Some((v, kline)),
                    ("endpoints", Node::Seq(items)) => {
                        for (eline, e) in items {
                            let Node::Scalar(v) = e else {
                                return Err(parser.error(
                                    eline,
                                    Some("endpoints"),
                                    "each endpoint must be a URL",
                                ));
                            };
                            list.push((v, eline));
                        }
                    }
                    ("endpoints", Node::Scalar(v)) => list.push((v, kline)),
                    ("id" | "endpoint", _) => {
                        return Err(parser.error(kline, Some(&key), "expected a single value"));
                    }
                    ("endpoints", _) => {
                        return Err(parser.error(kline, Some(&key), "expected a list of URLs"));
                    }
                    (other, _) => {
                        return Err(parser.error(
                            kline,
                            Some(other),
                            "unknown key (a region has `id`, `endpoint` and `endpoints`)",
                        ));
                    }
                }
            }
            let Some((id, id_line)) = id.filter(|(v, _)| !v.is_empty()) else {
                return Err(parser.error(line, Some("id"), "a region without an `id`"));
            };
            list.extend(single);
            if list.is_empty() {
                return Err(parser.error(
                    id_line,
                    Some("endpoint"),
                    &format!("region `{id}` has no `endpoint` or `endpoints`"),
                ));
            }
            if regions.iter().any(|r| r.id == id) {
                return Err(parser.error(
                    id_line,
                    Some("id"),
                    &format!("region `{id}` is listed twice"),
                ));
            }
            regions.push(Region {
                id,
                endpoints: list,
            });
        }
    }
    Ok(regions)
}

/// A significant line: its number, indentation and content without the comment.
#[derive(Debug, Clone)]
struct Line {
    line: usize,
    indent: usize,
    text: String,
}

/// The lines that are not blank or comments, comments cut off.
fn lines(text: &str, path: &Path) -> Result<Vec<Line>, Error> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.trim_start_matches(' ');
        if content.starts_with('\t') {
            return Err(file_error(path, line, None, "tabs cannot indent YAML"));
        }
        let text = strip_comment(content).trim_end().to_string();
        if text.is_empty() {
            continue;
        }
        if text == "---" && out.is_empty() {
            continue;
        }
        if text.starts_with("---") || text.starts_with("...") || text.starts_with('%') {
            return Err(file_error(
                path,
                line,
                None,
                "several YAML documents or directives are not supported",
            ));
        }
        out.push(Line {
            line,
            indent: raw.len() - content.len(),
            text,
        });
    }
    Ok(out)
}

/// The line without its comment: `#` at its start or after a space, outside quotes.
fn strip_comment(s: &str) -> &str {
    let (mut single, mut double, mut prev) = (false, false, ' ');
    for (i, c) in s.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && prev != '\\' => double = !double,
            '#' if !single && !double && (prev == ' ' || prev == '\t' || i == 0) => {
                return &s[..i];
            }
            _ => {}
        }
        prev = c;
    }
    s
}

#[derive(Debug)]
enum Node {
    Null,
    Scalar(String),
    /// Items and their lines.
    Seq(Vec<(usize, Node)>),
    /// Keys, their lines and values.
    Map(Vec<(String, usize, Node)>),
}

struct Parser<'a> {
    lines: Vec<Line>,
    at: usize,
    path: &'a Path,
}

impl Parser<'_> {
    fn error(&self, line: usize, key: Option<&str>, what: &str) -> Error {
        file_error(self.path, line, key, what)
    }

    /// The block node whose first line is the current one, indented by `indent`.
    fn node(&mut self, indent: usize) -> Result<Node, Error> {
        let Some(first) = self.lines.get(self.at).cloned() else {
            return Ok(Node::Null);
        };
        if first.text == "-" || first.text.starts_with("- ") {
            self.sequence(indent)
        } else if key_split(&first.text).is_some() {
            self.mapping(indent)
        } else {
            self.at += 1;
            Ok(Node::Scalar(self.scalar(&first.text, first.line)?))
        }
    }

    fn sequence(&mut self, indent: usize) -> Result<Node, Error> {
        let mut items = Vec::new();
        while let Some(l) = self.lines.get(self.at).cloned() {
            if l.indent != indent || !(l.text == "-" || l.text.starts_with("- ")) {
                break;
            }
            let rest = l.text[1..].trim_start();
            if rest.is_empty() {
                self.at += 1;
                let child = match self.lines.get(self.at) {
                    Some(next) if next.indent > indent => {
                        let i = next.indent;
                        self.node(i)?
                    }
                    _ => Node::Null,
                };
                items.push((l.line, child));
            } else {
                // `- key: value`: the item's first line starts after the dash, and its other
                // keys line up with that one.
                let column = indent + (l.text.len() - rest.len());
                self.lines[self.at] = Line {
                    line: l.line,
                    indent: column,
                    text: rest.to_string(),
                };
                let child = self.node(column)?;
                items.push((l.line, child));
            }
        }
        Ok(Node::Seq(items))
    }

    fn mapping(&mut self, indent: usize) -> Result<Node, Error> {
        let mut entries: Vec<(String, usize, Node)> = Vec::new();
        while let Some(l) = self.lines.get(self.at).cloned() {
            if l.indent != indent {
                if l.indent > indent {
                    return Err(self.error(l.line, None, "unexpected indentation"));
                }
                break;
            }
            let Some((key, value)) = key_split(&l.text) else {
                return Err(self.error(l.line, None, "expected `key: value`"));
            };
            let key = self.scalar(key, l.line)?;
            if entries.iter().any(|(k, _, _)| *k == key) {
                return Err(self.error(l.line, Some(&key), "the key appears twice"));
            }
            self.at += 1;
            let value = if value.is_empty() {
                match self.lines.get(self.at) {
                    Some(next) if next.indent > indent => {
                        let i = next.indent;
                        self.node(i)?
                    }
                    // A block sequence may sit at its key's indentation.
                    Some(next)
                        if next.indent == indent
                            && (next.text == "-" || next.text.starts_with("- ")) =>
                    {
                        self.sequence(indent)?
                    }
                    _ => Node::Null,
                }
            } else if let Some(inner) = value.strip_prefix('[') {
                let Some(inner) = inner.strip_suffix(']') else {
                    return Err(self.error(
                        l.line,
                        Some(&key),
                        "a flow list must end on its line with `]`",
                    ));
                };
                let mut items = Vec::new();
                for item in split_flow(inner) {
                    let item = item.trim();
                    if item.is_empty() {
                        continue;
                    }
                    items.push((l.line, Node::Scalar(self.scalar(item, l.line)?)));
                }
                Node::Seq(items)
            } else {
                Node::Scalar(self.scalar(value, l.line)?)
            };
            entries.push((key, l.line, value));
        }
        Ok(Node::Map(entries))
    }

    /// A plain, single-quoted or double-quoted scalar.
    fn scalar(&self, s: &str, line: usize) -> Result<String, Error> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix('\'') {
            let Some(inner) = inner.strip_suffix('\'') else {
                return Err(self.error(line, None, "an unterminated '...' string"));
            };
            if inner.replace("''", "").contains('\'') {
                return Err(self.error(line, None, "a `'` inside '...' must be doubled"));
            }
            return Ok(inner.replace("''", "'"));
        }
        if let Some(inner) = s.strip_prefix('"') {
            let Some(inner) = inner.strip_suffix('"') else {
                return Err(self.error(line, None, "an unterminated \"...\" string"));
            };
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('\\') => out.push('\\'),
                        Some('"') => out.push('"'),
                        Some('/') => out.push('/'),
                        Some('t') => out.push('\t'),
                        _ => {
                            return Err(self.error(
                                line,
                                None,
                                "only \\\\, \\\", \\/ and \\t escapes are supported",
                            ));
                        }
                    },
                    '"' => {
                        return Err(self.error(
                            line,
                            None,
                            "a `\"` inside \"...\" must be escaped",
                        ));
                    }
                    c => out.push(c),
                }
            }
            return Ok(out);
        }
        if s.starts_with([
            '&', '*', '!', '|', '>', '{', '}', '[', ']', '@', '`', '?', '%',
        ]) {
            return Err(self.error(
                line,
                None,
                "anchors, aliases, tags, block scalars and flow mappings are not supported",
            ));
        }
        if s == "~" || s == "null" || s == "Null" || s == "NULL" {
            return Ok(String::new());
        }
        Ok(s.to_string())
    }
}

/// `key: value` (or `key:`) split at the first `: ` or a final `:` outside quotes.
fn key_split(text: &str) -> Option<(&str, &str)> {
    let (mut single, mut double) = (false, false);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b':' if !single && !double => {
                if i + 1 == bytes.len() {
                    return Some((&text[..i], ""));
                }
                if bytes[i + 1] == b' ' {
                    return Some((&text[..i], text[i + 1..].trim()));
                }
            }
            _ => {}
        }
    }
    None
}

/// The items of a flow list's inside, split at commas outside quotes.
fn split_flow(inner: &str) -> Vec<&str> {
    let (mut single, mut double, mut start) = (false, false, 0);
    let mut out = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ',' if !single && !double => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&inner[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(text: &str) -> Result<Vec<Region>, String> {
        parse(text, Path::new("/h/.huaweicloud/regions.yaml")).map_err(|e| e.to_string())
    }

    fn region(id: &str, endpoints: &[(&str, usize)]) -> Region {
        Region {
            id: id.to_string(),
            endpoints: endpoints.iter().map(|(e, l)| (e.to_string(), *l)).collect(),
        }
    }

    #[test]
    fn reads_the_sdk_layouts() {
        let text = "\
---
# the SDK README's layout: quoted values, the list at the key's indentation
ECS:
- id: 'cn-north-1'
  endpoint: 'https://ecs.cn-north-1.myhuaweicloud.com'
GaussDB:
  - id: cn-north-4   # a comment
    endpoint: \"https://gaussdb.cn-north-4.example\"
  - id: private-1
    endpoints:
      - https://a.example
      - https://b.example:8443/base
    endpoint: https://c.example
  -
    id: private-2
    endpoints: [ 'https://d.example', https://e.example ]
IoTDA: []
";
        assert_eq!(
            regions(text).unwrap(),
            vec![
                region("cn-north-4", &[("https://gaussdb.cn-north-4.example", 8)]),
                region(
                    "private-1",
                    &[
                        ("https://a.example", 11),
                        ("https://b.example:8443/base", 12),
                        ("https://c.example", 13),
                    ]
                ),
                region(
                    "private-2",
                    &[("https://d.example", 16), ("https://e.example", 16)]
                ),
            ]
        );
        assert_eq!(regions("").unwrap(), vec![]);
        assert_eq!(regions("# nothing\n").unwrap(), vec![]);
        assert_eq!(regions("gaussdb:\n").unwrap(), vec![]);
    }

    #[test]
    fn malformed_files_name_the_line_and_key() {
        let cases = [
            (
                "gaussdb:\n  - id: a\n",
                "line 2, key `endpoint`: region `a` has no `endpoint`",
            ),
            (
                "gaussdb:\n  - endpoint: https://x\n",
                "line 2, key `id`: a region without an `id`",
            ),
            (
                "gaussdb:\n  - id: a\n    endpoint: https://x\n    url: y\n",
                "line 4, key `url`: unknown key",
            ),
            (
                "gaussdb:\n  - id: a\n    endpoint: https://x\n  - id: a\n    endpoint: https://y\n",
                "line 4, key `id`: region `a` is listed twice",
            ),
            (
                "gaussdb:\n  - id: a\n    id: b\n",
                "line 3, key `id`: the key appears twice",
            ),
            ("gaussdb:\n\t- id: a\n", "line 2: tabs cannot indent YAML"),
            ("gaussdb: &x\n", "line 1: anchors, aliases"),
            (
                "gaussdb:\n  - {id: a}\n",
                "line 2: anchors, aliases, tags, block scalars and flow mappings",
            ),
            (
                "gaussdb:\n  - id: a\n      endpoint: x\n",
                "line 3: unexpected indentation",
            ),
            (
                "gaussdb: x\n",
                "line 1, key `gaussdb`: expected a list of regions",
            ),
            ("gaussdb:\n  - id: 'a\n", "line 2: an unterminated"),
            ("a: 1\n---\nb: 2\n", "line 2: several YAML documents"),
            ("- a\n", "line 1: the file must map service names"),
            (
                "gaussdb:\n  - id: a\n    endpoints: [x\n",
                "line 3, key `endpoints`: a flow list must end",
            ),
        ];
        for (text, want) in cases {
            let e = regions(text).unwrap_err();
            assert!(
                e.starts_with("/h/.huaweicloud/regions.yaml, ") && e.contains(want),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn comments_and_quotes() {
        assert_eq!(strip_comment("a: 'x # y' # z"), "a: 'x # y' ");
        assert_eq!(strip_comment("a: b#c"), "a: b#c");
        assert_eq!(key_split("'a: b': c"), Some(("'a: b'", "c")));
        assert_eq!(key_split("https://x"), None);
        assert_eq!(split_flow("'a,b', c"), vec!["'a,b'", " c"]);
    }
}
