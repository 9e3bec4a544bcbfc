//! AK/SK request signing with `SDK-HMAC-SHA256`, as the official Huawei Cloud SDKs sign.
//!
//! 1. `X-Sdk-Date` is set to the UTC time as `yyyyMMddTHHmmssZ`.
//! 2. Signed headers: every header of the request, names lower-cased and sorted, except
//!    names that start with `content-type` or contain `_`.
//! 3. The canonical request is `METHOD\nURI\nQUERY\nHEADERS\nSIGNED_HEADERS\nHEX(SHA256(body))`:
//!    each path segment and each query key and value percent-encoded with only
//!    `A-Z a-z 0-9 - _ . ~` left as they are (upper-case hex), the URI always ending in `/`,
//!    query keys sorted and the values of one key sorted, one `name:trimmed-value` line per
//!    signed header value.
//! 4. The string to sign is `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{HEX(SHA256(canonical request))}`.
//! 5. The signature is `HEX(HMAC-SHA256(secret key, string to sign))`, sent as
//!    `Authorization: SDK-HMAC-SHA256 Access={AK}, SignedHeaders={names}, Signature={hex}`.
//!
//! [`canonical_request`] is public so that a signature the gateway rejects can be debugged
//! by comparing canonical requests.

use aws_lc_rs::{digest, hmac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::credentials::Secret;

/// The algorithm name that starts the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The header that carries the signing time.
pub const DATE_HEADER: &str = "x-sdk-date";

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~`.
const ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes `s` the way the signer does (and the way this client encodes path
/// parameters): only unreserved characters stay, hex digits are upper case.
pub fn escape(s: &str) -> String {
    utf8_percent_encode(s, ESCAPE).to_string()
}

/// The canonical request and the signed-header list for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical request, whose SHA-256 is signed.
    pub request: String,
    /// The signed header names, `;`-separated.
    pub signed_headers: String,
}

/// Builds the canonical request of `method url` with `headers` and `body`.
///
/// It is written into one buffer: path segments, query pairs and header values are borrowed
/// from the request where they need no decoding, and sorted in place, so that signing costs
/// a handful of allocations rather than one per part (BENCHMARKS.md, section 2).
pub fn canonical_request(
    method: &str,
    url: &reqwest::Url,
    headers: &HeaderMap,
    body: &[u8],
) -> Canonical {
    use std::fmt::Write as _;

    let mut request = String::with_capacity(256 + url.as_str().len() + 64 * headers.len());
    request.push_str(method);
    request.push('\n');
    for (i, segment) in url.path().split('/').enumerate() {
        if i > 0 {
            request.push('/');
        }
        if is_unreserved(segment) {
            // Decoding and encoding again would give the same text.
            request.push_str(segment);
        } else {
            let decoded = percent_decode_str(segment).decode_utf8_lossy();
            let _ = write!(request, "{}", utf8_percent_encode(&decoded, ESCAPE));
        }
    }
    if !request.ends_with('/') {
        request.push('/');
    }
    request.push('\n');

    // Keys sorted, and the values of one key sorted: the pairs sorted by key, then value.
    let mut query: Vec<_> = url.query_pairs().collect();
    query.sort();
    for (i, (k, v)) in query.iter().enumerate() {
        if i > 0 {
            request.push('&');
        }
        push_escaped(&mut request, k);
        request.push('=');
        push_escaped(&mut request, v);
    }
    request.push('\n');

    // Header names are lower case in a `HeaderMap` already.
    let mut signed: Vec<(&str, std::borrow::Cow<'_, str>)> = headers
        .iter()
        .map(|(name, value)| {
            let value = match value.to_str() {
                Ok(v) => std::borrow::Cow::Borrowed(v),
                Err(_) => String::from_utf8_lossy(value.as_bytes()),
            };
            (name.as_str(), value)
        })
        .filter(|(name, _)| !(name.starts_with("content-type") || name.contains('_')))
        .collect();
    signed.sort_by(|a, b| (a.0, a.1.trim()).cmp(&(b.0, b.1.trim())));
    let mut signed_headers = String::with_capacity(16 * signed.len());
    let mut last: Option<&str> = None;
    for (name, value) in &signed {
        request.push_str(name);
        request.push(':');
        request.push_str(value.trim());
        request.push('\n');
        if last != Some(name) {
            if last.is_some() {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
            last = Some(name);
        }
    }
    request.push('\n');
    request.push_str(&signed_headers);
    request.push('\n');
    if body.is_empty() {
        request.push_str(EMPTY_SHA256);
    } else {
        push_hex(&mut request, digest::digest(&digest::SHA256, body).as_ref());
    }
    Canonical {
        request,
        signed_headers,
    }
}

/// `HEX(SHA256(""))`, the body hash of every request without a body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Whether `s` has only unreserved characters, which percent-encoding leaves as they are.
fn is_unreserved(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// Appends `s` percent-encoded as the signer encodes.
fn push_escaped(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    if is_unreserved(s) {
        out.push_str(s);
    } else {
        let _ = write!(out, "{}", utf8_percent_encode(s, ESCAPE));
    }
}

/// `X-Sdk-Date` for an instant: `yyyyMMddTHHmmssZ` in UTC.
pub fn sdk_date(at: std::time::SystemTime) -> String {
    crate::date::sdk_date(at)
}

/// The string to sign for a canonical request signed at `date` (an `X-Sdk-Date` value).
pub fn string_to_sign(canonical_request: &str, date: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + date.len() + 66);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(date);
    out.push('\n');
    push_hex(
        &mut out,
        digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref(),
    );
    out
}

/// `HEX(HMAC-SHA256(secret_key, string_to_sign))`.
///
/// SHA-256 and HMAC are aws-lc-rs's, the crypto that rustls (reqwest's TLS) already builds.
pub fn signature(secret_key: &Secret, string_to_sign: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret_key.expose().as_bytes());
    hex(hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Appends `bytes` in lower-case hexadecimal.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
}

/// Signs requests with an access key and secret key.
#[derive(Clone)]
pub struct Signer {
    access_key: String,
    /// The secret key as HMAC's key, its inner and outer hash states computed once (two
    /// SHA-256 blocks that every signature would otherwise hash again).
    key: hmac::Key,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

impl Signer {
    /// A signer for `access_key` and `secret_key`.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Signer {
        let secret_key: Secret = secret_key.into();
        Signer {
            access_key: access_key.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret_key.expose().as_bytes()),
        }
    }

    /// Signs `request` as of `at`: replaces its `X-Sdk-Date` and `Authorization` headers.
    /// A request with a streaming body is signed as if its body were empty.
    pub fn sign(&self, request: &mut reqwest::Request, at: std::time::SystemTime) -> Canonical {
        let date = sdk_date(at);
        let headers = request.headers_mut();
        headers.remove(AUTHORIZATION);
        headers.insert(
            HeaderName::from_static(DATE_HEADER),
            HeaderValue::from_str(&date).expect("a formatted date is a valid header value"),
        );
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default();
        let canonical = canonical_request(
            request.method().as_str(),
            request.url(),
            request.headers(),
            body,
        );
        let to_sign = string_to_sign(&canonical.request, &date);
        let signature = hmac::sign(&self.key, to_sign.as_bytes());
        // The Authorization value reuses the string to sign's buffer.
        let mut value = to_sign;
        value.clear();
        value.reserve(
            ALGORITHM.len() + self.access_key.len() + canonical.signed_headers.len() + 104,
        );
        value.push_str(ALGORITHM);
        value.push_str(" Access=");
        value.push_str(&self.access_key);
        value.push_str(", SignedHeaders=");
        value.push_str(&canonical.signed_headers);
        value.push_str(", Signature=");
        push_hex(&mut value, signature.as_ref());
        // The access key was checked when the credentials were configured.
        if let Ok(mut value) = HeaderValue::from_str(&value) {
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        canonical
    }
}

#[cfg(test)]
mod tests {
    /// Repeated headers: one signed name, its values sorted; a name that ends with another
    /// is its own name; repeated query keys: values sorted.
    #[test]
    fn repeated_headers_and_query_keys_are_sorted_and_signed_once() {
        let mut headers = HeaderMap::new();
        headers.append("x-a", HeaderValue::from_static(" 2 "));
        headers.append("x-a", HeaderValue::from_static("1"));
        headers.append("b-x-a", HeaderValue::from_static("z"));
        headers.append("content-type", HeaderValue::from_static("application/json"));
        let url = reqwest::Url::parse("https://h/p%20q/r?b=2&a=z&b=1").unwrap();
        let c = super::canonical_request("GET", &url, &headers, b"");
        assert_eq!(c.signed_headers, "b-x-a;x-a");
        let lines: Vec<&str> = c.request.lines().collect();
        assert_eq!(
            lines[..7],
            [
                "GET",
                "/p%20q/r/",
                "a=z&b=1&b=2",
                "b-x-a:z",
                "x-a:1",
                "x-a:2",
                ""
            ]
        );
        assert_eq!(lines[7], "b-x-a;x-a");
    }

    use super::*;

    #[test]
    fn the_empty_body_hash_is_sha256_of_nothing() {
        assert_eq!(
            EMPTY_SHA256,
            hex(digest::digest(&digest::SHA256, b"").as_ref())
        );
    }

    /// The signer's precomputed key signs as the secret key does, and its Debug output
    /// shows no part of the secret.
    #[test]
    fn the_signer_signs_with_its_secret_and_hides_it() {
        let signer = Signer::new("AK", "a-secret-key");
        let mut r = request("GET", "https://h/a b/?q=1", &[("x-a", "1")], b"");
        let at = at("20261130T010203Z");
        let canonical = signer.sign(&mut r, at);
        let expected = signature(
            &Secret::from("a-secret-key"),
            &string_to_sign(&canonical.request, "20261130T010203Z"),
        );
        let auth = r.headers()[AUTHORIZATION].to_str().unwrap();
        assert!(auth.ends_with(&format!("Signature={expected}")), "{auth}");
        assert!(!format!("{signer:?}").contains("a-secret-key"));
    }

    fn at(date: &str) -> std::time::SystemTime {
        crate::date::from_sdk_date(date)
    }

    fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> reqwest::Request {
        let mut r = reqwest::Request::new(method.parse().unwrap(), url.parse().unwrap());
        for (k, v) in headers {
            r.headers_mut().append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        if !body.is_empty() {
            *r.body_mut() = Some(body.to_vec().into());
        }
        r
    }

    /// REFERENCE test vector 1 (from the official SDK's tests).
    #[test]
    fn official_vector_get() {
        let mut r = request(
            "GET",
            "https://example.com/path?limit=1",
            &[("TEST_UNDERSCORE", "x")],
            b"",
        );
        let c = Signer::new("AccessKey", "SecretKey").sign(&mut r, at("20060102T150405Z"));
        assert_eq!(
            c.request,
            "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            r.headers()[AUTHORIZATION],
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
             Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    /// REFERENCE test vector 2.
    #[test]
    fn official_vector_post_with_body() {
        let mut r = request(
            "POST",
            "https://example.com/path?key=value",
            &[("Content-Type", "application/json")],
            b"{\"Name\":\"test\",\"Id\":1}\n",
        );
        Signer::new("AccessKey", "SecretKey").sign(&mut r, at("20060102T150405Z"));
        let auth = r.headers()[AUTHORIZATION].to_str().unwrap();
        assert!(
            auth.ends_with(
                "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
            ),
            "{auth}"
        );
    }

    #[test]
    fn official_canonical_query_example() {
        let url: reqwest::Url =
            "https://h/p?test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&multi=3&path=%2Ftmp%2F123&multi=1&enable=true&limit=1&multi=2"
                .parse()
                .unwrap();
        let c = canonical_request("GET", &url, &HeaderMap::new(), b"");
        assert_eq!(
            c.request.lines().nth(2).unwrap(),
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
    }

    /// This API's own GET request, as the client sends it, checked line by line.
    #[test]
    fn this_apis_request() {
        let mut r = request(
            "GET",
            "https://gaussdb.cn-north-4.myhuaweicloud.com/v3/0549e61b4a8c4fdfb1c47bd8a3d8d8b1/instances/\
             6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17/starrocks/databases/replication/configuration?task_name=sync_task_01",
            &[
                ("accept", "application/json"),
                ("x-language", "en-us"),
                ("x-project-id", "0549e61b4a8c4fdfb1c47bd8a3d8d8b1"),
            ],
            b"",
        );
        let c = Signer::new("AK", "SK").sign(&mut r, at("20261124T120000Z"));
        let lines: Vec<&str> = c.request.split('\n').collect();
        assert_eq!(
            lines,
            [
                "GET",
                "/v3/0549e61b4a8c4fdfb1c47bd8a3d8d8b1/instances/6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17/starrocks/databases/replication/configuration/",
                "task_name=sync_task_01",
                "accept:application/json",
                "x-language:en-us",
                "x-project-id:0549e61b4a8c4fdfb1c47bd8a3d8d8b1",
                "x-sdk-date:20261124T120000Z",
                "",
                "accept;x-language;x-project-id;x-sdk-date",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ]
        );
        let expected = signature(
            &Secret::new("SK"),
            &string_to_sign(&c.request, "20261124T120000Z"),
        );
        assert_eq!(
            r.headers()[AUTHORIZATION].to_str().unwrap(),
            format!(
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=accept;x-language;x-project-id;x-sdk-date, Signature={expected}"
            )
        );
    }

    #[test]
    fn re_signing_replaces_date_and_signature() {
        let mut r = request("GET", "https://h/a", &[], b"");
        let s = Signer::new("AK", "SK");
        s.sign(&mut r, at("20260101T000000Z"));
        let first = r.headers()[AUTHORIZATION].clone();
        let c = s.sign(&mut r, at("20260101T000001Z"));
        assert_eq!(
            c.signed_headers, "x-sdk-date",
            "the old Authorization is not signed"
        );
        assert_ne!(r.headers()[AUTHORIZATION], first);
        assert_eq!(r.headers().get_all(DATE_HEADER).iter().count(), 1);
    }

    #[test]
    fn encoded_path_segments_are_canonicalised_once() {
        let url: reqwest::Url = "https://h/v3/a%5Cb/x%20y".parse().unwrap();
        let c = canonical_request("GET", &url, &HeaderMap::new(), b"");
        assert_eq!(c.request.lines().nth(1), Some("/v3/a%5Cb/x%20y/"));
    }
}
