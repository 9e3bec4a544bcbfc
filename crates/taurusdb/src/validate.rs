//! Checks on request values against the spec's rules, made before anything is sent. The
//! generated entry points call them with the rules `cargo xtask gen` read from the spec, for
//! what the parameter's Rust type does not enforce by itself.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::error::one_line;
use crate::{Error, signing};

/// Percent-encodes a path parameter so that it stays one path segment: everything but
/// `A-Z a-z 0-9 - _ . ~` is escaped, `/`, `\`, `?`, `#` and `%` included. The generated code
/// calls this in place of progenitor's encoder, which leaves `\` (read as `/` by URL parsers).
pub fn encode_path(value: &str) -> String {
    signing::escape(value)
}

fn invalid(name: &str, value: &str, reason: impl std::fmt::Display) -> Error {
    Error::invalid_request(format!(
        "invalid {name} `{}`: {reason}",
        one_line(value, 40)
    ))
    .with_parameter(name)
}

/// A path parameter must be non-empty and not `.` or `..`, which URL parsers remove.
pub(crate) fn path_segment(value: &str, name: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_request(format!("{name} is empty")).with_parameter(name));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid_request(format!(
            "{name} `{value}` cannot be a path segment: URLs treat `.` and `..` as relative paths"
        ))
        .with_parameter(name));
    }
    Ok(())
}

/// A string against the spec's `minLength`, `maxLength` (in characters) and `pattern`.
#[allow(dead_code)] // called by the generated entry points when a parameter has such rules
pub(crate) fn string(
    name: &str,
    value: &str,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<&'static str>,
) -> Result<(), Error> {
    let len = value.chars().count() as u64;
    if let Some(min) = min_length
        && len < min
    {
        return Err(invalid(
            name,
            value,
            format!("shorter than {min} characters"),
        ));
    }
    if let Some(max) = max_length
        && len > max
    {
        return Err(invalid(
            name,
            value,
            format!("longer than {max} characters"),
        ));
    }
    if let Some(p) = pattern
        && !matches(p, value)
    {
        return Err(invalid(name, value, format!("doesn't match pattern {p:?}")));
    }
    Ok(())
}

/// Whether `value` matches the spec's (ECMA-262) `pattern`; patterns are compiled once. A
/// pattern that does not compile matches nothing, so that nothing unchecked is sent.
fn matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regress::Regex>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache
        .entry(pattern)
        .or_insert_with(|| regress::Regex::new(pattern).ok())
        .as_ref()
        .is_some_and(|re| re.find(value).is_some())
}

/// A number (given as its decimal text) against the spec's `minimum` and `maximum`.
#[allow(dead_code)] // called by the generated entry points when a parameter has such rules
pub(crate) fn number(
    name: &str,
    value: &str,
    minimum: Option<f64>,
    exclusive_minimum: bool,
    maximum: Option<f64>,
    exclusive_maximum: bool,
) -> Result<(), Error> {
    let Ok(n) = value.parse::<f64>() else {
        return Err(invalid(name, value, "not a number"));
    };
    if let Some(min) = minimum {
        if exclusive_minimum && n <= min {
            return Err(invalid(name, value, format!("must be greater than {min}")));
        }
        if n < min {
            return Err(invalid(name, value, format!("must be at least {min}")));
        }
    }
    if let Some(max) = maximum {
        if exclusive_maximum && n >= max {
            return Err(invalid(name, value, format!("must be less than {max}")));
        }
        if n > max {
            return Err(invalid(name, value, format!("must be at most {max}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_checked_with_reasons() {
        let p = Some("^[A-Za-z0-9_]+$");
        assert!(string("task_name", "sync_task_01", Some(3), Some(128), p).is_ok());
        let e = string("task_name", "ab", Some(3), Some(128), p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid task_name `ab`: shorter than 3 characters"
        );
        assert_eq!(e.parameter(), Some("task_name"));
        assert_eq!(
            string("task_name", "my-task", Some(3), Some(128), p)
                .unwrap_err()
                .to_string(),
            "invalid task_name `my-task`: doesn't match pattern \"^[A-Za-z0-9_]+$\""
        );
        let long = "a".repeat(129);
        assert_eq!(
            string("task_name", &long, Some(3), Some(128), p)
                .unwrap_err()
                .to_string(),
            format!(
                "invalid task_name `{}…`: longer than 128 characters",
                "a".repeat(40)
            )
        );
        // Lengths count characters, not bytes.
        assert!(string("x", "ééé", Some(3), Some(3), None).is_ok());
        // A pattern that does not compile lets nothing through.
        assert!(string("x", "a", None, None, Some("(")).is_err());
    }

    #[test]
    fn numbers_are_checked_against_the_range() {
        assert!(number("limit", "1", Some(1.0), false, Some(100.0), false).is_ok());
        assert!(number("limit", "100", Some(1.0), false, Some(100.0), false).is_ok());
        assert_eq!(
            number("limit", "0", Some(1.0), false, Some(100.0), false)
                .unwrap_err()
                .to_string(),
            "invalid limit `0`: must be at least 1"
        );
        assert_eq!(
            number("limit", "101", Some(1.0), false, Some(100.0), false)
                .unwrap_err()
                .to_string(),
            "invalid limit `101`: must be at most 100"
        );
        assert!(number("x", "1", Some(1.0), true, None, false).is_err());
        assert!(number("x", "5", None, false, Some(5.0), true).is_err());
        assert!(number("x", "abc", None, false, None, false).is_err());
    }

    #[test]
    fn path_values_stay_one_segment() {
        assert_eq!(encode_path(r"a/b\c?d#e%f g"), "a%2Fb%5Cc%3Fd%23e%25f%20g");
        assert_eq!(
            encode_path("6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17"),
            "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17"
        );
        assert!(
            path_segment("..", "instance_id")
                .unwrap_err()
                .to_string()
                .contains("`..` cannot be a path segment")
        );
        assert_eq!(
            path_segment("", "instance_id").unwrap_err().to_string(),
            "instance_id is empty"
        );
    }
}
