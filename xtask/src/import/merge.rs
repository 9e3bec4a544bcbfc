//! What the imported operations add to the spec: which operations are new, which the spec
//! already has, the names of their components, the one error schema, the tags and the
//! security schemes.
//!
//! **Order.** Operations are taken in the order of their path, then method (get, put, post,
//! delete, ...), whatever the order of the definitions on the command line; that is the
//! order in which they are written, and in which their components are named.
//!
//! **Component names.** A definition's schema keeps its name unless the spec, or an
//! operation imported before it, already has a schema of that name with other content;
//! names that differ only in case or punctuation count as the same name (they would be one
//! Rust type). Identical content is shared: one component, every `$ref` to it. A schema whose
//! name is taken by other content is named after the operation that first brings it, the
//! operationId before the name (`ModifyDataSyncTableReplConfig`), and, if that is taken too,
//! with a number after it (`...2`). Content is compared with the names of the schemas it
//! references already resolved, so two definitions' `A -> B` are shared only when their `B`s
//! are.
//!
//! **The error schema.** Every error response references one schema with `x-error-body`: the
//! spec's, when it has one with the same code and message fields as the vendor's error
//! object; otherwise `ErrorResponse`, written from the first imported operation's vendor
//! error object.
//!
//! **Existing operations.** An operation whose operationId, or method and path, the spec has
//! already is left alone and reported (the caller compares it), unless `replace`: then the
//! spec's operation is removed and the imported one takes its place. Hand-written components
//! are never changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::conventions::{ERROR_REF, Imported, Operation};
use super::read::Definition;
use crate::model::spec::{Diagnostic, escape_pointer};
use crate::model::walk::{METHODS, operations};

/// One definition and what the conventions made of it.
pub struct Input {
    pub def: Definition,
    pub imported: Imported,
}

/// An operation to add.
#[derive(Clone, Debug)]
pub struct Added {
    pub input: usize,
    pub path: String,
    pub method: &'static str,
    pub id: String,
    /// The operation object, as it will be written.
    pub value: Value,
    /// The spec's operation it replaces (`--replace`): its pointer.
    pub replaces: Option<String>,
}

/// An operation the spec already has.
#[derive(Clone, Debug)]
pub struct Existing {
    pub input: usize,
    pub op: Operation,
    /// The spec's operation: pointer, method, path, operationId.
    pub spec_ptr: String,
    pub spec_method: &'static str,
    pub spec_path: String,
    pub spec_id: Option<String>,
}

/// Everything the import adds, in the order it is written.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub added: Vec<Added>,
    pub existing: Vec<Existing>,
    /// New component schemas.
    pub schemas: Vec<(String, Value)>,
    /// New tag objects.
    pub tags: Vec<Value>,
    /// Security schemes the spec lacks.
    pub schemes: Vec<(String, Value)>,
    /// The document's `security`, when the spec has none.
    pub security: Option<Value>,
    /// What the reviewer should know, without a place in a definition.
    pub notes: Vec<String>,
}

/// The names the spec knows a schema by: case and punctuation do not tell Rust types apart.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape_pointer(name))
}

/// The component names `v` references (`#/components/schemas/X`), in order of appearance.
fn referenced(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if k == "$ref" {
                    if let Some(n) = c
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        let n = n.replace("~1", "/").replace("~0", "~");
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                } else if !(k == "example" || k == "examples" || k.starts_with("x-")) {
                    referenced(c, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| referenced(c, out)),
        _ => {}
    }
}

/// `v` with its schema `$ref`s renamed by `names` (those not in it kept).
fn renamed(v: &Value, names: &HashMap<String, String>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, c)| {
                    let c = if k == "$ref" {
                        match c
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                            .map(|n| n.replace("~1", "/").replace("~0", "~"))
                            .and_then(|n| names.get(&n))
                        {
                            Some(to) => json!(schema_ref(to)),
                            None => c.clone(),
                        }
                    } else if k == "example" || k == "examples" || k.starts_with("x-") {
                        c.clone()
                    } else {
                        renamed(c, names)
                    };
                    (k.clone(), c)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|c| renamed(c, names)).collect()),
        other => other.clone(),
    }
}

/// A value's JSON with every object's keys sorted: equal values, equal text.
fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

/// The component schemas known so far, by [`name_key`].
struct Registry {
    by_key: HashMap<String, (String, Value)>,
    /// The name each (wanted name, content) got: a schema that had to be renamed is shared
    /// under its new name by the definitions that bring the same content.
    by_wanted: HashMap<(String, String), String>,
}

impl Registry {
    fn new(components: Option<&Value>) -> Registry {
        let mut r = Registry {
            by_key: HashMap::new(),
            by_wanted: HashMap::new(),
        };
        for (n, v) in components.and_then(Value::as_object).into_iter().flatten() {
            r.by_key.insert(name_key(n), (n.clone(), v.clone()));
            r.by_wanted.insert((n.clone(), canonical(v)), n.clone());
        }
        r
    }

    /// The name under which `content` is (or can be) a component, preferring `wanted`, then
    /// `<prefix><Wanted>`, then numbered; and whether it is new.
    fn name(&mut self, wanted: &str, prefix: &str, content: &Value) -> (String, bool) {
        let text = canonical(content);
        if let Some(n) = self.by_wanted.get(&(wanted.to_string(), text.clone())) {
            return (n.clone(), false);
        }
        let (name, new) = self.candidate(wanted, prefix, content);
        self.by_wanted
            .insert((wanted.to_string(), text), name.clone());
        (name, new)
    }

    fn candidate(&mut self, wanted: &str, prefix: &str, content: &Value) -> (String, bool) {
        let mut upper = wanted.to_string();
        if let Some(first) = upper.get(..1) {
            upper.replace_range(..1, &first.to_ascii_uppercase());
        }
        let mut candidates = vec![wanted.to_string(), format!("{prefix}{upper}")];
        for n in 2.. {
            for c in candidates.drain(..) {
                match self.by_key.get(&name_key(&c)) {
                    Some((existing, v)) if *existing == c && v == content => return (c, false),
                    Some(_) => {}
                    None => {
                        self.by_key
                            .insert(name_key(&c), (c.clone(), content.clone()));
                        return (c, true);
                    }
                }
            }
            candidates.push(format!("{prefix}{upper}{n}"));
        }
        unreachable!("the numbers never run out")
    }
}

/// The order of methods in a path item.
fn method_rank(m: &str) -> usize {
    METHODS
        .iter()
        .position(|x| *x == m)
        .unwrap_or(METHODS.len())
}

/// An operation without what says where it comes from, for comparing two copies.
fn without_source(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("x-vendor-source");
    }
    v
}

/// The local schemas an operation reaches, with their content: for comparing two copies.
fn closure(imported: &Imported, op: &Value) -> BTreeMap<String, Value> {
    let local: HashMap<&str, &Value> = imported
        .schemas
        .iter()
        .map(|(n, v)| (n.as_str(), v))
        .collect();
    let mut out = BTreeMap::new();
    let mut stack = Vec::new();
    referenced(op, &mut stack);
    while let Some(n) = stack.pop() {
        if out.contains_key(&n) {
            continue;
        }
        if let Some(v) = local.get(n.as_str()) {
            let mut more = Vec::new();
            referenced(v, &mut more);
            stack.extend(more);
            out.insert(n, (*v).clone());
        }
    }
    out
}

/// Plans the import of `inputs` into `spec`. `security` holds the security schemes a spec
/// must have (`iamToken`, `akskSignature`), `security_requirement` the document's requirement.
pub fn plan(
    spec: &Value,
    inputs: &[Input],
    replace: bool,
    schemes: &[(String, Value)],
    security_requirement: &Value,
) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let mut problems = Vec::new();
    // Every operation, in the order it is written.
    let mut ops: Vec<(usize, &Operation)> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, input)| input.imported.ops.iter().map(move |op| (i, op)))
        .collect();
    ops.sort_by(|(ia, a), (ib, b)| {
        (&a.path, method_rank(a.method), &a.id, &inputs[*ia].def.file).cmp(&(
            &b.path,
            method_rank(b.method),
            &b.id,
            &inputs[*ib].def.file,
        ))
    });
    // The same operation twice among the definitions.
    let mut kept: Vec<(usize, &Operation)> = Vec::new();
    for (i, op) in ops {
        let twin = kept
            .iter()
            .find(|(_, k)| k.id == op.id || (k.path == op.path && k.method == op.method));
        match twin {
            None => kept.push((i, op)),
            Some((j, k)) => {
                let same = without_source(&k.value) == without_source(&op.value)
                    && closure(&inputs[*j].imported, &k.value)
                        == closure(&inputs[i].imported, &op.value);
                let first = &inputs[*j].def;
                let at = first
                    .spec
                    .pos(&k.src)
                    .map(|p| format!("{}:{}:{}", first.file, p.line, p.col))
                    .unwrap_or_else(|| first.file.clone());
                if same {
                    plan.notes.push(format!(
                        "{}: {} ({} {}) is also in {at}, identically; imported once, from {}",
                        inputs[i].def.file,
                        op.id,
                        op.method.to_uppercase(),
                        op.path,
                        first.file
                    ));
                } else {
                    problems.push(inputs[i].def.diag(
                        &op.src,
                        format!(
                            "{} ({} {}) is also defined, differently, by {at} ({} {} {}): import one of them",
                            op.id,
                            op.method.to_uppercase(),
                            op.path,
                            k.id,
                            k.method.to_uppercase(),
                            k.path
                        ),
                    ));
                }
            }
        }
    }
    // Operations the spec has.
    let spec_ops = operations(spec);
    let mut to_add: Vec<(usize, &Operation, Option<String>)> = Vec::new();
    for (i, op) in kept {
        let by_id = spec_ops
            .iter()
            .find(|(_, _, _, s)| s.get("operationId").and_then(Value::as_str) == Some(&op.id));
        let by_place = spec_ops
            .iter()
            .find(|(_, m, p, _)| *m == op.method && *p == op.path);
        let found = match (by_id, by_place) {
            (Some(a), Some(b)) if a.0 != b.0 => {
                problems.push(inputs[i].def.diag(
                    &op.src,
                    format!(
                        "{} matches two operations of the spec: {} by operationId and {} {} by method and path; resolve that by hand",
                        op.id, a.0, b.1.to_uppercase(), b.2
                    ),
                ));
                continue;
            }
            (a, b) => a.or(b),
        };
        match found {
            Some((ptr, m, p, s)) if !replace => plan.existing.push(Existing {
                input: i,
                op: op.clone(),
                spec_ptr: ptr.clone(),
                spec_method: m,
                spec_path: p.clone(),
                spec_id: s
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }),
            Some((ptr, ..)) => to_add.push((i, op, Some(ptr.clone()))),
            None => to_add.push((i, op, None)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Components and the error schema.
    let mut registry = Registry::new(spec.pointer("/components/schemas"));
    let spec_errors: Vec<(String, String, String)> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(n, s)| {
            let x = s.get("x-error-body")?;
            Some((
                n.clone(),
                x.get("code")?.as_str()?.to_string(),
                x.get("message")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let mut error_names: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut error_sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut names: Vec<HashMap<String, String>> = vec![HashMap::new(); inputs.len()];
    let mut new_schemas: Vec<(String, Value)> = Vec::new();
    for (i, op, replaces) in to_add {
        let imported = &inputs[i].imported;
        let local: HashMap<&str, &Value> = imported
            .schemas
            .iter()
            .map(|(n, v)| (n.as_str(), v))
            .collect();
        let mut state: HashMap<String, bool> = HashMap::new(); // false: in progress
        // The error schema (put in the place of `ERROR_REF` once the definition's own names
        // are resolved, so that a local schema of the same name is not taken for it).
        let mut error_name = None;
        let mut refs = Vec::new();
        referenced(&op.value, &mut refs);
        if refs.iter().any(|r| schema_ref(r) == ERROR_REF) {
            let error = op
                .error
                .as_ref()
                .and_then(|n| imported.errors.iter().find(|e| e.name == *n));
            if let Some(e) = error {
                let (ename, code, message) = (e.name.clone(), e.code.clone(), e.message.clone());
                let key = (code.clone(), message.clone());
                let name = match error_names.get(&key) {
                    Some(n) => n.clone(),
                    None => {
                        let name = match spec_errors
                            .iter()
                            .find(|(_, c, m)| *c == code && *m == message)
                        {
                            Some((n, _, _)) => n.clone(),
                            None => {
                                let raw = local
                                    .get(ename.as_str())
                                    .copied()
                                    .cloned()
                                    .unwrap_or_default();
                                let mut deps = Vec::new();
                                referenced(&raw, &mut deps);
                                for d in deps {
                                    name_schema(
                                        &d,
                                        &local,
                                        &op.id,
                                        &mut names[i],
                                        &mut state,
                                        &mut registry,
                                        &mut new_schemas,
                                    );
                                }
                                let mut content = renamed(&raw, &names[i]);
                                if let Some(o) = content.as_object_mut() {
                                    o.insert(
                                        "x-error-body".into(),
                                        json!({"code": code, "message": message}),
                                    );
                                }
                                super::conventions::reorder(
                                    &mut content,
                                    &super::conventions::SCHEMA_ORDER,
                                );
                                let (name, new) = registry.name("ErrorResponse", &op.id, &content);
                                if new {
                                    new_schemas.push((name.clone(), content));
                                }
                                name
                            }
                        };
                        error_names.insert(key, name.clone());
                        name
                    }
                };
                error_sources.entry(name.clone()).or_default().insert(ename);
                error_name = Some(name);
            }
        }
        // The definition's schemas this operation reaches, dependencies first.
        let mut roots = Vec::new();
        referenced(&op.value, &mut roots);
        for r in roots {
            name_schema(
                &r,
                &local,
                &op.id,
                &mut names[i],
                &mut state,
                &mut registry,
                &mut new_schemas,
            );
        }
        let mut value = renamed(&op.value, &names[i]);
        if let Some(name) = error_name {
            value = replace_ref(&value, ERROR_REF, &schema_ref(&name));
        }
        plan.added.push(Added {
            input: i,
            path: op.path.clone(),
            method: op.method,
            id: op.id.clone(),
            value,
            replaces,
        });
    }
    for (name, sources) in &error_sources {
        plan.notes.push(format!(
            "error bodies: the error responses of the imported operations reference `{name}` (x-error-body) instead of the definitions' {}",
            sources.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    // Written in the order the operations reference them, each followed by what it
    // references (depth first).
    fn visit(n: &str, new_schemas: &[(String, Value)], order: &mut Vec<String>) {
        if order.iter().any(|o| o == n) {
            return;
        }
        let Some((_, v)) = new_schemas.iter().find(|(m, _)| m == n) else {
            return;
        };
        order.push(n.to_string());
        let mut refs = Vec::new();
        referenced(v, &mut refs);
        for r in refs {
            visit(&r, new_schemas, order);
        }
    }
    let mut order: Vec<String> = Vec::new();
    for a in &plan.added {
        let mut refs = Vec::new();
        referenced(&a.value, &mut refs);
        for r in refs {
            visit(&r, &new_schemas, &mut order);
        }
    }
    for (n, _) in &new_schemas {
        if !order.contains(n) {
            order.push(n.clone());
        }
    }
    plan.schemas = order
        .into_iter()
        .filter_map(|n| new_schemas.iter().find(|(m, _)| *m == n).cloned())
        .collect();
    tags(spec, inputs, &mut plan);
    // Security.
    let have: BTreeSet<&String> = spec
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    if !plan.added.is_empty() {
        plan.schemes = schemes
            .iter()
            .filter(|(n, _)| !have.contains(n))
            .cloned()
            .collect();
        if spec.get("security").is_none() {
            plan.security = Some(security_requirement.clone());
        }
    }
    Ok(plan)
}

fn replace_ref(v: &Value, from: &str, to: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, c)| {
                    if k == "$ref" && c == from {
                        (k.clone(), json!(to))
                    } else {
                        (k.clone(), replace_ref(c, from, to))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|c| replace_ref(c, from, to)).collect()),
        other => other.clone(),
    }
}

/// Names a definition's schema and, first, those it references.
#[allow(clippy::too_many_arguments)]
fn name_schema(
    local_name: &str,
    local: &HashMap<&str, &Value>,
    prefix: &str,
    names: &mut HashMap<String, String>,
    state: &mut HashMap<String, bool>,
    registry: &mut Registry,
    new_schemas: &mut Vec<(String, Value)>,
) {
    if names.contains_key(local_name) || state.contains_key(local_name) {
        return;
    }
    let Some(content) = local.get(local_name) else {
        return; // a spec component referenced by name (the error schema)
    };
    state.insert(local_name.to_string(), false);
    let mut deps = Vec::new();
    referenced(content, &mut deps);
    for d in deps {
        name_schema(&d, local, prefix, names, state, registry, new_schemas);
    }
    // References to schemas still being named (a cycle) keep their definition's names.
    let content = renamed(content, names);
    let (name, new) = registry.name(local_name, prefix, &content);
    if new {
        new_schemas.push((name.clone(), content));
    }
    names.insert(local_name.to_string(), name);
    state.insert(local_name.to_string(), true);
}

/// The spec's tags for the added operations' vendor tags; new tag objects for the others.
fn tags(spec: &Value, inputs: &[Input], plan: &mut Plan) {
    let spec_tags: Vec<&Value> = spec
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut mapped: BTreeMap<String, String> = BTreeMap::new();
    let mut noted = BTreeSet::new();
    for a in &mut plan.added {
        let vendor = crate::model::walk::strings(a.value.get("tags"));
        if vendor.is_empty() {
            continue;
        }
        let mut names = Vec::new();
        for v in vendor {
            if let Some(n) = mapped.get(&v) {
                names.push(json!(n));
                continue;
            }
            let (tag, known) = super::tags::tag(&v);
            let name = tag["name"].as_str().unwrap_or(&v).to_string();
            let in_spec = spec_tags.iter().find(|t| {
                t.get("name").and_then(Value::as_str) == Some(name.as_str())
                    || t.get("x-vendor-name").and_then(Value::as_str) == Some(v.as_str())
            });
            let name = match in_spec {
                Some(t) => {
                    let spec_name = t.get("name").and_then(Value::as_str).unwrap_or(&name);
                    if t.get("x-rust-feature").is_none() && noted.insert(spec_name.to_string()) {
                        plan.notes.push(format!(
                            "tag `{spec_name}` of the spec has no x-rust-feature, and import does not change it: add `x-rust-feature: {}` to it",
                            tag["x-rust-feature"].as_str().unwrap_or_default()
                        ));
                    }
                    spec_name.to_string()
                }
                None => {
                    if !known {
                        plan.notes.push(format!(
                            "{}: tag `{v}` is not in import's table (xtask/src/import/tags.rs); its cargo feature is `{}`",
                            inputs[a.input].def.file,
                            tag["x-rust-feature"].as_str().unwrap_or_default()
                        ));
                    }
                    plan.tags.push(tag);
                    name
                }
            };
            mapped.insert(v, name.clone());
            names.push(json!(name));
        }
        a.value["tags"] = Value::Array(names);
    }
}

/// The spec with the plan applied, as the spliced text must read.
pub fn apply(spec: &Value, plan: &Plan) -> Value {
    let mut out = spec.clone();
    for a in &plan.added {
        if let Some(ptr) = &a.replaces {
            remove_operation(&mut out, ptr);
        }
    }
    let root = out.as_object_mut().expect("a spec is a mapping");
    let paths = root
        .entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !paths.is_object() {
        *paths = Value::Object(Map::new());
    }
    for a in &plan.added {
        let item = paths
            .as_object_mut()
            .expect("paths is a mapping")
            .entry(a.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(a.method.to_string(), a.value.clone());
        }
    }
    if !plan.tags.is_empty() {
        let tags = root
            .entry("tags")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !tags.is_array() {
            *tags = Value::Array(Vec::new());
        }
        if let Some(t) = tags.as_array_mut() {
            t.extend(plan.tags.iter().cloned());
        }
    }
    if let Some(s) = &plan.security {
        root.insert("security".into(), s.clone());
    }
    for (kind, entries) in [
        ("schemas", &plan.schemas),
        ("securitySchemes", &plan.schemes),
    ] {
        if entries.is_empty() {
            continue;
        }
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if !components.is_object() {
            *components = Value::Object(Map::new());
        }
        let holder = components
            .as_object_mut()
            .expect("components is a mapping")
            .entry(kind)
            .or_insert_with(|| Value::Object(Map::new()));
        if !holder.is_object() {
            *holder = Value::Object(Map::new());
        }
        if let Some(h) = holder.as_object_mut() {
            for (n, v) in entries {
                h.insert(n.clone(), v.clone());
            }
        }
    }
    out
}

/// Removes the operation at `ptr` (`/paths/<path>/<method>`), and its path item when no
/// operation is left in it.
fn remove_operation(root: &mut Value, ptr: &str) {
    let Some((item_ptr, method)) = ptr.rsplit_once('/') else {
        return;
    };
    let Some(item) = root.pointer_mut(item_ptr).and_then(Value::as_object_mut) else {
        return;
    };
    item.remove(method);
    if !item.keys().any(|k| METHODS.contains(&k.as_str())) {
        let path = item_ptr
            .trim_start_matches("/paths/")
            .replace("~1", "/")
            .replace("~0", "~");
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            paths.remove(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_collide_ignoring_case_and_punctuation() {
        let mut r = Registry::new(None);
        let a = json!({"type": "object"});
        let b = json!({"type": "string"});
        assert_eq!(r.name("Backup", "ListBackups", &a), ("Backup".into(), true));
        assert_eq!(r.name("Backup", "ShowBackup", &a), ("Backup".into(), false));
        assert_eq!(
            r.name("backup", "ShowBackup", &b),
            ("ShowBackupBackup".into(), true)
        );
        assert_eq!(
            r.name("Back_up", "ShowBackup", &b),
            ("ShowBackupBack_up2".into(), true)
        );
        assert_eq!(
            r.name("backup", "ShowBackup", &json!(1)),
            ("ShowBackupBackup3".into(), true)
        );
        // Renamed content is shared under its new name.
        assert_eq!(
            r.name("backup", "OtherOp", &b),
            ("ShowBackupBackup".into(), false)
        );
    }

    #[test]
    fn references_are_renamed_outside_examples_only() {
        let v = json!({"$ref": "#/components/schemas/A", "items": {"$ref": "#/components/schemas/B"},
                       "example": {"$ref": "#/components/schemas/A"}});
        let mut refs = Vec::new();
        referenced(&v, &mut refs);
        assert_eq!(refs, ["A", "B"]);
        let names = HashMap::from([("A".to_string(), "XA".to_string())]);
        assert_eq!(
            renamed(&v, &names),
            json!({"$ref": "#/components/schemas/XA", "items": {"$ref": "#/components/schemas/B"},
                   "example": {"$ref": "#/components/schemas/A"}})
        );
    }
}
