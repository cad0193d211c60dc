//! A placed child's alternatives as proven intervals: the table of what is known of each
//! candidate home's regret (a relaxation's bound below, a feasible re-arrangement's above),
//! how it is ranked (and when that ranking is proven), and how forced re-solves tighten it
//! ([`tighten`]). [`super::regrets`] decides which method fills the table.

use std::collections::HashMap;

use crate::matching::model::Formulation;
use crate::matching::regret::SingleMoves;

use super::{ComponentSolver, Outcome, Solved};

/// Bounds this close (half a penny; the result shows pence) count as met: the regret is exact.
pub(super) const MEET: f64 = 0.005;

/// A listed alternative: its home and what is proven of its regret,
/// `lower ≤ regret ≤ upper`. `upper` is the objective change of a re-arrangement found with
/// the pair forced in (a single move, or a forced re-solve's answer); `lower` a relaxation's
/// bound with the pair forced in (LP reduced cost, Lagrangian, a forced solve's bound).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The home.
    pub home: usize,
    /// Proven lower bound on the regret.
    pub lower: f64,
    /// Proven upper bound on the regret.
    pub upper: f64,
}

impl Interval {
    /// An exact regret.
    pub fn exact_at(home: usize, regret: f64) -> Self {
        Interval {
            home,
            lower: regret,
            upper: regret,
        }
    }

    /// Whether the bounds meet.
    pub fn exact(&self) -> bool {
        self.upper - self.lower <= MEET
    }
}

/// A placed unit's alternatives, best first (by upper bound, then lower, then home), and
/// whether that order is proven: no two listed intervals overlap and no unlisted home's lower
/// bound reaches below the last listed upper bound.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// The alternatives.
    pub list: Vec<Interval>,
    /// Whether their order, and that no other home belongs on the list, is proven.
    pub certain: bool,
}

/// One candidate of a unit whose regrets come from forced re-solves: what is proven of its
/// regret so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    pub(super) cand: u32,
    pub(super) home: u32,
    pub(super) lower: f64,
    pub(super) upper: f64,
    /// Its forced LP has been solved (a bound, or exact where integral).
    pub(super) lp_done: bool,
    /// A forced solve cut off at this regret found nothing below it (−∞: none has): another
    /// at the same cutoff would prove nothing more.
    pub(super) nothing_below: f64,
}

/// A placed unit's candidates while its regrets are tightened, with the order they are tried
/// in (by the lower bound they started with).
pub(super) struct Table {
    pub(super) slot: usize,
    pub(super) unit: usize,
    pub(super) cells: Vec<Cell>,
    pub(super) order: Vec<usize>,
    /// A forced solve found that unstored pairs might change its answers.
    pub(super) unsure: bool,
}

/// Ranks cells: the `k` with the least upper bound (then lower, then home), and whether that
/// is proven, given that no unstored pair's regret lies below `unstored_floor`.
pub(super) fn rank(cells: &[Cell], k: usize, unstored_floor: f64) -> Ranked {
    let mut idx: Vec<usize> = (0..cells.len()).filter(|&j| cells[j].upper.is_finite()).collect();
    idx.sort_by(|&a, &b| {
        let (a, b) = (&cells[a], &cells[b]);
        a.upper
            .total_cmp(&b.upper)
            .then(a.lower.total_cmp(&b.lower))
            .then(a.home.cmp(&b.home))
    });
    idx.truncate(k);
    let list: Vec<Interval> = idx
        .iter()
        .map(|&j| {
            let c = &cells[j];
            let exact = c.upper - c.lower <= MEET;
            Interval {
                home: c.home as usize,
                lower: if exact { c.upper } else { c.lower.min(c.upper) },
                upper: c.upper,
            }
        })
        .collect();
    // Round-off between a move's arithmetic and a solver's objective.
    let tol = 1e-6;
    let mut certain = list.windows(2).all(|w| w[0].upper <= w[1].lower + tol);
    let bar = if list.len() == k {
        list.last().map_or(f64::INFINITY, |a| a.upper)
    } else {
        f64::INFINITY
    };
    let listed = |j: usize| idx.contains(&j);
    let beats = |lower: f64| {
        if bar.is_finite() {
            lower < bar - tol
        } else {
            lower.is_finite()
        }
    };
    certain &= (0..cells.len()).all(|j| listed(j) || !beats(cells[j].lower));
    certain &= !beats(unstored_floor);
    Ranked { list, certain }
}

/// Unit `u`'s candidates (at slot `i`, placed by `chosen`) with the bounds known before any
/// re-solve: the LP's below (`lower`), a feasible single move's above where there is one (a
/// lone unit's move is its re-solve, so exact).
pub(super) fn move_cells(
    moves: &mut SingleMoves,
    f: &Formulation,
    u: usize,
    chosen: usize,
    i: usize,
    lone: bool,
    lower: &impl Fn(usize) -> f64,
) -> Vec<Cell> {
    let upper: HashMap<usize, f64> = moves.all(i).into_iter().collect();
    f.unit_cands[u]
        .clone()
        .filter(|&c| c != chosen)
        .map(|c| {
            let up = upper.get(&c).copied().unwrap_or(f64::INFINITY);
            // A lone unit's feasible move is its re-solve; one it cannot make alone (the
            // moves see the batch's budgets whole) proves nothing.
            let lo = if lone && up.is_finite() { up } else { lower(c).min(up) };
            Cell {
                cand: c as u32,
                home: f.cands[c].home as u32,
                lower: lo,
                upper: up,
                lp_done: false,
                nothing_below: f64::NEG_INFINITY,
            }
        })
        .collect()
}

/// The `k`-th least upper bound of `cells` (+∞ with fewer), with room for round-off between a
/// move's arithmetic and the solver's objective: a home whose regret is the bound itself must
/// not be cut off (it belongs on the list).
pub(super) fn kth_upper(cells: &[Cell], k: usize, base: &Outcome) -> f64 {
    let slack = 1e-6 * base.objective.abs().max(1.0);
    let mut ups: Vec<f64> = cells.iter().map(|c| c.upper).collect();
    if k == 0 || ups.len() < k {
        return f64::INFINITY;
    }
    ups.select_nth_unstable_by(k - 1, f64::total_cmp);
    ups[k - 1] + slack
}

/// Tightens the regrets of a unit's candidates until its `k` best are exact and no other can
/// beat them, without a MIP per home.
///
/// Candidates are taken in order of their first lower bound (LP reduced cost); each is
/// re-solved with the pair forced in (warm-started): exact when proven, otherwise a tighter
/// interval (the answer found above, the solve's bound below). The search stops once no
/// untried candidate can beat the k-th least upper bound, which with single moves known is a
/// bound from the start: a forced solve is cut off there (a MIP per home otherwise proves
/// optima far above the list), or at the `cut_k`-th least where that is larger. Returns false
/// when the time limit or the explaining budget stopped it.
/// With `lp_only`, each candidate with a known upper bound gets its forced LP only (once): a
/// lower bound, exact where integral.
pub(super) fn tighten(
    solver: &mut ComponentSolver,
    t: &mut Table,
    base: &Outcome,
    k: usize,
    cut_k: usize,
    lp_only: bool,
) -> bool {
    let kth = |cells: &[Cell]| kth_upper(cells, k, base);
    // Upper bounds only fall, so the bar is worked out again only after a re-solve.
    let mut bar = kth(&t.cells);
    let mut cut_bar = kth_upper(&t.cells, cut_k.max(k), base);
    for j in 0..t.order.len() {
        let at = t.order[j];
        let cell = t.cells[at];
        if cell.lower > bar + 1e-6 {
            // Ordered by the bound each cell started with: a later one may still be below
            // the bar after an earlier pass raised this one's (stopping here left listed
            // regrets of the 300 × 3,000 side-rule batch unproven under a budget that lasted).
            continue;
        }
        // The LP pass narrows only what can be listed (a forced MIP finds the rest); where it
        // branches, it can find an upper bound of its own.
        let branching = lp_only && solver.branches() && solver.branch_lps() > 0;
        let cut_off_before = (branching || !lp_only) && cut_bar <= cell.nothing_below;
        if cell.upper - cell.lower <= MEET
            || cut_off_before
            || (lp_only && (cell.lp_done || (cell.upper.is_infinite() && !branching)))
        {
            continue;
        }
        if solver.out_of_time() {
            // Each forced solve past the limit still costs HiGHS's presolve (a 150 × 1,500
            // side-constrained batch given 600 s ended 16.6 s late).
            return false;
        }
        let cutoff = if lp_only && !branching {
            f64::NEG_INFINITY
        } else {
            base.objective + cut_bar + 1e-6
        };
        let c = &mut t.cells[at];
        c.lp_done = true;
        let t0 = std::time::Instant::now();
        let solved = if branching {
            solver.branch_forced(cell.cand as usize, cutoff, solver.branch_lps())
        } else {
            solver.solve_below(Some(cell.cand as usize), cutoff)
        };
        crate::debug!(
            "forced {} lp_only {lp_only} [{:.2}, {:.2}] cutoff {:.2} took {:.3} s: {}",
            cell.cand,
            cell.lower,
            cell.upper,
            cutoff - base.objective,
            t0.elapsed().as_secs_f64(),
            match &solved {
                Solved::Exact(o) => format!(
                    "found {:.2} bound {:.2} optimal {}",
                    o.objective - base.objective,
                    o.bound - base.objective,
                    o.optimal
                ),
                Solved::AtLeast(v) => format!("at least {:.2}", v - base.objective),
                Solved::Infeasible => "infeasible".to_string(),
            }
        );
        match solved {
            Solved::Exact(o) if solver.proven(&o) => {
                let r = (o.objective - base.objective).max(0.0);
                (c.lower, c.upper) = (r, r);
            }
            Solved::Exact(o) => {
                // Cut short: the answer it found bounds the regret above, its bound below.
                c.upper = c.upper.min(o.objective - base.objective);
                if o.bound.is_finite() {
                    c.lower = c.lower.max(o.bound - base.objective);
                }
            }
            Solved::AtLeast(v) => {
                c.lower = c.lower.max(v - base.objective);
                if cutoff.is_finite() && v >= cutoff - 1e-9 * cutoff.abs().max(1.0) {
                    c.nothing_below = cut_bar;
                }
            }
            Solved::Infeasible if cutoff.is_finite() => {
                // Nothing below the cutoff (with round-off, a known move may sit at it).
                c.lower = c.lower.max((cutoff - base.objective).min(c.upper));
                c.nothing_below = cut_bar;
            }
            Solved::Infeasible => c.lower = f64::INFINITY,
        }
        if c.lower > c.upper {
            // Round-off between a solver's bound and a move's arithmetic.
            c.lower = c.upper;
        }
        bar = kth(&t.cells);
        cut_bar = kth_upper(&t.cells, cut_k.max(k), base);
    }
    true
}
