//! Temporary credentials from the ECS/BMS metadata service, for a server whose agency grants
//! it access (no keys on the machine): [`MetadataCredentials`].
//!
//! Facts from huaweicloudsdkcore 3.1.219 (`auth/internal.py`, `MetadataAccessor`;
//! `auth/credentials.py`):
//! - `PUT {base}/meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds: 21600`
//!   answers a session token as text; 404, 405 or 503 mean the service has no session
//!   tokens, and the credentials are asked for without one (the SDK tries again after 24 h).
//! - `GET {base}/openstack/latest/securitykey` with `X-Metadata-Token` answers
//!   `{"credential": {"access", "secret", "securitytoken", "expires_at"}}` (also read:
//!   `credentials`, `accessKeyId`/`access_key_id`, `secretAccessKey`/`secret_access_key`,
//!   `securityToken`/`security_token`, `expiration`). A 401 whose body does not ask to
//!   configure an agency renews the session token once.
//! - The credentials are fetched again when less than 40 minutes are left before
//!   `expires_at`; timeouts are 3 s. The base is `http://169.254.169.254`.
//!
//! Here, the fetch happens on the first call (not when the client is built, which is not
//! `async`), is shared by concurrent calls (see `refresh`), and goes only to the configured
//! base URL: no proxy, no redirects. What the service answers is never shown in an error
//! (it holds the secret key); its status is.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderValue;
use serde_json::Value;

use crate::error::one_line;
use crate::refresh::{Expiring, Refreshing};
use crate::signing::Signer;
use crate::{Error, ErrorKind};

/// The metadata service's address on ECS and BMS servers.
pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
const TOKEN_TTL_HEADER: &str = "x-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-metadata-token";
/// The session token's lifetime asked for (6 h).
const TOKEN_TTL_SECONDS: &str = "21600";
/// How long a metadata service without session tokens is asked without one.
const NO_TOKEN_RECHECK: Duration = Duration::from_secs(24 * 60 * 60);
/// The text of a 401 that no session token can fix.
const NO_AGENCY: &str = "Please configure Cloud Service Agency first";
/// The official SDK's timeout for each request to the metadata service.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Credentials are fetched again when less than this is left before they expire.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(40 * 60);

/// Temporary credentials as the client uses them: a signer prepared once per credential,
/// and the security token as a header value.
pub(crate) struct Session {
    pub(crate) access_key: String,
    pub(crate) signer: Signer,
    pub(crate) security_token: Option<HeaderValue>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

/// Credentials from the ECS/BMS metadata service, fetched on the first call and again
/// before they expire. See [`crate::Credentials::metadata`].
#[derive(Clone)]
pub struct MetadataCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    /// What the default chain found nowhere before it came here, put before the errors.
    tried: Option<String>,
    http: OnceLock<Result<reqwest::Client, String>>,
    sessions: Refreshing<Arc<Session>>,
    /// The session token, and when the service last said it has none.
    token: Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    token: Option<HeaderValue>,
    none_since: Option<Instant>,
}

impl fmt::Debug for MetadataCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataCredentials")
            .field("endpoint", &self.inner.base)
            .finish_non_exhaustive()
    }
}

impl MetadataCredentials {
    /// The service at `base` (checked by the caller: an http(s) URL without a trailing `/`).
    pub(crate) fn new(base: String) -> MetadataCredentials {
        MetadataCredentials::after(base, None)
    }

    /// The service at `base` as the default chain's last source, after `tried` (what the
    /// sources before it lacked, for the error when this one has nothing either).
    pub(crate) fn after(base: String, tried: Option<String>) -> MetadataCredentials {
        MetadataCredentials {
            inner: Arc::new(Inner {
                base,
                tried,
                http: OnceLock::new(),
                sessions: Refreshing::new(REFRESH_MARGIN),
                token: Mutex::new(TokenState::default()),
            }),
        }
    }

    /// The metadata service's base URL.
    pub fn endpoint(&self) -> &str {
        &self.inner.base
    }

    /// The access key of the credentials fetched last, if any (not a secret).
    pub fn access_key(&self) -> Option<String> {
        self.inner
            .sessions
            .peek()
            .map(|s| s.value.access_key.clone())
    }

    /// The current credentials, fetched first if there are none or they are about to expire.
    pub(crate) async fn session(&self) -> Result<Arc<Session>, Error> {
        let inner = &self.inner;
        let s = inner
            .sessions
            .get(|| inner.fetch())
            .await
            .map_err(|e| match &inner.tried {
                // The chain found credentials nowhere: that is the error (the metadata
                // service not answering off ECS is the usual case), not a network failure.
                Some(tried) => e
                    .prefixed(&format!("{tried}; "))
                    .with_kind(ErrorKind::Credentials),
                None => e,
            })?;
        Ok(s.value.clone())
    }
}

fn metadata_error(kind: ErrorKind, what: impl fmt::Display) -> Error {
    Error::new(
        kind,
        format!("no credentials from the ECS metadata service: {what}"),
    )
}

impl Inner {
    fn http(&self) -> Result<&reqwest::Client, Error> {
        let built = self.http.get_or_init(|| {
            reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(TIMEOUT)
                .timeout(TIMEOUT)
                .build()
                .map_err(|e| e.to_string())
        });
        built.as_ref().map_err(|e| {
            Error::config(format!(
                "cannot build the HTTP client of the metadata service: {e}"
            ))
        })
    }

    fn unreachable(&self, e: reqwest::Error) -> Error {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Connect
        };
        metadata_error(kind, format!("{} did not answer", self.base)).with_source(e.without_url())
    }

    /// Asks for a session token; `Ok(None)` when the service has none to give.
    async fn new_token(&self, required: bool) -> Result<Option<HeaderValue>, Error> {
        let response = self
            .http()?
            .put(format!("{}{TOKEN_PATH}", self.base))
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = response.status();
        if status.is_success() {
            let text = response.text().await.map_err(|e| self.unreachable(e))?;
            let mut token = HeaderValue::from_str(text.trim()).map_err(|_| {
                metadata_error(
                    ErrorKind::Credentials,
                    "its session token cannot be sent as a header",
                )
            })?;
            token.set_sensitive(true);
            return Ok(Some(token));
        }
        if !required && matches!(status.as_u16(), 404 | 405 | 503) {
            return Ok(None);
        }
        Err(metadata_error(
            ErrorKind::Credentials,
            format!("PUT {TOKEN_PATH} answered {status}"),
        ))
    }

    async fn get_security_key(
        &self,
        token: Option<&HeaderValue>,
    ) -> Result<reqwest::Response, Error> {
        let mut request = self
            .http()?
            .get(format!("{}{SECURITY_KEY_PATH}", self.base));
        if let Some(t) = token {
            request = request.header(TOKEN_HEADER, t.clone());
        }
        request.send().await.map_err(|e| self.unreachable(e))
    }

    async fn fetch(&self) -> Result<Expiring<Arc<Session>>, Error> {
        let token = {
            let state = self.token.lock().unwrap_or_else(|e| e.into_inner());
            let recheck = state
                .none_since
                .is_none_or(|at| at.elapsed() > NO_TOKEN_RECHECK);
            match &state.token {
                Some(t) => Some(Some(t.clone())),
                None if recheck => None,
                None => Some(None),
            }
        };
        let token = match token {
            Some(t) => t,
            None => {
                let t = self.new_token(false).await?;
                self.remember_token(t.clone());
                t
            }
        };
        let mut response = self.get_security_key(token.as_ref()).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            let body = response.text().await.unwrap_or_default();
            if body.contains(NO_AGENCY) {
                return Err(metadata_error(
                    ErrorKind::Credentials,
                    "the server has no agency: configure a cloud service agency for it (HTTP 401)",
                ));
            }
            let t = self.new_token(true).await?;
            self.remember_token(t.clone());
            response = self.get_security_key(t.as_ref()).await?;
        }
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let body = one_line(&body, 160);
            let what = if body.is_empty() {
                format!("GET {SECURITY_KEY_PATH} answered {status}")
            } else {
                format!("GET {SECURITY_KEY_PATH} answered {status}: {body}")
            };
            return Err(metadata_error(ErrorKind::Credentials, what));
        }
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        let session = parse_security_key(&bytes)?;
        tracing::debug!(
            access_key = session.value.access_key.as_str(),
            "temporary credentials from the ECS metadata service"
        );
        Ok(session)
    }

    fn remember_token(&self, token: Option<HeaderValue>) {
        let mut state = self.token.lock().unwrap_or_else(|e| e.into_inner());
        state.none_since = token.is_none().then(Instant::now);
        state.token = token;
    }
}

/// The credentials in the service's answer. Errors never quote it: it holds the secret key.
fn parse_security_key(bytes: &[u8]) -> Result<Expiring<Arc<Session>>, Error> {
    let bad = |what: &str| {
        metadata_error(
            ErrorKind::Decode,
            format!("its answer to GET {SECURITY_KEY_PATH} {what}"),
        )
    };
    let root: Value = serde_json::from_slice(bytes).map_err(|_| bad("is not JSON"))?;
    let c = root
        .get("credential")
        .or_else(|| root.get("credentials"))
        .unwrap_or(&root);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| c.get(*n).and_then(Value::as_str))
            .filter(|v| !v.is_empty())
    };
    let access = field(&["access", "accessKeyId", "access_key_id"])
        .ok_or_else(|| bad("has no access key"))?;
    let secret = field(&["secret", "secretAccessKey", "secret_access_key"])
        .ok_or_else(|| bad("has no secret key"))?;
    let security_token = field(&["securitytoken", "securityToken", "security_token"])
        .map(|t| {
            crate::credentials::header_value(t, "the security token").map(|mut v| {
                v.set_sensitive(true);
                v
            })
        })
        .transpose()
        .map_err(|_| bad("has a security token that cannot be sent as a header"))?;
    crate::credentials::header_value(access, "the access key")
        .map_err(|_| bad("has an access key that cannot be sent as a header"))?;
    // Tolerant: without a readable expiry, the credentials serve this call and are fetched
    // again for the next.
    let expires_at = match field(&["expires_at", "expiration"]) {
        Some(t) => crate::date::parse_timestamp(t),
        None => None,
    };
    let expires_at = expires_at.unwrap_or_else(|| {
        tracing::warn!(
            "the ECS metadata service's credentials have no readable expires_at: they will be fetched again for the next call"
        );
        SystemTime::now()
    });
    Ok(Expiring {
        value: Arc::new(Session {
            access_key: access.to_string(),
            signer: Signer::new(access, secret),
            security_token,
        }),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_in_every_spelling_and_never_quoted() {
        let s = parse_security_key(
            br#"{"credential":{"access":"TMPAK","secret":"tmp-secret","securitytoken":"tmp-token","expires_at":"2099-01-01T00:00:00.000000Z"}}"#,
        )
        .unwrap();
        assert_eq!(s.value.access_key, "TMPAK");
        assert!(s.value.security_token.as_ref().unwrap().is_sensitive());
        assert_eq!(
            s.expires_at,
            crate::date::parse_timestamp("2099-01-01T00:00:00Z").unwrap()
        );
        let s = parse_security_key(
            br#"{"credentials":{"accessKeyId":"A2","secretAccessKey":"s2","securityToken":"t2","expiration":"2099-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(s.value.access_key, "A2");
        let s = parse_security_key(br#"{"access_key_id":"A3","secret_access_key":"s3"}"#).unwrap();
        assert!(s.value.security_token.is_none());
        assert!(s.expires_at <= SystemTime::now(), "no expiry: used once");

        for (body, want) in [
            (&b"not json tmp-secret"[..], "is not JSON"),
            (
                br#"{"credential":{"secret":"tmp-secret"}}"#,
                "has no access key",
            ),
            (br#"{"credential":{"access":"A"}}"#, "has no secret key"),
            (
                br#"{"credential":{"access":"A","secret":"tmp-secret","securitytoken":"a\nb"}}"#,
                "security token that cannot be sent",
            ),
        ] {
            let e = parse_security_key(body).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(text.contains(want), "{text}");
            assert!(!text.contains("tmp-secret"), "{text}");
            assert_eq!(e.kind(), ErrorKind::Decode);
        }
        let d = format!("{:?}", MetadataCredentials::new(DEFAULT_ENDPOINT.into()));
        assert_eq!(
            d,
            "MetadataCredentials { endpoint: \"http://169.254.169.254\", .. }"
        );
    }
}
