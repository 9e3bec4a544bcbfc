//! A scripted HTTP/1.1 server on 127.0.0.1: each connection gets the next [`Step`] (the last
//! one repeats), and every request is recorded. For what a mock library cannot do: answer
//! differently on each attempt, close or reset the connection, never answer, trickle a body.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one connection.
#[derive(Clone, Debug)]
pub enum Step {
    /// Answers with a status, headers and body (`Content-Length` and `Connection: close` are
    /// added).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Reads the request and closes the connection without answering.
    Close,
    /// Reads the request and never answers (holds the connection open).
    Hang,
    /// Sends the head and `body`, but declares `declared` bytes, then resets the connection.
    ResetMidBody {
        status: u16,
        declared: usize,
        body: Vec<u8>,
    },
    /// Sends the head, then the body in `chunks` with `delay` between them.
    Trickle {
        status: u16,
        chunks: Vec<Vec<u8>>,
        delay: Duration,
    },
    /// Sends raw bytes as the whole response, then closes.
    Raw(Vec<u8>),
    /// Streams a body of `total` bytes of JSON-ish filler, without a `Content-Length` when
    /// `chunked`, counting what the peer accepts (see [`ScriptServer::bytes_written`]).
    Stream {
        status: u16,
        total: usize,
        chunked: bool,
    },
}

impl Step {
    /// `status` with a JSON body and an `X-Request-Id`.
    pub fn json(status: u16, body: &serde_json::Value) -> Step {
        Step::Respond {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-request-id".into(), format!("req-{status}")),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    /// `status` with extra headers and a text body.
    pub fn with_headers(status: u16, headers: &[(&str, &str)], body: &str) -> Step {
        Step::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub target: String,
    /// Header names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub at: Instant,
}

impl Recorded {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query part of the target.
    pub fn query(&self) -> &str {
        self.target
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
    }
}

/// The server; it stops when dropped.
pub struct ScriptServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    written: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptServer {
    /// Starts serving `steps` on a free port of 127.0.0.1.
    pub async fn start(steps: Vec<Step>) -> ScriptServer {
        assert!(!steps.is_empty(), "a script needs at least one step");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (recorded, counter) = (requests.clone(), written.clone());
        let task = tokio::spawn(async move {
            let mut n = 0;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let step = steps[n.min(steps.len() - 1)].clone();
                n += 1;
                tokio::spawn(serve(stream, step, recorded.clone(), counter.clone()));
            }
        });
        ScriptServer {
            url,
            requests,
            written,
            task,
        }
    }

    /// Body bytes of [`Step::Stream`] responses the peer accepted so far.
    pub fn bytes_written(&self) -> usize {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    step: Step,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    written: Arc<std::sync::atomic::AtomicUsize>,
) {
    let Some(request) = read_head(&mut stream).await else {
        return;
    };
    recorded.lock().unwrap().push(request);
    let head = |status: u16, headers: &[(String, String)], len: usize| {
        let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (k, v) in headers {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str(&format!(
            "content-length: {len}\r\nconnection: close\r\n\r\n"
        ));
        h.into_bytes()
    };
    match step {
        Step::Respond {
            status,
            headers,
            body,
        } => {
            let _ = stream.write_all(&head(status, &headers, body.len())).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
        Step::Close => {}
        Step::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Step::ResetMidBody {
            status,
            declared,
            body,
        } => {
            let _ = stream.write_all(&head(status, &[], declared)).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // Dropping a socket with a zero linger time sends RST instead of FIN.
            if let Ok(std) = stream.into_std() {
                let _ = socket2::SockRef::from(&std).set_linger(Some(Duration::ZERO));
            }
        }
        Step::Trickle {
            status,
            chunks,
            delay,
        } => {
            let len = chunks.iter().map(Vec::len).sum();
            let _ = stream.write_all(&head(status, &[], len)).await;
            for chunk in chunks {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
                let _ = stream.flush().await;
                tokio::time::sleep(delay).await;
            }
        }
        Step::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Step::Stream {
            status,
            total,
            chunked,
        } => {
            let mut h = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\n",
                reason(status)
            );
            if chunked {
                h.push_str("transfer-encoding: chunked\r\n");
            } else {
                h.push_str(&format!("content-length: {total}\r\n"));
            }
            h.push_str("connection: close\r\n\r\n");
            if stream.write_all(h.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let n = chunk.len().min(total - sent);
                let ok = if chunked {
                    let mut framed = format!("{n:x}\r\n").into_bytes();
                    framed.extend_from_slice(&chunk[..n]);
                    framed.extend_from_slice(b"\r\n");
                    stream.write_all(&framed).await.is_ok()
                } else {
                    stream.write_all(&chunk[..n]).await.is_ok()
                };
                if !ok {
                    return;
                }
                sent += n;
                written.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
            }
            if chunked {
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
        }
    }
}

async fn read_head(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Recorded {
        method,
        target,
        headers,
        at: Instant::now(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
