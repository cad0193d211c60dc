//! Step 6 helper, **large-neighbourhood search**: improves the MIP start of a time-limited
//! component with weekly budgets by solving restricted copies of its MIP first.
//!
//! Why: on the regional backlog (149 budgets over shared beds) HiGHS spends its first ~20 s on
//! the root of the whole MIP and, in a 10 or 20 s run, finds nothing better than the polished
//! start. A copy of the MIP restricted to the pairs that the LP relaxation uses, the pairs the
//! best solution so far uses, and the pairs whose LP reduced cost is below a small threshold
//! has a few thousand columns instead of 31,000, and HiGHS closes it in a second or two. Each
//! copy keeps the best solution as its MIP start, so it can only keep or improve it, and the
//! search can stop at any time. The threshold climbs ([`LADDER`]) while the copies close; a
//! copy much wider than the last closed one is searched in bands of units from north to
//! south instead ([`GROWTH`]), each band's new pairs on top of the last closed copy. When a
//! copy stops unfinished (it may take at most [`PIECE_SHARE`] of the time left) or the bands
//! could not finish in time, the rest goes to local windows: a few dozen neighbouring units
//! with every pair of theirs free and everyone else held where they are, each window closed
//! in a fraction of a second, the windows widening pass by pass ([`windows`]). What is left of
//! the search's time goes to the whole MIP.
//! (The figures on the regional backlog: docs/performance.md and docs/measurements.md.)

use std::collections::HashMap;
use std::time::Instant;

use highs::{HighsModelStatus, HighsSolutionStatus, Model};

/// Reduced-cost thresholds, £ per week. At 0 the restricted MIP is HiGHS's RENS widened by the
/// incumbent.
const LADDER: [f64; 5] = [0.0, 10.0, 50.0, 200.0, 1000.0];

/// The most of the time left that one piece of the ladder may take: the rest is the local
/// phase's ([`windows`]), which makes better use of a short time than an unfinished piece
/// (docs/measurements.md, "Figures behind solver choices").
const PIECE_SHARE: f64 = 0.5;

/// Relative gap at which a restricted MIP counts as closed.
const PIECE_GAP: f64 = 0.003;

/// What one search did (for `PLACEMATCH_DEBUG`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LnsStats {
    /// Restricted MIPs solved.
    pub sub_mips: usize,
    /// Restricted MIPs that lowered the objective.
    pub improved: usize,
    /// Objective change (≤ 0).
    pub change: f64,
}

/// A whole component MIP as HiGHS holds it: columns (CSC) and rows.
pub struct FullModel {
    /// Objective coefficient per column.
    pub costs: Vec<f64>,
    /// Column bounds.
    pub lower: Vec<f64>,
    /// Column bounds.
    pub upper: Vec<f64>,
    /// Whether each column is integer.
    pub integer: Vec<bool>,
    /// Row bounds.
    pub row_lower: Vec<f64>,
    /// Row bounds.
    pub row_upper: Vec<f64>,
    /// CSC: column c's entries are `index[start[c]..start[c + 1]]` with `value`.
    pub start: Vec<usize>,
    /// Row of each entry.
    pub index: Vec<usize>,
    /// Coefficient of each entry.
    pub value: Vec<f64>,
}

impl FullModel {
    fn objective(&self, x: &[f64]) -> f64 {
        self.costs.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// The MIP over the `free` columns (ascending) with every other column held at its value
    /// in `held`: the rows that touch a free column, their bounds less the held columns'
    /// activity. Rows that touch none stay as `held` has them (feasible, since it is).
    fn sub_model(&self, free: &[usize], held: &[f64]) -> highs::Model {
        let mut activity: HashMap<usize, f64> = HashMap::new();
        let mut next_free = free.iter().peekable();
        for (c, &v) in held.iter().enumerate() {
            if next_free.next_if_eq(&&c).is_some() || v == 0.0 {
                continue;
            }
            for e in self.start[c]..self.start[c + 1] {
                *activity.entry(self.index[e]).or_default() += self.value[e] * v;
            }
        }
        let mut row_of: HashMap<usize, highs::Row> = HashMap::new();
        let mut pb = highs::ColProblem::default();
        for &c in free {
            let entries: Vec<(highs::Row, f64)> = (self.start[c]..self.start[c + 1])
                .map(|e| {
                    let r = self.index[e];
                    let row = *row_of.entry(r).or_insert_with(|| {
                        let a = activity.get(&r).copied().unwrap_or(0.0);
                        pb.add_row(self.row_lower[r] - a..=self.row_upper[r] - a)
                    });
                    (row, self.value[e])
                })
                .collect();
            pb.add_column_with_integrality(self.costs[c], self.lower[c]..=self.upper[c], entries, self.integer[c]);
        }
        pb.optimise(highs::Sense::Minimise)
    }

    /// `pairs` (ascending, all from `first_pair` on) and the columns before `first_pair` that
    /// share a row with them or with such a column (a unit's unplaced column, a home's block
    /// beds, a provider's discount switch and values); the rest can stay where they are.
    fn with_neighbours(&self, pairs: Vec<usize>, first_pair: usize) -> Vec<usize> {
        let rows = |c: usize| &self.index[self.start[c]..self.start[c + 1]];
        let mut touched = vec![false; self.row_lower.len()];
        for &c in &pairs {
            rows(c).iter().for_each(|&r| touched[r] = true);
        }
        let mut taken = vec![false; first_pair];
        // Twice, for columns that meet the pairs only through another of these columns.
        for _ in 0..2 {
            for (c, t) in taken.iter_mut().enumerate() {
                *t = *t || rows(c).iter().any(|&r| touched[r]);
            }
            for c in (0..first_pair).filter(|&c| taken[c]) {
                rows(c).iter().for_each(|&r| touched[r] = true);
            }
        }
        (0..first_pair).filter(|&c| taken[c]).chain(pairs).collect()
    }
}

/// What guides the search: per pair column, its value and reduced cost in the LP relaxation,
/// and where its unit stands in a north-to-south order of the units.
pub struct Guide {
    /// LP value per pair column.
    pub lp: Vec<f64>,
    /// LP reduced cost per pair column.
    pub reduced: Vec<f64>,
    /// Per pair column, its unit's rank in the order (0 ≤ rank < `units`).
    pub rank: Vec<u32>,
    /// Per pair column, its unit's rank in an order that keeps each authority's units
    /// together (authorities north to south), for the windows of the local phase: a window
    /// then holds whole weekly budgets rather than slices of many.
    pub local_rank: Vec<u32>,
    /// Units ranked.
    pub units: u32,
}

/// How much wider than the last closed piece the next may be before it is split by place: a
/// piece 1.75× the last closed one did not close in the time left, where its bands did better
/// (docs/measurements.md, "Figures behind solver choices"; docs/how-it-works.md, step 6).
const GROWTH: f64 = 1.3;

/// Pieces up to this many columns are never split (they close in well under a second).
pub const SPLIT_ABOVE: usize = 2_000;

/// The search's state: the best solution so far and the sub-MIPs solved.
struct Search<'a> {
    full: &'a FullModel,
    configure: &'a dyn Fn(&mut Model),
    best: Vec<f64>,
    best_obj: f64,
    stats: LnsStats,
    /// When the search ends.
    stop: Stop,
}

impl<'a> Search<'a> {
    /// A search from `start` (feasible for `full`), nothing solved yet.
    fn new(full: &'a FullModel, configure: &'a dyn Fn(&mut Model), start: Vec<f64>, stop: Stop) -> Self {
        Search {
            full,
            configure,
            best_obj: full.objective(&start),
            best: start,
            stats: LnsStats::default(),
            stop,
        }
    }

    /// Seconds left: 0 once the best is below the target.
    fn left(&self) -> f64 {
        if self.best_obj < self.stop.target {
            0.0
        } else {
            self.stop.until.saturating_duration_since(Instant::now()).as_secs_f64()
        }
    }

    /// A piece of the ladder: [`Self::piece_to`] with [`PIECE_GAP`]. Returns whether HiGHS
    /// closed it (then little better is left among `free`, and a wider piece is next).
    fn piece(&mut self, free: &[usize], seconds: f64, what: &str) -> bool {
        self.piece_to(free, seconds, PIECE_GAP, what)
    }

    /// Solves the sub-MIP over `free` (every other column held at the best solution's value)
    /// to `gap` for at most `seconds`; keeps its answer when better. Returns whether HiGHS
    /// closed it.
    fn piece_to(&mut self, free: &[usize], seconds: f64, gap: f64, what: &str) -> bool {
        let t0 = Instant::now();
        let mut model = self.full.sub_model(free, &self.best);
        (self.configure)(&mut model);
        model.set_option("time_limit", seconds);
        // A piece is a heuristic: proving its last 0.3% only spends time the next, wider piece
        // could use (regional backlog at 10 s: 826,027 with this gap, 828,199 without).
        model.set_option("mip_rel_gap", gap);
        let sub_start: Vec<f64> = free.iter().map(|&c| self.best[c]).collect();
        let _ = model.try_set_solution(Some(&sub_start), None, None, None);
        if self.stop.target.is_finite() {
            // The sub-MIP's objective leaves out the held columns' cost.
            let free_cost: f64 = free.iter().map(|&c| self.full.costs[c] * self.best[c]).sum();
            model.set_option("objective_target", self.stop.target - (self.best_obj - free_cost));
        }
        let solved = model.solve();
        self.stats.sub_mips += 1;
        let status = solved.status();
        if matches!(solved.primal_solution_status(), HighsSolutionStatus::Feasible)
            && matches!(
                status,
                HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ObjectiveTarget
            )
        {
            let mut x = self.best.clone();
            for (&c, &v) in free.iter().zip(solved.get_solution().columns()) {
                // Integer columns exactly integral (the whole MIP checks the start again).
                x[c] = if self.full.integer[c] { v.round() } else { v };
            }
            let obj = self.full.objective(&x);
            // Only a real improvement counts (HiGHS's own round-off is not one).
            if obj < self.best_obj - 1e-6 * self.best_obj.abs().max(1.0) {
                self.stats.improved += 1;
                self.stats.change += obj - self.best_obj;
                self.best = x;
                self.best_obj = obj;
            }
        }
        crate::debug!(
            "lns {what}: {} columns, {status:?}, best {:.2}, {:.2} s",
            free.len(),
            self.best_obj,
            t0.elapsed().as_secs_f64()
        );
        status == HighsModelStatus::Optimal
    }
}

/// When [`improve`] ends: at `until`, or once its best objective is below `target` (−∞ for
/// none: a requested gap met, [`crate::matching::solver::SolveOptions::gap`]).
#[derive(Debug, Clone, Copy)]
pub struct Stop {
    /// The clock.
    pub until: Instant,
    /// The objective that is good enough.
    pub target: f64,
}

/// Runs the search from `start` (a feasible solution of `full`) until `stop`, and returns the
/// best solution found and what the search did. Columns before `first_pair` (unplaced units,
/// block beds, discount switches and values) are always free in the ladder's pieces; `guide`
/// covers the pair columns from `first_pair` on. `configure` sets each restricted MIP's options
/// as the whole MIP's are. Pieces wider than `split_above` columns may be split into bands
/// ([`SPLIT_ABOVE`]).
pub fn improve(
    full: &FullModel,
    guide: &Guide,
    first_pair: usize,
    start: Vec<f64>,
    stop: Stop,
    configure: &dyn Fn(&mut Model),
    split_above: usize,
) -> (Vec<f64>, LnsStats) {
    let mut search = Search::new(full, configure, start, stop);
    ladder(&mut search, guide, first_pair, split_above);
    windows(&mut search, guide, first_pair, WINDOW_COLUMNS);
    (search.best, search.stats)
}

/// The ladder: restricted MIPs over the pairs below each threshold of [`LADDER`] in turn (in
/// bands when too wide), until one stops unfinished or the time is [`PIECE_SHARE`]d out.
fn ladder(search: &mut Search<'_>, guide: &Guide, first_pair: usize, split_above: usize) {
    let full = search.full;
    // Free: the non-pair columns, the LP's support, the best solution's pairs, the pairs below
    // `below`, and those below `tau` whose unit ranks in `band`.
    let free = |best: &[f64], below: f64, tau: f64, band: std::ops::Range<u32>| -> Vec<usize> {
        (0..full.costs.len())
            .filter(|&c| {
                c < first_pair || {
                    let p = c - first_pair;
                    let rc = guide.reduced[p];
                    guide.lp[p] > 1e-9 || rc < below || best[c] > 0.5 || (rc < tau && band.contains(&guide.rank[p]))
                }
            })
            .collect()
    };
    // The last closed piece: its columns and seconds.
    let (mut closed, mut below): (Option<(usize, f64)>, f64) = (None, f64::NEG_INFINITY);
    for tau in LADDER {
        if search.left() < 0.01 {
            break;
        }
        let whole = free(&search.best, tau, tau, 0..0);
        let extra = closed.map_or(0.0, |(n, _)| {
            (whole.len() as f64 - n as f64) / ((GROWTH - 1.0) * n as f64)
        });
        if extra <= 1.0 || whole.len() <= split_above {
            let t0 = Instant::now();
            if !search.piece(&whole, search.left() * PIECE_SHARE, &format!("reduced cost < {tau}")) {
                break;
            }
            (closed, below) = (Some((whole.len(), t0.elapsed().as_secs_f64())), tau);
            continue;
        }
        // Too wide to close in one piece: the units in bands from north to south, each band's
        // pairs below `tau` on top of the last closed piece, each band its share of the time.
        let bands = (extra.ceil() as u32).min(guide.units.max(1));
        // Each band is wider than the last closed piece, so it takes longer: without that much
        // time per band they all stop unfinished and (regional backlog, 10 s) improve nothing;
        // the windows below make better use of such a short time.
        if closed.is_some_and(|(_, seconds)| search.left() < f64::from(bands) * seconds) {
            break;
        }
        let mut all_closed = true;
        for b in 0..bands {
            let (lo, hi) = (b * guide.units / bands, (b + 1) * guide.units / bands);
            let piece = free(&search.best, below, tau, lo..hi);
            let share = search.left() / f64::from(bands - b);
            if share < 0.01 {
                break;
            }
            all_closed &= search.piece(&piece, share, &format!("reduced cost < {tau}, band {}/{bands}", b + 1));
        }
        if !all_closed {
            break;
        }
        below = tau;
    }
}

/// Pair columns in the first pass's windows ([`windows`]): on the regional backlog about 30
/// units, closed to [`WINDOW_GAP`] in 0.02–0.2 s each.
const WINDOW_COLUMNS: usize = 1_000;

/// Relative gap of a window's MIP. Unlike a ladder's piece, a window's objective leaves out
/// the held columns, so [`PIECE_GAP`] of it would let a window stop before the few hundred
/// pounds a window typically finds (regional backlog: nothing found at 0.3 %).
const WINDOW_GAP: f64 = 1e-4;

/// The local phase, with whatever time the ladder left: windows of neighbouring units (whole
/// authorities together, [`Guide::local_rank`]) with every pair of theirs free and every other
/// column held where the best solution has it. Each pass's windows overlap by half and are
/// twice as wide as the last pass's; the phase ends with one window over every unit, or the
/// time.
/// `first` is the first pass's pair columns per window ([`WINDOW_COLUMNS`]).
fn windows(search: &mut Search<'_>, guide: &Guide, first_pair: usize, first: usize) {
    let units = guide.units as usize;
    let mut per_rank = vec![0usize; units];
    for &r in &guide.local_rank {
        per_rank[r as usize] += 1;
    }
    let n = search.full.costs.len();
    let mut target = first;
    for pass in 1.. {
        let mut windows: Vec<std::ops::Range<u32>> = Vec::new();
        let mut lo = 0;
        while lo < units {
            let (mut hi, mut cols) = (lo, 0);
            while hi < units && cols < target {
                cols += per_rank[hi];
                hi += 1;
            }
            windows.push(lo as u32..hi as u32);
            if hi == units {
                break;
            }
            lo += (hi - lo).div_ceil(2);
        }
        for (w, window) in windows.iter().enumerate() {
            if search.left() < 0.01 {
                return;
            }
            let pairs = (first_pair..n).filter(|&c| window.contains(&guide.local_rank[c - first_pair]));
            let free = search.full.with_neighbours(pairs.collect(), first_pair);
            let what = format!("window {}/{} of pass {pass}", w + 1, windows.len());
            search.piece_to(&free, search.left(), WINDOW_GAP, &what);
        }
        if windows.len() == 1 {
            return;
        }
        target *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two units a, b (unplaced columns first), pairs a1 a2 b1 b2; one bed at home 1; a budget
    /// of 6 with homes 1 and 2 priced 5 and 1. The optimum is a2 + b1 (3 + 1 = 4).
    fn two_units() -> FullModel {
        // Rows: 0 assign a, 1 assign b, 2 capacity home 1, 3 budget.
        let cols: [(f64, &[(usize, f64)]); 6] = [
            (100.0, &[(0, 1.0)]),
            (100.0, &[(1, 1.0)]),
            (1.0, &[(0, 1.0), (2, 1.0), (3, 5.0)]),
            (3.0, &[(0, 1.0), (3, 1.0)]),
            (1.0, &[(1, 1.0), (2, 1.0), (3, 5.0)]),
            (10.0, &[(1, 1.0), (3, 1.0)]),
        ];
        let mut m = FullModel {
            costs: cols.iter().map(|c| c.0).collect(),
            lower: vec![0.0; 6],
            upper: vec![1.0; 6],
            integer: vec![false, false, true, true, true, true],
            row_lower: vec![1.0, 1.0, f64::NEG_INFINITY, f64::NEG_INFINITY],
            row_upper: vec![1.0, 1.0, 1.0, 6.0],
            start: vec![0],
            index: Vec::new(),
            value: Vec::new(),
        };
        for (_, entries) in cols {
            m.index.extend(entries.iter().map(|e| e.0));
            m.value.extend(entries.iter().map(|e| e.1));
            m.start.push(m.index.len());
        }
        m
    }

    /// Units a (pairs a1, a2) and b (b1, b2), in that order both ways.
    fn guide(lp: Vec<f64>, reduced: Vec<f64>) -> Guide {
        let rank = vec![0, 0, 1, 1];
        Guide {
            lp,
            reduced,
            local_rank: rank.clone(),
            rank,
            units: 2,
        }
    }

    fn quiet(m: &mut Model) {
        m.make_quiet();
        m.set_option("threads", 1);
    }

    /// The search from everyone unplaced, splitting pieces above `split_above` columns: only
    /// b1 is below the first thresholds, a2 and b2 come in at 50.
    fn from_everyone_unplaced(split_above: usize) -> (Vec<f64>, LnsStats) {
        let full = two_units();
        let until = Instant::now() + std::time::Duration::from_secs(60);
        let guide = guide(vec![0.0; 4], vec![20.0, 20.0, 5.0, 20.0]);
        let start = vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let (best, stats) = improve(
            &full,
            &guide,
            2,
            start,
            Stop {
                until,
                target: f64::NEG_INFINITY,
            },
            &quiet,
            split_above,
        );
        // The optimum, a2 + b1, 200 below the start.
        assert_eq!(best, vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert!((stats.change - (4.0 - 200.0)).abs() < 1e-9);
        (best, stats)
    }

    #[test]
    fn the_ladder_frees_pairs_by_reduced_cost_until_the_optimum() {
        // Below 10 only b1 is free: b placed there (101). Below 50 every pair: the optimum.
        // Then one window over both units (this model is far below a window's width).
        let (_, stats) = from_everyone_unplaced(SPLIT_ABOVE);
        assert_eq!(stats.improved, 2);
        assert_eq!(stats.sub_mips, LADDER.len() + 1);
    }

    #[test]
    fn a_piece_too_wide_is_searched_in_bands_and_still_reaches_the_optimum() {
        // Below 10 the piece would grow from 2 columns to 3: two bands (a's, nothing new; b's,
        // b1). Below 50, 200 and 1000, two bands again, one unit's new pairs at a time.
        let (_, stats) = from_everyone_unplaced(0);
        assert!(stats.sub_mips > LADDER.len(), "{stats:?}");
    }

    #[test]
    fn a_restricted_mip_keeps_the_incumbents_pairs_and_the_lps_support() {
        let full = two_units();
        // a at home 1 (budget 5 of 6 used), b unplaced; no pair of b is ever below a threshold
        // but b2, priced 1, fits. a's pairs are free only where a is now.
        let guide = guide(vec![0.0, 0.0, 0.0, 1.0], vec![1e9, 1e9, 1e9, 1e9]);
        let mut search = search_from(&full, vec![0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        ladder(&mut search, &guide, 2, SPLIT_ABOVE);
        // b2 is in the LP's support: a1 + b2 = 11 (b1 would break home 1's one bed).
        assert_eq!(search.best, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
        assert_eq!(search.stats.improved, 1);
        // The windows then free every pair: a2 + b1 (4).
        windows(&mut search, &guide, 2, WINDOW_COLUMNS);
        assert_eq!(search.best, vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn no_time_left_returns_the_start_untouched() {
        let full = two_units();
        let guide = guide(vec![0.0; 4], vec![0.0; 4]);
        let start = vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let (best, stats) = improve(
            &full,
            &guide,
            2,
            start.clone(),
            Stop {
                until: Instant::now(),
                target: f64::NEG_INFINITY,
            },
            &quiet,
            SPLIT_ABOVE,
        );
        assert_eq!(best, start);
        assert_eq!(stats.sub_mips, 0);
    }

    /// A search with a minute and no target.
    fn search_from(full: &FullModel, start: Vec<f64>) -> Search<'_> {
        let stop = Stop {
            until: Instant::now() + std::time::Duration::from_secs(60),
            target: f64::NEG_INFINITY,
        };
        Search::new(full, &quiet, start, stop)
    }

    #[test]
    fn a_window_respects_the_beds_and_budget_its_held_columns_use() {
        let full = two_units();
        // a at home 1 (its bed taken, 5 of the budget's 6 spent), b unplaced. b's window: its
        // unplaced column and pairs, which with_neighbours finds from the pairs alone.
        let free = full.with_neighbours(vec![4, 5], 2);
        assert_eq!(free, vec![1, 4, 5]);
        let mut search = search_from(&full, vec![0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        assert!(search.piece_to(&free, 60.0, WINDOW_GAP, "b"));
        // Not b1 (cost 1, but home 1's bed is a's and 5 more would break the budget): b2.
        assert_eq!(search.best, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
        assert!((search.best_obj - 11.0).abs() < 1e-9);
    }

    #[test]
    fn the_windows_widen_until_one_holds_every_unit_and_reach_the_optimum() {
        let full = two_units();
        let guide = guide(vec![0.0; 4], vec![0.0; 4]);
        let mut search = search_from(&full, vec![0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        // One pair column per window: {a}, {b}; two: {a}, {b} again; four: {a, b}.
        windows(&mut search, &guide, 2, 1);
        assert_eq!(search.stats.sub_mips, 5);
        // b alone moves to b2 (11); only both together reach a2 + b1 (4).
        assert_eq!(search.best, vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(search.stats.improved, 2);
    }
}
