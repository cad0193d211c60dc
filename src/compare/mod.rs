//! Layer 6, **compare**: matching rules side by side. [`rules`] puts the optimal model and
//! the rules used in practice behind one interface; [`bench`] runs them on batches,
//! [`generate`] makes synthetic batches, and [`simulate`] runs them day by day over a
//! [`scenario`]; [`lookahead`] values beds by the demand forecast for the `lookahead` rule.

pub mod bench;
pub mod generate;
pub mod lookahead;
pub mod rules;
pub mod scenario;
pub mod simulate;
