//! Layer 3, **result**: the result format (`placematch/result@1`) and its writers.

pub mod format;
pub mod sheets;
pub mod write;
