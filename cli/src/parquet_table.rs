//! A sweep's tidy table as Parquet (`sweep.parquet`), for pandas, Polars, R's arrow and
//! DuckDB to read directly: the same rows and columns as `sweep.csv`, typed. `point` and
//! `replications` are 64-bit integers; the estimate columns are doubles; a parameter column
//! is a double when every value in it is a number, else a string; `variant` and `metric` are
//! strings.
//!
//! It is written from the CSV table (so both always hold the same rows), streamed in row
//! groups of [`ROWS_PER_GROUP`] rows, uncompressed (no codec is compiled in; the table is
//! small), into a temporary file renamed into place when whole. The same rows give the same
//! bytes, which is what lets `carepath merge` reproduce a single machine's file.

use anyhow::{Context, Result};
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: bounds memory however many points a sweep has.
pub const ROWS_PER_GROUP: usize = 65_536;

/// A column's type in the Parquet file.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Double,
    Text,
}

/// The columns of a table with `header`, typed: the fixed columns by name, each parameter
/// column (between `variant` and `metric`) by `numeric[k]`.
fn kinds(header: &[String], numeric: &[bool]) -> Vec<Kind> {
    let params = header.len() - 9;
    let mut k = vec![Kind::Int, Kind::Text];
    k.extend(
        numeric
            .iter()
            .take(params)
            .map(|&n| if n { Kind::Double } else { Kind::Text }),
    );
    k.push(Kind::Text);
    k.extend([Kind::Double; 5]);
    k.push(Kind::Int);
    k
}

/// One column's values in a row group.
enum Column {
    Int(Vec<i64>),
    Double(Vec<f64>),
    Text(Vec<ByteArray>),
}

/// Writes `csv_path` (a sweep table) as Parquet at `target`.
pub fn write(csv_path: &Path, target: &Path) -> Result<()> {
    // First pass: which parameter columns are numbers throughout.
    let mut reader = csv::Reader::from_path(csv_path)
        .with_context(|| format!("reading {}", csv_path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    anyhow::ensure!(
        header.len() >= 9,
        "{} is not a sweep table",
        csv_path.display()
    );
    let params = header.len() - 9;
    let mut numeric = vec![true; params];
    for rec in reader.records() {
        let rec = rec?;
        for (k, n) in numeric.iter_mut().enumerate() {
            *n = *n && rec[2 + k].parse::<f64>().is_ok();
        }
    }
    let kinds = kinds(&header, &numeric);
    write_columns(csv_path, target, &header, &kinds, "sweep")
}

/// Writes `csv_path` (an event log, `carepath run --events log.csv`'s columns) as Parquet at
/// `target`: `replication` and `patient` 64-bit integers, `time_min` a double, the rest
/// strings.
pub fn write_event_log(csv_path: &Path, target: &Path) -> Result<()> {
    let mut reader = csv::Reader::from_path(csv_path)
        .with_context(|| format!("reading {}", csv_path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let kinds: Vec<Kind> = header
        .iter()
        .map(|h| match h.as_str() {
            "replication" | "patient" => Kind::Int,
            "time_min" => Kind::Double,
            _ => Kind::Text,
        })
        .collect();
    write_columns(csv_path, target, &header, &kinds, "event_log")
}

/// Writes the rows of `csv_path` as Parquet at `target` with these column types.
fn write_columns(
    csv_path: &Path,
    target: &Path,
    header: &[String],
    kinds: &[Kind],
    name: &str,
) -> Result<()> {
    let fields = header
        .iter()
        .zip(kinds)
        .map(|(name, kind)| {
            let (physical, logical) = match kind {
                Kind::Int => (Physical::INT64, None),
                Kind::Double => (Physical::DOUBLE, None),
                Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            };
            Ok(Arc::new(
                Type::primitive_type_builder(name, physical)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(logical)
                    .build()?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(Type::group_type_builder(name).with_fields(fields).build()?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_created_by(format!("carepath {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let dir = target.parent().unwrap_or(Path::new("."));
    let file_name = target.file_name().map_or_else(
        || "table.parquet".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut writer = SerializedFileWriter::new(file, schema, props)?;
        let mut reader = csv::Reader::from_path(csv_path)?;
        let mut records = reader.records();
        loop {
            let mut cols: Vec<Column> = kinds
                .iter()
                .map(|k| match k {
                    Kind::Int => Column::Int(Vec::new()),
                    Kind::Double => Column::Double(Vec::new()),
                    Kind::Text => Column::Text(Vec::new()),
                })
                .collect();
            let mut rows = 0;
            for rec in records.by_ref().take(ROWS_PER_GROUP) {
                let rec = rec?;
                for (c, cell) in cols.iter_mut().zip(rec.iter()) {
                    match c {
                        Column::Int(v) => v.push(cell.parse().context("a whole number")?),
                        Column::Double(v) => v.push(cell.parse().context("a number")?),
                        Column::Text(v) => v.push(ByteArray::from(cell)),
                    }
                }
                rows += 1;
            }
            if rows == 0 {
                break;
            }
            let mut group = writer.next_row_group()?;
            for c in &cols {
                let mut col = group.next_column()?.context("a column per field")?;
                match c {
                    Column::Int(v) => {
                        col.typed::<Int64Type>().write_batch(v, None, None)?;
                    }
                    Column::Double(v) => {
                        col.typed::<DoubleType>().write_batch(v, None, None)?;
                    }
                    Column::Text(v) => {
                        col.typed::<ByteArrayType>().write_batch(v, None, None)?;
                    }
                }
                col.close()?;
            }
            group.close()?;
        }
        let file = writer.into_inner()?;
        file.sync_all()?;
        std::fs::rename(&tmp, target)
            .with_context(|| format!("renaming into {}", target.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    /// The Parquet file holds the CSV's rows, typed, and the same rows give the same bytes.
    #[test]
    fn the_parquet_table_reads_back_as_the_csv_rows() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("sweep.csv");
        std::fs::write(
            &csv_path,
            "point,variant,stations.a.servers,label,metric,mean,ci95_low,ci95_high,half_width,sd,replications\n\
             0,base,3,x,time_in_system_min.mean,10.5,9.5,11.5,1,0.7,4\n\
             1,digital,4.5,y,patients.completed,100,90,110,10,7.25,4\n",
        )
        .unwrap();
        let out = dir.path().join("sweep.parquet");
        write(&csv_path, &out).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&out).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(
            rows[1],
            "{point: 1, variant: \"digital\", stations.a.servers: 4.5, label: \"y\", metric: \"patients.completed\", mean: 100.0, ci95_low: 90.0, ci95_high: 110.0, half_width: 10.0, sd: 7.25, replications: 4}"
        );
        let again = dir.path().join("again.parquet");
        write(&csv_path, &again).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
    }
}
