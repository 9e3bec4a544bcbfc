//! `sync-task-report <instance-id>`: a table of every sync task of the instance, then the
//! checks of their configurations that did not pass.
//!
//! The client's settings come from the environment, as `ClientBuilder::from_env()` reads them
//! (the official SDKs' variables and files): credentials (`HUAWEICLOUD_SDK_AK` and
//! `HUAWEICLOUD_SDK_SK`, or `TAURUSDB_AUTH_TOKEN`, or the profile, or the metadata service),
//! `HUAWEICLOUD_SDK_PROJECT_ID` and `HUAWEICLOUD_SDK_REGION` (its endpoint overridden by
//! `HUAWEICLOUD_SDK_REGION_GAUSSDB_<REGION>`).
//!
//! Exit status: 0 when every check of every task passed (or the instance has no task), 1 when
//! a check did not pass, 2 when a call failed (the report could not be made, or a task's
//! configuration could not be read: each error on standard error) or the arguments are wrong.

use std::process::ExitCode;

use taurusdb::ClientBuilder;

const USAGE: &str = "usage: sync-task-report <instance-id>";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let instance = match args.as_slice() {
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}\n\nReports on every StarRocks sync task of a TaurusDB instance.");
            return ExitCode::SUCCESS;
        }
        [instance] if !instance.starts_with('-') => instance,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let client = match ClientBuilder::from_env().and_then(ClientBuilder::build) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match sync_task_report::report(&client, instance).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{report}");
    let mut errors = 0;
    for (task, e) in report.errors() {
        eprintln!("error: the configuration of task {}: {e}", task.name());
        errors += 1;
    }
    if errors > 0 {
        ExitCode::from(2)
    } else if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
