//! The spec model that every command shares: loading a document with the position of every
//! node ([`spec`]), traversing it ([`walk`]), the checks a document must pass before anything
//! is generated from it ([`checks`]), and validating its examples ([`examples`]).

pub mod checks;
pub mod examples;
pub mod spec;
pub mod walk;
