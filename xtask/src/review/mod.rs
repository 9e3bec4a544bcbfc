//! The commands that review a spec rather than generate from it: [`lint`], [`docs`] (with
//! [`page`], the API page's tables), [`diff`], [`semver`] (the semver corpus) and [`vendor`]
//! (Huawei's own definitions).

pub mod diff;
pub mod docs;
pub mod lint;
pub mod page;
pub mod semver;
pub mod vendor;
