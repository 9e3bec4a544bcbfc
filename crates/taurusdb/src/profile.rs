//! The official SDKs' profile file, `~/.huaweicloud/credentials` (or the file that
//! `HUAWEICLOUD_SDK_CREDENTIALS_FILE` names): an INI file whose `[basic]` section holds the
//! credentials of regional services.
//!
//! ```ini
//! [basic]
//! ak = MY_ACCESS_KEY
//! sk = my-secret-key
//! project_id = 0549e61b4a8c4fdfb1c47bd8a3d8d8b1
//! ```
//!
//! Facts from huaweicloudsdkcore 3.1.219 (`auth/provider.py`, `ProfileCredentialProvider`):
//! the file is read with Python's `configparser`; the section of regional services is
//! `basic` (`global` is for global services, which this API is not); its keys are `ak`,
//! `sk`, `security_token`, `project_id`, `domain_id`, `iam_endpoint`, `idp_id` and
//! `id_token_file`; the credentials are used when `ak` and `sk` are both set.
//!
//! **A small strict reader, not an INI crate.** The file uses four constructs (section
//! headers, `key = value` lines, comments, blank lines); a crate would add a dependency to
//! every crate that depends on the client (their build time is a target, BENCHMARKS.md
//! section 4) for the constructs this reader handles in a page. It reads them as
//! `configparser`'s defaults do, so that a file means the same to this client as to the
//! official SDK: `=` or `:` between key and value, the first one; keys case-insensitive;
//! whitespace around keys and values dropped; `#` and `;` start comment lines (not inline
//! comments: `sk = abc # x` is the value `abc # x` in Python too); `[DEFAULT]`'s keys are
//! inherited by every section; `%%` is a `%` (Python's interpolation), and any other `%` is an
//! error, as it is in Python. What `configparser` would also accept but a credentials file has
//! no use for is refused with the line, instead of being read differently: continuation
//! lines, keys without a value, text after a section header. Duplicate sections and keys
//! are errors, as with `configparser`'s default `strict=True`. No error message quotes a
//! line: it may hold a secret.

use std::path::{Path, PathBuf};

use crate::Error;

/// The largest profile or regions file read (both are a few hundred bytes).
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One `key = value` line.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The key, lower-cased.
    pub(crate) key: String,
    /// The value, `%%` read as `%`.
    pub(crate) value: String,
    /// Its line, from 1.
    pub(crate) line: usize,
}

/// One `[section]` and its entries.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) name: String,
    pub(crate) entries: Vec<Entry>,
}

impl Section {
    /// The entry of `key` (lower case).
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// An error in file `path` at `line`, about `key` if there is one.
pub(crate) fn file_error(path: &Path, line: usize, key: Option<&str>, what: &str) -> Error {
    let key = key.map_or(String::new(), |k| format!(", key `{k}`"));
    Error::config(format!("{}, line {line}{key}: {what}", path.display()))
}

/// Reads a text file of at most [`MAX_FILE_BYTES`]; `Ok(None)` when it does not exist.
pub(crate) fn read_small_file(path: &Path, what: &str) -> Result<Option<String>, Error> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(
                Error::config(format!("cannot read the {what} {}", path.display())).with_source(e),
            );
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Error::config(format!("cannot read the {what} {}", path.display())).with_source(e)
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::config(format!(
            "the {what} {} is larger than {} KiB",
            path.display(),
            MAX_FILE_BYTES / 1024
        )));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        file_error(path, line, None, "not UTF-8 text")
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(Some(text))
}

/// Parses the INI text of the file `path` (named in errors).
pub(crate) fn parse_ini(text: &str, path: &Path) -> Result<Vec<Section>, Error> {
    let mut sections: Vec<Section> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |key: Option<&str>, what: &str| file_error(path, line, key, what);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            let key = sections
                .last()
                .and_then(|s| s.entries.last())
                .map(|e| e.key.as_str());
            return Err(err(
                key,
                "an indented line (a continuation of the previous value) is not supported",
            ));
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(err(
                    None,
                    "a section header must be `[name]` alone on its line",
                ));
            };
            let name = name.trim();
            if name.is_empty() || name.contains(['[', ']']) {
                return Err(err(None, "a section header must be `[name]`"));
            }
            if sections.iter().any(|s| s.name == name) {
                return Err(err(None, &format!("section [{name}] appears twice")));
            }
            sections.push(Section {
                name: name.to_string(),
                entries: Vec::new(),
            });
            continue;
        }
        let Some(at) = trimmed.find(['=', ':']) else {
            return Err(err(
                None,
                "expected `key = value`, a `[section]` or a comment",
            ));
        };
        let key = trimmed[..at].trim().to_lowercase();
        if key.is_empty() {
            return Err(err(None, "a value without a key"));
        }
        let Some(section) = sections.last_mut() else {
            return Err(err(
                Some(&key),
                "a key before any `[section]` (credentials go under [basic])",
            ));
        };
        if section.get(&key).is_some() {
            return Err(err(
                Some(&key),
                &format!("the key appears twice in [{}]", section.name),
            ));
        }
        let value = unescape_percent(trimmed[at + 1..].trim())
            .ok_or_else(|| err(Some(&key), "a `%` must be written `%%` (as Python's configparser, which the official SDK uses, reads it)"))?;
        section.entries.push(Entry { key, value, line });
    }
    // configparser's DEFAULT section: its keys are every section's unless the section has
    // its own.
    if let Some(at) = sections.iter().position(|s| s.name == "DEFAULT") {
        let defaults = sections.remove(at);
        for section in &mut sections {
            for e in &defaults.entries {
                if section.get(&e.key).is_none() {
                    section.entries.push(Entry {
                        key: e.key.clone(),
                        value: e.value.clone(),
                        line: e.line,
                    });
                }
            }
        }
    }
    Ok(sections)
}

/// `%%` as `%`; `None` for any other `%` (Python's `BasicInterpolation` refuses it, and
/// `%(name)s` references are not something a credentials file needs).
fn unescape_percent(value: &str) -> Option<String> {
    if !value.contains('%') {
        return Some(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '%' && chars.next() != Some('%') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// The keys of `[basic]` that the official SDKs know.
const KNOWN_KEYS: [&str; 8] = [
    "ak",
    "sk",
    "security_token",
    "project_id",
    "domain_id",
    "iam_endpoint",
    "idp_id",
    "id_token_file",
];

/// What the profile's `[basic]` section gives: its values and their lines.
#[derive(Debug, Default)]
pub(crate) struct Basic {
    pub(crate) ak: Option<(String, usize)>,
    pub(crate) sk: Option<(String, usize)>,
    pub(crate) security_token: Option<(String, usize)>,
    pub(crate) project_id: Option<(String, usize)>,
    pub(crate) iam_endpoint: Option<(String, usize)>,
    /// Federated credentials (`idp_id` and `id_token_file`), which this client does not
    /// support: their line.
    pub(crate) federated: Option<usize>,
}

/// A profile file that was found and read.
#[derive(Debug)]
pub(crate) struct Profile {
    pub(crate) path: PathBuf,
    /// `None` when the file has no `[basic]` section.
    pub(crate) basic: Option<Basic>,
    /// What the reader found questionable (a file others can read, unknown keys).
    pub(crate) warnings: Vec<String>,
}

impl Profile {
    /// Reads the profile at `path`; `Ok(None)` when it does not exist.
    pub(crate) fn read(path: &Path) -> Result<Option<Profile>, Error> {
        let Some(text) = read_small_file(path, "credentials file")? else {
            return Ok(None);
        };
        let mut warnings = Vec::new();
        if let Some(w) = permissions_warning(path) {
            warnings.push(w);
        }
        let sections = parse_ini(&text, path)?;
        let basic = sections.iter().find(|s| s.name == "basic").map(|s| {
            let value = |key: &str| {
                s.get(key)
                    .filter(|e| !e.value.is_empty())
                    .map(|e| (e.value.clone(), e.line))
            };
            for e in &s.entries {
                if !KNOWN_KEYS.contains(&e.key.as_str()) {
                    warnings.push(format!(
                        "{}, line {}: unknown key `{}` in [basic], ignored",
                        path.display(),
                        e.line,
                        e.key
                    ));
                }
            }
            Basic {
                ak: value("ak"),
                sk: value("sk"),
                security_token: value("security_token"),
                project_id: value("project_id"),
                iam_endpoint: value("iam_endpoint"),
                federated: value("idp_id")
                    .or_else(|| value("id_token_file"))
                    .map(|(_, line)| line),
            }
        });
        Ok(Some(Profile {
            path: path.to_path_buf(),
            basic,
            warnings,
        }))
    }
}

/// A warning when the file can be read or written by its group or by others, as ssh warns
/// about private keys (Unix only: elsewhere permissions are ACLs this does not read).
#[cfg(unix)]
fn permissions_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds credentials and is accessible by group or others (mode {mode:03o}): `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permissions_warning(_path: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Section>, String> {
        parse_ini(text, Path::new("/h/.huaweicloud/credentials")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_configparser_reads() {
        let s = parse(
            "\n# a comment\n; another\n[DEFAULT]\nproject_id = default-project\n\n[basic]\nAK = MYAK\nsk: my=secret:key \n  # an indented comment\nsecurity_token =\nprice = 100%%\n[global]\nak = GLOBAL\n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        let basic = &s[0];
        assert_eq!(basic.name, "basic");
        assert_eq!(basic.get("ak").unwrap().value, "MYAK");
        assert_eq!(basic.get("ak").unwrap().line, 8);
        assert_eq!(basic.get("sk").unwrap().value, "my=secret:key");
        assert_eq!(basic.get("security_token").unwrap().value, "");
        assert_eq!(basic.get("price").unwrap().value, "100%");
        assert_eq!(basic.get("project_id").unwrap().value, "default-project");
        assert_eq!(s[1].get("project_id").unwrap().value, "default-project");
        assert_eq!(s[1].get("ak").unwrap().value, "GLOBAL");
    }

    #[test]
    fn malformed_files_name_the_line_and_key_but_never_quote_it() {
        let cases = [
            ("ak = X\n", "line 1, key `ak`: a key before any `[section]`"),
            (
                "[basic]\nak = X\nak = Y\n",
                "line 3, key `ak`: the key appears twice in [basic]",
            ),
            (
                "[basic]\n[basic]\n",
                "line 2: section [basic] appears twice",
            ),
            (
                "[basic\n",
                "line 1: a section header must be `[name]` alone",
            ),
            (
                "[basic] x\n",
                "line 1: a section header must be `[name]` alone",
            ),
            ("[basic]\nsk hunter2\n", "line 2: expected `key = value`"),
            (
                "[basic]\nsk = abc\n  hunter2\n",
                "line 3, key `sk`: an indented line",
            ),
            (
                "[basic]\nsk = 50%hunter2\n",
                "line 2, key `sk`: a `%` must be written `%%`",
            ),
            ("[basic]\n= hunter2\n", "line 2: a value without a key"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert!(
                e.starts_with("/h/.huaweicloud/credentials, ") && e.contains(want),
                "{text:?}: {e}"
            );
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn the_basic_section_and_its_warnings() {
        let dir = tempdir();
        let path = dir.join("credentials");
        std::fs::write(
            &path,
            "[basic]\nak = AK1\nsk = SK1\niam_endpoint = https://iam.example\nregion = x\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let p = Profile::read(&path).unwrap().unwrap();
        let b = p.basic.unwrap();
        assert_eq!(b.ak, Some(("AK1".to_string(), 2)));
        assert_eq!(b.iam_endpoint.unwrap().0, "https://iam.example");
        assert!(b.project_id.is_none() && b.federated.is_none());
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("line 5: unknown key `region`")),
            "{:?}",
            p.warnings
        );
        #[cfg(unix)]
        {
            assert!(
                p.warnings
                    .iter()
                    .any(|w| w.contains("accessible by group or others (mode 644)")),
                "{:?}",
                p.warnings
            );
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let p = Profile::read(&path).unwrap().unwrap();
            assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        }
        assert!(Profile::read(&dir.join("missing")).unwrap().is_none());
        std::fs::write(&path, b"[basic]\nak = \xff\n").unwrap();
        let e = Profile::read(&path).unwrap_err().to_string();
        assert!(e.ends_with("credentials, line 2: not UTF-8 text"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A fresh directory under the system's temporary directory.
    pub(crate) fn tempdir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "taurusdb-profile-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
