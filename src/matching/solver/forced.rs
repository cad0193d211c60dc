//! What the regret search asks of a solver: forced re-solves ("this child there") that leave
//! the model as they found it, whether unstored pairs could have changed their answers, and
//! the unforced solve's bounds that rank candidates before any re-solve (LP + reduced cost,
//! the Lagrangian's forced bounds, the dual potentials of a plain assignment).

use std::collections::HashMap;

use super::{ComponentSolver, Outcome, Solved};
use crate::matching::model::{Formulation, RowKey};

/// A forced solve that widened its MIP, or grew the active pairs by more than 1/this, is
/// rolled back after it.
const ROLL_BACK_GROWTH: usize = 4;

/// Forced MIPs, each as long as the unforced one, that an explaining budget must hold for
/// forced MIPs to be tried at all ([`ComponentSolver::forced_mips_fit`]): fewer explain
/// a handful of alternatives and spend the whole budget doing it.
pub(super) const FORCED_MIPS_LEAST: usize = 8;

impl ComponentSolver<'_> {
    /// [`solve_below`](Self::solve_below) with HiGHS: LP relaxation with column generation,
    /// then the MIP when the LP is fractional and below the cutoff.
    ///
    /// A forced solve that widened its MIP (often thousands of pairs) or grew the model by over
    /// a quarter leaves it as it found it: the pairs and rows it added are dropped again, or
    /// every later forced LP and MIP would carry them and get several times slower
    /// (docs/measurements.md, "Figures behind solver choices").
    pub(super) fn solve_highs(&mut self, forced: Option<usize>, cutoff: f64) -> Solved {
        if forced.is_none() {
            return self.solve_highs_at(forced, cutoff);
        }
        let (mark, widenings) = ((self.active_list.len(), self.rows.len()), self.widenings);
        let mut solved = self.solve_highs_at(forced, cutoff);
        self.check_unstored(&mut solved);
        // The few pairs a forced LP prices in tend to serve the next forced solve too (on a
        // 300 × 3,000 batch, dropping them all cost 36 %); a widened MIP's thousands do not.
        if self.widenings > widenings || self.active_list.len() - mark.0 > mark.0 / ROLL_BACK_GROWTH {
            self.roll_back(mark);
        }
        solved
    }

    /// Whether a forced solve's answer holds for the unstored pairs too: a solution using one
    /// costs at least the forced LP plus its least reduced cost (the sum of them, where some
    /// are negative). Units whose unstored pairs could beat the answer (or the value a cut-off
    /// solve reports) are noted ([`Self::take_unsure`]), and a found answer is then only an
    /// upper bound (not optimal).
    pub(super) fn check_unstored(&mut self, solved: &mut Solved) {
        let all_stored = self.f.cands.len() >= self.f.eligible_pairs;
        if all_stored || self.unstored.iter().all(|g| g.is_infinite()) {
            return;
        }
        let value = match solved {
            Solved::Exact(o) if o.optimal => o.objective,
            Solved::AtLeast(v) => *v,
            _ => return,
        };
        // A unit whose pairs could lower the LP, or whose least pair lies below the value.
        let short: Vec<usize> = match self.last_lp {
            Some(lp) => self
                .comp
                .units
                .iter()
                .zip(&self.unstored)
                .filter(|&(_, &g)| g < (value - lp).max(0.0) - 1e-7)
                .map(|(&u, _)| u)
                .collect(),
            None => self
                .comp
                .units
                .iter()
                .copied()
                .filter(|&u| !self.f.complete(u))
                .collect(),
        };
        if short.is_empty() {
            return;
        }
        self.unsure.extend(short);
        if let Solved::Exact(o) = solved {
            o.optimal = false;
        }
    }

    /// Units whose unstored pairs might have changed a forced solve's answer since the last
    /// call: their regrets are then not proven (without a time limit, store them and solve
    /// again).
    pub fn take_unsure(&mut self) -> Vec<usize> {
        let mut v = std::mem::take(&mut self.unsure);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The optimum's dual potentials when the component is a plain assignment of single
    /// children whose unforced LP was integral: (unit → assignment-row dual, home →
    /// capacity-row dual). These make every residual arc's reduced cost non-negative, which
    /// is what exact regret by shortest paths ([`crate::matching::regret`]) needs.
    pub fn plain_potentials(&self) -> Option<(HashMap<usize, f64>, HashMap<usize, f64>)> {
        if self.trivial {
            // A lone child with pruned pairs, where a pair's lone value is its cost (no
            // rebates, admission limits or budget), has no LP; its potential is what it costs
            // now and no home's bed is priced.
            let (u, f) = (self.comp.units[0], self.f);
            let plain = f.size(u) == 1
                && f.special_floor[u].is_infinite()
                && f.unit_budgets[u].is_empty()
                && f.unit_cands[u]
                    .clone()
                    .all(|k| !Formulation::special_home(self.inst, f.cands[k].home));
            return (plain && f.floor[u].is_finite()).then(|| {
                let now = self.solve_trivial(None).expect("the unforced model is always feasible");
                (HashMap::from([(u, now.objective)]), HashMap::new())
            });
        }
        // Unstored pairs at special homes would need rows the graph does not have.
        if !self.is_plain()
            || self
                .comp
                .units
                .iter()
                .any(|&u| self.f.size(u) != 1 || self.f.special_floor[u].is_finite())
        {
            return None;
        }
        let (duals, true) = self.base_duals.as_ref()? else {
            return None;
        };
        let (mut unit, mut home) = (HashMap::new(), HashMap::new());
        for (r, (key, _, _)) in self.rows.iter().enumerate() {
            match key {
                RowKey::Assign(u) => drop(unit.insert(*u, duals[r])),
                RowKey::Capacity(h) => drop(home.insert(*h, duals[r])),
                _ => return None,
            }
        }
        Some((unit, home))
    }

    /// Per unit (by slot), a lower bound on its regret at any of its unstored pairs, from the
    /// unforced solve (+∞ when every pair is stored, −∞ when there is no LP to price them
    /// with): its special homes priced one by one, once for the component.
    pub fn unstored_regret_floors(&self, base: &Outcome) -> Vec<f64> {
        let (f, units) = (self.f, &self.comp.units);
        if self.trivial {
            return units.iter().map(|&u| f.unstored_least(u) - base.objective).collect();
        }
        match (&self.base_duals, &self.base_lp) {
            (Some((duals, _)), Some((lp_obj, _))) => self
                .unstored_reduced(duals, f64::INFINITY, false)
                .into_iter()
                .map(|g| lp_obj + g - base.objective)
                .collect(),
            _ => units
                .iter()
                .map(|&u| {
                    if f.complete(u) {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect(),
        }
    }

    /// LP objective and reduced cost per candidate from the unforced solve: lower bounds on
    /// regret (the LP value is convex in a column's lower bound, its slope the reduced cost).
    /// For a component the small search settled: 0 and the search's root bound with each
    /// candidate forced ([`SmallSolver::forced_bounds`]); for a budget component with a
    /// fractional LP, the Lagrangian forced bound less the LP value ([`crate::matching::lagrange`]);
    /// lp_obj + rc bounds the forced optimum from below in every case. (By position in the
    /// component's candidate list.)
    pub fn lp_reduced_costs(&self) -> Option<&(f64, Vec<f64>)> {
        self.base_lp.as_ref()
    }

    /// The unforced LP's per-budget Lagrangian bound ([`crate::matching::lagrange`]): a lower bound on
    /// the component's optimum at or above the LP's value. None without weekly budgets, or
    /// when the LP was integral or did not finish.
    pub fn lagrangian_bound(&self) -> Option<f64> {
        self.base_lagrangian
    }

    /// Whether forced MIPs are worth their time under an explaining budget of `budget`
    /// seconds: at least [`FORCED_MIPS_LEAST`] of them, each as long as the unforced solve's
    /// MIP, fit in it. On the 150 × 6,000 batch with every side rule the unforced MIP (weekly
    /// budgets) takes 3–5 s, and forced MIPs, as hard, did not finish one in the 8 s budget.
    pub fn forced_mips_fit(&self, budget: f64) -> bool {
        self.base_mip_seconds * FORCED_MIPS_LEAST as f64 <= budget
    }

    /// Whether forced LPs can tighten what the unforced solve proved: not in a component
    /// with weekly budgets whose LP was fractional, where each pair's lower bound is already
    /// the Lagrangian's with that pair forced (after the ascent), at or above its forced LP's
    /// value (on the 150 × 6,000 batch with every side rule, 160 forced LPs of 0.04–0.07 s
    /// raised none).
    pub fn forced_lps_tighten(&self) -> bool {
        !(self.knapsacks && self.base_lagrangian.is_some())
    }

    /// The last LP's Lagrangian bound, forced or not, and per candidate position the bound with
    /// that pair forced in as well (what its reduced-cost fixing used). None where that LP had
    /// none.
    pub fn last_lagrangian(&self) -> Option<&(f64, Vec<f64>)> {
        self.lagrangian.as_ref()
    }
}
