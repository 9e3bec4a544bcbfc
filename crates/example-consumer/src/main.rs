//! `sync-task-report <instance-id> <task-name>`: credentials, project and region come from the
//! environment, as the official SDKs read them. Exit code 0 when every check passed, 1 when
//! one did not, 2 when the report could not be made.

use std::process::ExitCode;

use taurusdb::ClientBuilder;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [instance, task] = args.as_slice() else {
        eprintln!("usage: sync-task-report <instance-id> <task-name>");
        return ExitCode::from(2);
    };
    let client = match ClientBuilder::from_env().and_then(ClientBuilder::build) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match sync_task_report::report(&client, instance, task).await {
        Ok(report) => {
            print!("{report}");
            if report.healthy() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
