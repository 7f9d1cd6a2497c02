//! The error type of this crate: every way drawing a chart can fail, as a value.

use thiserror::Error;

/// Why a chart could not be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ChartError {
    /// No variant was given.
    #[error("a chart needs at least one variant's results")]
    NoVariants,
    /// The data the chart needs is not there (e.g. queue-length sampling was switched off).
    #[error("no data for the {chart} chart: {reason}")]
    NoData {
        /// Which chart.
        chart: &'static str,
        /// What is missing.
        reason: String,
    },
    /// A comparison names a variant for which no model was given.
    #[error("no model given for variant {0:?}")]
    MissingModel(String),
    /// The embedded font could not be read.
    #[error("the embedded font cannot be parsed")]
    Font,
    /// plotters reported a drawing error.
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// A sweep chart would draw more lines than can be told apart.
    #[error(
        "the {chart} chart would draw {lines} lines; at most {max} can be told apart (chart \
         fewer variants, or a sweep that varies fewer parameters)"
    )]
    TooManyLines {
        /// Which chart.
        chart: &'static str,
        /// Lines it would draw.
        lines: usize,
        /// Most it draws.
        max: usize,
    },
    /// A sweep chart needs a given number of parameters that take more than one value.
    #[error("the {chart} chart needs {needs} varying parameters; the sweep varies {}", list(.varying))]
    VaryingParameters {
        /// Which chart.
        chart: &'static str,
        /// How many it needs ("exactly two").
        needs: &'static str,
        /// The parameters that take more than one value, in column order.
        varying: Vec<String>,
    },
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for ChartError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ChartError::Drawing(e.to_string())
    }
}

/// "none" or the parameters, comma-separated.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        format!("{} ({})", names.len(), names.join(", "))
    }
}
