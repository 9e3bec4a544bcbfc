//! The one path every operation's call takes. The entry points that `cargo xtask gen` writes
//! for each operation (see `requests` in the generated code) call [`run`]: it looks up the
//! project ID if the call needs it, lets the entry point convert and check its arguments
//! (with [`convert`], [`required`] and [`optional`]) and describe its request
//! (`exchange::Request`), and hands the exchange to [`send`], which runs it in a call scope
//! (see `state`) and maps any failure to [`Error`]. Nothing here names an operation, a
//! parameter or a field: an error body is read through [`ApiErrorBody`], which the generator
//! implements from the spec's `x-error-body`.

use std::fmt::Display;
use std::future::Future;

use serde::de::DeserializeOwned;

use crate::spec::Setting;
use crate::state::{self, CallState};
use crate::{Client, Error, ErrorKind, ResponseValue};

/// An error body of the API: where its error code and message are. `cargo xtask gen`
/// implements it for every error schema of the spec, from its `x-error-body` extension.
pub trait ApiErrorBody {
    /// The service's error code (e.g. `DBS.200001`), if the body has one.
    fn error_code(&self) -> Option<&str>;
    /// The service's error message, if the body has one.
    fn error_message(&self) -> Option<&str>;
}

/// An operation that documents no error body.
impl ApiErrorBody for () {
    fn error_code(&self) -> Option<&str> {
        None
    }
    fn error_message(&self) -> Option<&str> {
        None
    }
}

/// Converts an argument to the parameter's type, keeping the reason of a refusal (progenitor's
/// builders drop it).
pub(crate) fn convert<T, V>(value: V) -> Result<T, String>
where
    V: TryInto<T, Error: Display>,
{
    value.try_into().map_err(|e| e.to_string())
}

/// An argument the spec's rules refuse.
pub(crate) fn invalid(name: &str, reason: impl Display) -> Error {
    Error::invalid_request(format!("invalid {name}: {reason}")).with_parameter(name)
}

/// The error of a generated builder's setter (`types::builder::X`) whose value does not
/// convert: the message typify's builders make, made here once for all of them (`cargo xtask
/// gen` points their setters here).
#[allow(dead_code)] // called by the generated builders, if the spec has any
pub(crate) fn conversion_error<E: Display>(field: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("error converting supplied value for {field}: {e}")
}

/// A required parameter's value, or the error naming it.
pub(crate) fn required<T>(name: &str, value: Option<Result<T, String>>) -> Result<T, Error> {
    match value {
        Some(Ok(v)) => Ok(v),
        Some(Err(reason)) => Err(invalid(name, reason)),
        None => Err(
            Error::invalid_request(format!("the required parameter {name} has no value"))
                .with_parameter(name),
        ),
    }
}

/// An optional parameter's value, or the error naming it.
#[allow(dead_code)] // called by the generated entry points of operations with optional parameters
pub(crate) fn optional<T>(
    name: &str,
    value: Option<Result<T, String>>,
) -> Result<Option<T>, Error> {
    value.transpose().map_err(|reason| invalid(name, reason))
}

/// The value of a client setting for an entry point's parameter: [`crate::Config::setting`],
/// except that a project ID still to be looked up is looked up here (once for the client:
/// see [`Client::project_id`]). The lookup's future is boxed, so that it does not size
/// every call's.
async fn setting(client: &Client, setting: Setting) -> Result<Option<&str>, Error> {
    if let Some(value) = client.config().setting(setting) {
        return Ok(Some(value));
    }
    match setting {
        // A dry run sends nothing, IAM's lookup included.
        Setting::ProjectId
            if client.config().project.lookup.is_some() && client.config().dry_run =>
        {
            Ok(Some(crate::dry_run::UNKNOWN_PROJECT))
        }
        Setting::ProjectId if client.config().project.lookup.is_some() => {
            Box::pin(client.project_id()).await.map(Some)
        }
        _ => Ok(None),
    }
}

/// The client's settings as an entry point's request reads them when it is prepared: the
/// configured values, and the project ID looked up for this call if it needed one.
pub(crate) struct Settings<'a> {
    client: &'a Client,
    project: Option<&'a str>,
}

impl<'a> Settings<'a> {
    /// The value of `setting`, if the client has one.
    pub(crate) fn get(&self, setting: Setting) -> Option<&'a str> {
        match setting {
            Setting::ProjectId if self.project.is_some() => self.project,
            _ => self.client.config().setting(setting),
        }
    }
}

/// Makes one call of an operation: looks up the project ID first if `lookup` says the request
/// needs it and the client has none (see [`setting`]), lets the entry point `prepare` its
/// request from its arguments and the settings (every check happens there, before anything is
/// sent), sends it, and reads a JSON (or empty) success body.
///
/// The entry points' `send` call this, so that the one `async` body of every call is this one,
/// checked once by the compiler, rather than one per operation (BENCHMARKS.md, the corpus).
// Not an `async fn`: its future is declared `Send` here, once for every operation.
#[allow(clippy::manual_async_fn)]
pub(crate) fn run<'a, S, E, F>(
    client: &'a Client,
    operation: &'static str,
    lookup: bool,
    prepare: F,
) -> impl Future<Output = Result<ResponseValue<S>, Error>> + Send + 'a
where
    S: DeserializeOwned + Send + 'a,
    E: ApiErrorBody + DeserializeOwned + Send + 'a,
    F: FnOnce(&Settings<'a>) -> Result<crate::exchange::Request<'a>, Error> + Send + 'a,
{
    async move {
        let request = prepared(client, lookup, prepare).await?;
        send::<S, E, _>(operation, request.json_response::<S, E>()).await
    }
}

/// [`run`] for an operation whose success body is a file: it is streamed.
#[allow(dead_code)] // in the generated code of a spec with a file download
#[allow(clippy::manual_async_fn)]
pub(crate) fn run_stream<'a, E, F>(
    client: &'a Client,
    operation: &'static str,
    lookup: bool,
    prepare: F,
) -> impl Future<Output = Result<ResponseValue<crate::ByteStream>, Error>> + Send + 'a
where
    E: ApiErrorBody + DeserializeOwned + Send + 'a,
    F: FnOnce(&Settings<'a>) -> Result<crate::exchange::Request<'a>, Error> + Send + 'a,
{
    async move {
        let request = prepared(client, lookup, prepare).await?;
        send::<crate::ByteStream, E, _>(operation, request.stream_response::<E>()).await
    }
}

async fn prepared<'a, F>(
    client: &'a Client,
    lookup: bool,
    prepare: F,
) -> Result<crate::exchange::Request<'a>, Error>
where
    F: FnOnce(&Settings<'a>) -> Result<crate::exchange::Request<'a>, Error>,
{
    let project = match lookup {
        true => setting(client, Setting::ProjectId).await?,
        false => None,
    };
    prepare(&Settings { client, project })
}

/// Sends one call (progenitor's `send` future) in a call scope and maps its failure.
///
/// progenitor's future (several KB: the hooks, retries and reqwest's future inside) is moved
/// to the heap here, once, so that the futures around it (the call scope, this one, the
/// entry point's, and the box `IntoFuture` makes) hold a pointer to it rather than a copy
/// each: every `async` layer that takes a future by value stores it again, and moving those
/// copies was the largest part of a call's overhead (BENCHMARKS.md, per-request overhead).
pub(crate) fn send<S, E, F>(
    operation: &'static str,
    call: F,
) -> impl Future<Output = Result<ResponseValue<S>, Error>>
where
    F: Future<Output = Result<ResponseValue<S>, progenitor_client::Error<E>>>,
    E: ApiErrorBody + DeserializeOwned,
{
    let call = Box::pin(call);
    async move {
        let (result, state) = state::scope(call).await;
        match result {
            Ok(value) => Ok(value),
            Err(e) => {
                // Boxed: the error path's future would otherwise size every call's.
                let err = Box::pin(from_progenitor(e, state)).await;
                tracing::debug!(operation, "call failed: {err}");
                Err(err)
            }
        }
    }
}

/// The request ID of a successful response.
pub trait ResponseValueExt {
    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    fn request_id(&self) -> Option<&str>;
}

impl<T> ResponseValueExt for ResponseValue<T> {
    fn request_id(&self) -> Option<&str> {
        state::request_id(self.headers())
    }
}

/// The body of a file download (an operation whose success body is bytes, whose entry point
/// returns a [`ByteStream`](crate::ByteStream)), read to the end.
pub trait ResponseBytes {
    /// Reads the whole body; more than the client's `max_response_bytes` is an error of kind
    /// [`ErrorKind::BodyTooLarge`], a broken connection one of [`ErrorKind::Connect`].
    fn bytes(self) -> impl Future<Output = Result<bytes::Bytes, Error>> + Send;
}

impl ResponseBytes for ResponseValue<crate::ByteStream> {
    async fn bytes(self) -> Result<bytes::Bytes, Error> {
        let request_id = state::request_id(self.headers()).map(str::to_string);
        let status = self.status();
        let mut stream = self.into_inner_stream();
        let mut chunks: Vec<bytes::Bytes> = Vec::new();
        while let Some(chunk) =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await
        {
            match chunk {
                Ok(c) => chunks.push(c),
                Err(e) => {
                    return Err(body_error(e)
                        .with_status(status)
                        .with_request_id(request_id));
                }
            }
        }
        Ok(match chunks.len() {
            1 => chunks.pop().unwrap_or_default(),
            _ => chunks.concat().into(),
        })
    }
}

/// Maps progenitor's error, with what the hooks recorded, to [`Error`].
async fn from_progenitor<E>(e: progenitor_client::Error<E>, state: CallState) -> Error
where
    E: ApiErrorBody + DeserializeOwned,
{
    use progenitor_client::Error as P;
    let request_id = state.request_id();
    let CallState {
        status,
        error,
        redirect,
        ..
    } = state;
    if let Some(error) = error {
        return error;
    }
    let with_meta = |mut err: Error| {
        if let Some(s) = status {
            err = err.with_status(s);
        }
        err.with_request_id(request_id.clone())
    };
    match e {
        P::InvalidRequest(message) | P::Custom(message) => Error::invalid_request(message),
        P::CommunicationError(e) | P::InvalidUpgrade(e) => transport(e, "the request failed"),
        P::ErrorResponse(rv) => Error::new(ErrorKind::Api, "")
            .with_status(rv.status())
            .with_request_id(state::request_id(rv.headers()).map(str::to_string))
            .with_api_error(&*rv),
        P::ResponseBodyError(e) => with_meta(body_error(e)),
        // An error status whose body is not the documented JSON is still an API error.
        P::InvalidResponsePayload(bytes, _) if status.is_some_and(|s| !s.is_success()) => {
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
        P::UnexpectedResponse(response) => unexpected::<E>(response, redirect).await,
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

/// A status the spec does not list for this operation (or a redirect the transport did not
/// follow, with the reason it recorded).
async fn unexpected<E>(response: reqwest::Response, redirect: Option<String>) -> Error
where
    E: ApiErrorBody + DeserializeOwned,
{
    let status = response.status();
    let request_id = state::request_id(response.headers()).map(str::to_string);
    if status.is_redirection() {
        let message = redirect.unwrap_or_else(|| "redirect not followed".to_string());
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
        Ok(text) => match serde_json::from_str::<E>(&text) {
            Ok(body) if body.error_code().is_some() || body.error_message().is_some() => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// progenitor's future is held behind one pointer: the future of [`send`] (which the
    /// entry points await and `IntoFuture` boxes) does not grow with it.
    #[test]
    fn the_call_future_does_not_hold_progenitor_s_future_by_value() {
        let big = [7u8; 16 * 1024];
        let call = async move {
            std::hint::black_box(&big);
            Ok::<ResponseValue<()>, progenitor_client::Error<()>>(ResponseValue::new(
                (),
                reqwest::StatusCode::OK,
                Default::default(),
            ))
        };
        assert!(std::mem::size_of_val(&call) >= 16 * 1024);
        let sent = send::<(), (), _>("operation", call);
        assert!(
            std::mem::size_of_val(&sent) < 1024,
            "send's future is {} bytes",
            std::mem::size_of_val(&sent)
        );
    }
}
