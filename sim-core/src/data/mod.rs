//! Observed data: the CSV files that empirical distributions read (`file = "consult.csv"`)
//! and that `carepath fit` fits distributions to.
//!
//! A scenario names its data files by paths relative to the scenario file. The core touches
//! the file system only in the `files` module (feature `files`), since it also runs in the
//! browser. Whoever reads a scenario lists the files it refers to
//! ([`crate::Scenario::data_files`]), supplies their text in a [`DataFiles`] (the CLI and the
//! Python package read them beside the scenario with `files::load`, refusing paths that leave
//! its folder; the web page takes uploads), and attaches them ([`crate::Scenario::with_data`]),
//! which puts each file's values in place of its `file` key before the scenario is compiled. So
//! a model built from a file is exactly the model built from the same values written inline.
//!
//! Units are never guessed: a column states its unit in its header (`consult (min)` or
//! `consult [s]`), the distribution states it (`unit = "min"`), or every value carries its
//! own (`"4.5min"`).

#[cfg(feature = "files")]
pub mod files;

use crate::scenario::units::{parse_signed_duration, unit_factor};
use std::collections::BTreeMap;

/// Most values read from one column (as for an inline empirical table).
pub const MAX_VALUES: usize = crate::distribution::MAX_EMPIRICAL;
/// Largest data file read, in bytes.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// A parsed CSV file: a header row and the cells of each column (row numbers kept for errors).
#[derive(Debug, Clone, PartialEq)]
pub struct DataTable {
    headers: Vec<String>,
    /// Per column, its non-empty cells with their 1-based line numbers.
    columns: Vec<Vec<(u64, String)>>,
}

/// One column's values, in minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// The column's name (its header without the unit).
    pub column: String,
    /// The values in minutes, in file order.
    pub minutes: Vec<f64>,
}

impl DataTable {
    /// Parses CSV text with a header row. Blank cells are skipped (columns of a spreadsheet
    /// may differ in length); lines starting with `#` are comments.
    pub fn parse(text: &str) -> Result<DataTable, String> {
        if text.len() > MAX_FILE_BYTES {
            return Err(format!(
                "the file is {} MB, more than the limit of {} MB",
                text.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| format!("cannot read the header row: {e}"))?
            .iter()
            .map(str::to_string)
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err("the file is empty: it needs a header row naming its columns".into());
        }
        let mut columns = vec![Vec::new(); headers.len()];
        for record in reader.records() {
            let record = record.map_err(|e| format!("cannot read the file: {e}"))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() > headers.len() {
                return Err(format!(
                    "line {line} has {} cells but the header names {} columns",
                    record.len(),
                    headers.len()
                ));
            }
            for (i, cell) in record.iter().enumerate() {
                if !cell.is_empty() {
                    columns[i].push((line, cell.to_string()));
                }
            }
        }
        Ok(DataTable { headers, columns })
    }

    /// The names of the columns (headers without their units).
    pub fn column_names(&self) -> Vec<&str> {
        self.headers.iter().map(|h| split_header(h).0).collect()
    }

    /// The values of one column in minutes. `column` may be left out when the file has one
    /// column; `unit` is the unit stated outside the file (a scenario's `unit` or `--unit`).
    pub fn minutes(
        &self,
        column: Option<&str>,
        unit: Option<&str>,
    ) -> Result<Observations, String> {
        let names = self.column_names();
        let i = match column {
            Some(c) => names
                .iter()
                .zip(&self.headers)
                .position(|(n, h)| *n == c || h == c)
                .ok_or_else(|| {
                    format!("there is no column {c:?} (columns: {})", names.join(", "))
                })?,
            None if names.len() == 1 => 0,
            None => {
                return Err(format!(
                    "the file has {} columns ({}): name one with `column`",
                    names.len(),
                    names.join(", ")
                ));
            }
        };
        let (name, header_unit) = split_header(&self.headers[i]);
        let factor = match (header_unit, unit) {
            (Some(h), Some(u)) if unit_factor(h) != unit_factor(u) => {
                return Err(format!(
                    "the header of column {name:?} says {h:?} but the unit given is {u:?}"
                ));
            }
            (Some(u), _) | (None, Some(u)) => Some(unit_factor(u).ok_or_else(|| {
                format!("unknown unit {u:?} for column {name:?} (use s, min, h or d)")
            })?),
            (None, None) => None,
        };
        let cells = &self.columns[i];
        if cells.len() > MAX_VALUES {
            return Err(format!(
                "column {name:?} has {} values, more than the limit of {MAX_VALUES}",
                cells.len()
            ));
        }
        let mut minutes = Vec::with_capacity(cells.len());
        for (line, cell) in cells {
            let v = match factor {
                Some(f) => cell
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(|v| v * f)
                    .ok_or_else(|| format!("line {line}: {cell:?} is not a number"))?,
                None => parse_signed_duration(cell).map_err(|e| {
                    if cell.parse::<f64>().is_ok() {
                        format!(
                            "line {line}: {cell:?} has no unit: state it in the column's header (\"{name} (min)\"), as `unit = \"min\"` (for `carepath fit`, --unit min), or in each value (\"{cell}min\")"
                        )
                    } else {
                        format!("line {line}: {e}")
                    }
                })?,
            };
            minutes.push(v);
        }
        if minutes.is_empty() {
            return Err(format!("column {name:?} has no values"));
        }
        Ok(Observations {
            column: name.to_string(),
            minutes,
        })
    }
}

/// Splits `consult (min)` or `consult [min]` into the name and the unit.
fn split_header(h: &str) -> (&str, Option<&str>) {
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(stripped) = h.strip_suffix(close)
            && let Some(at) = stripped.rfind(open)
        {
            return (stripped[..at].trim(), Some(stripped[at + 1..].trim()));
        }
    }
    (h, None)
}

/// Checks a data file's path as written in a scenario: relative, and never climbing out of
/// the scenario's folder (`..` that leaves it). The CLI checks symbolic links on disk too.
pub fn check_path(path: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "data file {path:?} {why}: data files must lie in the scenario's folder or below it"
        ))
    };
    if path.trim().is_empty() {
        return Err("a data file's path is empty".into());
    }
    let bytes = path.as_bytes();
    if path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
    {
        return refuse("is an absolute path");
    }
    let mut depth = 0i32;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return refuse("leaves the scenario's folder");
                }
            }
            _ => depth += 1,
        }
    }
    Ok(())
}

/// The data files supplied for a scenario, by their paths as the scenario writes them: each
/// parsed, or the reason it could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataFiles {
    files: BTreeMap<String, Result<DataTable, String>>,
}

impl DataFiles {
    /// No files.
    pub fn new() -> DataFiles {
        DataFiles::default()
    }

    /// Supplies a file's text (parsed now, once for every variant built).
    pub fn insert_text(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_string(), DataTable::parse(text));
    }

    /// Records that a file could not be read, and why (reported where the scenario uses it).
    pub fn insert_error(&mut self, path: &str, why: String) {
        self.files.insert(path.to_string(), Err(why));
    }

    /// Whether no file was supplied.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A supplied file, or why it is missing or unreadable.
    pub fn get(&self, path: &str) -> Result<&DataTable, String> {
        match self.files.get(path) {
            Some(Ok(t)) => Ok(t),
            Some(Err(why)) => Err(format!("data file {path:?}: {why}")),
            None => Err(format!("data file {path:?} was not supplied")),
        }
    }
}

/// Every data file a scenario's TOML refers to (in empirical distributions, in the base and
/// in the variants), sorted and without repeats.
pub fn referenced(root: &toml::Table) -> Vec<String> {
    fn walk(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                if t.contains_key("dist")
                    && let Some(toml::Value::String(f)) = t.get("file")
                {
                    out.push(f.clone());
                }
                t.values().for_each(|v| walk(v, out));
            }
            toml::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    root.values().for_each(|v| walk(v, &mut out));
    out.sort();
    out.dedup();
    out
}

/// Puts each referenced file's values in place of its `file`, `column` and `unit` keys, in
/// every distribution of `root` (base and variants). Problems are returned with the dotted
/// path of the distribution (array elements by their `id` where they have one).
pub fn resolve(root: &mut toml::Table, data: &DataFiles) -> Vec<crate::error::Problem> {
    fn walk(v: &mut toml::Value, at: &str, data: &DataFiles, out: &mut Vec<crate::error::Problem>) {
        match v {
            toml::Value::Table(t) => {
                if t.contains_key("dist") && t.contains_key("file") {
                    if let Err(m) = resolve_one(t, data) {
                        out.push(crate::error::Problem::new(at.to_string(), m));
                        // A stand-in, so the compiler does not report the same table again.
                        for k in [
                            "file",
                            "column",
                            "unit",
                            "weights",
                            "continuous",
                            "truncate",
                        ] {
                            t.remove(k);
                        }
                        t.insert("dist".into(), "deterministic".into());
                        t.insert("value".into(), "1min".into());
                    }
                    return;
                }
                for (k, v) in t.iter_mut() {
                    let at = if at.is_empty() {
                        k.to_string()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(v, &at, data, out);
                }
            }
            toml::Value::Array(a) => {
                for (i, v) in a.iter_mut().enumerate() {
                    let id = v
                        .get("id")
                        .and_then(toml::Value::as_str)
                        .map_or_else(|| format!("[{i}]"), |id| format!(".{id}"));
                    walk(v, &format!("{at}{id}"), data, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in root.iter_mut() {
        walk(v, k, data, &mut out);
    }
    out
}

fn resolve_one(t: &mut toml::Table, data: &DataFiles) -> Result<(), String> {
    let text = |k: &str| -> Result<Option<String>, String> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{k}` must be a string")),
        }
    };
    let (file, column, unit) = (text("file")?, text("column")?, text("unit")?);
    let file = file.expect("called with a `file` key");
    if t.get("dist").and_then(toml::Value::as_str) != Some("empirical") {
        return Err("`file` applies to dist = \"empirical\" only".into());
    }
    for k in ["values", "weights"] {
        if t.contains_key(k) {
            return Err(format!(
                "`{k}` does not apply with `file` (the file holds the observations)"
            ));
        }
    }
    check_path(&file)?;
    let obs = data
        .get(&file)?
        .minutes(column.as_deref(), unit.as_deref())
        .map_err(|e| format!("data file {file:?}: {e}"))?;
    for k in ["file", "column", "unit"] {
        t.remove(k);
    }
    // Rust prints the shortest text that parses back to the same f64, so the values
    // round-trip exactly.
    let values = obs
        .minutes
        .iter()
        .map(|m| toml::Value::String(format!("{m}min")))
        .collect();
    t.insert("values".into(), toml::Value::Array(values));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_header_the_key_or_the_values() {
        let t = DataTable::parse("consult (min),triage [s]\n4.5,30\n6,45\n,60\n").unwrap();
        assert_eq!(t.column_names(), ["consult", "triage"]);
        assert_eq!(
            t.minutes(Some("consult"), None).unwrap().minutes,
            [4.5, 6.0]
        );
        assert_eq!(
            t.minutes(Some("triage"), None).unwrap().minutes,
            [0.5, 0.75, 1.0]
        );
        assert!(
            t.minutes(None, None)
                .unwrap_err()
                .contains("name one with `column`")
        );
        let e = t.minutes(Some("consult"), Some("s")).unwrap_err();
        assert!(e.contains("says \"min\""), "{e}");
        let bare = DataTable::parse("consult\n4.5\n").unwrap();
        let e = bare.minutes(None, None).unwrap_err();
        assert!(e.contains("line 2") && e.contains("has no unit"), "{e}");
        assert_eq!(bare.minutes(None, Some("h")).unwrap().minutes, [270.0]);
        let cells = DataTable::parse("consult\n4.5min\n90s\n").unwrap();
        assert_eq!(cells.minutes(None, None).unwrap().minutes, [4.5, 1.5]);
        let bad = DataTable::parse("consult (min)\n4\nn/a\n").unwrap();
        assert!(
            bad.minutes(None, None)
                .unwrap_err()
                .contains("line 3: \"n/a\"")
        );
        assert!(DataTable::parse("").is_err());
        assert!(DataTable::parse("a\n1,2\n").unwrap_err().contains("line 2"));
    }

    #[test]
    fn paths_may_not_leave_the_folder() {
        for ok in [
            "consult.csv",
            "data/consult.csv",
            "data/../consult.csv",
            "./a.csv",
        ] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "../x.csv",
            "data/../../x.csv",
            "C:\\x.csv",
            "\\\\srv\\x",
            "",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    proptest::proptest! {
        /// Whatever the text, reading it as a data file and taking any column with any unit
        /// gives values or an error, never a panic; values are finite.
        #[test]
        fn any_text_reads_or_errs(
            // CSV-like text (cells, commas, quotes, units, brackets, comments, line breaks) and
            // anything else.
            text in "([a-c0-9 ,.\n()\\[\\]#\"e+-]|min|s|h){0,200}|.{0,100}",
            column in proptest::option::of("[a-c]{1,3}"),
            unit in proptest::option::of("(s|min|h|x)"),
        ) {
            if let Ok(t) = DataTable::parse(&text)
                && let Ok(obs) = t.minutes(column.as_deref(), unit.as_deref())
            {
                proptest::prop_assert!(obs.minutes.iter().all(|v| v.is_finite()));
            }
        }
    }
}
