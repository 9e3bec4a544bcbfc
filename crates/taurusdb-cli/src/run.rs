//! One call of any operation: its request body assembled, settings resolved (or the demo
//! server started), the client built, the spec's question asked, the operation run through
//! the generated `dispatch` with a spinner while it takes long, its job waited for
//! (`--wait`), and the response printed; or, with `--dry-run`, the request printed instead
//! of sent, and with `--skeleton`, an example body.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use taurusdb::spec::{Operation, Setting};
use taurusdb::{Client, DEFAULT_CONNECT_TIMEOUT, ErrorKind, RetryPolicy};

use crate::args::{Globals, OutputFormat};
use crate::config::{self, Location, Origin, Settings};
use crate::demo::Demo;
use crate::dispatch::{DispatchError, OUTPUT_FILE};
use crate::error::{CliError, sanitize};
use crate::{output, spinner};

/// Calls `op` with its arguments `matches` and `globals`, against the demo server if
/// `demo`, and prints the result. In order: `--skeleton` prints a body and stops; the
/// request body is assembled and checked; the settings are resolved and the client built
/// (a dry run with `--dry-run`); the operation's question is asked (not in the demo or a
/// dry run); the call is made; with `--wait`, its job is waited for.
pub async fn call(
    op: &'static Operation,
    matches: ArgMatches,
    globals: Globals,
    demo: bool,
) -> Result<(), CliError> {
    if matches
        .try_get_one::<bool>(crate::body::SKELETON)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
    {
        return skeleton(op, globals.output);
    }
    let body = crate::body::assemble(op, &matches).map_err(CliError::Invalid)?;

    let mut notes = Vec::new();
    let demo_server;
    let mut tls = None;
    let settings = if demo {
        demo_server = Demo::start().await;
        eprintln!(
            "demo: calling a mock server on 127.0.0.1 that serves the spec's example responses"
        );
        let body_note = crate::demo::request_body(op).and_then(|(_, note)| note);
        for note in body_note.into_iter().chain(crate::demo::served(op).note) {
            eprintln!("demo: {note}");
        }
        demo_server.settings(globals.language.clone(), op)
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
        tls = Some(config::tls(&config::process_env, file.as_ref()).map_err(CliError::Invalid)?);
        config::resolve(&globals, &config::process_env, file.as_ref()).map_err(CliError::Invalid)?
    };
    let client = client(&settings, &globals, tls.as_ref()).map_err(CliError::Call)?;
    // Every call: what the client found questionable (unchecked TLS certificates, a profile
    // others can read).
    eprint_lines(
        &client
            .config()
            .warnings()
            .iter()
            .map(|w| format!("warning: {}", sanitize(w)))
            .collect::<Vec<_>>(),
    );
    if globals.verbose {
        describe(&mut notes, &settings, &client);
        eprint_lines(&notes);
    }
    // The spec's question (x-cli-confirm): the demo never asks, and a dry run sends nothing.
    if !demo
        && !globals.dry_run
        && let Some(question) = crate::confirm::question(op, &matches, body.as_ref(), &settings)
    {
        crate::confirm::confirm(&question, globals.yes).map_err(CliError::Invalid)?;
    }

    let call = spinner::while_waiting(
        crate::generated::dispatch(&client, op.id, &matches, body),
        spinner::stderr_if_terminal(),
        spinner::DELAY,
        format!("Calling {}…", op.id),
    );
    // --check-spec: the response is also checked strictly against the spec.
    let (result, report) = if globals.check_spec {
        let (result, captured) = taurusdb::conformance::capture(call).await;
        (result, captured.as_ref().map(taurusdb::conformance::check))
    } else {
        (call.await, None)
    };
    let reply = match result {
        Ok(reply) => reply,
        Err(DispatchError::Call(e)) if e.kind() == ErrorKind::DryRun => {
            return dry_run(e.body().unwrap_or_default(), &globals);
        }
        Err(e) => {
            if let Some(r) = &report {
                eprint_report(r);
            }
            return Err(dispatch_error(op, e));
        }
    };
    if globals.verbose {
        let id = reply
            .request_id
            .as_deref()
            .map_or("(none)".to_string(), sanitize);
        let mut lines = Vec::new();
        // A project ID looked up during the call: now it is known.
        if let (None, Some(id), Some(source @ taurusdb::Source::Iam(_))) = (
            settings.project_id(),
            client.config().project_id(),
            client.config().project_id_source(),
        ) {
            lines.push(format!(
                "project ID: {} (from {})",
                sanitize(id),
                sanitize(&source.to_string())
            ));
        }
        lines.push(format!("request ID: {id}"));
        eprint_lines(&lines);
    }

    if let Some(bytes) = &reply.file {
        let path = matches.get_one::<PathBuf>(OUTPUT_FILE);
        return write_file(bytes, path.map(PathBuf::as_path), globals.output);
    }
    let args = crate::args::arguments(op, &matches);
    let show = |job: Option<output::Job<'_>>| -> Result<(), CliError> {
        let mut out = Vec::new();
        let shown = output::Shown {
            op,
            args: &args,
            reply: &reply,
            job,
        };
        output::write(
            &mut out,
            globals.output,
            globals.query.as_deref(),
            report.as_ref(),
            &shown,
        )
        .map_err(CliError::Output)?;
        print(&out)
    };
    // --wait: the job the call started, to its end.
    if let (Some(timeout), Some(field)) = (globals.wait, op.job) {
        let waited = wait(&client, op, field, &reply, timeout, demo).await;
        match waited {
            Ok((waiter, job, state)) => show(Some(output::Job {
                op: waiter,
                args: &crate::args::job_arguments(waiter, &job),
                state: &state.body,
            }))?,
            Err(failure) => {
                match &failure {
                    // The job's final state is shown: it says why.
                    WaitFailure::Failed {
                        waiter, job, state, ..
                    } => {
                        show(Some(output::Job {
                            op: waiter,
                            args: &crate::args::job_arguments(waiter, job),
                            state,
                        }))?;
                    }
                    _ => show(None)?,
                }
                return Err(failure.into_error());
            }
        }
    } else {
        show(None)?;
    }
    match &report {
        Some(r) if !r.conforms() => {
            if globals.output == crate::args::OutputFormat::Human || globals.query.is_some() {
                eprint_report(r);
            }
            Err(CliError::Departs)
        }
        _ => Ok(()),
    }
}

/// `--skeleton`: the example request body, as JSON (YAML with `-o yaml`).
fn skeleton(op: &Operation, format: OutputFormat) -> Result<(), CliError> {
    let body = crate::body::skeleton(op)
        .ok_or_else(|| CliError::Invalid(format!("`{}` takes no JSON request body", op.id)))?;
    let text = match format {
        OutputFormat::Yaml => {
            yaml_serde::to_string(&body).map_err(|e| CliError::Output(io::Error::other(e)))?
        }
        _ => format!("{body:#}\n"),
    };
    print(text.as_bytes())
}

/// `--dry-run`: the request the client would have sent, as it wrote it (secrets redacted),
/// or as JSON (YAML) with `-o json` (`-o yaml`), filtered by `--query`.
fn dry_run(request: &str, globals: &Globals) -> Result<(), CliError> {
    if globals.output == OutputFormat::Human && globals.query.is_none() {
        let mut text = sanitize_lines(request);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        return print(text.as_bytes());
    }
    let value = output::request_value(request);
    let value = match &globals.query {
        Some(q) => output::query(q, &value).map_err(CliError::Output)?,
        None => value,
    };
    let text = match globals.output {
        OutputFormat::Yaml => {
            yaml_serde::to_string(&value).map_err(|e| CliError::Output(io::Error::other(e)))?
        }
        _ => format!("{value:#}\n"),
    };
    print(text.as_bytes())
}

/// Text made safe for a terminal line by line (its line breaks kept).
fn sanitize_lines(text: &str) -> String {
    text.lines().map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Why `--wait` did not end with the job done.
enum WaitFailure {
    /// The job ended as failed: its final state, as the waiter operation shows it.
    Failed {
        waiter: &'static Operation,
        job: String,
        state: serde_json::Value,
        error: taurusdb::Error,
        look: String,
    },
    /// The wait failed otherwise (timeout, a poll that failed).
    Other(CliError),
}

impl WaitFailure {
    fn into_error(self) -> CliError {
        match self {
            WaitFailure::Failed { error, look, .. } => CliError::Wait { error, look },
            WaitFailure::Other(e) => e,
        }
    }
}

/// The command line that shows job `job` (the waiter operation's command and its ID flag).
fn look_again(waiter: &Operation, job: &str, demo: bool) -> String {
    let flag = crate::args::job_parameter(waiter).map_or("id", |i| waiter.parameters[i].flag);
    let demo = if demo { "demo " } else { "" };
    format!(
        "{} {demo}{} --{flag} {job}",
        crate::args::BIN,
        crate::args::operation_path(Some(waiter))
    )
}

/// Waits for the job named by `field` of the call's `reply` through the spec's waiter,
/// bounded by `timeout`, with a progress line on a terminal: the waiter operation, the job's
/// ID and the waiter's last response.
async fn wait(
    client: &Client,
    op: &Operation,
    field: &str,
    reply: &crate::dispatch::Reply,
    timeout: std::time::Duration,
    demo: bool,
) -> Result<(&'static Operation, String, crate::dispatch::Reply), WaitFailure> {
    let waiter = crate::args::waiter().ok_or_else(|| {
        WaitFailure::Other(CliError::Internal(
            "the spec has no operation that shows jobs (x-waiter)".to_string(),
        ))
    })?;
    let job = match reply.body.get(field) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => {
            return Err(WaitFailure::Other(CliError::NoJob(format!(
                "the response of {} names no job (`{field}`), so there is nothing to wait for",
                op.id
            ))));
        }
    };
    let look = look_again(waiter, &job, demo);
    let progress = spinner::Progress::start(
        spinner::stderr_if_terminal(),
        format!("Waiting for job {}…", sanitize(&job)),
    );
    let line = progress.clone();
    let shown = sanitize(&job);
    let result = crate::generated::wait(client, &job, timeout, move |status: &str| {
        line.set(format!("Job {shown}: {}", sanitize(status)));
    })
    .await;
    progress.finish();
    match result {
        Ok(reply) => Ok((waiter, job, reply)),
        Err(DispatchError::Call(error)) if error.kind() == ErrorKind::JobFailed => {
            let state = error
                .body()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(serde_json::Value::Null);
            Err(WaitFailure::Failed {
                waiter,
                job,
                state,
                error,
                look,
            })
        }
        // The job ID came from the server: one the waiter refuses is the response's fault
        // (the call was made), not the user's.
        Err(DispatchError::Call(error)) if error.kind() == ErrorKind::InvalidRequest => {
            Err(WaitFailure::Other(CliError::NoJob(format!(
                "the response of {} names the job `{}`, which {} does not take: {}",
                op.id,
                sanitize(&job),
                waiter.id,
                sanitize(&error.to_string())
            ))))
        }
        Err(DispatchError::Call(error)) => Err(WaitFailure::Other(CliError::Wait { error, look })),
        Err(e) => Err(WaitFailure::Other(dispatch_error(waiter, e))),
    }
}

/// A file download: to `path`, written whole or not at all (a temporary file beside it,
/// renamed), with a line saying so (`{"output_file", "bytes"}` with `-o json` or `yaml`);
/// without a path, the bytes as received on stdout.
fn write_file(bytes: &[u8], path: Option<&Path>, format: OutputFormat) -> Result<(), CliError> {
    let Some(path) = path else {
        return print(bytes);
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let failed = |e: io::Error| {
        CliError::Output(io::Error::new(
            e.kind(),
            format!("cannot write --{OUTPUT_FILE} {}: {e}", path.display()),
        ))
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    let summary =
        serde_json::json!({"output_file": path.display().to_string(), "bytes": bytes.len()});
    match format {
        OutputFormat::Human => {
            eprint_lines(&[format!("wrote {} bytes to {}", bytes.len(), path.display())]);
            Ok(())
        }
        OutputFormat::Json => print(format!("{summary:#}\n").as_bytes()),
        OutputFormat::Yaml => print(
            yaml_serde::to_string(&summary)
                .map_err(|e| CliError::Output(io::Error::other(e)))?
                .as_bytes(),
        ),
    }
}

/// The conformance report on stderr, for people: nothing when the response conforms.
fn eprint_report(report: &taurusdb::conformance::Report) {
    if report.conforms() {
        return;
    }
    let mut lines = Vec::new();
    let known = report
        .departures
        .iter()
        .filter(|d| d.known.is_some())
        .count();
    let count = report.departures.len();
    let mut head = format!(
        "spec check: the {} response of {} departs from the spec",
        report.status, report.operation
    );
    if count > 0 {
        let s = if count == 1 { "" } else { "s" };
        head.push_str(&format!(
            ": {count} departure{s} ({known} known, {} new)",
            count - known
        ));
    }
    lines.push(head);
    if let Some(why) = &report.not_validated {
        lines.push(format!("  not validated: {}", sanitize(why)));
    }
    for d in &report.departures {
        let label = if d.known.is_some() { "known" } else { "NEW" };
        lines.push(format!(
            "  {label:<5} {}  {}: the spec says {}, found {}",
            sanitize(&d.path),
            d.rule,
            sanitize(&d.expected),
            sanitize(&d.found)
        ));
        if let Some(reason) = &d.known {
            lines.push(format!("        recorded: {}", sanitize(reason)));
        }
    }
    eprint_lines(&lines);
}

/// A failure of `dispatch`, with a refused argument named by its flag.
fn dispatch_error(op: &Operation, e: DispatchError) -> CliError {
    match e {
        DispatchError::Call(e) if e.kind() == ErrorKind::InvalidRequest => {
            let flag = e.parameter().and_then(|name| {
                let p = op.parameters.iter().find(|p| p.name == name)?;
                Some(match p.setting {
                    Some(Setting::ProjectId) => "project-id",
                    Some(Setting::Language) => "language",
                    _ => p.flag,
                })
            });
            match flag {
                Some(flag) => CliError::Invalid(format!("--{flag}: {e}")),
                None => CliError::Call(e),
            }
        }
        DispatchError::Call(e) => CliError::Call(e),
        DispatchError::Missing(flag) => CliError::Invalid(format!("missing --{flag}")),
        DispatchError::Body(m) => CliError::Invalid(m),
        DispatchError::Encode(e) => {
            CliError::Internal(format!("the response cannot be shown as JSON: {e}"))
        }
        DispatchError::Unknown(id) => CliError::Internal(format!(
            "no operation `{id}` in the client: the CLI and the client were generated from different specs"
        )),
    }
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

/// The client for `settings`, with the timeout and retries of `globals` and the TLS settings
/// `tls` (none for the demo); a dry run with `--dry-run`. Fails (exit status 2) on what the client itself refuses: an
/// unknown region, a malformed endpoint or project ID, a credential that cannot be a header,
/// a malformed profile or regions file. Outside the demo, what the settings leave out the
/// client finds as the official SDKs do (`ClientBuilder::from_env`).
fn client(
    settings: &Settings,
    globals: &Globals,
    tls: Option<&config::Tls>,
) -> Result<Client, taurusdb::Error> {
    let mut builder = match tls {
        Some(_) => taurusdb::ClientBuilder::from_env_with(config::process_env)?,
        None => Client::builder(),
    };
    builder = builder
        .user_agent(concat!("taurusdb-cli/", env!("CARGO_PKG_VERSION")))
        .dry_run(globals.dry_run);
    if let Some(p) = settings.project_id() {
        builder = builder.project_id(p.value.as_str());
    }
    if settings.credentials.origin != Origin::Client {
        builder = builder.credentials(settings.credentials.credentials.clone());
    }
    if let Some(tls) = tls {
        if let Some(path) = &tls.ca_bundle {
            builder = builder.ca_bundle(path);
        }
        builder = builder.danger_accept_invalid_certs(tls.accept_invalid_certs.is_some());
    }
    if let Some(language) = &settings.language {
        builder = builder.language(&language.value);
    }
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
    match (settings.project_id(), client.config().project_id_source()) {
        (Some(p), _) => notes.push(format!(
            "project ID: {} {}",
            sanitize(&p.value),
            from(&p.origin)
        )),
        (None, Some(taurusdb::Source::Iam(iam))) => notes.push(format!(
            "project ID: looked up in IAM at {} by region on the first call",
            sanitize(&iam)
        )),
        (None, source) => notes.push(format!(
            "project ID: {} (from {})",
            sanitize(client.config().project_id().unwrap_or("(none)")),
            source.map_or("(none)".to_string(), |s| sanitize(&s.to_string()))
        )),
    }
    match &settings.language {
        Some(l) => notes.push(format!(
            "language: {} {}",
            sanitize(&l.value),
            from(&l.origin)
        )),
        None => {
            let (_, default) = crate::args::setting_values(Setting::Language);
            if let Some(d) = default {
                notes.push(format!("language: {d} (default)"));
            }
        }
    }
    let credentials = &settings.credentials;
    if credentials.origin == Origin::Client {
        // Which of the client's sources: the kind and where, never a value.
        let kind = match client.config().credentials() {
            Some(taurusdb::Credentials::AkSk(k)) => format!("AK/SK, access key {}", k.access_key()),
            Some(taurusdb::Credentials::Metadata(_)) => "temporary AK/SK".to_string(),
            Some(taurusdb::Credentials::Token(_)) => "IAM token".to_string(),
            _ => "none".to_string(),
        };
        let source = client
            .config()
            .credential_source()
            .map_or("(none)".to_string(), ToString::to_string);
        notes.push(format!(
            "credentials: {} (from {})",
            sanitize(&kind),
            sanitize(&source)
        ));
    } else {
        notes.push(format!(
            "credentials: {} {}",
            sanitize(&credentials.description),
            from(&credentials.origin)
        ));
    }
}
