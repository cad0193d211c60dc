//! Deterministic synthetic batches (placeholder until the generator lands).
use crate::batch::Batch;

/// Options of the generator.
#[derive(Debug, Clone, Default)]
pub struct GenOptions {
    /// Children.
    pub children: usize,
    /// Homes.
    pub homes: usize,
    /// Seed.
    pub seed: u64,
    /// Sibling groups.
    pub siblings: bool,
    /// In-batch conflicts.
    pub conflicts: bool,
    /// Solo placements.
    pub solo: bool,
    /// Block beds.
    pub block_beds: bool,
    /// Provider admission limits.
    pub admission_limits: bool,
    /// Volume discounts.
    pub discounts: bool,
    /// Weekly budgets.
    pub budgets: bool,
}

/// Generates a batch.
pub fn generate(_opts: &GenOptions) -> Batch {
    unimplemented!()
}
