//! The client's hooks into the generated code ([`ClientHooks`]): what happens to a request
//! between the generated builder and the network, and to its response on the way back.
//!
//! - `pre`, once per call: drop progenitor's `api-version` header (the service does not
//!   define it), add `X-Project-Id`, and authenticate: an IAM token as `X-Auth-Token`, or for
//!   AK/SK the security token (temporary credentials of the metadata service are taken here,
//!   once per call, fetched first if they are about to expire).
//! - `exec`, per call: send with retries (see [`crate::retry`]) as the operation allows: an
//!   idempotent one (GET, HEAD, OPTIONS, or one the spec marks `x-idempotent: true`) is
//!   retried after a connection failure, a timeout or a retryable status; any other (POST,
//!   PUT, PATCH, DELETE: they change things and start jobs) only when the connection could
//!   not be made, so never once it may have reached the server; with several endpoints, go
//!   on at the next one when one cannot be connected to (refused, DNS, TLS handshake: the
//!   request was not written), for every method, and start later calls there; sign each
//!   attempt afresh with AK/SK; follow redirects only within the same origin, re-signing
//!   each hop, so that credentials never reach another host; wrap the body so that one
//!   larger than the configured maximum is refused without being read whole; and trace each
//!   attempt (operation, attempt, endpoint, status, request ID, latency; never a header
//!   value).

use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, LOCATION};
use reqwest::{Request, Response, ResponseBuilderExt, Url};
use tracing::Instrument;

use crate::credentials::{Credentials, TokenSource};
use crate::retry::{is_retryable_status, retry_after};
use crate::signing::Signer;
use crate::state;
use crate::{Client, Config, Error};

/// Same-origin redirects followed per attempt.
const MAX_REDIRECTS: usize = 5;

impl ClientHooks<Config> for Client {
    async fn pre<E>(
        &self,
        request: &mut Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let config = self.inner();
        let prepared = match prepare(config, request).await {
            Ok(()) if config.dry_run => Err(crate::dry_run::refusal(request, config)),
            other => other,
        };
        prepared.map_err(|e| progenitor_client::Error::Custom(state::record_error(e)))
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        execute(self, request, info).await
    }
}

async fn prepare(config: &Config, request: &mut Request) -> Result<(), Error> {
    let wire = &config.wire;
    let headers = request.headers_mut();
    headers.remove("api-version");
    let project_id = match (&wire.project_id, &config.project.lookup) {
        (Some(p), _) => Some(p),
        (None, Some(lookup)) => lookup.found.get().map(|(_, header)| header),
        (None, None) => None,
    };
    if let Some(p) = project_id {
        headers.insert(HeaderName::from_static("x-project-id"), p.clone());
    }
    if let Some(token) = &wire.token {
        headers.insert(HeaderName::from_static("x-auth-token"), token.clone());
    }
    if let Some(token) = &wire.security_token {
        headers.insert(HeaderName::from_static("x-security-token"), token.clone());
    }
    // A dry run fetches no credentials: it sends nothing, to IAM or the metadata service.
    if config.dry_run {
        return Ok(());
    }
    if let Some(Credentials::Token(TokenSource::Provider(p))) = &config.credentials {
        let token = p
            .token()
            .await
            .map_err(crate::credentials::provider_error)?;
        let value = token.header_value("the IAM token")?;
        request
            .headers_mut()
            .insert(HeaderName::from_static("x-auth-token"), value);
    }
    if let Some(Credentials::Metadata(m)) = &config.credentials {
        let session = Box::pin(m.session()).await?;
        if let Some(t) = &session.security_token {
            request
                .headers_mut()
                .insert(HeaderName::from_static("x-security-token"), t.clone());
        }
        state::set_session(session);
    }
    Ok(())
}

/// Failures with no response that are worth another attempt: for an idempotent request
/// any connection failure or timeout; otherwise only a connection that was never made, so
/// that the request cannot have reached the server.
fn is_retryable_error(e: &reqwest::Error, idempotent: bool) -> bool {
    if idempotent {
        e.is_connect() || e.is_timeout() || e.is_request()
    } else {
        e.is_connect()
    }
}

async fn execute(
    client: &Client,
    request: Request,
    info: &OperationInfo,
) -> reqwest::Result<Response> {
    let config = client.inner();
    let http = client.client();
    // Temporary credentials are the call's (taken by `pre`); others the client's.
    let session = if config.wire.metadata {
        state::session()
    } else {
        None
    };
    let signer = match &session {
        Some(s) => Some(&s.signer),
        None => config.wire.signer.as_ref(),
    };
    let started = Instant::now();
    let idempotent = crate::generated::idempotent(info.operation_id, request.method().as_str());
    let endpoints = &config.endpoints;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let span = tracing::info_span!(
            "taurusdb.request",
            operation = info.operation_id,
            attempt,
            method = %request.method(),
            path = request.url().path(),
            endpoint = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let sent = Instant::now();
        let outcome = if endpoints.len() == 1 {
            // The original stays as the template of retries and redirects.
            match copy(&request) {
                Some(r) => {
                    send(http, r, &request, signer)
                        .instrument(span.clone())
                        .await
                }
                // A streaming body cannot be sent twice: one attempt, no redirects.
                None => return send_once(http, request, signer).instrument(span).await,
            }
        } else {
            match failover(config, http, &request, signer)
                .instrument(span.clone())
                .await
            {
                Some(outcome) => outcome,
                None => return send_once(http, request, signer).instrument(span).await,
            }
        };
        span.record("latency_ms", sent.elapsed().as_millis() as u64);
        match outcome {
            Ok(response) => {
                let status = response.status();
                span.record("status", status.as_u16());
                if let Some(id) = state::request_id(response.headers()) {
                    span.record("request_id", id);
                }
                state::record_response(status, response.headers());
                if idempotent && is_retryable_status(status) {
                    let server_wait = retry_after(response.headers(), SystemTime::now());
                    if let Some(wait) =
                        config
                            .retry
                            .next_wait(attempt, server_wait, started.elapsed())
                    {
                        span.in_scope(|| {
                            tracing::info!(
                                wait_ms = wait.as_millis() as u64,
                                "status {status}: retrying"
                            )
                        });
                        drop(response);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
                span.in_scope(|| tracing::debug!("response {status}"));
                let response = limit_body(response, config.max_response_bytes);
                #[cfg(feature = "conformance")]
                let response = crate::conformance::tee(response, info.operation_id);
                return Ok(response);
            }
            Err(e) => {
                if is_retryable_error(&e, idempotent)
                    && let Some(wait) = config.retry.next_wait(attempt, None, started.elapsed())
                {
                    span.in_scope(|| {
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            "request failed ({e}): retrying"
                        )
                    });
                    tokio::time::sleep(wait).await;
                    continue;
                }
                span.in_scope(|| tracing::debug!("request failed: {e}"));
                return Err(e);
            }
        }
    }
}

/// One attempt over several endpoints: at the current one, and on a connection error (the
/// request was not written) at the next, each once; the endpoint that answers becomes the
/// current one. `None` when the request has a streaming body, which cannot be sent twice.
async fn failover(
    config: &Config,
    http: &reqwest::Client,
    template: &Request,
    signer: Option<&Signer>,
) -> Option<reqwest::Result<Response>> {
    let endpoints = &config.endpoints;
    let first = config.current.load(Ordering::Relaxed) % endpoints.len();
    let mut outcome = None;
    for k in 0..endpoints.len() {
        let at = (first + k) % endpoints.len();
        let mut request = copy(template)?;
        if at != 0 {
            let Some(url) = rebase(request.url(), &endpoints[0], &endpoints[at]) else {
                continue;
            };
            *request.url_mut() = url;
        }
        tracing::Span::current().record("endpoint", endpoints[at].as_str());
        // Redirects are followed from the URL that answered (`send` takes only the method,
        // headers and body from the template).
        match send(http, request, template, signer).await {
            Err(e) if e.is_connect() => {
                let next = &endpoints[(at + 1) % endpoints.len()];
                if k + 1 < endpoints.len() {
                    tracing::info!(
                        endpoint = endpoints[at].as_str(),
                        next = next.as_str(),
                        "cannot connect ({e}): trying the next endpoint"
                    );
                }
                config
                    .current
                    .store((at + 1) % endpoints.len(), Ordering::Relaxed);
                outcome = Some(Err(e));
            }
            other => {
                config.current.store(at, Ordering::Relaxed);
                return Some(other);
            }
        }
    }
    outcome
}

/// `url` (made from the endpoint `from`) moved to the endpoint `to`.
fn rebase(url: &Url, from: &str, to: &str) -> Option<Url> {
    let rest = url.as_str().strip_prefix(from)?;
    Url::parse(&format!("{to}{rest}")).ok()
}

/// Signs and sends one request. Not an `async fn`: reqwest's future is a pointer, where an
/// `async fn` would hold the request, and its own future, in every future around it.
fn send_once(
    http: &reqwest::Client,
    mut request: Request,
    signer: Option<&Signer>,
) -> impl Future<Output = reqwest::Result<Response>> + use<> {
    if let Some(s) = signer {
        s.sign(&mut request, SystemTime::now());
    }
    http.execute(request)
}

/// One attempt: signs, sends, and follows redirects that stay on the same origin (scheme,
/// host and port), each hop a copy of `template` signed afresh. A redirect elsewhere is
/// returned as it is, so that no credential header is ever sent to another host.
async fn send(
    http: &reqwest::Client,
    request: Request,
    template: &Request,
    signer: Option<&Signer>,
) -> reqwest::Result<Response> {
    let mut response = send_once(http, request, signer).await?;
    let mut hops = 0;
    while response.status().is_redirection() {
        let target = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| response.url().join(l).ok());
        let Some(target) = target else {
            state::record_redirect("redirect without a usable Location header".to_string());
            break;
        };
        if !same_origin(response.url(), &target) {
            state::record_redirect(format!(
                "redirect to another origin ({}) not followed: credentials are never sent to another host",
                target.origin().ascii_serialization()
            ));
            break;
        }
        if hops == MAX_REDIRECTS {
            state::record_redirect("too many redirects".to_string());
            break;
        }
        let Some(mut next) = copy(template) else {
            state::record_redirect(
                "redirect not followed: the request body cannot be sent twice".to_string(),
            );
            break;
        };
        hops += 1;
        tracing::debug!(location = target.path(), "following a same-origin redirect");
        *next.url_mut() = target;
        response = send_once(http, next, signer).await?;
    }
    Ok(response)
}

/// A copy of a request the generated code built, to send while the original stays the
/// template of retries and redirects; `None` when its body is a stream, which cannot be
/// sent twice. Without a body or a timeout of its own, the copy is made here:
/// `Request::try_clone` also sets up a map of extensions that it then replaces (three
/// allocations of no use per attempt). Such a request has no other extensions: reqwest sets
/// them only from `http::Request`s, which the generated code does not build.
fn copy(request: &Request) -> Option<Request> {
    if request.body().is_some() || request.timeout().is_some() {
        return request.try_clone();
    }
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    Some(copy)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Makes sure no more than `max` bytes of body are read. A declared `Content-Length` up to
/// `max` is enforced by the HTTP layer already (it reads exactly that many bytes); otherwise
/// (no length, or a gzip body whose decoded length is unknown) the body is wrapped so that
/// reading past `max` fails with [`http_body_util::LengthLimitError`], and a declared length
/// over `max` fails at the first chunk.
fn limit_body(response: Response, max: usize) -> Response {
    match response.content_length() {
        Some(n) if n <= max as u64 => return response,
        _ => {}
    }
    let too_long = response.content_length().is_some_and(|n| n > max as u64);
    map_body(response, |body| {
        reqwest::Body::wrap(http_body_util::Limited::new(
            body,
            if too_long { 0 } else { max },
        ))
    })
}

/// The same response (status, version, headers, URL) with its body replaced by `f(body)`.
pub(crate) fn map_body(
    response: Response,
    f: impl FnOnce(reqwest::Body) -> reqwest::Body,
) -> Response {
    let url = response.url().clone();
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let mut builder = http::Response::builder()
        .status(parts.status)
        .version(parts.version)
        .url(url);
    if let Some(headers) = builder.headers_mut() {
        *headers = parts.headers;
    }
    match builder.body(f(body)) {
        Ok(r) => Response::from(r),
        Err(_) => unreachable!("status, version and headers come from a valid response"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> Request {
        let http = reqwest::Client::new();
        build(http.get("https://example.com/v3/p/x?task_name=t"))
            .header("x-language", "en-us")
            .header("x-language", "zh-cn")
            .header("x-auth-token", "token")
            .build()
            .unwrap()
    }

    /// The copy sends what the template would: method, URL, every header value (repeated
    /// ones included), version, timeout and body; a streaming body cannot be copied.
    #[test]
    fn a_copy_is_the_same_request() {
        let same = |a: &Request, b: &Request| {
            assert_eq!(a.method(), b.method());
            assert_eq!(a.url(), b.url());
            assert_eq!(a.headers(), b.headers());
            assert_eq!(a.version(), b.version());
            assert_eq!(a.timeout(), b.timeout());
            assert_eq!(
                a.body().and_then(reqwest::Body::as_bytes),
                b.body().and_then(reqwest::Body::as_bytes)
            );
        };
        let plain = request(|b| b);
        same(&plain, &copy(&plain).unwrap());
        let timed = request(|b| b.timeout(std::time::Duration::from_secs(3)));
        let c = copy(&timed).unwrap();
        assert_eq!(c.timeout(), Some(&std::time::Duration::from_secs(3)));
        same(&timed, &c);
        let with_body = request(|b| b.body("{\"a\":1}"));
        same(&with_body, &copy(&with_body).unwrap());
        let stream = http_body_util::Full::new(&b"{}"[..]);
        let streaming = request(|b| b.body(reqwest::Body::wrap(stream)));
        assert!(copy(&streaming).is_none());
    }
}
