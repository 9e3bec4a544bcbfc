//! The command line: clap's [`Command`], one subcommand per operation of the spec, and the
//! typed [`Invocation`] that a parse turns into. Nothing here names an operation.
//!
//! Command names follow one rule (README, "Command names"): an operation's `x-cli` extension
//! gives its group and name (`taurusdb starrocks replication-config`); without it the command
//! is the operationId in kebab case at the top level. The operationId itself is accepted too
//! (`taurusdb ListStarRocksDataReplicationConfig ...`), as KooCLI users know it.
//!
//! Each command's arguments are progenitor's generated ones, as it derives them from the
//! spec (its value parsers check the spec's types and enumerations): every path, query and
//! header parameter a `--kebab-case` flag with the spec's help text. Parameters the client
//! fills in from its settings (`x-client-setting`: project ID, language) become the shared
//! settings flags instead, which may also come from the environment or the config file.
//! Help texts are the spec's, trimmed: the first sentence for `-h`, the whole for `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, StyledStr};
use clap::{Arg, ArgAction, ArgMatches, Command, ValueEnum, value_parser};
use clap_complete::Shell;
use taurusdb::spec::{self, Operation, Parameter, Setting};

use crate::dispatch::{EXAMPLE_BODY, JSON_BODY, OUTPUT_FILE};
use crate::generated::CliConfig;

/// The binary's name, as completions and help show it.
pub const BIN: &str = "taurusdb";

/// The output format of a successful call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// Blocks, tables and a summary, for people (colour only on a terminal).
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
            OutputFormat::Human => PossibleValue::new("human").help("blocks, tables and a summary"),
            OutputFormat::Json => PossibleValue::new("json").help("the decoded response as JSON"),
            OutputFormat::Yaml => PossibleValue::new("yaml").help("the decoded response as YAML"),
        })
    }
}

/// The settings and output flags of a call; any setting may be absent (then the environment
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
    pub language: Option<String>,
    /// `--timeout SECONDS`: of one attempt.
    pub timeout: Option<Duration>,
    /// `--retries N`: retries after the first attempt.
    pub retries: Option<u32>,
    /// `--output`.
    pub output: OutputFormat,
    /// `--query EXPR`: a JMESPath expression applied to the result.
    pub query: Option<String>,
    /// `--verbose`.
    pub verbose: bool,
    /// `--check-spec`.
    pub check_spec: bool,
}

/// What the user asked for.
#[derive(Debug)]
pub enum Invocation {
    /// An operation, against the cloud or (`demo`) against a built-in mock server.
    Call {
        /// The operation.
        op: &'static Operation,
        /// The operation's own arguments.
        matches: Box<ArgMatches>,
        /// The settings given on the command line.
        globals: Globals,
        /// Whether to call the built-in mock server instead of the cloud.
        demo: bool,
    },
    /// `completions SHELL`.
    Completions(Shell),
}

const SETTINGS: &str = "Settings (flags > environment > config file)";
const OUTPUT: &str = "Output";

const EXIT_STATUS: &str = "\
Exit status (the same for every command):
  0  the response was shown
  2  usage error or invalid input (a flag breaks the spec's rules, missing settings): nothing was sent
  3  the API answered with an error (status, error code, message and request ID are shown)
  4  network failure or timeout (connection refused, DNS, TLS, no answer in time)
  5  the response could not be decoded (or was larger than allowed)
  6  --check-spec: the response was shown, and it departs from the spec
  1  anything else (output could not be written)";

const AFTER_HELP: &str = "\
Exit status: 0 ok, 2 usage or invalid input, 3 API error, 4 network or timeout,
5 response not decodable, 6 response departs from the spec (--check-spec).
`taurusdb demo` shows real output without an account.";

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

/// A [`CliConfig`] for progenitor's generated commands, used for their argument definitions
/// only: operations run through the generated `dispatch`.
struct SpecOnly;

impl CliConfig for SpecOnly {}

/// progenitor's command of `op`.
///
/// Panics if the generated CLI has no command for an operation of the client's table: a
/// build-time mismatch between the two generated files, caught by every test that builds
/// the command line.
fn spec_command(op: &Operation) -> Command {
    crate::generated::command::<SpecOnly>(op.id).unwrap_or_else(|| {
        panic!(
            "the generated CLI has no command for `{}`: run `cargo xtask gen`",
            op.id
        )
    })
}

/// The generated argument of parameter `p` (progenitor's ID `p.arg`), as the flag `p.flag`,
/// with its help tidied and a value name derived from the flag.
fn spec_arg(spec: &Command, p: &Parameter) -> Option<Arg> {
    let arg = spec.get_arguments().find(|a| a.get_id() == p.arg)?.clone();
    let value_name = p.flag.to_ascii_uppercase().replace('-', "_");
    Some(
        tidy_help(arg)
            .id(p.flag)
            .long(p.flag)
            .value_name(value_name),
    )
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

/// The operation's own arguments, from the generated command: every parameter that no
/// client setting fills in, and `--json-body` for a request body. In the demo they are
/// optional, and a required one defaults to the spec's example value.
fn operation_args(op: &Operation, demo: bool) -> Vec<Arg> {
    let spec = spec_command(op);
    let mut args = Vec::new();
    for p in op.parameters.iter().filter(|p| p.setting.is_none()) {
        let Some(mut arg) = spec_arg(&spec, p) else {
            panic!(
                "the generated CLI has no `--{}` for `{}`: run `cargo xtask gen`",
                p.flag, op.id
            )
        };
        if demo {
            arg = arg.required(false);
            if p.required {
                let example = p.example.map(str::to_string).or_else(|| {
                    let index = op.parameters.iter().position(|q| q.name == p.name)?;
                    let schema = spec::parameter_object(op, index)?.get("schema")?;
                    match crate::sample::of(schema) {
                        serde_json::Value::String(s) => Some(s),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    }
                });
                if let Some(example) = example {
                    arg = arg.default_value(example);
                }
            }
        }
        args.push(arg);
    }
    if op.binary_response {
        args.push(
            Arg::new(OUTPUT_FILE)
                .long(OUTPUT_FILE)
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Write the file the API answers with to PATH [default: stdout]"),
        );
    }
    if op.body {
        args.push(
            Arg::new(JSON_BODY)
                .long(JSON_BODY)
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .required(!demo)
                .help("The request body: a JSON file, or - for stdin"),
        );
        // The demo's body when none is given: the spec's example, else one made from the
        // schema, carried by the command itself.
        if demo && let Some((body, _)) = crate::demo::request_body(op) {
            args.push(
                Arg::new(EXAMPLE_BODY)
                    .long(EXAMPLE_BODY)
                    .hide(true)
                    .default_value(body.to_string()),
            );
        }
    }
    args
}

/// The allowed values and the default of a client setting, from the spec.
pub fn setting_values(setting: Setting) -> (Vec<String>, Option<String>) {
    let schema = spec::setting_schema(setting);
    let values = schema
        .and_then(|s| s.get("enum"))
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let default = schema
        .and_then(|s| s.get("default"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    (values, default)
}

/// `--language`: the values the spec allows for the parameter the language setting fills in.
fn language_arg() -> Arg {
    let (values, default) = setting_values(Setting::Language);
    let mut arg = Arg::new("language")
        .long("language")
        .value_name("LANGUAGE")
        .help(match default {
            Some(d) => format!("Language of the API's messages [default: {d}]"),
            None => "Language of the API's messages".to_string(),
        });
    if !values.is_empty() {
        arg = arg.value_parser(clap::builder::PossibleValuesParser::new(values));
    }
    arg
}

/// `--query`: a JMESPath expression, checked when the command line is parsed.
fn parse_query(value: &str) -> Result<String, String> {
    jmespath::compile(value)
        .map(|_| value.to_string())
        .map_err(|e| format!("not a JMESPath expression: {e}"))
}

/// The settings of a call of the cloud, in this order.
fn settings_args() -> impl Iterator<Item = Arg> {
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
        Arg::new("project-id")
            .long("project-id")
            .value_name("PROJECT_ID")
            .help("Project ID of a tenant in a region"),
        language_arg(),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(parse_timeout)
            .help("Timeout of one attempt [default: 60]"),
        Arg::new("retries")
            .long("retries")
            .value_name("N")
            .value_parser(value_parser!(u32).range(0..=10))
            .help("Retries of a failed connection, timeout, 429, 502, 503 or 504 [default: 2; never after a POST may have reached the server]"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, arg)| arg.help_heading(SETTINGS).display_order(i))
}

/// The output flags, global so that they may come before or after the subcommand.
fn output_args() -> [Arg; 4] {
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
        Arg::new("query")
            .long("query")
            .value_name("JMESPATH")
            .value_parser(parse_query)
            .global(true)
            .help_heading(OUTPUT)
            .help("Filter the result with a JMESPath expression (as KooCLI's --cli-query); printed as JSON or YAML"),
        Arg::new("check-spec")
            .long("check-spec")
            .action(ArgAction::SetTrue)
            .global(true)
            .help_heading(OUTPUT)
            .help("Also check the response strictly against the spec: departures go to stderr (or under `spec_check` with -o json/yaml), exit status 6"),
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

/// The command of one operation, named `name`.
fn operation_command(op: &Operation, name: &str, demo: bool) -> Command {
    let (about, long_about) = spec_about(&spec_command(op));
    let cmd = Command::new(name.to_string())
        .about(about)
        .long_about(long_about)
        .args(operation_args(op, demo));
    if demo {
        cmd.arg(language_arg())
    } else {
        cmd.args(settings_args()).after_long_help(SETTINGS_HELP)
    }
}

/// The groups of commands (`x-cli.group`), in the order of their first operation, with the
/// description of that operation's first tag as their summary.
fn groups() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for op in spec::operations() {
        let Some(g) = op.cli_group else { continue };
        if out.iter().any(|(n, _)| *n == g) {
            continue;
        }
        let tag = spec::document()
            .pointer(op.pointer)
            .and_then(|o| o.get("tags"))
            .and_then(|t| t.get(0))
            .and_then(serde_json::Value::as_str);
        let about = spec::document()
            .get("tags")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| t.get("name").and_then(serde_json::Value::as_str) == tag)
            .and_then(|t| t.get("description"))
            .and_then(serde_json::Value::as_str)
            .map(|d| first_sentence(d.trim()).trim_end_matches('.').to_string())
            .unwrap_or_else(|| format!("{g} operations"));
        out.push((g, about));
    }
    out
}

/// The operation commands, grouped, for the cloud or the demo.
fn operation_commands(demo: bool) -> Vec<Command> {
    let mut out = Vec::new();
    for (group, about) in groups() {
        let mut cmd = Command::new(group)
            .about(about)
            .subcommand_required(!demo)
            .arg_required_else_help(!demo);
        for op in spec::operations()
            .iter()
            .filter(|o| o.cli_group == Some(group))
        {
            cmd = cmd.subcommand(operation_command(op, op.cli_name, demo));
        }
        out.push(cmd);
    }
    for op in spec::operations().iter().filter(|o| o.cli_group.is_none()) {
        out.push(operation_command(op, op.cli_name, demo));
    }
    out
}

/// The operation `taurusdb demo` runs when no command is named: the first with an example
/// of its success response, else the first.
pub fn demo_default() -> Option<&'static Operation> {
    let ops = spec::operations();
    ops.iter()
        .find(|o| crate::demo::example(o).is_some())
        .or_else(|| ops.first())
}

/// The whole command line.
pub fn command() -> Command {
    let mut root = Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .about(format!(
            "{} (Huawei Cloud)",
            spec::document()
                .pointer("/info/title")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("the API")
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(output_args())
        .subcommands(operation_commands(false));
    // The operationIds, as KooCLI and API Explorer name the operations.
    for op in spec::operations() {
        root = root.subcommand(operation_command(op, op.id, false).hide(true));
    }
    let mut demo = Command::new("demo")
        .about("Call an operation against a built-in mock server (no account needed)")
        .long_about(
            "Call an operation against a mock server on 127.0.0.1 that serves the spec's example \
             responses, so you can see real output without an account. With no command, the \
             first operation with an example is called; required arguments default to the \
             spec's examples. No setting, credential or config file of yours is read.",
        )
        .args_conflicts_with_subcommands(true)
        .subcommands(operation_commands(true));
    for op in spec::operations() {
        demo = demo.subcommand(operation_command(op, op.id, true).hide(true));
    }
    if let Some(op) = demo_default() {
        demo = demo.args(operation_args(op, true)).arg(language_arg());
    }
    let completions = Command::new("completions")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell))
                .help("The shell to complete for"),
        );
    let first = operation_path(spec::operations().first());
    root.subcommand(demo)
        .subcommand(completions)
        .after_help(AFTER_HELP)
        .after_long_help(format!(
            "{EXIT_STATUS}\n\nSettings (region, project ID, credentials, ...): see \
             `taurusdb {first} --help`."
        ))
}

/// `group name`, or `name`, of an operation.
fn operation_path(op: Option<&Operation>) -> String {
    match op {
        Some(Operation {
            cli_group: Some(g),
            cli_name,
            ..
        }) => format!("{g} {cli_name}"),
        Some(op) => op.cli_name.to_string(),
        None => "<command>".to_string(),
    }
}

/// The operation a command names, and the matches of its arguments.
fn find_operation(m: &ArgMatches) -> Option<(&'static Operation, &ArgMatches)> {
    let (name, sub) = m.subcommand()?;
    let ops = spec::operations();
    if let Some(op) = ops
        .iter()
        .find(|o| (o.cli_group.is_none() && o.cli_name == name) || o.id == name)
    {
        return Some((op, sub));
    }
    let (inner, args) = sub.subcommand()?;
    let op = ops
        .iter()
        .find(|o| o.cli_group == Some(name) && o.cli_name == inner)?;
    Some((op, args))
}

impl Invocation {
    /// Reads what [`command`] parsed.
    pub fn from_matches(matches: &ArgMatches) -> Result<Invocation, String> {
        match matches.subcommand() {
            Some(("completions", m)) => Ok(Invocation::Completions(one::<Shell>(m, "shell")?)),
            Some(("demo", m)) => {
                let (op, args) = match find_operation(m) {
                    Some(found) => found,
                    None => (demo_default().ok_or("the spec has no operation")?, m),
                };
                Ok(Invocation::Call {
                    op,
                    matches: Box::new(args.clone()),
                    globals: Globals {
                        language: maybe(args, "language")?,
                        ..output_globals(args)?
                    },
                    demo: true,
                })
            }
            Some(_) => {
                let (op, args) = find_operation(matches).ok_or("missing an operation's command")?;
                Ok(Invocation::Call {
                    op,
                    matches: Box::new(args.clone()),
                    globals: globals(args)?,
                    demo: false,
                })
            }
            None => Err("missing subcommand".to_string()),
        }
    }
}

/// The settings and output flags of an operation (global arguments are propagated to the
/// subcommand's matches).
fn globals(m: &ArgMatches) -> Result<Globals, String> {
    Ok(Globals {
        config: maybe(m, "config")?,
        region: maybe(m, "region")?,
        endpoint: maybe(m, "endpoint")?,
        project_id: maybe(m, "project-id")?,
        language: maybe(m, "language")?,
        timeout: maybe(m, "timeout")?,
        retries: maybe(m, "retries")?,
        ..output_globals(m)?
    })
}

/// Only the output flags, as every call has them.
fn output_globals(m: &ArgMatches) -> Result<Globals, String> {
    Ok(Globals {
        output: maybe(m, "output")?.unwrap_or_default(),
        query: maybe(m, "query")?,
        verbose: maybe(m, "verbose")?.unwrap_or_default(),
        check_spec: maybe(m, "check-spec")?.unwrap_or_default(),
        ..Globals::default()
    })
}

/// An optional argument; a type mismatch (an internal error) is reported, not a panic.
fn maybe<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Result<Option<T>, String> {
    match m.try_get_one::<T>(id) {
        Ok(v) => Ok(v.cloned()),
        Err(clap::parser::MatchesError::UnknownArgument { .. }) => Ok(None),
        Err(e) => Err(format!("internal error reading `--{id}`: {e}")),
    }
}

fn one<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Result<T, String> {
    maybe(m, id)?.ok_or_else(|| format!("missing `--{id}`"))
}

/// The operation's arguments as given (or defaulted), for the human view: (label, value) of
/// every parameter the command has, in the spec's order.
pub fn arguments(op: &Operation, m: &ArgMatches) -> Vec<(String, String)> {
    op.parameters
        .iter()
        .enumerate()
        .filter(|(_, p)| p.setting.is_none())
        .filter_map(|(i, p)| {
            let raw = m.try_get_raw(p.flag).ok().flatten()?;
            let value = raw
                .map(|v| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            let label = spec::parameter_object(op, i)
                .and_then(|o| o.get("x-cli-label"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or(p.name)
                .to_string();
            Some((label, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        command().debug_assert();
    }

    /// The generator keeps parameters off the CLI's own flags by the list it writes into the
    /// generated code: every flag the CLI defines beside an operation's is on it.
    #[test]
    fn every_flag_of_the_cli_is_reserved_from_parameters() {
        let cmd = command();
        let parameters: Vec<&str> = spec::operations()
            .iter()
            .flat_map(|o| o.parameters)
            .map(|p| p.flag)
            .collect();
        let mut own: Vec<String> = Vec::new();
        let mut visit = vec![&cmd];
        while let Some(c) = visit.pop() {
            for a in c.get_arguments() {
                let Some(long) = a.get_long() else { continue };
                if !parameters.contains(&long) {
                    own.push(long.to_string());
                }
            }
            visit.extend(c.get_subcommands());
        }
        own.sort();
        own.dedup();
        assert!(!own.is_empty());
        for flag in &own {
            assert!(
                crate::generated::RESERVED_FLAGS.contains(&flag.as_str()),
                "--{flag} is the CLI's, but not in the generator's RESERVED_FLAGS (xtask/src/codegen/operations.rs)"
            );
        }
    }

    #[test]
    fn every_operation_has_a_command_and_its_operation_id_as_alias() {
        let cmd = command();
        for op in spec::operations() {
            let m = |argv: Vec<&str>| {
                let mut argv = argv;
                for p in op
                    .parameters
                    .iter()
                    .filter(|p| p.setting.is_none() && p.required)
                {
                    argv.push(Box::leak(format!("--{}", p.flag).into_boxed_str()));
                    argv.push(p.example.unwrap_or("abc"));
                }
                cmd.clone().try_get_matches_from(argv).unwrap()
            };
            let mut by_name = vec![BIN];
            if let Some(g) = op.cli_group {
                by_name.push(g);
            }
            by_name.push(op.cli_name);
            for argv in [by_name, vec![BIN, op.id]] {
                let Invocation::Call {
                    op: found, demo, ..
                } = Invocation::from_matches(&m(argv)).unwrap()
                else {
                    panic!("not a call")
                };
                assert_eq!(found.id, op.id);
                assert!(!demo);
            }
        }
    }

    #[test]
    fn help_comes_from_the_spec() {
        for op in spec::operations() {
            let spec = spec_command(op);
            let (about, _) = spec_about(&spec);
            assert_eq!(about, op.summary);
            for p in op.parameters.iter().filter(|p| p.setting.is_none()) {
                let arg = spec_arg(&spec, p).unwrap();
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(
                    p.description.starts_with(help.as_str()),
                    "--{}: {help:?} is not the start of {:?}",
                    p.flag,
                    p.description
                );
            }
        }
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Use v1.2 here.\nMore."), "Use v1.2 here.");
        assert_eq!(first_sentence("No stop"), "No stop");
    }

    #[test]
    fn queries_are_checked_when_parsed() {
        assert!(parse_query("database_info.db_config_check_results[0]").is_ok());
        assert!(
            parse_query("[?")
                .unwrap_err()
                .contains("not a JMESPath expression")
        );
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
