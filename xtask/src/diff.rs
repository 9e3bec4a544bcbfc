//! `cargo xtask diff OLD NEW [--fail-on breaking|warning] [--format json]`: every change
//! between two versions of the spec, classified for clients of the generated crate.
//!
//! - **breaking**: code that compiled against the old client may not compile, or requests
//!   that worked may now be refused or fail to decode (a parameter removed or made required,
//!   a response field removed or retyped, a value added to a closed response enum, a request
//!   constraint tightened, a region removed, ...);
//! - **warning**: the client keeps compiling but behaves differently (a server URL changes, a
//!   request enum gains a value that exhaustive matches must handle, a response status goes);
//! - **info**: nothing breaks (fields or operations added, values added to open enums,
//!   response constraints changed, which the client does not enforce).
//!
//! Each change names its JSON pointer and, when both specs generate, the generated items it
//! touches (found by generating both and comparing).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::spec::{Spec, escape_pointer, operations};
use crate::tolerant::Reach;
use crate::walk::{component, parameters, resolve, text};

/// How a change affects clients of the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Breaking,
    Warning,
    Info,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Breaking => "breaking",
            Class::Warning => "warning",
            Class::Info => "info",
        })
    }
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    pub message: String,
    /// Where the change is: a pointer into the new spec (into the old one for removals).
    pub pointer: String,
    /// Generated items the change touches (`types::X`, `builder::Op`, `Client::op`).
    pub touches: Vec<String>,
    #[serde(skip)]
    candidates: Vec<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<8} {} (at {})",
            self.class.to_string(),
            self.message,
            self.pointer
        )?;
        if !self.touches.is_empty() {
            write!(f, " [touches {}]", self.touches.join(", "))?;
        }
        Ok(())
    }
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    old_reach: Reach,
    new_reach: Reach,
    changes: Vec<Change>,
}

impl Differ<'_> {
    fn push(
        &mut self,
        class: Class,
        pointer: &str,
        message: impl Into<String>,
        candidates: Vec<String>,
    ) {
        self.changes.push(Change {
            class,
            message: message.into(),
            pointer: pointer.to_string(),
            touches: Vec::new(),
            candidates,
        });
    }
}

/// Compares two specs.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        old_reach: Reach::of(old),
        new_reach: Reach::of(new),
        changes: Vec::new(),
    };
    operations_diff(&mut d);
    components_diff(&mut d);
    security_diff(&mut d);
    servers_diff(&mut d);
    d.changes
        .sort_by(|a, b| (a.class, &a.pointer).cmp(&(b.class, &b.pointer)));
    d.changes
}

fn ops_by_id(root: &Value) -> BTreeMap<String, (String, &'static str, String, &Value)> {
    operations(root)
        .into_iter()
        .map(|(ptr, method, path, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{method} {path}"));
            (id, (ptr, method, path, op))
        })
        .collect()
}

/// `ListStarRocksDataReplicationConfig` -> the generated `builder::` struct, the `Client`
/// method, and the types named after the operation (inline parameter types).
fn op_items(id: &str) -> Vec<String> {
    vec![
        format!("builder::{id}"),
        format!("Client::{}", crate::postprocess::snake(id)),
        format!("types::{id}"),
    ]
}

fn operations_diff(d: &mut Differ) {
    let old_ops = ops_by_id(d.old);
    let new_ops = ops_by_id(d.new);
    for (id, (ptr, method, path, _)) in &old_ops {
        if !new_ops.contains_key(id) {
            d.push(
                Class::Breaking,
                ptr,
                format!(
                    "operation `{id}` ({} {path}) removed",
                    method.to_uppercase()
                ),
                op_items(id),
            );
        }
    }
    for (id, (ptr, method, path, _)) in &new_ops {
        if !old_ops.contains_key(id) {
            d.push(
                Class::Info,
                ptr,
                format!("operation `{id}` ({} {path}) added", method.to_uppercase()),
                op_items(id),
            );
        }
    }
    for (id, (new_ptr, new_method, new_path, new_op)) in &new_ops {
        let Some((old_ptr, old_method, old_path, old_op)) = old_ops.get(id) else {
            continue;
        };
        if (old_method, old_path) != (new_method, new_path) {
            d.push(
                Class::Breaking,
                new_ptr,
                format!(
                    "operation `{id}` moved from {} {old_path} to {} {new_path}",
                    old_method.to_uppercase(),
                    new_method.to_uppercase()
                ),
                op_items(id),
            );
        }
        parameters_diff(
            d,
            id,
            (old_ptr, old_path, old_op),
            (new_ptr, new_path, new_op),
        );
        responses_diff(d, id, (old_ptr, old_op), (new_ptr, new_op));
        for key in ["summary", "description"] {
            if text(old_op.get(key)) != text(new_op.get(key)) {
                d.push(
                    Class::Info,
                    &format!("{new_ptr}/{key}"),
                    format!("{key} of `{id}` changed"),
                    op_items(id),
                );
            }
        }
    }
}

/// The object at `ptr` in `v` (a copy), or an empty one.
fn object_at(v: &Value, ptr: &str) -> serde_json::Map<String, Value> {
    v.pointer(ptr)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The strings of the array at `key` (a `required` list, `x-aliases`), as a set.
fn strings_at(v: &Value, key: &str) -> BTreeSet<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The keys of `a` that `b` does not have, in `a`'s order.
fn only_in<'a>(
    a: &'a serde_json::Map<String, Value>,
    b: &serde_json::Map<String, Value>,
) -> Vec<&'a String> {
    a.keys().filter(|k| !b.contains_key(*k)).collect()
}

/// The parameters of an operation (path item's and its own), resolved, keyed by name.
fn params<'a>(
    root: &'a Value,
    path: &str,
    op_ptr: &str,
    op: &'a Value,
) -> BTreeMap<String, (String, &'a Value)> {
    parameters(root, path, op_ptr, op)
        .into_iter()
        .filter_map(|(ptr, p)| Some((p.get("name")?.as_str()?.to_string(), (ptr, p))))
        .collect()
}

fn parameters_diff(
    d: &mut Differ,
    id: &str,
    old: (&String, &String, &Value),
    new: (&String, &String, &Value),
) {
    let old_params = params(d.old, old.1, old.0, old.2);
    let new_params = params(d.new, new.1, new.0, new.2);
    let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
    let location = |p: &Value| {
        p.get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    for (name, (ptr, p)) in &old_params {
        if !new_params.contains_key(name) {
            d.push(
                Class::Breaking,
                ptr,
                format!("parameter `{name}` ({}) of `{id}` removed", location(p)),
                op_items(id),
            );
        }
    }
    for (name, (ptr, p)) in &new_params {
        let Some((_, o)) = old_params.get(name) else {
            let (class, how) = if required(p) {
                (Class::Breaking, "required")
            } else {
                (Class::Info, "optional")
            };
            d.push(
                class,
                ptr,
                format!("{how} parameter `{name}` ({}) added to `{id}`", location(p)),
                op_items(id),
            );
            continue;
        };
        if location(o) != location(p) {
            d.push(
                Class::Breaking,
                &format!("{ptr}/in"),
                format!(
                    "parameter `{name}` of `{id}` moved from {} to {}",
                    location(o),
                    location(p)
                ),
                op_items(id),
            );
        }
        match (required(o), required(p)) {
            (false, true) => d.push(Class::Breaking, ptr, format!("parameter `{name}` of `{id}` became required"), op_items(id)),
            (true, false) => d.push(
                Class::Info,
                ptr,
                format!("parameter `{name}` of `{id}` became optional (the generated builder no longer insists on it)"),
                op_items(id),
            ),
            _ => {}
        }
        if text(o.get("description")) != text(p.get("description")) {
            d.push(
                Class::Info,
                &format!("{ptr}/description"),
                format!("description of parameter `{name}` of `{id}` changed"),
                vec![],
            );
        }
        let (os, ns) = (
            o.get("schema").unwrap_or(&Value::Null),
            p.get("schema").unwrap_or(&Value::Null),
        );
        let mut items = op_items(id);
        items.extend(component(ns).map(|c| format!("types::{c}")));
        schema_diff(
            d,
            Side::Request,
            os,
            ns,
            &format!("{ptr}/schema"),
            &format!("parameter `{name}` of `{id}`"),
            items,
        );
    }
}

fn responses_diff(d: &mut Differ, id: &str, old: (&String, &Value), new: (&String, &Value)) {
    let (old_codes, new_codes) = (
        object_at(old.1, "/responses"),
        object_at(new.1, "/responses"),
    );
    for code in only_in(&old_codes, &new_codes) {
        d.push(
            Class::Warning,
            &format!("{}/responses/{}", old.0, escape_pointer(code)),
            format!("response `{code}` of `{id}` removed: the client reports it as an undocumented status"),
            op_items(id),
        );
    }
    for (code, r) in &new_codes {
        let ptr = format!("{}/responses/{}", new.0, escape_pointer(code));
        let Some(o) = old_codes.get(code) else {
            d.push(
                Class::Info,
                &ptr,
                format!("response `{code}` of `{id}` added"),
                op_items(id),
            );
            continue;
        };
        let body = |root: &Value, r: &Value| {
            resolve(root, r)
                .get("content")
                .and_then(|c| c.get("application/json"))
                .and_then(|m| m.get("schema"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (ob, nb) = (body(d.old, o), body(d.new, r));
        schema_diff(
            d,
            Side::Response,
            &ob,
            &nb,
            &format!("{ptr}/content/application~1json/schema"),
            &format!("body of response `{code}` of `{id}`"),
            op_items(id),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// A schema's type as the generated code sees it: the component it names, or its JSON type
/// (with its items' type for arrays).
fn signature(schema: &Value) -> String {
    if let Some(c) = component(schema) {
        return c.to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            signature(schema.get("items").unwrap_or(&Value::Null))
        ),
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        },
        None if schema.is_null() => "nothing".into(),
        None => "any".into(),
    }
}

/// Compares two schemas found at the same place. Components are compared once each (see
/// [`components_diff`]); here only what is inline.
fn schema_diff(
    d: &mut Differ,
    side: Side,
    old: &Value,
    new: &Value,
    ptr: &str,
    what: &str,
    items: Vec<String>,
) {
    let (so, sn) = (signature(old), signature(new));
    if so != sn {
        d.push(
            Class::Breaking,
            ptr,
            format!("type of {what} changed from {so} to {sn}"),
            items,
        );
        return;
    }
    if component(new).is_some() {
        return;
    }
    inline_diff(d, side, old, new, ptr, what, items);
}

/// Enum values, constraints and properties of one inline schema (or one component's body).
fn inline_diff(
    d: &mut Differ,
    side: Side,
    old: &Value,
    new: &Value,
    ptr: &str,
    what: &str,
    items: Vec<String>,
) {
    enum_diff(d, side, old, new, ptr, what, &items);
    constraints_diff(d, side, old, new, ptr, what, &items);
    if let (Some(oi), Some(ni)) = (old.get("items"), new.get("items")) {
        schema_diff(
            d,
            side,
            oi,
            ni,
            &format!("{ptr}/items"),
            &format!("items of {what}"),
            items.clone(),
        );
    }
    let (op, np) = (object_at(old, "/properties"), object_at(new, "/properties"));
    if op.is_empty() && np.is_empty() {
        return;
    }
    let required = |s: &Value| strings_at(s, "required");
    let (removed, added) = (only_in(&op, &np), only_in(&np, &op));
    let prop_ptr = |name: &str| format!("{ptr}/properties/{}", escape_pointer(name));
    // One removed and one added property of the same type: a rename.
    if let ([r], [a]) = (removed.as_slice(), added.as_slice()) {
        if signature(&op[*r]) == signature(&np[*a]) {
            d.push(
                Class::Breaking,
                &prop_ptr(a),
                format!("property `{r}` of {what} renamed to `{a}`"),
                items.clone(),
            );
        } else {
            d.push(
                Class::Breaking,
                ptr,
                format!("property `{r}` of {what} removed"),
                items.clone(),
            );
            d.push(
                Class::Info,
                &prop_ptr(a),
                format!("property `{a}` added to {what}"),
                items.clone(),
            );
        }
    } else {
        for r in &removed {
            d.push(
                Class::Breaking,
                ptr,
                format!("property `{r}` of {what} removed"),
                items.clone(),
            );
        }
        for a in &added {
            let class = if side == Side::Request && required(new).contains(*a) {
                Class::Breaking
            } else {
                Class::Info
            };
            d.push(
                class,
                &prop_ptr(a),
                format!("property `{a}` added to {what}"),
                items.clone(),
            );
        }
    }
    let (ro, rn) = (required(old), required(new));
    for (name, ns) in &np {
        let Some(os) = op.get(name) else { continue };
        let pp = prop_ptr(name);
        let pwhat = format!("`{name}` of {what}");
        if ro.contains(name) != rn.contains(name) {
            let how = if rn.contains(name) {
                "required"
            } else {
                "optional"
            };
            match side {
                Side::Response => d.push(
                    Class::Info,
                    &pp,
                    format!("{pwhat} became {how}; no change to generated code (every response field is optional)"),
                    vec![],
                ),
                Side::Request if how == "required" => d.push(Class::Breaking, &pp, format!("{pwhat} became required"), items.clone()),
                Side::Request => d.push(Class::Info, &pp, format!("{pwhat} became optional"), items.clone()),
            }
        }
        if text(os.get("description")) != text(ns.get("description")) {
            d.push(
                Class::Info,
                &format!("{pp}/description"),
                format!("description of {pwhat} changed"),
                vec![],
            );
        }
        let alias = |s: &Value| strings_at(s, "x-aliases");
        for gone in alias(os).difference(&alias(ns)) {
            d.push(
                Class::Warning,
                &pp,
                format!("{pwhat} is no longer read from `{gone}`"),
                items.clone(),
            );
        }
        for new_alias in alias(ns).difference(&alias(os)) {
            d.push(
                Class::Info,
                &pp,
                format!("{pwhat} is also read from `{new_alias}`"),
                items.clone(),
            );
        }
        schema_diff(d, side, os, ns, &pp, &pwhat, items.clone());
    }
}

fn values(s: &Value) -> Vec<String> {
    s.get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .collect()
}

fn enum_diff(
    d: &mut Differ,
    side: Side,
    old: &Value,
    new: &Value,
    ptr: &str,
    what: &str,
    items: &[String],
) {
    let (ov, nv) = (values(old), values(new));
    if ov.is_empty() && nv.is_empty() {
        return;
    }
    let open = new.get("x-open-enum") == Some(&Value::Bool(true));
    let was_open = old.get("x-open-enum") == Some(&Value::Bool(true));
    for v in ov.iter().filter(|v| !nv.contains(v)) {
        d.push(
            Class::Breaking,
            &format!("{ptr}/enum"),
            format!("value `{v}` removed from {what}: its generated variant goes"),
            items.to_vec(),
        );
    }
    for v in nv.iter().filter(|v| !ov.contains(v)) {
        let (class, why) = match side {
            Side::Response if open => (
                Class::Info,
                "an open enum: the new variant is additive (the enum is non_exhaustive)",
            ),
            Side::Response => (
                Class::Breaking,
                "a closed enum: clients built before it cannot decode the value",
            ),
            Side::Request => (
                Class::Warning,
                "a closed enum gains a variant that exhaustive matches must handle",
            ),
        };
        d.push(
            class,
            &format!("{ptr}/enum"),
            format!("value `{v}` added to {what}: {why}"),
            items.to_vec(),
        );
    }
    if was_open && !open {
        d.push(
            Class::Breaking,
            ptr,
            format!("{what} is no longer an open enum: unknown values fail decoding"),
            items.to_vec(),
        );
    } else if open && !was_open && !ov.is_empty() {
        d.push(
            Class::Breaking,
            ptr,
            format!("{what} became an open enum: its generated type gains `Other`"),
            items.to_vec(),
        );
    }
}

fn constraints_diff(
    d: &mut Differ,
    side: Side,
    old: &Value,
    new: &Value,
    ptr: &str,
    what: &str,
    items: &[String],
) {
    let num = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64);
    // (keyword, whether a larger value is tighter)
    for (key, larger_is_tighter) in [
        ("minLength", true),
        ("maxLength", false),
        ("minimum", true),
        ("maximum", false),
        ("minItems", true),
        ("maxItems", false),
    ] {
        let (o, n) = (num(old, key), num(new, key));
        if o == n {
            continue;
        }
        let tighter = match (o, n) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(o), Some(n)) => (n > o) == larger_is_tighter,
            (None, None) => continue,
        };
        constraint_change(
            d,
            side,
            &format!("{ptr}/{key}"),
            format!("{key} of {what} changed from {} to {}", show(o), show(n)),
            tighter,
            items,
        );
    }
    let (op, np) = (
        old.get("pattern").and_then(Value::as_str),
        new.get("pattern").and_then(Value::as_str),
    );
    if op != np {
        let message = format!(
            "pattern of {what} changed from {} to {}",
            op.unwrap_or("none"),
            np.unwrap_or("none")
        );
        constraint_change(
            d,
            side,
            &format!("{ptr}/pattern"),
            message,
            np.is_some(),
            items,
        );
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or("none".to_string(), |v| v.to_string())
}

fn constraint_change(
    d: &mut Differ,
    side: Side,
    ptr: &str,
    message: String,
    tighter: bool,
    items: &[String],
) {
    match side {
        Side::Response => d.push(
            Class::Info,
            ptr,
            format!("{message}: documentation only, responses are not checked against it"),
            vec![],
        ),
        Side::Request if tighter => d.push(
            Class::Breaking,
            ptr,
            format!("{message}: tightened, values that were sent before are now refused"),
            items.to_vec(),
        ),
        Side::Request => d.push(
            Class::Info,
            ptr,
            format!("{message}: loosened"),
            items.to_vec(),
        ),
    }
}

/// Components are generated types: removal breaks, addition does not; each present in both
/// is compared once, as a request or a response schema as the specs use it.
fn components_diff(d: &mut Differ) {
    let (old_c, new_c) = (
        object_at(d.old, "/components/schemas"),
        object_at(d.new, "/components/schemas"),
    );
    for name in only_in(&old_c, &new_c) {
        let ptr = format!("/components/schemas/{}", escape_pointer(name));
        d.push(
            Class::Breaking,
            &ptr,
            format!("schema `{name}` removed: its generated type goes"),
            vec![format!("types::{name}")],
        );
    }
    for name in only_in(&new_c, &old_c) {
        let ptr = format!("/components/schemas/{}", escape_pointer(name));
        d.push(
            Class::Info,
            &ptr,
            format!("schema `{name}` added"),
            vec![format!("types::{name}")],
        );
    }
    for (name, ns) in &new_c {
        let Some(os) = old_c.get(name) else { continue };
        let ptr = format!("/components/schemas/{}", escape_pointer(name));
        let items = vec![format!("types::{name}")];
        let request = d.old_reach.request.contains(name) || d.new_reach.request.contains(name);
        let response = d.old_reach.response.contains(name) || d.new_reach.response.contains(name);
        let (so, sn) = (signature(os), signature(ns));
        if so != sn {
            d.push(
                Class::Breaking,
                &ptr,
                format!("type of schema `{name}` changed from {so} to {sn}"),
                items,
            );
            continue;
        }
        let what = format!("schema `{name}`");
        if response || !request {
            inline_diff(d, Side::Response, os, ns, &ptr, &what, items.clone());
        }
        if request {
            inline_diff(d, Side::Request, os, ns, &ptr, &what, items);
        }
    }
}

fn security_diff(d: &mut Differ) {
    let (os, ns) = (
        object_at(d.old, "/components/securitySchemes"),
        object_at(d.new, "/components/securitySchemes"),
    );
    for name in only_in(&os, &ns) {
        d.push(
            Class::Breaking,
            &format!("/components/securitySchemes/{}", escape_pointer(name)),
            format!("security scheme `{name}` removed"),
            vec![],
        );
    }
    for name in only_in(&ns, &os) {
        d.push(
            Class::Info,
            &format!("/components/securitySchemes/{}", escape_pointer(name)),
            format!("security scheme `{name}` added"),
            vec![],
        );
    }
    for (name, n) in &ns {
        let Some(o) = os.get(name) else { continue };
        for key in ["type", "in", "name", "scheme"] {
            if o.get(key) != n.get(key) {
                d.push(
                    Class::Breaking,
                    &format!("/components/securitySchemes/{}/{key}", escape_pointer(name)),
                    format!(
                        "`{key}` of security scheme `{name}` changed from {} to {}",
                        o.get(key).unwrap_or(&Value::Null),
                        n.get(key).unwrap_or(&Value::Null)
                    ),
                    vec![],
                );
            }
        }
    }
    if d.old.get("security") != d.new.get("security") {
        d.push(
            Class::Warning,
            "/security",
            "the security requirements changed",
            vec![],
        );
    }
    let old_ops = ops_by_id(d.old);
    for (id, (ptr, _, _, op)) in ops_by_id(d.new) {
        let old = old_ops
            .get(&id)
            .map(|(_, _, _, o)| o.get("security").cloned());
        if let Some(old) = old
            && old.as_ref() != op.get("security")
        {
            d.push(
                Class::Warning,
                &format!("{ptr}/security"),
                format!("the security requirements of `{id}` changed"),
                vec![],
            );
        }
    }
}

fn servers_diff(d: &mut Differ) {
    let servers = |root: &Value| -> BTreeMap<String, BTreeSet<String>> {
        root.get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let url = s.get("url")?.as_str()?.to_string();
                let regions = s
                    .pointer("/variables/region/enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                Some((url, regions))
            })
            .collect()
    };
    let (os, ns) = (servers(d.old), servers(d.new));
    let region_of = |m: &BTreeMap<String, BTreeSet<String>>| -> BTreeMap<String, String> {
        m.iter()
            .flat_map(|(u, rs)| rs.iter().map(move |r| (r.clone(), u.clone())))
            .collect()
    };
    let (or, nr) = (region_of(&os), region_of(&ns));
    for url in os.keys().filter(|u| !ns.contains_key(*u)) {
        d.push(
            Class::Warning,
            "/servers",
            format!("server `{url}` removed"),
            vec!["SERVERS".into()],
        );
    }
    for url in ns.keys().filter(|u| !os.contains_key(*u)) {
        d.push(
            Class::Info,
            "/servers",
            format!("server `{url}` added"),
            vec!["SERVERS".into()],
        );
    }
    for (region, url) in &or {
        match nr.get(region) {
            None => d.push(
                Class::Breaking,
                "/servers",
                format!("region `{region}` removed: `.region(\"{region}\")` stops working"),
                vec!["SERVERS".into()],
            ),
            Some(n) if n != url => d.push(
                Class::Warning,
                "/servers",
                format!("region `{region}` moves from {url} to {n}"),
                vec!["SERVERS".into()],
            ),
            Some(_) => {}
        }
    }
    for region in nr.keys().filter(|r| !or.contains_key(*r)) {
        d.push(
            Class::Info,
            "/servers",
            format!("region `{region}` added"),
            vec!["SERVERS".into()],
        );
    }
}

/// The generated items of a spec: `types::X`, `builder::X`, `Client::method`, `SERVERS`,
/// each with its tokens as text.
fn generated_items(spec: &Spec) -> Option<BTreeMap<String, String>> {
    use quote::ToTokens;
    let outputs = crate::codegen::generate(spec, "spec").ok()?;
    let client = outputs.iter().find(|o| o.path == crate::codegen::CLIENT)?;
    let file: syn::File = syn::parse_str(&client.contents).ok()?;
    let mut out = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) => {
                for inner in m.content.iter().flat_map(|(_, items)| items) {
                    let name = match inner {
                        syn::Item::Struct(s) => s.ident.to_string(),
                        syn::Item::Enum(e) => e.ident.to_string(),
                        syn::Item::Impl(i) => match &*i.self_ty {
                            syn::Type::Path(p) => p
                                .path
                                .segments
                                .last()
                                .map(|s| s.ident.to_string())
                                .unwrap_or_default(),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    out.entry(format!("{}::{name}", m.ident))
                        .or_insert_with(String::new)
                        .push_str(&inner.to_token_stream().to_string());
                }
            }
            syn::Item::Impl(i)
                if i.trait_.is_none() && i.self_ty.to_token_stream().to_string() == "Client" =>
            {
                for f in &i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        out.insert(
                            format!("Client::{}", f.sig.ident),
                            f.to_token_stream().to_string(),
                        );
                    }
                }
            }
            syn::Item::Const(c) => {
                out.insert(c.ident.to_string(), c.to_token_stream().to_string());
            }
            _ => {}
        }
    }
    Some(out)
}

/// Fills in what each change touches in the generated code; returns the generated items
/// that differ, if both specs generate.
pub fn attribute(changes: &mut [Change], old: &Spec, new: &Spec) -> Option<Vec<String>> {
    let (o, n) = (generated_items(old), generated_items(new));
    let changed: Option<BTreeSet<String>> = match (&o, &n) {
        (Some(o), Some(n)) => Some(
            o.keys()
                .chain(n.keys())
                .filter(|k| o.get(*k) != n.get(*k))
                .cloned()
                .collect(),
        ),
        _ => None,
    };
    // A candidate also covers the types typify names after it (`types::Thing` ->
    // `types::ThingState`, the type of an inline enum of `Thing`).
    for c in changes.iter_mut() {
        c.touches = match &changed {
            Some(changed) => changed
                .iter()
                .filter(|t| c.candidates.iter().any(|cand| t.starts_with(cand.as_str())))
                .cloned()
                .collect(),
            None => c.candidates.clone(),
        };
    }
    changed.map(|c| c.into_iter().collect())
}

/// Loads `FILE` (relative to the current directory or to `root`) or `REV:path` (through
/// `git show`, in `root`).
pub fn load(root: &Path, arg: &str) -> Result<Spec, String> {
    for path in [Path::new(arg).to_path_buf(), root.join(arg)] {
        if path.exists() {
            return Spec::load(&path).map_err(|d| d.to_string());
        }
    }
    let Some((rev, file)) = arg.split_once(':') else {
        return Err(format!(
            "{arg}: no such file (give a spec file or REV:path, such as HEAD~1:openapi/taurusdb.yaml)"
        ));
    };
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{rev}:{file}")])
        .output()
        .map_err(|e| format!("{arg}: cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{arg}: git show failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Spec::parse(arg, &out.stdout).map_err(|d| d.to_string())
}

/// The version bump the changes call for.
pub fn bump(changes: &[Change]) -> &'static str {
    if changes.iter().any(|c| c.class == Class::Breaking) {
        "major (breaking changes)"
    } else if changes.iter().any(|c| c.class == Class::Warning) {
        "minor (behaviour changes)"
    } else if changes.is_empty() {
        "none (no changes)"
    } else {
        "patch (additive changes only)"
    }
}

/// The command. Returns the exit code.
pub fn run(root: &Path, old: &str, new: &str, fail_on: Option<Class>, json: bool) -> i32 {
    let (old_spec, new_spec) = match (load(root, old), load(root, new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut changes = diff(&old_spec.root, &new_spec.root);
    let generated = attribute(&mut changes, &old_spec, &new_spec);
    let count = |c: Class| changes.iter().filter(|x| x.class == c).count();
    let (b, w, i) = (
        count(Class::Breaking),
        count(Class::Warning),
        count(Class::Info),
    );
    if json {
        let out = serde_json::json!({
            "old": old, "new": new,
            "changes": changes,
            "summary": {"breaking": b, "warning": w, "info": i},
            "bump": bump(&changes),
            "generated_items_changed": generated,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        for c in &changes {
            println!("{c}");
        }
        match &generated {
            Some(items) if items.is_empty() => println!("generated code: unchanged"),
            Some(items) => println!("generated code: changes in {}", items.join(", ")),
            None => println!("generated code: not compared (one of the specs does not generate)"),
        }
        println!(
            "diff: {b} breaking, {w} warning, {i} info; version bump: {}",
            bump(&changes)
        );
    }
    let failed = match fail_on {
        Some(Class::Breaking) => b > 0,
        Some(Class::Warning) => b + w > 0,
        Some(Class::Info) => !changes.is_empty(),
        None => false,
    };
    i32::from(failed)
}
