//! Writing a successful response: the human view, JSON or YAML. JSON and YAML are the decoded
//! response as the client's types serialize it (fields in the generated order, absent fields
//! left out), so scripts see the same shape whatever the server's spelling of a field.

use std::io::{self, Write};

use taurusdb::types::StarRocksReplicationConfig;

use crate::args::{OutputFormat, Target};
use crate::human;

/// Writes `config` to `out` in `format`. Human output carries colour escapes; `out` decides
/// whether they reach the terminal (see `anstream`).
pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    target: &Target,
    config: &StarRocksReplicationConfig,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::render(out, target, config)?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, config)?;
            out.write_all(b"\n")?;
        }
        OutputFormat::Yaml => {
            let text = yaml_serde::to_string(config).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as examples;

    fn target() -> Target {
        Target {
            instance_id: "i".into(),
            task_name: "sync_task_01".parse().unwrap(),
        }
    }

    fn render(format: OutputFormat) -> String {
        let config: StarRocksReplicationConfig =
            serde_json::from_str(examples::STATUS_200_PAGE_VERBATIM).unwrap();
        let mut out = Vec::new();
        write(&mut out, format, &target(), &config).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_and_yaml_round_trip_to_the_same_value() {
        let from_json: StarRocksReplicationConfig =
            serde_json::from_str(&render(OutputFormat::Json)).unwrap();
        let from_yaml: StarRocksReplicationConfig =
            yaml_serde::from_str(&render(OutputFormat::Yaml)).unwrap();
        let original: StarRocksReplicationConfig =
            serde_json::from_str(examples::STATUS_200_PAGE_VERBATIM).unwrap();
        assert_eq!(from_json, original);
        assert_eq!(from_yaml, original);
    }
}
