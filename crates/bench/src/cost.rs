//! What the cost benchmarks share: running a command and measuring its wall time and peak
//! resident memory (its own and its children's), and finding the tools they compare with.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Wall time and peak RSS of one command.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub wall: Duration,
    /// The largest resident set of the command or any of its descendants, in bytes.
    pub peak_rss: u64,
}

/// Runs `cmd` to completion, stdout and stderr to `log`; fails on a non-zero exit.
pub fn measure(cmd: &mut Command, log: &Path) -> Result<Run, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let child = cmd
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is valid; wait4 fills it in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for (`child` is never waited on).
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    std::mem::forget(child);
    if r != pid {
        return Err(format!("wait4 on {cmd:?} failed"));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!(
            "{cmd:?} failed (status {status}); see {}",
            log.display()
        ));
    }
    // Linux reports ru_maxrss in KiB, over the child and the descendants it waited for.
    Ok(Run {
        wall,
        peak_rss: usage.ru_maxrss as u64 * 1024,
    })
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `java`, if it runs.
pub fn java() -> Option<PathBuf> {
    let java = std::env::var_os("JAVA").map_or_else(|| PathBuf::from("java"), PathBuf::from);
    Command::new(&java)
        .arg("-version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| java)
}

/// openapi-generator's jar: `OPENAPI_GENERATOR_JAR`, or the one in the pip package
/// `openapi-generator-cli` (`pip install openapi-generator-cli==7.26.0`).
pub fn openapi_generator_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("OPENAPI_GENERATOR_JAR") {
        return Some(PathBuf::from(jar)).filter(|p| p.is_file());
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import openapi_generator_cli, os; print(os.path.join(os.path.dirname(openapi_generator_cli.__file__), 'openapi-generator.jar'))",
        ])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    path.is_file().then_some(path)
}

/// A median of some values.
pub fn median_of<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    v[v.len() / 2]
}

/// Bytes as MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Where one `cargo xtask gen` run spent its time, from the phases it prints with
/// `XTASK_GEN_TIMINGS=1` (`gen: <lap> ms <total> ms total .. <phase>`), in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GenProfile {
    /// progenitor and typify building their token streams (phases `progenitor: ..`).
    pub progenitor: f64,
    /// syn parsing those streams (phases `syn: ..`).
    pub parse: f64,
    /// prettyplease printing the trees (phases `prettyplease: ..`).
    pub print: f64,
    /// Every other phase: this workspace's own steps (loading the spec and writing the files
    /// included).
    pub own: f64,
}

impl GenProfile {
    /// What any pipeline that runs progenitor's passes and formats their output pays,
    /// whatever else it does.
    pub fn floor(&self) -> f64 {
        self.progenitor + self.parse + self.print
    }
}

/// Reads the phases of `XTASK_GEN_TIMINGS=1` from `gen`'s stderr; `None` when there are none
/// (an xtask without the profile, or a failed run).
pub fn gen_profile(stderr: &str) -> Option<GenProfile> {
    let mut p = GenProfile::default();
    let mut seen = false;
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("gen:") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(ms), Some("ms")) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(ms) = ms.parse::<f64>() else {
            continue;
        };
        // The phase's name is the text after the last "MB" (the peak RSS) or after "total".
        let name = rest
            .rsplit_once(" MB ")
            .or_else(|| rest.split_once(" total "))
            .map_or("", |(_, n)| n.trim());
        let slot = if name.starts_with("progenitor:") {
            &mut p.progenitor
        } else if name.starts_with("syn:") {
            &mut p.parse
        } else if name.starts_with("prettyplease:") {
            &mut p.print
        } else {
            &mut p.own
        };
        *slot += ms / 1e3;
        seen = true;
    }
    seen.then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen_profile_adds_up_phases_by_what_does_the_work() {
        let stderr = "\
gen:    300.0 ms     300.0 ms total  peak RSS    76 MB  checks and the operation table
gen:   1000.0 ms    1300.0 ms total  peak RSS   296 MB  progenitor: client (typify, quote)
gen:   1500.0 ms    2800.0 ms total  peak RSS   488 MB  syn: parsing progenitor's client
gen:    500.0 ms    3300.0 ms total  prettyplease: client types
gen:    250.0 ms    3550.0 ms total  peak RSS   505 MB  progenitor: CLI (typify, quote)
gen: wrote crates/taurusdb/src/generated.rs
";
        let p = gen_profile(stderr).unwrap();
        assert_eq!(
            p,
            GenProfile {
                progenitor: 1.25,
                parse: 1.5,
                print: 0.5,
                own: 0.3
            }
        );
        assert_eq!(p.floor(), 3.25);
        assert_eq!(gen_profile("gen: up to date (3 files)\n"), None);
    }

    #[test]
    fn measure_reports_time_memory_and_failure() {
        let dir = std::env::temp_dir();
        let log = dir.join(format!("taurusdb-bench-measure-{}.log", std::process::id()));
        // A child that holds about 64 MiB: its peak RSS is seen through the shell.
        let run = measure(
            Command::new("sh").args(["-c", "head -c 67108864 /dev/zero | sort > /dev/null"]),
            &log,
        )
        .unwrap();
        assert!(run.peak_rss >= 60 * 1024 * 1024, "{run:?}");
        assert!(measure(Command::new("sh").args(["-c", "exit 3"]), &log).is_err());
        let _ = std::fs::remove_file(log);
    }
}
