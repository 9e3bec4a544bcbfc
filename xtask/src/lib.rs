//! The workspace's developer commands, as a library so that tests can call them
//! (`cargo xtask <command>` is `main.rs`: one clap variant per command, each calling the
//! command's `run`, which returns an [`workspace::Exit`]).
//!
//! The modules are grouped by the stage of the spec's life they serve, as rust-analyzer's
//! xtask groups its code generators:
//!
//! # [`model`]: the spec as every command reads it
//!
//! - [`model::spec`]: loading a spec (YAML or JSON) with the position of every node, and
//!   [`model::spec::Diagnostic`], the `file:line:column: message` every command reports.
//! - [`model::walk`]: every traversal of the document (path items, operations, parameters,
//!   responses and their schemas, components, the objects that hold a schema, every schema,
//!   subschemas, `$ref`s, examples). **To add a traversal**, add it here; commands ask `walk`
//!   and do not loop over paths and methods themselves.
//! - [`model::checks`]: spec-level checks (version, `$ref`s, operationIds, finite schemas,
//!   JSON bodies, one error schema per operation), used by `gen` (the first problem stops it)
//!   and `lint` (every problem, under its rule).
//! - [`model::examples`]: validating the spec's examples and defaults against their schemas
//!   (`lint`, tests).
//!
//! # [`codegen`]: `cargo xtask gen [--check]`
//!
//! The spec through progenitor to the client, the httpmock helpers and the CLI. Its
//! pipeline: [`model::checks::generation`], then [`codegen::tolerant`] (the tolerant-reader
//! transform of response schemas), then progenitor (set up once, in `codegen`, run through
//! [`codegen::panic`], since progenitor and typify report some bugs by panicking), then
//! [`codegen::postprocess`] (open enums, aliases, `#[non_exhaustive]`, path encoding, the
//! region table) and [`codegen::operations`] (the per-operation layer progenitor does not
//! write: entry points and request checks, the operation table, the error bodies'
//! accessors, the strict response schemas of `--check-spec`, the CLI's `dispatch`, and the
//! checks of the `x-` extensions that drive it). **To support a new kind of parameter or
//! body**, start in `operations`.
//!
//! # [`review`]: the commands that judge a spec
//!
//! - [`review::lint`]: `cargo xtask lint`, compiler-style findings. **To add a lint rule**: a
//!   line in the `rules!` table (ID, severity, what it checks), a `Linter::report` with that
//!   `Rule`, and a fixture in `tests/fixtures/lint/<rule>.yaml`. A check that `gen` must also
//!   refuse goes in [`model::checks`], and `lint` files its diagnostics under the rule.
//! - [`review::docs`]: `cargo xtask docs [--check]`, the spec rendered as a reference laid out
//!   like the API page; [`review::page`] reads the page's own tables and judges the comparison
//!   ([`review::page::verdict`]).
//! - [`review::diff`]: `cargo xtask diff OLD NEW`, changes between two specs, classified, with
//!   the version bump they call for.
//! - [`review::semver`]: `cargo xtask semver-corpus`, what cargo-semver-checks says of the
//!   client generated from each pair of specs in the corpus that `diff` is tested against.
//! - [`review::vendor`]: `cargo xtask vendor`, the spec compared with Huawei's own definitions.
//!
//! # [`import`]: `cargo xtask import [--spec FILE] [--replace] DEFINITION...`
//!
//! Huawei's definitions of operations (API Explorer's records, Swagger 2.0, OpenAPI 3.0)
//! brought into the spec for review: [`import::read`] (what a definition is, refusals with
//! file, line and column, provenance), [`import::swagger`] (Swagger 2.0 to OpenAPI 3.0.3),
//! [`import::conventions`] (the workspace's conventions, provenance marks, contradictions
//! recorded), [`import::tags`] (API Explorer's groups as tags and cargo features),
//! [`import::merge`] (new and existing operations, the component names' collision rule, the
//! error schema) and [`import::splice`] with [`import::yaml`] (the additions written into
//! the spec's YAML, every other byte kept). **To teach import a construct of a new
//! definition**, convert it in `swagger` as swagger2openapi does (the tests compare), and put
//! what the workspace makes of it in `conventions`.
//!
//! # [`workspace`]
//!
//! The workspace root and spec path, writing or `--check`ing generated files (atomically,
//! line endings normalised), the output format, exit codes.
//!
//! **To add a command**: a module with a `run(..) -> Exit` in its stage's group, a variant in
//! `main.rs`, a line here. A command that writes files builds them as [`workspace::Output`]s
//! and hands them to [`workspace::ensure`], which gives it `--check` for free.

pub mod codegen;
pub mod import;
pub mod model;
pub mod review;
pub mod workspace;
