//! Statistics: streaming tallies during a run ([`tally`]), estimates across replications
//! ([`estimate`]), the summary of a study ([`summary`]) and what it keeps per replication
//! ([`record`]), results by hour, day and weekday ([`hourly`]) and comparisons of variants
//! ([`compare`]). Nothing is stored per patient, and a study keeps a few hundred bytes per
//! replication, so memory does not grow with the patients or replications simulated.

pub mod compare;
pub mod estimate;
pub mod hourly;
pub mod precision;
pub mod record;
pub mod summary;
pub mod tally;
pub mod targets;
pub mod warmup;

pub use estimate::{Estimate, t_critical};
pub use tally::{BUCKETS, Moments, Tally};
