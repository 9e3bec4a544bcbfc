//! What the hooks learn during one call, kept in a task-local for the call's duration: the
//! latest response's status and request ID, a typed error a hook raised, why a redirect
//! was not followed, and the temporary credentials the call signs with. The transport writes it; the call reads it once, when mapping a failure
//! to [`crate::Error`].

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::Error;
use crate::metadata::Session;

/// The response header that identifies a request to Huawei Cloud support.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// The `X-Request-Id` of a response: the one place that reads it.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
}

/// What the hooks learned during one call.
#[derive(Default)]
pub(crate) struct CallState {
    pub(crate) status: Option<StatusCode>,
    /// The header's value as it came (a shared reference to the response's bytes, not a
    /// copy: recorded for every response, read only when a call fails).
    request_id: Option<HeaderValue>,
    pub(crate) error: Option<Error>,
    /// Why the transport stopped at a redirect: decided once, where it was seen.
    pub(crate) redirect: Option<String>,
    /// The metadata service's credentials, taken once per call (by `pre`) so that every
    /// attempt of the call signs with the same ones.
    session: Option<Arc<Session>>,
}

tokio::task_local! {
    static CALL: RefCell<CallState>;
}

/// Runs `call` with a fresh state and returns its output with what was recorded.
pub(crate) async fn scope<T>(call: impl Future<Output = T>) -> (T, CallState) {
    CALL.scope(RefCell::new(CallState::default()), async {
        let out = call.await;
        (out, CALL.with(|c| c.take()))
    })
    .await
}

fn with(f: impl FnOnce(&mut CallState)) {
    let _ = CALL.try_with(|c| f(&mut c.borrow_mut()));
}

/// Records the latest response of the current call.
pub(crate) fn record_response(status: StatusCode, headers: &HeaderMap) {
    with(|c| {
        c.status = Some(status);
        c.request_id = headers.get(REQUEST_ID).cloned();
    });
}

impl CallState {
    /// The `X-Request-Id` of the latest response.
    pub(crate) fn request_id(&self) -> Option<String> {
        let id = self.request_id.as_ref()?.to_str().ok()?;
        Some(id.to_string())
    }
}

/// Records why a redirect response was not followed.
pub(crate) fn record_redirect(reason: String) {
    with(|c| c.redirect = Some(reason));
}

/// Keeps a hook's typed error for the call; returns its message for progenitor's error.
pub(crate) fn record_error(e: Error) -> String {
    let message = e.to_string();
    with(|c| c.error = Some(e));
    message
}

/// Keeps the temporary credentials the current call signs with.
pub(crate) fn set_session(session: Arc<Session>) {
    with(|c| c.session = Some(session));
}

/// The temporary credentials of the current call, if `pre` took some.
pub(crate) fn session() -> Option<Arc<Session>> {
    CALL.try_with(|c| c.borrow().session.clone()).ok().flatten()
}
