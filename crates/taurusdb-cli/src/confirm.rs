//! The question an operation's command asks before it runs (`x-cli-confirm` in the spec):
//! its `{name}` placeholders filled from the command's arguments and request body, asked on
//! a terminal (stdin and stderr both terminals), answered by `y` or `yes`; off a terminal the
//! command needs `--yes`. Nothing here names an operation, a parameter or a field.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use clap::ArgMatches;
use serde_json::Value;
use taurusdb::spec::{Operation, Setting};

use crate::config::Settings;
use crate::error::sanitize;

/// `question` with each `{name}` replaced by `value(name)`; a placeholder without a value
/// says `(none)`, one that is not a name (`{`, `{}`) is left as it is.
pub fn fill(question: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = question;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if end > 0 && !after[..end].contains('{') => {
                let name = &after[..end];
                out.push_str(&sanitize(
                    &value(name).unwrap_or_else(|| "(none)".to_string()),
                ));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The question of `op`, filled in from its arguments `m`, its request `body` and the
/// `settings` of the call; `None` when the spec asks none.
pub fn question(
    op: &Operation,
    m: &ArgMatches,
    body: Option<&Value>,
    settings: &Settings,
) -> Option<String> {
    let question = op.confirm?.trim();
    Some(fill(question, |name| {
        if let Some(p) = op.parameters.iter().find(|p| p.name == name) {
            return match p.setting {
                Some(Setting::ProjectId) => settings.project_id().map(|s| s.value.clone()),
                Some(Setting::Language) => settings.language.as_ref().map(|s| s.value.clone()),
                _ => m.try_get_raw(p.flag).ok().flatten().map(|v| {
                    v.map(|s| s.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            };
        }
        match body?.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }))
}

/// Whether an answer is yes.
fn yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Asks `question` unless `assume_yes`: on a terminal, the answer decides; off one, the
/// refusal says to pass `--yes`. Nothing has been sent when this refuses.
pub fn confirm(question: &str, assume_yes: bool) -> Result<(), String> {
    if assume_yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(format!(
            "this command asks \"{question}\" and stdin or stderr is not a terminal: pass --yes to run it (nothing was sent)"
        ));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e} (nothing was sent)"))?;
    if yes(&answer) {
        Ok(())
    } else {
        Err("not confirmed: nothing was sent".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_from_the_arguments() {
        let value = |name: &str| match name {
            "task_name" => Some("t1".to_string()),
            "evil" => Some("a\x1b[2Jb".to_string()),
            _ => None,
        };
        assert_eq!(
            fill("Delete the task {task_name}?", value),
            "Delete the task t1?"
        );
        assert_eq!(fill("{missing} {} { x", value), "(none) {} { x");
        assert_eq!(fill("{evil}", value), "a\\u{1b}[2Jb");
        assert_eq!(fill("no placeholder", value), "no placeholder");
    }

    #[test]
    fn only_y_and_yes_confirm() {
        for a in ["y\n", "Y\n", "yes\n", " YES \r\n"] {
            assert!(yes(a), "{a:?}");
        }
        for a in ["", "\n", "n\n", "no\n", "yess\n", "ye\n"] {
            assert!(!yes(a), "{a:?}");
        }
    }

    #[test]
    fn yes_skips_the_question_and_without_a_terminal_it_is_needed() {
        assert!(confirm("Delete?", true).is_ok());
        // Tests run without a terminal on stdin or stderr (cargo captures them).
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            let e = confirm("Delete?", false).unwrap_err();
            assert!(e.contains("pass --yes"), "{e}");
        }
    }
}
