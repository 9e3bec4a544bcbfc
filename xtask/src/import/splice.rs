//! Writing the plan into the spec's text: new operations, components, tags and security
//! schemes are spliced in as YAML text where they belong, and every other byte of the file
//! stays as it was (comments, blank lines, quoting, key order).
//!
//! Where a node's text ends is found from the loader's positions ([`Spec::positions`]): it
//! ends before the next node that is not inside it, less the blank lines and the comments
//! indented no deeper than its key, which belong to what follows. New entries of a block
//! mapping or sequence are written after its last entry, indented as its entries are; an
//! empty flow collection (`paths: {}`, `tags: []`) becomes a block. A non-empty flow
//! collection (a spec written as JSON) cannot be spliced into, and is refused.

use serde_json::Value;

use super::merge::Plan;
use super::yaml;
use crate::model::spec::{Diagnostic, Pos, Spec, escape_pointer};
use crate::model::walk::METHODS;

/// One change of the text: `start..end` replaced by `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

struct Text<'a> {
    text: &'a str,
    spec: &'a Spec,
    /// The byte offset of each line's start.
    lines: Vec<usize>,
    edits: Vec<Edit>,
}

/// How a mapping or sequence value is written after its key.
enum Style {
    /// Its entries on the following lines.
    Block,
    /// Nothing, `null`, `~`, `{}` or `[]` after the key: the byte range of that value.
    Empty(usize, usize),
    /// A flow collection with entries.
    Flow,
}

impl<'a> Text<'a> {
    fn new(text: &'a str, spec: &'a Spec) -> Self {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Text {
            text,
            spec,
            lines,
            edits: Vec::new(),
        }
    }

    fn err(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        self.spec.diag(pointer, message)
    }

    /// The text of 1-based line `n`, without its newline.
    fn line(&self, n: usize) -> &'a str {
        let start = self.lines.get(n - 1).copied().unwrap_or(self.text.len());
        let end = self
            .lines
            .get(n)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        &self.text[start..end.max(start)]
    }

    fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.lines.len() - 1
        } else {
            self.lines.len()
        }
    }

    /// The byte offset where 1-based line `n` starts (the end of the text past the last).
    fn line_start(&self, n: usize) -> usize {
        self.lines.get(n - 1).copied().unwrap_or(self.text.len())
    }

    fn pos(&self, pointer: &str) -> Result<Pos, Diagnostic> {
        self.spec
            .exact_pos(pointer)
            .ok_or_else(|| self.err(pointer, "import cannot find where this node is written"))
    }

    /// The byte offset just after the last line of the node at `pointer`.
    fn end(&self, pointer: &str) -> Result<usize, Diagnostic> {
        let start = self.pos(pointer)?;
        let inside = format!("{pointer}/");
        let next = self
            .spec
            .positions()
            .iter()
            .filter(|(p, pos)| {
                *pos > start && p != pointer && !p.starts_with(&inside) && !pointer.is_empty()
            })
            .map(|(_, pos)| *pos)
            .min();
        let mut last = match next {
            Some(p) => p.line - 1,
            None => self.line_count(),
        };
        let key_indent = start.col - 1;
        while last > start.line {
            let l = self.line(last);
            let trimmed = l.trim_start();
            let indent = l.len() - trimmed.len();
            if trimmed.is_empty() || (trimmed.starts_with('#') && indent <= key_indent) {
                last -= 1;
            } else {
                break;
            }
        }
        Ok(self.line_start(last + 1))
    }

    /// How the value of the mapping key at `pointer` is written.
    fn style(&self, pointer: &str) -> Result<Style, Diagnostic> {
        let pos = self.pos(pointer)?;
        let line = self.line(pos.line);
        let line_start = self.line_start(pos.line);
        let key_at = line
            .char_indices()
            .nth(pos.col - 1)
            .map_or(line.len(), |(i, _)| i);
        let rest = &line[key_at..];
        // The end of the key: past a quoted key, then the colon.
        let after_key = match rest.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let mut i = 1;
                let bytes = rest.as_bytes();
                while i < bytes.len() {
                    if bytes[i] == b'\\' && q == '"' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q as u8 {
                        if q == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i + 1
            }
            _ => 0,
        };
        let colon = rest[after_key..]
            .find(':')
            .map(|c| after_key + c + 1)
            .ok_or_else(|| self.err(pointer, "import expects `key: value` here"))?;
        let value = &rest[colon..];
        let value_trimmed = value.trim_start();
        let value_start = line_start + key_at + colon + (value.len() - value_trimmed.len());
        let token = value_trimmed
            .split(" #")
            .next()
            .unwrap_or_default()
            .trim_end();
        match token {
            "" if value_trimmed.is_empty() || value_trimmed.starts_with('#') => {
                // Nothing after the key: a block, or null when nothing follows inside it.
                match self.spec.root.pointer(pointer) {
                    Some(Value::Null) | None => Ok(Style::Empty(value_start, value_start)),
                    _ => Ok(Style::Block),
                }
            }
            // From the colon: `paths: {}` becomes `paths:`.
            "{}" | "[]" | "null" | "~" => Ok(Style::Empty(
                line_start + key_at + colon,
                value_start + token.len(),
            )),
            t if t.starts_with('{') || t.starts_with('[') => Ok(Style::Flow),
            _ => Err(self.err(
                pointer,
                "import splices into block mappings and sequences only (not anchors, tags or scalars)",
            )),
        }
    }

    fn push(&mut self, start: usize, end: usize, text: String) {
        self.edits.push(Edit { start, end, text });
    }

    /// Adds `key: value` entries to the mapping at `pointer`.
    fn add_entries(
        &mut self,
        pointer: &str,
        entries: &[(String, Value)],
    ) -> Result<(), Diagnostic> {
        if entries.is_empty() {
            return Ok(());
        }
        let key = self.pos(pointer)?;
        match self.style(pointer)? {
            Style::Block => {
                let first_child = self
                    .spec
                    .root
                    .pointer(pointer)
                    .and_then(Value::as_object)
                    .and_then(|m| m.keys().next())
                    .map(|k| format!("{pointer}/{}", escape_pointer(k)));
                let indent = match first_child {
                    Some(c) => self.pos(&c)?.col - 1,
                    None => key.col + 1,
                };
                let text: String = entries
                    .iter()
                    .map(|(k, v)| yaml::entry(k, v, indent))
                    .collect();
                let at = self.end(pointer)?;
                self.insert(at, text);
            }
            Style::Empty(s, e) => {
                self.push(s, e, String::new());
                let text: String = entries
                    .iter()
                    .map(|(k, v)| yaml::entry(k, v, key.col + 1))
                    .collect();
                let at = self.line_start(key.line + 1);
                self.insert(at, text);
            }
            Style::Flow => return Err(self.flow(pointer)),
        }
        Ok(())
    }

    /// Adds items to the sequence at `pointer`.
    fn add_items(&mut self, pointer: &str, items: &[Value]) -> Result<(), Diagnostic> {
        if items.is_empty() {
            return Ok(());
        }
        let key = self.pos(pointer)?;
        match self.style(pointer)? {
            Style::Block => {
                let first = self.pos(&format!("{pointer}/0"))?;
                let line = self.line(first.line);
                let before: String = line.chars().take(first.col - 1).collect();
                let dash = before
                    .trim_end()
                    .strip_suffix('-')
                    .map(str::len)
                    .ok_or_else(|| {
                        self.err(pointer, "import cannot find this sequence's dashes")
                    })?;
                let text: String = items.iter().map(|v| yaml::item(v, dash)).collect();
                let at = self.end(pointer)?;
                self.insert(at, text);
            }
            Style::Empty(s, e) => {
                self.push(s, e, String::new());
                let text: String = items.iter().map(|v| yaml::item(v, key.col + 1)).collect();
                let at = self.line_start(key.line + 1);
                self.insert(at, text);
            }
            Style::Flow => return Err(self.flow(pointer)),
        }
        Ok(())
    }

    /// Adds a top-level entry after the first of `after` the document has (at its end if
    /// none).
    fn top_level(&mut self, after: &[&str], key: &str, value: &Value) -> Result<(), Diagnostic> {
        let at = match after.iter().find(|k| self.spec.root.get(**k).is_some()) {
            Some(k) => self.end(&format!("/{}", escape_pointer(k)))?,
            None => self.text.len(),
        };
        self.insert(at, yaml::entry(key, value, 0));
        Ok(())
    }

    /// Inserts text at `at` (a line start, or the end of the text).
    fn insert(&mut self, at: usize, text: String) {
        let text = if at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n') {
            format!("\n{text}")
        } else {
            text
        };
        self.push(at, at, text);
    }

    /// Removes the mapping entry at `pointer` (its key's line to the end of its value).
    fn remove(&mut self, pointer: &str) -> Result<(), Diagnostic> {
        let start = self.line_start(self.pos(pointer)?.line);
        let end = self.end(pointer)?;
        self.push(start, end, String::new());
        Ok(())
    }

    fn flow(&self, pointer: &str) -> Diagnostic {
        self.err(
            pointer,
            "this is written in flow style (`{...}` or `[...]`, as JSON is): import splices into block-style YAML only; convert the spec to block YAML first",
        )
    }

    fn finish(mut self) -> String {
        // Later edits first, so that earlier offsets stay valid; edits at one offset in the
        // order they were made.
        let mut order: Vec<usize> = (0..self.edits.len()).collect();
        order.sort_by(|a, b| {
            let (ea, eb) = (&self.edits[*a], &self.edits[*b]);
            eb.start.cmp(&ea.start).then(b.cmp(a))
        });
        let mut out = self.text.to_string();
        for i in order {
            let e = &mut self.edits[i];
            out.replace_range(e.start..e.end, &std::mem::take(&mut e.text));
        }
        out
    }
}

/// The spec's text with the plan spliced in.
pub fn splice(text: &str, spec: &Spec, plan: &Plan) -> Result<String, Diagnostic> {
    let mut t = Text::new(text, spec);
    let root = &spec.root;
    // Operations the spec has and the import replaces: in place when the method and path
    // are the same, else removed where they are.
    let mut in_place: Vec<usize> = Vec::new();
    for (i, a) in plan.added.iter().enumerate() {
        let Some(ptr) = &a.replaces else { continue };
        let here = format!("/paths/{}/{}", escape_pointer(&a.path), a.method);
        if *ptr == here {
            let pos = t.pos(ptr)?;
            let start = t.line_start(pos.line);
            let end = t.end(ptr)?;
            t.push(start, end, yaml::entry(a.method, &a.value, pos.col - 1));
            in_place.push(i);
        } else {
            let (item_ptr, _) = ptr.rsplit_once('/').unwrap_or((ptr, ""));
            let item = root.pointer(item_ptr);
            let methods_left = item
                .and_then(Value::as_object)
                .map(|m| {
                    m.keys()
                        .filter(|k| METHODS.contains(&k.as_str()))
                        .filter(|k| format!("{item_ptr}/{k}") != *ptr)
                        .filter(|k| {
                            !plan.added.iter().any(|o| {
                                o.replaces.as_deref() == Some(format!("{item_ptr}/{k}").as_str())
                            })
                        })
                        .count()
                })
                .unwrap_or(0);
            let path = item_ptr
                .trim_start_matches("/paths/")
                .replace("~1", "/")
                .replace("~0", "~");
            let refilled = plan.added.iter().any(|o| o.path == path);
            if methods_left == 0 && !refilled {
                // Removed once, for the first operation of the item that goes.
                let first = plan.added.iter().position(|o| {
                    o.replaces
                        .as_deref()
                        .is_some_and(|r| r.starts_with(&format!("{item_ptr}/")))
                });
                if first == Some(i) {
                    t.remove(item_ptr)?;
                }
            } else {
                t.remove(ptr)?;
            }
        }
    }
    // New operations: into their path items, or as new path items.
    let mut new_items: Vec<(String, serde_json::Map<String, Value>)> = Vec::new();
    let mut into_items: Vec<(String, Vec<(String, Value)>)> = Vec::new();
    for (i, a) in plan.added.iter().enumerate() {
        if in_place.contains(&i) {
            continue;
        }
        let item_ptr = format!("/paths/{}", escape_pointer(&a.path));
        // A path item the import empties is removed only when no new operation goes there.
        if root.pointer(&item_ptr).is_some() {
            match into_items.iter_mut().find(|(p, _)| *p == item_ptr) {
                Some((_, e)) => e.push((a.method.to_string(), a.value.clone())),
                None => into_items.push((item_ptr, vec![(a.method.to_string(), a.value.clone())])),
            }
        } else {
            match new_items.iter_mut().find(|(p, _)| *p == a.path) {
                Some((_, m)) => {
                    m.insert(a.method.to_string(), a.value.clone());
                }
                None => {
                    let mut m = serde_json::Map::new();
                    m.insert(a.method.to_string(), a.value.clone());
                    new_items.push((a.path.clone(), m));
                }
            }
        }
    }
    for (item_ptr, entries) in &into_items {
        t.add_entries(item_ptr, entries)?;
    }
    let entries: Vec<(String, Value)> = new_items
        .into_iter()
        .map(|(p, m)| (p, Value::Object(m)))
        .collect();
    if !entries.is_empty() {
        if root.get("paths").is_some() {
            t.add_entries("/paths", &entries)?;
        } else {
            let map: serde_json::Map<String, Value> = entries.into_iter().collect();
            t.top_level(
                &["security", "tags", "servers", "info"],
                "paths",
                &Value::Object(map),
            )?;
        }
    }
    // Tags and security, near the top as the product spec has them.
    if !plan.tags.is_empty() {
        if root.get("tags").is_some() {
            t.add_items("/tags", &plan.tags)?;
        } else {
            t.top_level(
                &["servers", "info", "openapi"],
                "tags",
                &Value::Array(plan.tags.clone()),
            )?;
        }
    }
    if let Some(s) = &plan.security {
        t.top_level(&["tags", "servers", "info", "openapi"], "security", s)?;
    }
    // Components.
    let kinds: Vec<(&str, Vec<(String, Value)>)> = [
        ("securitySchemes", plan.schemes.clone()),
        ("schemas", plan.schemas.clone()),
    ]
    .into_iter()
    .filter(|(_, e)| !e.is_empty())
    .collect();
    if !kinds.is_empty() {
        if root.get("components").is_some() {
            let mut new_kinds = Vec::new();
            for (kind, entries) in kinds {
                let ptr = format!("/components/{kind}");
                if root.pointer(&ptr).is_some() {
                    t.add_entries(&ptr, &entries)?;
                } else {
                    let map: serde_json::Map<String, Value> = entries.into_iter().collect();
                    new_kinds.push((kind.to_string(), Value::Object(map)));
                }
            }
            t.add_entries("/components", &new_kinds)?;
        } else {
            let map: serde_json::Map<String, Value> = kinds
                .into_iter()
                .map(|(k, e)| (k.to_string(), Value::Object(e.into_iter().collect())))
                .collect();
            t.top_level(&[], "components", &Value::Object(map))?;
        }
    }
    Ok(t.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spliced(text: &str, f: impl FnOnce(&mut Text) -> Result<(), Diagnostic>) -> String {
        let spec = Spec::parse("t.yaml", text.as_bytes()).unwrap();
        let mut t = Text::new(text, &spec);
        f(&mut t).unwrap();
        t.finish()
    }

    #[test]
    fn entries_go_after_the_last_one_before_what_follows() {
        let text = "a:\n  x: 1\n  # about x's child\n  y:\n    z: |\n      text\n\n      more\n\n# about b\nb: 2\n";
        let out = spliced(text, |t| {
            t.add_entries("/a", &[("new".into(), json!({"k": 1}))])
        });
        assert_eq!(
            out,
            "a:\n  x: 1\n  # about x's child\n  y:\n    z: |\n      text\n\n      more\n  new:\n    k: 1\n\n# about b\nb: 2\n"
        );
        // At the end of the file, with no final newline.
        let out = spliced("a:\n  x: 1", |t| {
            t.add_entries("/a", &[("z".into(), json!(2))])
        });
        assert_eq!(out, "a:\n  x: 1\n  z: 2\n");
    }

    #[test]
    fn empty_flow_collections_become_blocks() {
        let out = spliced("paths: {}\ntags: []\n", |t| {
            t.add_entries("/paths", &[("/x".into(), json!({"get": {}}))])?;
            t.add_items("/tags", &[json!({"name": "t"})])
        });
        assert_eq!(out, "paths:\n  /x:\n    get: {}\ntags:\n  - name: t\n");
        let spec_text = "paths: {a: 1}\n";
        let spec = Spec::parse("t.yaml", spec_text.as_bytes()).unwrap();
        let mut t = Text::new(spec_text, &spec);
        let e = t
            .add_entries("/paths", &[("b".into(), json!(2))])
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.yaml:1:1: this is written in flow style"),
            "{e}"
        );
    }

    #[test]
    fn sequences_keep_their_indentation_and_removals_take_the_whole_entry() {
        let out = spliced("tags:\n- name: a\n  x: 1\nb: 1\n", |t| {
            t.add_items("/tags", &[json!({"name": "b"})])
        });
        assert_eq!(out, "tags:\n- name: a\n  x: 1\n- name: b\nb: 1\n");
        let out = spliced("p:\n  get:\n    a: 1\n\n  put:\n    b: 2\nq: 1\n", |t| {
            t.remove("/p/get")
        });
        assert_eq!(out, "p:\n\n  put:\n    b: 2\nq: 1\n");
        let out = spliced("'k': 1\nt:\n  x: 1\n", |t| {
            t.top_level(&["k"], "new", &json!([1]))
        });
        assert_eq!(out, "'k': 1\nnew:\n  - 1\nt:\n  x: 1\n");
    }
}
