//! Step 6, **solve**: each component of the model with HiGHS, plus the forced
//! re-solves that measure regret ("how much worse is the batch if this child goes
//! there instead?").
//!
//! [`ComponentSolver`] is one struct with its methods spread over files by responsibility:
//!
//! | file | what |
//! | --- | --- |
//! | `mod.rs` | the settings, the outcome, the struct, a single unit in closed form, the entry points ([`ComponentSolver::solve`], [`ComponentSolver::solve_below`]) |
//! | `batch.rs` | every component of a batch side by side, and the formulation rebuilt while unstored pairs could matter ([`solve_assignment`], [`solve_components`]) |
//! | `entries.rs` | the static entries of every stored pair, shared by a component's solvers |
//! | `columns.rs` | the active model: which pairs are HiGHS columns, the solo and conflict rows they create, roll-back |
//! | `lp.rs` | the LP relaxation with column generation (pricing every pair at the LP's duals) |
//! | `bounds.rs` | bounds valid for the full model: pairs left out and unstored, the requested gap |
//! | `lagrangian.rs` | the per-budget Lagrangian bound and its subgradient ascent |
//! | `mip.rs` | the MIP with reduced-cost fixing (widening), the large-neighbourhood search before it |
//! | `start.rs` | MIP starts (greedy, from the LP) and reading a choice from column values |
//! | `forced.rs` | what the regret search needs: forced re-solves and their roll-back, the base LP's bounds |
//! | `branch.rs` | a small branch-and-bound over a forced LP, closing its integrality gap without HiGHS's MIP |
//! | `intervals.rs` | a placed child's alternatives as proven intervals: their table, ranking and tightening by forced solves |
//! | `regrets.rs` | each component's alternatives and competition, by the method that fits it |
//! | `ffi.rs` | the solver's only `unsafe` (the other is glibc's, `support::memory`): HiGHS's C API, wrapped in safe functions |

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use highs::Model;

use crate::matching::model::{Component, Formulation, RowKey};
use crate::matching::small::{Small, SmallSolver};
use crate::pair::instance::Instance;
use entries::Entries;

mod batch;
mod bounds;
mod branch;
mod columns;
mod cuts;
mod entries;
mod ffi;
mod forced;
mod intervals;
mod lagrangian;
mod lp;
mod mip;
mod regrets;
mod start;

pub use batch::{solve_assignment, solve_components, Solution};
pub use regrets::{solve_with_regrets, Competitors, Interval, Ranked, Regrets};

/// Solver settings.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the whole batch, seconds.
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which a component counts as solved (0 = prove optimality).
    pub gap: f64,
    /// HiGHS presolve on or off (MIP only; the LP relaxation always runs without it).
    pub presolve: bool,
    /// Pairs per unit in the first LP; the rest are priced and added back as needed (0 = all).
    pub columns_per_unit: usize,
    /// Pairs per unit kept in memory at all (None = automatic, [`crate::matching::model::Formulation::keep_for`]).
    /// Honoured only for a pure assignment, where unstored pairs can be proven irrelevant.
    pub pairs_per_unit: Option<usize>,
    /// Components of at most this many units (and more than one) are solved by the exact
    /// branch-and-bound of [`crate::matching::small`] before HiGHS is tried (0 = always HiGHS).
    pub small_units: usize,
    /// Under a time limit, most pairs the first widening adds back before the next MIP (each
    /// later one may add twice as many as the one before); without a limit, every pair that
    /// could matter comes back at once.
    pub widening_step: usize,
    /// Most LPs of column generation per solve (0 = until no pair can improve the LP). Past
    /// it the bound comes from the last LP's duals, as when a time limit stops the pricing
    /// (tests use it to reach that path without a clock).
    pub pricing_rounds: usize,
    /// Seconds the explaining stage may spend re-optimising with pairs forced in, counted
    /// from the moment the first component of several units has its answer (None = until every regret is
    /// exact). Past it, regrets are left as proven intervals ([`solve_with_regrets`]).
    pub explain_time: Option<f64>,
    /// Under an explaining budget, most LPs of the branch-and-bound each forced pair gets
    /// before HiGHS's MIP ([`ComponentSolver::branch_forced`]; 0 = forced LP only). Tests set it
    /// low to reach intervals that a search stopped short proved.
    pub branch_lps: usize,
    /// Under an explaining budget, whether forced MIPs follow the forced LPs and their
    /// branch-and-bound (false: the intervals those proved are the answer; tests use it to
    /// judge them on their own).
    pub forced_mips: bool,
    /// Whether the unforced LP is tightened with cover cuts on its capacity and admission
    /// rows before it goes to the MIP ([`cuts`]); false only to measure what they do.
    pub cover_cuts: bool,
}

/// The default of [`SolveOptions::branch_lps`]: on the 300 × 3,000 side-rule batch most forced
/// pairs close in 2–5 LPs (docs/measurements.md, "Branching on the forced LP").
pub const DEFAULT_BRANCH_LPS: usize = 16;

/// The command line's explaining budget, seconds ([`SolveOptions::explain_time`]): with it
/// the 300 × 3,000 batch with every side rule but budgets finishes in about 8.3 s with 84–98 %
/// of its regrets exact on seeds 1–3 (docs/measurements.md, "Cover cuts").
pub const DEFAULT_EXPLAIN_SECONDS: f64 = 8.0;

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            gap: 0.0,
            presolve: true,
            columns_per_unit: 12,
            pairs_per_unit: None,
            small_units: crate::matching::small::DEFAULT_MAX_UNITS,
            widening_step: MAX_WIDENING,
            pricing_rounds: 0,
            explain_time: None,
            branch_lps: DEFAULT_BRANCH_LPS,
            forced_mips: true,
            cover_cuts: true,
        }
    }
}

/// The outcome of one component solve.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Optimal when proven to the gap.
    pub optimal: bool,
    /// Objective of the solution found.
    pub objective: f64,
    /// Best proven lower bound.
    pub bound: f64,
    /// Chosen candidate per component unit (None = unplaced).
    pub choice: Vec<Option<usize>>,
}
/// Under a time limit, most pairs a forced solve (regret) adds back to prove that nothing is
/// below its cutoff, before it gives the candidate up as not evaluated.
const MAX_WIDENING: usize = 20_000;

/// What a solve with a cutoff found.
#[derive(Debug, Clone)]
pub enum Solved {
    /// Forcing the candidate breaks a side rule.
    Infeasible,
    /// The optimum (or best found under a time limit).
    Exact(Outcome),
    /// The optimum is at least this (the LP bound already reached the cutoff).
    AtLeast(f64),
}

/// A component with its HiGHS model kept for warm re-solves.
///
/// Three measured facts shape this:
/// - The models are nearly totally unimodular, so the LP relaxation is solved first and is
///   usually integral; only a fractional LP falls back to the MIP. On a 150 × 6,000 batch:
///   LP 0.3 s, MIP without presolve 4.7 s, MIP with presolve 60 s, same optimum.
/// - Most eligible pairs are never close to optimal, so each unit starts with its cheapest
///   `columns_per_unit` pairs and the rest are priced with the LP duals and added back
///   while any could improve the LP (column generation). When the LP is fractional, every
///   pair whose reduced cost is below the MIP gap is added before the final MIP, so the
///   answer is optimal for the full model (reduced-cost fixing).
/// - Re-solving after fixing a column (regret) warm-starts from the last basis.
pub struct ComponentSolver<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    /// The component.
    pub comp: &'a Component,
    opts: SolveOptions,
    deadline: Option<Instant>,
    /// When explaining must stop re-solving ([`Self::explain_until`]); forced solves are
    /// given the time up to it.
    explain_deadline: Option<Instant>,
    /// A single unit: solved in closed form, no HiGHS.
    trivial: bool,
    /// Static rows, then solo and conflict rows in the order they were created.
    rows: Vec<(RowKey, f64, f64)>,
    /// Every candidate's cost and static entries, shared with a second solver of the same
    /// component ([`Self::beside`]).
    ent: Arc<Entries>,
    /// Entries in solo and conflict rows, per candidate position.
    dyn_entries: HashMap<usize, Vec<(usize, f64)>>,
    /// Active candidate positions per home.
    active_at: HashMap<usize, Vec<usize>>,
    /// Solo rows per home: (row, solo unit).
    solo_rows_at: HashMap<usize, Vec<(usize, usize)>>,
    /// HiGHS column of each active candidate position, plus one ([`Self::col`]): a quarter of
    /// an `Option<usize>`, on millions of positions.
    active: Vec<Option<NonZeroU32>>,
    /// Active candidate positions, in the order they were added.
    active_list: Vec<usize>,
    /// HiGHS columns of the discount switches z (integer in the MIP).
    switch_cols: Vec<usize>,
    lp: Option<Model>,
    /// Reduced cost of every candidate position at the last LP optimum.
    reduced: Vec<f64>,
    base_lp: Option<(f64, Vec<f64>)>,
    /// Row duals of the unforced LP at its optimum, and whether that LP was integral (then
    /// they are the optimum's potentials).
    base_duals: Option<(Vec<f64>, bool)>,
    /// Pairs priced against LP duals (counted once per pricing pass).
    pub priced: usize,
    /// Pairs added back after pricing.
    pub added: usize,
    /// Solves that needed the MIP.
    pub mip_solves: usize,
    /// MIPs re-solved after pairs were added back (reduced cost below the gap).
    pub widenings: usize,
    /// The exact search of [`crate::matching::small`] for a small component (None = HiGHS only).
    small: Option<SmallSolver<'a>>,
    /// Solves the small search settled (no HiGHS).
    pub small_solves: usize,
    /// What the large-neighbourhood search did before the unforced MIP, if it ran.
    pub lns: Option<crate::matching::lns::LnsStats>,
    /// With a requested gap g > 0, the unforced answer is accepted once its objective o and
    /// a bound b valid for the full model meet o − b ≤ g·o + `gap_share`: this component's
    /// share (£) of the slack that the batch's exactly solved lone children leave unused
    /// ([`crate::matching::explain::solve_components`]), so the batch as a whole is within g.
    pub gap_share: f64,
    /// Whether the component has weekly budgets (knapsack rows).
    knapsacks: bool,
    /// The last LP's per-budget Lagrangian bound ([`crate::matching::lagrange`]), forced or not, and per
    /// candidate position a lower bound on that solve's optimum with the pair also forced in
    /// (never below the LP's value plus its reduced cost). Budget components whose LP is
    /// fractional only.
    lagrangian: Option<(f64, Vec<f64>)>,
    /// The unforced LP's Lagrangian bound (its forced bounds are in `base_lp`).
    base_lagrangian: Option<f64>,
    /// Seconds the unforced solve spent in HiGHS's MIP (with its widenings): what a forced
    /// MIP of the component can be expected to cost ([`Self::forced_mips_fit`]).
    base_mip_seconds: f64,
    /// Per unit (by slot), the least reduced cost any of its unstored pairs can have at the
    /// last LP's duals ([`Self::unstored_reduced`]; +∞ where every pair is stored).
    unstored: Vec<f64>,
    /// The last LP's optimum, forced or not (None when it did not finish).
    last_lp: Option<f64>,
    /// Units whose unstored pairs might have changed a forced solve's answer since
    /// [`Self::take_unsure`] was last called.
    unsure: Vec<usize>,
    /// The row duals `reduced` was last computed at (by a full pricing or an update).
    priced_at: Option<Vec<f64>>,
    /// Rows built with the component (every static entry's row is one of them); solo and
    /// conflict rows come after.
    static_rows: usize,
}

impl<'a> ComponentSolver<'a> {
    /// Prepares a component.
    pub fn new(
        inst: &'a Instance,
        f: &'a Formulation,
        comp: &'a Component,
        opts: &SolveOptions,
        deadline: Option<Instant>,
    ) -> Self {
        Self::with_entries(inst, f, comp, opts, deadline, None)
    }

    /// This solver's static entries, to share with a second solver of the same component
    /// ([`Self::with_entries`]).
    fn entries(&self) -> Arc<Entries> {
        Arc::clone(&self.ent)
    }

    /// A solver of a component, sharing `shared` (read only) where given: its own LP, columns
    /// and reduced costs, for explaining beside another on the other core.
    fn with_entries(
        inst: &'a Instance,
        f: &'a Formulation,
        comp: &'a Component,
        opts: &SolveOptions,
        deadline: Option<Instant>,
        shared: Option<Arc<Entries>>,
    ) -> Self {
        let trivial = comp.units.len() == 1;
        let mut s = ComponentSolver {
            inst,
            f,
            comp,
            opts: opts.clone(),
            deadline,
            explain_deadline: None,
            trivial,
            rows: Vec::new(),
            ent: Entries::none(),
            dyn_entries: HashMap::new(),
            active_at: HashMap::new(),
            solo_rows_at: HashMap::new(),
            active: vec![None; comp.cands.len()],
            active_list: Vec::new(),
            switch_cols: Vec::new(),
            lp: None,
            reduced: vec![0.0; comp.cands.len()],
            base_lp: None,
            base_duals: None,
            lagrangian: None,
            base_lagrangian: None,
            base_mip_seconds: 0.0,
            priced: 0,
            added: 0,
            mip_solves: 0,
            widenings: 0,
            // The search sees stored pairs only, so it runs only where every pair is stored.
            small: (!trivial && comp.units.len() <= opts.small_units && comp.units.iter().all(|&u| f.complete(u)))
                .then(|| SmallSolver::new(inst, f, comp)),
            small_solves: 0,
            lns: None,
            gap_share: 0.0,
            knapsacks: false,
            unstored: vec![f64::INFINITY; comp.units.len()],
            last_lp: None,
            unsure: Vec::new(),
            priced_at: None,
            static_rows: 0,
        };
        if trivial {
            return s;
        }
        s.ent = shared.unwrap_or_else(|| Entries::build(inst, f, comp));
        s.rows = s.ent.rows.clone();
        s.static_rows = s.rows.len();
        s.knapsacks = s.rows.iter().any(|r| matches!(r.0, RowKey::Budget(_)));
        // Start from each unit's cheapest pairs (all of them when columns_per_unit is 0).
        let mut initial = Vec::new();
        for &u in &comp.units {
            let mut ks: Vec<usize> = f.unit_cands[u].clone().filter(|&k| !f.over_budget(inst, k)).collect();
            if opts.columns_per_unit > 0 && ks.len() > opts.columns_per_unit {
                ks.sort_by(|&a, &b| f.cands[a].cost.total_cmp(&f.cands[b].cost).then(a.cmp(&b)));
                ks.truncate(opts.columns_per_unit);
            }
            initial.extend(ks.into_iter().map(|k| s.pos(k)));
        }
        initial.sort_unstable();
        let (mut model, switch_cols) = s.build(false);
        s.switch_cols = switch_cols;
        s.activate(&mut model, &initial);
        s.added = 0;
        s.lp = Some(model);
        s
    }

    /// The HiGHS column of candidate position `pos`, if it is active.
    pub(super) fn col(&self, pos: usize) -> Option<usize> {
        self.active[pos].map(|c| c.get() as usize - 1)
    }

    /// Records `pos` as HiGHS column `col` (None: not active).
    pub(super) fn set_col(&mut self, pos: usize, col: Option<usize>) {
        self.active[pos] = col
            .map(|c| NonZeroU32::new(u32::try_from(c + 1).expect("HiGHS columns fit in 32 bits")).expect("plus one"));
    }
}

impl ComponentSolver<'_> {
    /// Whether `o`, an answer of this solver, is proven optimal: with a requested gap HiGHS
    /// calls an answer within it optimal, so it must also meet its bound.
    pub fn proven(&self, o: &Outcome) -> bool {
        o.optimal && (self.opts.gap <= 0.0 || crate::result::format::bound_meets(o.bound, o.objective))
    }

    /// Whether the component is solved by the exact search of [`crate::matching::small`] (before
    /// HiGHS, which takes over only where the search gives up).
    pub fn is_small(&self) -> bool {
        self.small.is_some()
    }

    /// Whether the component is a plain assignment: capacity rows only (no block beds, solo,
    /// conflicts, admission limits, discounts or budgets), each unit taking one bed at every
    /// home (none accepted or holding beds, which take none of the beds open to others).
    pub fn is_plain(&self) -> bool {
        !self.trivial
            && self.comp.units.iter().all(|&u| {
                !self.inst.answers.any
                    || self.f.units[u]
                        .members
                        .iter()
                        .all(|&m| !self.inst.answers.is_accepted(m) && self.inst.answers.held[m].is_empty())
            })
            && self
                .rows
                .iter()
                .all(|r| matches!(r.0, RowKey::Assign(_) | RowKey::Capacity(_)))
            && self
                .comp
                .units
                .iter()
                .all(|&u| !self.f.is_solo(self.inst, u) && self.f.conflicts[u].is_empty())
    }

    /// Position of candidate `k` in the component's ascending candidate list (a binary search:
    /// a large component has millions of candidates, too many for a hash map to pay off).
    pub(super) fn pos(&self, k: usize) -> usize {
        self.comp
            .cands
            .binary_search(&k)
            .expect("a candidate of this component")
    }

    /// The unit of the candidate at position `p`.
    pub(super) fn unit_at(&self, p: usize) -> usize {
        self.f.cands[self.comp.cands[p]].unit
    }

    /// Unit `u`'s slot in the component (its place in `comp.units`, and its unplaced column's).
    pub(super) fn unit_slot(&self, u: usize) -> usize {
        self.comp.units.binary_search(&u).expect("a unit of this component")
    }

    /// Positions of unit `u`'s candidates: one ascending run of the component's, as the
    /// formulation numbers each unit's candidates consecutively.
    pub(super) fn unit_positions(&self, u: usize) -> std::ops::Range<usize> {
        let (ks, cands) = (self.f.unit_cands[u].clone(), &self.comp.cands);
        cands.partition_point(|&k| k < ks.start)..cands.partition_point(|&k| k < ks.end)
    }

    /// Free beds of a home.
    pub fn vacancies(&self, h: usize) -> usize {
        self.inst.batch.homes[h].vacancies.max(0) as usize
    }

    /// Columns and rows of the component's LP as it stands.
    pub fn size(&self) -> (usize, usize) {
        match &self.lp {
            Some(m) => (m.num_cols(), m.num_rows()),
            None => (self.f.unit_cands[self.comp.units[0]].len() + 1, 1),
        }
    }

    /// Whether this solver's time limit has passed (explanations then stop re-solving).
    pub fn out_of_time(&self) -> bool {
        self.until().is_some_and(|d| Instant::now() >= d)
    }

    /// From now on, re-solves stop at `until` as well (the explaining budget).
    pub fn explain_until(&mut self, until: Option<Instant>) {
        self.explain_deadline = until;
    }

    /// The earlier of the time limit and the explaining budget.
    fn until(&self) -> Option<Instant> {
        match (self.deadline, self.explain_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(super) fn time_left(&self) -> Option<f64> {
        self.until()
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64().max(0.01))
    }

    /// Solves the component (optionally forcing one candidate in). None when forcing is infeasible.
    pub fn solve(&mut self, forced: Option<usize>) -> Option<Outcome> {
        match self.solve_below(forced, f64::INFINITY) {
            Solved::Exact(o) => Some(o),
            Solved::Infeasible => None,
            Solved::AtLeast(_) => unreachable!("no cutoff"),
        }
    }

    /// Like [`solve`](Self::solve), but when the LP relaxation is fractional and already at or
    /// above `cutoff`, returns its value as a lower bound instead of solving the MIP: regret
    /// ranking needs the exact value only of candidates that can still make the list.
    pub fn solve_below(&mut self, forced: Option<usize>, cutoff: f64) -> Solved {
        if self.trivial {
            return self.solve_trivial(forced).map_or(Solved::Infeasible, Solved::Exact);
        }
        let until = self.until();
        if let Some(small) = self.small.as_mut() {
            let before = small.nodes;
            let r = small.solve(forced, cutoff, until);
            crate::debug!(
                "small {:?} nodes {} -> {:?}",
                forced,
                small.nodes - before,
                matches!(r, Small::GaveUp)
            );
            let found = match r {
                Small::Optimal { objective, choice } => {
                    if forced.is_none() {
                        // No LP here: the search's root bounds stand in for LP reduced costs
                        // (lp_obj + rc is a lower bound on the forced optimum either way).
                        let mut rc = vec![f64::NEG_INFINITY; self.comp.cands.len()];
                        for (k, b) in small.forced_bounds() {
                            rc[self.comp.cands.binary_search(&k).expect("a candidate")] = b;
                        }
                        self.base_lp = Some((0.0, rc));
                    }
                    Solved::Exact(Outcome {
                        optimal: true,
                        objective,
                        bound: objective,
                        choice,
                    })
                }
                // Proven only to within the search's tolerance of the cutoff.
                Small::NotBelow => Solved::AtLeast(cutoff - 1e-9),
                Small::Infeasible => Solved::Infeasible,
                Small::GaveUp => return self.solve_highs(forced, cutoff),
            };
            self.small_solves += 1;
            return found;
        }
        self.solve_highs(forced, cutoff)
    }

    /// Value of placing a lone unit by candidate `k` (cost net of block beds and discount),
    /// or None when a side constraint forbids it on its own.
    pub(super) fn lone_value(&self, k: usize) -> Option<f64> {
        let inst = self.inst;
        let c = &self.f.cands[k];
        let size = self.f.size(c.unit);
        let home = &inst.batch.homes[c.home];
        let provider = &inst.batch.providers[inst.homes[c.home].provider];
        let admissions = Formulation::open_admissions(inst, inst.homes[c.home].provider);
        if admissions.is_some_and(|m| self.f.admission_use(inst, c.unit) > m) {
            return None;
        }
        let f = self.f;
        if f.unit_budgets[c.unit]
            .iter()
            .any(|&(b, m)| m as f64 * home.weekly_price > f.budgets[b] + 1e-9)
        {
            return None;
        }
        let mut v = c.cost - home.weekly_price * (size as i64).min(home.block_vacancies) as f64;
        if let Some(d) = &provider.volume_discount {
            if size as i64 >= d.min_placements {
                v -= size as f64 * home.weekly_price * d.percent / 100.0;
            }
        }
        Some(v)
    }

    pub(super) fn solve_trivial(&self, forced: Option<usize>) -> Option<Outcome> {
        let u = self.comp.units[0];
        let mut best: (f64, Option<usize>) = (self.f.unplaced[u], None);
        if let Some(k) = forced {
            best = (self.lone_value(k)?, Some(k));
        } else {
            // Candidates are in home order, so a strict `<` breaks ties by home order.
            for k in self.f.unit_cands[u].clone() {
                if let Some(v) = self.lone_value(k) {
                    if v < best.0 - 1e-9 {
                        best = (v, Some(k));
                    }
                }
            }
        }
        Some(Outcome {
            optimal: true,
            objective: best.0,
            bound: best.0,
            choice: vec![best.1],
        })
    }
}
