//! The client on the wire against servers on 127.0.0.1: authentication (token and AK/SK,
//! signatures checked independently on the server side), retries, redirects, tracing, and
//! the promise that no secret is ever shown.

use std::time::{Duration, Instant};

use httpmock::MockServer;
use taurusdb::{Client, ClientBuilder, Credentials, ErrorKind, RetryPolicy};
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;

const AK: &str = "AKTEST0000EXAMPLE";
const SK: &str = "sk-very-secret-9d1e";
const SECURITY_TOKEN: &str = "st-also-secret-77aa";

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT)
        .retry(RetryPolicy::none())
}

fn aksk_client(url: &str) -> Client {
    builder(url)
        .credentials(Credentials::aksk(AK, SK))
        .build()
        .unwrap()
}

fn ok() -> Step {
    Step::json(200, &corrected_example())
}

#[tokio::test]
async fn aksk_requests_are_signed_as_a_server_checks_them() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.is_true(|req| {
                let headers: Vec<(String, String)> = req
                    .headers_vec()
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect();
                let target = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                sigcheck::verify(req.method_str(), &target, &headers, req.body_ref(), AK, SK)
                    .is_ok()
            })
            .header_missing("x-auth-token")
            .header_missing("x-security-token")
            .header("x-project-id", PROJECT);
            then.status(200).json_body(corrected_example());
        })
        .await;
    let c = aksk_client(&server.base_url());
    c.replication_config(INSTANCE, TASK).await.unwrap();
    // Path segments that need escaping are canonicalised the same way on both sides.
    c.replication_config(r"in/17\x y", TASK).await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_wrong_secret_key_does_not_verify() {
    let server = ScriptServer::start(vec![ok()]).await;
    builder(&server.url)
        .credentials(Credentials::aksk(AK, "another-key"))
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();
    let r = &server.requests()[0];
    let e = sigcheck::verify(&r.method, &r.target, &r.headers, b"", AK, SK).unwrap_err();
    assert!(e.starts_with("signature mismatch"), "{e}");
}

#[tokio::test]
async fn temporary_credentials_send_and_sign_the_security_token() {
    let server = ScriptServer::start(vec![ok()]).await;
    builder(&server.url)
        .credentials(Credentials::temporary_aksk(AK, SK, SECURITY_TOKEN))
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-security-token"), Some(SECURITY_TOKEN));
    sigcheck::verify(&r.method, &r.target, &r.headers, b"", AK, SK).unwrap();
    assert!(
        r.header("authorization")
            .unwrap()
            .contains("x-security-token"),
        "it is signed"
    );
}

#[tokio::test]
async fn token_mode_sends_the_token_and_no_signature() {
    let server = ScriptServer::start(vec![ok()]).await;
    client(&server.url)
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-auth-token"), Some(TOKEN));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("x-sdk-date"), None);
    assert_eq!(r.header("x-project-id"), Some(PROJECT));
    assert_eq!(r.header("x-language"), Some("en-us"));
    assert_eq!(r.path(), path(INSTANCE));
    assert_eq!(r.query(), format!("task_name={TASK}"));
}

#[tokio::test]
async fn throttling_and_gateway_errors_are_retried_until_success() {
    for status in [429, 502, 503, 504] {
        let server = ScriptServer::start(vec![Step::with_headers(status, &[], "busy"), ok()]).await;
        let c = builder(&server.url)
            .retry(quick_retries(3))
            .build()
            .unwrap();
        c.replication_config(INSTANCE, TASK)
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(server.requests().len(), 2, "{status}");
    }
}

#[tokio::test]
async fn other_statuses_are_never_retried() {
    for status in [400, 401, 403, 404, 408, 409, 500] {
        let server = ScriptServer::start(vec![Step::json(status, &page_400()), ok()]).await;
        let c = builder(&server.url)
            .retry(quick_retries(5))
            .build()
            .unwrap();
        let e = c.replication_config(INSTANCE, TASK).await.unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.requests().len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = ScriptServer::start(vec![Step::with_headers(
        503,
        &[("x-request-id", "last")],
        "down",
    )])
    .await;
    let c = builder(&server.url)
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let e = c.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        (e.status().map(|s| s.as_u16()), e.request_id()),
        (Some(503), Some("last"))
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = ScriptServer::start(vec![Step::with_headers(503, &[], "down"), ok()]).await;
    let e = builder(&server.url)
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_and_each_attempt_is_signed_afresh() {
    let server = ScriptServer::start(vec![
        Step::with_headers(429, &[("retry-after", "1")], "slow down"),
        ok(),
    ])
    .await;
    let c = builder(&server.url)
        .credentials(Credentials::aksk(AK, SK))
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let started = Instant::now();
    c.replication_config(INSTANCE, TASK).await.unwrap();
    let elapsed = started.elapsed();
    let r = server.requests();
    assert_eq!(r.len(), 2);
    let gap = r[1].at - r[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "waited {gap:?}, not the Retry-After of 1 s"
    );
    assert!(elapsed < Duration::from_secs(5), "bounded: {elapsed:?}");
    for req in &r {
        sigcheck::verify(&req.method, &req.target, &req.headers, b"", AK, SK).unwrap();
    }
    assert_ne!(
        r[0].header("x-sdk-date"),
        r[1].header("x-sdk-date"),
        "the retry is signed with a new date"
    );
    assert_ne!(r[0].header("authorization"), r[1].header("authorization"));
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_ends_the_retries() {
    let server = ScriptServer::start(vec![
        Step::with_headers(429, &[("retry-after", "3600")], "later"),
        ok(),
    ])
    .await;
    let c = builder(&server.url)
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = c.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let server = ScriptServer::start(vec![Step::Close, Step::Close, ok()]).await;
    let c = builder(&server.url)
        .retry(quick_retries(3))
        .build()
        .unwrap();
    c.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = builder(&url).retry(quick_retries(3)).build().unwrap();
    let e = c.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect);
    assert_eq!(e.status(), None);
    assert!(e.is_retryable());
    assert!(e.to_string().starts_with("the request failed: "), "{e}");
}

#[tokio::test]
async fn timeouts_are_retried_within_bounded_time() {
    let server = ScriptServer::start(vec![Step::Hang, ok()]).await;
    let c = builder(&server.url)
        .timeout(Duration::from_millis(300))
        .retry(quick_retries(2))
        .build()
        .unwrap();
    let started = Instant::now();
    c.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(server.requests().len(), 2);
    assert!(started.elapsed() < Duration::from_secs(3));

    let hang = ScriptServer::start(vec![Step::Hang]).await;
    let c = builder(&hang.url)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = c.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn redirects_to_another_origin_are_not_followed() {
    let other = ScriptServer::start(vec![ok()]).await;
    for target in [
        other.url.clone(),
        other.url.replace("127.0.0.1", "localhost"),
    ] {
        let location = format!("{target}{}?task_name={TASK}", path(INSTANCE));
        for credentials in [
            Credentials::token(TOKEN),
            Credentials::temporary_aksk(AK, SK, SECURITY_TOKEN),
        ] {
            let first = ScriptServer::start(vec![Step::with_headers(
                302,
                &[("location", &location)],
                "",
            )])
            .await;
            let e = builder(&first.url)
                .credentials(credentials)
                .build()
                .unwrap()
                .replication_config(INSTANCE, TASK)
                .await
                .unwrap_err();
            assert_eq!(e.status().map(|s| s.as_u16()), Some(302));
            assert!(e.to_string().contains("redirect to another origin"), "{e}");
            assert_eq!(first.requests().len(), 1);
        }
    }
    assert!(
        other.requests().is_empty(),
        "no request, so no credential, reached the other host"
    );
}

#[tokio::test]
async fn same_origin_redirects_are_followed_and_signed_again() {
    let server = ScriptServer::start(vec![
        Step::with_headers(
            307,
            &[("location", "/moved/here?task_name=sync_task_01")],
            "",
        ),
        ok(),
    ])
    .await;
    aksk_client(&server.url)
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();
    let r = server.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].path(), "/moved/here");
    for req in &r {
        sigcheck::verify(&req.method, &req.target, &req.headers, b"", AK, SK).unwrap();
    }
}

/// Formats the client, its builder and configuration, and every kind of error the client
/// produces, with known secrets configured: none of them may appear.
#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let secrets = [SK, SECURITY_TOKEN, TOKEN, "proxy-pass-42"];
    let mut shown: Vec<String> = Vec::new();
    let mut show = |what: String| shown.push(what);

    let b = Client::builder()
        .endpoint("http://127.0.0.1:9")
        .project_id(PROJECT)
        .credentials(Credentials::temporary_aksk(AK, SK, SECURITY_TOKEN))
        .proxy("http://user:proxy-pass-42@127.0.0.1:3128");
    show(format!("{b:?}"));
    let c = b.clone().build().unwrap();
    show(format!("{c:?} {c:#?} {:?}", c.config()));
    let t = builder("http://127.0.0.1:9")
        .credentials(Credentials::token(TOKEN))
        .build()
        .unwrap();
    show(format!("{t:?} {:#?}", t.config()));

    let mut errors = Vec::new();
    errors.push(
        builder("http://x")
            .credentials(Credentials::token(format!("{TOKEN}\n")))
            .build()
            .unwrap_err(),
    );
    errors.push(
        builder("http://x")
            .credentials(Credentials::temporary_aksk(
                AK,
                SK,
                format!("{SECURITY_TOKEN}\r"),
            ))
            .build()
            .unwrap_err(),
    );
    errors.push(c.replication_config(INSTANCE, "x").await.unwrap_err());
    let refused = builder("http://127.0.0.1:9")
        .credentials(Credentials::token(TOKEN))
        .build()
        .unwrap();
    errors.push(
        refused
            .replication_config(INSTANCE, TASK)
            .await
            .unwrap_err(),
    );
    for step in [
        Step::json(400, &page_400()),
        Step::with_headers(502, &[], "<html>bad gateway</html>"),
        Step::Respond {
            status: 200,
            headers: vec![],
            body: b"{\"truncated\": ".to_vec(),
        },
        Step::Hang,
    ] {
        let server = ScriptServer::start(vec![step]).await;
        for credentials in [
            Credentials::token(TOKEN),
            Credentials::temporary_aksk(AK, SK, SECURITY_TOKEN),
        ] {
            let client = builder(&server.url)
                .credentials(credentials)
                .timeout(Duration::from_millis(200))
                .build()
                .unwrap();
            errors.push(client.replication_config(INSTANCE, TASK).await.unwrap_err());
        }
    }
    let kinds: std::collections::BTreeSet<String> =
        errors.iter().map(|e| format!("{:?}", e.kind())).collect();
    assert_eq!(kinds.len(), 6, "every kind of error is covered: {kinds:?}");
    for e in &errors {
        show(format!(
            "{e} | {e:?} | {e:#?} | {:?}",
            std::error::Error::source(e).map(|s| s.to_string())
        ));
    }
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "`{secret}` shown in: {text}");
        }
    }
}
