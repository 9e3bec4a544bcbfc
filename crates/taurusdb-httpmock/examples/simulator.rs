//! The simulator as a server of its own, for trying the CLI (or any client) through a
//! sync task's whole life without an account:
//!
//! ```sh
//! cargo run -p taurusdb-httpmock --features simulator --example simulator -- [POLLS]
//! ```
//!
//! It prints its base URL on stdout and serves until stopped (Ctrl-C). `POLLS` is how many
//! polls of a job answer "running" before it ends (default: the simulator's).

use taurusdb_httpmock::simulator::{DEFAULT_POLLS_UNTIL_DONE, Simulator};

fn main() {
    let polls = match polls(std::env::args().nth(1)) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("simulator: {e}");
            std::process::exit(2);
        }
    };
    let sim = Simulator::start_blocking();
    sim.polls_until_done(polls);
    println!("{}", sim.base_url());
    eprintln!(
        "simulator: serving the spec's API at {} (jobs end after {polls} polls); Ctrl-C stops it",
        sim.base_url()
    );
    loop {
        std::thread::park();
    }
}

/// The number of polls from the command line's argument.
fn polls(arg: Option<String>) -> Result<u32, String> {
    match arg {
        None => Ok(DEFAULT_POLLS_UNTIL_DONE),
        Some(arg) => arg
            .parse()
            .map_err(|_| format!("POLLS must be a number of polls, not {arg:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_default_to_the_simulators_and_must_be_numbers() {
        assert_eq!(polls(None), Ok(DEFAULT_POLLS_UNTIL_DONE));
        assert_eq!(polls(Some("5".into())), Ok(5));
        assert_eq!(
            polls(Some("soon".into())),
            Err("POLLS must be a number of polls, not \"soon\"".into())
        );
    }
}
