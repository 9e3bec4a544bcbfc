//! `taurusdb`: the command-line tool (work in progress).

#[rustfmt::skip]
#[allow(dead_code, unused_imports, unused_variables, clippy::all)]
mod generated;

fn main() {
    let cmd = generated::Cli::<NoConfig>::get_command(
        generated::CliCommand::ListStarRocksDataReplicationConfig,
    );
    println!(
        "{}",
        cmd.get_about().map(|a| a.to_string()).unwrap_or_default()
    );
}

struct NoConfig;

impl generated::CliConfig for NoConfig {
    fn success_item<T>(&self, _: &taurusdb::ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn success_no_item(&self, _: &taurusdb::ResponseValue<()>) {}
    fn error<T>(&self, _: &taurusdb::progenitor_client::Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_item<T>(&self, _: &T)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
    fn list_end_error<T>(&self, _: &taurusdb::progenitor_client::Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }
}
