//! Settings from three sources: flags win over the environment (the client's variables), which
//! wins over the config file (TOML, in the user's config directory unless `--config PATH` or
//! `TAURUSDB_CONFIG` names another). Every resolved setting remembers where it came from, for
//! `--verbose` and for error messages; secrets are held as [`Secret`] and never printed.
//!
//! What none of the three gives is left to the client, which finds it as the official SDKs
//! do: credentials from the profile `~/.huaweicloud/credentials` or the ECS metadata service
//! ([`Credentials::default_chain`]), the project ID from the profile or by looking it up in
//! IAM ([`Origin::Client`]); `--verbose` then reports what the client found.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use taurusdb::{Credentials, Secret, env};

use crate::args::Globals;

/// The variable naming the config file, when `--config` is not given.
pub const CONFIG_ENV: &str = "TAURUSDB_CONFIG";

/// Reads an environment variable; an empty or non-UTF-8 value counts as unset, as in the
/// client.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, as an [`Env`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, e.g. `--region`.
    Flag(&'static str),
    /// An environment variable.
    Env(String),
    /// The config file, with the key.
    File(&'static str),
    /// `taurusdb demo`.
    Demo,
    /// None of the CLI's sources: the client finds it (the profile, the ECS metadata
    /// service, an IAM lookup), and reports where.
    Client,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "${var}"),
            Origin::File(key) => write!(f, "config file key `{key}`"),
            Origin::Demo => f.write_str("demo"),
            Origin::Client => f.write_str("the client's sources"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its source.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }
}

/// The config file's keys; all optional. Unknown keys are refused, so a typo is noticed.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// Region ID.
    pub region: Option<String>,
    /// Endpoint URL.
    pub endpoint: Option<String>,
    /// Project ID.
    pub project_id: Option<String>,
    /// `en-us` or `zh-cn`.
    pub language: Option<String>,
    /// Access key ID.
    pub access_key: Option<String>,
    /// Secret access key.
    #[serde(default, deserialize_with = "secret")]
    pub secret_key: Option<Secret>,
    /// Security token of temporary AK/SK credentials.
    #[serde(default, deserialize_with = "secret")]
    pub security_token: Option<Secret>,
    /// IAM token.
    #[serde(default, deserialize_with = "secret")]
    pub auth_token: Option<Secret>,
    /// A PEM file of CA certificates to trust too (`TAURUSDB_CA_BUNDLE` wins).
    pub ca_bundle: Option<PathBuf>,
    /// Accept any TLS certificate (test installations only; warned about on every call).
    pub danger_accept_invalid_certs: Option<bool>,
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|s| !s.is_empty())
        .map(Secret::new))
}

/// The config file: where it is and what it says (nothing, when it does not exist).
pub struct ConfigFile {
    /// Where it is, or would be.
    pub path: PathBuf,
    /// Whether it exists.
    pub found: bool,
    /// What it says.
    pub settings: FileSettings,
}

/// The config file to read, and whether it must exist (it must when named explicitly).
pub fn locate(flag: Option<&Path>, env: Env<'_>) -> Option<(PathBuf, bool)> {
    if let Some(path) = flag {
        return Some((path.to_path_buf(), true));
    }
    if let Some(path) = env(CONFIG_ENV) {
        return Some((PathBuf::from(path), true));
    }
    default_path().map(|p| (p, false))
}

/// `taurusdb/config.toml` in the user's config directory: `$XDG_CONFIG_HOME` or `~/.config`
/// (also on macOS), `%APPDATA%` on Windows. `None` when there is no home directory.
pub fn default_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("taurusdb").join("config.toml"))
}

/// Reads and parses the config file at `path`. A missing file is empty unless `required`.
pub fn load(path: &Path, required: bool) -> Result<ConfigFile, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(ConfigFile {
                path: path.to_path_buf(),
                found: false,
                settings: FileSettings::default(),
            });
        }
        Err(e) => {
            return Err(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ));
        }
    };
    let settings = parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))?;
    Ok(ConfigFile {
        path: path.to_path_buf(),
        found: true,
        settings,
    })
}

/// Parses a config file's text. The message gives the line and column but never the line
/// itself, which may hold a secret.
pub fn parse(text: &str) -> Result<FileSettings, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = e.message().trim_end();
        match e.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: {message}")
            }
            None => message.to_string(),
        }
    })
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An explicit endpoint URL.
    Endpoint(Sourced<String>),
    /// A region whose endpoint comes from the spec's server table.
    Region,
}

/// Credentials and a description of them that shows no secret.
#[derive(Clone)]
pub struct ResolvedCredentials {
    /// The credentials.
    pub credentials: Credentials,
    /// What they are, e.g. `AK/SK (access key AKIA...)`; never a secret.
    pub description: String,
    /// Where they came from.
    pub origin: Origin,
}

/// Everything a client needs, each with its source.
#[derive(Clone)]
pub struct Settings {
    /// Explicit endpoint, or the region's.
    pub location: Location,
    /// The region, if any source set one.
    pub region: Option<Sourced<String>>,
    /// The project ID ([`Origin::Client`], with an empty value, when the client is to find
    /// it).
    pub project_id: Sourced<String>,
    /// The language, if a source set one (else the spec's default applies).
    pub language: Option<Sourced<String>>,
    /// The credentials ([`Credentials::default_chain`] and [`Origin::Client`] when the
    /// client is to find them).
    pub credentials: ResolvedCredentials,
}

impl Settings {
    /// The project ID the CLI's sources gave, if any.
    pub fn project_id(&self) -> Option<&Sourced<String>> {
        (self.project_id.origin != Origin::Client).then_some(&self.project_id)
    }
}

/// The names of one setting in each source.
struct Names {
    flag: &'static str,
    var: &'static str,
    key: &'static str,
}

const REGION: Names = Names {
    flag: "--region",
    var: env::REGION,
    key: "region",
};

const PROJECT_ID: Names = Names {
    flag: "--project-id",
    var: env::PROJECT_ID,
    key: "project_id",
};

/// The setting from the flag, else the environment, else the file, with its origin.
fn pick(
    names: &Names,
    flag: Option<&String>,
    env: Env<'_>,
    file: Option<&String>,
) -> Option<Sourced<String>> {
    if let Some(v) = flag {
        return Some(Sourced::new(v.clone(), Origin::Flag(names.flag)));
    }
    if let Some(v) = env(names.var) {
        return Some(Sourced::new(v, Origin::Env(names.var.to_string())));
    }
    file.filter(|v| !v.is_empty())
        .map(|v| Sourced::new(v.clone(), Origin::File(names.key)))
}

/// Merges the three sources. Fails, naming every place a missing setting may be given, when
/// the project ID, the region or endpoint, or the credentials are missing or incomplete.
pub fn resolve(
    flags: &Globals,
    env: Env<'_>,
    file: Option<&ConfigFile>,
) -> Result<Settings, String> {
    let empty = FileSettings::default();
    let fs = file.map_or(&empty, |f| &f.settings);
    let file_hint = match file {
        Some(f) => format!("in {}", f.path.display()),
        None => "in the config file".to_string(),
    };

    let region = pick(&REGION, flags.region.as_ref(), env, fs.region.as_ref());
    let location = resolve_location(flags, env, fs, region.as_ref());
    if location.is_none() && region.is_none() {
        return Err(format!(
            "no region or endpoint: pass --region or --endpoint, set {}, or set `region` or `endpoint` {file_hint}",
            env::REGION
        ));
    }
    // Without one, the client takes the profile's or looks it up in IAM by region (and
    // fails, naming where to give one, when there is no region).
    let project_id = pick(
        &PROJECT_ID,
        flags.project_id.as_ref(),
        env,
        fs.project_id.as_ref(),
    )
    .unwrap_or_else(|| Sourced::new(String::new(), Origin::Client));
    let language = match (&flags.language, &fs.language) {
        (Some(l), _) => Some(Sourced::new(l.clone(), Origin::Flag("--language"))),
        (None, Some(l)) => {
            let (allowed, _) = crate::args::setting_values(taurusdb::spec::Setting::Language);
            if !allowed.is_empty() && !allowed.contains(l) {
                return Err(format!(
                    "invalid `language` {file_hint}: expected {}",
                    allowed.join(" or ")
                ));
            }
            Some(Sourced::new(l.clone(), Origin::File("language")))
        }
        (None, None) => None,
    };
    let credentials = resolve_credentials(env, fs)?.unwrap_or_else(|| ResolvedCredentials {
        credentials: Credentials::default_chain(),
        description: "found by the client".to_string(),
        origin: Origin::Client,
    });
    Ok(Settings {
        location: location.unwrap_or(Location::Region),
        region,
        project_id,
        language,
        credentials,
    })
}

/// The `TAURUSDB_DANGER_ACCEPT_INVALID_CERTS` variable (`true` or `1`): the config file's
/// `danger_accept_invalid_certs` for one run.
pub const INSECURE_ENV: &str = "TAURUSDB_DANGER_ACCEPT_INVALID_CERTS";

/// TLS settings: a CA bundle from the config file (the client itself reads
/// `TAURUSDB_CA_BUNDLE`, which wins), and whether certificates go unchecked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    /// The config file's `ca_bundle`, when `TAURUSDB_CA_BUNDLE` is not set.
    pub ca_bundle: Option<PathBuf>,
    /// Where accepting invalid certificates was asked for, if it was.
    pub accept_invalid_certs: Option<Origin>,
}

/// The TLS settings of the environment and the config file.
pub fn tls(env: Env<'_>, file: Option<&ConfigFile>) -> Result<Tls, String> {
    let fs = file.map(|f| &f.settings);
    let ca_bundle = match env(env::CA_BUNDLE) {
        Some(_) => None,
        None => fs.and_then(|f| f.ca_bundle.clone()),
    };
    let accept_invalid_certs = match env(INSECURE_ENV).as_deref() {
        Some("true" | "1") => Some(Origin::Env(INSECURE_ENV.to_string())),
        Some("false" | "0") => None,
        Some(_) => return Err(format!("{INSECURE_ENV} must be true or false")),
        None => fs
            .and_then(|f| f.danger_accept_invalid_certs)
            .filter(|&on| on)
            .map(|_| Origin::File("danger_accept_invalid_certs")),
    };
    Ok(Tls {
        ca_bundle,
        accept_invalid_certs,
    })
}

/// The endpoint comes from the highest source that says where to go: `--endpoint` or
/// `--region` on the command line, then `HUAWEICLOUD_SDK_REGION`, then the file's `endpoint`
/// or `region`. A region's endpoint may be overridden by the official SDKs' variable
/// `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>`.
fn resolve_location(
    flags: &Globals,
    env: Env<'_>,
    fs: &FileSettings,
    region: Option<&Sourced<String>>,
) -> Option<Location> {
    if let Some(url) = &flags.endpoint {
        return Some(Location::Endpoint(Sourced::new(
            url.clone(),
            Origin::Flag("--endpoint"),
        )));
    }
    let region_outranks_file = region.is_some_and(|r| !matches!(r.origin, Origin::File(_)));
    if !region_outranks_file && let Some(url) = fs.endpoint.as_ref().filter(|u| !u.is_empty()) {
        return Some(Location::Endpoint(Sourced::new(
            url.clone(),
            Origin::File("endpoint"),
        )));
    }
    let region = region?;
    let var = env::region_endpoint(&region.value);
    Some(match env(&var) {
        Some(url) => Location::Endpoint(Sourced::new(url, Origin::Env(var))),
        None => Location::Region,
    })
}

/// The environment's credentials when it has any credential variable, else the file's.
fn resolve_credentials(
    env: Env<'_>,
    fs: &FileSettings,
) -> Result<Option<ResolvedCredentials>, String> {
    let from_env = Layer {
        access_key: env(env::AK),
        secret_key: env(env::SK).map(Secret::new),
        security_token: env(env::SECURITY_TOKEN).map(Secret::new),
        token: env(env::AUTH_TOKEN).map(Secret::new),
        names: [env::AK, env::SK, env::SECURITY_TOKEN, env::AUTH_TOKEN],
        origin: |name| Origin::Env(name.to_string()),
    };
    if let Some(c) = from_env.credentials()? {
        return Ok(Some(c));
    }
    let from_file = Layer {
        access_key: fs.access_key.clone().filter(|s| !s.is_empty()),
        secret_key: fs.secret_key.clone(),
        security_token: fs.security_token.clone(),
        token: fs.auth_token.clone(),
        names: ["access_key", "secret_key", "security_token", "auth_token"],
        origin: Origin::File,
    };
    from_file.credentials()
}

/// The credential settings of one source.
struct Layer {
    access_key: Option<String>,
    secret_key: Option<Secret>,
    security_token: Option<Secret>,
    token: Option<Secret>,
    /// The names of the four settings in this source.
    names: [&'static str; 4],
    origin: fn(&'static str) -> Origin,
}

impl Layer {
    fn credentials(self) -> Result<Option<ResolvedCredentials>, String> {
        let [ak_name, sk_name, st_name, token_name] = self.names;
        let origin = self.origin;
        let missing = |set: &'static str, unset: &'static str| {
            Err(format!(
                "{} is set but {} is not",
                origin(set),
                origin(unset)
            ))
        };
        match (self.access_key, self.secret_key) {
            (Some(ak), Some(sk)) => {
                let description = format!("AK/SK, access key {ak}");
                let (credentials, description) = match self.security_token {
                    Some(st) => (
                        Credentials::temporary_aksk(ak, sk, st),
                        format!("temporary {description}"),
                    ),
                    None => (Credentials::aksk(ak, sk), description),
                };
                Ok(Some(ResolvedCredentials {
                    credentials,
                    description,
                    origin: (self.origin)(ak_name),
                }))
            }
            (Some(_), None) => missing(ak_name, sk_name),
            (None, Some(_)) => missing(sk_name, ak_name),
            (None, None) => match self.token {
                Some(token) => Ok(Some(ResolvedCredentials {
                    credentials: Credentials::token(token),
                    description: "IAM token".to_string(),
                    origin: (self.origin)(token_name),
                })),
                None if self.security_token.is_some() => missing(st_name, ak_name),
                None => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned().filter(|v| !v.is_empty())
    }

    fn file(text: &str) -> ConfigFile {
        ConfigFile {
            path: PathBuf::from("/cfg/config.toml"),
            found: true,
            settings: parse(text).unwrap(),
        }
    }

    const FILE: &str = r#"
        region = "cn-north-9"
        project_id = "file-project"
        language = "zh-cn"
        auth_token = "file-token"
    "#;

    #[test]
    fn flags_win_over_environment_over_file() {
        let env = env_of(&[
            ("HUAWEICLOUD_SDK_REGION", "cn-east-3"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "env-project"),
        ]);
        let f = file(FILE);
        let s = resolve(&Globals::default(), &env, Some(&f)).unwrap();
        assert_eq!(
            s.region,
            Some(Sourced::new(
                "cn-east-3".into(),
                Origin::Env("HUAWEICLOUD_SDK_REGION".into())
            ))
        );
        assert_eq!(s.project_id.value, "env-project");
        assert_eq!(
            s.language,
            Some(Sourced::new("zh-cn".to_string(), Origin::File("language")))
        );
        assert_eq!(s.credentials.origin, Origin::File("auth_token"));

        let flags = Globals {
            region: Some("cn-south-1".into()),
            project_id: Some("flag-project".into()),
            language: Some("en-us".to_string()),
            ..Globals::default()
        };
        let s = resolve(&flags, &env, Some(&f)).unwrap();
        assert_eq!(s.region.unwrap().origin, Origin::Flag("--region"));
        assert_eq!(s.project_id.value, "flag-project");
        assert_eq!(s.language.unwrap().value, "en-us");

        let s = resolve(&Globals::default(), &env_of(&[]), Some(&f)).unwrap();
        assert_eq!(
            s.project_id,
            Sourced::new("file-project".into(), Origin::File("project_id"))
        );
        assert_eq!(s.location, Location::Region);
    }

    #[test]
    fn the_highest_source_that_says_where_decides_the_endpoint() {
        let f = file("endpoint = \"https://file.example\"\nregion = \"cn-north-4\"");
        let none = env_of(&[]);
        let flags = Globals::default();
        let s = resolve_location(
            &flags,
            &none,
            &f.settings,
            Some(&Sourced::new("cn-north-4".into(), Origin::File("region"))),
        );
        assert_eq!(
            s,
            Some(Location::Endpoint(Sourced::new(
                "https://file.example".into(),
                Origin::File("endpoint")
            )))
        );
        // A region from the environment outranks the file's endpoint, and the official
        // override variable of that region applies.
        let env = env_of(&[(
            "HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_EAST_3",
            "https://private.example",
        )]);
        let region = Sourced::new(
            "cn-east-3".into(),
            Origin::Env("HUAWEICLOUD_SDK_REGION".into()),
        );
        assert_eq!(
            resolve_location(&flags, &env, &f.settings, Some(&region)),
            Some(Location::Endpoint(Sourced::new(
                "https://private.example".into(),
                Origin::Env("HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_EAST_3".into())
            )))
        );
        assert_eq!(
            resolve_location(&flags, &none, &f.settings, Some(&region)),
            Some(Location::Region)
        );
        let flags = Globals {
            endpoint: Some("http://127.0.0.1:1".into()),
            ..Globals::default()
        };
        assert!(matches!(
            resolve_location(&flags, &env, &f.settings, Some(&region)),
            Some(Location::Endpoint(Sourced {
                origin: Origin::Flag("--endpoint"),
                ..
            }))
        ));
    }

    #[test]
    fn credentials_come_whole_from_one_source() {
        let f = file("access_key = \"FILEAK\"\nsecret_key = \"file-sk\"");
        let env = env_of(&[("TAURUSDB_AUTH_TOKEN", "env-token")]);
        let c = resolve_credentials(&env, &f.settings).unwrap().unwrap();
        assert_eq!(c.description, "IAM token");
        assert_eq!(c.origin, Origin::Env("TAURUSDB_AUTH_TOKEN".into()));

        let c = resolve_credentials(&env_of(&[]), &f.settings)
            .unwrap()
            .unwrap();
        assert_eq!(c.description, "AK/SK, access key FILEAK");

        let env = env_of(&[
            ("HUAWEICLOUD_SDK_AK", "ENVAK"),
            ("HUAWEICLOUD_SDK_SK", "env-sk"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "env-st"),
        ]);
        let c = resolve_credentials(&env, &f.settings).unwrap().unwrap();
        assert_eq!(c.description, "temporary AK/SK, access key ENVAK");
        assert!(!format!("{:?}", c.credentials).contains("env-sk"));
    }

    #[test]
    fn incomplete_credentials_name_what_is_missing() {
        let none = FileSettings::default();
        let err = |vars: &[(&str, &str)]| resolve_credentials(&env_of(vars), &none).err();
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_AK", "AK")]).as_deref(),
            Some("$HUAWEICLOUD_SDK_AK is set but $HUAWEICLOUD_SDK_SK is not")
        );
        assert_eq!(
            err(&[("HUAWEICLOUD_SDK_SECURITY_TOKEN", "st")]).as_deref(),
            Some("$HUAWEICLOUD_SDK_SECURITY_TOKEN is set but $HUAWEICLOUD_SDK_AK is not")
        );
        let f = file("secret_key = \"sk\"");
        assert_eq!(
            resolve_credentials(&env_of(&[]), &f.settings)
                .err()
                .as_deref(),
            Some("config file key `secret_key` is set but config file key `access_key` is not")
        );
        assert!(resolve_credentials(&env_of(&[]), &none).unwrap().is_none());
    }

    #[test]
    fn missing_settings_say_where_to_give_them() {
        let e = resolve(&Globals::default(), &env_of(&[]), None)
            .err()
            .unwrap();
        assert!(e.starts_with("no region or endpoint: pass --region"), "{e}");
        // No project ID and no credentials: the client finds them (profile, metadata, IAM).
        let env = env_of(&[("HUAWEICLOUD_SDK_REGION", "cn-north-4")]);
        let s = resolve(&Globals::default(), &env, None).unwrap();
        assert_eq!(s.project_id.origin, Origin::Client);
        assert!(s.project_id().is_none());
        assert_eq!(s.credentials.origin, Origin::Client);
        assert!(matches!(
            s.credentials.credentials,
            Credentials::DefaultChain
        ));
        let env = env_of(&[
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
        ]);
        assert_eq!(
            resolve(&Globals::default(), &env, None)
                .unwrap()
                .project_id()
                .map(|p| p.value.as_str()),
            Some("p")
        );
        let f = file("language = \"fr\"\nauth_token = \"t\"");
        let e = resolve(&Globals::default(), &env, Some(&f)).err().unwrap();
        assert_eq!(
            e,
            "invalid `language` in /cfg/config.toml: expected en-us or zh-cn"
        );
    }

    #[test]
    fn parse_errors_never_quote_the_line() {
        let e = parse("auth_token = \"hunter2\nregion = 1").err().unwrap();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.starts_with("line 1, column "), "{e}");
        let e = parse("project = \"p\"").err().unwrap();
        assert!(
            e.starts_with("line 1, column 1: unknown field `project`"),
            "{e}"
        );
    }

    #[test]
    fn the_config_file_is_located_by_flag_then_variable() {
        let env = env_of(&[("TAURUSDB_CONFIG", "/from/env.toml")]);
        assert_eq!(
            locate(Some(Path::new("/from/flag.toml")), &env),
            Some((PathBuf::from("/from/flag.toml"), true))
        );
        assert_eq!(
            locate(None, &env),
            Some((PathBuf::from("/from/env.toml"), true))
        );
        let (path, required) = locate(None, &env_of(&[])).unwrap();
        assert!(
            path.ends_with("taurusdb/config.toml") && !required,
            "{path:?}"
        );
    }

    #[test]
    fn tls_settings_from_the_file_and_the_environment() {
        let f = file(
            "ca_bundle = \"/etc/ca.pem\"\ndanger_accept_invalid_certs = true\nauth_token = \"t\"",
        );
        let t = tls(&env_of(&[]), Some(&f)).unwrap();
        assert_eq!(t.ca_bundle, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(
            t.accept_invalid_certs,
            Some(Origin::File("danger_accept_invalid_certs"))
        );
        let env = env_of(&[
            ("TAURUSDB_CA_BUNDLE", "/env/ca.pem"),
            ("TAURUSDB_DANGER_ACCEPT_INVALID_CERTS", "false"),
        ]);
        assert_eq!(
            tls(&env, Some(&f)).unwrap(),
            Tls::default(),
            "the client reads TAURUSDB_CA_BUNDLE itself; the variable turns the file's off"
        );
        let env = env_of(&[("TAURUSDB_DANGER_ACCEPT_INVALID_CERTS", "1")]);
        assert_eq!(
            tls(&env, None).unwrap().accept_invalid_certs,
            Some(Origin::Env("TAURUSDB_DANGER_ACCEPT_INVALID_CERTS".into()))
        );
        let env = env_of(&[("TAURUSDB_DANGER_ACCEPT_INVALID_CERTS", "yes")]);
        assert!(tls(&env, None).is_err());
        assert_eq!(tls(&env_of(&[]), None).unwrap(), Tls::default());
    }
}
