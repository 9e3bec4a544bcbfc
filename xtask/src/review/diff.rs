//! `cargo xtask diff OLD NEW [--fail-on breaking|warning] [--format json] [--changelog]`: every
//! change between two versions of the spec, classified for clients of the generated crate,
//! each with its effect on Rust code that uses the crate and the version bump it calls for
//! (README, "Versioning and compatibility").
//!
//! - **breaking** (a major bump): code that compiled against the old client may not compile,
//!   or requests that worked may now be refused or fail to decode (a parameter removed or made
//!   required, a response field removed or retyped, a value added to a closed response enum, a
//!   request constraint tightened, a region removed, ...);
//! - **warning** (minor): the client keeps compiling but behaves differently (a server URL
//!   changes, a response status goes);
//! - **info** (minor, or patch when only documentation changes): nothing breaks (fields,
//!   operations, parameters or enum values added: every generated type is `#[non_exhaustive]`;
//!   response constraints, which the client does not enforce, and descriptions).
//!
//! Each change names its JSON pointer and, when both specs generate, the generated items it
//! touches (found by generating both and comparing). The verdict is the largest bump of any
//! change, and the next version follows from the crate's `Cargo.toml` under Cargo's rules.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::codegen::tolerant::Reach;
use crate::model::spec::{Spec, escape_pointer, operations};
use crate::model::walk::{component, parameters, resolve, strings, text};

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

/// The version bump a change calls for, in the order of their size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation only: the generated API and its behaviour are the same.
    Patch,
    /// Additions and compatible behaviour changes: code that compiled still compiles.
    Minor,
    /// Code that compiled may not compile, or requests that worked may fail.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

impl std::str::FromStr for Bump {
    type Err = String;
    fn from_str(s: &str) -> Result<Bump, String> {
        match s {
            "none" => Ok(Bump::None),
            "patch" => Ok(Bump::Patch),
            "minor" => Ok(Bump::Minor),
            "major" => Ok(Bump::Major),
            _ => Err(format!("`{s}` is not a bump (major, minor, patch or none)")),
        }
    }
}

/// Where a change goes in a Keep-a-Changelog section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Section {
    Added,
    Changed,
    Removed,
    Fixed,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    /// The version bump this change alone calls for.
    pub bump: Bump,
    pub message: String,
    /// Its effect on Rust code that uses the generated crate: what stops compiling, what
    /// behaves differently, or that nothing does.
    pub effect: String,
    /// Where it goes in the changelog.
    pub section: Section,
    /// Where the change is: a pointer into the new spec (into the old one for removals).
    pub pointer: String,
    /// Generated items the change touches (`types::X`, `builder::Op`, `Client::op`).
    pub touches: Vec<String>,
    #[serde(skip)]
    candidates: Vec<String>,
}

impl Change {
    fn effect(&mut self, effect: impl Into<String>) -> &mut Change {
        self.effect = effect.into();
        self
    }

    /// Only documentation changes: a patch.
    fn docs_only(&mut self) -> &mut Change {
        self.bump = Bump::Patch;
        self
    }

    fn section(&mut self, section: Section) -> &mut Change {
        self.section = section;
        self
    }
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
        write!(f, "\n{:<8} {}: {}", "", self.bump, self.effect)
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
    /// Records a change; its bump follows from its class (breaking: major, else minor) and
    /// its changelog section from its message, unless the caller says otherwise.
    fn push(
        &mut self,
        class: Class,
        pointer: &str,
        message: impl Into<String>,
        candidates: Vec<String>,
    ) -> &mut Change {
        let message = message.into();
        let section = if message.contains(" removed") {
            Section::Removed
        } else if message.contains(" added") {
            Section::Added
        } else {
            Section::Changed
        };
        self.changes.push(Change {
            class,
            bump: if class == Class::Breaking {
                Bump::Major
            } else {
                Bump::Minor
            },
            message,
            effect: String::new(),
            section,
            pointer: pointer.to_string(),
            touches: Vec::new(),
            candidates,
        });
        self.changes.last_mut().expect("just pushed")
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

/// The generated builder's method for a parameter or property: `X-Language` -> `x_language`.
fn setter(name: &str) -> String {
    crate::codegen::postprocess::snake(name)
}

/// `ListStarRocksDataReplicationConfig` -> the generated `builder::` and `requests::` structs,
/// the `Client` method, and the types named after the operation (inline parameter types).
fn op_items(id: &str) -> Vec<String> {
    vec![
        format!("builder::{id}"),
        format!("requests::{id}"),
        format!("Client::{}", crate::codegen::postprocess::snake(id)),
        format!("types::{id}"),
    ]
}

/// The entry point of operation `id` on `Client` (`x-rust-method`, else the operationId in
/// snake case) and progenitor's builder method beside it (`raw_<operationId in snake case>`).
fn entry_points(id: &str, op: &Value) -> String {
    let snake = crate::codegen::postprocess::snake(id);
    let method = op
        .get("x-rust-method")
        .and_then(Value::as_str)
        .map_or_else(|| snake.clone(), str::to_string);
    format!("`Client::{method}`, `Client::raw_{snake}` and `builder::{id}`")
}

fn operations_diff(d: &mut Differ) {
    let old_ops = ops_by_id(d.old);
    let new_ops = ops_by_id(d.new);
    for (id, (ptr, method, path, op)) in &old_ops {
        if !new_ops.contains_key(id) {
            d.push(
                Class::Breaking,
                ptr,
                format!(
                    "operation `{id}` ({} {path}) removed",
                    method.to_uppercase()
                ),
                op_items(id),
            )
            .effect(format!(
                "{} go: code that calls them stops compiling",
                entry_points(id, op)
            ));
        }
    }
    for (id, (ptr, method, path, op)) in &new_ops {
        if !old_ops.contains_key(id) {
            d.push(
                Class::Info,
                ptr,
                format!("operation `{id}` ({} {path}) added", method.to_uppercase()),
                op_items(id),
            )
            .effect(format!(
                "new {}; existing code is unaffected",
                entry_points(id, op)
            ));
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
            )
            .effect("the code is the same, but clients built before it call a path the service no longer serves");
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
                )
                .effect("doc comments only")
                .docs_only();
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
    strings(v.get(key)).into_iter().collect()
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
            )
            .effect(format!(
                "`.{}(..)` on `builder::{id}` goes: code that sets it stops compiling",
                setter(name)
            ));
        }
    }
    for (name, (ptr, p)) in &new_params {
        let Some((_, o)) = old_params.get(name) else {
            let (class, how, effect) = if required(p) {
                (
                    Class::Breaking,
                    "required",
                    "code keeps compiling, but `send()` fails until the caller sets it",
                )
            } else {
                (
                    Class::Info,
                    "optional",
                    "a new builder method; existing calls are unaffected",
                )
            };
            d.push(
                class,
                ptr,
                format!("{how} parameter `{name}` ({}) added to `{id}`", location(p)),
                op_items(id),
            )
            .effect(format!(
                "`.{}(..)` on `builder::{id}`: {effect}",
                setter(name)
            ));
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
            )
            .effect("the code is the same, but clients built before it send the value where the service no longer reads it");
        }
        match (required(o), required(p)) {
            (false, true) => {
                d.push(
                    Class::Breaking,
                    ptr,
                    format!("parameter `{name}` of `{id}` became required"),
                    op_items(id),
                )
                .effect(format!(
                    "code keeps compiling, but `send()` fails unless `.{}(..)` is set",
                    setter(name)
                ));
            }
            (true, false) => {
                d.push(
                    Class::Info,
                    ptr,
                    format!("parameter `{name}` of `{id}` became optional (the generated builder no longer insists on it)"),
                    op_items(id),
                )
                .effect(format!(
                    "`send()` no longer fails when `.{}(..)` is not set; the method stays",
                    setter(name)
                ));
            }
            _ => {}
        }
        if text(o.get("description")) != text(p.get("description")) {
            d.push(
                Class::Info,
                &format!("{ptr}/description"),
                format!("description of parameter `{name}` of `{id}` changed"),
                vec![],
            )
            .effect("doc comments only")
            .docs_only();
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
        )
        .effect("the code is the same; that status is now an `UnexpectedResponse` error, not a typed one");
    }
    for (code, r) in &new_codes {
        let ptr = format!("{}/responses/{}", new.0, escape_pointer(code));
        let Some(o) = old_codes.get(code) else {
            d.push(
                Class::Info,
                &ptr,
                format!("response `{code}` of `{id}` added"),
                op_items(id),
            )
            .effect("that status is now decoded as documented instead of reported as an undocumented one; no code stops compiling");
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
        )
        .effect(format!(
            "the generated type changes from {so} to {sn}: code that reads or sets it stops compiling (cargo-semver-checks does not see this)"
        ));
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
            )
            .effect(format!(
                "the field `.{}` and the builder method `.{}(..)` become `.{}`: code that uses them stops compiling",
                setter(r),
                setter(r),
                setter(a)
            ));
        } else {
            property_removed(d, ptr, what, r, &items);
            property_added(d, side, new, &prop_ptr(a), what, a, &items);
        }
    } else {
        for r in &removed {
            property_removed(d, ptr, what, r, &items);
        }
        for a in &added {
            property_added(d, side, new, &prop_ptr(a), what, a, &items);
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
            let field = setter(name);
            match side {
                Side::Response => {
                    d.push(
                        Class::Info,
                        &pp,
                        format!("{pwhat} became {how}; no change to generated code (every response field is optional)"),
                        vec![],
                    )
                    .effect("none: the field stays an `Option`")
                    .docs_only();
                }
                Side::Request => {
                    d.push(Class::Breaking, &pp, format!("{pwhat} became {how}"), items.clone())
                        .effect(format!(
                            "the field `.{field}` changes between `T` and `Option<T>`: code that reads it stops compiling{}",
                            if how == "required" {
                                ", and the builder's `try_into()` fails unless it is set"
                            } else {
                                ""
                            }
                        ));
                }
            }
        }
        if text(os.get("description")) != text(ns.get("description")) {
            d.push(
                Class::Info,
                &format!("{pp}/description"),
                format!("description of {pwhat} changed"),
                vec![],
            )
            .effect("doc comments only")
            .docs_only();
        }
        let alias = |s: &Value| strings_at(s, "x-aliases");
        for gone in alias(os).difference(&alias(ns)) {
            d.push(
                Class::Warning,
                &pp,
                format!("{pwhat} is no longer read from `{gone}`"),
                items.clone(),
            )
            .effect(format!(
                "the code is the same, but a response that sends only `{gone}` now decodes `.{}` as `None`",
                setter(name)
            ));
        }
        for new_alias in alias(ns).difference(&alias(os)) {
            d.push(
                Class::Info,
                &pp,
                format!("{pwhat} is also read from `{new_alias}`"),
                items.clone(),
            )
            .effect(format!(
                "the code is the same; a response that sends `{new_alias}` now fills `.{}`",
                setter(name)
            ))
            .section(Section::Fixed);
        }
        schema_diff(d, side, os, ns, &pp, &pwhat, items.clone());
    }
}

fn property_removed(d: &mut Differ, ptr: &str, what: &str, name: &str, items: &[String]) {
    d.push(
        Class::Breaking,
        ptr,
        format!("property `{name}` of {what} removed"),
        items.to_vec(),
    )
    .effect(format!(
        "the field `.{}` and the builder method `.{}(..)` go: code that reads or sets them stops compiling",
        setter(name),
        setter(name)
    ));
}

fn property_added(
    d: &mut Differ,
    side: Side,
    schema: &Value,
    ptr: &str,
    what: &str,
    name: &str,
    items: &[String],
) {
    let field = setter(name);
    let message = format!("property `{name}` added to {what}");
    if side == Side::Request && strings_at(schema, "required").contains(name) {
        d.push(Class::Breaking, ptr, message, items.to_vec())
            .effect(format!(
                "code keeps compiling, but the builder's `try_into()` fails until `.{field}(..)` is set, and the type loses `Default`"
            ));
    } else {
        d.push(Class::Info, ptr, message, items.to_vec()).effect(format!(
            "a new field `.{field}` and builder method `.{field}(..)`; the struct is non_exhaustive, so no code stops compiling"
        ));
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
        )
        .effect(format!(
            "the variant `{}` goes: code that names it stops compiling",
            crate::codegen::postprocess::variant_name(v)
        ));
    }
    for v in nv.iter().filter(|v| !ov.contains(v)) {
        let variant = crate::codegen::postprocess::variant_name(v);
        let (class, why, effect) = match side {
            Side::Response if open => (
                Class::Info,
                "an open enum: the new variant is additive (the enum is non_exhaustive)",
                format!(
                    "a new variant `{variant}`; matches already have a wildcard arm, and the value, kept as `Other(\"{v}\")` before, now decodes as `{variant}`"
                ),
            ),
            Side::Response => (
                Class::Breaking,
                "a closed enum: clients built before it cannot decode the value",
                format!(
                    "a new variant `{variant}` (no code stops compiling: the enum is non_exhaustive), but clients built before it fail to decode a response that carries it"
                ),
            ),
            Side::Request => (
                Class::Info,
                "a new variant of a non_exhaustive enum",
                format!(
                    "a new variant `{variant}`; matches already have a wildcard arm, so no code stops compiling"
                ),
            ),
        };
        d.push(
            class,
            &format!("{ptr}/enum"),
            format!("value `{v}` added to {what}: {why}"),
            items.to_vec(),
        )
        .effect(effect);
    }
    if was_open && !open {
        d.push(
            Class::Breaking,
            ptr,
            format!("{what} is no longer an open enum: unknown values fail decoding"),
            items.to_vec(),
        )
        .effect("the variant `Other` goes: code that names it stops compiling, and unknown values fail decoding");
    } else if open && !was_open && !ov.is_empty() {
        d.push(
            Class::Breaking,
            ptr,
            format!("{what} became an open enum: its generated type gains `Other`"),
            items.to_vec(),
        )
        .effect("the type is defined anew (variant `Other(String)`, other derives and impls): code that relies on what typify derived may stop compiling");
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
        Side::Response => {
            d.push(
                Class::Info,
                ptr,
                format!("{message}: documentation only, responses are not checked against it"),
                vec![],
            )
            .effect("none: the generated code does not check responses against it")
            .docs_only();
        }
        Side::Request if tighter => {
            d.push(
                Class::Breaking,
                ptr,
                format!("{message}: tightened, values that were sent before are now refused"),
                items.to_vec(),
            )
            .effect("code keeps compiling, but values that were accepted now fail conversion (`try_from`, the builder) before anything is sent");
        }
        Side::Request => {
            d.push(
                Class::Info,
                ptr,
                format!("{message}: loosened"),
                items.to_vec(),
            )
            .effect("code keeps compiling; values that were refused before are now accepted")
            .section(Section::Fixed);
        }
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
        )
        .effect(format!(
            "`types::{name}` goes: code that names it stops compiling"
        ));
    }
    for name in only_in(&new_c, &old_c) {
        let ptr = format!("/components/schemas/{}", escape_pointer(name));
        d.push(
            Class::Info,
            &ptr,
            format!("schema `{name}` added"),
            vec![format!("types::{name}")],
        )
        .effect(format!(
            "a new type `types::{name}`; existing code is unaffected"
        ));
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
            )
            .effect(format!(
                "`types::{name}` is generated anew as {sn}: code that uses it as {so} stops compiling"
            ));
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
        )
        .effect("the code is the same, but requests authenticated that way are refused");
    }
    for name in only_in(&ns, &os) {
        d.push(
            Class::Info,
            &format!("/components/securitySchemes/{}", escape_pointer(name)),
            format!("security scheme `{name}` added"),
            vec![],
        )
        .effect("none in the generated code: the service accepts another way to authenticate");
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
                )
                .effect("the code is the same, but credentials sent the old way are refused");
            }
        }
    }
    if d.old.get("security") != d.new.get("security") {
        d.push(
            Class::Warning,
            "/security",
            "the security requirements changed",
            vec![],
        )
        .effect("the code is the same; the service may ask for other credentials");
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
            )
            .effect("the code is the same; the service may ask for other credentials");
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
                let regions = strings(s.pointer("/variables/region/enum"))
                    .into_iter()
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
        )
        .effect("the client no longer picks this URL for a region");
    }
    for url in ns.keys().filter(|u| !os.contains_key(*u)) {
        d.push(
            Class::Info,
            "/servers",
            format!("server `{url}` added"),
            vec!["SERVERS".into()],
        )
        .effect("the client can pick this URL for a region");
    }
    for (region, url) in &or {
        match nr.get(region) {
            None => {
                d.push(
                    Class::Breaking,
                    "/servers",
                    format!("region `{region}` removed: `.region(\"{region}\")` stops working"),
                    vec!["SERVERS".into()],
                )
                .effect(format!(
                    "code keeps compiling, but building a client with `.region(\"{region}\")` fails"
                ));
            }
            Some(n) if n != url => {
                d.push(
                    Class::Warning,
                    "/servers",
                    format!("region `{region}` moves from {url} to {n}"),
                    vec!["SERVERS".into()],
                )
                .effect(format!("`.region(\"{region}\")` now sends requests to {n}"));
            }
            Some(_) => {}
        }
    }
    for region in nr.keys().filter(|r| !or.contains_key(*r)) {
        d.push(
            Class::Info,
            "/servers",
            format!("region `{region}` added"),
            vec!["SERVERS".into()],
        )
        .effect(format!("`.region(\"{region}\")` now works"));
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
/// `git show`, in `root`). The document must be OpenAPI 3.0.x.
pub fn load(root: &Path, arg: &str) -> Result<Spec, String> {
    let spec = read(root, arg)?;
    match spec.check_version().into_iter().next() {
        Some(d) => Err(d.to_string()),
        None => Ok(spec),
    }
}

fn read(root: &Path, arg: &str) -> Result<Spec, String> {
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

/// The version bump the changes call for: the largest of theirs.
pub fn bump(changes: &[Change]) -> Bump {
    changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None)
}

/// Why the bump is what it is, in a few words.
fn reason(bump: Bump) -> &'static str {
    match bump {
        Bump::Major => "breaking changes",
        Bump::Minor => "additions or compatible behaviour changes",
        Bump::Patch => "documentation only",
        Bump::None => "no changes",
    }
}

/// A crate version `MAJOR.MINOR.PATCH` (a pre-release or build suffix is dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version(pub u64, pub u64, pub u64);

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Version, String> {
        let core = s.split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<u64> = core
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("`{s}` is not a version MAJOR.MINOR.PATCH"))?;
        match parts[..] {
            [major, minor, patch] => Ok(Version(major, minor, patch)),
            _ => Err(format!("`{s}` is not a version MAJOR.MINOR.PATCH")),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The next version under Cargo's rules, where the left-most non-zero component is the
    /// compatibility boundary: from 1.x on, major/minor/patch as in SemVer; for 0.y.z
    /// (y > 0) a breaking change bumps y (0.1.3 -> 0.2.0) and anything compatible bumps z
    /// (0.1.3 -> 0.1.4, for a minor as for a patch); for 0.0.z every release is
    /// incompatible with the last, so any bump is 0.0.(z+1).
    pub fn next(self, bump: Bump) -> Version {
        let Version(major, minor, patch) = self;
        match (bump, major, minor) {
            (Bump::None, ..) => self,
            (_, 0, 0) => Version(0, 0, patch + 1),
            (Bump::Major, 0, _) => Version(0, minor + 1, 0),
            (Bump::Minor | Bump::Patch, 0, _) => Version(0, minor, patch + 1),
            (Bump::Major, ..) => Version(major + 1, 0, 0),
            (Bump::Minor, ..) => Version(major, minor + 1, 0),
            (Bump::Patch, ..) => Version(major, minor, patch + 1),
        }
    }
}

/// The generated client crate's manifest, relative to the workspace root.
pub const CRATE_MANIFEST: &str = "crates/taurusdb/Cargo.toml";

/// The `version` of the `[package]` table of a Cargo manifest (`version.workspace = true`
/// read from the workspace's manifest beside `root`).
pub fn crate_version(root: &Path) -> Result<Version, String> {
    let path = root.join(CRATE_MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let version = match table_value(&text, "package", "version") {
        Some(v) => v,
        None if text.contains("version.workspace = true") => {
            let ws = root.join("Cargo.toml");
            let ws_text = std::fs::read_to_string(&ws)
                .map_err(|e| format!("cannot read {}: {e}", ws.display()))?;
            table_value(&ws_text, "workspace.package", "version")
                .ok_or_else(|| format!("{}: no [workspace.package] version", ws.display()))?
        }
        None => return Err(format!("{}: no [package] version", path.display())),
    };
    version
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `key = "value"` in `[table]` of a TOML file (enough for a manifest's version).
fn table_value(toml: &str, table: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[{table}]");
            continue;
        }
        if !inside {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() == key {
            let v = v.split('#').next().unwrap_or_default().trim();
            return v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

/// Today's date (UTC, or `SOURCE_DATE_EPOCH`'s) as YYYY-MM-DD.
fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    date(secs)
}

/// Seconds since the epoch as YYYY-MM-DD (Howard Hinnant's `civil_from_days`).
fn date(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A Keep-a-Changelog section (`## [VERSION] - DATE`, then Added / Changed / Removed /
/// Fixed) written from the changes: breaking ones are marked and say what stops working.
pub fn changelog(changes: &[Change], version: Option<Version>, date: &str) -> String {
    let version = version.map_or("Unreleased".to_string(), |v| v.to_string());
    let mut out = format!("## [{version}] - {date}\n");
    if changes.is_empty() {
        out.push_str("\nNo changes to the API.\n");
        return out;
    }
    for section in [
        Section::Added,
        Section::Changed,
        Section::Removed,
        Section::Fixed,
    ] {
        let lines: Vec<String> = changes
            .iter()
            .filter(|c| c.section == section)
            .map(|c| {
                let mut line = String::from("- ");
                if c.class == Class::Breaking {
                    line.push_str("**Breaking:** ");
                }
                line.push_str(&capitalize(&c.message));
                if c.class != Class::Info || c.section == Section::Fixed {
                    line.push_str(&format!(" ({})", c.effect));
                }
                line.push('.');
                line
            })
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("\n### {section:?}\n\n{}\n", lines.join("\n")));
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `cargo xtask diff`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The old spec: a file, or REV:path (e.g. HEAD~1:openapi/taurusdb.yaml).
    pub old: String,
    /// The new spec: a file, or REV:path.
    pub new: String,
    /// Exit with 1 when there is a change of this class or worse.
    #[arg(long, value_enum, value_name = "CLASS")]
    pub fail_on: Option<Class>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::review::lint::Format,
    /// Print only a Keep-a-Changelog section (Added / Changed / Removed / Fixed) for the
    /// next version, ready to paste into CHANGELOG.md.
    #[arg(long)]
    pub changelog: bool,
    /// The version the bump starts from (default: crates/taurusdb/Cargo.toml's).
    #[arg(long, value_name = "VERSION")]
    pub from_version: Option<Version>,
}

/// The command. Returns the exit code: 2 when the specs cannot be compared (nothing is
/// printed to stdout then), 1 when `--fail-on` says so, else 0.
pub fn run(root: &Path, args: &Args) -> i32 {
    let sides = [("old", &args.old), ("new", &args.new)].map(|(side, arg)| {
        load(root, arg)
            .map_err(|e| format!("cannot compare: the {side} spec ({arg}) cannot be read: {e}"))
    });
    let [old_spec, new_spec] = sides;
    let (old_spec, new_spec) = match (old_spec, new_spec) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            for e in [o.err(), n.err()].into_iter().flatten() {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    let current = match args.from_version {
        Some(v) => Ok(v),
        None => crate_version(root),
    };
    let mut changes = diff(&old_spec.root, &new_spec.root);
    let generated = attribute(&mut changes, &old_spec, &new_spec);
    let count = |c: Class| changes.iter().filter(|x| x.class == c).count();
    let (b, w, i) = (
        count(Class::Breaking),
        count(Class::Warning),
        count(Class::Info),
    );
    let verdict = bump(&changes);
    let next = current.as_ref().ok().map(|v| v.next(verdict));
    let log = changelog(&changes, next, &today());
    if args.format == crate::review::lint::Format::Json {
        let out = serde_json::json!({
            "old": args.old, "new": args.new,
            "changes": changes,
            "summary": {"breaking": b, "warning": w, "info": i},
            "bump": verdict,
            "current_version": current.as_ref().ok().map(ToString::to_string),
            "next_version": next.map(|v| v.to_string()),
            "generated_items_changed": generated,
            "changelog": log,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else if args.changelog {
        print!("{log}");
    } else {
        for c in &changes {
            println!("{c}");
        }
        match &generated {
            Some(items) if items.is_empty() => println!("generated code: unchanged"),
            Some(items) => println!("generated code: changes in {}", items.join(", ")),
            None => println!("generated code: not compared (one of the specs does not generate)"),
        }
        let version = match (&current, next) {
            (Ok(c), Some(n)) => format!("{c} -> {n}"),
            (Err(e), _) => format!("next version unknown: {e}"),
            _ => String::new(),
        };
        println!(
            "diff: {b} breaking, {w} warning, {i} info; version bump: {verdict} ({}), {version}",
            reason(verdict)
        );
    }
    let failed = match args.fail_on {
        Some(Class::Breaking) => b > 0,
        Some(Class::Warning) => b + w > 0,
        Some(Class::Info) => !changes.is_empty(),
        None => false,
    };
    i32::from(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_versions_follow_cargo() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        let cases = [
            ("0.1.3", Bump::Major, "0.2.0"),
            ("0.1.3", Bump::Minor, "0.1.4"),
            ("0.1.3", Bump::Patch, "0.1.4"),
            ("0.1.3", Bump::None, "0.1.3"),
            ("0.0.7", Bump::Major, "0.0.8"),
            ("0.0.7", Bump::Patch, "0.0.8"),
            ("1.4.2", Bump::Major, "2.0.0"),
            ("1.4.2", Bump::Minor, "1.5.0"),
            ("1.4.2", Bump::Patch, "1.4.3"),
            ("2.0.0-rc.1", Bump::Patch, "2.0.1"),
        ];
        for (from, bump, to) in cases {
            assert_eq!(v(from).next(bump).to_string(), to, "{from} {bump}");
        }
        assert!("1.2".parse::<Version>().is_err());
        assert!("a.b.c".parse::<Version>().is_err());
    }

    #[test]
    fn manifest_versions() {
        let toml = "[package]\nname = \"x\"\nversion = \"0.3.1\" # released\n\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(table_value(toml, "package", "version").unwrap(), "0.3.1");
        assert_eq!(table_value(toml, "workspace.package", "version"), None);
    }

    #[test]
    fn entry_points_are_named_as_the_client_names_them() {
        assert_eq!(
            entry_points(
                "ShowGaussMySqlJobInfo",
                &serde_json::json!({"x-rust-method": "job"})
            ),
            "`Client::job`, `Client::raw_show_gauss_my_sql_job_info` and `builder::ShowGaussMySqlJobInfo`"
        );
        assert_eq!(
            entry_points("ListWidgets", &serde_json::json!({})),
            "`Client::list_widgets`, `Client::raw_list_widgets` and `builder::ListWidgets`"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_767_225_599), "2025-12-31");
    }
}
