//! Data-driven compile tests: every `tests/compile/NAME.toml` is compiled and the problems it
//! produces (one per line, as `Problem`'s Display prints them; a syntax error as the error's
//! Display) are compared with `NAME.problems`, and the warnings of a case that compiles with
//! `NAME.warnings`. A missing or empty file means "none". A first line `# variant: ID` builds
//! that variant instead of the base scenario.
//!
//! Every mismatch is reported, with a line diff, before the test fails. To accept the current
//! output as the expectation (after checking it), run
//! `UPDATE_EXPECT=1 cargo test -p carepath-sim-core --test compile_cases`: the expected files
//! are rewritten (and removed where they would be empty).

use sim_core::{Model, ScenarioError};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// What compiling a case gives: its problems and its warnings.
fn outcome(text: &str) -> (Vec<String>, Vec<String>) {
    let variant = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# variant:"))
        .map(str::trim);
    match Model::from_toml_variant(text, variant) {
        Ok(model) => (Vec::new(), model.warnings().to_vec()),
        Err(ScenarioError::Invalid(problems)) => {
            (problems.iter().map(|p| p.to_string()).collect(), Vec::new())
        }
        Err(e) => (vec![e.to_string()], Vec::new()),
    }
}

/// The expected lines in `path` (none when the file is missing).
fn expected(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A line diff of `expected` against `actual` (longest common subsequence): `-` lines are
/// expected but missing, `+` lines are produced but not expected.
fn diff(expected: &[String], actual: &[String]) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            let _ = writeln!(out, "   {}", expected[i]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "  +{}", actual[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "  -{}", expected[i]);
            i += 1;
        }
    }
    out
}

/// Writes `lines` to `path`, or removes it when there are none.
fn bless(path: &Path, lines: &[String]) {
    if lines.is_empty() {
        let _ = fs::remove_file(path);
    } else {
        fs::write(path, lines.join("\n") + "\n").expect("write the expected file");
    }
}

#[test]
fn compile_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compile");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/compile exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} compile cases", cases.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let mut failures = String::new();
    let mut failed = 0;
    for case in &cases {
        let text = fs::read_to_string(case).expect("read the case");
        let (problems, warnings) = outcome(&text);
        for (ext, actual) in [("problems", &problems), ("warnings", &warnings)] {
            let path = case.with_extension(ext);
            let want = expected(&path);
            if update {
                bless(&path, actual);
            } else if &want != actual {
                failed += 1;
                let _ = writeln!(
                    failures,
                    "{}: {ext} differ (- expected, + actual):\n{}",
                    path.strip_prefix(&dir).unwrap_or(&path).display(),
                    diff(&want, actual)
                );
            }
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} compile expectations differ (UPDATE_EXPECT=1 rewrites them):\n\n{failures}",
        cases.len() * 2
    );
}
