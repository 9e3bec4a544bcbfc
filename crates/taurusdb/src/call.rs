//! [`Client::replication_config`]: the call with the client's defaults filled in, every
//! argument checked before anything is sent, and every failure mapped to [`Error`].
//!
//! The generated builder (`client.list_star_rocks_data_replication_config()`) stays
//! available; it returns progenitor's error type, which loses the status of an error body
//! that is not JSON. This call does not: the hooks record each response's status and
//! request ID in a task-local for the duration of the call.

use std::cell::RefCell;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::transport::{REQUEST_ID, same_origin};
use crate::types::{ErrorResponse, Language, StarRocksReplicationConfig};
use crate::{Client, Error, ErrorKind, ResponseValue, validate};

/// What the hooks learn during one call.
#[derive(Default)]
pub(crate) struct CallState {
    status: Option<StatusCode>,
    request_id: Option<String>,
    error: Option<Error>,
}

tokio::task_local! {
    static CALL: RefCell<CallState>;
}

/// Records the latest response of the current call.
pub(crate) fn record_response(status: StatusCode, request_id: Option<&str>) {
    let _ = CALL.try_with(|c| {
        let mut c = c.borrow_mut();
        c.status = Some(status);
        c.request_id = request_id.map(str::to_string);
    });
}

/// Keeps a hook's typed error for the call; returns its message for progenitor's error.
pub(crate) fn record_error(e: Error) -> String {
    let message = e.to_string();
    let _ = CALL.try_with(|c| c.borrow_mut().error = Some(e));
    message
}

/// A query for the configuration of one StarRocks data synchronization task. Made by
/// [`Client::replication_config`]; `.await` it (or call [`send`](Self::send)).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is awaited"]
pub struct ReplicationConfigRequest<'a> {
    client: &'a Client,
    instance_id: String,
    task_name: String,
    language: Option<Language>,
}

impl Client {
    /// Queries the configuration of the StarRocks data synchronization task `task_name` of
    /// the TaurusDB instance `instance_id` (`GET /v3/{project_id}/instances/{instance_id}/
    /// starrocks/databases/replication/configuration`), with the client's project ID and
    /// language.
    ///
    /// `task_name` must have 3 to 128 letters, digits or underscores, and `instance_id` must
    /// be a usable path segment; otherwise the call fails with [`ErrorKind::InvalidRequest`]
    /// before anything is sent.
    pub fn replication_config(
        &self,
        instance_id: impl Into<String>,
        task_name: impl Into<String>,
    ) -> ReplicationConfigRequest<'_> {
        ReplicationConfigRequest {
            client: self,
            instance_id: instance_id.into(),
            task_name: task_name.into(),
            language: None,
        }
    }
}

impl<'a> ReplicationConfigRequest<'a> {
    /// `X-Language` for this call, instead of the client's default.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<ResponseValue<StarRocksReplicationConfig>, Error> {
        let config = self.client.config();
        validate::path_segment(&config.project_id, "the project ID")?;
        validate::path_segment(&self.instance_id, "instance_id")?;
        let task_name = validate::task_name(&self.task_name)?;
        let language = self.language.unwrap_or(config.language);
        let builder = self
            .client
            .list_star_rocks_data_replication_config()
            .project_id(config.project_id.as_str())
            .instance_id(self.instance_id)
            .task_name(task_name)
            .x_language(language);
        let (result, state) = CALL
            .scope(RefCell::new(CallState::default()), async {
                let result = builder.send().await;
                (result, CALL.with(|c| c.take()))
            })
            .await;
        match result {
            Ok(value) => Ok(value),
            Err(e) => Err(from_progenitor(e, state).await),
        }
    }
}

impl<'a> IntoFuture for ReplicationConfigRequest<'a> {
    type Output = Result<ResponseValue<StarRocksReplicationConfig>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The request ID of a successful response.
pub trait ResponseValueExt {
    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    fn request_id(&self) -> Option<&str>;
}

impl<T> ResponseValueExt for ResponseValue<T> {
    fn request_id(&self) -> Option<&str> {
        self.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok())
    }
}

fn header_request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Maps progenitor's error, with what the hooks recorded, to [`Error`].
pub(crate) async fn from_progenitor(
    e: progenitor_client::Error<ErrorResponse>,
    state: CallState,
) -> Error {
    use progenitor_client::Error as P;
    if let Some(error) = state.error {
        return error;
    }
    let with_meta = |mut err: Error| {
        if let Some(s) = state.status {
            err = err.with_status(s);
        }
        err.with_request_id(state.request_id.clone())
    };
    match e {
        P::InvalidRequest(message) | P::Custom(message) => Error::invalid_request(message),
        P::CommunicationError(e) | P::InvalidUpgrade(e) => transport(e, "the request failed"),
        P::ErrorResponse(rv) => Error::new(ErrorKind::Api, "")
            .with_status(rv.status())
            .with_request_id(header_request_id(rv.headers()))
            .with_api_error(&rv),
        P::ResponseBodyError(e) => with_meta(body_error(e)),
        // An error status whose body is not the documented JSON is still an API error.
        P::InvalidResponsePayload(bytes, _) if state.status.is_some_and(|s| !s.is_success()) => {
            with_meta(
                Error::new(ErrorKind::Api, "")
                    .with_body(String::from_utf8_lossy(&bytes).into_owned()),
            )
        }
        P::InvalidResponsePayload(bytes, e) => with_meta(
            Error::new(ErrorKind::Decode, "the response body could not be decoded")
                .with_body(String::from_utf8_lossy(&bytes).into_owned())
                .with_source(e),
        ),
        P::UnexpectedResponse(response) => unexpected(response).await,
    }
}

/// An error with no response: timeout or connection failure.
fn transport(e: reqwest::Error, message: &str) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connect
    };
    let message = if e.is_timeout() {
        format!("{message}: timed out")
    } else {
        message.to_string()
    };
    Error::new(kind, message).with_source(e.without_url())
}

/// Reading the body failed: too large, timed out, or the connection broke.
fn body_error(e: reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return Error::new(
                ErrorKind::BodyTooLarge,
                "the response body is larger than the client's maximum (max_response_bytes); it was not read",
            );
        }
        source = s.source();
    }
    transport(e, "the response body could not be read")
}

/// A status the spec does not list for this operation.
async fn unexpected(response: reqwest::Response) -> Error {
    let status = response.status();
    let request_id = header_request_id(response.headers());
    if status.is_redirection() {
        let from = response.url().clone();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let message = match location.as_deref().and_then(|l| from.join(l).ok()) {
            Some(to) if !same_origin(&from, &to) => format!(
                "redirect to another origin ({}) not followed: credentials are never sent to another host",
                to.origin().ascii_serialization()
            ),
            Some(_) => "too many redirects".to_string(),
            None => "redirect without a usable Location header".to_string(),
        };
        return Error::new(ErrorKind::Api, message)
            .with_status(status)
            .with_request_id(request_id);
    }
    let message = if status.is_success() {
        "a success status the API does not document"
    } else {
        ""
    };
    let base = Error::new(ErrorKind::Api, message)
        .with_status(status)
        .with_request_id(request_id);
    match response.text().await {
        Ok(text) => match serde_json::from_str::<ErrorResponse>(&text) {
            Ok(body) if body.error_code.is_some() || body.error_msg.is_some() => {
                base.with_api_error(&body)
            }
            _ => base.with_body(text),
        },
        Err(e) => {
            let read = body_error(e);
            let kind = read.kind();
            let mut err = Error::new(kind, read.to_string()).with_status(status);
            if let Some(id) = base.request_id() {
                err = err.with_request_id(Some(id.to_string()));
            }
            err
        }
    }
}
