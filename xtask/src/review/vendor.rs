//! `cargo xtask vendor`: the spec compared, fact by fact, with Huawei's own machine-readable
//! definitions of the API (API Explorer's Swagger 2.0 records under `openapi/vendor/`, the
//! ones `deviations.yaml` lists: its two copies and files of `corpus/`), read as `cargo xtask
//! import` reads them ([`load_vendor`]).
//!
//! A fact is one statement about one thing: `StarRocksReplicationConfig.table_infos maxItems`,
//! `ListStarRocksDataReplicationConfig parameter project_id in`. Swagger 2.0 is read as the
//! OpenAPI 3.0 it stands for: `#/definitions/X` is a component schema, a non-body parameter's
//! own keywords are its `schema`, `in: body` is the request body, a response's `schema` and
//! `examples` are its `content`, `produces` is the responses' media types. Schemas are paired
//! by structure (the response of an operation, then its properties), not by name; the names
//! of a pair are a fact too.
//!
//! Every difference must be accounted for, in one of two ways:
//!
//! - **adopted**: the spec takes the vendor's value and lists the keyword in the `x-vendor`
//!   array of the object that holds it (`x-vendor: [minLength, maxLength]`). Adopted values
//!   agree, so they are no longer differences; if Huawei changes one, it is a difference again.
//! - **listed**: an entry of `openapi/vendor/deviations.yaml` names the fact, both values, the
//!   source the spec follows (`page`, `vendor`, `server` or `spec`) and why.
//!
//! A difference that is neither, an entry that no longer matches a difference, and an
//! `x-vendor` keyword the object does not have are errors (exit 1). Bad input (a vendor file
//! missing, not JSON or not Swagger 2.0; an unreadable spec or deviations file) is exit 2.
//!
//! Operations are matched by `operationId` (then by method and path). A vendor operation the
//! spec does not have is one fact (`declared`); its parameters and examples are not compared
//! (the spec states nothing about them), but the schemas its responses share with operations
//! the spec has still are, so a change in either vendor file is seen.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::model::spec::{Diagnostic, MAX_SPEC_BYTES, Pos, Spec, escape_pointer};
use crate::model::walk::{
    component, components, declared_parameters, examples_of, item_operations, media, operations,
    page_example, parameters, path_items, resolve, responses, schema_holders, schemas,
};
use crate::workspace::{Exit, display_path};

/// The vendor definitions and the deviations file, relative to the workspace root.
pub const VENDOR_DIR: &str = "openapi/vendor";
/// The file listing the vendor definitions and the known deviations, in [`VENDOR_DIR`].
pub const DEVIATIONS: &str = "deviations.yaml";

/// The sources a deviation may say the spec follows.
pub const SOURCES: [&str; 4] = ["page", "vendor", "server", "spec"];

/// Schema keywords compared as facts, in the order they are reported: the type, format,
/// enumeration and default, the constraints that do not change a Rust type
/// ([`crate::codegen::tolerant::DOCUMENTED_ONLY`]), and `required`.
fn constraints() -> impl Iterator<Item = &'static str> {
    ["type", "format", "enum", "default"]
        .into_iter()
        .chain(crate::codegen::tolerant::DOCUMENTED_ONLY)
        .chain(["required"])
}

/// A Swagger 2.0 definition, as loaded.
#[derive(Debug, Clone)]
pub struct VendorDoc {
    /// The name used in messages (the file name).
    pub file: String,
    pub root: Value,
}

/// One fact on which the spec and a vendor definition differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// What the fact is about: an operation, `<operation> parameter <name>`,
    /// `<operation> response <status>`, or a spec schema and a path in it
    /// (`DbConfigCheckResult.param_name`, `TableReplConfig.tables[]`).
    pub subject: String,
    /// The constraint: a schema keyword, `in`, `declared`, `name`, `example`, ...
    pub constraint: String,
    pub spec: Option<Value>,
    pub vendor: Option<Value>,
    /// The vendor files that state the vendor value.
    pub files: BTreeSet<String>,
    /// Where the vendor states it (`QueryDataReplicationConfigResponseV3.target_database_name`).
    pub vendor_subject: String,
    /// The spec node the fact belongs to (a JSON pointer).
    pub pointer: String,
    /// The spec lists the keyword in `x-vendor`: it was adopted, and the vendor has changed.
    pub adopted: bool,
}

impl Difference {
    /// The fact's name, as `deviations.yaml` spells it: subject and constraint.
    pub fn fact(&self) -> String {
        format!("{} {}", self.subject, self.constraint)
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: spec {}, vendor {} ({}: {})",
            self.fact(),
            show(self.spec.as_ref()),
            show(self.vendor.as_ref()),
            self.files.iter().cloned().collect::<Vec<_>>().join(", "),
            self.vendor_subject
        )
    }
}

/// A value as messages show it: compact JSON, or `(absent)`.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(absent)".into(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// What the comparison found.
#[derive(Debug, Default)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    /// Facts stated by at least one side.
    pub facts: BTreeSet<String>,
    /// Facts that agree because the spec adopted the vendor's value (`x-vendor`).
    pub adopted: BTreeSet<String>,
    /// Misuses of `x-vendor`: (pointer, message).
    pub problems: Vec<(String, String)>,
}

/// One entry of `deviations.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deviation {
    pub fact: String,
    pub spec: Option<Value>,
    pub vendor: Option<Value>,
    pub follows: String,
    pub reason: String,
    /// The entry's pointer in the file, for messages.
    pub pointer: String,
}

impl Deviation {
    pub fn matches(&self, d: &Difference) -> bool {
        self.fact == d.fact()
            && same(self.spec.as_ref(), d.spec.as_ref())
            && same(self.vendor.as_ref(), d.vendor.as_ref())
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    a == b
}

/// `deviations.yaml`: the vendor files to compare and the known deviations.
#[derive(Debug, Clone)]
pub struct Config {
    pub spec: Spec,
    pub definitions: Vec<String>,
    pub deviations: Vec<Deviation>,
}

/// Reads `deviations.yaml`.
pub fn load_config(path: &Path, file: &str) -> Result<Config, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::new(file, None, format!("cannot read the deviations file: {e}"))
    })?;
    let spec = Spec::parse(file, &bytes)?;
    let root = &spec.root;
    let definitions = match root.get("definitions").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    spec.diag(
                        &format!("/definitions/{i}"),
                        "each entry of `definitions` is a vendor file name",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(spec.diag(
                "/definitions",
                "`definitions` must list the vendor definition files to compare (JSON, in this directory)",
            ));
        }
    };
    let mut deviations = Vec::new();
    let entries = match root.get("deviations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(spec.diag("/deviations", "`deviations` must be a list")),
    };
    for (i, e) in entries.iter().enumerate() {
        let ptr = format!("/deviations/{i}");
        let field = |k: &str| {
            e.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or("")
        };
        if !e.is_object() || field("fact").is_empty() {
            return Err(spec.diag(&ptr, "each deviation needs `fact` (subject and constraint, as `cargo xtask vendor` prints it)"));
        }
        if !SOURCES.contains(&field("follows")) {
            return Err(spec.diag(
                &format!("{ptr}/follows"),
                format!(
                    "`follows` must be one of {}: the source the spec follows",
                    SOURCES.join(", ")
                ),
            ));
        }
        if field("reason").is_empty() {
            return Err(spec.diag(&ptr, "each deviation needs a `reason`"));
        }
        let fact = field("fact").to_string();
        let constraint = fact.rsplit(' ').next().unwrap_or("");
        deviations.push(Deviation {
            spec: normalized(constraint, e.get("spec")),
            vendor: normalized(constraint, e.get("vendor")),
            fact,
            follows: field("follows").to_string(),
            reason: field("reason").to_string(),
            pointer: ptr,
        });
    }
    Ok(Config {
        spec,
        definitions,
        deviations,
    })
}

/// Reads a vendor definition as `cargo xtask import` reads one ([`crate::import::read`]):
/// API Explorer's per-operation record as the definitions package ships it (`version: "2.0"`
/// beside `paths`, `consumes` a JSON string, API Explorer's own keys) or a plain Swagger 2.0
/// document, in JSON (or YAML), every operation with an `operationId` and its responses,
/// every `$ref` local and resolvable. The result is the Swagger 2.0 document the record
/// stands for ([`crate::import::read::Definition::swagger`]): what [`compare`] reads. An
/// OpenAPI 3.0 document is refused: the comparison reads Swagger 2.0.
pub fn load_vendor(path: &Path, file: &str) -> Result<VendorDoc, Diagnostic> {
    use crate::import::read::{self, Kind};
    let err = |pos: Option<Pos>, m: String| Diagnostic::new(file, pos, m);
    let meta = std::fs::metadata(path)
        .map_err(|e| err(None, format!("cannot read the vendor definition: {e}")))?;
    if meta.len() > MAX_SPEC_BYTES as u64 {
        return Err(err(
            None,
            format!(
                "the vendor definition is {} bytes; over {MAX_SPEC_BYTES} is refused",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| err(None, format!("cannot read the vendor definition: {e}")))?;
    let cannot = |d: Diagnostic| {
        err(
            d.pos,
            format!(
                "the vendor definition is not a Swagger 2.0 document (plain, or API Explorer's \
                 record) that can be compared: {}",
                d.message
            ),
        )
    };
    let def = read::parse(file, &bytes).map_err(cannot)?;
    if def.kind == Kind::OpenApi3 {
        return Err(err(
            None,
            format!(
                "the vendor definition is an OpenAPI {} document, not Swagger 2.0",
                show(def.spec.root.get("openapi"))
            ),
        ));
    }
    read::check(&def).map_err(cannot)?;
    let root = def.swagger().ok_or_else(|| {
        err(
            None,
            "the vendor definition has no Swagger 2.0 form to compare".into(),
        )
    })?;
    Ok(VendorDoc {
        file: file.to_string(),
        root,
    })
}

/// A schema as one side states it: its keywords merged through `$ref` (and the spec's
/// one-member `allOf` wrapper), the component it names, and the nodes that hold keywords.
struct View<'a> {
    /// Keywords, the referencing node's over the target's.
    keys: serde_json::Map<String, Value>,
    /// The named schema this is (component or definition).
    name: Option<&'a str>,
    /// (pointer, node): the nodes the keywords come from, referencing node first.
    nodes: Vec<(String, &'a Value)>,
}

impl<'a> View<'a> {
    fn get(&self, k: &str) -> Option<&Value> {
        self.keys.get(k).filter(|v| !v.is_null())
    }
}

fn spec_view<'a>(root: &'a Value, ptr: &str, schema: &'a Value) -> View<'a> {
    let mut nodes = vec![(ptr.to_string(), schema)];
    let name = component(schema);
    if let Some(n) = name {
        let target_ptr = format!("/components/schemas/{}", escape_pointer(n));
        if let Some(t) = root.pointer(&target_ptr) {
            nodes.push((target_ptr, t));
        }
    }
    View {
        keys: merged(&nodes, &["$ref", "allOf"]),
        name,
        nodes,
    }
}

fn vendor_view<'a>(root: &'a Value, ptr: &str, schema: &'a Value) -> View<'a> {
    let mut nodes = vec![(ptr.to_string(), schema)];
    let name = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/definitions/"));
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p).map(|t| (p.to_string(), t)))
    {
        nodes.push(target);
    }
    View {
        keys: merged(&nodes, &["$ref"]),
        name,
        nodes,
    }
}

/// A view's properties: (name, pointer, schema).
fn properties<'v>(view: &View<'v>) -> Vec<(String, String, &'v Value)> {
    view.nodes
        .iter()
        .rev()
        .find_map(|(p, n)| {
            n.get("properties").and_then(Value::as_object).map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            format!("{p}/properties/{}", escape_pointer(k)),
                            v,
                        )
                    })
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn merged(nodes: &[(String, &Value)], skip: &[&str]) -> serde_json::Map<String, Value> {
    let mut keys = serde_json::Map::new();
    for (_, n) in nodes.iter().rev() {
        for (k, v) in n.as_object().into_iter().flatten() {
            if !skip.contains(&k.as_str()) {
                keys.insert(k.clone(), v.clone());
            }
        }
    }
    keys
}

/// A keyword's value for comparison: no-op values are absent, sets are sorted.
fn normalized(k: &str, v: Option<&Value>) -> Option<Value> {
    let v = v.filter(|v| !v.is_null())?;
    match (k, v) {
        ("minLength" | "minItems", Value::Number(n)) if n.as_f64() == Some(0.0) => None,
        ("uniqueItems", Value::Bool(false)) => None,
        ("required", Value::Array(a)) if a.is_empty() => None,
        ("required" | "enum", Value::Array(a)) => {
            let mut a = a.clone();
            a.sort_by_key(|v| v.to_string());
            Some(Value::Array(a))
        }
        _ => Some(v.clone()),
    }
}

struct Compare<'a> {
    spec: &'a Value,
    out: Comparison,
    /// Differences by (fact, spec, vendor): the same difference in several files is one.
    seen: BTreeMap<(String, String, String), usize>,
    /// (vendor file, definition, spec component) pairs already compared.
    pairs_done: HashSet<(String, String, String)>,
    /// Which spec component each vendor definition was paired with.
    pairs: BTreeMap<String, String>,
    /// Spec nodes compared (where an `x-vendor` is meaningful).
    visited: BTreeSet<String>,
}

/// Where a fact is: the spec's subject, the vendor's, the file.
#[derive(Clone)]
struct At<'s> {
    subject: String,
    vendor_subject: String,
    file: &'s str,
}

impl<'s> At<'s> {
    fn child(&self, spec_suffix: &str, vendor_suffix: &str) -> At<'s> {
        At {
            subject: format!("{}{spec_suffix}", self.subject),
            vendor_subject: format!("{}{vendor_suffix}", self.vendor_subject),
            file: self.file,
        }
    }
}

impl<'a> Compare<'a> {
    fn new(spec: &'a Value) -> Self {
        Compare {
            spec,
            out: Comparison::default(),
            seen: BTreeMap::new(),
            pairs_done: HashSet::new(),
            pairs: BTreeMap::new(),
            visited: BTreeSet::new(),
        }
    }

    /// Records one fact. `nodes` are the spec nodes that may hold (and adopt) it.
    fn fact(
        &mut self,
        at: &At,
        constraint: &str,
        spec: Option<Value>,
        vendor: Option<Value>,
        nodes: &[(String, &Value)],
    ) {
        if spec.is_none() && vendor.is_none() {
            return;
        }
        let fact = format!("{} {constraint}", at.subject);
        self.out.facts.insert(fact.clone());
        let adopted = nodes.iter().any(|(_, n)| lists(n, constraint));
        if spec == vendor {
            if adopted {
                self.out.adopted.insert(fact);
            }
            return;
        }
        // The node that states it, else the one that would: the referencing node, unless it
        // is a bare `$ref` (then the component).
        let pointer = nodes
            .iter()
            .find(|(_, n)| n.get(constraint).is_some())
            .or_else(|| match nodes {
                [(_, first), .., last]
                    if first
                        .as_object()
                        .is_some_and(|o| o.len() == 1 && o.contains_key("$ref")) =>
                {
                    Some(last)
                }
                _ => nodes.first(),
            })
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        let key = (
            format!("{} {constraint}", at.subject),
            show(spec.as_ref()),
            show(vendor.as_ref()),
        );
        if let Some(&i) = self.seen.get(&key) {
            self.out.differences[i].files.insert(at.file.to_string());
            return;
        }
        self.seen.insert(key, self.out.differences.len());
        self.out.differences.push(Difference {
            subject: at.subject.clone(),
            constraint: constraint.to_string(),
            spec,
            vendor,
            files: BTreeSet::from([at.file.to_string()]),
            vendor_subject: at.vendor_subject.clone(),
            pointer,
            adopted,
        });
    }

    fn visit(&mut self, nodes: &[(String, &Value)]) {
        for (ptr, node) in nodes {
            if !self.visited.insert(ptr.clone()) {
                continue;
            }
            for k in node
                .get("x-vendor")
                .map(|v| v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]))
                .unwrap_or_default()
            {
                match k.as_str() {
                    Some(k) if node.get(k).is_some() => {}
                    Some(k) => self.out.problems.push((
                        ptr.clone(),
                        format!("x-vendor lists `{k}`, which this object does not have"),
                    )),
                    None => self.out.problems.push((
                        format!("{ptr}/x-vendor"),
                        "x-vendor must be a list of the keywords adopted from the vendor definition".into(),
                    )),
                }
            }
        }
    }

    /// Compares two schemas; `at` names the spec side's place.
    #[allow(clippy::too_many_arguments)]
    fn schema<'v>(
        &mut self,
        at: &At,
        spec_ptr: &str,
        spec: &'v Value,
        vdoc: &'v VendorDoc,
        vendor_ptr: &str,
        vendor: &'v Value,
        depth: usize,
    ) where
        'a: 'v,
    {
        let root: &'v Value = self.spec;
        let s = spec_view(root, spec_ptr, spec);
        let v = vendor_view(&vdoc.root, vendor_ptr, vendor);
        let mut at = at.clone();
        if let (Some(sn), Some(vn)) = (s.name, v.name) {
            self.fact(
                &At {
                    subject: sn.to_string(),
                    vendor_subject: vn.to_string(),
                    file: at.file,
                },
                "name",
                Some(json!(sn)),
                Some(json!(vn)),
                &s.nodes[1..],
            );
            self.pairs
                .entry(vn.to_string())
                .or_insert_with(|| sn.to_string());
            if !self
                .pairs_done
                .insert((vdoc.file.clone(), vn.to_string(), sn.to_string()))
            {
                return;
            }
            at = At {
                subject: sn.to_string(),
                vendor_subject: vn.to_string(),
                file: at.file,
            };
        }
        if depth > 64 {
            return;
        }
        self.visit(&s.nodes);
        for k in constraints() {
            self.fact(
                &at,
                k,
                normalized(k, s.get(k)),
                normalized(k, v.get(k)),
                &s.nodes,
            );
        }
        // Properties.
        let sp = properties(&s);
        let vp = properties(&v);
        let names: BTreeSet<&String> = sp.iter().chain(vp.iter()).map(|(n, _, _)| n).collect();
        for name in names {
            let child = at.child(&format!(".{name}"), &format!(".{name}"));
            let ss = sp.iter().find(|(n, _, _)| n == name);
            let vs = vp.iter().find(|(n, _, _)| n == name);
            match (ss, vs) {
                (Some((_, sptr, sv)), Some((_, vptr, vv))) => {
                    self.schema(&child, sptr, sv, vdoc, vptr, vv, depth + 1)
                }
                (ss, vs) => {
                    let nodes: Vec<(String, &Value)> = match ss {
                        Some((_, p, n)) => vec![(p.clone(), *n)],
                        None => s.nodes.clone(),
                    };
                    self.fact(
                        &child,
                        "declared",
                        Some(json!(ss.is_some())),
                        Some(json!(vs.is_some())),
                        &nodes,
                    );
                }
            }
        }
        // Items and additional properties.
        for (key, suffix) in [("items", "[]"), ("additionalProperties", "{*}")] {
            let si = s
                .nodes
                .iter()
                .rev()
                .find_map(|(p, n)| n.get(key).map(|v| (format!("{p}/{key}"), v)));
            let vi = v
                .nodes
                .iter()
                .rev()
                .find_map(|(p, n)| n.get(key).map(|v| (format!("{p}/{key}"), v)));
            match (si, vi) {
                (Some((sptr, sv)), Some((vptr, vv))) if sv.is_object() && vv.is_object() => self
                    .schema(
                        &at.child(suffix, suffix),
                        &sptr,
                        sv,
                        vdoc,
                        &vptr,
                        vv,
                        depth + 1,
                    ),
                (None, None) => {}
                (si, vi) => self.fact(
                    &at,
                    key,
                    si.map(|(_, v)| {
                        if v.is_object() {
                            json!("schema")
                        } else {
                            v.clone()
                        }
                    }),
                    vi.map(|(_, v)| {
                        if v.is_object() {
                            json!("schema")
                        } else {
                            v.clone()
                        }
                    }),
                    &s.nodes,
                ),
            }
        }
    }

    fn operation(
        &mut self,
        vdoc: &'a VendorDoc,
        (path, item): (&str, &'a Value),
        (vptr, method, vop): (&str, &str, &'a Value),
    ) {
        let id = vop
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let label = if id.is_empty() {
            format!("{} {path}", method.to_uppercase())
        } else {
            id.clone()
        };
        let at = At {
            subject: label.clone(),
            vendor_subject: label.clone(),
            file: &vdoc.file,
        };
        let ops = operations(self.spec);
        let found = ops
            .iter()
            .find(|(_, _, _, op)| {
                !id.is_empty() && op.get("operationId").and_then(Value::as_str) == Some(&id)
            })
            .or_else(|| ops.iter().find(|(_, m, p, _)| *m == method && p == path));
        let Some((sptr, smethod, spath, sop)) = found else {
            self.fact(&at, "declared", Some(json!(false)), Some(json!(true)), &[]);
            return;
        };
        let (sptr, spath, sop) = (sptr.clone(), spath.clone(), *sop);
        let onodes = vec![(sptr.clone(), sop)];
        self.visit(&onodes);
        self.fact(
            &at,
            "method",
            Some(json!(smethod)),
            Some(json!(method)),
            &onodes,
        );
        self.fact(&at, "path", Some(json!(spath)), Some(json!(path)), &onodes);
        self.fact(
            &at,
            "operationId",
            sop.get("operationId").cloned(),
            vop.get("operationId").cloned(),
            &onodes,
        );
        // API gateway facts (rate-limit group, ...).
        let gateway: BTreeSet<&String> = vop
            .as_object()
            .into_iter()
            .flatten()
            .chain(sop.as_object().into_iter().flatten())
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("x-apigateway-"))
            .collect();
        for k in gateway {
            self.fact(&at, k, sop.get(k).cloned(), vop.get(k).cloned(), &onodes);
        }
        // The example request.
        let vreq: Vec<Value> = vop
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.starts_with("x-request-examples-url-"))
            .map(|(_, v)| v.clone())
            .collect();
        // The page's example request, or the vendor's as `cargo xtask import` keeps it.
        let sreq: Vec<Value> = match sop
            .get("x-page-example-request")
            .or_else(|| sop.get("x-vendor-example-request"))
        {
            Some(Value::Array(a)) => a.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        self.fact(&at, "example request", list(sreq), list(vreq), &onodes);
        self.parameters(&at, vdoc, (path, item, method, vop), (&sptr, &spath, sop));
        self.responses(&at, vdoc, (vptr, vop), (&sptr, sop));
    }

    fn parameters(
        &mut self,
        at: &At,
        vdoc: &'a VendorDoc,
        (vpath, vitem, method, vop): (&str, &'a Value, &str, &'a Value),
        (sptr, spath, sop): (&str, &str, &'a Value),
    ) {
        let sparams = parameters(self.spec, spath, sptr, sop);
        let item_ptr = format!("/paths/{}", escape_pointer(vpath));
        let vparams: Vec<(String, &Value)> = declared_parameters(&item_ptr, vitem)
            .into_iter()
            .chain(declared_parameters(&format!("{item_ptr}/{method}"), vop))
            .map(|(p, v)| (p, resolve(&vdoc.root, v)))
            .collect();
        let same_name = |p: &Value, name: &str, location: &str| {
            let n = p.get("name").and_then(Value::as_str).unwrap_or("");
            if location == "header" {
                n.eq_ignore_ascii_case(name)
            } else {
                n == name
            }
        };
        let mut matched: HashSet<String> = HashSet::new();
        for (vp_ptr, vp) in &vparams {
            let name = vp.get("name").and_then(Value::as_str).unwrap_or("");
            let location = vp.get("in").and_then(Value::as_str).unwrap_or("");
            let pat = at.child(&format!(" parameter {name}"), &format!(" parameter {name}"));
            if location == "body" {
                let pat = at.child(" request body", " request body");
                let body = sop.get("requestBody").map(|b| resolve(self.spec, b));
                let nodes: Vec<(String, &Value)> = body
                    .map(|b| (format!("{sptr}/requestBody"), b))
                    .into_iter()
                    .collect();
                self.fact(
                    &pat,
                    "declared",
                    Some(json!(body.is_some())),
                    Some(json!(true)),
                    &nodes,
                );
                if let Some(b) = body {
                    self.fact(
                        &pat,
                        "required",
                        Some(b.get("required").cloned().unwrap_or(json!(false))),
                        Some(vp.get("required").cloned().unwrap_or(json!(false))),
                        &nodes,
                    );
                    let media = media(&format!("{sptr}/requestBody"), b);
                    if let (Some((mptr, _, m)), Some(vs)) = (media.first(), vp.get("schema"))
                        && let Some(ss) = m.get("schema")
                    {
                        self.schema(
                            &pat,
                            &format!("{mptr}/schema"),
                            ss,
                            vdoc,
                            &format!("{vp_ptr}/schema"),
                            vs,
                            0,
                        );
                    }
                }
                continue;
            }
            let found = sparams
                .iter()
                .find(|(_, p)| {
                    same_name(p, name, location)
                        && p.get("in").and_then(Value::as_str) == Some(location)
                })
                .or_else(|| sparams.iter().find(|(_, p)| same_name(p, name, location)));
            if let Some((pptr, p)) = found {
                matched.insert(pptr.clone());
                let nodes = vec![(pptr.clone(), *p)];
                self.visit(&nodes);
                self.fact(
                    &pat,
                    "in",
                    p.get("in").cloned(),
                    vp.get("in").cloned(),
                    &nodes,
                );
                self.fact(
                    &pat,
                    "required",
                    Some(p.get("required").cloned().unwrap_or(json!(false))),
                    Some(vp.get("required").cloned().unwrap_or(json!(false))),
                    &nodes,
                );
                let vschema = param_schema(vp);
                match p.get("schema") {
                    Some(ss) => self.schema(
                        &pat,
                        &format!("{pptr}/schema"),
                        ss,
                        vdoc,
                        vp_ptr,
                        &vschema,
                        0,
                    ),
                    None => self.fact(&pat, "schema", None, Some(json!("schema")), &nodes),
                }
                continue;
            }
            if location == "header"
                && let Some((scheme_ptr, scheme, required)) = self.security_scheme(sop, name)
            {
                let nodes = vec![(scheme_ptr, scheme)];
                self.visit(&nodes);
                self.fact(
                    &pat,
                    "in",
                    scheme.get("in").cloned(),
                    vp.get("in").cloned(),
                    &nodes,
                );
                self.fact(
                    &pat,
                    "required",
                    Some(json!(required)),
                    Some(vp.get("required").cloned().unwrap_or(json!(false))),
                    &nodes,
                );
                // An apiKey scheme's value is a string, with no other constraint.
                let vschema = param_schema(vp);
                for k in constraints().filter(|k| *k != "required") {
                    let sv = (k == "type").then(|| json!("string"));
                    self.fact(&pat, k, sv, normalized(k, vschema.get(k)), &nodes);
                }
                continue;
            }
            self.fact(&pat, "declared", Some(json!(false)), Some(json!(true)), &[]);
        }
        for (pptr, p) in &sparams {
            if matched.contains(pptr) {
                continue;
            }
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let pat = at.child(&format!(" parameter {name}"), &format!(" parameter {name}"));
            self.fact(
                &pat,
                "declared",
                Some(json!(true)),
                Some(json!(false)),
                &[(pptr.clone(), *p)],
            );
        }
    }

    /// The apiKey security scheme of the operation that sends header `name`:
    /// (pointer, scheme, whether every alternative requires it).
    fn security_scheme(&self, sop: &'a Value, name: &str) -> Option<(String, &'a Value, bool)> {
        let security = sop
            .get("security")
            .or_else(|| self.spec.get("security"))?
            .as_array()?;
        let schemes = self
            .spec
            .pointer("/components/securitySchemes")?
            .as_object()?;
        let (sname, scheme) = schemes.iter().find(|(n, s)| {
            s.get("type").and_then(Value::as_str) == Some("apiKey")
                && s.get("in").and_then(Value::as_str) == Some("header")
                && s.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|h| h.eq_ignore_ascii_case(name))
                && security.iter().any(|alt| alt.get(n.as_str()).is_some())
        })?;
        let required = security.iter().all(|alt| alt.get(sname.as_str()).is_some());
        Some((
            format!("/components/securitySchemes/{}", escape_pointer(sname)),
            scheme,
            required,
        ))
    }

    fn responses(
        &mut self,
        at: &At,
        vdoc: &'a VendorDoc,
        (vptr, vop): (&str, &'a Value),
        (sptr, sop): (&str, &'a Value),
    ) {
        let sresp = responses(self.spec, sptr, sop);
        let vresp = responses(&vdoc.root, vptr, vop);
        let statuses: BTreeSet<&String> =
            sresp.iter().chain(vresp.iter()).map(|r| r.status).collect();
        let onodes = vec![(sptr.to_string(), sop)];
        // Media types: the spec's responses' content vs `produces`.
        if let Some(produces) = vop.get("produces").or_else(|| vdoc.root.get("produces")) {
            let smedia: BTreeSet<&String> = sresp
                .iter()
                .flat_map(|r| media(&r.ptr, r.body))
                .map(|(_, m, _)| m)
                .collect();
            let vmedia: BTreeSet<&str> = produces
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            self.fact(
                at,
                "produces",
                list(smedia.into_iter().map(|m| json!(m)).collect()),
                list(vmedia.into_iter().map(Value::from).collect()),
                &onodes,
            );
        }
        for status in statuses {
            let rat = at.child(
                &format!(" response {status}"),
                &format!(" response {status}"),
            );
            let sr = sresp.iter().find(|r| r.status == status);
            let vr = vresp.iter().find(|r| r.status == status);
            let (Some(sr), Some(vr)) = (sr, vr) else {
                self.fact(
                    &rat,
                    "declared",
                    Some(json!(sr.is_some())),
                    Some(json!(vr.is_some())),
                    &onodes,
                );
                continue;
            };
            let rnodes = vec![(sr.ptr.clone(), sr.body)];
            self.visit(&rnodes);
            let smedia = media(&sr.ptr, sr.body);
            let json_media = smedia
                .iter()
                .find(|(_, m, _)| m.as_str() == "application/json")
                .or(smedia.first());
            let sschema = json_media
                .and_then(|(p, _, m)| m.get("schema").map(|s| (format!("{p}/schema"), s)));
            match (sschema, vr.body.get("schema")) {
                (Some((sp, ss)), Some(vs)) => {
                    self.schema(&rat, &sp, ss, vdoc, &format!("{}/schema", vr.ptr), vs, 0)
                }
                (None, None) => {}
                (ss, vs) => self.fact(
                    &rat,
                    "schema",
                    ss.map(|_| json!("schema")),
                    vs.map(|_| json!("schema")),
                    &rnodes,
                ),
            }
            // Examples: each of the vendor's must be one of the spec's (its examples, or the
            // page's verbatim one).
            let mut candidates: Vec<(String, Value)> = smedia
                .iter()
                .flat_map(|(p, _, m)| examples_of(p, m))
                .map(|(ptr, v)| {
                    let name = ptr
                        .trim_end_matches("/value")
                        .rsplit('/')
                        .next()
                        .unwrap_or("");
                    (name.replace("~1", "/").replace("~0", "~"), v.clone())
                })
                .collect();
            if let Some(v) = page_example(sr.body).and_then(|e| e.get("value")) {
                candidates.push(("x-page-example".into(), v.clone()));
            }
            // Examples `cargo xtask import` kept verbatim because their schema rejects them.
            for (_, _, m) in &smedia {
                for (name, e) in m
                    .get("x-vendor-examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = e.get("value") {
                        candidates.push((format!("x-vendor-examples/{name}"), v.clone()));
                    }
                }
            }
            for (_, ve) in vr
                .body
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let spec_value = match candidates.iter().find(|(_, c)| c == ve) {
                    Some((_, c)) => c.clone(),
                    None => Value::Object(candidates.iter().cloned().collect()),
                };
                self.fact(&rat, "example", Some(spec_value), Some(ve.clone()), &rnodes);
            }
        }
    }

    /// A vendor operation the spec does not have: the schemas of its responses that the spec
    /// has (paired through the operations it does have, or by name) are still compared.
    fn shared_schemas(&mut self, vdoc: &'a VendorDoc, vptr: &str, vop: &'a Value) {
        let id = vop.get("operationId").and_then(Value::as_str).unwrap_or("");
        for r in responses(&vdoc.root, vptr, vop) {
            let Some(vs) = r.body.get("schema") else {
                continue;
            };
            let Some(def) = vs
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|d| d.strip_prefix("#/definitions/"))
            else {
                continue;
            };
            let at = At {
                subject: format!("{id} response {}", r.status),
                vendor_subject: format!("{id} response {}", r.status),
                file: &vdoc.file,
            };
            let component = self.pairs.get(def).cloned().or_else(|| {
                self.spec
                    .pointer(&format!("/components/schemas/{}", escape_pointer(def)))
                    .map(|_| def.to_string())
            });
            match component {
                Some(c) => {
                    let sref =
                        json!({"$ref": format!("#/components/schemas/{}", escape_pointer(&c))});
                    self.schema(&at, "", &sref, vdoc, &format!("{}/schema", r.ptr), vs, 0);
                }
                None => self.fact(&at, "schema", None, Some(json!(def)), &[]),
            }
        }
    }
}

/// A non-body Swagger 2.0 parameter's schema: its own keywords but the parameter's.
fn param_schema(p: &Value) -> Value {
    let mut m = p.as_object().cloned().unwrap_or_default();
    for k in [
        "name",
        "in",
        "required",
        "description",
        "allowEmptyValue",
        "collectionFormat",
    ] {
        m.remove(k);
    }
    m.retain(|k, _| !k.starts_with("x-"));
    Value::Object(m)
}

fn list(v: Vec<Value>) -> Option<Value> {
    match v.len() {
        0 => None,
        1 => v.into_iter().next(),
        _ => Some(Value::Array(v)),
    }
}

/// Whether `node`'s `x-vendor` lists `key`.
fn lists(node: &Value, key: &str) -> bool {
    match node.get("x-vendor") {
        Some(Value::Array(a)) => a.iter().any(|k| k == key),
        Some(Value::String(s)) => s == key,
        _ => false,
    }
}

/// Compares the spec with the vendor definitions.
pub fn compare(spec: &Value, vendors: &[VendorDoc]) -> Comparison {
    let mut c = Compare::new(spec);
    let mut absent = Vec::new();
    for vdoc in vendors {
        for (item_ptr, path, item) in path_items(&vdoc.root) {
            for (vptr, method, vop) in item_operations(&item_ptr, item) {
                let id = vop.get("operationId").and_then(Value::as_str);
                let known = operations(spec).iter().any(|(_, m, p, op)| {
                    (id.is_some() && op.get("operationId").and_then(Value::as_str) == id)
                        || (*m == method && p == path)
                });
                c.operation(vdoc, (path, item), (&vptr, method, vop));
                if !known {
                    absent.push((vdoc, vptr, vop));
                }
            }
        }
    }
    for (vdoc, vptr, vop) in absent {
        c.shared_schemas(vdoc, &vptr, vop);
    }
    // An `x-vendor` on an object (operation, parameter, security scheme, schema) that no
    // vendor definition says anything about.
    let places = operations(spec)
        .into_iter()
        .map(|(ptr, _, _, op)| (ptr, op))
        .chain(schema_holders(spec))
        .chain(schemas(spec))
        .chain(
            components(spec, "securitySchemes")
                .into_iter()
                .map(|(ptr, _, s)| (ptr, s)),
        );
    for (ptr, v) in places {
        if v.get("x-vendor").is_some() && !c.visited.contains(&ptr) {
            c.out.problems.push((
                ptr,
                "x-vendor here, but no vendor definition states anything about this object".into(),
            ));
        }
    }
    c.out.differences.sort_by_key(|d| d.fact());
    c.out
}

/// The verdict: which differences are listed, which are not, which entries are stale.
#[derive(Debug, Default)]
pub struct Verdict<'a> {
    pub listed: Vec<(&'a Difference, &'a Deviation)>,
    pub unlisted: Vec<&'a Difference>,
    pub stale: Vec<&'a Deviation>,
}

pub fn judge<'a>(differences: &'a [Difference], deviations: &'a [Deviation]) -> Verdict<'a> {
    let mut v = Verdict::default();
    for d in differences {
        match deviations.iter().find(|e| e.matches(d)) {
            Some(e) => v.listed.push((d, e)),
            None => v.unlisted.push(d),
        }
    }
    v.stale = deviations
        .iter()
        .filter(|e| !differences.iter().any(|d| e.matches(d)))
        .collect();
    v
}

/// The command: success when every difference is adopted or listed; failure when one is
/// neither, an entry is stale or an `x-vendor` is misplaced; usage (exit 2) on bad input.
pub fn run(root: &Path, spec_path: &Path, dir: Option<&Path>) -> Exit {
    let dir: PathBuf = dir.map_or_else(|| root.join(VENDOR_DIR), Path::to_path_buf);
    let rel = |p: &Path| display_path(root, p);
    let spec_name = rel(spec_path);
    let mut spec = match Spec::load(spec_path) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("error: {d}");
            return Exit::Usage;
        }
    };
    spec.file = spec_name.clone();
    let config_path = dir.join(DEVIATIONS);
    let config = match load_config(&config_path, &rel(&config_path)) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("error: {d}");
            return Exit::Usage;
        }
    };
    let mut vendors = Vec::new();
    for f in &config.definitions {
        let path = dir.join(f);
        match load_vendor(&path, &rel(&path)) {
            Ok(v) => vendors.push(VendorDoc {
                file: f.clone(),
                root: v.root,
            }),
            Err(d) => {
                eprintln!("error: {d}");
                return Exit::Usage;
            }
        }
    }
    let comparison = compare(&spec.root, &vendors);
    let verdict = judge(&comparison.differences, &config.deviations);
    let config_name = rel(&config_path);
    for (d, e) in &verdict.listed {
        println!(
            "deviation: {d}\n    follows {}: {}",
            e.follows,
            one_line(&e.reason)
        );
    }
    for d in &verdict.unlisted {
        let what = if d.adopted {
            "adopted from the vendor definition (x-vendor), which now says otherwise; adopt the new value or list it"
        } else {
            "adopt it into the spec (listing the keyword in x-vendor) or list it"
        };
        println!(
            "error: {}: {d}\n    {what} in {config_name}",
            spec.diag(&d.pointer, "").to_string().trim_end_matches(": ")
        );
    }
    for e in &verdict.stale {
        let now: Vec<String> = comparison
            .differences
            .iter()
            .filter(|d| d.fact() == e.fact)
            .map(|d| {
                format!(
                    "spec {}, vendor {}",
                    show(d.spec.as_ref()),
                    show(d.vendor.as_ref())
                )
            })
            .collect();
        println!(
            "error: {}: stale deviation `{}` (spec {}, vendor {}): {}",
            config
                .spec
                .diag(&e.pointer, "")
                .to_string()
                .trim_end_matches(": "),
            e.fact,
            show(e.spec.as_ref()),
            show(e.vendor.as_ref()),
            if now.is_empty() {
                "the spec and the vendor definitions agree on it now; remove the entry".to_string()
            } else {
                format!("they differ otherwise now ({})", now.join("; "))
            }
        );
    }
    for (ptr, m) in &comparison.problems {
        println!("error: {}", spec.diag(ptr, m.as_str()));
    }
    println!(
        "vendor: {spec_name} against {}: {} facts, {} differ ({} listed in {config_name}, {} not), \
         {} agree by adoption (x-vendor){}",
        vendors
            .iter()
            .map(|v| v.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        comparison.facts.len(),
        comparison.differences.len(),
        verdict.listed.len(),
        verdict.unlisted.len(),
        comparison.adopted.len(),
        if verdict.stale.is_empty() {
            String::new()
        } else {
            format!(", {} stale entries", verdict.stale.len())
        }
    );
    Exit::failure_if(
        !verdict.unlisted.is_empty()
            || !verdict.stale.is_empty()
            || !comparison.problems.is_empty(),
    )
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
