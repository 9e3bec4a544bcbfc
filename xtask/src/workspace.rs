//! What every command shares: where the workspace is, how a generated file is written or
//! checked, the output format and the exit codes.
//!
//! A command that produces files builds them in memory as [`Output`]s and hands them to
//! [`ensure`], which either writes them (atomically, only those that changed) or, with
//! `--check`, reports each stale one with a diff and the command that fixes it. Line endings
//! are normalised before comparing, so a checkout with CRLF line endings (Windows,
//! `core.autocrlf`) is not stale.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The spec, relative to the workspace root.
pub const SPEC: &str = "openapi/taurusdb.yaml";

/// The workspace root: the parent of this package's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// How a path under `root` is named in messages and generated headers: relative to `root`
/// when it lies below it, as given otherwise.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The committed spec, for tests.
#[cfg(test)]
pub(crate) fn spec() -> crate::model::spec::Spec {
    crate::model::spec::Spec::load(&workspace_root().join(SPEC)).unwrap_or_else(|d| panic!("{d}"))
}

/// Output formats of the commands that report findings (`lint`, `diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How a command ends, as the process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; nothing to report, or only what does not fail the command.
    Success,
    /// 1: the command found what it checks for (a stale file, a lint error, a change at or
    /// above `--fail-on`), or could not read its input.
    Failure,
    /// 2: the arguments could not be used (e.g. `diff` given a spec that does not exist).
    Usage,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
        }
    }

    /// `Failure` when `failed`, `Success` otherwise.
    pub fn failure_if(failed: bool) -> Exit {
        if failed { Exit::Failure } else { Exit::Success }
    }

    /// The worse of two outcomes.
    pub fn and(self, other: Exit) -> Exit {
        if other.code() > self.code() {
            other
        } else {
            self
        }
    }
}

/// From a command that still returns its status as an integer (`diff::run`): 0, 1 or 2 map to
/// their variant, anything else is a failure.
impl From<i32> for Exit {
    fn from(code: i32) -> Exit {
        match code {
            0 => Exit::Success,
            2 => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// One generated file: where it goes (relative to the workspace root) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub contents: String,
}

/// A file whose committed contents differ from what the generator produces.
#[derive(Debug)]
pub struct Stale {
    pub path: String,
    pub diff: String,
}

/// `text` with CRLF line endings turned into LF: generated files are LF, and a checkout may
/// have converted them.
fn lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The file at `root/output.path`, if it holds what `output` does (line endings aside).
fn up_to_date(root: &Path, output: &Output) -> (bool, Option<String>) {
    let current = std::fs::read_to_string(root.join(&output.path)).ok();
    let same = current
        .as_deref()
        .is_some_and(|c| lf(c) == lf(&output.contents));
    (same, current)
}

/// Compares `outputs` with the files under `root`.
pub fn stale(root: &Path, outputs: &[Output]) -> Vec<Stale> {
    outputs
        .iter()
        .filter_map(|o| {
            let (same, current) = up_to_date(root, o);
            if same {
                return None;
            }
            let diff = match &current {
                None => "(the file does not exist)\n".to_string(),
                Some(cur) => unified_diff(&o.path, &lf(cur), &o.contents),
            };
            Some(Stale {
                path: o.path.clone(),
                diff,
            })
        })
        .collect()
}

const MAX_DIFF_LINES: usize = 200;

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{path} (committed)"),
            &format!("b/{path} (generated)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_DIFF_LINES {
        return text;
    }
    let mut out = lines[..MAX_DIFF_LINES].join("\n");
    let _ = writeln!(
        out,
        "\n... {} more lines of diff",
        lines.len() - MAX_DIFF_LINES
    );
    out
}

/// Writes every output that changed. Each file is written to a temporary file beside it and
/// renamed into place, and no file is touched before all of them are ready.
pub fn write(root: &Path, outputs: &[Output]) -> Result<Vec<String>> {
    let mut pending = Vec::new();
    for o in outputs {
        if up_to_date(root, o).0 {
            continue;
        }
        let target = root.join(&o.path);
        let dir = target
            .parent()
            .context("generated file has no parent directory")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".xtask-gen-")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        tmp.write_all(o.contents.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("writing {}", tmp.path().display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))?;
        }
        pending.push((tmp, target, o.path.clone()));
    }
    let mut written = Vec::new();
    for (tmp, target, rel) in pending {
        tmp.persist(&target)
            .with_context(|| format!("replacing {}", target.display()))?;
        written.push(rel);
    }
    Ok(written)
}

/// What a stale file is called in `--check` messages, and what to say when nothing changed.
pub struct Command {
    /// The command that regenerates the files, e.g. `cargo xtask gen`.
    pub name: &'static str,
    /// The prefix of progress messages, e.g. `gen`.
    pub tag: &'static str,
}

/// The files a generating command produces, written or (with `check`) compared, in the manner
/// of rust-analyzer's `ensure_file_contents`: with `check`, nothing is written and each stale
/// file is reported with its diff and the fix; without, the changed files are written.
pub fn ensure(root: &Path, outputs: &[Output], check: bool, command: &Command) -> Exit {
    let name = command.name;
    if check {
        let stale = stale(root, outputs);
        for s in &stale {
            eprintln!(
                "error: {} is stale: it differs from what `{name}` produces",
                s.path
            );
            eprintln!("{}", s.diff);
        }
        if !stale.is_empty() {
            eprintln!("To fix: run `{name}` and commit the result.");
        }
        return Exit::failure_if(!stale.is_empty());
    }
    match write(root, outputs) {
        Ok(written) if written.is_empty() => {
            match outputs {
                [one] => eprintln!("{}: {} is up to date", command.tag, one.path),
                _ => eprintln!("{}: up to date ({} files)", command.tag, outputs.len()),
            }
            Exit::Success
        }
        Ok(written) => {
            for w in written {
                eprintln!("{}: wrote {w}", command.tag);
            }
            Exit::Success
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Failure
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_skips_unchanged_files_and_replaces_changed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = vec![Output {
            path: "a/b.rs".into(),
            contents: "one\n".into(),
        }];
        assert_eq!(write(dir.path(), &out).unwrap(), ["a/b.rs"]);
        assert_eq!(write(dir.path(), &out).unwrap(), Vec::<String>::new());
        let changed = vec![Output {
            path: "a/b.rs".into(),
            contents: "two\n".into(),
        }];
        assert_eq!(stale(dir.path(), &changed).len(), 1);
        write(dir.path(), &changed).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.rs")).unwrap(),
            "two\n"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
    }

    /// A checkout with CRLF line endings holds the same text: neither stale nor rewritten.
    #[test]
    fn a_crlf_copy_is_neither_stale_nor_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = vec![Output {
            path: "g.rs".into(),
            contents: "// @generated\nfn f() {}\n".into(),
        }];
        std::fs::write(dir.path().join("g.rs"), "// @generated\r\nfn f() {}\r\n").unwrap();
        assert!(stale(dir.path(), &out).is_empty());
        assert_eq!(write(dir.path(), &out).unwrap(), Vec::<String>::new());
        assert_eq!(
            ensure(
                dir.path(),
                &out,
                true,
                &Command {
                    name: "cargo xtask gen",
                    tag: "gen"
                }
            ),
            Exit::Success
        );
        // A real change is still one, whatever the line endings.
        std::fs::write(dir.path().join("g.rs"), "// @generated\r\nfn g() {}\r\n").unwrap();
        let s = stale(dir.path(), &out);
        assert_eq!(s.len(), 1);
        assert!(
            s[0].diff.contains("-fn g() {}\n+fn f() {}"),
            "{}",
            s[0].diff
        );
    }

    #[test]
    fn exit_codes() {
        assert_eq!(
            [Exit::Success, Exit::Failure, Exit::Usage].map(Exit::code),
            [0, 1, 2]
        );
        assert_eq!(Exit::failure_if(true), Exit::Failure);
        assert_eq!(Exit::failure_if(false), Exit::Success);
        assert_eq!(Exit::Success.and(Exit::Failure), Exit::Failure);
        assert_eq!(Exit::Usage.and(Exit::Failure), Exit::Usage);
        assert_eq!(
            [0, 1, 2, 7].map(Exit::from),
            [Exit::Success, Exit::Failure, Exit::Usage, Exit::Failure]
        );
    }
}
