//! `cargo xtask import [--spec FILE] [--replace] DEFINITION...`: Huawei's definitions of
//! operations brought into the spec, in the workspace's conventions, for review.
//!
//! A definition is API Explorer's per-operation record as the
//! `huawei-cloud-api-definitions-*` packages ship it, a plain Swagger 2.0 document or an
//! OpenAPI 3.0 document, as JSON or YAML (a directory stands for its `*.json`, `*.yaml` and
//! `*.yml` files). The stages, one module each:
//!
//! 1. [`read`]: what the file is, whether it can be imported (every refusal names the file,
//!    line and column), and where it comes from (the package and version, when the file is
//!    one of the package's byte for byte).
//! 2. [`swagger`]: Swagger 2.0 to OpenAPI 3.0.3, as the reference converter does it.
//! 3. [`conventions`]: the workspace's conventions (JSON media types, client settings, the
//!    security schemes for the token header, examples, provenance marks, contradictions made
//!    consistent and recorded), with [`tags`] for API Explorer's groups.
//! 4. [`merge`]: what is new and what the spec has already, the components' names (the
//!    collision rule), the one error schema, tags and security schemes.
//! 5. [`splice`] and [`yaml`]: the additions written into the spec's text, every other byte
//!    kept; a spec that does not exist is written whole from [`TEMPLATE`] (info, the region
//!    servers, the security schemes).
//!
//! The result is read back and compared with what the plan says it must be before anything
//! is written; the file is replaced atomically (a temporary file renamed over it), and only
//! when every definition could be imported. An operation the spec already has is reported,
//! fact by fact, as `cargo xtask vendor` compares (for Swagger 2.0 and API Explorer input) or
//! as `cargo xtask diff` classifies what `--replace` would change (for OpenAPI 3.0 input),
//! and left alone unless `--replace`.
//!
//! **Why the workspace's own converter.** No maintained Rust crate converts Swagger 2.0 to
//! OpenAPI 3 (the `openapiv3` crate, already a dependency, reads 3.0 only; the converters
//! that exist are swagger2openapi, a Node.js program, and the Java converters of
//! swagger-parser and openapi-generator). Huawei's definitions use a small part of Swagger
//! 2.0 (path, query, header and body parameters, `definitions`, response schemas and
//! examples, `type: file`), which [`swagger`] converts in about 500 lines, while depending on
//! Node or a JVM would make a Rust workspace's `cargo xtask` need another runtime. The tests
//! hold the converter to swagger2openapi's output: committed fixtures always, and the whole
//! corpus when `node` and swagger2openapi are installed.

pub mod conventions;
pub mod merge;
pub mod read;
pub mod splice;
pub mod swagger;
pub mod tags;
pub mod yaml;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::spec::Spec;
use crate::review::vendor::{self, VendorDoc};
use crate::workspace::{Exit, SPEC, display_path};
use merge::{Input, Plan};
use read::{Kind, Refusal};

/// A new spec before anything is imported into it: info, the region servers (those of the
/// product spec, `openapi/taurusdb.yaml`), the security schemes and an empty `paths`.
pub const TEMPLATE: &str = include_str!("new-spec.yaml");

/// `cargo xtask import`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The spec to add the operations to (default: openapi/taurusdb.yaml under the root). It
    /// is created when it does not exist.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Replace an operation the spec already has (same operationId, or same method and path)
    /// instead of reporting how it differs.
    #[arg(long)]
    pub replace: bool,
    /// Definitions: API Explorer's per-operation JSON as the package ships it, Swagger 2.0 or
    /// OpenAPI 3.0 (JSON or YAML); a directory stands for its *.json, *.yaml and *.yml files.
    #[arg(required = true, value_name = "DEFINITION")]
    pub definitions: Vec<PathBuf>,
}

/// What an import did, for the caller (tests) and the summary line.
#[derive(Debug, Default)]
pub struct Outcome {
    pub plan: Plan,
    /// The spec's new text, when something was added.
    pub text: Option<String>,
    /// Whether the spec did not exist and was created.
    pub created: bool,
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// The security schemes and requirement of [`TEMPLATE`], which every spec an import writes
/// into must have.
fn security() -> (Vec<(String, Value)>, Value) {
    let t = Spec::parse("new-spec.yaml", TEMPLATE.as_bytes()).expect("the template parses");
    let schemes = t
        .root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    (schemes, t.root["security"].clone())
}

/// The command.
pub fn run(root: &Path, args: &Args) -> Exit {
    let spec_path = absolute(&args.spec.clone().unwrap_or_else(|| root.join(SPEC)));
    match import(root, &spec_path, &args.definitions, args.replace) {
        Ok(outcome) => {
            let name = display_path(root, &spec_path);
            let Some(text) = outcome.text.as_deref() else {
                println!("import: nothing added to {name}");
                return Exit::Success;
            };
            if let Err(e) = write_atomically(&spec_path, text) {
                eprintln!("error: {name}: {e}; nothing written");
                return Exit::Failure;
            }
            summary(&name, &outcome, text);
            Exit::Success
        }
        Err(exit) => exit,
    }
}

/// Everything but the writing: reads the spec and the definitions, reports, plans and
/// splices. Errors are printed; the `Err` is the exit status.
pub fn import(
    root: &Path,
    spec_path: &Path,
    definitions: &[PathBuf],
    replace: bool,
) -> Result<Outcome, Exit> {
    let spec_name = display_path(root, spec_path);
    let (text, created) = match std::fs::read(spec_path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => (t, false),
            Err(e) => {
                let d = Spec::parse(&spec_name, e.as_bytes()).err();
                eprintln!(
                    "error: {}",
                    d.map_or_else(|| format!("{spec_name}: not UTF-8"), |d| d.to_string())
                );
                return Err(Exit::Usage);
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (TEMPLATE.to_string(), true),
        Err(e) => {
            eprintln!("error: {spec_name}: cannot read the spec: {e}");
            return Err(Exit::Usage);
        }
    };
    let spec = match Spec::parse(&spec_name, text.as_bytes()) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("error: {d}");
            return Err(Exit::Usage);
        }
    };
    if let Some(d) = spec.check_version().into_iter().next() {
        eprintln!("error: {d}");
        return Err(Exit::Usage);
    }
    // The definitions: every one read before anything else, so that all refusals are seen.
    let mut files = Vec::new();
    for d in definitions {
        let found = read::expand(d);
        if found.is_empty() {
            eprintln!(
                "error: {}: a directory with no definition (*.json, *.yaml, *.yml)",
                display_path(root, d)
            );
            return Err(Exit::Usage);
        }
        files.extend(found);
    }
    let mut defs = Vec::new();
    let mut refused = Exit::Success;
    for f in &files {
        match read::load(root, f) {
            Ok(d) => defs.push(d),
            Err(r) => {
                eprintln!("error: {}", r.diagnostic());
                refused = refused.and(match r {
                    Refusal::Usage(_) => Exit::Usage,
                    Refusal::Bad(_) => Exit::Failure,
                });
            }
        }
    }
    if refused != Exit::Success {
        eprintln!(
            "import: nothing written: {} of {} definitions refused",
            files.len() - defs.len(),
            files.len()
        );
        return Err(refused);
    }
    let inputs: Vec<Input> = defs
        .into_iter()
        .map(|def| {
            let imported = conventions::apply(&def);
            Input { def, imported }
        })
        .collect();
    let (schemes, requirement) = security();
    let mut plan = match merge::plan(&spec.root, &inputs, replace, &schemes, &requirement) {
        Ok(p) => p,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!("import: nothing written");
            return Err(Exit::Failure);
        }
    };
    for a in &mut plan.added {
        swagger::strip_sources(&mut a.value);
    }
    for (_, v) in &mut plan.schemas {
        swagger::strip_sources(v);
    }
    // What the reviewer should know, of the definitions that add something.
    for (i, input) in inputs.iter().enumerate() {
        if !plan.added.iter().any(|a| a.input == i) {
            continue;
        }
        if let Some(n) = &input.def.provenance.note {
            println!("note: {}: {n}", input.def.file);
        }
        for n in &input.imported.notes {
            println!("note: {n}");
        }
    }
    for n in &plan.notes {
        println!("note: {n}");
    }
    for n in unused_after_replacing(&spec.root, &plan) {
        println!("note: {n}");
    }
    report_existing(root, &spec, &inputs, &plan, &schemes, &requirement);
    if plan.added.is_empty() {
        return Ok(Outcome {
            plan,
            text: None,
            created,
        });
    }
    let new_text = match splice::splice(&text, &spec, &plan) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("error: {d}");
            eprintln!("import: nothing written");
            return Err(Exit::Failure);
        }
    };
    // The text must read as the plan says, before anything is written.
    let expected = merge::apply(&spec.root, &plan);
    let reread = Spec::parse(&spec_name, new_text.as_bytes());
    let problem = match &reread {
        Err(d) => Some(format!("it does not parse: {d}")),
        Ok(s) if s.root != expected => Some(format!(
            "it reads differently from the plan at `{}`",
            first_difference(&s.root, &expected, String::new()).unwrap_or_default()
        )),
        Ok(_) => None,
    };
    if let Some(p) = problem {
        eprintln!(
            "error: {spec_name}: internal error: the spliced spec is not what the import planned ({p}); nothing written"
        );
        return Err(Exit::Failure);
    }
    Ok(Outcome {
        plan,
        text: Some(new_text),
        created,
    })
}

/// The first JSON pointer at which two documents differ.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = format!("{at}/{}", crate::model::spec::escape_pointer(k));
                match y.get(k) {
                    None => return Some(here),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, here) {
                            return Some(d);
                        }
                    }
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}/{}", crate::model::spec::escape_pointer(k)))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, format!("{at}/{i}"))),
        _ => (a != b).then_some(at),
    }
}

/// The operations the spec has already: each is compared with its definition and left
/// alone.
fn report_existing(
    root: &Path,
    spec: &Spec,
    inputs: &[Input],
    plan: &Plan,
    schemes: &[(String, Value)],
    requirement: &Value,
) {
    let deviations = vendor::load_config(
        &root.join(vendor::VENDOR_DIR).join(vendor::DEVIATIONS),
        &format!("{}/{}", vendor::VENDOR_DIR, vendor::DEVIATIONS),
    )
    .map(|c| c.deviations)
    .unwrap_or_default();
    let mut reported = Vec::new();
    for e in &plan.existing {
        let input = &inputs[e.input];
        let at = spec
            .pos(&e.spec_ptr)
            .map(|p| format!("{}:{}:{}", spec.file, p.line, p.col))
            .unwrap_or_else(|| spec.file.clone());
        println!(
            "exists: {at}: {} ({} {}) is already in the spec{}; left alone (--replace replaces it with {})",
            e.op.id,
            e.op.method.to_uppercase(),
            e.op.path,
            match &e.spec_id {
                Some(id) if *id != e.op.id => format!(" as {id}"),
                _ => String::new(),
            },
            input.def.file
        );
        if reported.contains(&e.input) {
            continue;
        }
        reported.push(e.input);
        match input.def.kind {
            Kind::ApiExplorer | Kind::Swagger2 => {
                let doc = VendorDoc {
                    file: input.def.file.clone(),
                    root: input.def.spec.root.clone(),
                };
                let comparison = vendor::compare(&spec.root, std::slice::from_ref(&doc));
                let verdict = vendor::judge(&comparison.differences, &deviations);
                println!(
                    "    {} facts compared, as `cargo xtask vendor` compares them: {} differ ({} listed in {}/{})",
                    comparison.facts.len(),
                    comparison.differences.len(),
                    verdict.listed.len(),
                    vendor::VENDOR_DIR,
                    vendor::DEVIATIONS
                );
                for d in &verdict.unlisted {
                    println!(
                        "    {}: {d}",
                        spec.diag(&d.pointer, "").to_string().trim_end_matches(": ")
                    );
                }
                for (d, dev) in &verdict.listed {
                    println!(
                        "    listed (follows {}): {}: spec {}, vendor {}",
                        dev.follows,
                        d.fact(),
                        vendor::show(d.spec.as_ref()),
                        vendor::show(d.vendor.as_ref())
                    );
                }
            }
            Kind::OpenApi3 => {
                let one = [Input {
                    def: input.def.clone(),
                    imported: input.imported.clone(),
                }];
                match merge::plan(&spec.root, &one, true, schemes, requirement) {
                    Ok(mut p) => {
                        for a in &mut p.added {
                            swagger::strip_sources(&mut a.value);
                        }
                        let replaced = merge::apply(&spec.root, &p);
                        let changes = crate::review::diff::diff(&spec.root, &replaced);
                        println!(
                            "    --replace would make {} changes, as `cargo xtask diff` classifies them:",
                            changes.len()
                        );
                        for c in &changes {
                            println!("    {}: {}", c.class, c.message);
                        }
                    }
                    Err(problems) => {
                        for p in problems {
                            println!("    {p}");
                        }
                    }
                }
            }
        }
    }
}

/// The spec's components that only replaced operations used: import leaves hand-written
/// components alone, and says which no longer serve anything.
fn unused_after_replacing(spec: &Value, plan: &Plan) -> Vec<String> {
    if !plan.added.iter().any(|a| a.replaces.is_some()) {
        return Vec::new();
    }
    let used = |root: &Value| -> std::collections::BTreeSet<String> {
        crate::model::walk::refs(root)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    };
    let before = used(spec);
    let after = used(&merge::apply(spec, plan));
    let mut out = Vec::new();
    for kind in [
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
    ] {
        for (ptr, name, _) in crate::model::walk::components(spec, kind) {
            let target = format!("#{ptr}");
            if before.contains(&target) && !after.contains(&target) {
                out.push(format!(
                    "component `{name}` ({kind}) served only the replaced operations and is no longer used; import leaves it, remove it if nothing else needs it"
                ));
            }
        }
    }
    out
}

/// Writes `text` to `path` through a temporary file in the same directory.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".xtask-import-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The closing lines: what was written, and what `cargo xtask lint` says of it.
fn summary(name: &str, outcome: &Outcome, text: &str) {
    let plan = &outcome.plan;
    let replaced = plan.added.iter().filter(|a| a.replaces.is_some()).count();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let recorded: usize = plan
        .added
        .iter()
        .map(|a| &a.value)
        .chain(plan.schemas.iter().map(|(_, v)| v))
        .map(count_discrepancies)
        .sum();
    println!(
        "import: {} {name}: {} ({} replaced), {}, {}{}; {} recorded (x-discrepancies); {} left alone",
        if outcome.created { "created" } else { "wrote" },
        plural(plan.added.len(), "operation"),
        replaced,
        plural(plan.schemas.len(), "schema"),
        plural(plan.tags.len(), "tag"),
        if plan.schemes.is_empty() {
            String::new()
        } else {
            format!(", {}", plural(plan.schemes.len(), "security scheme"))
        },
        plural(recorded, "contradiction"),
        plural(plan.existing.len(), "existing operation"),
    );
    if let Ok(spec) = Spec::parse(name, text.as_bytes()) {
        let findings = crate::review::lint::lint(&spec);
        let errors = findings
            .iter()
            .filter(|f| f.severity == crate::review::lint::Severity::Error)
            .count();
        println!(
            "import: cargo xtask lint {name}: {}, {} (run it for the list)",
            plural(errors, "error"),
            plural(findings.len() - errors, "warning")
        );
    }
}

/// How many contradictions `v` records (`x-discrepancies` entries).
pub fn count_discrepancies(v: &Value) -> usize {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, c)| match (k.as_str(), c) {
                ("x-discrepancies", Value::Array(a)) => a.len(),
                ("example" | "examples" | "x-vendor-example" | "x-vendor-examples", _) => 0,
                _ => count_discrepancies(c),
            })
            .sum(),
        Value::Array(a) => a.iter().map(count_discrepancies).sum(),
        _ => 0,
    }
}
