//! One query: settings resolved (or the demo server started), the client built, the request
//! sent with a spinner while it takes long, and the response printed.

use std::io::{self, Write};

use taurusdb::{Client, DEFAULT_CONNECT_TIMEOUT, ResponseValueExt as _, RetryPolicy};

use crate::args::{Globals, Target};
use crate::config::{self, Location, Origin, Settings};
use crate::demo::Demo;
use crate::error::{CliError, sanitize};
use crate::{output, spinner};

/// Queries `target` with `globals`, against the demo server if `demo`, and prints the result.
pub async fn query(target: Target, globals: Globals, demo: bool) -> Result<(), CliError> {
    let mut notes = Vec::new();
    let demo_server;
    let settings = if demo {
        demo_server = Demo::start().await;
        eprintln!(
            "demo: querying a mock server on 127.0.0.1 that serves the API page's example response"
        );
        demo_server.settings(globals.language)
    } else {
        let file = match config::locate(globals.config.as_deref(), &config::process_env) {
            Some((path, required)) => {
                let file = config::load(&path, required).map_err(CliError::Invalid)?;
                let state = if file.found { "read" } else { "not found" };
                notes.push(format!("config file: {} ({state})", path.display()));
                Some(file)
            }
            None => None,
        };
        config::resolve(&globals, &config::process_env, file.as_ref()).map_err(CliError::Invalid)?
    };
    let client = client(&settings, &globals).map_err(CliError::Call)?;
    if globals.verbose {
        describe(&mut notes, &settings, &client);
        eprint_lines(&notes);
    }

    let request = client
        .replication_config(&target.instance_id, target.task_name.as_str())
        .language(settings.language.value);
    let response = spinner::while_waiting(
        request.send(),
        spinner::stderr_if_terminal(),
        spinner::DELAY,
        format!("Querying task {}…", target.task_name.as_str()),
    )
    .await
    .map_err(CliError::Call)?;
    if globals.verbose {
        let id = response.request_id().map_or("(none)".to_string(), sanitize);
        eprint_lines(&[format!("request ID: {id}")]);
    }

    let mut out = Vec::new();
    output::write(&mut out, globals.output, &target, &response).map_err(CliError::Output)?;
    print(&out)
}

/// Writes `bytes` to stdout, keeping colour escapes only when stdout is a terminal and
/// `NO_COLOR` is unset. A closed pipe (`taurusdb ... | head`) is not an error.
pub fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = anstream::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
        _ => Ok(()),
    }
}

fn eprint_lines(lines: &[String]) {
    let mut stderr = anstream::stderr().lock();
    for line in lines {
        let _ = writeln!(stderr, "{line}");
    }
}

/// The client for `settings`, with the timeout and retries of `globals`. Fails (exit status
/// 2) on what the client itself refuses: an unknown region, a malformed endpoint or project
/// ID, a credential that cannot be a header.
fn client(settings: &Settings, globals: &Globals) -> Result<Client, taurusdb::Error> {
    let mut builder = Client::builder()
        .project_id(settings.project_id.value.as_str())
        .credentials(settings.credentials.credentials.clone())
        .language(settings.language.value)
        .user_agent(concat!("taurusdb-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(region) = &settings.region {
        builder = builder.region(region.value.as_str());
    }
    if let Location::Endpoint(url) = &settings.location {
        builder = builder.endpoint(url.value.as_str());
    }
    if let Some(timeout) = globals.timeout {
        builder = builder
            .timeout(timeout)
            .connect_timeout(timeout.min(DEFAULT_CONNECT_TIMEOUT));
    }
    if let Some(retries) = globals.retries {
        builder = builder.retry(RetryPolicy::default().max_attempts(retries.saturating_add(1)));
    }
    builder.build()
}

/// `--verbose`: each setting and where it came from; never a secret.
fn describe(notes: &mut Vec<String>, settings: &Settings, client: &Client) {
    let from = |origin: &Origin| match origin {
        Origin::Default => "(default)".to_string(),
        Origin::Demo => "(demo)".to_string(),
        other => format!("(from {other})"),
    };
    let endpoint_origin = match &settings.location {
        Location::Endpoint(url) => from(&url.origin),
        Location::Region => "(the region's)".to_string(),
    };
    notes.push(format!(
        "endpoint: {} {endpoint_origin}",
        sanitize(client.config().endpoint())
    ));
    if let Some(region) = &settings.region {
        notes.push(format!(
            "region: {} {}",
            sanitize(&region.value),
            from(&region.origin)
        ));
    }
    notes.push(format!(
        "project ID: {} {}",
        sanitize(&settings.project_id.value),
        from(&settings.project_id.origin)
    ));
    notes.push(format!(
        "language: {} {}",
        settings.language.value,
        from(&settings.language.origin)
    ));
    notes.push(format!(
        "credentials: {} {}",
        sanitize(&settings.credentials.description),
        from(&settings.credentials.origin)
    ));
}
