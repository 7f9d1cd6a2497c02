//! What the charts are drawn from: one [`VariantInput`] per variant, borrowing sim-core's
//! result types.

use crate::ChartError;
use sim_core::Model;
use sim_core::compare::{Breakdown, Comparison};
use sim_core::summary::{QueueSeries, Summary};

/// One variant's results, as the charts need them.
#[derive(Debug, Clone, Copy)]
pub struct VariantInput<'a> {
    /// Name shown in legends and on category axes.
    pub label: &'a str,
    /// The model the variant ran (station names, order and staffing changes).
    pub model: &'a Model,
    /// The variant's summary (`summary.json`).
    pub summary: &'a Summary,
    /// Where the time goes (`sim_core::compare::breakdown`).
    pub breakdown: &'a Breakdown,
    /// Queue length over the day (`Findings::series`), if computed.
    pub series: Option<&'a QueueSeries>,
}

impl<'a> VariantInput<'a> {
    /// A variant without a queue-length series.
    pub fn new(
        label: &'a str,
        model: &'a Model,
        summary: &'a Summary,
        breakdown: &'a Breakdown,
    ) -> VariantInput<'a> {
        VariantInput {
            label,
            model,
            summary,
            breakdown,
            series: None,
        }
    }

    /// The same with a queue-length series.
    pub fn with_series(self, series: &'a QueueSeries) -> VariantInput<'a> {
        VariantInput {
            series: Some(series),
            ..self
        }
    }
}

/// The variants of a comparison, in comparison order. `models` are the variants' models (any
/// order; matched by [`Model::variant`]); `series`, if given, is parallel to `models`.
pub fn comparison_inputs<'a>(
    comparison: &'a Comparison,
    models: &'a [Model],
    series: Option<&'a [QueueSeries]>,
) -> Result<Vec<VariantInput<'a>>, ChartError> {
    comparison
        .order
        .iter()
        .map(|id| {
            let i = models
                .iter()
                .position(|m| m.variant() == id)
                .ok_or_else(|| ChartError::MissingModel(id.clone()))?;
            let summary = comparison
                .variants
                .get(id)
                .ok_or_else(|| ChartError::MissingModel(id.clone()))?;
            let breakdown = comparison
                .breakdown
                .get(id)
                .ok_or_else(|| ChartError::MissingModel(id.clone()))?;
            let mut v = VariantInput::new(id, &models[i], summary, breakdown);
            v.series = series.and_then(|s| s.get(i));
            Ok(v)
        })
        .collect()
}
