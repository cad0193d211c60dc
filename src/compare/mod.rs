//! Layer 6, **compare**: matching rules side by side. [`rules`] puts the optimal model and
//! the rules used in practice behind one interface; [`bench`] runs them on batches,
//! [`generate`] makes synthetic batches, and [`simulate`] runs them day by day over a
//! [`scenario`].

pub mod bench;
pub mod generate;
pub mod rules;
pub mod scenario;
pub mod simulate;
