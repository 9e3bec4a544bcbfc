//! Credentials: an IAM token (fixed or from a provider that can refresh it), an AK/SK pair
//! whose secret key signs every request, temporary AK/SK from the ECS metadata service, or
//! the default chain that finds one of them as the official SDKs do. Set once on the
//! client, never per call.
//!
//! Secrets are held in [`Secret`], whose `Debug` prints `[redacted]` and which has no
//! `Display`, so formatting a client, its configuration or an error never shows one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::HeaderValue;

use crate::Error;
pub use crate::metadata::MetadataCredentials;

/// A secret string: a token, a secret key or a security token.
///
/// Its `Debug` output is `Secret([redacted])`; it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret as a header value marked sensitive (so that HTTP tooling also hides it),
    /// or an error naming `what` without showing the value.
    pub(crate) fn header_value(&self, what: &str) -> Result<HeaderValue, Error> {
        header_value(self.expose(), what).map(|mut v| {
            v.set_sensitive(true);
            v
        })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

/// Checks that `value` can be sent as a header value. The message names `what` and never
/// repeats the value (it may be a secret).
pub(crate) fn header_value(value: &str, what: &str) -> Result<HeaderValue, Error> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let name = match c {
            '\r' => "a carriage return (CR)".to_string(),
            '\n' => "a line feed (LF)".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        return Err(Error::invalid_request(format!(
            "{what} contains {name}, which cannot be sent in an HTTP header"
        )));
    }
    HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_request(format!(
            "{what} contains characters that cannot be sent in an HTTP header"
        ))
    })
}

/// The error a [`TokenProvider`] may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A [`TokenProvider`]'s failure as the call's error: the client's own error as it is (the
/// [`crate::iam::PasswordTokenProvider`]'s), any other wrapped.
pub(crate) fn provider_error(e: BoxError) -> Error {
    match e.downcast::<Error>() {
        Ok(e) => *e,
        Err(e) => Error::new(crate::ErrorKind::Credentials, "the token provider failed")
            .with_boxed_source(e),
    }
}

/// Supplies IAM tokens, for example by calling IAM's `POST /v3/auth/tokens` and caching the
/// `X-Subject-Token` until it is about to expire (tokens are valid for 24 hours). Called
/// before every request; caching is the provider's job.
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to send as `X-Auth-Token`.
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<Secret, BoxError>> + Send + '_>>;
}

/// How the client authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM token sent as `X-Auth-Token`.
    Token(TokenSource),
    /// An access key and secret key: every request is signed with `SDK-HMAC-SHA256`.
    AkSk(AkSk),
    /// Temporary AK/SK and security token of the server's agency, from the ECS/BMS metadata
    /// service, fetched on the first call and again before they expire.
    Metadata(MetadataCredentials),
    /// Not credentials yet: [`Credentials::default_chain`], resolved when the client is built.
    DefaultChain,
}

/// Where an IAM token comes from.
#[derive(Clone)]
pub enum TokenSource {
    /// A token given once.
    Fixed(Secret),
    /// A provider asked before every request.
    Provider(Arc<dyn TokenProvider>),
}

/// An access key, its secret key and, for temporary credentials, a security token.
#[derive(Clone)]
pub struct AkSk {
    pub(crate) access_key: String,
    pub(crate) secret_key: Secret,
    pub(crate) security_token: Option<Secret>,
}

impl AkSk {
    /// The access key ID (not a secret; it is sent in every signature).
    pub fn access_key(&self) -> &str {
        &self.access_key
    }
}

impl Credentials {
    /// A fixed IAM token.
    pub fn token(token: impl Into<Secret>) -> Credentials {
        Credentials::Token(TokenSource::Fixed(token.into()))
    }

    /// Tokens from `provider`, asked before every request.
    pub fn token_provider(provider: impl TokenProvider) -> Credentials {
        Credentials::Token(TokenSource::Provider(Arc::new(provider)))
    }

    /// Permanent AK/SK credentials.
    pub fn aksk(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Credentials {
        Credentials::AkSk(AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
        })
    }

    /// Temporary AK/SK credentials: the security token is sent as `X-Security-Token`.
    pub fn temporary_aksk(
        access_key: impl Into<String>,
        secret_key: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Credentials {
        Credentials::AkSk(AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: Some(security_token.into()),
        })
    }

    /// The credentials of the server's agency, from the ECS/BMS metadata service at
    /// `http://169.254.169.254` (`PUT /meta-data/latest/api/token`, then
    /// `GET /openstack/latest/securitykey`): fetched on the first call, shared by concurrent
    /// calls, fetched again 40 minutes before they expire, as the official SDKs do.
    pub fn metadata() -> Credentials {
        Credentials::Metadata(MetadataCredentials::new(
            crate::metadata::DEFAULT_ENDPOINT.to_string(),
        ))
    }

    /// As [`metadata`](Self::metadata), from the metadata service at `base_url` (an http(s)
    /// URL, e.g. a test server on 127.0.0.1).
    pub fn metadata_at(base_url: &str) -> Result<Credentials, Error> {
        let base = crate::config::check_endpoint(base_url, "the metadata endpoint")?;
        Ok(Credentials::Metadata(MetadataCredentials::new(base)))
    }

    /// Credentials found when the client is built, where the official SDKs look when they are
    /// given none, in their order: the environment (`HUAWEICLOUD_SDK_AK`,
    /// `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`, or `TAURUSDB_AUTH_TOKEN`), the
    /// profile `~/.huaweicloud/credentials` (or `HUAWEICLOUD_SDK_CREDENTIALS_FILE`), then the
    /// ECS metadata service ([`metadata`](Self::metadata); `TAURUSDB_METADATA_ENDPOINT`
    /// overrides its address). [`crate::ClientBuilder::from_env`] uses it;
    /// [`crate::Config::credential_source`] says which one was used.
    pub fn default_chain() -> Credentials {
        Credentials::DefaultChain
    }

    /// Checks what can be checked before any request: values that cannot be headers, an
    /// empty key.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let config = |e: Error| Error::config(e.to_string());
        match self {
            Credentials::Token(TokenSource::Fixed(t)) => {
                if t.expose().is_empty() {
                    return Err(Error::config("the IAM token is empty"));
                }
                t.header_value("the IAM token").map_err(config)?;
            }
            Credentials::Token(TokenSource::Provider(_))
            | Credentials::Metadata(_)
            | Credentials::DefaultChain => {}
            Credentials::AkSk(k) => {
                if k.access_key.is_empty() {
                    return Err(Error::config("the access key (AK) is empty"));
                }
                if k.secret_key.expose().is_empty() {
                    return Err(Error::config("the secret key (SK) is empty"));
                }
                header_value(&k.access_key, "the access key (AK)").map_err(config)?;
                if let Some(t) = &k.security_token {
                    t.header_value("the security token").map_err(config)?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(TokenSource::Fixed(t)) => f.debug_tuple("Token").field(t).finish(),
            Credentials::Token(TokenSource::Provider(_)) => f.write_str("Token(Provider)"),
            Credentials::AkSk(k) => k.fmt(f),
            Credentials::Metadata(m) => f.debug_tuple("Metadata").field(m).finish(),
            Credentials::DefaultChain => f.write_str("DefaultChain"),
        }
    }
}

impl fmt::Debug for AkSk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSk")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::temporary_aksk("AK", "the-secret-key", "the-security-token");
        let t = Credentials::token("the-token");
        let text = format!("{c:?} {t:?} {:?}", Secret::new("x-secret"));
        for secret in [
            "the-secret-key",
            "the-security-token",
            "the-token",
            "x-secret",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(
            text.contains("AK"),
            "the access key is not a secret: {text}"
        );
    }

    #[test]
    fn control_characters_are_refused_without_echoing_the_value() {
        let e = Credentials::token("abc\r\nX-Injected: 1")
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the IAM token contains a carriage return (CR), which cannot be sent in an HTTP header"
        );
        let e = Credentials::temporary_aksk("AK", "SK", "tok\u{7}en")
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("U+0007"), "{e}");
        assert!(Credentials::aksk("", "SK").validate().is_err());
    }
}
