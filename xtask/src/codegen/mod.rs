//! `cargo xtask gen [--check]`: the spec, through progenitor, to the client's generated source.
//!
//! The pipeline, all in memory until every output is complete:
//!
//! 1. load and check the spec ([`crate::model::spec`]);
//! 2. apply the tolerant-reader transform to response schemas ([`crate::codegen::tolerant`]);
//! 3. run progenitor (builder interface, `schemars::JsonSchema` derived, hooks expected),
//!    with every `x-open-enum` component replaced by an open enum type;
//! 4. post-process the syntax tree ([`crate::codegen::postprocess`]): define the open enums, add the
//!    `x-aliases` serde aliases, route path encoding through the client's own encoder;
//! 5. format with prettyplease and add the generated-file header.
//!
//! Then either write each output atomically (only if it changed) or, with `--check`, compare.

pub mod deserialize;
pub mod features;
pub mod hints;
pub mod normalize;
pub mod operations;
pub mod panic;
pub mod postprocess;
pub mod tolerant;

use std::fmt::Write as _;
use std::path::Path;

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use self::postprocess::{Alias, OpenEnum, Server};
use crate::model::spec::{Diagnostic, Spec};
use crate::model::walk;
use crate::workspace::{Command, Exit, display_path, ensure};

pub use crate::workspace::{Output, SPEC, stale, workspace_root};

/// The client's generated module, relative to the workspace root.
pub const CLIENT: &str = "crates/taurusdb/src/generated.rs";
/// The mock helpers' generated module, relative to the workspace root.
pub const HTTPMOCK: &str = "crates/taurusdb-httpmock/src/generated.rs";
/// The command-line tool's generated module, relative to the workspace root.
pub const CLI: &str = "crates/taurusdb-cli/src/generated.rs";

/// Generates every output from `spec`, in memory. `spec_name` is how the header names it.
///
/// Each output is rendered as soon as it is complete and its syntax tree dropped before the
/// next progenitor pass, so that the peak memory is one pass's, not three's. With
/// `XTASK_GEN_TIMINGS=1` in the environment, the time of each phase goes to stderr.
pub fn generate(spec: &Spec, spec_name: &str) -> Result<Vec<Output>, Diagnostic> {
    let mut laps = Laps::from_env();
    operation_count(spec)?;
    crate::model::checks::generation(spec)?;
    let spec = normalize::canonical(spec);
    let spec = &spec;
    crate::model::checks::canonical(spec)?;
    let mut ops = operations::operations(spec)?;
    let error_bodies = operations::error_bodies(spec)?;
    let aliases = aliases(spec)?;
    let servers = servers(spec)?;
    laps.lap("checks and the operation table");

    let mut relaxed = spec.root.clone();
    normalize::for_progenitor(&mut relaxed);
    tolerant::apply(&mut relaxed);
    let open_enums = open_enums(spec, &relaxed)?;
    let api =
        crate::model::spec::to_openapi(&relaxed).map_err(|(ptr, msg)| spec.diag(&ptr, msg))?;
    let progenitor = Progenitor::new(spec, &api, &relaxed, &open_enums);
    laps.lap("tolerant transform, openapiv3 document");

    let tags = features::tag_features(spec)?;
    for op in &mut ops {
        op.feature = tags.of.get(&op.id).cloned();
    }
    let mut client = progenitor.run("client", &mut laps, |g, api| g.generate_tokens(api))?;
    postprocess::client(&mut client, &open_enums, &aliases, &servers)
        .map_err(|m| spec.diag("/components/schemas", m))?;
    let builders =
        operations::rename_raw_builders(&mut client, &ops).map_err(|m| spec.diag("/paths", m))?;
    let names: Vec<(String, String)> = builders
        .iter()
        .map(|(b, raw)| (b.to_string(), raw.to_string()))
        .collect();
    let gated: Vec<features::Gated<'_>> = names
        .iter()
        .zip(&ops)
        .map(|((builder, raw), op)| features::Gated {
            builder,
            raw,
            feature: op.feature.as_deref(),
        })
        .collect();
    let reach = features::gate_client(&mut client, &gated, &tags.all);
    laps.lap("post-processing: client types, features");
    // What the entry points read of the types (success bodies' fields), then the `types`
    // module (the largest part of the client) is complete: rendered here and its tree
    // dropped, before the entry points add theirs.
    let fields = postprocess::type_fields(&mut client);
    let done = finished_prefix(&mut client);
    let mut client_text = unparse_items(done);
    laps.lap("prettyplease: client types");
    let spec_json = serde_json::to_string(&spec.root)
        .map_err(|e| spec.diag("", format!("the spec cannot be embedded as JSON: {e}")))?;
    let conformance_json = operations::conformance_document(spec).to_string();
    operations::client(
        &mut client,
        &mut ops,
        &operations::Layout {
            builders: &builders,
            reach: &reach,
            types: &fields,
        },
        &error_bodies,
        &spec_json,
        &conformance_json,
    )
    .map_err(|m| spec.diag("/paths", m))?;
    drop((spec_json, conformance_json));
    laps.lap("post-processing: client, entry points, operation table");
    client_text.push_str(&unparse_each(client));
    let client = Output {
        path: CLIENT.to_string(),
        contents: header(spec_name) + &client_text,
    };
    laps.lap("prettyplease: client");

    let mut mock = progenitor.run("httpmock helpers", &mut laps, |g, api| {
        g.httpmock(api, "taurusdb")
    })?;
    mock.items
        .push(postprocess::examples_module(&examples(spec)).map_err(|m| spec.diag("/paths", m))?);
    laps.lap("post-processing: httpmock examples");
    let mock = Output {
        path: HTTPMOCK.to_string(),
        contents: render(mock, spec_name),
    };
    laps.lap("prettyplease: httpmock");

    let mut cli = progenitor.run("CLI", &mut laps, |g, api| g.cli(api, "taurusdb::generated"))?;
    operations::cli(&mut cli, &ops).map_err(|m| spec.diag("/paths", m))?;
    laps.lap("post-processing: CLI dispatch");
    let cli = Output {
        path: CLI.to_string(),
        contents: render(cli, spec_name),
    };
    laps.lap("prettyplease: CLI");
    Ok(vec![client, mock, cli])
}

/// The client's manifest, whose `[features]` hold the tags' features between these markers.
pub const MANIFEST: &str = "crates/taurusdb/Cargo.toml";
const FEATURES_BEGIN: &str =
    "# @generated begin: the tags' features, written by `cargo xtask gen` (do not edit)";
const FEATURES_END: &str = "# @generated end";

/// [`generate`], and the client's manifest with the spec's tag features, when `root` has the
/// client crate (a root without it gets the generated files alone).
pub fn generate_in(root: &Path, spec: &Spec, spec_name: &str) -> Result<Vec<Output>, Diagnostic> {
    let mut outputs = generate(spec, spec_name)?;
    let path = root.join(MANIFEST);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(outputs);
    };
    let tags = features::tag_features(&normalize::canonical(spec))?;
    let region = features::manifest_features(&tags.all);
    let (Some(begin), Some(end)) = (text.find(FEATURES_BEGIN), text.find(FEATURES_END)) else {
        return Err(Diagnostic::new(
            display_path(root, &path),
            None,
            format!(
                "the manifest has no `{FEATURES_BEGIN}` ... `{FEATURES_END}` region in its [features] for the tags' features"
            ),
        ));
    };
    let start = begin + FEATURES_BEGIN.len() + 1;
    let contents = format!("{}{region}{}", &text[..start.min(end)], &text[end..]);
    outputs.push(Output {
        path: MANIFEST.to_string(),
        contents,
    });
    Ok(outputs)
}

/// The most operations `gen` takes. Generation needs about 0.5 MB of memory per operation
/// (505 MB for 1 000, BENCHMARKS.md), all of it inside one progenitor pass, so a larger spec
/// is refused before progenitor starts rather than when the machine runs out of memory. The
/// loader's limits (16 MiB, 2 000 000 nodes) still let through about 100 000 small operations.
pub const MAX_OPERATIONS: usize = 2_000;

fn operation_count(spec: &Spec) -> Result<(), Diagnostic> {
    let n = walk::operations(&spec.root).len();
    if n > MAX_OPERATIONS {
        return Err(spec.diag(
            "/paths",
            format!(
                "the spec has {n} operations; `cargo xtask gen` takes at most {MAX_OPERATIONS} \
                 (generation needs about 0.5 MB of memory per operation). Split the spec, \
                 or raise `MAX_OPERATIONS` in xtask/src/codegen/mod.rs on a machine with the memory"
            ),
        ));
    }
    Ok(())
}

/// Phase timings for `XTASK_GEN_TIMINGS=1` (what BENCHMARKS.md's generation profile shows).
/// Each phase's name starts with what does the work: `progenitor:` (progenitor and typify
/// building their tokens), `syn:` (parsing them), `prettyplease:` (printing), or this
/// workspace's own steps; the `openapi_generator` benchmark adds up the first three.
struct Laps(Option<(std::time::Instant, std::time::Instant)>);

impl Laps {
    fn from_env() -> Self {
        let on = std::env::var_os("XTASK_GEN_TIMINGS").is_some_and(|v| v == "1");
        let now = std::time::Instant::now();
        Laps(on.then_some((now, now)))
    }

    /// Starts the next lap now (the time since the last one was someone else's).
    fn restart(&mut self) {
        if let Some((_, last)) = &mut self.0 {
            *last = std::time::Instant::now();
        }
    }

    fn lap(&mut self, what: impl std::fmt::Display) {
        if let Some((start, last)) = &mut self.0 {
            let now = std::time::Instant::now();
            // Linux: the peak resident set so far (VmHWM), to see which phase sets it.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .map_or(String::new(), |kb| {
                    format!("  peak RSS {:>5} MB", kb / 1024)
                });
            eprintln!(
                "gen: {:>8.1} ms  {:>8.1} ms total{peak}  {what}",
                (now - *last).as_secs_f64() * 1e3,
                (now - *start).as_secs_f64() * 1e3
            );
            *last = now;
        }
    }
}

/// progenitor, set up once for every output: builder interface, `schemars::JsonSchema` and
/// `PartialEq` derived, hooks expected, the client's `Config` as inner type, and each open
/// enum replaced by the client's own type.
struct Progenitor<'a> {
    spec: &'a Spec,
    api: &'a openapiv3::OpenAPI,
    /// The document `api` was made from, for finding what progenitor refuses.
    relaxed: &'a Value,
    settings: GenerationSettings,
}

/// One of progenitor's generators: the client, the httpmock helpers or the CLI.
type Pass<'p> = &'p dyn Fn(
    &mut Generator,
    &openapiv3::OpenAPI,
) -> progenitor_impl::Result<proc_macro2::TokenStream>;

impl<'a> Progenitor<'a> {
    fn new(
        spec: &'a Spec,
        api: &'a openapiv3::OpenAPI,
        relaxed: &'a Value,
        open_enums: &[OpenEnum],
    ) -> Self {
        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_derive("schemars::JsonSchema")
            .with_derive("PartialEq")
            .with_hooks(HooksMode::Expected)
            .with_inner_type(quote!(crate::Config));
        for e in open_enums {
            settings.with_replacement(
                &e.schema,
                format!("crate::types::{}", e.name),
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        }
        Progenitor {
            spec,
            api,
            relaxed,
            settings,
        }
    }

    /// Runs `pass` on `api`: its output, or why it failed (progenitor's error, or the
    /// message of its panic).
    fn attempt(
        &self,
        pass: Pass<'_>,
        api: &openapiv3::OpenAPI,
    ) -> Result<proc_macro2::TokenStream, String> {
        panic::catch(|| pass(&mut Generator::new(&self.settings), api))
            .map_err(|panic| format!("progenitor stopped with `{panic}`"))?
            .map_err(|e| e.to_string())
    }

    /// Where in the document `pass` fails, found by running it on smaller documents (which
    /// progenitor and typify do not say): the first component schema that fails with only
    /// what it references (the smallest such first), else the first operation that fails
    /// alone. The pointer into the spec and what is there.
    fn locate(&self, pass: Pass<'_>) -> Option<(String, String)> {
        let root = self.relaxed;
        let components = root.pointer("/components/schemas");
        let mut closures: Vec<(String, std::collections::BTreeSet<String>)> =
            walk::components(root, "schemas")
                .into_iter()
                .map(|(_, name, schema)| {
                    let mut refs = std::collections::BTreeSet::from([name.clone()]);
                    tolerant::schema_refs(schema, components, &mut refs);
                    (name.clone(), refs)
                })
                .collect();
        closures.sort_by(|a, b| (a.1.len(), &a.0).cmp(&(b.1.len(), &b.0)));
        let mut doc = serde_json::json!({
            "openapi": root.get("openapi").cloned().unwrap_or(Value::Null),
            "info": root.get("info").cloned().unwrap_or(Value::Null),
            "paths": {},
        });
        for (name, refs) in &closures {
            let schemas: serde_json::Map<String, Value> = refs
                .iter()
                .filter_map(|n| Some((n.clone(), components?.get(n)?.clone())))
                .collect();
            doc["components"] = serde_json::json!({ "schemas": schemas });
            let Ok(api) = crate::model::spec::to_openapi(&doc) else {
                continue;
            };
            if self.attempt(pass, &api).is_err() {
                // A schema the tolerant transform made (a request's copy, an inline
                // enumeration) is reported where the spec has the one it came from.
                let origin = name.strip_suffix("Input").filter(|n| {
                    self.spec
                        .root
                        .pointer(&format!(
                            "/components/schemas/{}",
                            crate::model::spec::escape_pointer(n)
                        ))
                        .is_some()
                });
                let shown = origin.unwrap_or(name);
                return Some((
                    format!(
                        "/components/schemas/{}",
                        crate::model::spec::escape_pointer(shown)
                    ),
                    format!("the schema `{shown}`"),
                ));
            }
        }
        for (ptr, method, path, op) in walk::operations(root) {
            let mut doc = root.clone();
            let mut item = root["paths"][&path].clone();
            if let Some(obj) = item.as_object_mut() {
                obj.retain(|k, _| !walk::METHODS.contains(&k.as_str()) || k == method);
            }
            doc["paths"] = serde_json::json!({ path.clone(): item });
            let Ok(api) = crate::model::spec::to_openapi(&doc) else {
                continue;
            };
            if self.attempt(pass, &api).is_err() {
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
                return Some((
                    ptr,
                    format!("the operation `{id}` (`{} {path}`)", method.to_uppercase()),
                ));
            }
        }
        None
    }

    /// Runs one of progenitor's generators (`what` names its output in messages) on a fresh
    /// `Generator`, turning a panic, an error or unparsable output into a diagnostic.
    fn run(
        &self,
        what: &str,
        laps: &mut Laps,
        generate: impl Fn(
            &mut Generator,
            &openapiv3::OpenAPI,
        ) -> progenitor_impl::Result<proc_macro2::TokenStream>,
    ) -> Result<syn::File, Diagnostic> {
        let error = |detail: String| {
            Diagnostic::new(
                &self.spec.file,
                None,
                format!("progenitor cannot generate the {what} from this document: {detail}"),
            )
        };
        let tokens = self.attempt(&generate, self.api).map_err(|detail| {
            let construct = unsupported(&detail)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            match self.locate(&generate) {
                Some((ptr, at)) => self.spec.diag(
                    &ptr,
                    format!(
                        "progenitor cannot generate the {what}: it fails on {at}{construct}: {detail}"
                    ),
                ),
                None => error(format!("{detail}{construct}")),
            }
        })?;
        laps.lap(format_args!("progenitor: {what} (typify, quote)"));
        let mut file =
            parse_items(tokens).map_err(|e| error(format!("its output does not parse: {e}")))?;
        postprocess::raw_keywords(&mut file);
        laps.lap(format_args!("syn: parsing progenitor's {what}"));
        Ok(file)
    }
}

/// What a message of progenitor or typify says is unsupported, in the spec's terms, for the
/// messages that name no construct themselves.
fn unsupported(detail: &str) -> Option<&'static str> {
    const KNOWN: [(&str, &str); 6] = [
        (
            "multiple implied types for an un-typed enum",
            "an `enum` without a `type` whose values have different JSON types",
        ),
        (
            "value does not conform to the given schema",
            "a `default` or `enum` value that the schema itself does not allow",
        ),
        (
            "unexpected value type",
            "an `enum` or `default` value whose JSON type is not the schema's `type`",
        ),
        (
            "missing from path",
            "a path parameter that the path template does not have",
        ),
        (
            "response_types.len() <= 1",
            "error responses with different body schemas",
        ),
        (
            "media type encoding, no schema",
            "a media type with no schema",
        ),
    ];
    KNOWN
        .iter()
        .find(|(message, _)| detail.contains(message))
        .map(|(_, construct)| *construct)
}

/// Parses progenitor's output as a file, one item at a time: `syn::parse2` of the whole
/// stream would first copy every token into one buffer, which for a spec of 1 000
/// operations costs more memory than progenitor itself (see BENCHMARKS.md). Modules are
/// split into their items too. The result is the same tree as `syn::parse2::<syn::File>`.
pub(crate) fn parse_items(tokens: proc_macro2::TokenStream) -> syn::Result<syn::File> {
    use proc_macro2::TokenTree;
    // Inner attributes (`#![...]`) of the file come first.
    let mut tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let rest = tokens.split_off(inner_attributes(&tokens));
    let mut file: syn::File = syn::parse2(tokens.into_iter().collect())?;
    file.items = parse_item_list(rest.into_iter().collect())?;
    Ok(file)
}

/// How many tokens the inner attributes (`#![...]`, three tokens each) at the start take.
fn inner_attributes(tokens: &[proc_macro2::TokenTree]) -> usize {
    use proc_macro2::TokenTree;
    let mut n = 0;
    while matches!(tokens.get(n), Some(TokenTree::Punct(p)) if p.as_char() == '#')
        && matches!(tokens.get(n + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
        && matches!(tokens.get(n + 2), Some(TokenTree::Group(_)))
    {
        n += 3;
    }
    n
}

fn parse_item_list(tokens: proc_macro2::TokenStream) -> syn::Result<Vec<syn::Item>> {
    use proc_macro2::{Delimiter, TokenTree};
    let is_semi = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ';');
    let mut items = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(t) = iter.next() {
        let ends = match &t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                // `const X: T = T { .. };` and `use a::{b, c};` end at the `;` after the braces.
                !iter.peek().is_some_and(is_semi)
            }
            t => is_semi(t),
        };
        current.push(t);
        if ends {
            items.push(parse_item(std::mem::take(&mut current))?);
        }
    }
    if !current.is_empty() {
        items.push(parse_item(current)?);
    }
    Ok(items)
}

/// One item; a module with a body is parsed as its head, then its items one at a time.
fn parse_item(mut tokens: Vec<proc_macro2::TokenTree>) -> syn::Result<syn::Item> {
    use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
    let n = tokens.len();
    let is_mod = n >= 3
        && matches!(&tokens[n - 3], TokenTree::Ident(i) if i == "mod")
        && matches!(&tokens[n - 2], TokenTree::Ident(_))
        && matches!(&tokens[n - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace);
    if !is_mod {
        return syn::parse2(tokens.into_iter().collect());
    }
    let Some(TokenTree::Group(body)) = tokens.pop() else {
        unreachable!("checked above")
    };
    // Inner attributes (`#![...]`) stay with the head. The group is dropped before its
    // stream is taken apart, so that the tokens are moved rather than copied.
    let (stream, span) = (body.stream(), body.span());
    drop(body);
    let mut inner: Vec<TokenTree> = stream.into_iter().collect();
    let rest = inner.split_off(inner_attributes(&inner));
    let mut head = Group::new(Delimiter::Brace, inner.into_iter().collect());
    head.set_span(span);
    tokens.push(TokenTree::Group(head));
    let mut item: syn::ItemMod = syn::parse2(tokens.into_iter().collect())?;
    let items = parse_item_list(rest.into_iter().collect::<TokenStream>())?;
    match &mut item.content {
        Some((_, content)) => content.extend(items),
        None => unreachable!("a module with braces has content"),
    }
    Ok(syn::Item::Mod(item))
}

/// Every example of every response, verbatim ones (`x-page-example`) included:
/// (operation ID, status, example name, summary, value).
fn examples(spec: &Spec) -> Vec<postprocess::Example> {
    let mut out = Vec::new();
    for (ptr, _method, _path, op) in walk::operations(&spec.root) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for r in walk::responses(&spec.root, &ptr, op) {
            let example = |name: &str, summary: &str, ex: &Value| postprocess::Example {
                operation: id.to_string(),
                status: r.status.clone(),
                name: name.to_string(),
                summary: summary.to_string(),
                value: ex.get("value").cloned().unwrap_or(Value::Null),
            };
            if let Some(page) = walk::page_example(r.body) {
                out.push(example(
                    "page-verbatim",
                    "The page's example, verbatim (x-page-example)",
                    page,
                ));
            }
            for (name, ex) in walk::json_examples(r.body) {
                let summary = ex.get("summary").and_then(Value::as_str);
                out.push(example(name, summary.unwrap_or_default(), ex));
            }
        }
    }
    out
}

/// Takes the items of `file` up to and including the `types` module, when no later step
/// looks at them (the entry points read and rename `impl Client` and `mod builder`).
fn finished_prefix(file: &mut syn::File) -> Vec<syn::Item> {
    let is_types = |i: &syn::Item| matches!(i, syn::Item::Mod(m) if m.ident == "types");
    let still_read = |i: &syn::Item| match i {
        syn::Item::Mod(m) => m.ident == "builder",
        syn::Item::Impl(_) => true,
        _ => false,
    };
    match file.items.iter().position(is_types) {
        Some(k) if !file.items[..k].iter().any(still_read) => file.items.drain(..=k).collect(),
        _ => Vec::new(),
    }
}

/// prettyplease's text of some items: as they would print as the start of a file.
fn unparse_items(items: Vec<syn::Item>) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut file: syn::File = syn::parse_quote!();
    file.items = items;
    prettyplease::unparse(&file)
}

/// prettyplease's text of a file (without inner attributes), printed one item at a time,
/// each item's tree dropped once printed: the same text as `prettyplease::unparse`, without
/// the printer's buffers for the whole file.
fn unparse_each(file: syn::File) -> String {
    if !file.attrs.is_empty() {
        return prettyplease::unparse(&file);
    }
    let mut out = String::new();
    for item in file.items {
        out.push_str(&unparse_items(vec![item]));
    }
    out
}

fn render(file: syn::File, spec_name: &str) -> String {
    header(spec_name) + &unparse_each(file)
}

fn header(spec_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// @generated by `cargo xtask gen` from {spec_name}. DO NOT EDIT."
    );
    let _ = writeln!(out, "//");
    let _ = writeln!(
        out,
        "// Change the spec (or the generator in xtask/) and run `cargo xtask gen`."
    );
    let _ = writeln!(
        out,
        "// `cargo xtask gen --check`, and a plain `cargo test`, fail while this file is stale."
    );
    out.push('\n');
    // What a spec's own text and shapes may trigger in generated code (a description that
    // rustdoc reads as a broken link or HTML, a `minLength: 0` check, a deprecated operation
    // called by its entry point) is not the workspace's to fix: it must not fail the lint gates.
    out.push_str(GENERATED_ALLOWS);
    out.push('\n');
    out
}

/// The lints generated files allow (an inner attribute after the header).
pub const GENERATED_ALLOWS: &str = "#![allow(deprecated, non_camel_case_types, non_snake_case, unused_comparisons, clippy::all, rustdoc::all)]\n";

/// The open enumerations of `relaxed` (the copy progenitor is given, where the tolerant
/// transform has opened every response enumeration): components marked `x-open-enum: true`,
/// string enumerations that keep unknown values. A bad `x-open-enum` is reported where the
/// spec wrote it.
fn open_enums(spec: &Spec, relaxed: &Value) -> Result<Vec<OpenEnum>, Diagnostic> {
    let mut out = Vec::new();
    for (ptr, name, schema) in walk::components(relaxed, "schemas") {
        match schema.get("x-open-enum") {
            None | Some(Value::Bool(false)) => continue,
            Some(Value::Bool(true)) => {}
            Some(_) => {
                return Err(spec.diag(
                    &format!("{ptr}/x-open-enum"),
                    "`x-open-enum` must be true or false",
                ));
            }
        }
        let values = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|_| schema.get("type").and_then(Value::as_str) == Some("string"))
            .and_then(|vals| {
                vals.iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| {
                spec.diag(
                    &ptr,
                    format!(
                        "`x-open-enum` on `{name}` needs `type: string` and an `enum` of strings"
                    ),
                )
            })?;
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        out.push(OpenEnum::new(name, description, values).map_err(|m| spec.diag(&ptr, m))?);
    }
    Ok(out)
}

/// Properties with `x-aliases`: other names under which the server sends them.
fn aliases(spec: &Spec) -> Result<Vec<Alias>, Diagnostic> {
    let mut out = Vec::new();
    for (schema_ptr, name, schema) in walk::components(&spec.root, "schemas") {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (prop, prop_schema) in props {
            let Some(list) = prop_schema.get("x-aliases") else {
                continue;
            };
            let ptr = format!(
                "{schema_ptr}/properties/{}/x-aliases",
                crate::model::spec::escape_pointer(prop)
            );
            let names = list
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| spec.diag(&ptr, "`x-aliases` must be a list of property names"))?;
            for alias in &names {
                if props.contains_key(alias) {
                    return Err(spec.diag(
                        &ptr,
                        format!(
                            "alias `{alias}` of `{name}.{prop}` is also a property of `{name}`"
                        ),
                    ));
                }
            }
            out.push(Alias {
                schema: name.clone(),
                property: prop.clone(),
                aliases: names,
            });
        }
    }
    Ok(out)
}

/// The spec's servers. The client picks its endpoint by region, so the only server variable
/// it understands is `region`, whose `enum` lists the regions that server serves.
fn servers(spec: &Spec) -> Result<Vec<Server>, Diagnostic> {
    let mut out = Vec::new();
    for (i, server) in spec
        .root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let ptr = format!("/servers/{i}");
        let url = server
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| spec.diag(&ptr, "a server needs a `url`"))?;
        let variables = server.get("variables").and_then(Value::as_object);
        if let Some(name) = variables
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .find(|k| *k != "region")
        {
            return Err(spec.diag(
                &format!("{ptr}/variables/{}", crate::model::spec::escape_pointer(name)),
                format!("server variable `{name}` is not supported: the client fills in only `{{region}}`"),
            ));
        }
        let regions = crate::model::walk::strings(
            variables
                .and_then(|v| v.get("region"))
                .and_then(|r| r.get("enum")),
        );
        if url.contains("{region}") && regions.is_empty() {
            return Err(spec.diag(
                &ptr,
                "a server with `{region}` in its URL needs `variables.region.enum`",
            ));
        }
        out.push(Server {
            url: url.to_string(),
            regions,
        });
    }
    Ok(out)
}

/// The command: generate, then write or check.
pub fn run(root: &Path, spec_path: &Path, check: bool) -> Exit {
    let spec_name = display_path(root, spec_path);
    let mut laps = Laps::from_env();
    let spec = Spec::load(spec_path);
    laps.lap("loading the spec (read, YAML, limits)");
    match spec.and_then(|s| generate_in(root, &s, &spec_name)) {
        Ok(outputs) => {
            laps.restart();
            let exit = ensure(root, &outputs, check, &GEN);
            laps.lap("comparing with the files, writing the changed ones");
            exit
        }
        Err(d) => {
            eprintln!("error: {d}");
            eprintln!("note: nothing was written; the generated files are unchanged");
            Exit::Failure
        }
    }
}

/// `cargo xtask gen`, as `--check` names it.
const GEN: Command = Command {
    name: "cargo xtask gen",
    tag: "gen",
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated code is what the spec produces: the same check as
    /// `cargo xtask gen --check`, so a plain `cargo test` catches a stale client.
    #[test]
    fn generated_code_is_fresh() {
        let root = workspace_root();
        let spec = crate::workspace::spec();
        let outputs = generate_in(&root, &spec, SPEC).unwrap_or_else(|d| panic!("{d}"));
        let stale = stale(&root, &outputs);
        let report: String = stale
            .iter()
            .map(|s| format!("{} is stale:\n{}\n", s.path, s.diff))
            .collect();
        assert!(
            stale.is_empty(),
            "{report}To fix: run `cargo xtask gen` and commit the result."
        );
    }

    /// A spec of 100 000 small operations passes the loader's limits (8 MB, 600 000 nodes)
    /// and would take progenitor tens of gigabytes: it is refused, quickly, with the count.
    #[test]
    fn too_many_operations_are_refused_before_progenitor() {
        let mut text =
            String::from("openapi: 3.0.3\ninfo:\n  title: Big\n  version: 1.0.0\npaths:\n");
        for i in 0..100_000 {
            text.push_str(&format!(
                "  /p{i}:\n    get:\n      operationId: Op{i}\n      responses:\n        '204':\n          description: No content.\n"
            ));
        }
        let spec = Spec::parse("big.yaml", text.as_bytes()).expect("within the loader's limits");
        let started = std::time::Instant::now();
        let err = generate(&spec, "big.yaml").unwrap_err();
        assert!(
            err.message.contains("100000 operations") && err.message.contains("at most 2000"),
            "{err}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    /// Parsing progenitor's output an item at a time gives the same tree as parsing it whole.
    #[test]
    fn item_by_item_parsing_is_parsing() {
        let tokens = quote! {
            #![allow(unused)]
            use a::{b, c};
            pub const X: S = S { a: 1 };
            #[doc = "m"]
            pub mod m {
                #![allow(dead_code)]
                pub struct A { x: u8 }
                pub struct B(u8);
                impl A { fn f(&self) -> [u8; 2] { [1, 2] } }
                pub(crate) mod n { pub enum E { A, B } }
                mod empty {}
            }
            static F: fn() = || {};
            fn g() {}
        };
        let whole: syn::File = syn::parse2(tokens.clone()).unwrap();
        let pieces = parse_items(tokens.clone()).unwrap();
        assert_eq!(quote!(#whole).to_string(), quote!(#pieces).to_string());
        assert_eq!(prettyplease::unparse(&whole), unparse_each(pieces));
        let mut items = parse_items(tokens).unwrap().items;
        let first = items.drain(..3).collect();
        let mut rest: syn::File = syn::parse_quote!();
        rest.items = items;
        assert_eq!(
            unparse_items(first) + &unparse_each(rest),
            prettyplease::unparse(&syn::File {
                attrs: Vec::new(),
                ..whole
            })
        );
    }

    #[test]
    fn generation_is_deterministic() {
        let spec = crate::workspace::spec();
        assert_eq!(
            generate(&spec, SPEC).unwrap(),
            generate(&spec, SPEC).unwrap()
        );
    }
}
