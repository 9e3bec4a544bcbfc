//! The workspace's developer commands, as a library so that tests can call them
//! (`cargo xtask <command>` is `main.rs`: one clap variant per command, each calling the
//! command's `run`, which returns an [`workspace::Exit`]).
//!
//! # The commands, each in its own module
//!
//! - [`codegen`]: `cargo xtask gen [--check]`, the spec through progenitor to the client, the
//!   httpmock helpers and the CLI. Its pipeline: [`checks::generation`], then [`tolerant`], then
//!   progenitor (set up once, in `codegen`), then [`postprocess`] and [`operations`].
//! - [`lint`]: `cargo xtask lint`, compiler-style findings. **To add a lint rule**: a line in
//!   the `rules!` table of [`lint`] (ID, severity, what it checks), a `Linter::report` with
//!   that `Rule`, and a fixture in `tests/fixtures/lint/<rule>.yaml`. A check that `gen` must
//!   also refuse goes in [`checks`], and `lint` files its diagnostics under the rule.
//! - [`docs`]: `cargo xtask docs [--check]`, the spec rendered as a reference laid out like the
//!   API page; [`page`] reads the page's own tables and judges the comparison ([`page::verdict`]).
//! - [`diff`]: `cargo xtask diff OLD NEW`, changes between two specs, classified, with the
//!   version bump they call for.
//! - [`semver`]: `cargo xtask semver-corpus`, what cargo-semver-checks says of the client
//!   generated from each pair of specs in the corpus that `diff` is tested against.
//! - [`vendor`]: `cargo xtask vendor`, the spec compared with Huawei's own definitions.
//!
//! **To add a command**: a module with a `run(..) -> Exit`, a variant in `main.rs`, a line here.
//! A command that writes files builds them as [`workspace::Output`]s and hands them to
//! [`workspace::ensure`], which gives it `--check` for free.
//!
//! # What the commands share
//!
//! - [`spec`]: loading a spec (YAML or JSON) with the position of every node, and
//!   [`spec::Diagnostic`], the `file:line:column: message` every command reports.
//! - [`walk`]: every traversal of the document (path items, operations, parameters,
//!   responses and their schemas, components, the objects that hold a schema, every schema,
//!   subschemas, `$ref`s, examples). **To add a traversal**, add it here; commands ask `walk`
//!   and do not loop over paths and methods themselves.
//! - [`checks`]: spec-level checks (version, `$ref`s, operationIds, finite schemas, JSON
//!   bodies, one error schema per operation), used by `gen` (the first problem stops it) and
//!   `lint` (every problem, under its rule).
//! - [`workspace`]: the workspace root and spec path, writing or `--check`ing generated files
//!   (line endings normalised), the output format, exit codes.
//! - [`examples`]: validating the spec's examples and defaults against their schemas (`lint`,
//!   tests).
//! - [`tolerant`]: the tolerant-reader transform of response schemas (`gen`; `lint` reports
//!   what it cannot relax).
//! - [`postprocess`]: changes to progenitor's types (open enums, aliases, `#[non_exhaustive]`,
//!   path encoding, the region table) (`gen`).
//! - [`operations`]: the per-operation layer progenitor does not write, for every operation
//!   of the spec: the client's entry points and request checks, the operation table, the
//!   error bodies' accessors, the strict response schemas of `--check-spec`, the CLI's
//!   `dispatch`; and the checks of the `x-` extensions that drive it (`gen`, `lint`). **To
//!   support a new kind of parameter or body**, start here.
//! - [`panic`](mod@panic): running progenitor and typify, which report some bugs by panicking.

pub mod checks;
pub mod codegen;
pub mod diff;
pub mod docs;
pub mod examples;
pub mod lint;
pub mod operations;
pub mod page;
pub mod panic;
pub mod postprocess;
pub mod semver;
pub mod spec;
pub mod tolerant;
pub mod vendor;
pub mod walk;
pub mod workspace;
