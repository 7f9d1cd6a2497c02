//! Reading the data files a scenario refers to (CSV files of observed values), beside the
//! scenario file (feature `files`: the CLI and the Python package; the page is handed the
//! files' text instead, and the rest of this crate does no I/O). A path must stay inside the
//! scenario's folder: `..` that leaves it is refused by the core's check, and a symbolic link
//! that leads out of it by comparing the canonical paths here.

use super::{DataFiles, MAX_FILE_BYTES, check_path};
use std::path::Path;

/// Reads every data file `scenario` (at `scenario_path`) refers to; a file that cannot be
/// read is recorded with the reason, which the compiler reports where the file is used.
pub fn load(scenario_path: &Path, scenario: &crate::Scenario) -> DataFiles {
    texts_to_files(&read_texts(scenario_path, scenario))
}

/// The text of every data file `scenario` (at `scenario_path`) refers to, by the path the
/// scenario writes, or why it could not be read: what [`load`] parses, for a caller that
/// keeps the texts (the Python package, to pickle a scenario with its data).
pub fn read_texts(
    scenario_path: &Path,
    scenario: &crate::Scenario,
) -> Vec<(String, Result<String, String>)> {
    let dir = scenario_path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    scenario
        .data_files()
        .into_iter()
        .map(|path| {
            let text = read_inside(dir, &path);
            (path, text)
        })
        .collect()
}

/// The data files of [`read_texts`], parsed.
pub fn texts_to_files(texts: &[(String, Result<String, String>)]) -> DataFiles {
    let mut data = DataFiles::new();
    for (path, text) in texts {
        match text {
            Ok(text) => data.insert_text(path, text),
            Err(why) => data.insert_error(path, why.clone()),
        }
    }
    data
}

/// Reads `path` relative to `dir`, refusing anything outside `dir`.
pub fn read_inside(dir: &Path, path: &str) -> Result<String, String> {
    check_path(path)?;
    let full = dir.join(path);
    let root = dir
        .canonicalize()
        .map_err(|e| format!("cannot open the scenario's folder: {e}"))?;
    let real = full
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", full.display()))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "{} leads outside the scenario's folder (through a symbolic link): data files must lie in the scenario's folder or below it",
            full.display()
        ));
    }
    read_limited(&real)
}

/// Reads a file of at most [`MAX_FILE_BYTES`] as UTF-8 text.
pub fn read_limited(path: &Path) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "{} is {} MB, more than the limit of {} MB",
            path.display(),
            meta.len() >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
