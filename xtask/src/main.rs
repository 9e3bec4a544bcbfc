//! `cargo xtask <command>`: see `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::codegen;
use xtask::workspace::{Exit, Format, SPEC, workspace_root};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Developer commands for the TaurusDB StarRocks client workspace"
)]
struct Cli {
    /// Workspace root (default: the workspace this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the client from the spec with progenitor.
    Gen {
        /// Write nothing; fail with a diff if a committed generated file is stale.
        #[arg(long)]
        check: bool,
        /// The spec to generate from (default: openapi/taurusdb.yaml under the root).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },
    /// Lint specs (default: every spec under openapi/) like the common OpenAPI linters'
    /// recommended rulesets, plus the rules progenitor and real servers need.
    Lint {
        /// Spec files to lint.
        specs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List the changes between two versions of a spec, classified for clients of the
    /// generated crate (breaking, warning, info), with the version bump they call for.
    Diff(xtask::review::diff::Args),
    /// Record what cargo-semver-checks says of each pair of specs in the semver corpus
    /// (xtask/tests/fixtures/semver): the client crate generated from each side, compared.
    SemverCorpus(xtask::review::semver::Args),
    /// Render the spec as an API reference laid out like the API page (openapi/taurusdb.md),
    /// and compare its tables with the page's (openapi/page/<operationId>.txt).
    Docs {
        /// Write nothing; fail with a diff if openapi/taurusdb.md is stale.
        #[arg(long)]
        check: bool,
        /// The spec to render (default: openapi/taurusdb.yaml under the root).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },
    /// Compare the spec, fact by fact, with Huawei's own Swagger 2.0 definitions
    /// (openapi/vendor/): every difference adopted (x-vendor) or listed in
    /// openapi/vendor/deviations.yaml.
    Vendor {
        /// The spec to compare (default: openapi/taurusdb.yaml under the root).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// The directory of the vendor definitions and deviations.yaml (default: openapi/vendor).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Bring Huawei's definitions of operations (API Explorer's records, Swagger 2.0 or OpenAPI
    /// 3.0) into the spec, in the workspace's conventions; an operation the spec has already
    /// is compared and left alone unless --replace.
    Import(xtask::import::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(workspace_root);
    let exit: Exit = match cli.command {
        Command::Gen { check, spec } => {
            let spec = spec.unwrap_or_else(|| root.join(SPEC));
            codegen::run(&root, &spec, check)
        }
        Command::Lint { specs, format } => xtask::review::lint::run(&root, &specs, format),
        Command::Diff(args) => Exit::from(xtask::review::diff::run(&root, &args)),
        Command::SemverCorpus(args) => xtask::review::semver::run(&root, &args),
        Command::Docs { check, spec } => {
            let spec = spec.unwrap_or_else(|| root.join(SPEC));
            xtask::review::docs::run(&root, &spec, check)
        }
        Command::Vendor { spec, dir } => {
            let spec = spec.unwrap_or_else(|| root.join(SPEC));
            xtask::review::vendor::run(&root, &spec, dir.as_deref())
        }
        Command::Import(args) => xtask::import::run(&root, &args),
    };
    exit.into()
}
