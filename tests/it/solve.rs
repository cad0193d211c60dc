//! Solving behaviour on hand-made batches.
