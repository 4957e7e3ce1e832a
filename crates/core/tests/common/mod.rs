//! Paths shared by the rule-file tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// The crate's directory where the tests run. Read when the test runs (cargo sets it for test
/// processes too), so a test binary built from another checkout still finds this one's files.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The shipped rule sets and criteria.
pub fn rules_dir() -> PathBuf {
    crate_dir().join("../../rules")
}

/// A test fixture.
pub fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(name)
}
