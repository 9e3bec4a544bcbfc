//! Where the client finds credentials, the project ID and endpoints when it is not told, as
//! the official SDKs find them, against servers on 127.0.0.1 that the tests start (the
//! service, the ECS metadata service, IAM): the environment, the profile file, the metadata
//! service and its refresh, the chain's order, the project ID lookup, the regions file,
//! IAM tokens by password, and secrets kept out of every output. The environment and the
//! home directory are injected (`ClientBuilder::from_env_with`), never the process's.

#[path = "sources_common.rs"]
mod common;

use std::time::Duration;

use common::*;
use httpmock::{Method, MockServer};
use serde_json::json;
use taurusdb::iam::PasswordTokenProvider;
use taurusdb::{Client, Credentials, ErrorKind, RetryPolicy, Source};
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::sigcheck;
use taurusdb_tests::*;

fn ok_service() -> Vec<Step> {
    vec![Step::json(200, &json!({}))]
}

/// `n` concurrent calls of `client`; every one must succeed.
async fn concurrently(client: &Client, n: usize) {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.replication_config(INSTANCE, TASK).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn environment_credentials_win_over_the_profile() {
    let service = ScriptServer::start(ok_service()).await;
    let home = tempfile::tempdir().unwrap();
    write_sdk_file(
        home.path(),
        "credentials",
        &format!("[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\n"),
        0o600,
    );
    let home_str = home.path().to_str().unwrap();
    let client = from_env(&[
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("HUAWEICLOUD_SDK_AK", ENV_AK),
        ("HUAWEICLOUD_SDK_SK", ENV_SK),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    assert_eq!(
        client.config().credential_source(),
        Some(&Source::Environment("HUAWEICLOUD_SDK_AK"))
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    let r = &service.requests()[0];
    sigcheck::verify(&r.method, &r.target, &r.headers, b"", ENV_AK, ENV_SK).unwrap();

    // A token from the environment, when there are no keys there.
    let client = from_env(&[
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("TAURUSDB_AUTH_TOKEN", TOKEN),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    assert_eq!(
        client.config().credential_source(),
        Some(&Source::Environment("TAURUSDB_AUTH_TOKEN"))
    );
}

#[tokio::test]
async fn the_profile_gives_keys_project_and_iam_endpoint_and_wins_over_metadata() {
    let service = ScriptServer::start(ok_service()).await;
    let metadata = MockServer::start_async().await;
    let asked = metadata
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let home = tempfile::tempdir().unwrap();
    let path = write_sdk_file(
        home.path(),
        "credentials",
        &format!(
            "# written by another tool\n[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\nproject_id = profile-project-1\n\n[global]\nak = NOT-THIS-ONE\n"
        ),
        0o600,
    );
    let home_str = home.path().to_str().unwrap();
    let metadata_url = metadata.base_url();
    let client = from_env(&[
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("TAURUSDB_METADATA_ENDPOINT", &metadata_url),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    assert_eq!(
        client.config().credential_source(),
        Some(&Source::Profile(path.clone()))
    );
    assert_eq!(client.config().project_id(), Some("profile-project-1"));
    assert_eq!(
        client.config().project_id_source(),
        Some(Source::Profile(path.clone()))
    );
    assert!(
        client.config().warnings().is_empty(),
        "{:?}",
        client.config().warnings()
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    let r = &service.requests()[0];
    sigcheck::verify(
        &r.method, &r.target, &r.headers, b"", PROFILE_AK, PROFILE_SK,
    )
    .unwrap();
    assert!(
        r.path().starts_with("/v3/profile-project-1/"),
        "{}",
        r.target
    );
    assert_eq!(r.header("x-project-id"), Some("profile-project-1"));
    assert_eq!(
        asked.calls_async().await,
        0,
        "the metadata service is not asked"
    );

    // HUAWEICLOUD_SDK_CREDENTIALS_FILE names another file; one that does not exist is an error.
    let other = home.path().join("elsewhere.ini");
    std::fs::write(
        &other,
        format!("[basic]\nak = OTHERAK\nsk = {PROFILE_SK}\n"),
    )
    .unwrap();
    let client = from_env(&[
        ("HOME", home_str),
        ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", other.to_str().unwrap()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    assert_eq!(
        client.config().credential_source(),
        Some(&Source::Profile(other.clone()))
    );
    let e = from_env(&[(
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        "/nonexistent/credentials",
    )])
    .endpoint(&service.url)
    .build()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE names /nonexistent/credentials, which does not exist"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_profile_others_can_read_draws_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let path = write_sdk_file(
        home.path(),
        "credentials",
        &format!("[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\n"),
        0o644,
    );
    let client = from_env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint("http://127.0.0.1:9")
    .build()
    .unwrap();
    let w = client.config().warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        w[0],
        format!(
            "{} holds credentials and is accessible by group or others (mode 644): `chmod 600 {}`",
            path.display(),
            path.display()
        )
    );
}

#[tokio::test]
async fn a_malformed_profile_is_an_error_with_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let home_str = home.path().to_str().unwrap().to_string();
    let cases = [
        (
            format!("[basic]\nak = {PROFILE_AK}\n"),
            "line 2, key `ak`: `ak` is set but `sk` is not".to_string(),
        ),
        (
            format!("[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\nsk = {PROFILE_SK}\n"),
            "line 4, key `sk`: the key appears twice in [basic]".to_string(),
        ),
        (
            format!("[basic]\nak = {PROFILE_AK}\n sk = {PROFILE_SK}\n"),
            "line 3, key `ak`: an indented line".to_string(),
        ),
        (
            format!(
                "[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\niam_endpoint = http://iam.example\n"
            ),
            "line 4, key `iam_endpoint`: the IAM endpoint `http://iam.example` must be https://"
                .to_string(),
        ),
        (
            format!("ak = {PROFILE_AK}\n"),
            "line 1, key `ak`: a key before any `[section]`".to_string(),
        ),
    ];
    for (text, want) in cases {
        let path = write_sdk_file(home.path(), "credentials", &text, 0o600);
        let e = from_env(&[("HOME", &home_str), ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)])
            .endpoint("http://127.0.0.1:9")
            .build()
            .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.to_string()
                .starts_with(&format!("{}, {want}", path.display())),
            "{text:?}: {e}"
        );
        assert!(!shown.contains(PROFILE_SK), "{shown}");
    }
}

/// The metadata service: a session token first, then the credentials with it; 64 concurrent
/// calls make one fetch; 40 minutes before they expire they are fetched again, once for 64
/// calls, and a 401 (an expired session token) renews the session token once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_credentials_are_fetched_once_and_refreshed_before_they_expire() {
    let service = ScriptServer::start(ok_service()).await;
    let metadata = MockServer::start_async().await;
    let mut token = metadata_token(&metadata, "session-1").await;
    // Valid for 40 minutes and 3 seconds: fresh now, within the 40-minute margin in 3 s.
    let first = metadata_key(
        &metadata,
        Some("session-1"),
        security_key(TEMP_AK, TEMP_SK, TEMP_ST, in_secs(40 * 60 + 3)),
        Duration::from_millis(100),
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let metadata_url = metadata.base_url();
    let client = from_env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("USERPROFILE", home.path().to_str().unwrap()),
        ("TAURUSDB_METADATA_ENDPOINT", &metadata_url),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .retry(RetryPolicy::none())
    .build()
    .unwrap();
    assert_eq!(
        client.config().credential_source(),
        Some(&Source::Metadata(metadata_url.clone()))
    );
    concurrently(&client, 64).await;
    assert_eq!(token.calls_async().await, 1, "one session token");
    assert_eq!(first.calls_async().await, 1, "one fetch for 64 calls");
    let requests = service.requests();
    assert_eq!(requests.len(), 64);
    for r in &requests {
        sigcheck::verify(&r.method, &r.target, &r.headers, b"", TEMP_AK, TEMP_SK).unwrap();
        assert_eq!(r.header("x-security-token"), Some(TEMP_ST));
    }
    let Some(Credentials::Metadata(m)) = client.config().credentials() else {
        panic!("{:?}", client.config().credentials())
    };
    assert_eq!(m.access_key().as_deref(), Some(TEMP_AK));

    // The session token has expired too: the old one is refused, a new one is issued.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    first.delete_async().await;
    token.delete_async().await;
    let refused = metadata
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/openstack/latest/securitykey")
                .header("x-metadata-token", "session-1");
            then.status(401).body("token expired");
        })
        .await;
    token = metadata_token(&metadata, "session-2").await;
    let second = metadata_key(
        &metadata,
        Some("session-2"),
        security_key("TMPAKMETADATA2", "tmp-sk-2", "tmp-st-2", in_secs(7200)),
        Duration::from_millis(100),
    )
    .await;
    concurrently(&client, 64).await;
    assert_eq!(refused.calls_async().await, 1);
    assert_eq!(
        token.calls_async().await,
        1,
        "the session token renewed once"
    );
    assert_eq!(second.calls_async().await, 1, "one refresh for 64 calls");
    let requests = service.requests();
    assert_eq!(requests.len(), 128);
    for r in &requests[64..] {
        sigcheck::verify(
            &r.method,
            &r.target,
            &r.headers,
            b"",
            "TMPAKMETADATA2",
            "tmp-sk-2",
        )
        .unwrap();
        assert_eq!(r.header("x-security-token"), Some("tmp-st-2"));
    }
}

#[tokio::test]
async fn metadata_without_session_tokens_and_its_failures() {
    let service = ScriptServer::start(ok_service()).await;
    let metadata = MockServer::start_async().await;
    let put = metadata
        .mock_async(|when, then| {
            when.method(Method::PUT).path("/meta-data/latest/api/token");
            then.status(404);
        })
        .await;
    let key = metadata_key(
        &metadata,
        None,
        security_key(TEMP_AK, TEMP_SK, TEMP_ST, in_secs(7200)),
        Duration::ZERO,
    )
    .await;
    let client = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::metadata_at(&metadata.base_url()).unwrap())
        .build()
        .unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(
        put.calls_async().await,
        1,
        "asked once whether there are tokens"
    );
    assert_eq!(key.calls_async().await, 1);
    assert!(signed_by(&service.requests()[1], TEMP_AK));

    // A server without an agency, a service that is down, an answer without keys.
    let no_agency = MockServer::start_async().await;
    metadata_token(&no_agency, "s").await;
    no_agency
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/openstack/latest/securitykey");
            then.status(401)
                .body("Please configure Cloud Service Agency first");
        })
        .await;
    let broken = MockServer::start_async().await;
    metadata_token(&broken, "s").await;
    broken
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/openstack/latest/securitykey");
            then.status(200)
                .body(format!("{{\"credential\": {{\"secret\": \"{TEMP_SK}\"}}}}"));
        })
        .await;
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for (base, kind, want) in [
        (
            no_agency.base_url(),
            ErrorKind::Credentials,
            "no credentials from the ECS metadata service: the server has no agency".to_string(),
        ),
        (
            broken.base_url(),
            ErrorKind::Decode,
            "no credentials from the ECS metadata service: its answer to GET /openstack/latest/securitykey has no access key".to_string(),
        ),
        (
            down.clone(),
            ErrorKind::Connect,
            format!("no credentials from the ECS metadata service: {down} did not answer"),
        ),
    ] {
        let client = Client::builder()
            .endpoint(&service.url)
            .project_id(PROJECT)
            .credentials(Credentials::metadata_at(&base).unwrap())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().starts_with(&want), "{e}");
        assert!(!format!("{e} {e:?}").contains(TEMP_SK), "{e:?}");
    }
    assert_eq!(
        service.requests().len(),
        2,
        "nothing sent without credentials"
    );
}

/// When the chain finds nothing, the error says where it looked.
#[tokio::test]
async fn a_chain_that_finds_nothing_says_where_it_looked() {
    let home = tempfile::tempdir().unwrap();
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let client = from_env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("USERPROFILE", home.path().to_str().unwrap()),
        ("TAURUSDB_METADATA_ENDPOINT", &down),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint("http://127.0.0.1:9")
    .build()
    .unwrap();
    let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    let want = format!(
        "no credentials in the environment (HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or TAURUSDB_AUTH_TOKEN) or the profile {} (not found); no credentials from the ECS metadata service: {down} did not answer",
        home.path()
            .join(".huaweicloud")
            .join("credentials")
            .display()
    );
    assert!(e.to_string().starts_with(&want), "{e}");
    write_sdk_file(
        home.path(),
        "credentials",
        "[basic]\nproject_id = p\n",
        0o600,
    );
    let e = from_env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("USERPROFILE", home.path().to_str().unwrap()),
        ("TAURUSDB_METADATA_ENDPOINT", &down),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint("http://127.0.0.1:9")
    .build()
    .unwrap()
    .replication_config(INSTANCE, TASK)
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("credentials (no `ak` and `sk` in [basic]); "),
        "{e}"
    );
}

/// The project ID of the region, looked up in IAM with the AK/SK when none is configured:
/// one lookup for 64 concurrent calls, then every call uses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_id_is_looked_up_once() {
    let service = ScriptServer::start(ok_service()).await;
    let body = json!({"projects": [{"id": "looked-up-project", "name": "cn-north-4", "domain_id": "d"}], "links": {}});
    let iam = ScriptServer::start(vec![Step::Trickle {
        status: 200,
        chunks: vec![Vec::new(), body.to_string().into_bytes()],
        delay: Duration::from_millis(150),
    }])
    .await;
    let client = from_env(&[
        ("HUAWEICLOUD_SDK_AK", ENV_AK),
        ("HUAWEICLOUD_SDK_SK", ENV_SK),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "env-security-token"),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam.url),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    assert_eq!(client.config().project_id(), None);
    assert_eq!(
        client.config().project_id_source(),
        Some(Source::Iam(iam.url.clone()))
    );
    concurrently(&client, 64).await;
    let lookups = iam.requests();
    assert_eq!(lookups.len(), 1, "one lookup for 64 calls");
    let l = &lookups[0];
    assert_eq!(l.method, "GET");
    assert_eq!(l.target, "/v3/projects?name=cn-north-4");
    sigcheck::verify(&l.method, &l.target, &l.headers, b"", ENV_AK, ENV_SK).unwrap();
    assert_eq!(l.header("x-security-token"), Some("env-security-token"));
    assert_eq!(client.config().project_id(), Some("looked-up-project"));
    assert_eq!(client.project_id().await.unwrap(), "looked-up-project");
    let calls = service.requests();
    assert_eq!(calls.len(), 64);
    for r in &calls {
        assert!(
            r.path().starts_with("/v3/looked-up-project/"),
            "{}",
            r.target
        );
        assert_eq!(r.header("x-project-id"), Some("looked-up-project"));
    }
}

#[tokio::test]
async fn with_a_token_the_lookup_lists_the_token_s_projects() {
    let service = ScriptServer::start(ok_service()).await;
    let iam = ScriptServer::start(vec![Step::json(
        200,
        &json!({"projects": [
            {"id": "p-cn-north-4", "name": "cn-north-4"},
            {"id": "p-sub", "name": "cn-north-4_sub"},
            {"id": "p-ap", "name": "ap-southeast-1"},
        ]}),
    )])
    .await;
    let client = from_env(&[
        ("TAURUSDB_AUTH_TOKEN", TOKEN),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam.url),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    let l = &iam.requests()[0];
    assert_eq!(l.target, "/v3/auth/projects");
    assert_eq!(l.header("x-auth-token"), Some(TOKEN));
    assert!(l.header("authorization").is_none());
    assert!(
        service.requests()[0]
            .path()
            .starts_with("/v3/p-cn-north-4/")
    );
}

#[tokio::test]
async fn no_project_several_projects_or_iam_down_are_errors_naming_the_region() {
    let service = ScriptServer::start(ok_service()).await;
    let none = ScriptServer::start(vec![Step::Respond {
        status: 200,
        headers: vec![("x-iam-trace-id".into(), "trace-none".into())],
        body: br#"{"projects": []}"#.to_vec(),
    }])
    .await;
    let several = ScriptServer::start(vec![Step::json(
        200,
        &json!({"projects": [{"id": "p-1", "name": "cn-north-4"}, {"id": "p-2", "name": "cn-north-4"}]}),
    )])
    .await;
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let denied = ScriptServer::start(vec![Step::json(
        403,
        &json!({"error": {"code": 403, "message": "You are not authorized to perform the requested action.", "title": "Forbidden"}}),
    )])
    .await;
    let cases = [
        (
            none.url.clone(),
            ErrorKind::Config,
            format!(
                "looking up the project ID of region `cn-north-4`: IAM at {} knows no project named `cn-north-4` for these credentials; set the project ID (HUAWEICLOUD_SDK_PROJECT_ID, `project_id` in the profile, or ClientBuilder::project_id) (request ID trace-none)",
                none.url
            ),
        ),
        (
            several.url.clone(),
            ErrorKind::Config,
            format!(
                "looking up the project ID of region `cn-north-4`: IAM at {} has 2 projects named `cn-north-4` (p-1, p-2); set the project ID",
                several.url
            ),
        ),
        (
            refused.clone(),
            ErrorKind::Connect,
            format!(
                "looking up the project ID of region `cn-north-4`: IAM at {refused} did not answer"
            ),
        ),
        (
            denied.url.clone(),
            ErrorKind::Credentials,
            format!(
                "looking up the project ID of region `cn-north-4`: IAM at {} answered 403 Forbidden: You are not authorized to perform the requested action.",
                denied.url
            ),
        ),
    ];
    for (iam, kind, want) in cases {
        let client = from_env(&[
            ("HUAWEICLOUD_SDK_AK", ENV_AK),
            ("HUAWEICLOUD_SDK_SK", ENV_SK),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam),
        ])
        .endpoint(&service.url)
        .build()
        .unwrap();
        let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().starts_with(&want), "{e}");
        assert!(!format!("{e} {e:?}").contains(ENV_SK));
    }
    assert!(
        service.requests().is_empty(),
        "no call without a project ID"
    );
}

/// A failed lookup is not kept: the next call looks up again.
#[tokio::test]
async fn a_failed_lookup_is_tried_again() {
    let service = ScriptServer::start(ok_service()).await;
    let iam = ScriptServer::start(vec![
        Step::with_headers(503, &[], "busy"),
        Step::json(
            200,
            &json!({"projects": [{"id": "p-late", "name": "cn-north-4"}]}),
        ),
    ])
    .await;
    let client = from_env(&[
        ("TAURUSDB_AUTH_TOKEN", TOKEN),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam.url),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(
        e.to_string().ends_with("answered 503 Service Unavailable"),
        "{e}"
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(iam.requests().len(), 2);
    assert_eq!(service.requests().len(), 2);
}

/// The profile's `iam_endpoint` is where the lookup goes when the profile gives the keys and
/// no project ID.
#[tokio::test]
async fn the_profile_s_iam_endpoint_serves_the_lookup() {
    let service = ScriptServer::start(ok_service()).await;
    let iam = ScriptServer::start(vec![Step::json(
        200,
        &json!({"projects": [{"id": "p-from-profile-iam", "name": "cn-north-9"}]}),
    )])
    .await;
    let home = tempfile::tempdir().unwrap();
    write_sdk_file(
        home.path(),
        "credentials",
        &format!(
            "[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\niam_endpoint = {}\n",
            iam.url
        ),
        0o600,
    );
    let client = from_env(&[
        ("HOME", home.path().to_str().unwrap()),
        ("USERPROFILE", home.path().to_str().unwrap()),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-9"),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    let l = &iam.requests()[0];
    sigcheck::verify(
        &l.method, &l.target, &l.headers, b"", PROFILE_AK, PROFILE_SK,
    )
    .unwrap();
    assert!(
        service.requests()[0]
            .path()
            .starts_with("/v3/p-from-profile-iam/")
    );
}

#[tokio::test]
async fn endpoints_from_the_regions_file_after_the_environment_before_the_spec() {
    let service = ScriptServer::start(ok_service()).await;
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let home = tempfile::tempdir().unwrap();
    write_sdk_file(
        home.path(),
        "regions.yaml",
        &format!(
            "ECS:\n  - id: cn-north-4\n    endpoint: https://ecs.example\nGAUSSDB:\n  - id: cn-north-4\n    endpoints:\n      - {refused}\n      - '{}'\n",
            service.url
        ),
        0o644,
    );
    let home_str = home.path().to_str().unwrap();
    let vars = [
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("TAURUSDB_AUTH_TOKEN", TOKEN),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
    ];
    let client = from_env(&vars).build().unwrap();
    assert_eq!(
        client.config().endpoints(),
        [refused.as_str(), service.url.as_str()]
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(
        service.requests().len(),
        1,
        "failed over to the file's second endpoint"
    );

    // The environment wins over the file; regions the file does not list come from the spec.
    let mut with_env = vars.to_vec();
    with_env.push((
        "HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4",
        "https://from-env.example",
    ));
    let client = from_env(&with_env).build().unwrap();
    assert_eq!(client.config().endpoint(), "https://from-env.example");
    let client = from_env(&vars).region("cn-east-3").build().unwrap();
    assert_eq!(
        client.config().endpoint(),
        "https://gaussdb.cn-east-3.myhuaweicloud.com"
    );

    // HUAWEICLOUD_SDK_REGIONS_FILE names another; a malformed file is an error with its line.
    let bad = home.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "gaussdb:\n  - id: cn-north-4\n    endpoint: ftp://x\n",
    )
    .unwrap();
    let mut named = vars.to_vec();
    named.push(("HUAWEICLOUD_SDK_REGIONS_FILE", bad.to_str().unwrap()));
    let e = from_env(&named).build().unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{}, line 3, key `endpoint`: the endpoint `ftp://x` must start with https://",
            bad.display()
        )),
        "{e}"
    );
    std::fs::write(
        &bad,
        "gaussdb:\n  - id: cn-north-4\n     endpoint: https://x\n",
    )
    .unwrap();
    let e = from_env(&named).build().unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{}, line 3: unexpected indentation",
            bad.display()
        )),
        "{e}"
    );
}

/// IAM tokens by password: one `POST /v3/auth/tokens` (the password method, domain and
/// user names, the region's project) for 64 concurrent calls, renewed before `expires_at`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_by_password_are_obtained_once_and_renewed() {
    let service = ScriptServer::start(ok_service()).await;
    let iam = MockServer::start_async().await;
    let request_body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "password": PASSWORD, "domain": {"name": "acme"}
        }}},
        "scope": {"project": {"name": "cn-north-4"}}
    }});
    let issue = |token: &'static str, expires_at| {
        let body = request_body.clone();
        let iam = &iam;
        async move {
            iam.mock_async(|when, then| {
                when.method(Method::POST)
                    .path("/v3/auth/tokens")
                    .json_body(body);
                then.status(201)
                    .header("x-subject-token", token)
                    .json_body(json!({"token": {"expires_at": timestamp(expires_at), "methods": ["password"]}}))
                    .delay(Duration::from_millis(100));
            })
            .await
        }
    };
    let first = issue("user-token-1", in_secs(40 * 60 + 3)).await;
    let provider = PasswordTokenProvider::new("acme", "alice", PASSWORD, "cn-north-4")
        .iam_endpoint(&iam.base_url())
        .unwrap();
    assert_eq!(provider.endpoint(), iam.base_url());
    let client = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::token_provider(provider))
        .build()
        .unwrap();
    concurrently(&client, 64).await;
    assert_eq!(first.calls_async().await, 1, "one token for 64 calls");
    assert!(
        service
            .requests()
            .iter()
            .all(|r| r.header("x-auth-token") == Some("user-token-1"))
    );
    tokio::time::sleep(Duration::from_millis(3200)).await;
    first.delete_async().await;
    let second = issue("user-token-2", in_secs(24 * 3600)).await;
    concurrently(&client, 64).await;
    assert_eq!(second.calls_async().await, 1, "renewed once for 64 calls");
    assert!(
        service.requests()[64..]
            .iter()
            .all(|r| r.header("x-auth-token") == Some("user-token-2"))
    );

    // A refused password: IAM's message, never the password.
    let wrong = MockServer::start_async().await;
    wrong
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v3/auth/tokens");
            then.status(401).json_body(json!({"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}));
        })
        .await;
    let provider = PasswordTokenProvider::new("acme", "alice", PASSWORD, "cn-north-4")
        .iam_endpoint(&wrong.base_url())
        .unwrap();
    let client = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::token_provider(provider))
        .build()
        .unwrap();
    let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(
        e.to_string()
            .contains("obtaining a token for user `alice` of account `acme`: IAM at ")
            && e.to_string()
                .contains("answered 401 Unauthorized: The username or password is wrong."),
        "{e}"
    );
    assert!(!format!("{e} {e:?} {client:?}").contains(PASSWORD));
}

/// Every new source's secrets stay out of `Debug` of the builder, client and configuration,
/// and out of the errors each source can produce.
#[tokio::test]
async fn secrets_of_every_source_never_appear_in_debug_or_display() {
    let service = ScriptServer::start(ok_service()).await;
    let metadata = MockServer::start_async().await;
    metadata_token(&metadata, "secret-session-token-1").await;
    metadata_key(
        &metadata,
        Some("secret-session-token-1"),
        security_key(TEMP_AK, TEMP_SK, TEMP_ST, in_secs(7200)),
        Duration::ZERO,
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    write_sdk_file(
        home.path(),
        "credentials",
        &format!(
            "[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\nsecurity_token = profile-st-secret\n"
        ),
        0o600,
    );
    let home_str = home.path().to_str().unwrap();
    let mut shown = Vec::new();

    let profile = from_env(&[
        ("HOME", home_str),
        ("USERPROFILE", home_str),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url);
    shown.push(format!("{profile:?}"));
    let profile = profile.build().unwrap();
    profile.replication_config(INSTANCE, TASK).await.unwrap();
    shown.push(format!("{profile:?} {:#?}", profile.config()));

    let meta = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::metadata_at(&metadata.base_url()).unwrap())
        .build()
        .unwrap();
    meta.replication_config(INSTANCE, TASK).await.unwrap();
    shown.push(format!("{meta:?} {:#?}", meta.config()));

    let password = PasswordTokenProvider::new("acme", "alice", PASSWORD, "cn-north-4");
    shown.push(format!("{password:?}"));
    let with_password = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::token_provider(password));
    shown.push(format!("{with_password:?}"));

    // Errors: a malformed profile line holding a secret, the metadata service's answer
    // without an access key, a profile whose keys cannot be headers.
    let bad = home.path().join("bad");
    std::fs::write(
        &bad,
        format!("[basic]\nak = {PROFILE_AK}\nsk {PROFILE_SK}\n"),
    )
    .unwrap();
    let e = from_env(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", bad.to_str().unwrap())])
        .endpoint(&service.url)
        .build()
        .unwrap_err();
    shown.push(format!("{e} {e:?}"));
    std::fs::write(&bad, format!("[basic]\nak = {PROFILE_AK}\nsk = {PROFILE_SK}\nsecurity_token = a%%b\u{7}profile-st-secret\n")).unwrap();
    let e = from_env(&[
        ("HUAWEICLOUD_SDK_CREDENTIALS_FILE", bad.to_str().unwrap()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
    ])
    .endpoint(&service.url)
    .build()
    .unwrap_err();
    assert!(
        e.to_string().contains("line 4, key `security_token`"),
        "{e}"
    );
    shown.push(format!("{e} {e:?}"));
    let leaky = MockServer::start_async().await;
    metadata_token(&leaky, "secret-session-token-1").await;
    leaky
        .mock_async(|when, then| {
            when.method(Method::GET).path("/openstack/latest/securitykey");
            then.status(200)
                .body(format!("{{\"credential\": {{\"secret\": \"{TEMP_SK}\", \"securitytoken\": \"{TEMP_ST}\"}}}}"));
        })
        .await;
    let e = Client::builder()
        .endpoint(&service.url)
        .project_id(PROJECT)
        .credentials(Credentials::metadata_at(&leaky.base_url()).unwrap())
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    shown.push(format!("{e} {e:?}"));

    for text in &shown {
        for secret in [
            PROFILE_SK,
            "profile-st-secret",
            TEMP_SK,
            TEMP_ST,
            "secret-session-token-1",
            PASSWORD,
        ] {
            assert!(!text.contains(secret), "`{secret}` shown in: {text}");
        }
    }
}
