//! What a partial assignment uses of every shared resource: the feasibility state behind
//! the greedy MIP start, the small-component search, the single-move polish and every
//! heuristic matching rule.

use crate::matching::model::Formulation;
use crate::pair::instance::Instance;

/// What a partial assignment uses of every shared resource (beds, solo and conflict
/// company, provider admissions, authority budgets): the one feasibility state behind the
/// greedy MIP start and every heuristic matching rule ([`crate::compare::rules`]).
// Plain vectors by index, grown on first use: `fits` runs at every node of the small-component
// search, where SipHash was a third of the example batch's run time and Fx hashing still a
// fifth.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    home_children: Vec<i64>,
    home_units: Vec<Vec<usize>>,
    provider_children: Vec<i64>,
    /// Spend per budget index ([`Formulation::budgets`]).
    spend: Vec<f64>,
}

/// Entry `i` of a vector grown on use, for writing.
fn slot<T: Default + Clone>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize(i + 1, T::default());
    }
    &mut v[i]
}

impl Usage {
    /// Whether candidate `k` can be added without breaking capacity, solo, conflict,
    /// admission or budget rules.
    pub fn fits(&self, inst: &Instance, f: &Formulation, k: usize) -> bool {
        let c = &f.cands[k];
        let (u, h) = (c.unit, c.home);
        let home = &inst.batch.homes[h];
        let here = self.home_units.get(h).map(Vec::as_slice).unwrap_or(&[]);
        let p = inst.homes[h].provider;
        // Beds and admissions as the model's rows count them: a unit in a bed of its own, or
        // accepted, takes none of what is open to the others.
        self.home_children.get(h).copied().unwrap_or(0) + f.bed_use(inst, u, h) <= Formulation::open_beds(inst, h)
            && (!f.is_solo(inst, u) || here.is_empty())
            && !here.iter().any(|&o| f.is_solo(inst, o) || f.conflicts[u].contains(&o))
            && Formulation::open_admissions(inst, p)
                .is_none_or(|m| self.provider_children.get(p).copied().unwrap_or(0) + f.admission_use(inst, u) <= m)
            && f.unit_budgets[u].iter().all(|&(b, m)| {
                self.spend.get(b).copied().unwrap_or(0.0) + m as f64 * home.weekly_price <= f.budgets[b] + 1e-9
            })
    }

    /// Records candidate `k` as placed.
    pub fn take(&mut self, inst: &Instance, f: &Formulation, k: usize) {
        let c = &f.cands[k];
        *slot(&mut self.home_children, c.home) += f.bed_use(inst, c.unit, c.home);
        slot(&mut self.home_units, c.home).push(c.unit);
        *slot(&mut self.provider_children, inst.homes[c.home].provider) += f.admission_use(inst, c.unit);
        for &(b, m) in &f.unit_budgets[c.unit] {
            *slot(&mut self.spend, b) += m as f64 * inst.batch.homes[c.home].weekly_price;
        }
    }

    /// Undoes [`take`](Self::take) of candidate `k` (the last one taken at its home): the
    /// backtracking step of a depth-first search ([`crate::matching::small`]).
    pub fn untake(&mut self, inst: &Instance, f: &Formulation, k: usize) {
        let c = &f.cands[k];
        self.home_children[c.home] -= f.bed_use(inst, c.unit, c.home);
        let here = &mut self.home_units[c.home];
        let i = here.iter().rposition(|&o| o == c.unit).expect("taken");
        here.remove(i);
        self.provider_children[inst.homes[c.home].provider] -= f.admission_use(inst, c.unit);
        for &(b, m) in &f.unit_budgets[c.unit] {
            self.spend[b] -= m as f64 * inst.batch.homes[c.home].weekly_price;
        }
    }
}
