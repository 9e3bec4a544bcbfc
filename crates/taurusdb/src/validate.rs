//! Checks on request values, made before anything is sent.

use crate::error::one_line;
use crate::types::TaskName;
use crate::{Error, signing};

/// Percent-encodes a path parameter so that it stays one path segment: everything but
/// `A-Z a-z 0-9 - _ . ~` is escaped, `/`, `\`, `?`, `#` and `%` included. The generated code
/// calls this in place of progenitor's encoder, which leaves `\` (read as `/` by URL parsers).
pub fn encode_path(value: &str) -> String {
    signing::escape(value)
}

/// A path parameter must be non-empty and not `.` or `..`, which URL parsers remove.
pub(crate) fn path_segment(value: &str, name: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_request(format!("{name} is empty")));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid_request(format!(
            "{name} `{value}` cannot be a path segment: URLs treat `.` and `..` as relative paths"
        )));
    }
    Ok(())
}

/// Checks `task_name` against the spec's rule (the generated `TaskName`), keeping the reason.
pub(crate) fn task_name(value: &str) -> Result<TaskName, Error> {
    TaskName::try_from(value).map_err(|reason| {
        Error::invalid_request(format!(
            "invalid task_name `{}`: {reason}",
            one_line(value, 40)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names_are_checked_with_reasons() {
        assert!(task_name("sync_task_01").is_ok());
        assert_eq!(
            task_name("ab").unwrap_err().to_string(),
            "invalid task_name `ab`: shorter than 3 characters"
        );
        assert_eq!(
            task_name("my-task").unwrap_err().to_string(),
            "invalid task_name `my-task`: doesn't match pattern \"^[A-Za-z0-9_]+$\""
        );
        let long = "a".repeat(129);
        assert_eq!(
            task_name(&long).unwrap_err().to_string(),
            format!(
                "invalid task_name `{}…`: longer than 128 characters",
                "a".repeat(40)
            )
        );
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
