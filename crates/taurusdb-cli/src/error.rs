//! Failures, their exit codes, and how they are reported on stderr: one line, or with
//! `--verbose` that line and the details `taurusdb::Error` keeps. No secret is ever part of
//! either: the client's errors never hold one, and the CLI's own messages name settings,
//! never their values.

use std::fmt::Write as _;

use taurusdb::ErrorKind;

/// The exit statuses, by class of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The response was shown (or, with `--dry-run`, the request; with `--skeleton`, a body).
    Ok = 0,
    /// Anything not covered below (output could not be written, no async runtime).
    Other = 1,
    /// A usage error or invalid input, refused before any request (clap uses 2 too); a
    /// question (`x-cli-confirm`) not answered yes.
    Usage = 2,
    /// The API answered with an error.
    Api = 3,
    /// The network failed or timed out; with `--wait`, the job had not ended in time.
    Network = 4,
    /// The response could not be decoded.
    Decode = 5,
    /// `--check-spec`: the response was shown, and it departs from the spec.
    Departs = 6,
    /// `--wait`: the job ended as failed.
    JobFailed = 7,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Refused before any request: a missing or invalid setting, an unreadable config file.
    Invalid(String),
    /// The call failed.
    Call(taurusdb::Error),
    /// The output could not be written.
    Output(std::io::Error),
    /// Something that should not happen (no async runtime, an internal mismatch).
    Internal(String),
    /// `--check-spec`: the response was shown and the report printed; it departs from the spec.
    Departs,
    /// `--wait`: the call succeeded, and waiting for its job did not (the job failed, had not
    /// ended in time, or could not be polled); `look` is the command that shows the job.
    Wait {
        /// What went wrong.
        error: taurusdb::Error,
        /// The command line that shows the job.
        look: String,
    },
    /// `--wait`: the response does not say which job the call started, or names one that
    /// the operation showing jobs cannot take.
    NoJob(String),
}

impl CliError {
    /// The exit status of this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Invalid(_) => Exit::Usage,
            CliError::Call(e) => exit_of(e.kind()),
            CliError::Output(_) | CliError::Internal(_) => Exit::Other,
            CliError::Departs => Exit::Departs,
            CliError::Wait { error, .. } => exit_of(error.kind()),
            CliError::NoJob(_) => Exit::Decode,
        }
    }

    /// The report for stderr: `error: ...`, one line unless `verbose`; always ends in a
    /// newline.
    pub fn report(&self, verbose: bool) -> String {
        let mut out = match self {
            CliError::Invalid(m) | CliError::Internal(m) | CliError::NoJob(m) => {
                format!("error: {}\n", sanitize(m))
            }
            CliError::Wait { error, look } => format!(
                "error: {}\n  look at the job again with: {}\n",
                sanitize(&error.to_string()),
                sanitize(look)
            ),
            CliError::Output(e) => format!("error: cannot write the output: {e}\n"),
            CliError::Call(e) => format!("error: {}\n", sanitize(&e.to_string())),
            // The output and the report are already printed.
            CliError::Departs => return String::new(),
        };
        if verbose {
            self.details(&mut out);
        }
        out
    }

    fn details(&self, out: &mut String) {
        let exit = self.exit() as u8;
        let (CliError::Call(e) | CliError::Wait { error: e, .. }) = self else {
            let _ = writeln!(out, "  exit status: {exit}");
            return;
        };
        let mut field = |name: &str, value: &str| {
            let _ = writeln!(out, "  {name:<13} {}", sanitize(value));
        };
        field(
            "kind:",
            &format!("{} (exit status {exit})", kind_name(e.kind())),
        );
        if let Some(s) = e.status() {
            field("HTTP status:", &s.to_string());
        }
        if let Some(c) = e.error_code() {
            field("error code:", c);
        }
        if let Some(m) = e.error_msg() {
            field("message:", m);
        }
        if let Some(r) = e.request_id() {
            field("request ID:", r);
        }
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            field("caused by:", &s.to_string());
            source = s.source();
        }
        if let Some(body) = e.body() {
            // The body as received, line by line, indented under its label.
            let _ = writeln!(out, "  body:");
            for line in cut(body, BODY_SHOWN).lines() {
                let _ = writeln!(out, "    {}", sanitize(line));
            }
        }
    }
}

/// How much of an undecodable body `--verbose` shows.
const BODY_SHOWN: usize = 2000;

/// The exit status of a client error. `Credentials` (a token provider failed: nothing was
/// sent, and the fix is in the user's setup) counts as invalid input. Kinds added to the
/// client later count as "other" until mapped.
pub fn exit_of(kind: ErrorKind) -> Exit {
    match kind {
        ErrorKind::InvalidRequest | ErrorKind::Config | ErrorKind::Credentials => Exit::Usage,
        ErrorKind::Api => Exit::Api,
        ErrorKind::Timeout | ErrorKind::Connect => Exit::Network,
        ErrorKind::Decode | ErrorKind::BodyTooLarge => Exit::Decode,
        ErrorKind::WaitTimeout => Exit::Network,
        ErrorKind::JobFailed => Exit::JobFailed,
        _ => Exit::Other,
    }
}

fn kind_name(kind: ErrorKind) -> String {
    match kind {
        ErrorKind::InvalidRequest => "invalid request".into(),
        ErrorKind::Config => "configuration".into(),
        ErrorKind::Credentials => "credentials".into(),
        ErrorKind::Api => "API error".into(),
        ErrorKind::Decode => "undecodable response".into(),
        ErrorKind::BodyTooLarge => "response too large".into(),
        ErrorKind::Timeout => "timeout".into(),
        ErrorKind::Connect => "connection".into(),
        ErrorKind::WaitTimeout => "job not ended in time".into(),
        ErrorKind::JobFailed => "job failed".into(),
        other => format!("{other:?}"),
    }
}

/// At most `max` characters of `text`, saying how much was left out.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} more bytes)", &text[..i], text.len() - i),
        None => text.to_string(),
    }
}

/// Text from the server or the user, made safe for a terminal: control characters (escape
/// sequences included) are shown escaped; line breaks and tabs become spaces, so that a
/// report stays one line per field.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_by_kind() {
        assert_eq!(exit_of(ErrorKind::InvalidRequest), Exit::Usage);
        assert_eq!(exit_of(ErrorKind::Config), Exit::Usage);
        assert_eq!(exit_of(ErrorKind::Credentials), Exit::Usage);
        assert_eq!(exit_of(ErrorKind::Api), Exit::Api);
        assert_eq!(exit_of(ErrorKind::Timeout), Exit::Network);
        assert_eq!(exit_of(ErrorKind::Connect), Exit::Network);
        assert_eq!(exit_of(ErrorKind::Decode), Exit::Decode);
        assert_eq!(exit_of(ErrorKind::BodyTooLarge), Exit::Decode);
        assert_eq!(exit_of(ErrorKind::WaitTimeout), Exit::Network);
        assert_eq!(exit_of(ErrorKind::JobFailed), Exit::JobFailed);
        assert_eq!(Exit::JobFailed as u8, 7);
        assert_eq!(CliError::NoJob("x".into()).exit(), Exit::Decode);
        assert_eq!(CliError::Invalid("x".into()).exit(), Exit::Usage);
    }

    #[test]
    fn reports_are_safe_for_a_terminal() {
        assert_eq!(sanitize("a\x1b[31mb\nc"), "a\\u{1b}[31mb c");
        let r = CliError::Invalid("bad\r\nthing".into()).report(false);
        assert_eq!(r, "error: bad  thing\n");
        assert_eq!(
            CliError::Invalid("x".into()).report(true),
            "error: x\n  exit status: 2\n"
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        assert_eq!(cut("héllo", 2), "hé… (3 more bytes)");
        assert_eq!(cut("hi", 2), "hi");
    }
}
