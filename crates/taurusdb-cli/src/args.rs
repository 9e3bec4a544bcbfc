//! The command line: clap's [`Command`], built around progenitor's generated CLI so that the
//! operation's arguments and help text come from the spec, and the typed [`Invocation`] that
//! a parse turns into.
//!
//! From the generated command of the operation, `--instance-id` and `--task-name` (with its
//! spec-derived parser, which refuses a bad task name before any request) are taken as they
//! are; `--project-id` joins the tool's settings (region, endpoint, config file, ...), which
//! may also come from the environment or the config file, so it is no longer required; and
//! `--x-language` becomes `--language`, also optional. The subcommand's summary is the
//! operation's. Help texts are the spec's, trimmed: the first sentence for `-h`, the whole
//! description for `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, StyledStr};
use clap::{Arg, ArgAction, ArgMatches, Command, ValueEnum, value_parser};
use clap_complete::Shell;
use taurusdb::types::{Language, TaskName};

use crate::generated::{Cli, CliCommand, CliConfig};

/// The binary's name, as completions and help show it.
pub const BIN: &str = "taurusdb";

/// Example values `taurusdb demo` uses unless told otherwise.
pub const DEMO_INSTANCE_ID: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";
/// The task name `taurusdb demo` uses unless told otherwise.
pub const DEMO_TASK_NAME: &str = "sync_task_01";

/// The output format of a successful query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// Check tables and a summary, for people (colour only on a terminal).
    #[default]
    Human,
    /// The decoded response as pretty JSON, fields in the generated order.
    Json,
    /// The decoded response as YAML, fields in the generated order.
    Yaml,
}

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[OutputFormat::Human, OutputFormat::Json, OutputFormat::Yaml]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            OutputFormat::Human => PossibleValue::new("human").help("tables and a summary"),
            OutputFormat::Json => PossibleValue::new("json").help("the decoded response as JSON"),
            OutputFormat::Yaml => PossibleValue::new("yaml").help("the decoded response as YAML"),
        })
    }
}

/// The settings and output flags of a query; any setting may be absent (then the environment
/// or the config file supplies it, see `config`). The demo has only the language and output
/// flags.
#[derive(Clone, Debug, Default)]
pub struct Globals {
    /// `--config PATH`.
    pub config: Option<PathBuf>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint`.
    pub endpoint: Option<String>,
    /// `--project-id`.
    pub project_id: Option<String>,
    /// `--language`.
    pub language: Option<Language>,
    /// `--timeout SECONDS`: of one attempt.
    pub timeout: Option<Duration>,
    /// `--retries N`: retries after the first attempt.
    pub retries: Option<u32>,
    /// `--output`.
    pub output: OutputFormat,
    /// `--verbose`.
    pub verbose: bool,
}

/// Which task to query.
#[derive(Clone, Debug)]
pub struct Target {
    /// The TaurusDB instance ID (checked by the client before sending).
    pub instance_id: String,
    /// The task name, already checked against the spec's rule.
    pub task_name: TaskName,
}

/// What the user asked for.
#[derive(Debug)]
pub enum Invocation {
    /// `starrocks replication-config`, or `demo` (the same query against a built-in mock).
    Query {
        /// The task.
        target: Target,
        /// The settings given on the command line.
        globals: Globals,
        /// Whether to query the built-in mock server instead of the cloud.
        demo: bool,
    },
    /// `completions SHELL`.
    Completions(Shell),
}

/// Argument IDs of the generated command that become optional settings.
const SPEC_PROJECT_ID: &str = "project-id";
const SPEC_LANGUAGE: &str = "x-language";
/// Argument IDs of the generated command kept on the operation's subcommand.
const SPEC_INSTANCE_ID: &str = "instance-id";
const SPEC_TASK_NAME: &str = "task-name";

const SETTINGS: &str = "Settings (flags > environment > config file)";
const OUTPUT: &str = "Output";

const EXIT_STATUS: &str = "\
Exit status:
  0  the configuration was shown
  2  usage error or invalid input (bad task name, missing settings): nothing was sent
  3  the API answered with an error (status, error code, message and request ID are shown)
  4  network failure or timeout (connection refused, DNS, TLS, no answer in time)
  5  the response could not be decoded (or was larger than allowed)
  1  anything else (output could not be written)";

const AFTER_HELP: &str = "\
Exit status: 0 ok, 2 usage or invalid input, 3 API error, 4 network or timeout,
5 response not decodable. `taurusdb demo` shows real output without an account.";

const SETTINGS_HELP: &str = "\
Where settings come from (a flag wins over the environment, which wins over the file):

  setting      flag          environment                               config file key
  region       --region      HUAWEICLOUD_SDK_REGION                    region
  endpoint     --endpoint    HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>   endpoint
  project ID   --project-id  HUAWEICLOUD_SDK_PROJECT_ID                project_id
  language     --language                                              language
  AK/SK        (none)        HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,   access_key, secret_key,
                             HUAWEICLOUD_SDK_SECURITY_TOKEN            security_token
  IAM token    (none)        TAURUSDB_AUTH_TOKEN                       auth_token

Secrets are read only from the environment or the config file, never from flags, and are
never printed. Credentials are taken whole from the environment when any credential
variable is set there, otherwise from the file. The config file is TOML: --config PATH,
else $TAURUSDB_CONFIG, else taurusdb/config.toml in the user's config directory
($XDG_CONFIG_HOME, by default ~/.config; %APPDATA% on Windows).";

/// A no-op [`CliConfig`]: the generated CLI is used for its argument definitions only, never
/// to execute (its error type drops what [`taurusdb::Error`] keeps).
struct SpecOnly;

impl CliConfig for SpecOnly {
    fn success_item<T>(&self, _: &taurusdb::ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn success_no_item(&self, _: &taurusdb::ResponseValue<()>) {}
    fn error<T>(&self, _: &taurusdb::progenitor_client::Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_item<T>(&self, _: &T)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_end_error<T>(&self, _: &taurusdb::progenitor_client::Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
}

/// The generated command of the operation.
fn spec_command() -> Command {
    Cli::<SpecOnly>::get_command(CliCommand::ListStarRocksDataReplicationConfig)
}

/// The generated argument `id`, with its help tidied and a value name derived from its ID.
///
/// Panics if the generated command has no such argument: that is a build-time mismatch
/// between this file and `generated.rs`, caught by every test that builds the command.
fn spec_arg(spec: &Command, id: &str) -> Arg {
    let arg = spec
        .get_arguments()
        .find(|a| a.get_id() == id)
        .unwrap_or_else(|| {
            panic!("the generated CLI has no `--{id}`: regenerate or update args.rs")
        })
        .clone();
    let value_name = id.to_ascii_uppercase().replace('-', "_");
    tidy_help(arg).value_name(value_name)
}

/// Spec descriptions end in a newline and may run to paragraphs: `-h` shows the first
/// sentence, `--help` the whole text.
fn tidy_help(arg: Arg) -> Arg {
    let text = arg.get_help().map(StyledStr::to_string).unwrap_or_default();
    let text = text.trim();
    let short = first_sentence(text);
    let arg = arg.help(short.trim_end_matches('.').to_string());
    if short == text {
        arg
    } else {
        arg.long_help(text.to_string())
    }
}

/// The text up to and including the first full stop that ends a sentence.
fn first_sentence(text: &str) -> &str {
    text.char_indices()
        .find(|&(i, c)| c == '.' && text[i + 1..].chars().next().is_none_or(char::is_whitespace))
        .map_or(text, |(i, _)| &text[..=i])
}

/// The spec's summary of the operation: its first paragraph for the command list, its first
/// two (title and description) for `--help`.
fn spec_about(spec: &Command) -> (String, String) {
    let text = spec
        .get_about()
        .map(StyledStr::to_string)
        .unwrap_or_default();
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let about = paragraphs.first().copied().unwrap_or_default().to_string();
    let long = paragraphs
        .iter()
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n");
    (about, long)
}

/// The operation's own arguments, from the generated command. In the demo they are optional
/// and default to example values.
fn operation_args(spec: &Command, demo: bool) -> [Arg; 2] {
    let instance = spec_arg(spec, SPEC_INSTANCE_ID);
    let task = spec_arg(spec, SPEC_TASK_NAME);
    if demo {
        [
            instance.required(false).default_value(DEMO_INSTANCE_ID),
            task.required(false).default_value(DEMO_TASK_NAME),
        ]
    } else {
        [instance, task]
    }
}

/// `--language`: the generated `--x-language`, renamed.
fn language_arg(spec: &Command) -> Arg {
    spec_arg(spec, SPEC_LANGUAGE)
        .id("language")
        .long("language")
        .value_name("LANGUAGE")
        .required(false)
}

/// The settings of a query of the cloud, in this order (the generated ones would otherwise
/// keep their position in the generated command).
fn settings_args(spec: &Command) -> impl Iterator<Item = Arg> {
    let project_id = spec_arg(spec, SPEC_PROJECT_ID).required(false);
    [
        Arg::new("config")
            .long("config")
            .value_name("PATH")
            .value_parser(value_parser!(PathBuf))
            .help("Config file [default: $TAURUSDB_CONFIG, else ~/.config/taurusdb/config.toml]"),
        Arg::new("region")
            .long("region")
            .value_name("REGION")
            .help("Region ID, e.g. cn-north-4: picks the endpoint"),
        Arg::new("endpoint")
            .long("endpoint")
            .value_name("URL")
            .help("Endpoint URL, instead of the region's (a private endpoint, a mock server)"),
        project_id,
        language_arg(spec),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(parse_timeout)
            .help("Timeout of one attempt [default: 60]"),
        Arg::new("retries")
            .long("retries")
            .value_name("N")
            .value_parser(value_parser!(u32).range(0..=10))
            .help("Retries of a failed connection, timeout, 429, 502, 503 or 504 [default: 2]"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, arg)| arg.help_heading(SETTINGS).display_order(i))
}

/// The output flags, global so that they may come before or after the subcommand.
fn output_args() -> [Arg; 2] {
    [
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("FORMAT")
            .value_parser(value_parser!(OutputFormat))
            .default_value("human")
            .global(true)
            .help_heading(OUTPUT)
            .help("Output format"),
        Arg::new("verbose")
            .short('v')
            .long("verbose")
            .action(ArgAction::SetTrue)
            .global(true)
            .help_heading(OUTPUT)
            .help("Show where each setting came from, the request ID, and error details"),
    ]
}

/// A positive number of seconds (fractions allowed), at most a day.
fn parse_timeout(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds, e.g. 30 or 2.5".to_string())?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err("expected more than 0 and at most 86400 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The whole command line.
pub fn command() -> Command {
    let spec = spec_command();
    let (about, long_about) = spec_about(&spec);
    let replication_config = Command::new("replication-config")
        .about(about)
        .long_about(long_about)
        .args(operation_args(&spec, false))
        .args(settings_args(&spec))
        .after_long_help(SETTINGS_HELP);
    let starrocks = Command::new("starrocks")
        .about("StarRocks data synchronization tasks")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(replication_config);
    let demo = Command::new("demo")
        .about(
            "Run `starrocks replication-config` against a built-in mock server (no account needed)",
        )
        .long_about(
            "Run `starrocks replication-config` against a mock server on 127.0.0.1 that serves \
             the API page's example response, so you can see real output without an account. \
             No setting, credential or config file of yours is read.",
        )
        .args(operation_args(&spec, true))
        .arg(language_arg(&spec));
    let completions = Command::new("completions")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell))
                .help("The shell to complete for"),
        );
    Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Query TaurusDB StarRocks data synchronization tasks (Huawei Cloud)")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(output_args())
        .subcommand(starrocks)
        .subcommand(demo)
        .subcommand(completions)
        .after_help(AFTER_HELP)
        .after_long_help(format!(
            "{EXIT_STATUS}\n\nSettings (region, project ID, credentials, ...): see \
             `taurusdb starrocks replication-config --help`."
        ))
}

impl Invocation {
    /// Reads what [`command`] parsed.
    pub fn from_matches(matches: &ArgMatches) -> Result<Invocation, String> {
        match matches.subcommand() {
            Some(("completions", m)) => Ok(Invocation::Completions(one::<Shell>(m, "shell")?)),
            Some(("demo", m)) => Ok(Invocation::Query {
                target: target(m)?,
                globals: Globals {
                    language: maybe(m, "language")?,
                    ..output_globals(m)?
                },
                demo: true,
            }),
            Some(("starrocks", m)) => match m.subcommand() {
                Some(("replication-config", m)) => Ok(Invocation::Query {
                    target: target(m)?,
                    globals: globals(m)?,
                    demo: false,
                }),
                _ => Err("missing `starrocks` subcommand".to_string()),
            },
            _ => Err("missing subcommand".to_string()),
        }
    }
}

fn target(m: &ArgMatches) -> Result<Target, String> {
    Ok(Target {
        instance_id: one::<String>(m, SPEC_INSTANCE_ID)?,
        task_name: one::<TaskName>(m, SPEC_TASK_NAME)?,
    })
}

/// The settings and output flags of `replication-config` (global arguments are propagated
/// to the subcommand's matches).
fn globals(m: &ArgMatches) -> Result<Globals, String> {
    Ok(Globals {
        config: maybe(m, "config")?,
        region: maybe(m, "region")?,
        endpoint: maybe(m, "endpoint")?,
        project_id: maybe(m, SPEC_PROJECT_ID)?,
        language: maybe(m, "language")?,
        timeout: maybe(m, "timeout")?,
        retries: maybe(m, "retries")?,
        ..output_globals(m)?
    })
}

/// Only the output flags, as every query has them.
fn output_globals(m: &ArgMatches) -> Result<Globals, String> {
    Ok(Globals {
        output: maybe(m, "output")?.unwrap_or_default(),
        verbose: maybe(m, "verbose")?.unwrap_or_default(),
        ..Globals::default()
    })
}

/// An optional argument; a type mismatch (an internal error) is reported, not a panic.
fn maybe<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Result<Option<T>, String> {
    m.try_get_one::<T>(id)
        .map(Option::<&T>::cloned)
        .map_err(|e| format!("internal error reading `--{id}`: {e}"))
}

fn one<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Result<T, String> {
    maybe(m, id)?.ok_or_else(|| format!("missing `--{id}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn help_comes_from_the_spec() {
        let spec = spec_command();
        let task = spec_arg(&spec, SPEC_TASK_NAME);
        assert_eq!(
            task.get_help().map(ToString::to_string).as_deref(),
            Some("Name of the data synchronization task")
        );
        assert!(
            task.get_long_help()
                .is_some_and(|h| h.to_string().contains("3 to 128 characters"))
        );
        let (about, long) = spec_about(&spec);
        assert_eq!(
            about,
            "Querying Configurations of a StarRocks Data Synchronization Task"
        );
        assert!(
            long.ends_with("configurations of a StarRocks data synchronization task."),
            "{long}"
        );
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Use v1.2 here.\nMore."), "Use v1.2 here.");
        assert_eq!(first_sentence("No stop"), "No stop");
    }

    #[test]
    fn globals_parse_before_or_after_the_subcommand() {
        let parse = |argv: &[&str]| {
            let m = command().try_get_matches_from(argv).unwrap();
            Invocation::from_matches(&m).unwrap()
        };
        for argv in [
            &[
                "taurusdb",
                "-o",
                "json",
                "starrocks",
                "replication-config",
                "--project-id",
                "p",
                "--instance-id",
                "i",
                "--task-name",
                "abc",
                "--language",
                "zh-cn",
            ][..],
            &[
                "taurusdb",
                "starrocks",
                "replication-config",
                "--instance-id",
                "i",
                "--task-name",
                "abc",
                "--project-id",
                "p",
                "--output",
                "json",
                "--language",
                "zh-cn",
            ],
        ] {
            let Invocation::Query {
                target,
                globals,
                demo,
            } = parse(argv)
            else {
                panic!("not a query")
            };
            assert!(!demo);
            assert_eq!(target.instance_id, "i");
            assert_eq!(target.task_name.as_str(), "abc");
            assert_eq!(globals.project_id.as_deref(), Some("p"));
            assert_eq!(globals.output, OutputFormat::Json);
            assert_eq!(globals.language, Some(Language::ZhCn));
        }
        let Invocation::Query {
            target,
            demo,
            globals,
        } = parse(&["taurusdb", "demo", "--language", "zh-cn", "-v"])
        else {
            panic!("not a query")
        };
        assert!(demo && globals.verbose);
        assert_eq!(globals.language, Some(Language::ZhCn));
        assert_eq!(target.task_name.as_str(), DEMO_TASK_NAME);
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("2.5"), Ok(Duration::from_millis(2500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("inf").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}
