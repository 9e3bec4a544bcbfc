//! IAM, for what the client needs from it: the project ID of a region when none is
//! configured, and user tokens obtained by password ([`PasswordTokenProvider`]).
//!
//! Facts from huaweicloudsdkcore 3.1.219 (`auth/credentials.py`,
//! `BasicCredentials.process_auth_params`; `auth/internal.py`, `IamHelper`;
//! `auth/endpoint.py`):
//! - With no project ID and a region, the SDK signs `GET {iam}/v3/projects?name={region}`
//!   with the AK/SK; the answer is `{"projects": [{"id", "name", ...}], ...}`; no project
//!   and several projects are both errors (the SDK names the projects found and the
//!   `X-IAM-Trace-Id`). It caches the answer per AK and region.
//! - `{iam}` is `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else `https://iam.{region}.myhuaweicloud.com`
//!   for the regions of its table ([`REGIONAL_ENDPOINTS`]), else
//!   `https://iam.myhuaweicloud.com`.
//!
//! Beyond the SDK: with a token instead of keys the lookup is `GET {iam}/v3/auth/projects`
//! (the projects the token may use) filtered by name, and a token can be obtained by
//! password (`POST {iam}/v3/auth/tokens`, the `password` method, scoped to the region's
//! project; the token is the `X-Subject-Token` response header and expires at the body's
//! `token.expires_at`, 24 hours later).
//!
//! An IAM endpoint other than the default must be `https://`, except on a loopback address
//! (a test server): what IAM receives authenticates as the user.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::credentials::{BoxError, Secret, TokenProvider};
use crate::error::one_line;
use crate::refresh::{Expiring, Refreshing};
use crate::signing::Signer;
use crate::{Error, ErrorKind};

/// The IAM endpoint of regions without a regional one in the official SDK's table.
pub const GLOBAL_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

/// The regions whose IAM endpoint is `https://iam.{region}.myhuaweicloud.com`, as the official
/// SDK core lists them (`auth/endpoint.py`).
pub const REGIONAL_ENDPOINTS: [&str; 27] = [
    "cn-north-2",
    "cn-north-4",
    "cn-north-1",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "na-mexico-1",
    "la-north-2",
    "cn-north-9",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ap-southeast-4",
    "ae-ad-1",
    "cn-east-4",
    "cn-east-5",
    "tr-west-1",
    "cn-north-12",
];

/// IAM's endpoint for `region`, as the official SDK picks it when none is configured.
///
/// ```
/// assert_eq!(taurusdb::iam::endpoint_for_region("cn-north-4"), "https://iam.cn-north-4.myhuaweicloud.com");
/// assert_eq!(taurusdb::iam::endpoint_for_region("cn-north-11"), "https://iam.myhuaweicloud.com");
/// ```
pub fn endpoint_for_region(region: &str) -> String {
    if !region.is_empty() && REGIONAL_ENDPOINTS.contains(&region) {
        format!("https://iam.{region}.myhuaweicloud.com")
    } else {
        GLOBAL_ENDPOINT.to_string()
    }
}

/// Whether the URL's host is a loopback address or `localhost`.
fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// An IAM endpoint that is configured rather than the default: an endpoint URL
/// (`crate::config::check_endpoint`) that is `https://`, or `http://` on a loopback address.
pub(crate) fn check_endpoint(url: &str, what: &str) -> Result<String, Error> {
    let checked = crate::config::check_endpoint(url, what)?;
    let parsed = Url::parse(&checked).map_err(|e| Error::config(format!("{what}: {e}")))?;
    if parsed.scheme() != "https" && !is_loopback(&parsed) {
        return Err(Error::config(format!(
            "{what} `{checked}` must be https:// (http:// only on a loopback address): IAM receives your credentials"
        )));
    }
    Ok(checked)
}

/// How a request to IAM authenticates.
pub(crate) enum Auth<'a> {
    /// AK/SK signing, with the security token of temporary credentials.
    Signed {
        signer: &'a Signer,
        security_token: Option<&'a HeaderValue>,
    },
    /// An IAM token.
    Token(HeaderValue),
}

/// The IAM error's message, in the shapes IAM and the API gateway answer with.
fn iam_message(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    text(v.pointer("/error/message"))
        .or_else(|| text(v.get("error_msg")))
        .or_else(|| text(v.get("message")))
        .map(|m| one_line(&m, 160))
}

/// The request ID of an IAM response: `X-IAM-Trace-Id`, else `X-Request-Id`.
fn trace_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    ["x-iam-trace-id", "x-request-id"]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_string)
}

fn unreachable(what: &str, iam: &str, e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connect
    };
    Error::new(kind, format!("{what}: IAM at {iam} did not answer")).with_source(e.without_url())
}

/// An IAM answer with an error status, as an error naming `what` failed.
async fn refused(what: &str, iam: &str, response: reqwest::Response) -> Error {
    let status = response.status();
    let id = trace_id(response.headers());
    let body = response.text().await.unwrap_or_default();
    let mut message = format!("{what}: IAM at {iam} answered {status}");
    if let Some(m) = iam_message(&body) {
        message.push_str(": ");
        message.push_str(&m);
    }
    Error::new(ErrorKind::Credentials, message).with_request_id(id)
}

/// Looks up the ID of the project named `region` in IAM at `iam`.
pub(crate) async fn lookup_project(
    http: &reqwest::Client,
    iam: &str,
    region: &str,
    auth: Auth<'_>,
) -> Result<String, Error> {
    let what = format!("looking up the project ID of region `{region}`");
    let by_token = matches!(auth, Auth::Token(_));
    let mut url = Url::parse(iam).map_err(|e| Error::config(format!("{what}: {e}")))?;
    url.path_segments_mut()
        .map_err(|()| Error::config(format!("{what}: {iam} cannot be a base URL")))?
        .pop_if_empty()
        .extend(if by_token {
            ["v3", "auth", "projects"].as_slice()
        } else {
            ["v3", "projects"].as_slice()
        });
    if !by_token {
        url.query_pairs_mut().append_pair("name", region);
    }
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    let headers = request.headers_mut();
    headers.insert(
        reqwest::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    match auth {
        Auth::Signed {
            signer,
            security_token,
        } => {
            if let Some(t) = security_token {
                headers.insert(HeaderName::from_static("x-security-token"), t.clone());
            }
            signer.sign(&mut request, SystemTime::now());
        }
        Auth::Token(t) => {
            headers.insert(HeaderName::from_static("x-auth-token"), t);
        }
    }
    tracing::debug!(iam, region, "looking up the project ID in IAM");
    let response = http
        .execute(request)
        .await
        .map_err(|e| unreachable(&what, iam, e))?;
    if !response.status().is_success() {
        return Err(refused(&what, iam, response).await);
    }
    let id = trace_id(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| unreachable(&what, iam, e))?;
    let root: Value = serde_json::from_slice(&body).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("{what}: IAM's answer is not JSON"),
        )
        .with_body(String::from_utf8_lossy(&body).into_owned())
        .with_source(e)
        .with_request_id(id.clone())
    })?;
    let projects = root
        .get("projects")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // `/v3/projects?name=` is filtered by IAM (an entry without a name is taken as IAM
    // gives it); `/v3/auth/projects` lists every project the token may use.
    let ids: Vec<&str> = projects
        .iter()
        .filter(|p| match p.get("name").and_then(Value::as_str) {
            Some(name) => name == region,
            None => !by_token,
        })
        .filter_map(|p| p.get("id").and_then(Value::as_str))
        .collect();
    let fix = format!(
        "set the project ID ({}, `project_id` in the profile, or ClientBuilder::project_id)",
        crate::env::PROJECT_ID
    );
    match ids.as_slice() {
        [one] => {
            tracing::debug!(region, project_id = one, "project ID found in IAM");
            Ok((*one).to_string())
        }
        [] => Err(Error::config(format!(
            "{what}: IAM at {iam} knows no project named `{region}` for these credentials; {fix}"
        ))
        .with_request_id(id)),
        several => Err(Error::config(format!(
            "{what}: IAM at {iam} has {} projects named `{region}` ({}); {fix}",
            several.len(),
            several.join(", ")
        ))
        .with_request_id(id)),
    }
}

/// Looks up the project ID of `lookup` with the client's credentials.
pub(crate) async fn lookup_project_for(
    client: &crate::Client,
    lookup: &crate::config::Lookup,
) -> Result<String, Error> {
    use crate::credentials::{Credentials, TokenSource};
    use progenitor_client::ClientInfo as _;
    let config = client.config();
    let http = client.client();
    let (iam, region) = (lookup.iam.as_str(), lookup.region.as_str());
    match &config.credentials {
        Some(Credentials::AkSk(_)) => match &config.wire.signer {
            Some(signer) => {
                let auth = Auth::Signed {
                    signer,
                    security_token: config.wire.security_token.as_ref(),
                };
                lookup_project(http, iam, region, auth).await
            }
            None => Err(Error::config("the AK/SK signer is missing")),
        },
        Some(Credentials::Metadata(m)) => {
            let session = m.session().await?;
            let auth = Auth::Signed {
                signer: &session.signer,
                security_token: session.security_token.as_ref(),
            };
            lookup_project(http, iam, region, auth).await
        }
        Some(Credentials::Token(TokenSource::Fixed(t))) => {
            let token = t.header_value("the IAM token")?;
            lookup_project(http, iam, region, Auth::Token(token)).await
        }
        Some(Credentials::Token(TokenSource::Provider(p))) => {
            let token = p
                .token()
                .await
                .map_err(crate::credentials::provider_error)?;
            let token = token.header_value("the IAM token")?;
            lookup_project(http, iam, region, Auth::Token(token)).await
        }
        Some(Credentials::DefaultChain) | None => Err(Error::config(format!(
            "the project ID of region `{region}` cannot be looked up without credentials: set it ({})",
            crate::env::PROJECT_ID
        ))),
    }
}

/// IAM user tokens obtained by password, renewed before they expire: a [`TokenProvider`]
/// for [`crate::Credentials::token_provider`].
///
/// It asks IAM (`POST {iam}/v3/auth/tokens`) for a token of user `user` in account
/// (domain) `domain`, scoped to the project of `region`, on the first call, and again when
/// less than 40 minutes are left before the token's `expires_at`; concurrent calls share
/// one request. The password is a [`Secret`]: it is shown in no `Debug` output, log or error.
///
/// ```no_run
/// use taurusdb::{Client, Credentials, iam::PasswordTokenProvider};
///
/// let tokens = PasswordTokenProvider::new("my-account", "my-user", "my-password", "cn-north-4");
/// let client = Client::builder()
///     .region("cn-north-4")
///     .credentials(Credentials::token_provider(tokens))
///     .build()?;
/// # Ok::<(), taurusdb::Error>(())
/// ```
pub struct PasswordTokenProvider {
    domain: String,
    user: String,
    password: Secret,
    region: String,
    iam: String,
    http: OnceLock<Result<reqwest::Client, String>>,
    tokens: Refreshing<Secret>,
}

/// A token is obtained again when less than this is left before it expires.
pub(crate) const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(40 * 60);

impl fmt::Debug for PasswordTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordTokenProvider")
            .field("domain", &self.domain)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("region", &self.region)
            .field("iam", &self.iam)
            .finish_non_exhaustive()
    }
}

impl PasswordTokenProvider {
    /// Tokens of `user` in the account `domain`, scoped to `region`'s project, from the
    /// region's IAM endpoint ([`endpoint_for_region`]).
    pub fn new(
        domain: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<Secret>,
        region: impl Into<String>,
    ) -> PasswordTokenProvider {
        let region = region.into();
        PasswordTokenProvider {
            domain: domain.into(),
            user: user.into(),
            password: password.into(),
            iam: endpoint_for_region(&region),
            region,
            http: OnceLock::new(),
            tokens: Refreshing::new(TOKEN_REFRESH_MARGIN),
        }
    }

    /// Another IAM endpoint: `https://`, or `http://` on a loopback address.
    pub fn iam_endpoint(mut self, url: &str) -> Result<PasswordTokenProvider, Error> {
        self.iam = check_endpoint(url, "the IAM endpoint")?;
        Ok(self)
    }

    /// The HTTP client of the requests to IAM (for a proxy or a CA of its own); by default
    /// one without a proxy setting of its own, with 10 s to connect and 60 s per request,
    /// following no redirects.
    pub fn http_client(self, http: reqwest::Client) -> PasswordTokenProvider {
        let _ = self.http.set(Ok(http));
        self
    }

    /// The IAM endpoint tokens come from.
    pub fn endpoint(&self) -> &str {
        &self.iam
    }

    fn http(&self) -> Result<&reqwest::Client, Error> {
        let built = self.http.get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(crate::DEFAULT_CONNECT_TIMEOUT)
                .timeout(crate::DEFAULT_TIMEOUT)
                .build()
                .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| Error::config(format!("cannot build the HTTP client for IAM: {e}")))
    }

    async fn fetch(&self) -> Result<Expiring<Secret>, Error> {
        let what = format!(
            "obtaining a token for user `{}` of account `{}`",
            self.user, self.domain
        );
        let body = serde_json::json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user,
                            "password": self.password.expose(),
                            "domain": { "name": self.domain }
                        }
                    }
                },
                "scope": { "project": { "name": self.region } }
            }
        });
        let url = format!("{}/v3/auth/tokens", self.iam);
        let response = self
            .http()?
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=UTF-8",
            )
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| unreachable(&what, &self.iam, e))?;
        if !response.status().is_success() {
            return Err(refused(&what, &self.iam, response).await);
        }
        let status = response.status();
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty())
            .map(Secret::new)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Credentials,
                    format!("{what}: IAM answered {status} without an X-Subject-Token header"),
                )
            })?;
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let expires_at = body
            .pointer("/token/expires_at")
            .and_then(Value::as_str)
            .and_then(crate::date::parse_timestamp)
            .unwrap_or_else(|| {
                tracing::warn!("IAM's token has no readable expires_at: it will be obtained again for the next call");
                SystemTime::now()
            });
        tracing::debug!(
            user = self.user.as_str(),
            iam = self.iam.as_str(),
            "IAM token obtained by password"
        );
        Ok(Expiring {
            value: token,
            expires_at,
        })
    }
}

impl TokenProvider for PasswordTokenProvider {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Secret, BoxError>> + Send + '_>> {
        Box::pin(async move {
            let token = self
                .tokens
                .get(|| self.fetch())
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            Ok(token.value.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_endpoints_by_region_and_overrides() {
        assert_eq!(
            endpoint_for_region("la-north-2"),
            "https://iam.la-north-2.myhuaweicloud.com"
        );
        assert_eq!(endpoint_for_region(""), GLOBAL_ENDPOINT);
        for ok in [
            "https://iam.example",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:1/",
            "http://localhost:99",
        ] {
            assert!(check_endpoint(ok, "the IAM endpoint").is_ok(), "{ok}");
        }
        for bad in [
            "http://iam.example",
            "http://10.0.0.1",
            "http://[::2]",
            "ftp://x",
        ] {
            assert!(check_endpoint(bad, "the IAM endpoint").is_err(), "{bad}");
        }
        let e = check_endpoint("http://iam.example", "HUAWEICLOUD_SDK_IAM_ENDPOINT")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "HUAWEICLOUD_SDK_IAM_ENDPOINT `http://iam.example` must be https:// (http:// only on a loopback address): IAM receives your credentials"
        );
    }

    #[test]
    fn iam_messages_in_each_shape() {
        assert_eq!(
            iam_message(r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#).as_deref(),
            Some("The request you have made requires authentication.")
        );
        assert_eq!(
            iam_message(r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#).as_deref(),
            Some("Incorrect IAM authentication information")
        );
        assert_eq!(iam_message("<html>"), None);
    }

    #[test]
    fn the_password_is_never_shown() {
        let p = PasswordTokenProvider::new("acct", "me", "hunter2-password", "cn-north-4");
        let d = format!("{p:?}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(
            d.contains("https://iam.cn-north-4.myhuaweicloud.com"),
            "{d}"
        );
        assert!(p.iam_endpoint("http://iam.example").is_err());
    }
}
