//! Layer 5, **matching**: the day's mixed-integer programme ([`model`]), solved per
//! component ([`solver`], with [`small`] components by exact search, [`lagrange`]'s bound
//! for weekly budgets and [`lns`] for time-limited runs), the alternatives' regrets
//! ([`regret`]; [`single_moves`] when time runs out) and the explained result ([`explain`]); [`bed_values`] adds a look-ahead
//! rule's opportunity cost per bed to the day's costs.

pub mod assemble;
pub mod bed_values;
pub mod explain;
pub mod lagrange;
pub mod lns;
pub mod model;
pub mod regret;
pub mod single_moves;
pub mod small;
pub mod solver;
pub mod usage;
