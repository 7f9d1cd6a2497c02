//! CarePath's integration tests, compiled and linked as **one** test executable.
//!
//! (The command-line tests live beside the CLI, in `cli/tests/`, one executable of the same
//! kind.) Each file beside this one was once its own test crate; Cargo then compiled, linked and
//! started eleven executables, each pulling in the same dependencies. As modules of one binary
//! they are linked once, and the test harness spreads all of them over the machine's cores at the
//! same time instead of running one executable after another (`tests/Cargo.toml` turns Cargo's
//! automatic discovery off and names only this file).
//!
//! A new test file must be declared below as `mod NAME;`: the test
//! [`every_test_file_is_a_module`] fails otherwise, so a file cannot be left out silently.
//! To run one file's tests: `cargo test -p carepath-tests --test integration bad_input::`.

mod appointments;
mod bad_input;
mod calendar;
mod charts;
mod flagship;
mod properties;
mod resources;
mod semantics;
mod validation;
mod workflows;

/// The module names declared in this file (`mod NAME;` lines).
fn declared_modules(main_rs: &str) -> std::collections::BTreeSet<String> {
    main_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

/// Every `*.rs` file in `tests/tests/` except this one must be declared above, or Cargo (with
/// `autotests = false`) would never compile it and its tests would silently not run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = declared_modules(include_str!("main.rs"));
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/tests is readable") {
        let path = entry.expect("directory entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" && !declared.contains(stem)
        {
            missing.push(stem.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "tests/tests/{{{}}}.rs would never run: declare each as `mod NAME;` in tests/tests/main.rs",
        missing.join(",")
    );
}

#[test]
fn module_declarations_are_read_from_the_source() {
    let parsed =
        declared_modules("//! doc\nmod a;\n  mod b_c;\nfn mod_x() {}\n// mod d;\nmod e {}\n");
    assert_eq!(
        parsed.into_iter().collect::<Vec<_>>(),
        ["a", "b_c"],
        "only `mod NAME;` lines count"
    );
}
