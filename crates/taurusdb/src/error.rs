//! [`Error`]: the one error type of the client's calls.

use std::fmt;

use reqwest::StatusCode;

use crate::call::ApiErrorBody;

/// Everything that can go wrong when calling the API, in one type.
///
/// It carries the HTTP status whenever a response arrived (also when its body was not
/// JSON), the service's `error_code` and `error_msg` when the body had them, the
/// `X-Request-Id` response header, and the raw body text when the body could not be decoded.
/// [`Error::kind`] says which class of failure it is. Its `Display` is one line; no secret
/// (token, secret key) ever appears in it.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<StatusCode>,
    error_code: Option<String>,
    error_msg: Option<String>,
    request_id: Option<String>,
    body: Option<String>,
    parameter: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The class of an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Refused before anything was sent: an argument breaks the spec's rules (length, pattern,
    /// range, enumeration), a header value has a control character, or a path parameter
    /// cannot be one path segment. [`Error::parameter`] names the argument.
    InvalidRequest,
    /// The client's configuration is incomplete or invalid (no project ID, unknown region,
    /// a credential missing from the environment).
    Config,
    /// Credentials could not be obtained (a token provider failed).
    Credentials,
    /// The service answered with an error status (4xx or 5xx), or with a status the API does
    /// not document.
    Api,
    /// A response arrived but its body could not be decoded.
    Decode,
    /// The response body was larger than the configured maximum; it was not read to the end.
    BodyTooLarge,
    /// No response within the configured timeout.
    Timeout,
    /// The connection could not be made or broke (refused, reset, TLS, DNS).
    Connect,
    /// A job the client waited for (`Client::wait_for_*`) ended as failed; the message names
    /// it and its status, [`Error::body`] is its last status response.
    JobFailed,
    /// A job the client waited for had not ended when the wait's timeout passed; the message
    /// names it and its last status.
    WaitTimeout,
    /// Nothing was sent: the client is a dry run ([`crate::ClientBuilder::dry_run`]);
    /// [`Error::body`] is the request it would have sent, secrets redacted.
    DryRun,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                error_code: None,
                error_msg: None,
                request_id: None,
                body: None,
                parameter: None,
                source: None,
            }),
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidRequest, message)
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// The same error of another kind.
    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// The same error, its message after `prefix`.
    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.inner.message = format!("{prefix}{}", self.inner.message);
        self
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }

    pub(crate) fn with_body(mut self, body: String) -> Self {
        self.inner.body = Some(body);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_boxed_source(
        mut self,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        self.inner.source = Some(source);
        self
    }

    pub(crate) fn with_api_error(mut self, body: &dyn ApiErrorBody) -> Self {
        self.inner.error_code = body.error_code().map(str::to_string);
        self.inner.error_msg = body.error_message().map(str::to_string);
        self
    }

    pub(crate) fn with_parameter(mut self, name: &str) -> Self {
        self.inner.parameter = Some(name.to_string());
        self
    }

    /// The class of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of the response, if one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The service's error code (`error_code`, e.g. `DBS.200001`), if the body had one.
    pub fn error_code(&self) -> Option<&str> {
        self.inner.error_code.as_deref()
    }

    /// The service's error message (`error_msg`), if the body had one.
    pub fn error_msg(&self) -> Option<&str> {
        self.inner.error_msg.as_deref()
    }

    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The parameter (its name on the wire, as the spec gives it) that was refused before
    /// anything was sent, for an [`ErrorKind::InvalidRequest`] about one argument.
    pub fn parameter(&self) -> Option<&str> {
        self.inner.parameter.as_deref()
    }

    /// The response body as text, when it could not be decoded (an HTML error page, truncated
    /// JSON, a 2xx body that is not the documented object).
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// Whether retrying the same request could succeed: timeouts, connection failures, 429,
    /// 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect => true,
            ErrorKind::Api => self
                .inner
                .status
                .is_some_and(crate::retry::is_retryable_status),
            _ => false,
        }
    }
}

/// Makes text fit on one line of a message: whitespace runs become one space, and long text
/// is cut (on a character boundary) with an ellipsis.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max_chars).collect();
    format!("{cut}…")
}

const BODY_IN_MESSAGE: usize = 160;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        if let Some(status) = i.status {
            write!(f, "HTTP {status}")?;
            if !i.message.is_empty() {
                write!(f, ": {}", i.message)?;
            }
            match (&i.error_code, &i.error_msg) {
                (Some(code), Some(msg)) => {
                    write!(f, ": {code}: {}", one_line(msg, BODY_IN_MESSAGE))?
                }
                (Some(code), None) => write!(f, ": {code}")?,
                (None, Some(msg)) => write!(f, ": {}", one_line(msg, BODY_IN_MESSAGE))?,
                (None, None) => {}
            }
        } else {
            f.write_str(&i.message)?;
        }
        if let Some(source) = &i.source {
            let mut next: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
            let mut last = String::new();
            while let Some(e) = next {
                let text = e.to_string();
                if !text.is_empty() && !last.contains(&text) {
                    write!(f, ": {}", one_line(&text, BODY_IN_MESSAGE))?;
                }
                last = text;
                next = e.source();
            }
        }
        if i.error_code.is_none()
            && i.error_msg.is_none()
            && let Some(body) = &i.body
        {
            if body.trim().is_empty() {
                f.write_str(" (empty body)")?;
            } else {
                write!(f, ": body: {}", one_line(body, BODY_IN_MESSAGE))?;
            }
        }
        if let Some(id) = &i.request_id {
            write!(f, " (request ID {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind);
        if !i.message.is_empty() {
            d.field("message", &i.message);
        }
        if let Some(s) = i.status {
            d.field("status", &s.as_u16());
        }
        if let Some(c) = &i.error_code {
            d.field("error_code", c);
        }
        if let Some(m) = &i.error_msg {
            d.field("error_msg", m);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(p) = &i.parameter {
            d.field("parameter", p);
        }
        if let Some(b) = &i.body {
            d.field("body", &one_line(b, 400));
        }
        if let Some(s) = &i.source {
            d.field("source", &s.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_ref().map(|s| s.as_ref() as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Body(&'static str, &'static str);

    impl ApiErrorBody for Body {
        fn error_code(&self) -> Option<&str> {
            Some(self.0)
        }
        fn error_message(&self) -> Option<&str> {
            Some(self.1)
        }
    }

    #[test]
    fn display_is_one_line_with_everything_known() {
        let e = Error::new(ErrorKind::Api, "")
            .with_status(StatusCode::BAD_REQUEST)
            .with_api_error(&Body("DBS.200022", "Instance not found."))
            .with_request_id(Some("req-1".into()));
        assert_eq!(
            e.to_string(),
            "HTTP 400 Bad Request: DBS.200022: Instance not found. (request ID req-1)"
        );

        let e = Error::new(ErrorKind::Api, "not a JSON error body")
            .with_status(StatusCode::BAD_GATEWAY)
            .with_body("<html>\n  <body>Bad\n gateway</body>\n</html>".into());
        assert_eq!(
            e.to_string(),
            "HTTP 502 Bad Gateway: not a JSON error body: body: <html> <body>Bad gateway</body> </html>"
        );
        assert!(!format!("{e:?}").contains('\n'));
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        let s = one_line(&"é".repeat(500), 10);
        assert_eq!(s, format!("{}…", "é".repeat(10)));
    }
}
