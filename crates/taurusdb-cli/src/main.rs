//! `taurusdb`: query the configuration of a TaurusDB StarRocks data synchronization task from
//! a shell, with settings from flags, the environment or a config file, output for people
//! or scripts, and exit statuses by class of failure (see `error::Exit`).
//!
//! Modules: `args` (the command line, built around the generated CLI), `config` (settings
//! and their precedence), `run` (one query), `output` and `human` (what is printed),
//! `spinner`, `demo` (the built-in mock server) and `error` (exit statuses and reports).

#![warn(missing_docs)]

mod args;
mod config;
mod demo;
mod error;
mod human;
mod output;
mod run;
mod spinner;

#[rustfmt::skip]
#[allow(dead_code, unused_imports, unused_variables, clippy::all)]
mod generated;

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::Invocation;
use crate::error::{CliError, Exit};

fn main() -> ExitCode {
    let matches = match args::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => {
            // Usage errors go to stderr with status 2; --help and --version to stdout with 0.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(Exit::Usage as u8));
        }
    };
    let (result, verbose) = match Invocation::from_matches(&matches) {
        Err(message) => (Err(CliError::Internal(message)), false),
        Ok(Invocation::Completions(shell)) => (completions(shell), false),
        Ok(Invocation::Query {
            target,
            globals,
            demo,
        }) => {
            let verbose = globals.verbose;
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::Internal(format!("cannot start the async runtime: {e}")))
                .and_then(|rt| rt.block_on(run::query(target, globals, demo)));
            (result, verbose)
        }
    };
    match result {
        Ok(()) => Exit::Ok.into(),
        Err(e) => {
            let _ = anstream::stderr().write_all(e.report(verbose).as_bytes());
            e.exit().into()
        }
    }
}

/// Prints the completion script of `shell`.
fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut args::command(), args::BIN, &mut out);
    run::print(&out)
}
