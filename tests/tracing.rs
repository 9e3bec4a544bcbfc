//! What the client traces: one span per attempt with operation, attempt, status, request ID
//! and latency, and never a secret. In its own test binary, with a global subscriber, since
//! `tracing` caches which callsites are enabled across a process's threads.

use std::time::Duration;

use serde_json::json;
use taurusdb::{Client, Credentials, RetryPolicy};
use taurusdb_tests::capture::CaptureLayer;
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;
use tracing_subscriber::layer::SubscriberExt;

const SK: &str = "sk-very-secret-9d1e";
const SECURITY_TOKEN: &str = "st-also-secret-77aa";

fn retrying(url: &str, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT)
        .credentials(credentials)
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_attempt_is_traced_without_secrets() {
    let layer = CaptureLayer::default();
    let captured = layer.captured.clone();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();

    let server = ScriptServer::start(vec![
        Step::with_headers(503, &[("x-request-id", "r-1")], ""),
        Step::json(200, &json!({})),
    ])
    .await;
    for credentials in [
        Credentials::temporary_aksk("AK", SK, SECURITY_TOKEN),
        Credentials::token(TOKEN),
    ] {
        retrying(&server.url, credentials)
            .replication_config(INSTANCE, TASK)
            .await
            .unwrap();
    }
    let c = captured.lock().unwrap().clone();
    let spans: Vec<_> = c
        .spans
        .iter()
        .filter(|s| s.name == "taurusdb.request")
        .collect();
    assert_eq!(spans.len(), 3, "{c:#?}");
    let first = &spans[0].fields;
    assert_eq!(first["operation"], "ListStarRocksDataReplicationConfig");
    assert_eq!(
        (
            first["attempt"].as_str(),
            first["status"].as_str(),
            first["request_id"].as_str()
        ),
        ("1", "503", "r-1")
    );
    assert!(first["latency_ms"].parse::<u64>().is_ok(), "{first:?}");
    assert_eq!(first["path"], path(INSTANCE));
    assert_eq!(
        (
            spans[1].fields["attempt"].as_str(),
            spans[1].fields["status"].as_str()
        ),
        ("2", "200")
    );
    assert!(
        c.events.iter().any(|e| e["message"].contains("retrying")),
        "{:?}",
        c.events
    );

    // A refused connection: three attempts, each traced.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let before = captured.lock().unwrap().spans.len();
    retrying(&url, Credentials::token(TOKEN))
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    let attempts: Vec<String> = captured.lock().unwrap().spans[before..]
        .iter()
        .map(|s| s.fields["attempt"].clone())
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);

    let text = captured.lock().unwrap().all_text();
    for secret in [SK, SECURITY_TOKEN, TOKEN] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
