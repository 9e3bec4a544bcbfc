#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

/// The code progenitor generates from `openapi/taurusdb.yaml`, as `cargo xtask gen` writes it
/// (`src/generated.rs`). Its items are re-exported at the crate root, except progenitor's
/// `Error`, which [`Error`] replaces; generated code of other crates (the CLI) uses this
/// module. Everything else in this crate is hand-written, names no operation, parameter or
/// field of the spec, and plugs into it through progenitor's `ClientHooks` (transport.rs),
/// the generic call path that the generated entry points use (call.rs, exchange.rs,
/// validate.rs), the open enum macro (open_enum.rs), what the generated `Deserialize` impls
/// call (de.rs) and `encode_path` (validate.rs).
#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
pub mod generated;

/// progenitor's own builders, which `Client::raw_<operation>()` returns (feature `raw`).
#[cfg(feature = "raw")]
pub use generated::builder;
pub use generated::{ByteStream, Client, ClientInfo, ResponseValue, prelude, types};

mod call;
mod chain;
mod config;
#[cfg(feature = "conformance")]
pub mod conformance;
mod credentials;
mod date;
mod de;
mod dry_run;
pub mod endpoints;
mod error;
mod exchange;
pub mod iam;
mod metadata;
mod open_enum;
pub mod paginate;
mod profile;
mod refresh;
mod regions;
mod retry;
pub mod signing;
pub mod spec;
mod state;
mod transport;
mod validate;
pub mod wait;

pub use call::{ApiErrorBody, ResponseBytes, ResponseValueExt};
pub use chain::Source;
pub use config::{
    ClientBuilder, Config, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    env,
};
pub use credentials::{
    AkSk, BoxError, Credentials, MetadataCredentials, Secret, TokenProvider, TokenSource,
};
pub use error::{Error, ErrorKind};
pub use generated::requests;
#[allow(unused_imports)] // unused when the enabled tags have no open enum
pub(crate) use open_enum::open_enum;
pub use progenitor_client;
pub use retry::RetryPolicy;
pub(crate) use validate::encode_path;

/// The workspace README's Rust snippets, compiled as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
