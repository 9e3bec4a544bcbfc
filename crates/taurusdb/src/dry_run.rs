//! Dry runs ([`crate::ClientBuilder::dry_run`]): the request a call would send, as text,
//! with every secret redacted, in the error that stands for not sending it.

use std::fmt::Write as _;

use reqwest::Request;

use crate::{Config, Error, ErrorKind};

/// What a dry run writes where a project ID would be looked up in IAM.
pub(crate) const UNKNOWN_PROJECT: &str = "{project_id}";

/// Headers whose values are never shown.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-auth-token",
    "x-security-token",
    "proxy-authorization",
    "cookie",
];

/// The error a dry run ends a call with: the request, as text, in its body.
pub(crate) fn refusal(request: &Request, config: &Config) -> Error {
    Error::new(ErrorKind::DryRun, "dry run: the request was not sent")
        .with_body(render(request, config))
}

/// `METHOD URL`, the headers (secrets redacted; those the client adds when it sends, last),
/// a blank line and the body (JSON pretty-printed).
pub(crate) fn render(request: &Request, config: &Config) -> String {
    let mut out = format!("{} {}\n", request.method(), request.url());
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_string();
            let value = if SECRET_HEADERS.contains(&name.as_str()) {
                "[redacted]".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect();
    headers.sort();
    if config.wire.signer.is_some() || config.wire.metadata {
        headers.push(("x-sdk-date".into(), "[the time it is sent]".into()));
        headers.push((
            "authorization".into(),
            "SDK-HMAC-SHA256 Access=[redacted], SignedHeaders=..., Signature=[computed when sent]"
                .into(),
        ));
    }
    if matches!(
        &config.credentials,
        Some(crate::Credentials::Token(crate::TokenSource::Provider(_)))
    ) {
        headers.push((
            "x-auth-token".into(),
            "[redacted: the provider's token]".into(),
        ));
    }
    for (name, value) in headers {
        let _ = writeln!(out, "{name}: {value}");
    }
    if let Some(bytes) = request.body().and_then(|b| b.as_bytes()) {
        out.push('\n');
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(v) => {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
            }
            Err(_) => {
                let _ = writeln!(out, "{}", String::from_utf8_lossy(bytes));
            }
        }
    }
    out
}
