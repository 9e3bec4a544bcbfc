//! An independent check of `SDK-HMAC-SHA256` signatures, as a server would make it, written
//! from the algorithm's description and sharing no code with the client's signer.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Percent-encodes everything but `A-Z a-z 0-9 - _ . ~`, with upper-case hex.
pub fn escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`).
pub fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical path: each segment decoded and re-encoded, always ending in `/`.
pub fn canonical_path(raw_path: &str) -> String {
    let mut p = raw_path
        .split('/')
        .map(|seg| escape(&unescape(seg)))
        .collect::<Vec<_>>()
        .join("/");
    if !p.ends_with('/') {
        p.push('/');
    }
    p
}

/// The canonical query: pairs decoded (as `application/x-www-form-urlencoded`, so `+` is a
/// space), sorted by key then value as decoded (as the official SDK sorts them), then
/// re-encoded.
pub fn canonical_query(raw_query: &str) -> String {
    let form = |s: &str| unescape(&s.replace('+', " "));
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form(k), form(v))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Checks the `Authorization` header of a request against `ak`/`sk`. `headers` are
/// (lower-case name, value) as received; `raw_target` is the path and query as sent.
pub fn verify(
    method: &str,
    raw_target: &str,
    headers: &[(String, String)],
    body: &[u8],
    ak: &str,
    sk: &str,
) -> Result<(), String> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth = get("authorization").ok_or("no Authorization header")?;
    let rest = auth
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or_else(|| format!("not SDK-HMAC-SHA256: {auth}"))?;
    let mut access = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Access", v)) => access = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(format!("unexpected part `{part}`")),
        }
    }
    let (access, signed, signature) = (
        access.ok_or("no Access")?,
        signed.ok_or("no SignedHeaders")?,
        signature.ok_or("no Signature")?,
    );
    if access != ak {
        return Err(format!("signed with access key {access}, expected {ak}"));
    }
    let date = get("x-sdk-date").ok_or("no X-Sdk-Date")?;
    if !signed.split(';').any(|h| h == "x-sdk-date") {
        return Err("X-Sdk-Date is not signed".into());
    }
    let mut header_block = String::new();
    for name in signed.split(';') {
        let mut values: Vec<&str> = headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect();
        if values.is_empty() {
            return Err(format!("signed header {name} was not received"));
        }
        values.sort();
        for v in values {
            header_block.push_str(&format!("{name}:{v}\n"));
        }
    }
    let (path, query) = raw_target.split_once('?').unwrap_or((raw_target, ""));
    let canonical = format!(
        "{method}\n{}\n{}\n{header_block}\n{signed}\n{}",
        canonical_path(path),
        canonical_query(query),
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    if expected != signature {
        return Err(format!(
            "signature mismatch; server's canonical request:\n{canonical}"
        ));
    }
    Ok(())
}
