//! Bed values: an opportunity cost per bed, added to the day's costs.
//!
//! The `lookahead` rule (`src/compare/lookahead/`) prices each free bed by what it is expected
//! to be worth to the children of the coming weeks (a bid price, in the objective's weekly
//! pounds-equivalent). Placing a unit of `size` children at home `j` then costs
//! c_uj + size·v_j instead of c_uj, and the MIP is otherwise unchanged: same rows, same
//! solver, solved to optimality for the valued objective.
//!
//! Values must not make the MIP drop children it would otherwise place, unless a child may be
//! *held*: a unit with a member that may not be held has its unplaced cost raised by the
//! largest value it could be charged (max_j size·v_j over its eligible homes). Leaving it
//! unplaced then costs at least as much more as placing it anywhere does, so values only
//! move such a unit between homes (or let a holdable one take its bed); they never make it
//! cheaper to leave it out.

use crate::matching::model::Formulation;

/// Per home (batch index), a value per bed per week; per child, whether it may be held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BedValues {
    /// Value of one bed at each home of the batch, pounds-equivalent per week (≥ 0).
    pub per_home: Vec<f64>,
    /// Per child of the batch: whether the rule may leave it waiting for a better bed.
    pub holdable: Vec<bool>,
}

impl BedValues {
    /// Adds the values to the formulation's pair costs, and raises the unplaced cost of each
    /// unit that may not be held by the most it could be charged.
    pub fn apply(&self, f: &mut Formulation) {
        for u in 0..f.units.len() {
            let size = f.size(u) as f64;
            let mut most = 0.0_f64;
            for k in f.unit_cands[u].clone() {
                let v = self.per_home.get(f.cands[k].home).copied().unwrap_or(0.0).max(0.0) * size;
                f.cands[k].cost += v;
                most = most.max(v);
            }
            let hold = f.units[u]
                .members
                .iter()
                .all(|&m| self.holdable.get(m).copied().unwrap_or(false));
            if !hold {
                f.unplaced[u] += most;
            }
        }
    }
}
