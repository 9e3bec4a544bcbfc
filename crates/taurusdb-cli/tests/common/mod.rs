//! The harness of the CLI's integration tests: the `taurusdb` binary run as a user would, in
//! an empty environment (no `HUAWEICLOUD_SDK_*`, `TAURUSDB_*`, proxy or colour variables
//! from the developer's shell), a temporary `HOME` and `XDG_CONFIG_HOME`, and `NO_COLOR=1`
//! unless a test says otherwise; ports and temporary paths redacted from what it prints.
//! Each test binary (`cli.rs`, `lifecycle.rs`) uses a part of it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use httpmock::MockServer;
use tempfile::TempDir;

pub const INSTANCE: &str = "6e2b8a2b4f1d4c2e9a7c5b1d3e4f6a7bin17";
pub const TASK: &str = "sync_task_01";
pub const PROJECT: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";
pub const TOKEN: &str = "tok-SECRET-3f9a1c";
pub const SECRET_KEY: &str = "sk-SECRET-77d2e0";
pub const SECURITY_TOKEN: &str = "st-SECRET-a8c4b1";

/// One run of the binary: what it printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything, for a snapshot.
    pub fn render(&self) -> String {
        format!(
            "exit status: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON on stdout ({e}):\n{}", self.render()))
    }

    /// Stderr says each of `texts`.
    pub fn assert_stderr_says(&self, texts: &[&str]) {
        for text in texts {
            assert!(
                self.stderr.contains(text),
                "{text:?} is not on stderr:\n{}",
                self.render()
            );
        }
    }

    pub fn assert_no_secrets(&self) {
        for secret in [TOKEN, SECRET_KEY, SECURITY_TOKEN] {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "a secret leaked:\n{}",
                self.render()
            );
        }
    }
}

/// A command line to run, in a sandboxed home directory.
pub struct Cli {
    pub home: TempDir,
    pub args: Vec<String>,
    env: Vec<(String, String)>,
    redact: Vec<(String, String)>,
}

impl Cli {
    pub fn new(args: &[&str]) -> Cli {
        let home = tempfile::tempdir().expect("a temporary home");
        let home_path = home.path().display().to_string();
        Cli {
            home,
            args: args.iter().map(|a| a.to_string()).collect(),
            env: vec![("NO_COLOR".into(), "1".into())],
            redact: vec![(home_path, "[HOME]".into())],
        }
    }

    /// The query of the example task, with a project ID flag.
    pub fn query(args: &[&str]) -> Cli {
        let mut all = vec![
            "starrocks",
            "replication-config",
            "--instance-id",
            INSTANCE,
            "--task-name",
            TASK,
        ];
        all.extend_from_slice(args);
        Cli::new(&all)
    }

    pub fn arg(mut self, arg: &str) -> Cli {
        self.args.push(arg.to_string());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Cli {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Cli {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn without_env(mut self, name: &str) -> Cli {
        self.env.retain(|(n, _)| n != name);
        self
    }

    /// Sends requests to `url` (`http://127.0.0.1:PORT`), whose port is redacted.
    pub fn endpoint(mut self, url: &str) -> Cli {
        if let Some(port) = url.rsplit(':').next() {
            self.redact
                .push((format!("127.0.0.1:{port}"), "127.0.0.1:[PORT]".into()));
        }
        self.arg("--endpoint").arg(url)
    }

    /// The usual settings: an endpoint, a project ID and a token in the environment.
    pub fn against(self, url: &str) -> Cli {
        self.endpoint(url)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("TAURUSDB_AUTH_TOKEN", TOKEN)
    }

    /// `$XDG_CONFIG_HOME/taurusdb/config.toml`, the default config file.
    pub fn default_config_path(&self) -> PathBuf {
        self.home
            .path()
            .join("xdg")
            .join("taurusdb")
            .join("config.toml")
    }

    /// Writes a config file at `path`.
    pub fn write_config(self, path: &Path, text: &str) -> Cli {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("config directory");
        }
        std::fs::write(path, text).expect("config file");
        self
    }

    pub fn run(&self) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_taurusdb"))
            .args(&self.args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("xdg"))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("the binary runs");
        let redact = |bytes: &[u8]| {
            let mut text = String::from_utf8_lossy(bytes).into_owned();
            for (from, to) in &self.redact {
                text = text.replace(from, to);
            }
            text
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: redact(&output.stdout),
            stderr: redact(&output.stderr),
        }
    }
}

/// A server that answers every request with `status` and a JSON `body`, and the ID of the
/// mock that counts them ([`calls`]).
pub fn answering(status: u16, body: &str) -> (MockServer, usize) {
    let server = MockServer::start();
    let id = server
        .mock(|when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", "application/json")
                .header("x-request-id", format!("req-{status}"))
                .body(body);
        })
        .id();
    (server, id)
}

/// How many requests the mock `id` of `server` got.
pub fn calls(server: &MockServer, id: usize) -> usize {
    httpmock::Mock::new(id, server).calls()
}

/// The URL of a port of 127.0.0.1 that nothing listens on (connections are refused).
pub fn nothing_listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    format!("http://127.0.0.1:{port}")
}
