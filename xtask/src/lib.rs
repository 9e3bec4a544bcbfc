//! The workspace's developer commands, as a library so that tests can call them.
//!
//! - [`codegen`]: `cargo xtask gen [--check]`, the spec through progenitor to generated source.
//! - [`spec`]: loading a spec with positions for error messages.
//! - [`tolerant`]: the tolerant-reader transform of response schemas.

pub mod checks;
pub mod codegen;
pub mod diff;
pub mod docs;
pub mod examples;
pub mod lint;
pub mod page;
pub mod panic;
pub mod postprocess;
pub mod spec;
pub mod tolerant;
pub mod vendor;
pub mod walk;
pub mod workspace;
