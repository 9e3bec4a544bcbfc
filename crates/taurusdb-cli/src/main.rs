//! `taurusdb`: call any operation of the spec from a shell, with settings from flags, the
//! environment or a config file, output for people or scripts, and exit statuses by class
//! of failure (see `error::Exit`), the same for every operation.
//!
//! Modules: `args` (the command line: one command per operation of the spec, around the
//! generated CLI, at every command line the spec gives it), `body` (a request body from
//! flags, `--json-body` and `--skeleton`), `rules` (the spec's rules for what is sent),
//! `confirm` (the spec's question before a call), `dispatch` (what the generated `dispatch`
//! uses to run an operation), `config` (settings and their precedence), `run` (one call,
//! dry runs and `--wait`), `output` and `human` (what is printed, worked out from the
//! response schema), `spinner`, `demo` (the built-in mock server) and `error` (exit statuses
//! and reports). Nothing here names an operation, a parameter or a field of the spec.

#![warn(missing_docs)]

mod args;
mod body;
mod config;
mod confirm;
mod demo;
mod dispatch;
mod error;
mod human;
mod output;
mod rules;
mod run;
mod sample;
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
        Ok(Invocation::Call {
            op,
            matches,
            globals,
            demo,
        }) => {
            let verbose = globals.verbose;
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::Internal(format!("cannot start the async runtime: {e}")))
                .and_then(|rt| rt.block_on(run::call(op, *matches, *globals, demo)));
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
