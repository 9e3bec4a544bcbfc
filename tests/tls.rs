//! TLS and endpoints: a CA bundle (builder and `TAURUSDB_CA_BUNDLE`) against a TLS server
//! on 127.0.0.1 whose certificate a test CA made here signs, `danger_accept_invalid_certs`,
//! and failover across several endpoints: on connection errors (refused, TLS handshake)
//! only, never once a request may have reached a server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use serde_json::json;
use taurusdb::{Client, ClientBuilder, Credentials, ErrorKind, RetryPolicy};
use taurusdb_tests::script::{ScriptServer, Step};
use taurusdb_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A test CA and a certificate it signed for 127.0.0.1 and localhost.
struct Pki {
    ca_pem: String,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "taurusdb test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server.der().clone()],
        server_key: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    }
}

/// An HTTPS server on 127.0.0.1 answering every request with `{}`; counts the requests
/// whose head it read (so after a completed handshake).
struct TlsServer {
    url: String,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tls_server(pki: &Pki) -> TlsServer {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, counter) = (acceptor.clone(), counter.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    TlsServer {
        url,
        requests,
        task,
    }
}

fn write_ca(dir: &Path, pki: &Pki) -> PathBuf {
    let path = dir.join("ca.pem");
    std::fs::write(&path, &pki.ca_pem).unwrap();
    path
}

/// A builder that reads nothing from the process's environment (a test must not depend on
/// the machine's `TAURUSDB_CA_BUNDLE` or regions file).
fn hermetic(vars: &[(&str, &str)]) -> ClientBuilder {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ClientBuilder::from_env_with(move |name| map.get(name).cloned())
        .unwrap()
        .project_id(PROJECT)
        .credentials(Credentials::token(TOKEN))
        .retry(RetryPolicy::none())
}

fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test]
async fn a_ca_bundle_makes_a_private_ca_trusted() {
    let pki = pki();
    let server = tls_server(&pki).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path(), &pki);

    // Without the bundle, the handshake fails: the test CA is not the system's.
    let e = hermetic(&[])
        .endpoint(&server.url)
        .build()
        .unwrap()
        .replication_config(INSTANCE, TASK)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);

    // From the builder, and from TAURUSDB_CA_BUNDLE.
    let ca_str = ca.to_str().unwrap();
    for builder in [
        hermetic(&[]).ca_bundle(&ca),
        hermetic(&[("TAURUSDB_CA_BUNDLE", ca_str)]),
    ] {
        let client = builder.endpoint(&server.url).build().unwrap();
        assert!(!client.config().accepts_invalid_certs());
        client.replication_config(INSTANCE, TASK).await.unwrap();
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);

    // A file that is not PEM, or holds no certificate, is refused when the client is built.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    let e = hermetic(&[])
        .ca_bundle(&empty)
        .endpoint(&server.url)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("holds no certificate"), "{e}");
    let e = hermetic(&[("TAURUSDB_CA_BUNDLE", "/nonexistent/ca.pem")])
        .endpoint(&server.url)
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read the CA bundle (TAURUSDB_CA_BUNDLE) /nonexistent/ca.pem"),
        "{e}"
    );
}

#[tokio::test]
async fn accepting_invalid_certificates_is_explicit_and_reported() {
    let pki = pki();
    let server = tls_server(&pki).await;
    let client = hermetic(&[])
        .endpoint(&server.url)
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert!(client.config().accepts_invalid_certs());
    assert!(
        client
            .config()
            .warnings()
            .iter()
            .any(|w| w.contains("TLS certificates are not verified")),
        "{:?}",
        client.config().warnings()
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_endpoint_fails_over_to_the_next_and_later_calls_start_there() {
    let server = ScriptServer::start(vec![Step::json(200, &json!({}))]).await;
    let dead = refused_url();
    let client = hermetic(&[])
        .endpoints([dead.as_str(), server.url.as_str()])
        .build()
        .unwrap();
    assert_eq!(
        client.config().endpoints(),
        [dead.as_str(), server.url.as_str()]
    );
    client.replication_config(INSTANCE, TASK).await.unwrap();
    // The first endpoint comes back; the next call starts at the one that answered.
    let revived = tokio::net::TcpListener::bind(dead.trim_start_matches("http://"))
        .await
        .unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let watcher = tokio::spawn(async move {
        while revived.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    client.replication_config(INSTANCE, TASK).await.unwrap();
    watcher.abort();
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "not tried again first");
    let r = server.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].path(),
        path(INSTANCE),
        "the path is the same on the next endpoint"
    );
    assert_eq!(r[0].header("x-auth-token"), Some(TOKEN));

    // Both refused: the error is a connection error; with retries, the attempts go round.
    let both = hermetic(&[])
        .endpoints([refused_url(), refused_url()])
        .build()
        .unwrap();
    let e = both.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
}

/// The region's endpoints from `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>`, comma-separated, are
/// failed over the same way.
#[tokio::test]
async fn endpoints_from_the_environment_fail_over_too() {
    let server = ScriptServer::start(vec![Step::json(200, &json!({}))]).await;
    let urls = format!("{},{}", refused_url(), server.url);
    let client = hermetic(&[
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_REGION_GAUSSDB_CN_NORTH_4", &urls),
    ])
    .build()
    .unwrap();
    assert_eq!(client.config().endpoints().len(), 2);
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(server.requests().len(), 1);
}

/// A TLS handshake that fails (a certificate the client does not trust) is a connection
/// error: the request was not written, so the next endpoint is tried.
#[tokio::test]
async fn a_failed_tls_handshake_fails_over() {
    let untrusted = pki();
    let trusted = pki();
    let bad = tls_server(&untrusted).await;
    let good = tls_server(&trusted).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path(), &trusted);
    let client = hermetic(&[])
        .ca_bundle(&ca)
        .endpoints([bad.url.as_str(), good.url.as_str()])
        .build()
        .unwrap();
    client.replication_config(INSTANCE, TASK).await.unwrap();
    assert_eq!(bad.requests.load(Ordering::SeqCst), 0);
    assert_eq!(good.requests.load(Ordering::SeqCst), 1);
}

/// A request that reached a server (the connection was made, the server read it and closed
/// without answering) is never sent to the next endpoint: that is not a connection error.
/// With retries off the call fails; the second endpoint sees nothing.
#[tokio::test]
async fn no_failover_once_a_request_may_have_reached_a_server() {
    let first = ScriptServer::start(vec![Step::Close]).await;
    let second = ScriptServer::start(vec![Step::json(200, &json!({}))]).await;
    let client: Client = hermetic(&[])
        .endpoints([first.url.as_str(), second.url.as_str()])
        .build()
        .unwrap();
    let e = client.replication_config(INSTANCE, TASK).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(first.requests().len(), 1);
    assert_eq!(second.requests().len(), 0, "not sent again elsewhere");
}
