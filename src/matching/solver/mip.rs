//! The MIP over the active pairs, widened by reduced-cost fixing until it is optimal for the
//! full model: a pair whose forced bound (LP + reduced cost, or the Lagrangian's) is not below
//! the answer cannot be in a better solution, so only pairs below it come back before the
//! MIP is solved again. HiGHS starts from a polished greedy placement, and under a time limit
//! a budget component's start is first improved piece by piece ([`crate::matching::lns`]).

use std::collections::HashMap;
use std::time::Instant;

use highs::{HighsModelStatus, Model};

use super::ffi::{self, column_costs, configure, full_model, limit_time, set_bounds};
use super::{ComponentSolver, Outcome, Solved, MAX_WIDENING};

/// Passes of single-move polishing for a MIP start ([`crate::matching::regret::SingleMoves::improve`]).
const POLISH_PASSES: usize = 20;

/// Most time the large-neighbourhood search ([`crate::matching::lns`]) takes before the whole MIP, and
/// the least time worth leaving to the whole MIP after it: with less, the search takes all the
/// time and the whole MIP does not run. Under a time limit the whole MIP proves nothing about
/// the pairs it leaves out (its bound counts only up to the LP plus their least reduced cost:
/// [`super::bounds::full_bound`]), so on a batch too big to widen in time its only use is a
/// better answer, and on the regional backlog it finds none in its first 20 s (the root's cut
/// rounds): docs/measurements.md, "Figures behind solver choices".
const LNS_MOST: std::time::Duration = std::time::Duration::from_secs(20);
/// See [`LNS_MOST`].
const WHOLE_MIP_LEAST: std::time::Duration = std::time::Duration::from_secs(20);

impl ComponentSolver<'_> {
    /// The MIP over the active columns, widened by reduced-cost fixing so that it is optimal
    /// for the full model: a pair with reduced cost ≥ the gap cannot be in a better solution.
    pub(super) fn solve_mip(
        &mut self,
        lp: &mut Model,
        forced_pos: Option<usize>,
        lp_obj: Option<f64>,
        lp_cols: &[f64],
        cutoff: f64,
    ) -> Solved {
        self.mip_solves += 1;
        let mut widened = false;
        // Widening steps taken under a time limit.
        let mut steps = 0u32;
        // Set when HiGHS's answer after a MIP start failed the objective check below.
        let mut no_start = false;
        // The start's columns: the greedy completion of the LP, polished by single moves in the
        // unforced solve (regional backlog: greedy 730,680, polished 560,874 in 1.1 s; HiGHS had
        // not beaten the unpolished start after 10 s). Pairs the polish uses join the model first.
        let mut start_cols: Option<Vec<f64>> = None;
        loop {
            if lp_obj.is_some() && !no_start && start_cols.is_none() {
                let mut cols = self.greedy_start(lp_cols);
                if forced_pos.is_none() {
                    let t0 = Instant::now();
                    let mut moves =
                        crate::matching::regret::SingleMoves::new(self.inst, self.f, self.comp, &self.choice_lp(&cols));
                    let change = moves.improve(POLISH_PASSES, self.deadline);
                    if change < 0.0 {
                        let chosen: Vec<usize> = moves.choice().iter().flatten().map(|&k| self.pos(k)).collect();
                        let new: Vec<usize> = chosen.iter().copied().filter(|&p| self.col(p).is_none()).collect();
                        self.activate(lp, &new);
                        cols = vec![0.0; self.active_width()];
                        for p in chosen {
                            cols[self.col(p).expect("activated")] = 1.0;
                        }
                    }
                    crate::debug!(
                        "MIP start polished by {change:.2} in {:.2} s",
                        t0.elapsed().as_secs_f64()
                    );
                }
                start_cols = Some(cols);
            }
            let positions: Vec<usize> = (0..self.comp.cands.len()).filter(|&p| self.col(p).is_some()).collect();
            let (mut model, switch_cols) = self.build(true);
            let col_of: HashMap<usize, usize> = positions.iter().enumerate().map(|(i, &p)| (p, i)).collect();
            let offset = model.num_cols() - positions.len();
            if let Some(t) = self.time_left() {
                limit_time(&mut model, t);
            }
            if let Some(pos) = forced_pos {
                set_bounds(&mut model, offset + col_of[&pos], 1.0, 1.0);
            }
            if cutoff.is_finite() {
                // Only an optimum below the cutoff matters (regret ranking): HiGHS prunes every
                // node at or above it, and ends "infeasible" when none is below.
                model.set_option("objective_bound", cutoff);
            }
            let lns_until = if forced_pos.is_none() && start_cols.is_some() && !no_start && self.lns.is_none() {
                self.lns_until()
            } else {
                None
            };
            let costs = column_costs(&model);
            let mut start = start_cols.as_ref().filter(|_| !no_start).map(|cols| {
                // HiGHS's own heuristics find poor incumbents on budget-bound batches: start it
                // from an LP dive instead (or, failing that, the LP's integral part).
                self.mip_start(cols, &positions)
            });
            if let (Some(st), Some(until)) = (&start, lns_until) {
                // Under a time limit, a budget component's start is improved piece by piece
                // first ([`crate::matching::lns`]); the whole MIP then gets the rest of the time.
                let t0 = Instant::now();
                let mut integer = vec![false; model.num_cols()];
                for c in switch_cols.iter().copied().chain(offset..model.num_cols()) {
                    integer[c] = true;
                }
                let full = full_model(&model, integer);
                let (by_latitude, by_authority) = self.unit_ranks();
                let mut guide = crate::matching::lns::Guide {
                    lp: vec![0.0; positions.len()],
                    reduced: vec![0.0; positions.len()],
                    rank: vec![0; positions.len()],
                    local_rank: vec![0; positions.len()],
                    units: by_latitude.len() as u32,
                };
                for (idx, &p) in positions.iter().enumerate() {
                    guide.lp[idx] = self.col(p).and_then(|c| lp_cols.get(c)).copied().unwrap_or(0.0);
                    guide.reduced[idx] = self.reduced[p];
                    let u = self.unit_at(p);
                    let i = self.unit_slot(u);
                    (guide.rank[idx], guide.local_rank[idx]) = (by_latitude[i], by_authority[i]);
                }
                let opts = &self.opts;
                let target = self.gap_target(lp_obj);
                let (better, stats) = crate::matching::lns::improve(
                    &full,
                    &guide,
                    offset,
                    st.clone(),
                    crate::matching::lns::Stop { until, target },
                    &|m| configure(m, opts, true, true),
                    crate::matching::lns::SPLIT_ABOVE,
                );
                crate::debug!(
                    "lns: {} sub-MIPs, {} improved, change {:.2} in {:.2} s",
                    stats.sub_mips,
                    stats.improved,
                    stats.change,
                    t0.elapsed().as_secs_f64()
                );
                self.lns = Some(stats);
                // A wider MIP, if one follows, starts from this too.
                start_cols = Some(self.lp_shaped(&better, &positions, offset));
                let objective: f64 = costs.iter().zip(&better).map(|(c, x)| c * x).sum();
                if let (Some(lp), true) = (lp_obj, self.opts.gap > 0.0) {
                    let bound = self.full_bound(lp, lp_obj);
                    if self.within_gap(objective, bound) {
                        return Solved::Exact(Outcome {
                            optimal: true,
                            objective,
                            bound,
                            choice: self.choice_mip(&better, &col_of, offset),
                        });
                    }
                }
                if self.out_of_time() {
                    // The restricted MIPs had all the time ([`Self::lns_until`]): their answer
                    // is the answer, with the LP's bound. (Started anyway, HiGHS's presolve and
                    // root ran past the limit.)
                    let choice = self.choice_mip(&better, &col_of, offset);
                    let bound = self.full_bound(lp_obj.unwrap_or(f64::NEG_INFINITY).min(objective), lp_obj);
                    return Solved::Exact(Outcome {
                        optimal: false,
                        objective,
                        bound,
                        choice,
                    });
                }
                start = Some(better);
                if let Some(t) = self.time_left() {
                    limit_time(&mut model, t);
                }
            }
            if let Some(st) = &start {
                let _ = model.try_set_solution(Some(st), None, None, None);
            }
            if forced_pos.is_none() {
                // HiGHS judges its gap against its own bound over the active pairs; ours (the
                // Lagrangian's, over every pair) is often far better. Stop HiGHS at the first
                // answer within the requested gap of ours ([`Self::within_gap`]).
                let target = self.gap_target(lp_obj);
                if target.is_finite() {
                    model.set_option("objective_target", target);
                    // HiGHS's own gap, over the active pairs only, would stop it where
                    // widening then brings back every pair below that answer (a 120 × 1,200
                    // batch at --gap 0.02: 18,067 pairs, 31 s against 11.6 s for gap 0).
                    model.set_option("mip_rel_gap", 0.0);
                }
            }
            if let Some(path) = std::env::var_os("PLACEMATCH_WRITE_MODEL") {
                self.write_model(&mut model, &positions, start.as_deref(), std::path::Path::new(&path));
            }
            if let Some(st) = &start {
                crate::debug!(
                    "MIP start objective {:.2}",
                    costs.iter().zip(st).map(|(c, x)| c * x).sum::<f64>()
                );
            }
            let t_solve = Instant::now();
            let solved = model.solve();
            let status = solved.status();
            let has_solution = matches!(solved.primal_solution_status(), highs::HighsSolutionStatus::Feasible);
            if status == HighsModelStatus::Infeasible && cutoff.is_finite() {
                // Nothing below the cutoff among the active pairs. A pair left out could still
                // reach below it only if its forced bound is: add those once.
                // (A widening for optimality keeps a solution below the cutoff feasible, so it is
                // never followed by this; after this one, nothing is left to add.)
                if let Some(lp_obj) = lp_obj {
                    let more: Vec<usize> = (0..self.comp.cands.len())
                        .filter(|&p| self.col(p).is_none() && self.forced_floor(p, lp_obj) < cutoff - 1e-7)
                        .collect();
                    if more.is_empty() {
                        return Solved::AtLeast(cutoff);
                    }
                    if !widened && (self.deadline.is_none() || more.len() <= MAX_WIDENING) {
                        self.activate(lp, &more);
                        self.widenings += 1;
                        widened = true;
                        continue;
                    }
                }
                // Without an LP bound (time limit) or past the widening cap: not proven, so
                // treated like a forced home that could not be evaluated.
                return Solved::Infeasible;
            }
            if status == HighsModelStatus::Infeasible || !has_solution {
                return Solved::Infeasible;
            }
            let values = solved.get_solution().columns().to_vec();
            // HiGHS's objective must be its solution's: HiGHS 1.16.0 maps a MIP start into its
            // presolved space with the wrong objective and then calls a worse solution optimal
            // (docs/performance.md). On a mismatch, solve again without the start; if it
            // persists, report the solution's own objective, unproven.
            let reported = solved.objective_value();
            let objective: f64 = costs.iter().zip(&values).map(|(c, x)| c * x).sum();
            let consistent = (reported - objective).abs() <= 1e-6 * objective.abs().max(1.0);
            if !consistent && start.is_some() {
                crate::debug!(
                    "HiGHS objective {reported} is not its solution's {objective}: solving without the start"
                );
                no_start = true;
                continue;
            }
            // HiGHS's bound, or the LP's where a time limit stopped HiGHS before its root
            // caught up (both are valid for the active pairs); for the full model, capped by
            // what a pair left out could reach ([`full_bound`]).
            let mip_bound = solved
                .double_info_value(c"mip_dual_bound")
                .unwrap_or(objective)
                .max(lp_obj.unwrap_or(f64::NEG_INFINITY))
                .min(objective);
            let bound = self.full_bound(mip_bound, lp_obj);
            if consistent && forced_pos.is_none() && lp_obj.is_some() && self.within_gap(objective, bound) {
                // Within the requested gap of a bound for the full model: no pair left out
                // can matter more than the gap allows, so no widening either.
                return Solved::Exact(Outcome {
                    optimal: true,
                    objective,
                    bound,
                    choice: self.choice_mip(&values, &col_of, offset),
                });
            }
            let proven = consistent && status == HighsModelStatus::Optimal;
            if let (Some(lp_obj), true) = (lp_obj, proven) {
                // A pair left out matters only if its forced bound is below the answer: LP +
                // reduced cost, or the Lagrangian's (tighter) where there is one.
                let floor = |p: usize| self.forced_floor(p, lp_obj);
                // With a requested gap, only pairs that could take the answer out of it.
                let slack = if forced_pos.is_none() {
                    self.gap_slack(objective)
                } else {
                    0.0
                };
                let mut more: Vec<usize> = (0..self.comp.cands.len())
                    .filter(|&p| self.col(p).is_none() && floor(p) < objective - slack - 1e-7)
                    .collect();
                if !more.is_empty() && self.out_of_time() {
                    // The time limit has hit: report the solution with the LP bound. Otherwise
                    // every pair that could matter comes back, time limit or not: `feasible`
                    // means a time limit hit (SPEC §7), not that a proof looked long.
                    let choice = self.choice_mip(&values, &col_of, offset);
                    return Solved::Exact(Outcome {
                        optimal: false,
                        objective,
                        bound,
                        choice,
                    });
                }
                if !more.is_empty() {
                    // Under a time limit, the pairs that could matter come back cheapest first,
                    // in steps that double, each MIP starting from the last one's answer: the
                    // widening then ends in time. All at once, a regional backlog without
                    // budgets, whose restricted MIP was proven in 5 s, brought back 2.26
                    // million pairs (10 million conflict rows) and ended 75 s late.
                    let step = self.opts.widening_step.saturating_mul(1 << steps.min(40));
                    steps += 1;
                    let complete = self.deadline.is_none() || more.len() <= step;
                    if !complete {
                        more.sort_by(|&a, &b| floor(a).total_cmp(&floor(b)).then(a.cmp(&b)));
                        more.truncate(step);
                        more.sort_unstable();
                    }
                    start_cols = Some(self.lp_shaped(&values, &positions, offset));
                    crate::debug!(
                        "widening below {objective:.2}: {} pairs back, MIP took {:.2} s",
                        more.len(),
                        t_solve.elapsed().as_secs_f64()
                    );
                    self.activate(lp, &more);
                    self.widenings += 1;
                    widened |= complete;
                    continue;
                }
            }
            let choice = self.choice_mip(&values, &col_of, offset);
            // Without an optimal LP (time limit) the pruned pairs were not all priced: not proven.
            return Solved::Exact(Outcome {
                optimal: proven && lp_obj.is_some(),
                objective,
                bound,
                choice,
            });
        }
    }

    /// Until when the large-neighbourhood search may run: [`LNS_MOST`], or all the time left
    /// when that would leave the whole MIP less than [`WHOLE_MIP_LEAST`]; and only for a
    /// component with weekly budgets under a time limit.
    /// Without a limit the whole MIP must be proven optimal anyway, and a better start did not
    /// make the proof faster; run after the whole MIP instead, the search did no better
    /// (docs/measurements.md, "Figures behind solver choices").
    pub(super) fn lns_until(&self) -> Option<Instant> {
        if !self.knapsacks {
            return None;
        }
        let Some(deadline) = self.deadline else {
            // Untimed, the search serves a requested gap: it ends once within it (regional
            // backlog at --gap 0.01: 18.4 s with HiGHS alone from the polished start).
            return (self.opts.gap > 0.0).then(|| Instant::now() + LNS_MOST);
        };
        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        (!left.is_zero()).then(|| {
            if left < LNS_MOST + WHOLE_MIP_LEAST {
                deadline
            } else {
                now + LNS_MOST
            }
        })
    }

    /// Each unit's rank (by its slot in the component) in two orders for the search
    /// ([`crate::matching::lns::Guide`]): north to south (ties by slot), for the bands; and with each
    /// authority's units together, authorities north to south by their units' mean latitude
    /// (ties by code), for the local windows.
    pub(super) fn unit_ranks(&self) -> (Vec<u32>, Vec<u32>) {
        let child = |i: usize| &self.inst.children[self.f.units[self.comp.units[i]].members[0]];
        let (lat, la) = (|i: usize| child(i).place.lat, |i: usize| child(i).la.as_str());
        let rank_of = |order: &[usize]| {
            let mut rank = vec![0u32; order.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r as u32;
            }
            rank
        };
        let mut order: Vec<usize> = (0..self.comp.units.len()).collect();
        order.sort_by(|&a, &b| lat(b).total_cmp(&lat(a)).then(a.cmp(&b)));
        let by_latitude = rank_of(&order);
        let mut sums: HashMap<&str, (f64, f64)> = HashMap::new();
        for i in 0..order.len() {
            let e = sums.entry(la(i)).or_default();
            (e.0, e.1) = (e.0 + lat(i), e.1 + 1.0);
        }
        let mean = |i: usize| sums[la(i)].0 / sums[la(i)].1;
        // Stable: within an authority, north to south as before.
        order.sort_by(|&a, &b| mean(b).total_cmp(&mean(a)).then(la(a).cmp(la(b))));
        (by_latitude, rank_of(&order))
    }

    /// `PLACEMATCH_WRITE_MODEL`: the MIP as HiGHS is about to solve it (MPS, by HiGHS) and, beside
    /// it, `PATH.side` naming each row and pair column by index (no child details), then the MIP
    /// start given to HiGHS, if any, as `start COLUMN VALUE` lines (a start changes HiGHS's
    /// search, so a solve is reproducible only with it). A debugging aid, so a failure to write
    /// is reported on standard error and the solve goes on.
    pub(super) fn write_model(
        &self,
        model: &mut Model,
        positions: &[usize],
        start: Option<&[f64]>,
        path: &std::path::Path,
    ) {
        use std::fmt::Write as _;
        let mut side = String::new();
        for (key, lo, hi) in &self.rows {
            let _ = writeln!(side, "row {key:?} {lo} {hi}");
        }
        for &u in &self.comp.units {
            let _ = writeln!(side, "unitcol {u} {:?}", self.f.units[u].members);
        }
        for &p in positions {
            let c = &self.f.cands[self.comp.cands[p]];
            let price = self.inst.batch.homes[c.home].weekly_price;
            let _ = writeln!(side, "pair {} {} {} {price}", c.unit, c.home, c.cost);
        }
        for (col, v) in start.unwrap_or_default().iter().enumerate().filter(|(_, v)| **v != 0.0) {
            let _ = writeln!(side, "start {col} {v}");
        }
        let written = ffi::write_model(model, path);
        let mut side_path = path.as_os_str().to_owned();
        side_path.push(".side");
        if !written || std::fs::write(&side_path, side).is_err() {
            eprintln!("placematch: PLACEMATCH_WRITE_MODEL: could not write {}", path.display());
        }
    }
}
