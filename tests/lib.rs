//! Shared helpers for the test suites.
//!
//! # Finding the `carepath` binary
//!
//! The end-to-end suites (`tests/tests/bad_input.rs` and others here; the command-line tests in
//! `cli/tests/` use these helpers with the binary Cargo builds for them) run the real
//! `carepath` executable. It belongs to another package (`cli`), so neither
//! `env!("CARGO_BIN_EXE_carepath")` nor `assert_cmd::Command::cargo_bin` can see it: Cargo only
//! exposes and builds the binaries of the package under test. [`carepath_bin`] therefore builds
//! it itself, once per test process (a [`OnceLock`]), with the `cargo` that is running the tests
//! (`$CARGO`, falling back to the one that compiled this crate):
//!
//! ```text
//! cargo build --quiet -p carepath --profile <P> --target-dir <T> [--target <TRIPLE>]
//! ```
//!
//! Everything is derived from where the running test executable lives, which is always
//! `<T>/[<TRIPLE>/]<profile dir>/deps/<test>-<hash>`:
//!
//! * `<profile dir>` gives the profile. The `test` profile writes into `debug`, the directory
//!   of the `dev` profile, so a plain `cargo test` builds `carepath` with the `test` profile
//!   into `target/debug/carepath`: the dependencies the test run has just compiled with that
//!   profile (optimised, see the root `Cargo.toml`) are reused instead of compiling them all
//!   again unoptimised for `dev`, and the runs the tests start are fast. `cargo test --release`
//!   uses `release`; a custom `--profile foo` uses `foo`. The binary thus lands next to the test
//!   executables. (`target/debug/carepath` is also where `cargo build` puts its `dev` binary;
//!   both are built from the same sources.)
//! * `<T>` is taken from the path as well, so `CARGO_TARGET_DIR`, `--target-dir` and
//!   `build.target-dir` are all honoured without reading any of them. A cross layout
//!   (`--target TRIPLE`) is recognised because the target directory's root holds Cargo's
//!   `.rustc_info.json` while a `<T>/<TRIPLE>` directory does not.
//!
//! The build always runs (a no-op taking a fraction of a second when nothing changed), so the
//! tests never exercise a stale binary left over from an earlier build of the cli sources. Set
//! `CAREPATH_BIN=/path/to/carepath` to skip the build and test a given executable instead.
//!
//! The commands run with the workspace root as working directory, so paths such as
//! `scenarios/benchmark.toml` and `tests/fixtures/bad/…` are written relative to it and appear
//! verbatim in messages.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the parent of this package's directory).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package lives inside the workspace")
}

/// A path under `tests/fixtures/`, relative to the workspace root (the commands' working
/// directory), e.g. `fixture("bad/zero_rate.toml")` is `tests/fixtures/bad/zero_rate.toml`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new("tests/fixtures").join(name)
}

/// Path of the `carepath` executable, built on first use (see the crate documentation).
///
/// Panics if it cannot be built; the build is attempted once per process, and every test that
/// needs the binary then fails with the same message.
pub fn carepath_bin() -> &'static Path {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let bin = BIN.get_or_init(|| match std::env::var_os("CAREPATH_BIN") {
        // Absolute, because the commands run in another directory.
        Some(p) => std::fs::canonicalize(&p)
            .map_err(|e| format!("CAREPATH_BIN={}: {e}", Path::new(&p).display())),
        None => build_carepath(),
    });
    match bin {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn build_carepath() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current test executable: {e}"))?;
    // <T>/[<TRIPLE>/]<profile dir>/deps/<test>-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("test executable is not inside <target>/<profile>/deps")?;
    let dir_name = profile_dir
        .file_name()
        .and_then(OsStr::to_str)
        .ok_or("profile directory has no UTF-8 name")?;
    let profile = match dir_name {
        // `cargo test` (the `test` profile) writes here; so does `dev`, whose
        // unoptimised dependencies a test run has not built.
        "debug" => "test",
        other => other, // "release", or a custom profile's own directory
    };
    let above = profile_dir.parent().ok_or("no target directory")?;
    let (target_dir, triple) = match above.parent() {
        Some(t)
            if !above.join(".rustc_info.json").exists() && t.join(".rustc_info.json").exists() =>
        {
            (t, above.file_name().and_then(OsStr::to_str))
        }
        _ => (above, None),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "carepath", "--profile", profile])
        .arg("--target-dir")
        .arg(target_dir);
    if let Some(t) = triple {
        cmd.args(["--target", t]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start cargo to build carepath: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building carepath failed ({cmd:?}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let bin = profile_dir.join(format!("carepath{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "cargo built carepath but {} does not exist",
            bin.display()
        ));
    }
    Ok(bin)
}

/// A `carepath` command with the given arguments, run from the workspace root.
pub fn carepath<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    command(carepath_bin(), args)
}

/// A command running the executable `bin` with the given arguments, from the workspace root
/// and without backtraces, as [`carepath`] runs it. The CLI's own tests (`cli/tests/`) pass
/// the binary Cargo built for them.
pub fn command<I, S>(bin: &Path, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(bin);
    cmd.current_dir(workspace_root())
        .args(args)
        // Panics must be visible as such in stderr, but without an environment-dependent
        // backtrace.
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    cmd
}

/// The outcome of one command.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `carepath` with `args` to completion.
pub fn run_carepath<I, S>(args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    outcome(&mut carepath(args))
}

/// Runs a prepared command to completion.
pub fn outcome(cmd: &mut Command) -> Outcome {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Outcome {
    /// Panics with the whole outcome unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "unexpected exit code; {self:#?}");
        self
    }

    /// Panics unless stderr shows no panic (a panic is a bug whatever the input).
    #[track_caller]
    pub fn expect_no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("stack backtrace"),
            "carepath panicked; {self:#?}"
        );
        self
    }
}
