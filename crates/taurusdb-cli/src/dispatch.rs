//! What the generated `dispatch` (in `generated.rs`) uses to run an operation from parsed
//! arguments: reading a flag's value, the JSON body, and turning the client's response into
//! a [`Reply`] that every output format can print. Nothing here names an operation.

use clap::ArgMatches;
use serde::Serialize;
use serde::de::DeserializeOwned;
use taurusdb::{ResponseValue, ResponseValueExt as _};

/// The argument that holds a request body: a JSON file (`-` for stdin).
pub const JSON_BODY: &str = "json-body";

/// The argument naming where a file download goes (stdout without it).
pub const OUTPUT_FILE: &str = "output-file";

/// The demo's hidden argument holding the request body it sends when `--json-body` is not
/// given (JSON text); the body's flags override its fields.
pub const EXAMPLE_BODY: &str = "example-body";

/// A successful response, decoded by the client's types and turned back into JSON: the same
/// shape whatever spelling of a field the server used.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The decoded body as JSON (`null` for an operation without a body or a file).
    pub body: serde_json::Value,
    /// The body of a file download, as received.
    pub file: Option<Vec<u8>>,
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

/// The request body, assembled from the command line (`body::assemble`), as the client's
/// request type: a field the type refuses is named by its path.
#[allow(dead_code)] // called by the generated dispatch of operations with a JSON body
pub fn body<T: DeserializeOwned>(body: Option<serde_json::Value>) -> Result<T, DispatchError> {
    let body = body.ok_or_else(|| DispatchError::Missing(JSON_BODY.to_string()))?;
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            DispatchError::Body(format!("the request body is not the operation's: {inner}"))
        } else {
            DispatchError::Body(format!(
                "the request body's field `{path}` is not what the operation takes: {inner}"
            ))
        }
    })
}

/// Whether `value` decodes as a `T`: the reason when it does not.
pub fn decodes<T: DeserializeOwned>(value: &serde_json::Value) -> Result<(), String> {
    T::deserialize(value).map(drop).map_err(|e| e.to_string())
}

/// The reply of a call.
pub fn reply<T: Serialize>(
    result: Result<ResponseValue<T>, taurusdb::Error>,
) -> Result<Reply, DispatchError> {
    let response = result.map_err(DispatchError::Call)?;
    let request_id = response.request_id().map(str::to_string);
    let body = serde_json::to_value(response.into_inner()).map_err(DispatchError::Encode)?;
    Ok(Reply {
        request_id,
        body,
        file: None,
    })
}

/// The flag that asks a paginated list for every page.
pub const ALL: &str = "all";

/// Whether `--all` was given.
#[allow(dead_code)] // called by the generated dispatch of paginated operations
pub fn all(m: &ArgMatches) -> bool {
    m.try_get_one::<bool>(ALL)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// The reply of every page of a list: the first page's body with the `items` of every page
/// in its `items`, and the last page's request ID.
#[allow(dead_code)] // called by the generated dispatch of paginated operations
pub async fn reply_all<T: Serialize>(
    pages: taurusdb::paginate::Pages<'_, T>,
    items: &str,
) -> Result<Reply, DispatchError> {
    let mut pages = std::pin::pin!(pages);
    let mut merged: Option<serde_json::Value> = None;
    let mut request_id = None;
    while let Some(page) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(pages.as_mut(), cx)).await
    {
        let page = page.map_err(DispatchError::Call)?;
        request_id = page.request_id().map(str::to_string);
        let body = serde_json::to_value(page.into_inner()).map_err(DispatchError::Encode)?;
        match &mut merged {
            None => merged = Some(body),
            Some(first) => {
                let more = body
                    .get(items)
                    .and_then(serde_json::Value::as_array)
                    .cloned();
                if let (Some(list), Some(more)) = (
                    first
                        .get_mut(items)
                        .and_then(serde_json::Value::as_array_mut),
                    more,
                ) {
                    list.extend(more);
                }
            }
        }
    }
    Ok(Reply {
        request_id,
        body: merged.unwrap_or(serde_json::Value::Null),
        file: None,
    })
}

/// The reply of a call whose success body is a file.
#[allow(dead_code)] // called by the generated dispatch of operations that answer with a file
pub async fn reply_bytes(
    result: Result<ResponseValue<taurusdb::ByteStream>, taurusdb::Error>,
) -> Result<Reply, DispatchError> {
    use taurusdb::ResponseBytes as _;
    let response = result.map_err(DispatchError::Call)?;
    let request_id = response.request_id().map(str::to_string);
    let bytes = response.bytes().await.map_err(DispatchError::Call)?;
    Ok(Reply {
        request_id,
        body: serde_json::Value::Null,
        file: Some(bytes.to_vec()),
    })
}
