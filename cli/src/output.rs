//! Result files and the text that leaves the program: `summary.json`, `stations.csv` and
//! `queue_length.csv` (formats documented in `docs/output-format.md`), file names derived from
//! ids, and the cleaning of user strings before they reach a terminal or an XML file.
//!
//! **All or nothing.** A command's result files are first written into a staging directory
//! beside each target directory ([`Outputs`]) and only moved into place once every file of
//! every target is complete and synced. The move renames file by file; if one rename fails,
//! the files already moved are put back, so a failed run leaves the old results exactly as
//! they were and no staging directory behind. A reader never sees a half-written file, and a
//! full disk never leaves a new `summary.json` next to an old `queue_length.csv`.

use anyhow::{Context, Result, bail};
use sim_core::Model;
use sim_core::scenario::units::format_clock;
use sim_core::summary::{QueueSeries, Summary};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Writes `bytes` to `path` atomically (temporary file + fsync + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_or_dot(path);
    let name = path
        .file_name()
        .context("output path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn parent_or_dot(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// One target directory and its staging directory (created on the first file).
struct Staged {
    target: PathBuf,
    staging: PathBuf,
    /// File names written into `staging`, in order; moved into `target` in that order.
    files: Vec<String>,
}

/// Result files of one command, staged until [`Outputs::commit`] moves them all into place.
/// Dropping it without committing removes every staging directory.
#[derive(Default)]
pub struct Outputs {
    dirs: Vec<Staged>,
    /// Test hook: make the commit fail just before moving the file with this name.
    #[cfg(test)]
    fail_before: Option<String>,
}

impl Outputs {
    /// Stages `bytes` as `dir/name`. `name` must be a plain file name (no separators); names
    /// built from ids go through [`file_name_for_id`] first.
    pub fn write(&mut self, dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains(['/', '\\', '\0'])
            || Path::new(name).file_name() != Some(std::ffi::OsStr::new(name))
        {
            bail!("refusing to write {name:?}: not a plain file name inside the output directory");
        }
        let i = match self.dirs.iter().position(|d| d.target == dir) {
            Some(i) => i,
            None => {
                self.dirs.push(Staged {
                    target: dir.to_path_buf(),
                    staging: create_staging(dir)?,
                    files: Vec::new(),
                });
                self.dirs.len() - 1
            }
        };
        let d = &mut self.dirs[i];
        if d.files.iter().any(|f| f == name) {
            bail!(
                "two result files would both be called {} in {}",
                name,
                dir.display()
            );
        }
        let path = d.staging.join(name);
        let mut f =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        d.files.push(name.to_string());
        Ok(())
    }

    /// Moves every staged file into its target directory (created if missing). On failure the
    /// files already moved are put back (old contents restored, new files removed).
    pub fn commit(mut self) -> Result<()> {
        // (target path, backup of the old file if there was one)
        let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let result = self.move_all(&mut done);
        if result.is_err() {
            for (path, backup) in done.into_iter().rev() {
                match backup {
                    Some(b) => {
                        let _ = std::fs::rename(&b, &path);
                    }
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
        }
        result
        // Drop removes the staging directories (and the backups of a successful commit).
    }

    fn move_all(&mut self, done: &mut Vec<(PathBuf, Option<PathBuf>)>) -> Result<()> {
        for d in &self.dirs {
            std::fs::create_dir_all(&d.target)
                .with_context(|| format!("creating directory {}", d.target.display()))?;
        }
        for d in &self.dirs {
            for name in &d.files {
                #[cfg(test)]
                if self.fail_before.as_deref() == Some(name.as_str()) {
                    bail!("injected failure before moving {name}");
                }
                let target = d.target.join(name);
                // Only files are replaced: a directory in the way is the user's, not ours.
                if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
                    bail!("cannot replace {}: it is a directory", target.display());
                }
                let backup = d.staging.join(format!(".old.{name}"));
                let had_old = match std::fs::rename(&target, &backup) {
                    Ok(()) => true,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                    Err(e) => {
                        return Err(e).with_context(|| format!("replacing {}", target.display()));
                    }
                };
                if let Err(e) = std::fs::rename(d.staging.join(name), &target) {
                    if had_old {
                        let _ = std::fs::rename(&backup, &target);
                    }
                    return Err(e).with_context(|| format!("moving into {}", target.display()));
                }
                done.push((target, had_old.then_some(backup)));
            }
        }
        Ok(())
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for d in &self.dirs {
            let _ = std::fs::remove_dir_all(&d.staging);
        }
    }
}

/// A fresh hidden directory beside `target` (same file system, so the final renames are
/// atomic and never copy).
fn create_staging(target: &Path) -> Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let parent = parent_or_dot(target);
    std::fs::create_dir_all(parent)
        .with_context(|| format!("creating directory {}", parent.display()))?;
    if target.exists() && !target.is_dir() {
        bail!("{} exists and is not a directory", target.display());
    }
    let base = target
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(
        ".{base}.carepath-tmp.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir(&staging).with_context(|| format!("creating {}", staging.display()))?;
    Ok(staging)
}

/// Stages all result files of one run into `dir` (`summary.json`, `stations.csv`,
/// `queue_length.csv`).
pub fn stage_run(
    outputs: &mut Outputs,
    dir: &Path,
    model: &Model,
    summary: &Summary,
    series: &QueueSeries,
) -> Result<()> {
    let mut json = serde_json::to_string_pretty(summary)?;
    json.push('\n');
    outputs.write(dir, "summary.json", json.as_bytes())?;
    outputs.write(dir, "stations.csv", &stations_csv(model, summary)?)?;
    outputs.write(dir, "queue_length.csv", &series_csv(series)?)?;
    Ok(())
}

/// A number cell: never `-0` (a negative zero is zero), otherwise the shortest text that
/// reads back as the same `f64`. Numbers are never neutralised (see [`text_cell`]).
fn num(x: f64) -> String {
    (x + 0.0).to_string()
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), num)
}

/// A text cell from the scenario (an id or a name). Spreadsheets run a cell that starts with
/// `=`, `+`, `-` or `@` as a formula (and tab or CR can hide such a start), so such a cell is
/// prefixed with a single quote, as OWASP's CSV-injection rule says. The CSV writer then quotes
/// whatever needs quoting (commas, quotes, CR, LF).
pub fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(&r)?;
    }
    w.into_inner().context("finishing CSV")
}

/// Columns of `stations.csv`.
pub const STATIONS_HEADER: [&str; 18] = [
    "station",
    "name",
    "visits_mean",
    "wait_mean_min",
    "wait_ci95_low",
    "wait_ci95_high",
    "wait_p50_min",
    "wait_p90_min",
    "wait_p95_min",
    "wait_max_min",
    "service_mean_min",
    "utilisation_mean",
    "utilisation_ci95_low",
    "utilisation_ci95_high",
    "queue_length_mean",
    "max_queue_length",
    "balks_mean",
    "reneges_mean",
];

/// One row per station.
pub fn stations_csv(model: &Model, s: &Summary) -> Result<Vec<u8>> {
    csv_bytes(
        &STATIONS_HEADER,
        model.stations().iter().map(|st| {
            let r = &s.stations[&st.id];
            vec![
                text_cell(&st.id),
                text_cell(&r.name),
                num(r.visits.mean),
                num(r.wait_min.mean),
                opt(r.wait_min.ci95_low),
                opt(r.wait_min.ci95_high),
                num(r.wait_min.p50),
                num(r.wait_min.p90),
                num(r.wait_min.p95),
                num(r.wait_min.max),
                num(r.service_min.mean),
                num(r.utilization.mean),
                opt(r.utilization.ci95_low),
                opt(r.utilization.ci95_high),
                num(r.queue_length.mean),
                r.max_queue_length.to_string(),
                num(r.balks.mean),
                num(r.reneges.mean),
            ]
        }),
    )
}

/// Long format: one row per (sample time, station).
pub fn series_csv(series: &QueueSeries) -> Result<Vec<u8>> {
    let rows = series.rows().map(|r| {
        vec![
            num(r.time_min),
            format_clock(r.time_min),
            text_cell(r.station),
            num(r.mean),
            num(r.p05),
            num(r.p95),
        ]
    });
    csv_bytes(
        &["time_min", "clock", "station", "mean", "p05", "p95"],
        rows,
    )
}

/// A file-name part for an id: ASCII letters, digits, `_` and `-` are kept, every other byte
/// of the UTF-8 text becomes `%XX`. The mapping is injective (`v.1` → `v%2E1`, `v_1` → `v_1`)
/// and the result never contains a separator or a dot, so `<part>.json` always names a file
/// inside its directory, on every platform.
pub fn file_name_for_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        // An empty id still needs a visible, distinct name.
        out.push_str("%00");
    }
    out
}

/// `s` with every control character (C0, DEL, C1) except the line feed shown as a visible
/// escape (`\u{1b}`), so a scenario name cannot move the cursor, rewrite a line (CR), ring
/// the bell or send terminal commands (ESC) when printed.
pub fn clean_for_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// XML attribute/text escaping that always gives well-formed XML 1.0: the five markup
/// characters as entities, tab/LF/CR as character references (attribute values would
/// otherwise normalise them to spaces), and characters XML 1.0 forbids even as references
/// (other C0 controls, U+FFFE, U+FFFF) and the C1 controls as visible `\u{..}` text.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", u32::from(c))),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.json");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        std::fs::create_dir(&p).unwrap(); // renaming a file over a directory fails
        assert!(write_atomic(&p, b"x").is_err());
        assert!(p.is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn staged_outputs_appear_together() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("results");
        let mut o = Outputs::default();
        o.write(&out, "a.txt", b"A").unwrap();
        o.write(&out, "b.txt", b"B").unwrap();
        assert!(!out.exists(), "nothing may appear before the commit");
        o.commit().unwrap();
        assert_eq!(entries(&out), ["a.txt", "b.txt"]);
        assert_eq!(
            entries(tmp.path()),
            ["results"],
            "no staging directory left"
        );
    }

    #[test]
    fn a_failure_partway_through_the_commit_restores_the_old_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("results");
        std::fs::create_dir(&out).unwrap();
        for (n, t) in [("a.txt", "old A"), ("b.txt", "old B"), ("c.txt", "old C")] {
            std::fs::write(out.join(n), t).unwrap();
        }
        let mut o = Outputs::default();
        for n in ["a.txt", "b.txt", "c.txt", "new.txt"] {
            o.write(&out, n, b"new").unwrap();
        }
        // a.txt and b.txt are already moved when c.txt fails.
        o.fail_before = Some("c.txt".into());
        assert!(o.commit().is_err());
        for (n, t) in [("a.txt", "old A"), ("b.txt", "old B"), ("c.txt", "old C")] {
            assert_eq!(std::fs::read_to_string(out.join(n)).unwrap(), t, "{n}");
        }
        assert_eq!(entries(&out), ["a.txt", "b.txt", "c.txt"]);
        assert_eq!(
            entries(tmp.path()),
            ["results"],
            "no staging directory left"
        );
    }

    #[test]
    fn a_directory_in_the_way_fails_the_commit_and_keeps_everything() {
        // b.txt is the user's (non-empty) directory: it is neither replaced nor deleted, and
        // a.txt, already moved, is put back.
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("results");
        std::fs::create_dir_all(out.join("b.txt").join("inside")).unwrap();
        std::fs::write(out.join("a.txt"), "old A").unwrap();
        let mut o = Outputs::default();
        o.write(&out, "a.txt", b"new").unwrap();
        o.write(&out, "b.txt", b"new").unwrap();
        let e = o.commit().unwrap_err();
        assert!(format!("{e:#}").contains("is a directory"), "{e:#}");
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old A");
        assert!(out.join("b.txt").join("inside").is_dir());
        assert_eq!(entries(tmp.path()), ["results"]);
    }

    #[test]
    fn dropping_uncommitted_outputs_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let mut o = Outputs::default();
        o.write(&tmp.path().join("r"), "a.txt", b"A").unwrap();
        drop(o);
        assert!(entries(tmp.path()).is_empty());
    }

    #[test]
    fn outputs_refuse_names_that_leave_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let mut o = Outputs::default();
        for bad in ["../x", "a/b", "..", ".", "", "a\\b"] {
            assert!(o.write(tmp.path(), bad, b"x").is_err(), "{bad:?}");
        }
        o.write(tmp.path(), "a.txt", b"x").unwrap();
        assert!(o.write(tmp.path(), "a.txt", b"y").is_err(), "duplicate");
    }

    #[test]
    fn csv_quotes_cr_lf_and_neutralises_formulas_but_not_numbers() {
        let rows = vec![vec![
            text_cell("a\rb"),
            text_cell("=HYPERLINK(\"x\")"),
            text_cell("-desk"),
            text_cell("@sum"),
            text_cell("+1"),
            text_cell("\tx"),
            text_cell("line\nbreak"),
            num(-2.5),
            num(-0.0),
            text_cell("plain, comma"),
        ]];
        let bytes = csv_bytes(&["h"; 10], rows.into_iter()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            "h,h,h,h,h,h,h,h,h,h\n\"a\rb\",\"'=HYPERLINK(\"\"x\"\")\",'-desk,'@sum,'+1,'\tx,\"line\nbreak\",-2.5,0,\"plain, comma\"\n"
        );
        // A CSV reader sees exactly two records of ten fields.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        let recs: Vec<_> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].len(), 10);
        assert_eq!(&recs[1][0], "a\rb");
        assert_eq!(&recs[1][7], "-2.5");
    }

    #[test]
    fn file_names_for_ids_are_injective_and_stay_inside() {
        assert_eq!(file_name_for_id("digital_50pct"), "digital_50pct");
        assert_ne!(file_name_for_id("v.1"), file_name_for_id("v_1"));
        let escaped = file_name_for_id("x/../../../escaped");
        assert!(!escaped.contains(['/', '\\', '.']), "{escaped}");
        assert_eq!(file_name_for_id("a%2Eb"), "a%252Eb");
        assert_ne!(file_name_for_id("a%2Eb"), file_name_for_id("a.b"));
        assert_eq!(file_name_for_id(""), "%00");
        assert_eq!(file_name_for_id("é"), "%C3%A9");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let s = clean_for_terminal("a\u{1b}[2Jb\rc\u{7}d\u{0}e\nf\u{9b}g");
        assert_eq!(s, "a\\u{1b}[2Jb\\u{d}c\\u{7}d\\u{0}e\nf\\u{9b}g");
        assert!(matches!(
            clean_for_terminal("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn xml_escape_gives_only_characters_xml_allows() {
        let e = xml_escape("a\u{1b}b\u{0}c\u{7}\r\n\t<&>\"'\u{fffe}");
        assert_eq!(
            e,
            "a\\u{1b}b\\u{0}c\\u{7}&#13;&#10;&#9;&lt;&amp;&gt;&quot;&apos;\\u{fffe}"
        );
    }
}
