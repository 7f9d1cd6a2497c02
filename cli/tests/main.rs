//! End-to-end tests of the `carepath` command line, beside the CLI and compiled and linked as
//! **one** test executable (each file here is a module, as in `tests/tests/main.rs`).
//!
//! The commands run the binary Cargo builds for this package's tests
//! (`CARGO_BIN_EXE_carepath`), from the workspace root, through the helpers of the tests
//! package (`tests/lib.rs`). A new test file must be declared below as `mod NAME;`:
//! [`every_test_file_is_a_module`] fails otherwise. To run one file's tests:
//! `cargo test -p carepath --test cli compare::`.

mod animate;
mod check;
mod cli;
mod compare;
mod data;
mod diagram;
mod events;
mod interrupt;
mod optimise;
mod precision;
mod set;
mod sweep;
mod warmup;

/// The helpers the test files use, bound to this package's own `carepath` binary.
mod support {
    pub use carepath_tests::{Outcome, outcome, workspace_root};
    use std::ffi::OsStr;
    use std::path::Path;
    use std::process::Command;

    /// The `carepath` executable Cargo built for these tests.
    pub fn carepath_bin() -> &'static Path {
        Path::new(env!("CARGO_BIN_EXE_carepath"))
    }

    /// A `carepath` command with the given arguments, run from the workspace root.
    pub fn carepath<I, S>(args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        carepath_tests::command(carepath_bin(), args)
    }

    /// Runs `carepath` with `args` to completion.
    pub fn run_carepath<I, S>(args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        outcome(&mut carepath(args))
    }
}

/// Every `*.rs` file beside this one must be declared above, or Cargo (with
/// `autotests = false`) would never compile it and its tests would silently not run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared: std::collections::BTreeSet<&str> = include_str!("main.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("cli/tests is readable") {
        let path = entry.expect("directory entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if path.extension().is_some_and(|e| e == "rs")
            && stem != "main"
            && !declared.contains(stem.as_str())
        {
            missing.push(stem);
        }
    }
    assert!(
        missing.is_empty(),
        "cli/tests/{{{}}}.rs would never run: declare each as `mod NAME;` in cli/tests/main.rs",
        missing.join(",")
    );
}
