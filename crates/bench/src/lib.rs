//! What the benchmarks share: input generators, a baseline response type, an allocation
//! counter, a keep-alive HTTP server on 127.0.0.1, and small statistics.
//!
//! Every benchmark compares the client with a baseline measured in the same run and reports
//! the ratio, since absolute figures on shared machines are noise.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Deserialize;

pub mod cost;
pub mod request;

/// A 200 body with `tables` table checks and `checks` database checks (about 90 bytes per
/// table check: 100 000 make about 10 MB).
pub fn large_body(tables: usize, checks: usize) -> String {
    let mut s = String::with_capacity(tables * 100 + checks * 100 + 1024);
    s.push_str(r#"{"source_instance_id":"6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17","source_node_id":"node_01","target_database_name":"target_db","database_info":{"database_name":"source_db","db_config_check_results":["#);
    for i in 0..checks {
        if i > 0 {
            s.push(',');
        }
        let result = if i % 7 == 0 { "fail" } else { "success" };
        let _ = write!(
            s,
            r#"{{"param_name":"parameter_{i:05}","value":"value_{i}","check_result":"{result}"}}"#
        );
    }
    s.push_str(r#"]},"table_infos":["#);
    for i in 0..tables {
        if i > 0 {
            s.push(',');
        }
        let result = if i % 11 == 0 { "fail" } else { "success" };
        let _ = write!(
            s,
            r#"{{"table_name":"source_db.table_{i:06}","table_config":"replicate_all_{i}","check_result":"{result}"}}"#
        );
    }
    s.push_str(r#"],"table_repl_config":{"repl_type":"exclude_tables","repl_scope":"part","tables":["t1","t2"]},"new_table_repl_config":{},"is_tables_change":false,"last_error_of_alter_table":""}"#);
    s
}

/// The baseline: a minimal hand-written serde struct of the same fields.
#[derive(Deserialize, Debug)]
pub struct Baseline {
    pub source_instance_id: Option<String>,
    pub source_node_id: Option<String>,
    pub database_info: Option<BaselineDb>,
    pub table_infos: Option<Vec<BaselineTable>>,
    pub table_repl_config: Option<BaselineRepl>,
    pub new_table_repl_config: Option<BaselineRepl>,
    pub target_database_name: Option<String>,
    pub is_tables_change: Option<bool>,
    pub last_error_of_alter_table: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct BaselineDb {
    pub database_name: Option<String>,
    pub db_config_check_results: Option<Vec<BaselineCheck>>,
}

#[derive(Deserialize, Debug)]
pub struct BaselineCheck {
    pub param_name: Option<String>,
    pub value: Option<String>,
    pub check_result: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct BaselineTable {
    pub table_name: Option<String>,
    pub table_config: Option<String>,
    pub check_result: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct BaselineRepl {
    pub repl_type: Option<String>,
    pub repl_scope: Option<String>,
    pub tables: Option<Vec<String>>,
}

/// A global allocator that counts live bytes and their peak.
pub struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                grow(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// A global allocator that forwards to the system allocator (glibc) and, only while
/// [`count_allocations`] runs, counts allocations: outside it, one relaxed load per call, so
/// that it does not disturb the concurrent runs it is installed for. It also counts those
/// over [`LARGE_ALLOCATION`] bytes.
pub struct CallCounter;

static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LARGE: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for CallCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            if layout.size() > LARGE_ALLOCATION {
                LARGE.fetch_add(1, Ordering::Relaxed);
            }
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            if new_size > LARGE_ALLOCATION {
                LARGE.fetch_add(1, Ordering::Relaxed);
            }
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

impl CallCounter {
    /// Says that this allocator is the global one (so that counts are meaningful).
    pub fn installed() {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

/// The largest allocation glibc serves from its per-thread cache (tcache: chunks up to 1 032
/// bytes, 1 024 bytes of them usable) without taking an arena's lock. Larger ones, and
/// freeing them from another thread, lock the arena: under concurrency that is where
/// threads wait (BENCHMARKS.md, per-request overhead).
pub const LARGE_ALLOCATION: usize = 1024;

/// What [`count_allocations`] counted.
#[derive(Clone, Copy, Debug)]
pub struct Allocations {
    /// Allocations and reallocations.
    pub all: usize,
    /// Those of more than [`LARGE_ALLOCATION`] bytes.
    pub large: usize,
}

/// The allocations (and reallocations) made, by every thread, while `f` runs; `None` unless
/// [`CallCounter`] is the global allocator.
pub async fn count_allocations<F: std::future::Future>(f: F) -> Option<Allocations> {
    if !INSTALLED.load(Ordering::Relaxed) {
        f.await;
        return None;
    }
    ALLOCATIONS.store(0, Ordering::Relaxed);
    LARGE.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    f.await;
    COUNTING.store(false, Ordering::Relaxed);
    Some(Allocations {
        all: ALLOCATIONS.load(Ordering::Relaxed),
        large: LARGE.load(Ordering::Relaxed),
    })
}

/// The peak of live heap bytes while `f` runs, above what was live before it.
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

/// The median of some durations.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A target: `ok` when `ratio` is on the right side of `limit`.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "meets target" } else { "MISSES target" }
}

/// The page's example of the first operation's success response (its `x-page-example`), as
/// JSON text, read from the spec the client embeds: what the request benchmarks' server
/// answers. (Not from `taurusdb-httpmock`'s constants: that crate would bring httpmock, whose
/// features, tracing's `log` among them, would then be on for the client measured too.)
pub fn page_example_body() -> &'static str {
    let op = &taurusdb::spec::operations()[0];
    let status = op
        .success_status
        .expect("the operation documents a success response");
    let pointer = format!("{}/responses/{status}/x-page-example/value", op.pointer);
    let value = taurusdb::spec::document()
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("the spec has no page example at {pointer}"));
    Box::leak(value.to_string().into_boxed_str())
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with `body`.
pub async fn serve_forever(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let response: &'static [u8] = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: bench\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
        .into_boxed_slice(),
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut filled = 0;
                loop {
                    match stream.read(&mut buf[filled..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => filled += n,
                    }
                    // Answer each complete request head (GETs have no body).
                    while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                        if stream.write_all(response).await.is_err() {
                            return;
                        }
                        buf.copy_within(end + 4..filled, 0);
                        filled -= end + 4;
                    }
                    if filled == buf.len() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// A synthetic spec with `n` operations, each with path, query and header parameters and its
/// own response schema with a nested object, an array and an open enum.
pub fn synthetic_spec(n: usize) -> String {
    let mut s = String::from(
        "openapi: 3.0.3\ninfo:\n  title: Synthetic\n  version: 1.0.0\n  description: Generated for the generation benchmark.\n  contact:\n    name: Bench\n    url: https://example.com\n  license:\n    name: Apache-2.0\n    url: https://www.apache.org/licenses/LICENSE-2.0\nservers:\n  - url: https://api.example.com\ntags:\n  - name: things\n    description: Things.\npaths:\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "  /v1/{{project_id}}/things{i}/{{id}}:\n    get:\n      operationId: GetThing{i}\n      tags: [things]\n      summary: Get thing {i}\n      description: Gets thing {i}.\n      parameters:\n        - name: project_id\n          in: path\n          required: true\n          description: Project.\n          schema:\n            type: string\n        - name: id\n          in: path\n          required: true\n          description: ID.\n          schema:\n            type: string\n        - name: name\n          in: query\n          required: true\n          description: Name.\n          schema:\n            type: string\n            minLength: 3\n            maxLength: 64\n        - name: X-Language\n          in: header\n          required: false\n          description: Language.\n          schema:\n            type: string\n      responses:\n        '200':\n          description: OK.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Thing{i}'\n        '400':\n          description: Error.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Error'\n"
        );
    }
    s.push_str("components:\n  schemas:\n    Error:\n      type: object\n      description: An error.\n      properties:\n        error_code:\n          type: string\n          description: Code.\n        error_msg:\n          type: string\n          description: Message.\n    State:\n      type: string\n      description: A state.\n      x-open-enum: true\n      enum: [on, off]\n");
    for i in 0..n {
        let _ = write!(
            s,
            "    Thing{i}:\n      type: object\n      description: Thing {i}.\n      properties:\n        name:\n          type: string\n          description: Name.\n          maxLength: 64\n        count:\n          type: integer\n          description: Count.\n        state:\n          description: State.\n          allOf:\n            - $ref: '#/components/schemas/State'\n        parts:\n          type: array\n          description: Parts.\n          items:\n            type: object\n            description: A part.\n            properties:\n              label:\n                type: string\n                description: Label.\n"
        );
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_large_body_decodes_into_both_types() {
        let body = super::large_body(100, 10);
        let c: taurusdb::types::StarRocksReplicationConfig = serde_json::from_str(&body).unwrap();
        let b: super::Baseline = serde_json::from_str(&body).unwrap();
        assert_eq!(c.table_infos.as_ref().map_or(0, Vec::len), 100);
        assert_eq!(b.table_infos.unwrap().len(), 100);
        let db = c.database_info.as_ref().unwrap();
        assert_eq!(db.db_config_check_results.as_ref().map_or(0, Vec::len), 10);
    }

    /// The request benchmarks' body is the page's example, which the client decodes.
    #[test]
    fn the_page_example_body_is_the_page_s_example() {
        let body = super::page_example_body();
        let c: taurusdb::types::StarRocksReplicationConfig = serde_json::from_str(body).unwrap();
        assert_eq!(c.source_instance_id.as_deref(), Some("source_instance_id"));
        let db = c.database_info.as_ref().unwrap();
        assert_eq!(db.db_config_check_results.as_ref().map_or(0, Vec::len), 2);
    }

    #[test]
    fn the_large_body_has_the_intended_size() {
        let mb = super::large_body(100_000, 1_000).len() as f64 / 1e6;
        assert!((8.0..12.0).contains(&mb), "{mb} MB");
    }
}

#[cfg(test)]
mod synthetic_tests {
    #[test]
    fn synthetic_specs_lint_clean_and_generate() {
        let text = super::synthetic_spec(3);
        let spec = xtask::model::spec::Spec::parse("synthetic.yaml", text.as_bytes()).unwrap();
        let findings = xtask::review::lint::lint(&spec);
        assert!(findings.is_empty(), "{findings:#?}");
        let out = xtask::codegen::generate(&spec, "synthetic.yaml").unwrap();
        assert!(out[0].contents.contains("pub struct Thing2"));
    }
}
