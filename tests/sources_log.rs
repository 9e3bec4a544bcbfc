//! What the client logs about where its credentials and project came from: the source of
//! each (a `tracing` event), warnings about the profile, and never a secret, through every
//! new source (profile, metadata service, project lookup, password). In its own test binary
//! with a global subscriber, as `tracing.rs` (callsite interest is cached process-wide).

#[path = "sources_common.rs"]
mod common;

use common::*;
use serde_json::json;
use taurusdb::iam::PasswordTokenProvider;
use taurusdb::{Client, Credentials};
use taurusdb_tests::capture::CaptureLayer;
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::test]
async fn sources_are_logged_without_their_values() {
    let layer = CaptureLayer::default();
    let captured = layer.captured.clone();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();

    let service = ScriptServer::start(vec![Step::json(200, &json!({}))]).await;
    let iam = ScriptServer::start(vec![Step::json(
        200,
        &json!({"projects": [{"id": "p-logged", "name": "cn-north-4"}]}),
    )])
    .await;
    let home = tempfile::tempdir().unwrap();
    let profile = write_sdk_file(
        home.path(),
        "credentials",
        &format!("[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\n"),
        0o640,
    );
    let home_str = home.path().to_str().unwrap();
    let client = from_env(&[
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam.url),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();

    // Servers of our own rather than httpmock, which logs the requests it receives.
    let metadata = ScriptServer::start(vec![
        Step::with_headers(200, &[], "logged-session-token"),
        Step::json(200, &security_key(TEMP_AK, TEMP_SK, TEMP_ST, in_secs(7200))),
    ])
    .await;
    let metadata_url = metadata.url.clone();
    from_env(&[
        ("HOME", "/nonexistent-home"),
        ("USERPROFILE", "/nonexistent-home"),
        ("TAURUSDB_METADATA_ENDPOINT", &metadata_url),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap()
    .replication_config(INSTANCE, TASK)
    .await
    .unwrap();

    let tokens = ScriptServer::start(vec![Step::Respond {
        status: 201,
        headers: vec![("x-subject-token".into(), "logged-user-token".into())],
        body: json!({"token": {"expires_at": timestamp(in_secs(86_400))}})
            .to_string()
            .into_bytes(),
    }])
    .await;
    Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::token_provider(
            PasswordTokenProvider::new("acme", "alice", PASSWORD, "cn-north-4")
                .iam_endpoint(&tokens.url)
                .unwrap(),
        ))
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap();

    let c = captured.lock().unwrap().clone();
    let found: Vec<_> = c
        .events
        .iter()
        .filter(|e| e.get("message").map(String::as_str) == Some("credentials found"))
        .collect();
    assert_eq!(found.len(), 2, "{:#?}", c.events);
    assert_eq!(
        found[0]["source"],
        format!("the profile {}", profile.display())
    );
    assert_eq!(
        found[1]["source"],
        format!("the ECS metadata service at {metadata_url}")
    );
    assert!(
        c.events.iter().any(|e| e
            .get("message")
            .is_some_and(|m| m.contains("accessible by group or others (mode 640)"))),
        "the profile's permissions are warned about: {:#?}",
        c.events
    );
    assert!(
        c.events
            .iter()
            .any(|e| e.get("project_id").map(String::as_str) == Some("p-logged")),
        "{:#?}",
        c.events
    );
    let m = metadata.requests();
    assert_eq!((m[0].method.as_str(), m[1].method.as_str()), ("PUT", "GET"));
    assert_eq!(
        m[1].header("x-metadata-token"),
        Some("logged-session-token")
    );
    let text = c.all_text();
    for secret in [
        PROFILE_SK,
        TEMP_SK,
        TEMP_ST,
        "logged-session-token",
        PASSWORD,
        "logged-user-token",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
