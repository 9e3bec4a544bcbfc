//! What the tests of credential, project and endpoint sources share (`sources.rs`,
//! `sources_log.rs`): an injected environment and home directory, and servers on 127.0.0.1
//! that play the ECS metadata service and IAM.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use httpmock::{Method, Mock, MockServer};
use serde_json::json;
use taurusdb::ClientBuilder;

pub const TEMP_AK: &str = "TMPAKMETADATA1";
pub const TEMP_SK: &str = "tmp-sk-from-metadata-4f1e";
pub const TEMP_ST: &str = "tmp-security-token-from-metadata-77c2";
pub const PROFILE_AK: &str = "PROFILEAK0001";
pub const PROFILE_SK: &str = "profile-sk-secret-91ab";
pub const ENV_AK: &str = "ENVAK0001";
pub const ENV_SK: &str = "env-sk-secret-0c3d";
pub const PASSWORD: &str = "user-password-secret-5e6f";

/// An environment of `vars` only: nothing of the process's leaks in.
pub fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

/// `ClientBuilder::from_env_with` over `vars`.
pub fn from_env(vars: &[(&str, &str)]) -> ClientBuilder {
    ClientBuilder::from_env_with(env_of(vars)).unwrap()
}

/// Writes `~/.huaweicloud/NAME` under the home directory `home`, with `mode` on Unix.
pub fn write_sdk_file(home: &Path, name: &str, text: &str, mode: u32) -> std::path::PathBuf {
    let dir = home.join(".huaweicloud");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path
}

/// The UTC timestamp of `at` as IAM and the metadata service write `expires_at`.
pub fn timestamp(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// `now + secs`.
pub fn in_secs(secs: u64) -> SystemTime {
    SystemTime::now() + Duration::from_secs(secs)
}

/// The metadata service's answer with credentials that expire at `expires_at`.
pub fn security_key(ak: &str, sk: &str, token: &str, expires_at: SystemTime) -> serde_json::Value {
    json!({"credential": {
        "access": ak,
        "secret": sk,
        "securitytoken": token,
        "expires_at": timestamp(expires_at),
    }})
}

/// The metadata service's session token endpoint answering `token`.
pub async fn metadata_token<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let token = token.to_string();
    server
        .mock_async(|when, then| {
            when.method(Method::PUT)
                .path("/meta-data/latest/api/token")
                .header("x-metadata-token-ttl-seconds", "21600");
            then.status(200).body(token);
        })
        .await
}

/// The metadata service's credentials for the session token `token` (`None`: asked
/// without one), answered after `delay`.
pub async fn metadata_key<'a>(
    server: &'a MockServer,
    token: Option<&str>,
    body: serde_json::Value,
    delay: Duration,
) -> Mock<'a> {
    let token = token.map(str::to_string);
    server
        .mock_async(|when, then| {
            let when = when
                .method(Method::GET)
                .path("/openstack/latest/securitykey");
            match token {
                Some(t) => {
                    when.header("x-metadata-token", t);
                }
                None => {
                    when.header_missing("x-metadata-token");
                }
            }
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body)
                .delay(delay);
        })
        .await
}

/// Whether a recorded request carries the `Authorization` of access key `ak`.
pub fn signed_by(r: &taurusdb_tests::script::Recorded, ak: &str) -> bool {
    r.header("authorization")
        .is_some_and(|a| a.starts_with(&format!("SDK-HMAC-SHA256 Access={ak}, ")))
}
