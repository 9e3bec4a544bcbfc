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
use std::sync::OnceLock;
use std::time::Duration;

use clap::builder::{PossibleValue, StyledStr};
use clap::{Arg, ArgAction, ArgMatches, Command, ValueEnum, value_parser};
use clap_complete::Shell;
use taurusdb::spec::{self, Operation, Parameter, Setting};

use crate::body::SKELETON;
use crate::dispatch::{EXAMPLE_BODY, OUTPUT_FILE};
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
    /// `--dry-run`: print the request instead of sending it.
    pub dry_run: bool,
    /// `--yes`: the operation's question (`x-cli-confirm`) answered yes.
    pub yes: bool,
    /// `--wait`, with its `--wait-timeout`: wait for the job the call starts (`x-job`).
    pub wait: Option<Duration>,
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
        globals: Box<Globals>,
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
  0  the response was shown (--dry-run: the request that would be sent; --skeleton: an example body)
  2  usage error or invalid input (a flag or body field breaks the spec's rules, missing settings,
     a question not confirmed: pass --yes off a terminal): nothing was sent
  3  the API answered with an error (status, error code, message and request ID are shown)
  4  network failure or timeout (connection refused, DNS, TLS, no answer in time); --wait: the job
     had not ended in time (its ID and the command that shows it are printed)
  5  the response could not be decoded (or was larger than allowed)
  6  --check-spec: the response was shown, and it departs from the spec
  7  --wait: the job ended as failed (its final state is shown)
  1  anything else (output could not be written)";

const AFTER_HELP: &str = "\
Exit status: 0 ok, 2 usage or invalid input, 3 API error, 4 network or timeout,
5 response not decodable, 6 response departs from the spec (--check-spec), 7 job failed (--wait).
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
pub fn first_sentence(text: &str) -> &str {
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
/// client setting fills in, the request body's flags with `--json-body` and `--skeleton`,
/// and the flags of what the spec says the operation does (`--yes` for a question,
/// `--wait` for a job, `--all` for pages). In the demo they are optional, and a required one
/// defaults to the spec's example value.
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
        } else if op.body && p.required {
            // `--skeleton` needs no argument.
            arg = arg.required(false).required_unless_present(SKELETON);
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
        args.extend(crate::body::args(op, demo));
        args.extend(crate::body::file_args(op, demo));
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
    args.extend(call_args(op));
    // In this order (a generated argument keeps the place it had in progenitor's command).
    args.into_iter()
        .enumerate()
        .map(|(i, a)| a.display_order(i))
        .collect()
}

/// The flag that prints the request instead of sending it.
pub const DRY_RUN: &str = "dry-run";
/// The flag that answers an operation's question (`x-cli-confirm`) yes.
pub const YES: &str = "yes";
/// The flag that waits for the job a call starts (`x-job`).
pub const WAIT: &str = "wait";
/// How long `--wait` waits.
pub const WAIT_TIMEOUT: &str = "wait-timeout";
/// `--wait-timeout`'s default, in seconds.
pub const DEFAULT_WAIT_SECONDS: u64 = 600;
/// `--wait-timeout`'s maximum, in seconds (a day).
pub const MAX_WAIT_SECONDS: f64 = 86_400.0;

/// The operation that shows jobs (`x-waiter`), if the spec has one.
pub fn waiter() -> Option<&'static Operation> {
    spec::operations().iter().find(|o| o.waiter.is_some())
}

/// The flags of how a call runs: `--dry-run` on every command; `--yes` where the spec asks
/// a question; `--wait` and `--wait-timeout` where the call starts a job and the spec has
/// an operation that shows it; `--all` on lists that page.
fn call_args(op: &Operation) -> Vec<Arg> {
    let mut args = vec![
        Arg::new(DRY_RUN)
            .long(DRY_RUN)
            .action(ArgAction::SetTrue)
            .help("Print the request that would be sent (method, URL, headers with secrets redacted, body) and exit: nothing is sent, no credential is fetched"),
    ];
    if let Some(question) = op.confirm {
        args.push(
            Arg::new(YES)
                .short('y')
                .long(YES)
                .action(ArgAction::SetTrue)
                .help(format!(
                    "Do not ask \"{}\" (needed when stdin or stderr is not a terminal)",
                    question.trim()
                )),
        );
    }
    if op.job.is_some() && waiter().is_some() {
        args.push(
            Arg::new(WAIT)
                .long(WAIT)
                .action(ArgAction::SetTrue)
                .help("Wait for the job the call starts to end, showing its status; the output adds the job's final state"),
        );
        args.push(
            Arg::new(WAIT_TIMEOUT)
                .long(WAIT_TIMEOUT)
                .value_name("SECONDS")
                .value_parser(parse_wait_timeout)
                .requires(WAIT)
                .help(format!(
                    "How long --wait waits [default: {DEFAULT_WAIT_SECONDS}; at most {MAX_WAIT_SECONDS}]"
                )),
        );
    }
    if op.pagination.is_some() {
        args.push(
            Arg::new(crate::dispatch::ALL)
                .long(crate::dispatch::ALL)
                .action(ArgAction::SetTrue)
                .help("Follow every page and show all the items as one list (the page size is the limit's)"),
        );
    }
    args
}

/// `--wait-timeout`: a positive number of seconds, at most [`MAX_WAIT_SECONDS`].
fn parse_wait_timeout(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds, e.g. 600 or 2.5".to_string())?;
    if !(seconds > 0.0 && seconds <= MAX_WAIT_SECONDS) {
        return Err(format!(
            "expected more than 0 and at most {MAX_WAIT_SECONDS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
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

/// The command of one operation, named `name`. Its `--help` names the other command lines
/// that run it.
fn operation_command(op: &Operation, name: &str, demo: bool) -> Command {
    let (about, mut long_about) = spec_about(&spec_command(op));
    let primary = operation_path(Some(op));
    let others: Vec<String> = command_lines(op)
        .into_iter()
        .filter(|p| *p != primary)
        .map(|p| format!("taurusdb {p}"))
        .collect();
    if !others.is_empty() {
        long_about.push_str(&format!("\n\nAlso runs as: {}", others.join(", ")));
    }
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

/// Every command line that runs `op`, its own first: `x-cli` (else the operationId in kebab
/// case), its `x-cli-aliases`, and its operationId (as KooCLI and API Explorer name it).
pub fn command_lines(op: &Operation) -> Vec<String> {
    let mut out = vec![operation_path(Some(op))];
    for line in op
        .cli_aliases
        .iter()
        .map(|a| a.to_string())
        .chain([op.id.to_string()])
    {
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

/// One word of a command line: a group of commands, or an operation's command.
#[derive(Debug)]
enum Node {
    /// A group (`x-cli.group`, one node per word), holding commands and groups.
    Group(Vec<(String, Node)>),
    /// An operation's command; hidden for its aliases and its operationId.
    Command {
        op: &'static Operation,
        hidden: bool,
    },
}

impl Node {
    /// Whether no visible command is at or below it.
    fn hidden(&self) -> bool {
        match self {
            Node::Command { hidden, .. } => *hidden,
            Node::Group(children) => children.iter().all(|(_, n)| n.hidden()),
        }
    }

    /// The first operation at or below it.
    fn first(&self) -> Option<&'static Operation> {
        match self {
            Node::Command { op, .. } => Some(op),
            Node::Group(children) => children.iter().find_map(|(_, n)| n.first()),
        }
    }
}

/// Puts `op`'s command at `words` below `level`: the command line that clashes with one
/// already there (two commands, or a command and a group, of one name) is left out and
/// returned. `cargo xtask gen` refuses such specs, so a generated CLI has none.
fn insert(
    level: &mut Vec<(String, Node)>,
    words: &[&str],
    op: &'static Operation,
    hidden: bool,
) -> Result<(), String> {
    let Some((first, rest)) = words.split_first() else {
        return Err("an empty command line".to_string());
    };
    let clash = || {
        format!(
            "`{}` of `{}` clashes with another command",
            words.join(" "),
            op.id
        )
    };
    match level.iter_mut().find(|(n, _)| n == first) {
        None if rest.is_empty() => {
            level.push((first.to_string(), Node::Command { op, hidden }));
            Ok(())
        }
        None => {
            let mut children = Vec::new();
            insert(&mut children, rest, op, hidden)?;
            level.push((first.to_string(), Node::Group(children)));
            Ok(())
        }
        Some((_, Node::Group(children))) if !rest.is_empty() => {
            insert(children, rest, op, hidden).map_err(|_| clash())
        }
        _ => Err(clash()),
    }
}

/// The command tree, and the command lines left out of it for clashing.
fn build_tree() -> (Vec<(String, Node)>, Vec<String>) {
    let mut root = Vec::new();
    let mut clashes = Vec::new();
    for op in spec::operations() {
        for (i, line) in command_lines(op).iter().enumerate() {
            let words: Vec<&str> = line.split(' ').collect();
            if let Err(e) = insert(&mut root, &words, op, i > 0) {
                clashes.push(e);
            }
        }
    }
    (root, clashes)
}

/// The command tree of the spec's operations (built once).
fn tree() -> &'static [(String, Node)] {
    static TREE: OnceLock<Vec<(String, Node)>> = OnceLock::new();
    TREE.get_or_init(|| build_tree().0)
}

/// A node's clap command, for the cloud or the demo. A group's summary is the description
/// of its first operation's first tag.
fn node_command(name: &str, node: &Node, demo: bool) -> Command {
    match node {
        Node::Command { op, hidden } => operation_command(op, name, demo).hide(*hidden),
        Node::Group(children) => Command::new(name.to_string())
            .about(group_about(node.first(), name))
            .subcommand_required(!demo)
            .arg_required_else_help(!demo)
            .hide(node.hidden())
            .subcommands(children.iter().map(|(n, c)| node_command(n, c, demo))),
    }
}

/// The summary of a group: the description of its first operation's first tag.
fn group_about(op: Option<&Operation>, name: &str) -> String {
    let tag = op
        .and_then(|op| spec::document().pointer(op.pointer))
        .and_then(|o| o.get("tags"))
        .and_then(|t| t.get(0))
        .and_then(serde_json::Value::as_str);
    spec::document()
        .get("tags")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| t.get("name").and_then(serde_json::Value::as_str) == tag)
        .and_then(|t| t.get("description"))
        .and_then(serde_json::Value::as_str)
        .map(|d| first_sentence(d.trim()).trim_end_matches('.').to_string())
        .unwrap_or_else(|| format!("{name} operations"))
}

/// The operation commands, for the cloud or the demo.
fn operation_commands(demo: bool) -> Vec<Command> {
    tree()
        .iter()
        .map(|(name, node)| node_command(name, node, demo))
        .collect()
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
    let root = Command::new(BIN)
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
pub fn operation_path(op: Option<&Operation>) -> String {
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

/// The operation a command line names (below `level` of the tree), and the matches of its
/// arguments.
fn find_in<'m>(
    level: &[(String, Node)],
    m: &'m ArgMatches,
) -> Option<(&'static Operation, &'m ArgMatches)> {
    let (name, sub) = m.subcommand()?;
    match &level.iter().find(|(n, _)| n == name)?.1 {
        Node::Command { op, .. } => Some((op, sub)),
        Node::Group(children) => find_in(children, sub),
    }
}

/// The operation a command names, and the matches of its arguments.
fn find_operation(m: &ArgMatches) -> Option<(&'static Operation, &ArgMatches)> {
    find_in(tree(), m)
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
                    globals: Box::new(Globals {
                        language: maybe(args, "language")?,
                        ..output_globals(args)?
                    }),
                    demo: true,
                })
            }
            Some(_) => {
                let (op, args) = find_operation(matches).ok_or("missing an operation's command")?;
                Ok(Invocation::Call {
                    op,
                    matches: Box::new(args.clone()),
                    globals: Box::new(globals(args)?),
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
        dry_run: maybe(m, DRY_RUN)?.unwrap_or_default(),
        yes: maybe(m, YES)?.unwrap_or_default(),
        wait: match maybe::<bool>(m, WAIT)?.unwrap_or_default() {
            true => {
                Some(maybe(m, WAIT_TIMEOUT)?.unwrap_or(Duration::from_secs(DEFAULT_WAIT_SECONDS)))
            }
            false => None,
        },
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
            Some((label(op, i), value))
        })
        .collect()
}

/// The label of `op`'s parameter number `index` in the human view: its `x-cli-label`, else
/// its name.
fn label(op: &Operation, index: usize) -> String {
    spec::parameter_object(op, index)
        .and_then(|o| o.get("x-cli-label"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or(op.parameters[index].name)
        .to_string()
}

/// The parameter of the waiter operation `waiter` that takes a job's ID (`x-waiter.id`):
/// its index.
pub fn job_parameter(waiter: &Operation) -> Option<usize> {
    let id = spec::document()
        .pointer(waiter.pointer)
        .and_then(|o| o.get("x-waiter"))
        .and_then(|w| w.get("id"))
        .and_then(serde_json::Value::as_str)?;
    waiter.parameters.iter().position(|p| p.name == id)
}

/// The waiter operation's arguments when it showed job `job`, for the human view.
pub fn job_arguments(waiter: &Operation, job: &str) -> Vec<(String, String)> {
    job_parameter(waiter)
        .map(|i| vec![(label(waiter, i), job.to_string())])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        command().debug_assert();
    }

    /// The generator keeps parameters and body fields off the CLI's own flags by the list it
    /// writes into the generated code: every flag the CLI defines beside an operation's is on
    /// it.
    #[test]
    fn every_flag_of_the_cli_is_reserved_from_parameters() {
        let cmd = command();
        let mut operations_flags: Vec<&str> = spec::operations()
            .iter()
            .flat_map(|o| o.parameters)
            .map(|p| p.flag)
            .collect();
        for op in spec::operations() {
            operations_flags.extend(crate::generated::body_flags(op.id).iter().map(|(_, f)| *f));
        }
        let mut own: Vec<String> = Vec::new();
        let mut visit = vec![&cmd];
        while let Some(c) = visit.pop() {
            for a in c.get_arguments() {
                let Some(long) = a.get_long() else { continue };
                if !operations_flags.contains(&long) {
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
        // And no body field's flag is a parameter's or one of the CLI's own.
        for op in spec::operations() {
            for (_, flag) in crate::generated::body_flags(op.id) {
                assert!(!crate::generated::RESERVED_FLAGS.contains(flag), "--{flag}");
                assert!(!op.parameters.iter().any(|p| p.flag == *flag), "--{flag}");
            }
        }
    }

    /// The arguments of a call of `op` by the command line `line`, its required parameters
    /// given.
    fn call_of(cmd: &Command, op: &Operation, line: &str) -> Invocation {
        let mut argv: Vec<String> = vec![BIN.to_string()];
        argv.extend(line.split(' ').map(str::to_string));
        for p in op
            .parameters
            .iter()
            .filter(|p| p.setting.is_none() && p.required)
        {
            argv.push(format!("--{}", p.flag));
            argv.push(p.example.unwrap_or("abc").to_string());
        }
        if op.body {
            argv.push("--json-body".to_string());
            argv.push("-".to_string());
        }
        let m = cmd.clone().try_get_matches_from(argv).unwrap();
        Invocation::from_matches(&m).unwrap()
    }

    #[test]
    fn every_command_line_of_an_operation_runs_it() {
        let (_, clashes) = build_tree();
        assert_eq!(clashes, Vec::<String>::new());
        let cmd = command();
        for op in spec::operations() {
            let lines = command_lines(op);
            assert!(lines.contains(&op.id.to_string()));
            for line in &lines {
                let Invocation::Call {
                    op: found, demo, ..
                } = call_of(&cmd, op, line)
                else {
                    panic!("not a call")
                };
                assert_eq!(found.id, op.id, "{line}");
                assert!(!demo);
            }
        }
    }

    /// A command line that clashes is left out of the tree and reported, never a panic.
    #[test]
    fn clashing_command_lines_are_left_out() {
        let op = &spec::operations()[0];
        let mut level = Vec::new();
        insert(&mut level, &["a", "b"], op, false).unwrap();
        insert(&mut level, &["a", "c"], op, false).unwrap();
        assert!(insert(&mut level, &["a"], op, false).is_err());
        assert!(insert(&mut level, &["a", "b", "c"], op, true).is_err());
        assert!(insert(&mut level, &["a", "b"], op, true).is_err());
        let Node::Group(children) = &level[0].1 else {
            panic!("a group")
        };
        assert_eq!(children.len(), 2);
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
