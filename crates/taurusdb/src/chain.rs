//! The default credential chain ([`crate::Credentials::default_chain`]): where the client
//! finds credentials that were not given explicitly, in the official SDKs' order.
//!
//! 1. **The environment**: `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (with
//!    `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary keys), else this client's
//!    `TAURUSDB_AUTH_TOKEN`.
//! 2. **The profile** `~/.huaweicloud/credentials`, or the file `HUAWEICLOUD_SDK_CREDENTIALS_FILE`
//!    names (see `profile`): `[basic]`'s `ak` and `sk` (and `security_token`); with them, its
//!    `project_id` and `iam_endpoint` apply too.
//! 3. **The ECS/BMS metadata service** (`TAURUSDB_METADATA_ENDPOINT`, by default
//!    `http://169.254.169.254`): temporary credentials of the server's agency, fetched on the
//!    first call (see `metadata`).
//!
//! Facts from huaweicloudsdkcore 3.1.219 (`auth/provider.py`, `CredentialProviderChain`):
//! the SDK's chain is OIDC, environment, profile, metadata, pod identity; a source that has
//! nothing passes to the next. This client has no OIDC or pod identity source, nor the
//! SDK's federated (`idp_id` + `id_token_file`) credentials: a source that configures only
//! those draws a warning and the chain goes on. Unlike the SDK, a source that is half
//! configured (an AK without its SK, a malformed profile) is an error, never a reason to
//! try the next: credentials the user did not mean must not be used instead.
//!
//! The home directory is `$HOME` (`%USERPROFILE%` on Windows), read through the same lookup
//! as the environment, so that a test (or an application keeping its settings elsewhere)
//! can point it anywhere.

use std::fmt;
use std::path::PathBuf;

use crate::credentials::{Credentials, header_value};
use crate::metadata::{DEFAULT_ENDPOINT, MetadataCredentials};
use crate::profile::{Profile, file_error};
use crate::{Error, env};

/// Where a setting of the client came from (credentials, project ID): for `--verbose`, logs
/// and error messages. Never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Given to the [`crate::ClientBuilder`].
    Builder,
    /// An environment variable (as read by [`crate::ClientBuilder::from_env`]).
    Environment(&'static str),
    /// The profile file at this path.
    Profile(PathBuf),
    /// The ECS/BMS metadata service at this base URL.
    Metadata(String),
    /// Looked up in IAM at this endpoint.
    Iam(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builder => f.write_str("the client builder"),
            Source::Environment(var) => write!(f, "${var}"),
            Source::Profile(path) => write!(f, "the profile {}", path.display()),
            Source::Metadata(url) => write!(f, "the ECS metadata service at {url}"),
            Source::Iam(url) => write!(f, "IAM at {url}"),
        }
    }
}

/// What the chain found.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) credentials: Credentials,
    pub(crate) source: Source,
    /// The profile's `project_id`, when the profile gave the credentials.
    pub(crate) project_id: Option<String>,
    /// The profile's `iam_endpoint` (checked), when the profile gave the credentials.
    pub(crate) iam_endpoint: Option<String>,
    pub(crate) warnings: Vec<String>,
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The user's home directory, as the official SDKs find it.
pub(crate) fn home(env: Lookup<'_>) -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    env(var).map(PathBuf::from)
}

/// A file of `~/.huaweicloud/`, or the one `var` names; whether it must exist (it must when
/// named).
pub(crate) fn sdk_file(env: Lookup<'_>, var: &str, name: &str) -> Option<(PathBuf, bool)> {
    if let Some(path) = env(var) {
        return Some((PathBuf::from(path), true));
    }
    home(env).map(|h| (h.join(".huaweicloud").join(name), false))
}

/// Runs the chain.
pub(crate) fn resolve(env: Lookup<'_>) -> Result<Found, Error> {
    let mut warnings = Vec::new();
    if let Some(found) = from_env(env, &mut warnings)? {
        return Ok(found);
    }
    let profile = match from_profile(env, &mut warnings)? {
        Ok(found) => return Ok(found),
        Err(why) => why,
    };
    let base = match env(env::METADATA_ENDPOINT) {
        Some(url) => crate::config::check_endpoint(&url, env::METADATA_ENDPOINT)?,
        None => DEFAULT_ENDPOINT.to_string(),
    };
    tracing::debug!(
        endpoint = base.as_str(),
        "no credentials in the environment or a profile: the ECS metadata service will be asked"
    );
    let tried = format!(
        "no credentials in the environment ({} and {}, or {}) or {profile}",
        env::AK,
        env::SK,
        env::AUTH_TOKEN
    );
    Ok(Found {
        credentials: Credentials::Metadata(MetadataCredentials::after(base.clone(), Some(tried))),
        source: Source::Metadata(base),
        project_id: None,
        iam_endpoint: None,
        warnings,
    })
}

fn from_env(env: Lookup<'_>, warnings: &mut Vec<String>) -> Result<Option<Found>, Error> {
    let missing =
        |set: &str, unset: &str| Error::config(format!("{set} is set but {unset} is not"));
    let mut found = |credentials, var| Found {
        credentials,
        source: Source::Environment(var),
        project_id: None,
        iam_endpoint: None,
        warnings: std::mem::take(warnings),
    };
    let security_token = env(env::SECURITY_TOKEN);
    match (env(env::AK), env(env::SK)) {
        (Some(ak), Some(sk)) => {
            let credentials = match security_token {
                Some(t) => Credentials::temporary_aksk(ak, sk, t),
                None => Credentials::aksk(ak, sk),
            };
            Ok(Some(found(credentials, env::AK)))
        }
        (Some(_), None) => Err(missing(env::AK, env::SK)),
        (None, Some(_)) => Err(missing(env::SK, env::AK)),
        (None, None) if security_token.is_some() => Err(missing(env::SECURITY_TOKEN, env::AK)),
        (None, None) => {
            if let Some(t) = env(env::AUTH_TOKEN) {
                return Ok(Some(found(Credentials::token(t), env::AUTH_TOKEN)));
            }
            if env(env::IDP_ID).is_some() || env(env::ID_TOKEN_FILE).is_some() {
                warnings.push(format!(
                    "{} and {} (federated credentials) are not supported by this client: ignored",
                    env::IDP_ID,
                    env::ID_TOKEN_FILE
                ));
            }
            Ok(None)
        }
    }
}

/// The profile's credentials, or (`Ok(Err(..))`) why it has none, for the chain's error.
fn from_profile(
    env: Lookup<'_>,
    warnings: &mut Vec<String>,
) -> Result<Result<Found, String>, Error> {
    let Some((path, required)) = sdk_file(env, env::CREDENTIALS_FILE, "credentials") else {
        return Ok(Err("a profile (no home directory)".to_string()));
    };
    let Some(profile) = Profile::read(&path)? else {
        if required {
            return Err(Error::config(format!(
                "{} names {}, which does not exist",
                env::CREDENTIALS_FILE,
                path.display()
            )));
        }
        return Ok(Err(format!("the profile {} (not found)", path.display())));
    };
    let Profile {
        path,
        basic,
        warnings: profile_warnings,
    } = profile;
    warnings.extend(profile_warnings);
    let Some(basic) = basic else {
        return Ok(Err(format!(
            "the profile {} (no [basic] section)",
            path.display()
        )));
    };
    let err = |line, key, what: &str| file_error(&path, line, Some(key), what);
    let credentials = match (basic.ak, basic.sk) {
        (Some((ak, ak_line)), Some((sk, _))) => {
            header_value(&ak, "the access key")
                .map_err(|_| err(ak_line, "ak", "cannot be sent in an HTTP header"))?;
            match basic.security_token {
                Some((t, line)) => {
                    header_value(&t, "the security token").map_err(|_| {
                        err(line, "security_token", "cannot be sent in an HTTP header")
                    })?;
                    Credentials::temporary_aksk(ak, sk, t)
                }
                None => Credentials::aksk(ak, sk),
            }
        }
        (Some((_, line)), None) => return Err(err(line, "ak", "`ak` is set but `sk` is not")),
        (None, Some((_, line))) => return Err(err(line, "sk", "`sk` is set but `ak` is not")),
        (None, None) => {
            if let Some((_, line)) = basic.security_token {
                return Err(err(
                    line,
                    "security_token",
                    "`security_token` is set but `ak` and `sk` are not",
                ));
            }
            if let Some(line) = basic.federated {
                let w = format!(
                    "{}, line {line}: federated credentials (`idp_id`, `id_token_file`) are not supported by this client: ignored",
                    path.display()
                );
                warnings.push(w);
            }
            return Ok(Err(format!(
                "the profile {} (no `ak` and `sk` in [basic])",
                path.display()
            )));
        }
    };
    let project_id = match basic.project_id {
        Some((p, line)) => {
            header_value(&p, "the project ID")
                .map_err(|_| err(line, "project_id", "cannot be sent in an HTTP header"))?;
            Some(p)
        }
        None => None,
    };
    let iam_endpoint = match basic.iam_endpoint {
        Some((url, line)) => Some(
            crate::iam::check_endpoint(&url, "the IAM endpoint").map_err(|e| {
                let what = e.to_string();
                err(line, "iam_endpoint", &what)
            })?,
        ),
        None => None,
    };
    Ok(Ok(Found {
        credentials,
        source: Source::Profile(path),
        project_id,
        iam_endpoint,
        warnings: std::mem::take(warnings),
    }))
}
