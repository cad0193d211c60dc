//! Bounds valid for the full model, not only for the pairs a solve holds.
//!
//! A solution that uses a pair left out of the HiGHS model costs at least the LP optimum plus
//! that pair's reduced cost (the LP's duals price every pair), so a MIP's bound over the active
//! pairs holds for the full model only up to the LP plus the least reduced cost left out
//! ([`full_bound`]). Pairs not even stored ([`Formulation::build_with`]) are priced by a bound
//! per unit ([`ComponentSolver::unstored_reduced`]): its floor less its assignment dual at a
//! plain home, its cost less rebate less what the home's rows charge at a special one. With a
//! requested gap g, an answer o is accepted once o − b ≤ g·o + the component's share of the
//! slack ([`ComponentSolver::within_gap`]).

use std::collections::HashMap;

use super::{ComponentSolver, Outcome};
use crate::matching::model::{Formulation, RowIndex};
use crate::pair::instance::Instance;

impl ComponentSolver<'_> {
    /// Units whose unstored pairs ([`Formulation::build_with`]) might still improve the
    /// unforced solve: a unit's unstored pairs have reduced cost at least
    /// [`Self::unstored_reduced`], and a pair matters only if that is below the gap between the
    /// answer and the LP bound (zero when the LP was integral). Empty when nothing was pruned,
    /// and under a time limit or a requested gap that stopped the search: that answer is not
    /// claimed optimal, and its bound counts the unstored pairs ([`Self::full_bound`]).
    pub fn unpriced_units(&self, base: &Outcome) -> Vec<usize> {
        let f = self.f;
        let units = &self.comp.units;
        if units.iter().all(|&u| f.complete(u)) {
            return Vec::new();
        }
        if self.trivial {
            let u = units[0];
            return if f.unstored_least(u) < base.objective - 1e-7 {
                vec![u]
            } else {
                Vec::new()
            };
        }
        let (Some((duals, _)), Some((lp_obj, _)), true) = (&self.base_duals, &self.base_lp, base.optimal) else {
            return Vec::new();
        };
        if self.within_gap(base.objective, base.bound) {
            // Within a requested gap of a bound that counts the unstored pairs
            // ([`Self::full_bound`]): storing them cannot take it out of the gap.
            return Vec::new();
        }
        let margin = (base.objective - lp_obj).max(0.0);
        let least = self.unstored_reduced(duals, margin, false);
        units
            .iter()
            .zip(least)
            .filter(|&(_, g)| g < margin - 1e-7)
            .map(|(&u, _)| u)
            .collect()
    }

    /// Whether an answer of `objective` with a `bound` valid for the full model is within the
    /// requested gap (never with gap 0: HiGHS proves those).
    pub(super) fn within_gap(&self, objective: f64, bound: f64) -> bool {
        self.opts.gap > 0.0 && objective - bound <= self.gap_slack(objective)
    }

    /// How far below `objective` a bound may be for [`Self::within_gap`] (0 for gap 0).
    pub(super) fn gap_slack(&self, objective: f64) -> f64 {
        match self.opts.gap {
            g if g > 0.0 => g * objective.abs() + self.gap_share,
            _ => 0.0,
        }
    }

    /// The objective below which an answer is [`Self::within_gap`] of the full model's bound
    /// at LP value `lp_obj`, b: o − b ≤ g·o + s ⇔ o ≤ (b + s) / (1 − g) for o ≥ 0 (+∞ for
    /// g ≥ 1). −∞, no target, for gap 0 or without an LP, and then the bound is not computed
    /// (a scan of every pair, on the unforced MIP's path).
    pub(super) fn gap_target(&self, lp_obj: Option<f64>) -> f64 {
        let (g, Some(lp)) = (self.opts.gap, lp_obj) else {
            return f64::NEG_INFINITY;
        };
        if g <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let bound = self.full_bound(lp, lp_obj);
        if !bound.is_finite() {
            f64::NEG_INFINITY
        } else if g >= 1.0 {
            f64::INFINITY
        } else {
            (bound + self.gap_share) / (1.0 - g)
        }
    }

    /// [`full_bound`] of a MIP bound over the active pairs, from the pairs left out now. Each
    /// pair left out counts at its Lagrangian forced bound where the LP has one, and the whole
    /// is never below the Lagrangian bound ([`crate::matching::lagrange`]).
    pub(super) fn full_bound(&self, mip_bound: f64, lp_obj: Option<f64>) -> f64 {
        let lagrangian = self.lagrangian.as_ref();
        let least_left_out = (0..self.comp.cands.len())
            .filter(|&p| self.col(p).is_none())
            .map(|p| match (lagrangian, lp_obj) {
                // (LP + reduced cost holds too, and is higher where the Lagrangian's base
                // came down for unstored pairs the ascent may price lower.)
                (Some((_, floor)), Some(lp)) => (floor[p] - lp).max(self.reduced[p]),
                _ => self.reduced[p],
            })
            .min_by(f64::total_cmp);
        // Unstored pairs: a solution using one costs at least the LP plus its least reduced
        // cost, and with several units' (where some could lower the LP) the LP plus the sum.
        let least_unstored = self.unstored.iter().copied().fold(f64::INFINITY, f64::min);
        let least_left_out = match least_left_out {
            Some(l) => Some(l.min(least_unstored)),
            None => least_unstored.is_finite().then_some(least_unstored),
        };
        let mut bound = full_bound(mip_bound, lp_obj, least_left_out);
        let below: f64 = self.unstored.iter().map(|g| g.min(0.0)).sum();
        if let (Some(lp), true) = (lp_obj, below < 0.0) {
            bound = bound.min(lp + below);
        }
        match lagrangian {
            Some(&(lb, _)) if lp_obj.is_some() => bound.max(lb),
            _ => bound,
        }
    }

    /// A lower bound on the optimum of the full model with pair `p` forced in as well (in a
    /// forced solve, besides the forced pair): the Lagrangian's where the LP has one, else LP
    /// + reduced cost.
    pub(super) fn forced_floor(&self, p: usize, lp_obj: f64) -> f64 {
        match &self.lagrangian {
            Some((_, floor)) => floor[p],
            None => lp_obj + self.reduced[p],
        }
    }

    /// Per unit (by slot), the least reduced cost any of its unstored pairs can have at
    /// `row_duals` (+∞ where every pair is stored). At a plain home the pair meets its
    /// assignment row and rows whose duals only raise it (capacity, budgets, solo, conflicts),
    /// so it is at least the unit's floor less its assignment dual. At a special home it is
    /// its cost less rebate (at least the unit's special floor) less the assignment dual and
    /// what the home's rows charge beyond the rebate ([`RebateDuals::excess`]): a bound takes
    /// the dearest special home's excess, and units whose bound lies below `exact_below` get
    /// their unstored special homes priced one by one instead (the bound takes a block bed at
    /// its full price wherever a unit might have one unstored; priced one by one, a block bed
    /// the LP has filled is worth only its row's dual, and the bound taken alone can fall far
    /// below the LP: docs/measurements.md, "Figures behind solver choices"). A home with
    /// no row yet gets one at its natural dual, which keeps the LP's duals feasible. Rows that
    /// only raise a pair (budgets, solo, conflicts) are left out, so the value stays a lower
    /// bound for the Lagrangian's use; `moving` as in [`RebateDuals`].
    pub(super) fn unstored_reduced(&self, row_duals: &[f64], exact_below: f64, moving: bool) -> Vec<f64> {
        use rayon::prelude::*;
        let (inst, f, comp) = (self.inst, self.f, self.comp);
        let mut out = vec![f64::INFINITY; comp.units.len()];
        if comp.units.iter().all(|&u| f.complete(u)) {
            return out;
        }
        let index = RowIndex::new(&self.rows);
        let duals = RebateDuals::new(inst, &index, row_duals, moving);
        let mut dearest: HashMap<usize, f64> = HashMap::new();
        for (slot, &u) in comp.units.iter().enumerate() {
            if f.complete(u) {
                continue;
            }
            let y = row_duals[index.assign[&u]];
            let mut g = f.floor[u] - y;
            if f.special_floor[u].is_finite() {
                let size = f.size(u);
                let most = *dearest.entry(size).or_insert_with(|| {
                    duals
                        .specials
                        .iter()
                        .map(|&h| duals.excess(inst, h, size))
                        .fold(f64::NEG_INFINITY, f64::max)
                });
                g = g.min(f.special_floor[u] - y - most);
            }
            out[slot] = g;
        }
        let slots: Vec<usize> = (0..comp.units.len())
            .filter(|&i| out[i] < exact_below - 1e-7 && f.special_floor[comp.units[i]].is_finite())
            .collect();
        let exact: Vec<f64> = slots
            .par_iter()
            .map(|&i| {
                let u = comp.units[i];
                let size = f.size(u);
                let y = row_duals[index.assign[&u]];
                let stored: Vec<usize> = f.unit_cands[u].clone().map(|k| f.cands[k].home).collect();
                let special = duals
                    .specials
                    .iter()
                    .filter(|h| stored.binary_search(h).is_err())
                    .filter_map(|&h| {
                        let net = f.unit_cost_at(inst, u, h)? - Formulation::rebate(inst, h, size);
                        Some(net - y - duals.excess(inst, h, size))
                    });
                special.fold(f.floor[u] - y, f64::min)
            })
            .collect();
        for (i, g) in slots.into_iter().zip(exact) {
            out[i] = g;
        }
        out
    }
}

/// What a special home's rows charge a pair there at some row duals, beyond its rebate: the
/// table [`ComponentSolver::unstored_reduced`] reads. Missing rows stand at their natural
/// duals (a block bed at its price, £1 per £ of discount, nothing elsewhere). `moving`: valid
/// also for any multipliers the Lagrangian ascent may give the rows it moves
/// ([`crate::matching::lagrange::ascend`]): capacity and admission rows charging nothing, a block bed
/// up to its price (or its LP dual, if more).
struct RebateDuals {
    /// The special homes ([`Formulation::special_home`]).
    specials: Vec<usize>,
    /// Per home: capacity dual, block-bed and discount-value multipliers, its own term of
    /// its provider's "others" rows.
    cap_y: Vec<f64>,
    block_mu: Vec<f64>,
    value_mu: Vec<f64>,
    own_others: Vec<f64>,
    /// Per provider: admissions and count duals, the sum of its "others" rows' terms.
    adm_y: Vec<f64>,
    count_y: Vec<f64>,
    others: Vec<f64>,
}

impl RebateDuals {
    fn new(inst: &Instance, index: &RowIndex, row_duals: &[f64], moving: bool) -> RebateDuals {
        let (n_homes, n_providers) = (inst.batch.homes.len(), inst.batch.providers.len());
        let dual = |r: Option<&usize>, natural: f64| r.map_or(natural, |&r| row_duals[r]);
        let mut d = RebateDuals {
            specials: (0..n_homes).filter(|&h| Formulation::special_home(inst, h)).collect(),
            cap_y: vec![0.0; n_homes],
            block_mu: vec![0.0; n_homes],
            value_mu: vec![0.0; n_homes],
            own_others: vec![0.0; n_homes],
            adm_y: vec![0.0; n_providers],
            count_y: vec![0.0; n_providers],
            others: vec![0.0; n_providers],
        };
        for &h in &d.specials {
            let price = inst.batch.homes[h].weekly_price;
            let block = -dual(index.block.get(&h), -price);
            d.block_mu[h] = if moving { block.max(price) } else { block };
            d.value_mu[h] = -dual(index.discount_value.get(&h), -1.0);
            if !moving {
                d.cap_y[h] = dual(index.capacity.get(&h), 0.0);
            }
        }
        for p in 0..n_providers {
            if !moving {
                d.adm_y[p] = dual(index.admissions.get(&p), 0.0);
            }
            d.count_y[p] = dual(index.discount_count.get(&p), 0.0);
            for &(h2, r) in index.discount_others.get(&p).into_iter().flatten() {
                let term = Formulation::discount_cap(inst, h2).expect("a discounting provider") * row_duals[r];
                d.others[p] += term;
                d.own_others[h2] = term;
            }
        }
        d
    }

    /// How much the rows of special home `h` lower the reduced cost of a unit of `size`
    /// placed there below its cost less rebate ([`Formulation::rebate`]) less its assignment
    /// dual. (Each row's term is −coefficient × dual, as in pricing.)
    fn excess(&self, inst: &Instance, h: usize, size: usize) -> f64 {
        let p = inst.homes[h].provider;
        let (beds, discount) = Formulation::rebate_parts(inst, h, size);
        let (price, s) = (inst.batch.homes[h].weekly_price, size as f64);
        beds * (self.block_mu[h] - price)
            + s * discount * (self.value_mu[h] - 1.0)
            + s * (self.cap_y[h] + self.adm_y[p] + self.count_y[p])
            + s * (self.own_others[h] - self.others[p])
    }
}

/// A lower bound for a whole component from a MIP over its active pairs only. A solution
/// that uses a pair left out costs at least the LP optimum plus that pair's reduced cost (the
/// LP duals price every pair), so the MIP's bound holds for the full model only up to the LP
/// plus the least reduced cost left out. Without an optimal LP the pairs left out were not
/// priced and nothing is known (reporting the MIP's bound as it was claimed gaps never proven:
/// docs/measurements.md).
fn full_bound(mip_bound: f64, lp_obj: Option<f64>, least_left_out: Option<f64>) -> f64 {
    match (least_left_out, lp_obj) {
        (None, _) => mip_bound,
        (Some(rc), Some(lp)) => mip_bound.min(lp + rc),
        (Some(_), None) => f64::NEG_INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::full_bound;
    use crate::matching::model::{Formulation, RowIndex, RowKey};
    use crate::matching::solver::{ComponentSolver, SolveOptions};

    /// An unstored pair's reduced cost priced from scratch over the pruned component's rows
    /// (the full formulation's entries, looked up by key) at the LP's `duals`; with
    /// `cheapest_moving`, each row the ascent moves at the multiplier that makes the pair
    /// cheapest instead (capacity and admission rows charging nothing, a block bed charged its
    /// price or its LP dual if more). Rows missing from the component stand at their natural
    /// duals (a block bed at its price, £1 per £ of discount); rows that only raise a pair
    /// (budgets) are left out, as the bound under test promises to be below even that.
    fn priced_from_scratch(
        s: &ComponentSolver,
        full: &Formulation,
        k: usize,
        duals: &[f64],
        cheapest_moving: bool,
    ) -> f64 {
        let inst = s.inst;
        let index = RowIndex::new(&s.rows);
        let mut entries = Vec::new();
        full.entries(inst, k, &index, &mut entries);
        let (u, h) = (full.cands[k].unit, full.cands[k].home);
        let size = full.size(u) as f64;
        let home = &inst.batch.homes[h];
        let mut reduced = full.cands[k].cost;
        for &(r, coef) in &entries {
            let key = &s.rows[r].0;
            // Duals are ≤ 0 on these ≤ rows: a multiplier m is a dual of −m.
            reduced -= coef
                * match (key, cheapest_moving) {
                    (RowKey::Budget(_) | RowKey::BudgetCount(_) | RowKey::BudgetAlone(..), _) => 0.0,
                    (RowKey::Capacity(_) | RowKey::Admissions(_), true) => 0.0,
                    (RowKey::Block(_), true) => duals[r].min(-home.weekly_price),
                    _ => duals[r],
                };
        }
        if home.block_vacancies > 0 && !index.block.contains_key(&h) {
            reduced -= size.min(home.block_vacancies as f64) * home.weekly_price;
        }
        let provider = &inst.batch.providers[inst.homes[h].provider];
        if let (Some(d), false) = (&provider.volume_discount, index.discount_value.contains_key(&h)) {
            reduced -= size * home.weekly_price * d.percent / 100.0;
        }
        reduced
    }

    /// The bound on each child's unstored pairs ([`ComponentSolver::unstored_reduced`]) is
    /// never above any one of them priced from scratch: at the LP's duals for pricing, and,
    /// for the Lagrangian ascent, at the multipliers it may move to that make a pair cheapest
    /// (capacity and admission rows charging nothing, a block bed charged its price or its
    /// LP dual if more). The ascent's bound priced at the LP's duals is undercut on these
    /// batches, which is why it has its own rule.
    #[test]
    fn unstored_pair_bounds_hold_at_every_multiplier_the_ascent_may_try() {
        let (mut compared, mut undercut_at_lp_duals) = (0, 0);
        for seed in 0..12 {
            let opts = crate::compare::generate::GenOptions::with_side_constraints(40, 160, seed);
            let batch = crate::compare::generate::generate(&opts);
            let inst = crate::pair::instance::Instance::locate(batch, None);
            let (pruned, full) = (Formulation::build_with(&inst, 1, &[]), Formulation::build(&inst));
            let solve_opts = SolveOptions {
                small_units: 0,
                ..SolveOptions::default()
            };
            for comp in &pruned.components {
                let mut s = ComponentSolver::new(&inst, &pruned, comp, &solve_opts, None);
                s.solve(None).expect("the unforced model is always feasible");
                let Some((duals, _)) = s.base_duals.clone() else {
                    continue; // a lone unit: no LP
                };
                let at_lp = s.unstored_reduced(&duals, f64::INFINITY, false);
                let for_ascent = [0.0, f64::INFINITY].map(|exact_below| s.unstored_reduced(&duals, exact_below, true));
                for (slot, &u) in comp.units.iter().enumerate() {
                    let stored: Vec<usize> = pruned.unit_cands[u].clone().map(|k| pruned.cands[k].home).collect();
                    for k in full.unit_cands[u]
                        .clone()
                        .filter(|&k| !stored.contains(&full.cands[k].home))
                    {
                        let h = full.cands[k].home;
                        let lp_value = priced_from_scratch(&s, &full, k, &duals, false);
                        let least = priced_from_scratch(&s, &full, k, &duals, true);
                        assert!(
                            at_lp[slot] <= lp_value + 1e-6,
                            "seed {seed}, unit {u} at home {h}: bound {} above the pair at the LP's duals {lp_value}",
                            at_lp[slot]
                        );
                        for bound in &for_ascent {
                            assert!(
                                bound[slot] <= least + 1e-6,
                                "seed {seed}, unit {u} at home {h}: the ascent's bound {} above the pair at its cheapest multipliers {least}",
                                bound[slot]
                            );
                        }
                        compared += 1;
                        undercut_at_lp_duals += usize::from(at_lp[slot] > least + 1e-6);
                    }
                }
            }
        }
        assert!(compared > 10_000, "{compared} unstored pairs compared");
        assert!(
            undercut_at_lp_duals > 0,
            "no pair priced at the LP's duals was undercut"
        );
    }

    #[test]
    fn a_mip_bound_over_active_pairs_is_capped_by_the_pairs_left_out() {
        // Every pair in: the MIP's bound stands.
        assert_eq!(full_bound(120.0, Some(100.0), None), 120.0);
        // A pair left out with reduced cost 5 could give 105: the MIP's 120 is not proven.
        assert_eq!(full_bound(120.0, Some(100.0), Some(5.0)), 105.0);
        // Pairs left out that cannot beat the MIP's bound leave it.
        assert_eq!(full_bound(120.0, Some(100.0), Some(30.0)), 120.0);
        // No LP, so the pairs left out were never priced: no bound.
        assert_eq!(full_bound(120.0, None, Some(30.0)), f64::NEG_INFINITY);
        assert_eq!(full_bound(120.0, None, None), 120.0);
    }
}
