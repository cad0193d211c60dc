//! The per-budget Lagrangian bound of a component with weekly budgets
//! ([`crate::matching::lagrange`]), from the LP's duals: every row but the budgets' keeps its
//! dual, each budget group is solved as a small knapsack, and the bound rises by what the
//! groups gain over the LP. Per pair it also bounds the optimum with that pair forced in, which
//! widening and the regret search use instead of LP + reduced cost. A subgradient ascent over
//! the capacity, admission and block-bed rows then raises both.

use std::collections::HashSet;
use std::time::Instant;

use super::ComponentSolver;
use crate::matching::model::{RowIndex, RowKey};

/// Reduced cost above which a pair is left out of the plans of its budget's Lagrangian
/// subproblem ([`crate::matching::lagrange::solve`]), £ per week.
const LAGRANGIAN_CAP: f64 = 2000.0;
/// The most of the time left that the Lagrangian bounds at the LP's duals may take under a
/// time limit: on a batch of large authorities they took longer than the whole limit
/// (docs/measurements.md, "Figures behind solver choices").
const LAGRANGIAN_SHARE: f64 = 0.2;
/// Cap on reduced costs in the subgradient steps' subproblems ([`crate::matching::lagrange::ascend`]):
/// lower than [`LAGRANGIAN_CAP`] for speed, still a bound at every step. At 300 the capped
/// groups stopped the climb (regional backlog, 150 steps: 510,769 against 512,703 at 800).
const ASCENT_CAP: f64 = 800.0;
/// Bound evaluations of the subgradient ascent ([`crate::matching::lagrange::ascend`]).
pub(super) const ASCENT_EVALUATIONS: usize = 100;

/// The Lagrangian problem of a component's base LP for [`crate::matching::lagrange::ascend`], and per
/// unit option the candidate position it stands for.
pub(super) struct AscentInput {
    problem: crate::matching::lagrange::Problem,
    positions: Vec<Vec<Option<usize>>>,
    /// Candidate positions in the component.
    cands: usize,
}

impl AscentInput {
    /// Runs the ascent (until `evaluations`, `deadline` or `stop`) and returns the bound
    /// reached and (unless `beside`) per candidate position a lower bound with that pair forced
    /// in (−∞ where it has none); None when no step was taken. `beside`: a solver runs beside it, on the
    /// other core, under a time limit: one thread, and no forced bounds (the groups solved
    /// with every option forced, which only widening and the regret search use).
    pub(super) fn run(
        &mut self,
        evaluations: usize,
        deadline: Option<Instant>,
        stop: Option<&std::sync::atomic::AtomicBool>,
        beside: bool,
    ) -> Option<(f64, Option<Vec<f64>>)> {
        let t0 = Instant::now();
        self.problem.parallel = !beside;
        let sifted = self.problem.sifted(ASCENT_CAP);
        let ascent = crate::matching::lagrange::ascend(&sifted, ASCENT_CAP, evaluations, deadline, stop);
        drop(sifted);
        if ascent.evaluations < 2 {
            return None;
        }
        if beside {
            crate::debug!(
                "lagrangian ascent beside the MIP: {} evaluations, bound {:.2}",
                ascent.evaluations,
                ascent.bound
            );
            return Some((ascent.bound, None));
        }
        let (bound, floors) = self.problem.floors(&ascent.multipliers, LAGRANGIAN_CAP);
        let mut floor = vec![f64::NEG_INFINITY; self.cands];
        for (ps, fl) in self.positions.iter().zip(&floors) {
            for (pos, &v) in ps.iter().zip(fl) {
                if let Some(p) = pos {
                    floor[*p] = v;
                }
            }
        }
        crate::debug!(
            "lagrangian ascent: {} evaluations, bound {:.2} in {:.2} s",
            ascent.evaluations,
            bound.max(ascent.bound),
            t0.elapsed().as_secs_f64()
        );
        Some((bound.max(ascent.bound), Some(floor)))
    }
}

/// What [`ComponentSolver::compute_lagrangian`] and the ascent's problem are built from.
struct LagrangianParts {
    /// Each unit's choices: (position, choice), unplaced and the unstored pairs with none.
    choices: Vec<Vec<(Option<usize>, crate::matching::lagrange::Choice)>>,
    /// What comes off the LP's value for unstored pairs below the stored ones (Σ d ≤ 0).
    shift: f64,
    /// Each unit's least reduced cost.
    least: Vec<f64>,
    /// The budget groups (slots, group with reduced costs rebased).
    groups: Vec<(Vec<usize>, crate::matching::lagrange::Group)>,
}

impl ComponentSolver<'_> {
    /// The per-budget Lagrangian bound at the LP's optimum ([`crate::matching::lagrange`]): the bound,
    /// and per candidate position the bound with that pair forced in too. In a forced solve
    /// (`forced`: the position fixed at 1) the forced unit's one choice is that pair. The
    /// subproblems are the budget groups ([`Formulation::budget_groups`]); a budget that a unit
    /// shares with another (siblings of two authorities) keeps its LP value (Δ = 0, still
    /// valid).
    pub(super) fn compute_lagrangian(
        &self,
        lp_obj: f64,
        row_duals: &[f64],
        col_duals: &[f64],
        forced: Option<usize>,
    ) -> (Option<(f64, Vec<f64>)>, Option<AscentInput>) {
        let t0 = Instant::now();
        let comp = self.comp;
        let parts = self.lagrangian_parts(row_duals, col_duals, forced, &self.unstored);
        let (choices, least, groups) = (&parts.choices, &parts.least, &parts.groups);
        let lp_obj = lp_obj + parts.shift;
        // Independent small problems: side by side on the cores (a regional backlog's 149
        // took 1.1 s one after another). Under a time limit, a group not solved within its
        // share of the time keeps its LP value (Δ = 0).
        let until = self
            .deadline
            .map(|d| t0 + d.saturating_duration_since(t0).mul_f64(LAGRANGIAN_SHARE));
        let solved: Vec<Option<crate::matching::lagrange::GroupBound>> = {
            use rayon::prelude::*;
            groups
                .par_iter()
                .map(|(_, g)| crate::matching::lagrange::solve(g, LAGRANGIAN_CAP, until))
                .collect()
        };
        let mut total_gap = 0.0;
        // Per position: Δ(pair) − Δ of its budget, where that budget was solved.
        let mut rise: Vec<f64> = vec![f64::NAN; comp.cands.len()];
        let solved_ok: Vec<bool> = solved.iter().map(Option::is_some).collect();
        for ((slots, _), solved) in groups.iter().zip(solved) {
            let Some(solved) = solved else {
                continue; // too large: its LP value stands (Δ = 0)
            };
            total_gap += solved.gap;
            for (&i, row) in slots.iter().zip(&solved.forced) {
                for (&(pos, _), &v) in choices[i].iter().zip(row) {
                    if let Some(p) = pos {
                        rise[p] = v - solved.gap;
                    }
                }
            }
        }
        let bound = lp_obj + total_gap;
        // Elsewhere a unit's problem is to take its least reduced cost: forcing a pair costs
        // the difference.
        let floor: Vec<f64> = (0..comp.cands.len())
            .map(|p| {
                let rc = self.reduced[p];
                let i = self.unit_slot(self.unit_at(p));
                let lagr = if rise[p].is_nan() {
                    bound + rc - least[i]
                } else {
                    bound + rise[p]
                };
                (lp_obj + rc).max(lagr)
            })
            .collect();
        crate::debug!(
            "lagrangian bound {bound:.2} (LP {lp_obj:.2}) in {:.2} s",
            t0.elapsed().as_secs_f64()
        );
        let ascent = (forced.is_none() && total_gap > 0.0).then(|| {
            let failed: HashSet<usize> = groups
                .iter()
                .zip(&solved_ok)
                .filter(|e| !*e.1)
                .flat_map(|e| e.0 .0.iter().copied())
                .collect();
            if self.unstored.iter().all(|g| g.is_infinite()) {
                return self.ascent_input(lp_obj, row_duals, col_duals, &parts, &failed);
            }
            // The ascent's own pieces: its multipliers must not undercut the unstored pairs'
            // bound either (a block bed the LP filled may be charged up to its price there).
            let unstored = self.unstored_reduced(row_duals, 0.0, true);
            let moving = self.lagrangian_parts(row_duals, col_duals, forced, &unstored);
            let lp = lp_obj - parts.shift + moving.shift;
            self.ascent_input(lp, row_duals, col_duals, &moving, &failed)
        });
        (Some((bound, floor)), ascent)
    }

    /// The Lagrangian's pieces at `row_duals` with the unstored pairs' bounds `unstored` (per
    /// slot).
    fn lagrangian_parts(
        &self,
        row_duals: &[f64],
        col_duals: &[f64],
        forced: Option<usize>,
        unstored: &[f64],
    ) -> LagrangianParts {
        use crate::matching::lagrange::{Choice, Group};
        let (inst, f, comp) = (self.inst, self.f, self.comp);
        let index = RowIndex::new(&self.rows);
        let forced_unit = forced.map(|p| self.unit_at(p));
        // Each unit's choices (position, choice): unplaced (its column's reduced cost), its
        // unstored pairs as one choice at their least possible reduced cost and no spend, and
        // its pairs, spending members × price. A forced unit's one choice is its forced pair.
        // Per unit, how far its unstored pairs' reduced cost lies below what its stored columns
        // allow (d ≤ 0): the LP is not optimal over those, so that much comes off the LP's
        // value, unlike a column's negative reduced cost at its upper bound (moved to the
        // assignment row below, at no cost).
        let mut below = vec![0.0; comp.units.len()];
        let choices: Vec<Vec<(Option<usize>, Choice)>> = comp
            .units
            .iter()
            .enumerate()
            .map(|(i, &u)| {
                let size = f.size(u) as f64;
                let pair = |p: usize| {
                    let home = &inst.batch.homes[f.cands[comp.cands[p]].home];
                    let spend = size * home.weekly_price;
                    (
                        Some(p),
                        Choice {
                            spend,
                            reduced: self.reduced[p],
                        },
                    )
                };
                if let (Some(p), true) = (forced, forced_unit == Some(u)) {
                    return vec![pair(p)];
                }
                let mut v = vec![(
                    None,
                    Choice {
                        spend: 0.0,
                        reduced: col_duals[i],
                    },
                )];
                v.extend(
                    self.unit_positions(u)
                        .filter(|&p| self.reduced[p].is_finite())
                        .map(pair),
                );
                // Dominates every unstored pair: none spends less, and each one's reduced cost
                // less its budget's share (ν × its spend, which the budget row put in) is at
                // least this (less d, which the bound's base takes instead).
                let g = unstored[i];
                if g.is_finite() {
                    let stored = v.iter().map(|c| c.1.reduced).fold(0.0, f64::min);
                    below[i] = (g - stored).min(0.0);
                    v.push((
                        None,
                        Choice {
                            spend: 0.0,
                            reduced: g - below[i],
                        },
                    ));
                }
                v
            })
            .collect();
        let least: Vec<f64> = choices
            .iter()
            .map(|v| v.iter().map(|c| c.1.reduced).fold(f64::INFINITY, f64::min))
            .collect();
        let shared: HashSet<usize> = comp
            .units
            .iter()
            .filter(|&&u| !matches!(f.unit_budgets[u][..], [(_, m)] if m as usize == f.size(u)))
            .flat_map(|&u| f.unit_budgets[u].iter().map(|e| e.0))
            .collect();
        // A column at its upper bound (a unit wholly placed or unplaced in the LP) may have a
        // negative reduced cost: HiGHS gave the bound the dual that the unit's assignment row
        // could carry. Moving it there (less the unit's least reduced cost, if negative; a
        // fixed pair's bound dual has either sign) makes every reduced cost ≥ 0 with the same
        // dual objective, which the derivation of Δ needs.
        let groups: Vec<(Vec<usize>, Group)> = f
            .budget_groups(comp)
            .into_iter()
            .filter(|(b, _)| !shared.contains(b))
            .map(|(_, group)| {
                let la = &inst.children[f.units[group[0]].members[0]].la;
                let r = index.budget[la];
                let slots: Vec<usize> = group.iter().map(|&u| self.unit_slot(u)).collect();
                let units = slots
                    .iter()
                    .map(|&i| {
                        let shift = if forced_unit == Some(comp.units[i]) {
                            least[i]
                        } else {
                            least[i].min(0.0)
                        };
                        choices[i]
                            .iter()
                            .map(|c| Choice {
                                reduced: c.1.reduced - shift,
                                ..c.1
                            })
                            .collect()
                    })
                    .collect();
                let g = Group {
                    budget: self.rows[r].2,
                    price: (-row_duals[r]).max(0.0),
                    units,
                };
                (slots, g)
            })
            .collect();
        LagrangianParts {
            choices,
            shift: below.iter().sum(),
            least,
            groups,
        }
    }

    /// The Lagrangian problem for [`crate::matching::lagrange::ascend`]: moving rows are each home's
    /// capacity, each provider's admissions and each home's block beds (with the block-bed
    /// columns); every other row keeps its LP dual. `choices` and `groups` as
    /// [`ComponentSolver::compute_lagrangian`] built them (group units' reduced costs
    /// rebased); `failed`: slots of groups too large to solve.
    fn ascent_input(
        &self,
        lp_obj: f64,
        row_duals: &[f64],
        col_duals: &[f64],
        parts: &LagrangianParts,
        failed: &HashSet<usize>,
    ) -> AscentInput {
        use crate::matching::lagrange::{Opt, Problem, Role};
        let (choices, groups) = (&parts.choices, &parts.groups);
        let (f, comp) = (self.f, self.comp);
        // Moving rows, numbered in row order (per row: its number, or NONE). A vector, not a
        // map: every entry of every stored pair is looked up (2.2 million pairs on the
        // regional backlog: this problem took 0.28 s to build with a map, 0.10 s now).
        const NONE: u32 = u32::MAX;
        let mut moving = vec![NONE; self.rows.len()];
        let mut problem = Problem {
            lp: lp_obj,
            ..Default::default()
        };
        for (r, (key, _, hi)) in self.rows.iter().enumerate() {
            if matches!(key, RowKey::Capacity(_) | RowKey::Admissions(_) | RowKey::Block(_)) {
                moving[r] = problem.rhs.len() as u32;
                problem.rhs.push(*hi);
                problem.lowest.push(row_duals[r].min(0.0));
                // A block bed is worth at most its price: charging the row more only
                // discounts the pairs there below what a bed saves.
                problem.highest.push(match key {
                    RowKey::Block(h) => self.inst.batch.homes[*h].weekly_price + row_duals[r].min(0.0),
                    _ => f64::INFINITY,
                });
            }
        }
        problem.roles = comp
            .units
            .iter()
            .enumerate()
            .map(|(i, &u)| {
                if failed.contains(&i) || !f.unit_budgets[u].is_empty() {
                    Role::Bounded
                } else {
                    Role::Alone
                }
            })
            .collect();
        let mut rebased: Vec<Option<&Vec<crate::matching::lagrange::Choice>>> = vec![None; comp.units.len()];
        for (slots, g) in groups {
            if slots.iter().any(|i| failed.contains(i)) {
                continue;
            }
            let n = problem.groups.len();
            for (&i, units) in slots.iter().zip(&g.units) {
                problem.roles[i] = Role::Group(n);
                rebased[i] = Some(units);
            }
            problem.groups.push((g.budget, g.price, slots.clone()));
        }
        let mut entries: Vec<(u32, f64)> = Vec::new();
        problem.units = choices
            .iter()
            .enumerate()
            .map(|(i, cs)| {
                cs.iter()
                    .enumerate()
                    .map(|(c, &(pos, choice))| {
                        let start = entries.len() as u32;
                        // Unplaced and the unstored pairs are in no moving row. (Capacity
                        // and admission multipliers only raise an unstored pair, and a block
                        // bed's never charges it more than the bed's price, which its rebate
                        // floor has taken off already.)
                        if let Some(p) = pos {
                            for (r, v) in self.ent.of(p) {
                                let m = moving[r];
                                if m != NONE {
                                    entries.push((m, v));
                                }
                            }
                        }
                        Opt {
                            spend: choice.spend,
                            reduced: rebased[i].map_or(choice.reduced, |r| r[c].reduced),
                            start,
                            len: entries.len() as u32 - start,
                        }
                    })
                    .collect()
            })
            .collect();
        // Block-bed columns, in the order `build` made the non-pair columns.
        let mut col = comp.units.len();
        for (r, (key, _, _)) in self.rows.iter().enumerate() {
            match key {
                RowKey::Block(h) => {
                    let start = entries.len() as u32;
                    if moving[r] != NONE {
                        entries.push((moving[r], 1.0));
                    }
                    let o = Opt {
                        spend: 0.0,
                        reduced: col_duals[col],
                        start,
                        len: entries.len() as u32 - start,
                    };
                    problem
                        .columns
                        .push((o, self.inst.batch.homes[*h].block_vacancies as f64));
                    col += 1;
                }
                RowKey::DiscountCount(_) | RowKey::DiscountValue(_) => col += 1,
                _ => {}
            }
        }
        problem.entries = entries;
        let positions = choices.iter().map(|cs| cs.iter().map(|c| c.0).collect()).collect();
        AscentInput {
            problem,
            positions,
            cands: comp.cands.len(),
        }
    }

    /// Takes an ascent's bound and forced bounds into the Lagrangian's where higher (each is
    /// a valid bound, so the larger is too).
    pub(super) fn merge_ascent(&mut self, (bound, floor): (f64, Option<Vec<f64>>)) {
        if let Some((b, fl)) = self.lagrangian.as_mut() {
            *b = b.max(bound);
            for (f, v) in fl.iter_mut().zip(floor.into_iter().flatten()) {
                *f = f.max(v);
            }
        }
    }

    /// Records the base LP's Lagrangian for the regret search: each forced optimum is at
    /// least lp_obj + rc, rc from the Lagrangian's forced bound where there is one.
    pub(super) fn record_base(&mut self, lp_obj: f64) {
        self.base_lagrangian = self.lagrangian.as_ref().map(|l| l.0);
        let rc = match &self.lagrangian {
            Some((_, floor)) => floor.iter().map(|v| v - lp_obj).collect(),
            None => self.reduced.clone(),
        };
        self.base_lp = Some((lp_obj, rc));
    }
}
