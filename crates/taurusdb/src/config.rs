//! [`ClientBuilder`]: configuring a [`Client`] once (endpoint or region, project ID,
//! credentials, language, timeouts, proxy, retries), and [`Config`], the result the client
//! carries into every call.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use reqwest::header::HeaderValue;

use crate::credentials::{Credentials, Secret, TokenSource, header_value};
use crate::retry::RetryPolicy;
use crate::signing::Signer;
use crate::spec::Setting;
use crate::{Client, Error};

/// Environment variables read by [`ClientBuilder::from_env`]; the same names as the official
/// Huawei Cloud SDKs where they have one.
pub mod env {
    /// Access key ID.
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret access key.
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Security token of temporary AK/SK credentials.
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// Project ID.
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
    /// Region ID, e.g. `cn-north-4`.
    pub const REGION: &str = "HUAWEICLOUD_SDK_REGION";
    /// An IAM token, used when no AK/SK is set (not an official SDK variable).
    pub const AUTH_TOKEN: &str = "TAURUSDB_AUTH_TOKEN";
    /// Prefix of the per-region endpoint override, as the official SDKs read it:
    /// `HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4=https://...`.
    pub const REGION_ENDPOINT_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_GAUSSDB_";

    /// The endpoint override variable of `region`.
    pub fn region_endpoint(region: &str) -> String {
        format!(
            "{REGION_ENDPOINT_PREFIX}{}",
            region.replace('-', "_").to_ascii_uppercase()
        )
    }
}

/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout of one attempt, from sending the request to the end of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default largest response body read; a larger one is refused without being read.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// What a [`Client`] knows for every call. Made by [`ClientBuilder::build`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) endpoint: String,
    pub(crate) region: Option<String>,
    pub(crate) project_id: String,
    pub(crate) language: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// What every request sends, prepared once.
    pub(crate) wire: Wire,
}

/// Header values and the signer, made once when the client is built, so that a request
/// copies them instead of making them again.
#[derive(Clone)]
pub(crate) struct Wire {
    pub(crate) project_id: HeaderValue,
    /// A fixed token (a provider's is asked per request).
    pub(crate) token: Option<HeaderValue>,
    pub(crate) security_token: Option<HeaderValue>,
    pub(crate) signer: Option<Signer>,
}

impl Wire {
    fn new(project_id: &str, credentials: Option<&Credentials>) -> Result<Wire, Error> {
        let config = |e: Error| Error::config(e.to_string());
        let project_id = header_value(project_id, "the project ID").map_err(config)?;
        let (mut token, mut security_token, mut signer) = (None, None, None);
        match credentials {
            Some(Credentials::Token(TokenSource::Fixed(t))) => {
                token = Some(t.header_value("the IAM token").map_err(config)?)
            }
            Some(Credentials::AkSk(k)) => {
                signer = Some(Signer::new(k.access_key.clone(), k.secret_key.clone()));
                if let Some(t) = &k.security_token {
                    security_token = Some(t.header_value("the security token").map_err(config)?);
                }
            }
            Some(Credentials::Token(TokenSource::Provider(_))) | None => {}
        }
        Ok(Wire {
            project_id,
            token,
            security_token,
            signer,
        })
    }
}

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Wire { .. }")
    }
}

impl Config {
    /// The endpoint requests go to, e.g. `https://gaussdb.cn-north-4.myhuaweicloud.com`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The region, if the endpoint was chosen by region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The project ID filled into every path and sent as `X-Project-Id`.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The language set with [`ClientBuilder::language`], if any: the default of every
    /// parameter marked `x-client-setting: language` (otherwise the spec's default applies).
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// The value of a client setting, which the generated entry points fill in for the
    /// parameters the spec marks with `x-client-setting`.
    pub fn setting(&self, setting: Setting) -> Option<&str> {
        match setting {
            Setting::ProjectId => Some(&self.project_id),
            Setting::Language => self.language(),
        }
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
}

type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Builds a [`Client`]. Everything is set once; see [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    project_id: Option<String>,
    credentials: Option<Credentials>,
    language: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: Option<String>,
    proxy: Option<String>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    env: EnvLookup,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("project_id", &self.project_id)
            .field("credentials", &self.credentials)
            .field("language", &self.language)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// A proxy URL may carry a password: show it without.
fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("redacted"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(invalid URL)".to_string(),
    }
}

impl ClientBuilder {
    /// A builder with nothing set: the spec's default language, 10 s to connect, 60 s per attempt, default retries.
    pub fn new() -> Self {
        ClientBuilder {
            endpoint: None,
            region: None,
            project_id: None,
            credentials: None,
            language: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: None,
            proxy: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// A builder filled from the environment, as the official SDKs read it:
    /// `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (with `HUAWEICLOUD_SDK_SECURITY_TOKEN`
    /// for temporary credentials) or else `TAURUSDB_AUTH_TOKEN`; `HUAWEICLOUD_SDK_PROJECT_ID`;
    /// `HUAWEICLOUD_SDK_REGION`. Fails with a message naming what is missing.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::new()
            .env(|name| std::env::var(name).ok())
            .load_env()
    }

    /// As [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// configuration kept elsewhere).
    pub fn from_env_with(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Result<Self, Error> {
        ClientBuilder::new().env(lookup).load_env()
    }

    fn env(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(move |name| lookup(name).filter(|v| !v.is_empty()));
        self
    }

    fn load_env(mut self) -> Result<Self, Error> {
        let get = |name: &str| (self.env)(name);
        let (ak, sk, security_token, token) = (
            get(env::AK),
            get(env::SK),
            get(env::SECURITY_TOKEN),
            get(env::AUTH_TOKEN),
        );
        self.credentials = Some(match (ak, sk) {
            (Some(ak), Some(sk)) => match security_token {
                Some(t) => Credentials::temporary_aksk(ak, sk, t),
                None => Credentials::aksk(ak, sk),
            },
            (Some(_), None) => {
                return Err(Error::config(format!(
                    "{} is set but {} is not",
                    env::AK,
                    env::SK
                )));
            }
            (None, Some(_)) => {
                return Err(Error::config(format!(
                    "{} is set but {} is not",
                    env::SK,
                    env::AK
                )));
            }
            (None, None) => match token {
                Some(t) => Credentials::token(t),
                None => {
                    return Err(Error::config(format!(
                        "no credentials in the environment: set {} and {} (or {})",
                        env::AK,
                        env::SK,
                        env::AUTH_TOKEN
                    )));
                }
            },
        });
        self.project_id = Some(
            get(env::PROJECT_ID)
                .ok_or_else(|| Error::config(format!("{} is not set", env::PROJECT_ID)))?,
        );
        self.region = get(env::REGION);
        if self.region.is_none() {
            return Err(Error::config(format!("{} is not set", env::REGION)));
        }
        Ok(self)
    }

    /// The region, e.g. `cn-north-4`: picks the endpoint from the spec's server table, unless
    /// `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>` or [`endpoint`](Self::endpoint) overrides it.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint URL (e.g. a private endpoint or a mock server); wins over the
    /// region.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The project ID: filled into the path and sent as `X-Project-Id`.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Shorthand for `credentials(Credentials::token(token))`.
    pub fn token(self, token: impl Into<Secret>) -> Self {
        self.credentials(Credentials::token(token))
    }

    /// The default language (`X-Language`; the spec's default, en-us, unless set): any value
    /// that displays as the wire value, such as `types::Language::ZhCn` or `"zh-cn"`. It is
    /// checked against the spec when a call is sent; a call may override it.
    pub fn language(mut self, language: impl fmt::Display) -> Self {
        self.language = Some(language.to_string());
        self
    }

    /// The connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The timeout of one attempt, from sending the request to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// An HTTP or HTTPS proxy for every request, e.g. `http://proxy.example:3128`.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// The retry policy; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read; a larger body is refused without being read whole.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let (endpoint, region) = self.resolve_endpoint()?;
        let project_id = self.project_id.clone().ok_or_else(|| {
            Error::config(format!(
                "no project ID: call .project_id(...) or set {}",
                env::PROJECT_ID
            ))
        })?;
        if project_id.is_empty() {
            return Err(Error::config("the project ID is empty"));
        }
        header_value(&project_id, "the project ID").map_err(|e| Error::config(e.to_string()))?;
        if let Some(c) = &self.credentials {
            c.validate()?;
        }

        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // Redirects are followed by the client itself, re-signed, and never to another
            // origin (see `transport`).
            .redirect(reqwest::redirect::Policy::none());
        if let Some(ua) = &self.user_agent {
            http = http.user_agent(
                header_value(ua, "the user agent").map_err(|e| Error::config(e.to_string()))?,
            );
        } else {
            http = http.user_agent(concat!("taurusdb-rust/", env!("CARGO_PKG_VERSION")));
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                Error::config(format!("invalid proxy URL `{}`: {e}", redact_url(p)))
            })?;
            http = http.proxy(proxy);
        }
        let http = http
            .build()
            .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))?;

        let wire = Wire::new(&project_id, self.credentials.as_ref())?;
        let config = Config {
            endpoint: endpoint.clone(),
            region,
            project_id,
            language: self.language,
            credentials: self.credentials,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            wire,
        };
        Ok(Client::new_with_client(&endpoint, http, config))
    }

    fn resolve_endpoint(&self) -> Result<(String, Option<String>), Error> {
        if let Some(e) = &self.endpoint {
            return Ok((check_endpoint(e, "the endpoint")?, self.region.clone()));
        }
        let Some(region) = &self.region else {
            return Err(Error::config(format!(
                "no region or endpoint: call .region(...) or .endpoint(...), or set {}",
                env::REGION
            )));
        };
        let var = env::region_endpoint(region);
        if let Some(url) = (self.env)(&var) {
            return Ok((check_endpoint(&url, &var)?, Some(region.clone())));
        }
        match crate::endpoints::for_region(region) {
            Some(url) => Ok((url, Some(region.clone()))),
            None => Err(Error::config(format!(
                "unknown region `{region}`: known regions are {}; or set {var} or an explicit endpoint",
                crate::endpoints::regions().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// An endpoint must be an absolute http(s) URL without query or fragment; a trailing `/` is
/// dropped (progenitor appends paths that start with `/`).
fn check_endpoint(url: &str, what: &str) -> Result<String, Error> {
    let parsed =
        Url::parse(url).map_err(|e| Error::config(format!("{what} `{url}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "{what} `{url}` must start with https:// (or http://)"
        )));
    }
    if parsed.host().is_none() || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config(format!(
            "{what} `{url}` must be scheme://host[:port][/path], without query or fragment"
        )));
    }
    if parsed.password().is_some() || !parsed.username().is_empty() {
        return Err(Error::config(format!(
            "{what} must not contain a user name or password"
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```
    /// use taurusdb::{Client, Credentials};
    ///
    /// let client = Client::builder()
    ///     .region("cn-north-4")
    ///     .project_id("0549e61b4a8c4fdfb1c47bd8a3d8d8b1")
    ///     .credentials(Credentials::aksk("MY_AK", "my-secret-key"))
    ///     .build()?;
    /// assert_eq!(client.config().endpoint(), "https://gaussdb.cn-north-4.myhuaweicloud.com");
    /// # Ok::<(), taurusdb::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        progenitor_client::ClientInfo::inner(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn regions_pick_endpoints_from_the_spec_table() {
        let c = Client::builder()
            .region("ap-southeast-1")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(
            c.config().endpoint(),
            "https://gaussdbformysql.ap-southeast-1.myhuaweicloud.com"
        );
        let c = Client::builder()
            .region("af-south-1")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(
            c.config().endpoint(),
            "https://gaussdb-mysql.af-south-1.myhuaweicloud.com"
        );
        let e = Client::builder()
            .region("xx-nowhere-1")
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown region `xx-nowhere-1`: known regions are cn-north-4, "),
            "{e}"
        );
    }

    #[test]
    fn explicit_endpoint_and_environment_override_win() {
        let c = Client::builder()
            .region("cn-north-4")
            .endpoint("http://127.0.0.1:8080/")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(c.config().endpoint(), "http://127.0.0.1:8080");
        let b = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            (
                "HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4",
                "https://private.example",
            ),
        ]))
        .unwrap();
        assert_eq!(
            b.build().unwrap().config().endpoint(),
            "https://private.example"
        );
    }

    #[test]
    fn environment_errors_name_what_is_missing() {
        let err = |vars: &[(&str, &str)]| {
            ClientBuilder::from_env_with(lookup(vars))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&[]),
            "no credentials in the environment: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or TAURUSDB_AUTH_TOKEN)"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", "AK")]),
            "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_SK", "SK")]),
            "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", "AK"), ("HUAWEICLOUD_SDK_SK", "SK")]),
            "HUAWEICLOUD_SDK_PROJECT_ID is not set"
        );
        assert_eq!(
            err(&[
                ("TAURUSDB_AUTH_TOKEN", "t"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", "p")
            ]),
            "HUAWEICLOUD_SDK_REGION is not set"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", ""), ("HUAWEICLOUD_SDK_SK", "SK")]),
            "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not",
            "an empty variable counts as unset"
        );
    }

    #[test]
    fn temporary_credentials_come_from_the_environment() {
        let b = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ]))
        .unwrap();
        let Some(Credentials::AkSk(k)) = &b.credentials else {
            panic!("{b:?}")
        };
        assert_eq!(k.security_token.as_ref().map(Secret::expose), Some("ST"));
    }

    #[test]
    fn bad_configuration_is_refused() {
        let e = Client::builder().project_id("p").build().unwrap_err();
        assert!(e.to_string().starts_with("no region or endpoint"), "{e}");
        let e = Client::builder()
            .endpoint("ftp://x")
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("must start with https://"), "{e}");
        let e = Client::builder()
            .endpoint("https://h?x=1")
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("without query"), "{e}");
        let e = Client::builder().endpoint("https://h").build().unwrap_err();
        assert!(e.to_string().starts_with("no project ID"), "{e}");
        let e = Client::builder()
            .endpoint("https://h")
            .project_id("p\n")
            .build()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the project ID contains a line feed (LF), which cannot be sent in an HTTP header"
        );
        let e = Client::builder()
            .endpoint("https://h")
            .project_id("p")
            .proxy("::")
            .build()
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid proxy URL"), "{e}");
    }

    #[test]
    fn debug_redacts_the_proxy_password() {
        let b = Client::builder().proxy("http://user:hunter2@proxy:3128");
        let text = format!("{b:?}");
        assert!(
            !text.contains("hunter2") && text.contains("redacted"),
            "{text}"
        );
    }
}
