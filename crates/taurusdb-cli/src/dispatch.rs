//! What the generated `dispatch` (in `generated.rs`) uses to run an operation from parsed
//! arguments: reading a flag's value, the JSON body, and turning the client's response into
//! a [`Reply`] that every output format can print. Nothing here names an operation.

use std::path::PathBuf;

use clap::ArgMatches;
use serde::Serialize;
use serde::de::DeserializeOwned;
use taurusdb::{ResponseValue, ResponseValueExt as _};

/// The argument that holds a request body: a JSON file (`-` for stdin).
pub const JSON_BODY: &str = "json-body";

/// A successful response, decoded by the client's types and turned back into JSON: the same
/// shape whatever spelling of a field the server used.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The decoded body as JSON (`null` for an operation without a body).
    pub body: serde_json::Value,
}

/// Why an operation could not be run or failed.
#[derive(Debug)]
pub enum DispatchError {
    /// A required argument is missing (clap normally refuses it first).
    Missing(String),
    /// The request body file could not be read or is not the operation's JSON.
    #[allow(dead_code)] // made by `body`, for specs with a JSON request body
    Body(String),
    /// The call failed.
    Call(taurusdb::Error),
    /// The response could not be turned into JSON.
    Encode(serde_json::Error),
    /// No operation has this ID (the generated CLI and client disagree).
    Unknown(String),
}

/// A required argument's value.
pub fn required<T: Clone + Send + Sync + 'static>(
    m: &ArgMatches,
    flag: &str,
) -> Result<T, DispatchError> {
    optional(m, flag).ok_or_else(|| DispatchError::Missing(flag.to_string()))
}

/// An optional argument's value.
pub fn optional<T: Clone + Send + Sync + 'static>(m: &ArgMatches, flag: &str) -> Option<T> {
    m.try_get_one::<T>(flag).ok().flatten().cloned()
}

/// The request body from `--json-body FILE`.
#[allow(dead_code)] // called by the generated dispatch of operations with a JSON body
pub fn body<T: DeserializeOwned>(m: &ArgMatches) -> Result<T, DispatchError> {
    let path: PathBuf = required(m, JSON_BODY)?;
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&path)
    }
    .map_err(|e| {
        DispatchError::Body(format!("cannot read --{JSON_BODY} {}: {e}", path.display()))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        DispatchError::Body(format!(
            "--{JSON_BODY} {}: not the operation's request body: {e}",
            path.display()
        ))
    })
}

/// The reply of a call.
pub fn reply<T: Serialize>(
    result: Result<ResponseValue<T>, taurusdb::Error>,
) -> Result<Reply, DispatchError> {
    let response = result.map_err(DispatchError::Call)?;
    let request_id = response.request_id().map(str::to_string);
    let body = serde_json::to_value(response.into_inner()).map_err(DispatchError::Encode)?;
    Ok(Reply { request_id, body })
}
