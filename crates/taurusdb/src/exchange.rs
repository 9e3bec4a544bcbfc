//! Builds and sends an operation's HTTP request from what the generated entry point says of it,
//! and reads the response by its status: what progenitor writes out in full for every
//! operation (its `builder::X::send`), written once here and driven by data.
//!
//! An entry point's `send` (generated into `requests`) checks its arguments, then describes its
//! request: method, path template and values, query parameters (in the order progenitor sends
//! them), headers, body, and a [`Responses`] table saying which statuses are success and which
//! are the documented errors, and how each body is read. Everything the client does to a
//! request (signing, retries, the call's limits) happens in progenitor's `ClientHooks`
//! (transport.rs), called here in the same order as progenitor's `send` calls them; failures are
//! progenitor's error type, which [`crate::call::send`] maps to [`crate::Error`].
//!
//! One function for all operations, generic only over the response's types, is what keeps a
//! client of many operations quick to build: the compiler checks this body once rather than a
//! copy of it per operation (BENCHMARKS.md, the corpus). Nothing here names an operation, a
//! parameter or a field.

use std::fmt::Display;

use progenitor_client::{ByteStream, ClientHooks, OperationInfo, QueryParam, ResponseValue};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Client, state};

type Result<T, E> = std::result::Result<T, progenitor_client::Error<E>>;

/// How a documented response's body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// JSON, decoded into the operation's type for the status.
    Json,
    /// Nothing: the response documents no body (the type is `()`).
    #[allow(dead_code)] // in the generated code of a spec with such a response
    Empty,
}

/// An operation's documented responses, as progenitor's `send` matches them: the success
/// statuses first, then the error statuses, each an inclusive range (`(200, 200)`, `(400,
/// 499)` for `4XX`, `(0, u16::MAX)` for `default`); any other status is an unexpected response.
#[derive(Debug)]
pub(crate) struct Responses {
    /// Whether the request asks for JSON (`Accept: application/json`): when the success body is
    /// JSON, or there is none and the error body is JSON.
    pub accept_json: bool,
    /// The success statuses.
    pub ok: &'static [(u16, u16)],
    /// How a success body is read (not consulted for a file download, which is streamed).
    pub ok_read: Read,
    /// The documented error statuses.
    pub err: &'static [(u16, u16)],
    /// How an error body is read.
    pub err_read: Read,
}

/// One operation's request, being described by its entry point.
pub(crate) struct Request<'a> {
    client: &'a Client,
    operation: &'static str,
    responses: &'static Responses,
    builder: reqwest::RequestBuilder,
    headers: HeaderMap,
    /// The first argument that cannot go on the wire (a header value with a line break).
    invalid: Option<crate::Error>,
}

impl<'a> Request<'a> {
    /// A request of `operation` to the client's base URL and the path template's
    /// `pieces`, with `values` (the path parameters, in order) percent-encoded between them:
    /// `pieces` has one more entry than `values`.
    pub(crate) fn new(
        client: &'a Client,
        operation: &'static str,
        method: reqwest::Method,
        pieces: &[&str],
        values: &[&dyn Display],
        responses: &'static Responses,
    ) -> Self {
        let mut url = String::with_capacity(
            client.baseurl.len() + pieces.iter().map(|p| p.len()).sum::<usize>() + 40,
        );
        url.push_str(&client.baseurl);
        for (k, piece) in pieces.iter().enumerate() {
            url.push_str(piece);
            if let Some(value) = values.get(k) {
                url.push_str(&crate::encode_path(&value.to_string()));
            }
        }
        let mut builder = client.client.request(method, url);
        if responses.accept_json {
            builder = builder.header(header::ACCEPT, HeaderValue::from_static("application/json"));
        }
        Request {
            client,
            operation,
            responses,
            builder,
            headers: HeaderMap::new(),
            invalid: None,
        }
    }

    /// A JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    /// A body of bytes (`application/octet-stream`).
    #[allow(dead_code)] // in the generated code of a spec with such a body
    pub(crate) fn octets(mut self, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self
            .builder
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            )
            .body(body);
        self
    }

    /// A query parameter (an absent optional one sends nothing; a list, one pair per item).
    pub(crate) fn query<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder = self.builder.query(&QueryParam::new(name, &value));
        self
    }

    /// A header parameter, as its value's text.
    pub(crate) fn header(mut self, name: &'static str, value: &dyn Display) -> Self {
        let value = value.to_string();
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::try_from(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            (Err(e), _) => self.refuse(name, e),
            (_, Err(e)) => self.refuse(name, e),
        }
        self
    }

    fn refuse(&mut self, name: &str, reason: impl Display) {
        if self.invalid.is_none() {
            self.invalid = Some(crate::call::invalid(name, reason));
        }
    }

    /// Sends the request, reading a success body as JSON (or nothing).
    pub(crate) async fn json_response<S, E>(self) -> Result<ResponseValue<S>, E>
    where
        S: DeserializeOwned,
        E: DeserializeOwned,
    {
        let (ok_read, err_read) = (self.responses.ok_read, self.responses.err_read);
        match self.exchange::<E>().await? {
            (response, true) => read(response, ok_read).await,
            (response, false) => Err(progenitor_client::Error::ErrorResponse(
                read(response, err_read).await?,
            )),
        }
    }

    /// Sends the request, streaming a success body (a file download).
    #[allow(dead_code)] // in the generated code of a spec with a file download
    pub(crate) async fn stream_response<E>(self) -> Result<ResponseValue<ByteStream>, E>
    where
        E: DeserializeOwned,
    {
        let err_read = self.responses.err_read;
        match self.exchange::<E>().await? {
            (response, true) => Ok(ResponseValue::stream(response)),
            (response, false) => Err(progenitor_client::Error::ErrorResponse(
                read(response, err_read).await?,
            )),
        }
    }

    /// Builds the request, runs the client's hooks around sending it, and says whether the
    /// status is a documented success (`true`) or a documented error (`false`).
    async fn exchange<E>(self) -> Result<(reqwest::Response, bool), E> {
        let Request {
            client,
            operation,
            responses,
            builder,
            headers,
            invalid,
        } = self;
        if let Some(e) = invalid {
            return Err(progenitor_client::Error::Custom(state::record_error(e)));
        }
        let mut request = builder.headers(headers).build()?;
        let info = OperationInfo {
            operation_id: operation,
        };
        client.pre(&mut request, &info).await?;
        let result = client.exec(request, &info).await;
        client.post(&result, &info).await?;
        let response = result?;
        let status = response.status().as_u16();
        let within =
            |ranges: &[(u16, u16)]| ranges.iter().any(|&(lo, hi)| lo <= status && status <= hi);
        if within(responses.ok) {
            Ok((response, true))
        } else if within(responses.err) {
            Ok((response, false))
        } else {
            Err(progenitor_client::Error::UnexpectedResponse(response))
        }
    }
}

/// Reads a documented body.
async fn read<T, E>(response: reqwest::Response, how: Read) -> Result<ResponseValue<T>, E>
where
    T: DeserializeOwned,
{
    match how {
        Read::Json => ResponseValue::from_response(response).await,
        Read::Empty => {
            let (status, headers) = (response.status(), response.headers().clone());
            // The type of a response without a body is `()`, which this reads.
            let unit = serde::de::value::UnitDeserializer::<serde::de::value::Error>::new();
            match T::deserialize(unit) {
                Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
                Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(
                    Default::default(),
                    serde_json::Error::io(std::io::Error::other(e.to_string())),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSES: Responses = Responses {
        accept_json: true,
        ok: &[(200, 200)],
        ok_read: Read::Json,
        err: &[(400, 499)],
        err_read: Read::Empty,
    };

    fn client() -> Client {
        Client::builder()
            .endpoint("http://127.0.0.1:9")
            .project_id("p1")
            .credentials(crate::Credentials::token("t"))
            .build()
            .unwrap()
    }

    #[test]
    fn the_path_is_encoded_between_its_pieces_and_the_query_follows() {
        let client = client();
        let request = Request::new(
            &client,
            "Op",
            reqwest::Method::GET,
            &["/v1/", "/items/", ""],
            &[&"p1", &"a/b c"],
            &RESPONSES,
        )
        .query("limit", &Some(3))
        .query("offset", &None::<u32>)
        .header("X-Language", &"en-us");
        let built = request.builder.headers(request.headers).build().unwrap();
        assert_eq!(
            built.url().as_str(),
            "http://127.0.0.1:9/v1/p1/items/a%2Fb%20c?limit=3"
        );
        assert_eq!(built.headers()["accept"], "application/json");
        assert_eq!(built.headers()["x-language"], "en-us");
    }

    #[test]
    fn a_header_value_that_cannot_go_on_the_wire_is_refused_by_its_name() {
        let client = client();
        let request = Request::new(&client, "Op", reqwest::Method::GET, &["/"], &[], &RESPONSES)
            .header("X-Note", &"a\nb");
        let e = request.invalid.expect("refused");
        assert_eq!(e.parameter(), Some("X-Note"), "{e}");
    }

    fn response(status: u16, body: &'static str) -> reqwest::Response {
        http::Response::builder()
            .status(status)
            .body(body)
            .unwrap()
            .into()
    }

    #[tokio::test]
    async fn a_body_is_read_as_its_table_says() {
        // No body documented: the unit type reads, with the status kept; another type does not.
        let empty = read::<(), ()>(response(204, ""), Read::Empty)
            .await
            .unwrap();
        assert_eq!(empty.status().as_u16(), 204);
        let e = read::<String, ()>(response(204, ""), Read::Empty)
            .await
            .unwrap_err();
        assert!(
            matches!(e, progenitor_client::Error::InvalidResponsePayload(..)),
            "{e}"
        );
        // JSON: decoded into the type.
        let json = read::<Vec<u8>, ()>(response(200, "[1, 2]"), Read::Json)
            .await
            .unwrap();
        assert_eq!(json.into_inner(), vec![1, 2]);
    }
}
