//! `cargo xtask gen [--check]`: the spec, through progenitor, to the client's generated source.
//!
//! The pipeline, all in memory until every output is complete:
//!
//! 1. load and check the spec ([`crate::spec`]);
//! 2. apply the tolerant-reader transform to response schemas ([`crate::tolerant`]);
//! 3. run progenitor (builder interface, `schemars::JsonSchema` derived, hooks expected),
//!    with every `x-open-enum` component replaced by an open enum type;
//! 4. post-process the syntax tree ([`crate::postprocess`]): define the open enums, add the
//!    `x-aliases` serde aliases, route path encoding through the client's own encoder;
//! 5. format with prettyplease and add the generated-file header.
//!
//! Then either write each output atomically (only if it changed) or, with `--check`, compare.

use std::fmt::Write as _;
use std::path::Path;

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use quote::quote;
use serde_json::Value;

use crate::postprocess::{self, Alias, OpenEnum, Server};
use crate::spec::{Diagnostic, Spec};
use crate::workspace::{Command, Exit, display_path, ensure};
use crate::{panic, tolerant, walk};

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
    crate::checks::generation(spec)?;
    let mut ops = crate::operations::operations(spec)?;
    let error_bodies = crate::operations::error_bodies(spec)?;
    let open_enums = open_enums(spec)?;
    let aliases = aliases(spec)?;
    let servers = servers(spec)?;
    laps.lap("checks and the operation table");

    let mut relaxed = spec.root.clone();
    tolerant::apply(&mut relaxed);
    let api = crate::spec::to_openapi(&relaxed).map_err(|(ptr, msg)| spec.diag(&ptr, msg))?;
    drop(relaxed);
    let progenitor = Progenitor::new(spec, &api, &open_enums);
    laps.lap("tolerant transform, openapiv3 document");

    let mut client = progenitor.run("a client", |g, api| g.generate_tokens(api))?;
    laps.lap("progenitor: client (typify, tokens, syn parse)");
    postprocess::client(&mut client, &open_enums, &aliases, &servers)
        .map_err(|m| spec.diag("/components/schemas", m))?;
    let spec_json = serde_json::to_string(&spec.root)
        .map_err(|e| spec.diag("", format!("the spec cannot be embedded as JSON: {e}")))?;
    let conformance_json = crate::operations::conformance_document(spec).to_string();
    crate::operations::client(
        &mut client,
        &mut ops,
        &error_bodies,
        &spec_json,
        &conformance_json,
    )
    .map_err(|m| spec.diag("/paths", m))?;
    drop((spec_json, conformance_json));
    laps.lap("post-processing: client, entry points");
    let client = Output {
        path: CLIENT.to_string(),
        contents: render(client, spec_name),
    };
    laps.lap("prettyplease: client");

    let mut mock = progenitor.run("httpmock helpers", |g, api| g.httpmock(api, "taurusdb"))?;
    mock.items
        .push(postprocess::examples_module(&examples(spec)).map_err(|m| spec.diag("/paths", m))?);
    laps.lap("progenitor: httpmock, examples");
    let mock = Output {
        path: HTTPMOCK.to_string(),
        contents: render(mock, spec_name),
    };
    laps.lap("prettyplease: httpmock");

    let mut cli = progenitor.run("a CLI", |g, api| g.cli(api, "taurusdb::generated"))?;
    crate::operations::cli(&mut cli, &ops).map_err(|m| spec.diag("/paths", m))?;
    laps.lap("progenitor: CLI, dispatch");
    let cli = Output {
        path: CLI.to_string(),
        contents: render(cli, spec_name),
    };
    laps.lap("prettyplease: CLI");
    Ok(vec![client, mock, cli])
}

/// Phase timings for `XTASK_GEN_TIMINGS=1` (what BENCHMARKS.md's generation profile shows).
struct Laps(Option<(std::time::Instant, std::time::Instant)>);

impl Laps {
    fn from_env() -> Self {
        let on = std::env::var_os("XTASK_GEN_TIMINGS").is_some_and(|v| v == "1");
        let now = std::time::Instant::now();
        Laps(on.then_some((now, now)))
    }

    fn lap(&mut self, what: &str) {
        if let Some((start, last)) = &mut self.0 {
            let now = std::time::Instant::now();
            eprintln!(
                "gen: {:>8.1} ms  {:>8.1} ms total  {what}",
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
    settings: GenerationSettings,
}

impl<'a> Progenitor<'a> {
    fn new(spec: &'a Spec, api: &'a openapiv3::OpenAPI, open_enums: &[OpenEnum]) -> Self {
        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_derive("schemars::JsonSchema")
            .with_derive("PartialEq")
            .with_hooks(HooksMode::Expected)
            .with_inner_type(quote!(crate::Config));
        for e in open_enums {
            settings.with_replacement(
                &e.name,
                format!("crate::types::{}", e.name),
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        }
        Progenitor {
            spec,
            api,
            settings,
        }
    }

    /// Runs one of progenitor's generators (`what` names its output in messages) on a fresh
    /// `Generator`, turning a panic, an error or unparsable output into a diagnostic.
    fn run(
        &self,
        what: &str,
        generate: impl FnOnce(
            &mut Generator,
            &openapiv3::OpenAPI,
        ) -> progenitor_impl::Result<proc_macro2::TokenStream>,
    ) -> Result<syn::File, Diagnostic> {
        let error = |detail: String| {
            Diagnostic::new(
                &self.spec.file,
                None,
                format!("progenitor cannot generate {what} from this document: {detail}"),
            )
        };
        let tokens = panic::catch(|| generate(&mut Generator::new(&self.settings), self.api))
            .map_err(|panic| error(format!("progenitor stopped with `{panic}`")))?
            .map_err(|e| error(e.to_string()))?;
        syn::parse2(tokens).map_err(|e| error(format!("its output does not parse: {e}")))
    }
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

fn render(file: syn::File, spec_name: &str) -> String {
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
    out.push_str(&prettyplease::unparse(&file));
    drop(file);
    out
}

/// Components marked `x-open-enum: true`: string enumerations that keep unknown values.
fn open_enums(spec: &Spec) -> Result<Vec<OpenEnum>, Diagnostic> {
    let mut out = Vec::new();
    for (ptr, name, schema) in walk::components(&spec.root, "schemas") {
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
                crate::spec::escape_pointer(prop)
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
                &format!("{ptr}/variables/{}", crate::spec::escape_pointer(name)),
                format!("server variable `{name}` is not supported: the client fills in only `{{region}}`"),
            ));
        }
        let regions: Vec<String> = variables
            .and_then(|v| v.get("region"))
            .and_then(|r| r.get("enum"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
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
    match Spec::load(spec_path).and_then(|s| generate(&s, &spec_name)) {
        Ok(outputs) => ensure(root, &outputs, check, &GEN),
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
        let outputs = generate(&spec, SPEC).unwrap_or_else(|d| panic!("{d}"));
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

    #[test]
    fn generation_is_deterministic() {
        let spec = crate::workspace::spec();
        assert_eq!(
            generate(&spec, SPEC).unwrap(),
            generate(&spec, SPEC).unwrap()
        );
    }
}
