//! `taurusdb demo`: a mock server on 127.0.0.1 (httpmock) that serves the API page's example
//! response verbatim, its undocumented `"failed"` included, and the settings that point the
//! real client at it. Nothing from the user's environment or config file is used.

use httpmock::MockServer;
use taurusdb::Credentials;
use taurusdb::types::Language;
use taurusdb_httpmock::MockServerExt as _;
use taurusdb_httpmock::examples::list_star_rocks_data_replication_config as examples;

use crate::config::{Location, Origin, ResolvedCredentials, Settings, Sourced};

/// The project ID the demo's requests carry.
pub const PROJECT_ID: &str = "0549e61b4a8c4fdfb1c47bd8a3d8d8b1";

/// The request ID the demo's response carries.
pub const REQUEST_ID: &str = "demo-request-1";

/// A running demo server; it stops when dropped.
pub struct Demo {
    server: MockServer,
}

impl Demo {
    /// Starts the server: every query of [`PROJECT_ID`] gets the page's 200 example.
    pub async fn start() -> Demo {
        let server = MockServer::start_async().await;
        server.list_star_rocks_data_replication_config(|when, then| {
            when.project_id(PROJECT_ID);
            then.into_inner()
                .status(200)
                .header("content-type", "application/json")
                .header("x-request-id", REQUEST_ID)
                .body(examples::STATUS_200_PAGE_VERBATIM);
        });
        Demo { server }
    }

    /// Settings for the demo server, in `language` if given.
    pub fn settings(&self, language: Option<Language>) -> Settings {
        Settings {
            location: Location::Endpoint(Sourced {
                value: self.server.base_url(),
                origin: Origin::Demo,
            }),
            region: None,
            project_id: Sourced {
                value: PROJECT_ID.to_string(),
                origin: Origin::Demo,
            },
            language: match language {
                Some(l) => Sourced {
                    value: l,
                    origin: Origin::Flag("--language"),
                },
                None => Sourced {
                    value: Language::EnUs,
                    origin: Origin::Default,
                },
            },
            credentials: ResolvedCredentials {
                credentials: Credentials::token("demo-token"),
                description: "IAM token (a dummy)".to_string(),
                origin: Origin::Demo,
            },
        }
    }
}
