//! Cover cuts on the capacity and admission rows, which close most of the LP's integrality gap.
//!
//! Sibling groups are units of two or more children, so a home's capacity row
//! Σ size_u·y_uh ≤ V_h and a provider's admission row Σ size_u·y_uh ≤ A_p are knapsacks, and
//! the LP fills their last odd bed with half a pair of siblings: on the 300 × 3,000 batch with
//! siblings, conflicts, block beds and admission limits (seed 2) the whole gap of £234 is two
//! sibling pairs at ½, one of them in a home with one bed left, the other at a provider that
//! admits one child more. Each such point breaks a cover inequality: for a set C of a row's
//! columns whose sizes add up to more than its bound, at most |C| − 1 of them are placed, and
//! so at most |C| − 1 of C together with every column at least as large as C's largest (the
//! extended cover). Both hold at every integer point whatever the other columns do, so a cut
//! stays valid as pricing brings columns in (they enter it with coefficient 0), for forced
//! solves too, and in the MIP.
//!
//! Separation is the usual greedy one: the row's columns with a positive value, those nearest
//! 1 first, until they overfill the row; then the smallest values dropped while it stays a
//! cover (each drop raises the violation by 1 − y). A cut is added where the LP breaks it by
//! more than round-off. With the cuts, the forced LPs of the regret search are integral far
//! more often, and the LP's reduced costs bound the regrets without the gap.

use std::collections::BTreeMap;

use highs::Model;

use super::ffi;
use super::ComponentSolver;
use crate::matching::model::RowKey;

/// Rounds of separation at most per LP: each round re-solves the LP warm.
pub(super) const CUT_ROUNDS: usize = 20;

/// By how much a cut must be broken to be added: well above the LP's tolerances.
const VIOLATION: f64 = 1e-4;

impl ComponentSolver<'_> {
    /// Adds to `lp` the cover cuts that `cols` (an LP answer) breaks, one at most per capacity
    /// or admission row (module docs). Returns how many were added.
    pub(super) fn add_cover_cuts(&mut self, lp: &mut Model, cols: &[f64]) -> usize {
        if self.knapsacks || !self.opts.cover_cuts {
            // Budget components have the Lagrangian's bounds, which know nothing of cuts.
            return 0;
        }
        // Per knapsack row, its active columns: (position, size, value).
        let mut rows: BTreeMap<usize, Vec<(usize, f64, f64)>> = BTreeMap::new();
        let mut fractional_rows: Vec<usize> = Vec::new();
        for &p in &self.active_list {
            let c = self.col(p).expect("active");
            let x = cols[c];
            let frac = (x - x.round()).abs() > 1e-9;
            for (r, v) in self.ent.of(p) {
                if matches!(self.rows[r].0, RowKey::Capacity(_) | RowKey::Admissions(_)) {
                    rows.entry(r).or_default().push((p, v, x));
                    if frac {
                        fractional_rows.push(r);
                    }
                }
            }
        }
        fractional_rows.sort_unstable();
        fractional_rows.dedup();
        let mut cuts: Vec<(f64, Vec<usize>)> = Vec::new();
        for r in fractional_rows {
            let bound = self.rows[r].2;
            if let Some(cut) = cover(&rows[&r], bound) {
                cuts.push(cut);
            }
        }
        if cuts.is_empty() {
            return 0;
        }
        let first = self.rows.len();
        let (mut lower, mut upper, mut start, mut index, mut value) = (vec![], vec![], vec![], vec![], vec![]);
        for (i, (rhs, members)) in cuts.iter().enumerate() {
            let r = first + i;
            lower.push(f64::NEG_INFINITY);
            upper.push(*rhs);
            start.push(index.len() as highs_sys::HighsInt);
            for &p in members {
                index.push(self.col(p).expect("active") as highs_sys::HighsInt);
                value.push(1.0);
                self.dyn_entries.entry(p).or_default().push((r, 1.0));
            }
            self.rows.push((RowKey::Cover(r), f64::NEG_INFINITY, *rhs));
        }
        ffi::add_rows(lp, &lower, &upper, &start, &index, &value);
        // Rows were added: the next pricing is a full one.
        self.priced_at = None;
        cuts.len()
    }
}

/// The extended cover cut that `entries` (position, size, LP value) of a knapsack row with
/// bound `bound` break most by the greedy separation, as (|C| − 1, its positions), or None.
fn cover(entries: &[(usize, f64, f64)], bound: f64) -> Option<(f64, Vec<usize>)> {
    let mut lit: Vec<&(usize, f64, f64)> = entries.iter().filter(|e| e.2 > 1e-9).collect();
    // Nearest 1 first; then the larger (fewer items overfill the row); then by position.
    lit.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.1.total_cmp(&a.1)).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<&(usize, f64, f64)> = Vec::new();
    let mut weight = 0.0;
    for e in lit {
        if weight > bound + 1e-9 {
            break;
        }
        weight += e.1;
        chosen.push(e);
    }
    if weight <= bound + 1e-9 {
        return None;
    }
    // Minimal: the smallest values out first while the rest still overfill the row.
    chosen.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let mut kept: Vec<&(usize, f64, f64)> = Vec::new();
    for (i, e) in chosen.iter().enumerate() {
        let rest: f64 = kept.iter().map(|k| k.1).sum::<f64>() + chosen[i + 1..].iter().map(|k| k.1).sum::<f64>();
        if rest <= bound + 1e-9 {
            kept.push(e);
        }
    }
    let rhs = kept.len() as f64 - 1.0;
    let largest = kept.iter().map(|e| e.1).fold(0.0, f64::max);
    let mut members: Vec<usize> = entries.iter().filter(|e| e.1 >= largest).map(|e| e.0).collect();
    members.extend(kept.iter().map(|e| e.0));
    members.sort_unstable();
    members.dedup();
    let value: f64 = entries
        .iter()
        .filter(|e| members.binary_search(&e.0).is_ok())
        .map(|e| e.2)
        .sum();
    (value > rhs + VIOLATION).then_some((rhs, members))
}

#[cfg(test)]
mod tests {
    use super::cover;

    #[test]
    fn half_a_sibling_pair_in_the_last_bed_is_cut_off() {
        // Two children at 1 and a pair at ½ in a home of three beds: at most two of the three.
        let cut = cover(&[(0, 1.0, 1.0), (1, 1.0, 1.0), (2, 2.0, 0.5)], 3.0).expect("a cut");
        assert_eq!(cut, (2.0, vec![0, 1, 2]));
    }

    #[test]
    fn a_pair_at_a_provider_that_admits_one_is_cut_to_zero() {
        let cut = cover(&[(4, 2.0, 0.5), (7, 1.0, 0.0)], 1.0).expect("a cut");
        // The pair alone overfills the row; the child of size 1 is smaller, so not extended.
        assert_eq!(cut, (0.0, vec![4]));
    }

    #[test]
    fn an_lp_point_that_meets_every_cover_gets_no_cut() {
        assert_eq!(cover(&[(0, 1.0, 1.0), (1, 1.0, 0.5), (2, 1.0, 0.5)], 2.0), None);
        assert_eq!(cover(&[(0, 2.0, 0.5), (1, 2.0, 0.5)], 2.0), None);
    }

    #[test]
    fn every_integer_point_meets_each_cut_found() {
        // Brute force over a row of five columns: each cut found from fractional points holds
        // at every 0/1 point that fits the row.
        let sizes = [1.0, 2.0, 3.0, 1.0, 2.0];
        let bound = 4.0;
        for seed in 0..200u32 {
            let x: Vec<f64> = (0..5).map(|i| ((seed * 7 + i * 13) % 5) as f64 / 4.0).collect();
            let entries: Vec<(usize, f64, f64)> = (0..5).map(|i| (i, sizes[i], x[i])).collect();
            let Some((rhs, members)) = cover(&entries, bound) else {
                continue;
            };
            for bits in 0..32u32 {
                let on = |i: usize| bits >> i & 1 == 1;
                let load: f64 = (0..5).filter(|&i| on(i)).map(|i| sizes[i]).sum();
                if load <= bound {
                    let lhs = members.iter().filter(|&&i| on(i)).count() as f64;
                    assert!(lhs <= rhs, "cut {members:?} ≤ {rhs} fails at {bits:05b}");
                }
            }
        }
    }
}
