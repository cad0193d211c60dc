//! The LP relaxation with column generation. The models are nearly totally unimodular, so
//! the LP is solved first and is usually integral; only a fractional LP goes on to the MIP.
//! Each round prices every pair at the LP's row duals (reduced cost c − aᵀy) and adds each
//! unit's most improving ones, until none improves: the last LP is then optimal for the full
//! model. Stopped early (rounds or time), the LP value less each unit's least reduced cost is
//! still a bound (Lasdon's: [`ComponentSolver::settle_unpriced`]).

use std::collections::BTreeMap;
use std::time::Instant;

use highs::HighsModelStatus;

use super::ffi::{limit_time, set_bounds};
use super::lagrangian::ASCENT_EVALUATIONS;
use super::{ComponentSolver, Outcome, Solved};
use crate::matching::model::RowIndex;

/// Pairs of negative reduced cost that one round of column generation brings in per unit, the
/// most negative first: all of them at once made an LP that ran past its time limit (HiGHS
/// checks the clock too seldom in it); five per unit converge in a few rounds
/// (docs/measurements.md, "Figures behind solver choices"). Every round prices every pair, so
/// the last LP is still optimal for the full model.
const PRICED_PER_UNIT: usize = 5;

/// The most of the time left, when column generation starts, that its LPs may take under a
/// time limit; past it the last LP's duals give the bound (see
/// [`ComponentSolver::settle_unpriced`]). Without it, a short time limit can end with the LPs
/// unfinished and the answer the greedy start with no bound (docs/measurements.md).
const PRICING_SHARE: f64 = 0.6;

impl ComponentSolver<'_> {
    pub(super) fn solve_highs_at(&mut self, forced: Option<usize>, cutoff: f64) -> Solved {
        let forced_pos = forced.map(|k| self.pos(k));
        if forced_pos.is_some_and(|p| self.ent.over_budget(p)) {
            return Solved::Infeasible;
        }
        let mut lp = self.lp.take().expect("lp present");
        if let Some(pos) = forced_pos {
            self.activate(&mut lp, &[pos]);
            set_bounds(&mut lp, self.col(pos).unwrap(), 1.0, 1.0);
        }
        // Column generation on the LP relaxation; under a time limit it may take a share of
        // the time left (PRICING_SHARE), judged by the last round's time.
        let (mut lp_obj, mut cols, mut lp_status, mut row_duals, mut col_duals);
        let pricing_until = self.time_left().map(|t| t * PRICING_SHARE);
        let (pricing_start, mut rounds, mut complete) = (Instant::now(), 0usize, true);
        let mut cut_rounds = 0usize;
        loop {
            let round_start = Instant::now();
            if let Some(t) = self.time_left() {
                limit_time(&mut lp, t);
            }
            let solved = lp.solve();
            lp_status = solved.status();
            lp_obj = solved.objective_value();
            let sol = solved.get_solution();
            cols = sol.columns().to_vec();
            row_duals = sol.dual_rows().to_vec();
            col_duals = sol.dual_columns().to_vec();
            lp = solved.into();
            if lp_status != HighsModelStatus::Optimal {
                break;
            }
            self.price(&row_duals);
            crate::debug!(
                "lp {lp_obj} active {} added {}",
                self.active.iter().flatten().count(),
                self.added
            );
            let improving: Vec<usize> = (0..self.comp.cands.len())
                .filter(|&p| self.col(p).is_none() && self.reduced[p] < -1e-7)
                .collect();
            let round = round_start.elapsed().as_secs_f64();
            let out_of_rounds = self.opts.pricing_rounds > 0 && rounds + 1 >= self.opts.pricing_rounds;
            let out_of_time = pricing_until.is_some_and(|until| pricing_start.elapsed().as_secs_f64() + round > until);
            if improving.is_empty() || out_of_rounds || out_of_time {
                // Leaving: the unstored pairs' bounds, once (not every round: where they say
                // the LP might improve, it scans their special homes).
                self.unstored = self.unstored_reduced(&row_duals, 0.0, false);
            }
            if improving.is_empty() {
                // Priced to the end: cut off what breaks a cover of a capacity or admission
                // row, and solve again (`cuts`). The unforced LP only: forced ones inherit
                // its cuts, and one a forced solve added would go with its roll-back.
                let fractional = forced.is_none() && !self.integer_values_integral(&cols);
                if fractional && cut_rounds < super::cuts::CUT_ROUNDS && self.add_cover_cuts(&mut lp, &cols) > 0 {
                    cut_rounds += 1;
                    continue;
                }
                break;
            }
            rounds += 1;
            if out_of_rounds || out_of_time {
                lp_obj = self.settle_unpriced(lp_obj, &improving, &mut row_duals, &mut col_duals);
                complete = false;
                crate::debug!(
                    "pricing stopped after {rounds} LPs ({:.2} s), {} improving pairs left out: LP bound {lp_obj}",
                    pricing_start.elapsed().as_secs_f64(),
                    improving.len()
                );
                break;
            }
            self.activate(&mut lp, &self.most_improving(&improving));
        }
        self.last_lp = (lp_status == HighsModelStatus::Optimal).then_some(lp_obj);
        // An LP stopped short of pricing every pair is only a bound: never the answer.
        let integral = complete && lp_status == HighsModelStatus::Optimal && self.integer_values_integral(&cols);
        let mut ascent = None;
        self.lagrangian = None;
        // Over a pricing stopped far from the end, the Lagrangian starts below even each unit
        // at its cheapest and only takes the search's time (London batch at 5 s: 0.46 s for
        // a bound of -5.5 million).
        let worth_it = || complete || lp_obj > self.f.units_lower_bound(self.inst, &self.comp.units);
        if self.knapsacks && !integral && lp_status == HighsModelStatus::Optimal && worth_it() {
            (self.lagrangian, ascent) = self.compute_lagrangian(lp_obj, &row_duals, &col_duals, forced_pos);
        }
        // Without a time limit the ascent runs first, so that widening fixes more pairs;
        // under one it runs beside the MIP on the other core (below).
        if self.deadline.is_none() {
            if let Some(found) = ascent
                .take()
                .and_then(|mut a| a.run(ASCENT_EVALUATIONS, None, None, false))
            {
                self.merge_ascent(found);
            }
        }
        if forced.is_none() && lp_status == HighsModelStatus::Optimal {
            self.record_base(lp_obj);
            self.base_duals = Some((row_duals.clone(), integral));
        }
        let result = if lp_status == HighsModelStatus::Infeasible {
            Some(None)
        } else if integral {
            Some(Some(Outcome {
                optimal: true,
                objective: lp_obj,
                // Valid for the full model, unstored pairs included (below the answer only
                // where some could improve it: [`Self::unpriced_units`] then stores them).
                bound: if forced.is_none() {
                    self.full_bound(lp_obj, Some(lp_obj))
                } else {
                    lp_obj
                },
                choice: self.choice_lp(&cols),
            }))
        } else {
            None
        };
        let lp_ok = lp_status == HighsModelStatus::Optimal;
        if result.is_none() && lp_ok && lp_obj >= cutoff {
            if let Some(pos) = forced_pos {
                set_bounds(&mut lp, self.col(pos).unwrap(), 0.0, 1.0);
            }
            self.lp = Some(lp);
            return Solved::AtLeast(lp_obj);
        }
        let mip = match result {
            Some(r) => Ok(r),
            None => {
                let lp_at = lp_ok.then_some(lp_obj);
                let t_mip = std::time::Instant::now();
                let solved = match ascent.as_mut() {
                    None => self.solve_mip(&mut lp, forced_pos, lp_at, &cols, cutoff),
                    Some(a) => {
                        let (deadline, stop) = (self.deadline, std::sync::atomic::AtomicBool::new(false));
                        let (solved, found) = std::thread::scope(|s| {
                            let beside = s.spawn(|| a.run(usize::MAX, deadline, Some(&stop), true));
                            let solved = self.solve_mip(&mut lp, forced_pos, lp_at, &cols, cutoff);
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            (solved, beside.join().expect("the ascent thread"))
                        });
                        match (solved, found) {
                            (Solved::Exact(mut o), Some(found)) => {
                                // A bound for the whole component, met beside the MIP (no
                                // forced bounds: the regret search's stay as recorded).
                                o.bound = o.bound.max(found.0.min(o.objective));
                                self.merge_ascent(found);
                                self.base_lagrangian = self.lagrangian.as_ref().map(|l| l.0);
                                Solved::Exact(o)
                            }
                            (solved, _) => solved,
                        }
                    }
                };
                if forced.is_none() {
                    self.base_mip_seconds += t_mip.elapsed().as_secs_f64();
                }
                match solved {
                    Solved::Exact(o) => Ok(Some(o)),
                    Solved::Infeasible => Ok(None),
                    Solved::AtLeast(at_least) => Err(at_least),
                }
            }
        };
        if let Some(pos) = forced_pos {
            set_bounds(&mut lp, self.col(pos).unwrap(), 0.0, 1.0);
        }
        self.lp = Some(lp);
        let mut result = match mip {
            Ok(r) => r,
            Err(at_least) => return Solved::AtLeast(at_least),
        };
        if forced.is_none() && result.is_none() {
            // A time limit hit before any LP or MIP answer (a what-if at --time-limit 15 spends
            // 12 s finding its pairs): the greedy placement over the active pairs, which the
            // polish then improves, rather than everyone unplaced.
            let choice = self.choice_lp(&self.greedy_start(&[]));
            result = Some(Outcome {
                optimal: false,
                objective: self.f.objective_of(self.inst, &self.comp.units, &choice),
                bound: f64::NEG_INFINITY,
                choice,
            });
        }
        result.map_or(Solved::Infeasible, Solved::Exact)
    }

    /// Reduced cost of every candidate at the given row duals (c − aᵀy).
    pub(super) fn price(&mut self, row_duals: &[f64]) {
        // The hot loop of column generation: contiguous arrays only.
        let (start, row, coef, values) = (&self.ent.start, &self.ent.row, &self.ent.coef, &self.ent.values);
        for (pos, (rc, &cost)) in self.reduced.iter_mut().zip(&self.ent.cost).enumerate() {
            let mut v = cost;
            for e in start[pos] as usize..start[pos + 1] as usize {
                v -= values[coef[e] as usize] * row_duals[row[e] as usize];
            }
            *rc = v;
        }
        // Solo and conflict rows are not in the static arrays: an active column's own entries,
        // and the solo rows an inactive column would join at its home, carry duals too (left
        // out, the reduced cost overstates, and a regret bound built on it is not valid).
        for (&pos, extra) in &self.dyn_entries {
            for &(r, v) in extra {
                self.reduced[pos] -= v * row_duals[r];
            }
        }
        for (pos, &k) in self.comp.cands.iter().enumerate() {
            let c = &self.f.cands[k];
            if self.col(pos).is_some() {
                continue;
            }
            for &(r, s) in self.solo_rows_at.get(&c.home).map(Vec::as_slice).unwrap_or(&[]) {
                if s != c.unit {
                    self.reduced[pos] -= self.f.solo_coef(self.inst, s, c.unit, c.home) * row_duals[r];
                }
            }
        }
        for (rc, _) in self.reduced.iter_mut().zip(&self.ent.over_budget).filter(|e| *e.1) {
            *rc = f64::INFINITY;
        }
        self.priced += self.comp.cands.len() - self.active_list.len();
        self.priced_at = Some(row_duals.to_vec());
    }

    /// Column generation stopped with `improving` (ascending positions) still able to lower
    /// the LP: moves each of their units' assignment dual down by the unit's least reduced
    /// cost, so that every reduced cost (and every column dual) is ≥ 0 again, and returns the
    /// LP objective lowered by the same amounts (Lasdon's bound: each unit takes one choice,
    /// so no solution of the full model costs less). Everything later built on "LP + reduced
    /// cost" (widening, the Lagrangian, the regret search's floors) then stays a valid bound,
    /// only weaker than at a finished LP.
    pub(super) fn settle_unpriced(
        &mut self,
        lp_obj: f64,
        improving: &[usize],
        row_duals: &mut [f64],
        col_duals: &mut [f64],
    ) -> f64 {
        let index = RowIndex::new(&self.rows);
        let mut bound = lp_obj;
        // Each unit with its least reduced cost (its improving positions are one run), and
        // the units whose unstored pairs might improve the LP, at their least.
        let mut least_by_unit: BTreeMap<usize, f64> = improving
            .chunk_by(|&a, &b| self.unit_at(a) == self.unit_at(b))
            .map(|run| {
                (
                    self.unit_at(run[0]),
                    run.iter().map(|&p| self.reduced[p]).fold(0.0, f64::min),
                )
            })
            .collect();
        for (slot, &u) in self.comp.units.iter().enumerate() {
            if self.unstored[slot] < 0.0 {
                let least = least_by_unit.entry(u).or_insert(0.0);
                *least = least.min(self.unstored[slot]);
            }
        }
        // The reduced costs no longer match any duals: the next pricing is a full one.
        self.priced_at = None;
        for (u, least) in least_by_unit {
            bound += least;
            let slot = self.unit_slot(u);
            self.unstored[slot] -= least;
            row_duals[index.assign[&u]] += least;
            col_duals[slot] -= least; // its unplaced column
            for p in self.unit_positions(u) {
                self.reduced[p] -= least;
                if let Some(c) = self.col(p) {
                    col_duals[c] -= least;
                }
            }
        }
        bound
    }

    /// Of `improving` (ascending positions), each unit's [`PRICED_PER_UNIT`] most negative
    /// (ties by position), ascending. A unit's positions are one ascending run of the
    /// component's, so `improving` is already grouped by unit.
    pub(super) fn most_improving(&self, improving: &[usize]) -> Vec<usize> {
        let mut kept = Vec::with_capacity(improving.len());
        for run in improving.chunk_by(|&a, &b| self.unit_at(a) == self.unit_at(b)) {
            let start = kept.len();
            kept.extend_from_slice(run);
            if run.len() > PRICED_PER_UNIT {
                let mine = &mut kept[start..];
                mine.sort_by(|&a, &b| self.reduced[a].total_cmp(&self.reduced[b]).then(a.cmp(&b)));
                mine[..PRICED_PER_UNIT].sort_unstable();
                kept.truncate(start + PRICED_PER_UNIT);
            }
        }
        kept
    }
}
