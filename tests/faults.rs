//! Fault injection against servers on 127.0.0.1: whatever the network does, each call ends in
//! a success or in the typed error that names the cause, within a bounded time, without a
//! panic. (Refused connections, 429 with `Retry-After`, 503 then 200 and cross-host redirects
//! are in `transport.rs`, beside the retry and redirect rules they exercise.)

use std::io::Write as _;
use std::time::{Duration, Instant};

use taurusdb::{Client, ErrorKind, RetryPolicy};
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;

/// Every call here must end well within this.
const BOUND: Duration = Duration::from_secs(5);

fn client_with(url: &str, timeout: Duration, max_body: usize) -> Client {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT)
        .token(TOKEN)
        .timeout(timeout)
        .retry(RetryPolicy::none())
        .max_response_bytes(max_body)
        .build()
        .unwrap()
}

/// Calls `steps`' server once; returns the outcome and how long it took.
async fn call(
    server: &ScriptServer,
    timeout: Duration,
    max_body: usize,
) -> (Result<serde_json::Value, taurusdb::Error>, Duration) {
    let started = Instant::now();
    let result = client_with(&server.url, timeout, max_body)
        .replication_config(INSTANCE, TASK)
        .await
        .map(|v| serde_json::to_value(v.into_inner()).unwrap());
    let took = started.elapsed();
    assert!(took < BOUND, "took {took:?}");
    (result, took)
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_body_is_a_connection_error() {
    let full = corrected_example().to_string();
    let server = ScriptServer::start(vec![Step::ResetMidBody {
        status: 200,
        declared: full.len(),
        body: full.as_bytes()[..40].to_vec(),
    }])
    .await;
    let (result, _) = call(&server, Duration::from_secs(3), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(
        e.status().map(|s| s.as_u16()),
        Some(200),
        "the status that did arrive is kept"
    );
    assert!(
        e.to_string()
            .contains("the response body could not be read"),
        "{e}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_ends_at_the_timeout() {
    let server = ScriptServer::start(vec![Step::Hang]).await;
    let (result, took) = call(&server, Duration::from_millis(300), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(took >= Duration::from_millis(290), "{took:?}");
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn a_trickling_body_succeeds_within_the_timeout_and_fails_beyond_it() {
    let body = corrected_example().to_string().into_bytes();
    let chunks: Vec<Vec<u8>> = body.chunks(64).map(<[u8]>::to_vec).collect();
    let n = chunks.len() as u32;
    let slow = ScriptServer::start(vec![Step::Trickle {
        status: 200,
        chunks: chunks.clone(),
        delay: Duration::from_millis(10),
    }])
    .await;
    let (result, _) = call(&slow, Duration::from_secs(3), 1 << 20).await;
    assert_eq!(
        result.unwrap(),
        serde_json::to_value(
            serde_json::from_value::<taurusdb::types::StarRocksReplicationConfig>(
                corrected_example()
            )
            .unwrap()
        )
        .unwrap()
    );

    let too_slow = ScriptServer::start(vec![Step::Trickle {
        status: 200,
        chunks,
        delay: Duration::from_millis(100),
    }])
    .await;
    let (result, took) = call(&too_slow, Duration::from_millis(400), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        took < Duration::from_millis(100) * n,
        "the timeout bounds the whole body: {took:?}"
    );
}

#[tokio::test]
async fn a_non_json_500_keeps_its_status_and_body() {
    let server = ScriptServer::start(vec![Step::with_headers(
        500,
        &[("x-request-id", "r500")],
        "Internal Server Error\n",
    )])
    .await;
    let (result, _) = call(&server, Duration::from_secs(3), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(
        (e.kind(), e.status().map(|s| s.as_u16())),
        (ErrorKind::Api, Some(500))
    );
    assert_eq!(
        (e.body(), e.request_id()),
        (Some("Internal Server Error\n"), Some("r500"))
    );
}

#[tokio::test]
async fn a_200_with_invalid_utf8_is_a_decode_error() {
    let mut body = br#"{"source_instance_id": "caf"#.to_vec();
    body.extend_from_slice(b"\xe9\xff\"}");
    let server = ScriptServer::start(vec![Step::Respond {
        status: 200,
        headers: vec![],
        body,
    }])
    .await;
    let (result, _) = call(&server, Duration::from_secs(3), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(
        e.body()
            .unwrap()
            .starts_with(r#"{"source_instance_id": "caf"#),
        "{e:?}"
    );
    assert!(e.to_string().contains("could not be decoded"), "{e}");
}

#[tokio::test]
async fn a_body_over_the_maximum_is_refused_without_reading_it_all() {
    const TOTAL: usize = 256 * 1024 * 1024;
    for chunked in [false, true] {
        let server = ScriptServer::start(vec![Step::Stream {
            status: 200,
            total: TOTAL,
            chunked,
        }])
        .await;
        let (result, _) = call(&server, Duration::from_secs(4), 64 * 1024).await;
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BodyTooLarge, "chunked={chunked}: {e}");
        assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let written = server.bytes_written();
        assert!(
            written < 32 * 1024 * 1024,
            "chunked={chunked}: the server got {written} of {TOTAL} bytes out"
        );
    }
}

#[tokio::test]
async fn a_gzip_encoded_body_is_decoded() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(page_example().to_string().as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let server = ScriptServer::start(vec![Step::Respond {
        status: 200,
        headers: vec![
            ("content-encoding".into(), "gzip".into()),
            ("content-type".into(), "application/json".into()),
        ],
        body,
    }])
    .await;
    let (result, _) = call(&server, Duration::from_secs(3), 1 << 20).await;
    let v = result.unwrap();
    assert_eq!(
        v["database_info"]["db_config_check_results"][1]["check_result"],
        "failed"
    );
    let accept = server.requests()[0]
        .header("accept-encoding")
        .unwrap_or_default()
        .to_string();
    assert!(accept.contains("gzip"), "{accept}");
}

#[tokio::test]
async fn a_gzip_bomb_is_stopped_at_the_maximum() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let body = gz.finish().unwrap();
    assert!(
        body.len() < 1 << 20,
        "64 MiB of spaces compress to {} bytes",
        body.len()
    );
    let server = ScriptServer::start(vec![Step::Respond {
        status: 200,
        headers: vec![("content-encoding".into(), "gzip".into())],
        body,
    }])
    .await;
    let (result, _) = call(&server, Duration::from_secs(4), 1 << 20).await;
    assert_eq!(
        result.unwrap_err().kind(),
        ErrorKind::BodyTooLarge,
        "the limit applies to the decoded body"
    );
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_connection_error() {
    let server = ScriptServer::start(vec![Step::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec())]).await;
    let (result, _) = call(&server, Duration::from_secs(3), 1 << 20).await;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
}
