//! [`ClientBuilder`]: configuring a [`Client`] once (endpoints or region, project ID,
//! credentials, language, timeouts, proxy, TLS, retries), and [`Config`], the result the
//! client carries into every call.
//!
//! Every builder reads, through its environment lookup (the process environment unless
//! [`ClientBuilder::from_env_with`] gives another), where services are reached: a region's
//! endpoints (`HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>`, then the regions file), IAM's
//! endpoint (`HUAWEICLOUD_SDK_IAM_ENDPOINT`) and a CA bundle (`TAURUSDB_CA_BUNDLE`), as the
//! official SDKs read the first two for every client. [`ClientBuilder::from_env`] also takes
//! who you are from it: the region, the project ID and the credential chain.
//!
//! Everything is resolved once, in [`ClientBuilder::build`] (files read, the chain run), or
//! on the first call for what needs the network (temporary credentials from the metadata
//! service, a project ID looked up in IAM); never per call.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use reqwest::Url;

use reqwest::header::HeaderValue;

use crate::chain::Source;
use crate::credentials::{Credentials, Secret, TokenSource, header_value};
use crate::retry::RetryPolicy;
use crate::signing::Signer;
use crate::spec::Setting;
use crate::{Client, Error};

/// Environment variables the client reads; the same names as the official Huawei Cloud
/// SDKs where they have one (the others start with `TAURUSDB_`).
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
    /// `HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4=https://...` (several, comma-separated,
    /// are tried in turn on connection errors).
    pub const REGION_ENDPOINT_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_GAUSSDB_";
    /// The profile file, instead of `~/.huaweicloud/credentials`.
    pub const CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
    /// The regions file, instead of `~/.huaweicloud/regions.yaml`.
    pub const REGIONS_FILE: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";
    /// IAM's endpoint, for the project ID lookup (`https://`, or `http://` on a loopback
    /// address).
    pub const IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
    /// The ECS metadata service's base URL, instead of `http://169.254.169.254` (not an
    /// official SDK variable; for tests).
    pub const METADATA_ENDPOINT: &str = "TAURUSDB_METADATA_ENDPOINT";
    /// A PEM file of CA certificates trusted in addition to the system's (not an official
    /// SDK variable: the SDKs take it in code only).
    pub const CA_BUNDLE: &str = "TAURUSDB_CA_BUNDLE";
    /// Federated credentials of the official SDKs, which this client does not support (a
    /// warning when set).
    pub const IDP_ID: &str = "HUAWEICLOUD_SDK_IDP_ID";
    /// See [`IDP_ID`].
    pub const ID_TOKEN_FILE: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";

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
    /// The service's endpoints, tried in turn on connection errors; the first is the base
    /// URL of the generated code.
    pub(crate) endpoints: Arc<[String]>,
    /// The endpoint requests start at: the last one that could be connected to.
    pub(crate) current: Arc<AtomicUsize>,
    pub(crate) region: Option<String>,
    pub(crate) project: Project,
    pub(crate) language: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) credential_source: Option<Source>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) accepts_invalid_certs: bool,
    /// Calls are refused with the request they would send ([`ClientBuilder::dry_run`]).
    pub(crate) dry_run: bool,
    pub(crate) warnings: Arc<[String]>,
    /// What every request sends, prepared once.
    pub(crate) wire: Wire,
}

/// The project ID: configured, or looked up in IAM once.
#[derive(Clone, Debug)]
pub(crate) struct Project {
    pub(crate) configured: Option<(String, Source)>,
    pub(crate) lookup: Option<Arc<Lookup>>,
}

/// A project ID to look up in IAM on first use, shared by the client's clones.
#[derive(Debug)]
pub(crate) struct Lookup {
    pub(crate) iam: String,
    pub(crate) region: String,
    pub(crate) found: tokio::sync::OnceCell<(String, HeaderValue)>,
}

/// Header values and the signer, made once when the client is built, so that a request
/// copies them instead of making them again.
#[derive(Clone)]
pub(crate) struct Wire {
    /// A configured project ID (a looked-up one is in [`Lookup`]).
    pub(crate) project_id: Option<HeaderValue>,
    /// A fixed token (a provider's is asked per request).
    pub(crate) token: Option<HeaderValue>,
    pub(crate) security_token: Option<HeaderValue>,
    pub(crate) signer: Option<Signer>,
    /// Whether each call gets its signer from the metadata service's credentials.
    pub(crate) metadata: bool,
}

impl Wire {
    fn new(project_id: Option<&str>, credentials: Option<&Credentials>) -> Result<Wire, Error> {
        let config = |e: Error| Error::config(e.to_string());
        let project_id = match project_id {
            Some(p) => Some(header_value(p, "the project ID").map_err(config)?),
            None => None,
        };
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
            Some(
                Credentials::Token(TokenSource::Provider(_))
                | Credentials::Metadata(_)
                | Credentials::DefaultChain,
            )
            | None => {}
        }
        Ok(Wire {
            project_id,
            token,
            security_token,
            signer,
            metadata: matches!(credentials, Some(Credentials::Metadata(_))),
        })
    }
}

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Wire { .. }")
    }
}

impl Config {
    /// The endpoint requests go to, e.g. `https://gaussdb.cn-north-4.myhuaweicloud.com`: the
    /// first of [`endpoints`](Self::endpoints).
    pub fn endpoint(&self) -> &str {
        &self.endpoints[0]
    }

    /// Every endpoint of the service, in the order they are tried when one cannot be
    /// connected to.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The region, if the endpoint was chosen by region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The project ID filled into every path and sent as `X-Project-Id`: the configured one,
    /// or the one looked up in IAM once a call (or [`Client::project_id`]) has looked it up.
    pub fn project_id(&self) -> Option<&str> {
        if let Some((p, _)) = &self.project.configured {
            return Some(p);
        }
        let lookup = self.project.lookup.as_ref()?;
        lookup.found.get().map(|(p, _)| p.as_str())
    }

    /// Where the project ID comes from: the builder, the environment, the profile, or IAM
    /// (looked up on the first call).
    pub fn project_id_source(&self) -> Option<Source> {
        match (&self.project.configured, &self.project.lookup) {
            (Some((_, source)), _) => Some(source.clone()),
            (None, Some(l)) => Some(Source::Iam(l.iam.clone())),
            (None, None) => None,
        }
    }

    /// Where the credentials came from ([`Credentials::default_chain`] tells which of its
    /// sources); `None` without credentials.
    pub fn credential_source(&self) -> Option<&Source> {
        self.credential_source.as_ref()
    }

    /// The credentials, resolved (never [`Credentials::DefaultChain`]).
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Whether TLS certificates are accepted unchecked
    /// ([`ClientBuilder::danger_accept_invalid_certs`]).
    pub fn accepts_invalid_certs(&self) -> bool {
        self.accepts_invalid_certs
    }

    /// What building the client found questionable but not wrong: a profile file others can
    /// read, unknown keys in it, settings this client ignores. Also logged (`tracing`,
    /// level WARN).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The language set with [`ClientBuilder::language`], if any: the default of every
    /// parameter marked `x-client-setting: language` (otherwise the spec's default applies).
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// The value of a client setting, which the generated entry points fill in for the
    /// parameters the spec marks with `x-client-setting` (a project ID still to be looked up
    /// is `None` here; the entry points look it up).
    pub fn setting(&self, setting: Setting) -> Option<&str> {
        match setting {
            Setting::ProjectId => self.project_id(),
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
    endpoints: Vec<String>,
    region: Option<String>,
    project_id: Option<(String, Source)>,
    credentials: Option<Credentials>,
    language: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: Option<String>,
    proxy: Option<String>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    iam_endpoint: Option<String>,
    ca_bundle: Option<PathBuf>,
    accept_invalid_certs: bool,
    dry_run: bool,
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
            .field("endpoints", &self.endpoints)
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
            .field("iam_endpoint", &self.iam_endpoint)
            .field("ca_bundle", &self.ca_bundle)
            .field("danger_accept_invalid_certs", &self.accept_invalid_certs)
            .field("dry_run", &self.dry_run)
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
    /// A builder with nothing set: the spec's default language, 10 s to connect, 60 s per
    /// attempt, default retries; no credentials (requests are not authenticated) unless
    /// [`credentials`](Self::credentials) gives them or [`Credentials::default_chain`] finds
    /// them.
    pub fn new() -> Self {
        ClientBuilder {
            endpoints: Vec::new(),
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
            iam_endpoint: None,
            ca_bundle: None,
            accept_invalid_certs: false,
            dry_run: false,
            env: Arc::new(|name| std::env::var(name).ok().filter(|v| !v.is_empty())),
        }
    }

    /// A builder configured as the official SDKs configure a client from the machine: the
    /// region from `HUAWEICLOUD_SDK_REGION`, the project ID from `HUAWEICLOUD_SDK_PROJECT_ID`
    /// (else the profile's, else looked up in IAM by region on the first call), and the
    /// credentials from [`Credentials::default_chain`] (the environment, the profile
    /// `~/.huaweicloud/credentials`, the ECS metadata service), resolved by
    /// [`build`](Self::build). Anything set on the builder afterwards wins.
    ///
    /// It does not fail today (a missing or half-given setting fails `build`, naming what
    /// is missing and where it may be given); the `Result` is kept for the sources that may.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::new()
            .env(|name| std::env::var(name).ok())
            .load_env()
    }

    /// As [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// configuration kept elsewhere). The home directory, where the profile and regions
    /// files are, is `lookup("HOME")` too (`USERPROFILE` on Windows).
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
        self.credentials = Some(Credentials::DefaultChain);
        if let Some(p) = (self.env)(env::PROJECT_ID) {
            self.project_id = Some((p, Source::Environment(env::PROJECT_ID)));
        }
        self.region = (self.env)(env::REGION);
        Ok(self)
    }

    /// The region, e.g. `cn-north-4`: picks the endpoints from
    /// `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>`, else the regions file
    /// (`~/.huaweicloud/regions.yaml` or `HUAWEICLOUD_SDK_REGIONS_FILE`), else the spec's
    /// server table, unless [`endpoint`](Self::endpoint) overrides them; and, without a
    /// project ID, the project to look up in IAM.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint URL (e.g. a private endpoint or a mock server); wins over the
    /// region.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints = vec![url.into()];
        self
    }

    /// Several endpoints of the service, tried in this order: when one cannot be connected
    /// to (refused, DNS, TLS handshake: the request was not sent), the call goes on at the
    /// next, and later calls start there. Wins over the region.
    pub fn endpoints<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.endpoints = urls.into_iter().map(Into::into).collect();
        self
    }

    /// The project ID: filled into the path and sent as `X-Project-Id`. Without one, the
    /// project named as the region is looked up in IAM on the first call.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some((project_id.into(), Source::Builder));
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

    /// IAM's endpoint for the project ID lookup (`https://`, or `http://` on a loopback
    /// address); by default `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the profile's
    /// `iam_endpoint`, else the region's ([`crate::iam::endpoint_for_region`]).
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self
    }

    /// A PEM file of CA certificates to trust, in addition to the system's, for the service,
    /// IAM and the metadata service (by default `TAURUSDB_CA_BUNDLE`'s). Read when the client
    /// is built.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// Accepts any TLS certificate, expired, self-signed or for another host: **anyone
    /// between the client and the server can then read and change the traffic, credentials
    /// included.** For test installations only; [`Config::accepts_invalid_certs`] tells, and
    /// the CLI warns on every call.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
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

    /// A dry run: every call is checked and prepared as usual (settings filled in,
    /// arguments checked, headers set) and then not sent; it fails with an error of kind
    /// [`ErrorKind::DryRun`](crate::ErrorKind::DryRun) whose
    /// [`body`](crate::Error::body) is the request (method, URL, headers with every secret
    /// redacted, body). A project ID the client would look up in IAM is not looked up: the
    /// request shows `{project_id}` in its place.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Checks the configuration, resolves what is to be found (endpoints, credentials, the
    /// profile's settings), and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let (endpoints, region) = self.resolve_endpoints()?;
        let mut warnings = Vec::new();

        let (credentials, credential_source, profile_project, profile_iam) =
            match self.credentials.clone() {
                Some(Credentials::DefaultChain) => {
                    let found = crate::chain::resolve(&*self.env)?;
                    warnings.extend(found.warnings);
                    tracing::debug!(source = %found.source, "credentials found");
                    (
                        Some(found.credentials),
                        Some(found.source.clone()),
                        found.project_id.map(|p| (p, found.source)),
                        found.iam_endpoint,
                    )
                }
                Some(c) => (Some(c), Some(Source::Builder), None, None),
                None => (None, None, None, None),
            };
        if let Some(c) = &credentials {
            c.validate()?;
        }

        let configured = self.project_id.clone().or(profile_project);
        if let Some((p, _)) = &configured {
            if p.is_empty() {
                return Err(Error::config("the project ID is empty"));
            }
            header_value(p, "the project ID").map_err(|e| Error::config(e.to_string()))?;
        }
        let lookup = match (&configured, &region) {
            (Some(_), _) => None,
            (None, Some(region)) => {
                let iam = self.resolve_iam_endpoint(region, profile_iam)?;
                Some(Arc::new(Lookup {
                    iam,
                    region: region.clone(),
                    found: tokio::sync::OnceCell::new(),
                }))
            }
            (None, None) => {
                return Err(Error::config(format!(
                    "no project ID: call .project_id(...) or set {} (or give a region, to look it up in IAM)",
                    env::PROJECT_ID
                )));
            }
        };

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
        if let Some(certs) = self.ca_certificates()? {
            http = http.tls_certs_merge(certs);
        }
        if self.accept_invalid_certs {
            http = http.tls_danger_accept_invalid_certs(true);
            warnings.push(
                "TLS certificates are not verified (danger_accept_invalid_certs): anyone on the network path can read and change the traffic, credentials included".to_string(),
            );
        }
        let http = http
            .build()
            .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))?;

        for w in &warnings {
            tracing::warn!("{w}");
        }
        let wire = Wire::new(
            configured.as_ref().map(|(p, _)| p.as_str()),
            credentials.as_ref(),
        )?;
        let endpoints: Arc<[String]> = endpoints.into();
        let config = Config {
            endpoints: endpoints.clone(),
            current: Arc::new(AtomicUsize::new(0)),
            region,
            project: Project { configured, lookup },
            language: self.language,
            credentials,
            credential_source,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            accepts_invalid_certs: self.accept_invalid_certs,
            dry_run: self.dry_run,
            warnings: warnings.into(),
            wire,
        };
        Ok(Client::new_with_client(&endpoints[0], http, config))
    }

    /// IAM's endpoint: the builder's, the environment's, the profile's (all checked), or the
    /// region's.
    fn resolve_iam_endpoint(&self, region: &str, profile: Option<String>) -> Result<String, Error> {
        if let Some(url) = &self.iam_endpoint {
            return crate::iam::check_endpoint(url, "the IAM endpoint");
        }
        if let Some(url) = (self.env)(env::IAM_ENDPOINT) {
            return crate::iam::check_endpoint(&url, env::IAM_ENDPOINT);
        }
        Ok(profile.unwrap_or_else(|| crate::iam::endpoint_for_region(region)))
    }

    /// The CA certificates of the builder's bundle, else of `TAURUSDB_CA_BUNDLE`'s.
    fn ca_certificates(&self) -> Result<Option<Vec<reqwest::Certificate>>, Error> {
        let (path, what) = match (&self.ca_bundle, (self.env)(env::CA_BUNDLE)) {
            (Some(p), _) => (p.clone(), "the CA bundle".to_string()),
            (None, Some(p)) => (
                PathBuf::from(p),
                format!("the CA bundle ({})", env::CA_BUNDLE),
            ),
            (None, None) => return Ok(None),
        };
        let pem = std::fs::read(&path).map_err(|e| {
            Error::config(format!("cannot read {what} {}", path.display())).with_source(e)
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::config(format!("{what} {} is not a PEM file", path.display())).with_source(e)
        })?;
        if certs.is_empty() {
            return Err(Error::config(format!(
                "{what} {} holds no certificate (PEM `-----BEGIN CERTIFICATE-----` blocks)",
                path.display()
            )));
        }
        Ok(Some(certs))
    }

    fn resolve_endpoints(&self) -> Result<(Vec<String>, Option<String>), Error> {
        if !self.endpoints.is_empty() {
            let endpoints = self
                .endpoints
                .iter()
                .map(|e| check_endpoint(e, "the endpoint"))
                .collect::<Result<_, _>>()?;
            return Ok((endpoints, self.region.clone()));
        }
        let Some(region) = &self.region else {
            return Err(Error::config(format!(
                "no region or endpoint: call .region(...) or .endpoint(...), or set {}",
                env::REGION
            )));
        };
        let var = env::region_endpoint(region);
        if let Some(urls) = (self.env)(&var) {
            let endpoints = urls
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| check_endpoint(u, &var))
                .collect::<Result<Vec<_>, _>>()?;
            if !endpoints.is_empty() {
                return Ok((endpoints, Some(region.clone())));
            }
        }
        if let Some(endpoints) = self.regions_file_endpoints(region)? {
            return Ok((endpoints, Some(region.clone())));
        }
        match crate::endpoints::for_region(region) {
            Some(url) => Ok((vec![url], Some(region.clone()))),
            None => Err(Error::config(format!(
                "unknown region `{region}`: known regions are {}; or set {var}, list the region in the regions file, or give an explicit endpoint",
                crate::endpoints::regions().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The region's endpoints in the regions file, if it lists them.
    fn regions_file_endpoints(&self, region: &str) -> Result<Option<Vec<String>>, Error> {
        let Some((path, required)) =
            crate::chain::sdk_file(&*self.env, env::REGIONS_FILE, "regions.yaml")
        else {
            return Ok(None);
        };
        let Some(text) = crate::profile::read_small_file(&path, "regions file")? else {
            if required {
                return Err(Error::config(format!(
                    "{} names {}, which does not exist",
                    env::REGIONS_FILE,
                    path.display()
                )));
            }
            return Ok(None);
        };
        let regions = crate::regions::parse(&text, &path)?;
        let Some(r) = regions.into_iter().find(|r| r.id == region) else {
            return Ok(None);
        };
        let endpoints = r
            .endpoints
            .iter()
            .map(|(url, line)| {
                check_endpoint(url, "the endpoint").map_err(|e| {
                    crate::profile::file_error(&path, *line, Some("endpoint"), &e.to_string())
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        tracing::debug!(region, path = %path.display(), "endpoints from the regions file");
        Ok(Some(endpoints))
    }
}

/// An endpoint must be an absolute http(s) URL without query or fragment; without a scheme,
/// `https://` is assumed (as the official SDKs do). It is returned normalised (as the URL
/// parser writes it: lower-case host, default port dropped) without a trailing `/`
/// (progenitor appends paths that start with `/`).
pub(crate) fn check_endpoint(url: &str, what: &str) -> Result<String, Error> {
    let with_scheme;
    let url = if url.contains("://") {
        url
    } else {
        with_scheme = format!("https://{url}");
        &with_scheme
    };
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
    Ok(parsed.as_str().trim_end_matches('/').to_string())
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

    /// The project ID: the configured one, or the ID of the project named as the region,
    /// looked up in IAM the first time it is needed (an AK/SK-signed
    /// `GET {iam}/v3/projects?name={region}`, or with a token `GET {iam}/v3/auth/projects`)
    /// and kept for the client's life; concurrent calls share one lookup, and a failed one
    /// is tried again by the next call. None or several projects of that name is an error
    /// naming the region.
    pub async fn project_id(&self) -> Result<&str, Error> {
        let config = self.config();
        if let Some((p, _)) = &config.project.configured {
            return Ok(p);
        }
        let Some(lookup) = &config.project.lookup else {
            return Err(Error::config("no project ID configured"));
        };
        let (id, _) = lookup
            .found
            .get_or_try_init(|| async {
                let id = Box::pin(crate::iam::lookup_project_for(self, lookup)).await?;
                let header = header_value(&id, "the project ID from IAM")?;
                Ok::<_, Error>((id, header))
            })
            .await?;
        Ok(id)
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

    /// A builder that reads nothing from the process's environment or home directory.
    fn hermetic() -> ClientBuilder {
        ClientBuilder::new().env(|_| None)
    }

    #[test]
    fn regions_pick_endpoints_from_the_spec_table() {
        let c = hermetic()
            .region("ap-southeast-1")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(
            c.config().endpoint(),
            "https://gaussdbformysql.ap-southeast-1.myhuaweicloud.com"
        );
        let c = hermetic()
            .region("af-south-1")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(
            c.config().endpoint(),
            "https://gaussdb-mysql.af-south-1.myhuaweicloud.com"
        );
        let e = hermetic()
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
        let c = hermetic()
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
                "https://private.example, https://Backup.example:443/",
            ),
        ]))
        .unwrap();
        let c = b.build().unwrap();
        assert_eq!(c.config().endpoint(), "https://private.example");
        assert_eq!(
            c.config().endpoints(),
            ["https://private.example", "https://backup.example"],
            "comma-separated, normalised"
        );
        assert_eq!(
            c.config().credential_source(),
            Some(&Source::Environment("HUAWEICLOUD_SDK_AK"))
        );
        assert_eq!(
            c.config().project_id_source(),
            Some(Source::Environment("HUAWEICLOUD_SDK_PROJECT_ID"))
        );
        let e = hermetic()
            .endpoints(["https://a.example", "ftp://b.example"])
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(
            e.to_string().contains("`ftp://b.example` must start"),
            "{e}"
        );
        let c = hermetic()
            .endpoint("gaussdb.example")
            .project_id("p")
            .build()
            .unwrap();
        assert_eq!(
            c.config().endpoint(),
            "https://gaussdb.example",
            "https:// is assumed, as the SDKs do"
        );
    }

    #[test]
    fn environment_errors_name_what_is_missing() {
        let err = |vars: &[(&str, &str)]| {
            let mut vars = vars.to_vec();
            vars.push(("HUAWEICLOUD_SDK_REGION", "cn-north-4"));
            ClientBuilder::from_env_with(lookup(&vars))
                .unwrap()
                .build()
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", "AK")]),
            "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_SK", "SK")]),
            "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST")]),
            "HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK is not"
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", ""), ("HUAWEICLOUD_SDK_SK", "SK")]),
            "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not",
            "an empty variable counts as unset"
        );
        let e = ClientBuilder::from_env_with(lookup(&[("TAURUSDB_AUTH_TOKEN", "t")]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(e.to_string().starts_with("no region or endpoint"), "{e}");
        let e = ClientBuilder::from_env_with(lookup(&[("TAURUSDB_AUTH_TOKEN", "t")]))
            .unwrap()
            .endpoint("https://h")
            .build()
            .unwrap_err();
        assert!(
            e.to_string().starts_with("no project ID: "),
            "without a region there is nothing to look up: {e}"
        );
    }

    #[test]
    fn without_a_project_id_the_region_s_is_looked_up() {
        let c = ClientBuilder::from_env_with(lookup(&[
            ("TAURUSDB_AUTH_TOKEN", "t"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(c.config().project_id(), None);
        assert_eq!(
            c.config().project_id_source(),
            Some(Source::Iam(
                "https://iam.cn-north-4.myhuaweicloud.com".into()
            ))
        );
        let c = ClientBuilder::from_env_with(lookup(&[
            ("TAURUSDB_AUTH_TOKEN", "t"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-11"),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://127.0.0.1:5000/"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(
            c.config().project_id_source(),
            Some(Source::Iam("http://127.0.0.1:5000".into()))
        );
        let e = ClientBuilder::from_env_with(lookup(&[
            ("TAURUSDB_AUTH_TOKEN", "t"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://iam.example"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("HUAWEICLOUD_SDK_IAM_ENDPOINT `http://iam.example` must be https://"),
            "{e}"
        );
        let e = hermetic()
            .region("cn-north-4")
            .iam_endpoint("http://10.1.2.3")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("must be https://"), "{e}");
    }

    #[test]
    fn temporary_credentials_come_from_the_environment() {
        let c = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        let Some(Credentials::AkSk(k)) = c.config().credentials() else {
            panic!("{c:?}")
        };
        assert_eq!(k.security_token.as_ref().map(Secret::expose), Some("ST"));
    }

    #[test]
    fn the_chain_ends_at_the_metadata_service() {
        let c = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert!(matches!(
            c.config().credentials(),
            Some(Credentials::Metadata(_))
        ));
        assert_eq!(
            c.config().credential_source(),
            Some(&Source::Metadata("http://169.254.169.254".into()))
        );
        let e = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ("TAURUSDB_METADATA_ENDPOINT", "file:///etc/passwd"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("TAURUSDB_METADATA_ENDPOINT `file:///etc/passwd` must start"),
            "{e}"
        );
        let c = ClientBuilder::from_env_with(lookup(&[
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ("HUAWEICLOUD_SDK_IDP_ID", "idp"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert!(
            c.config().warnings()[0].contains("federated credentials"),
            "{:?}",
            c.config().warnings()
        );
    }

    #[test]
    fn bad_configuration_is_refused() {
        let e = hermetic().project_id("p").build().unwrap_err();
        assert!(e.to_string().starts_with("no region or endpoint"), "{e}");
        let e = hermetic()
            .endpoint("ftp://x")
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("must start with https://"), "{e}");
        let e = hermetic()
            .endpoint("https://h?x=1")
            .project_id("p")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("without query"), "{e}");
        let e = hermetic().endpoint("https://h").build().unwrap_err();
        assert!(e.to_string().starts_with("no project ID"), "{e}");
        let e = hermetic()
            .endpoint("https://h")
            .project_id("p\n")
            .build()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the project ID contains a line feed (LF), which cannot be sent in an HTTP header"
        );
        let e = hermetic()
            .endpoint("https://h")
            .project_id("p")
            .proxy("::")
            .build()
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid proxy URL"), "{e}");
        let e = hermetic()
            .endpoint("https://h")
            .project_id("p")
            .ca_bundle("/nonexistent/ca.pem")
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read the CA bundle /nonexistent/ca.pem"),
            "{e}"
        );
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
