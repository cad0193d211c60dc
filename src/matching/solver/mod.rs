//! Step 6, **solve**: each component of the model with HiGHS, plus the forced
//! re-solves that measure regret ("how much worse is the batch if this child goes
//! there instead?").

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use highs::{ColProblem, HighsModelStatus, Model, Row, Sense};

use crate::matching::model::{Component, Formulation, RowIndex, RowKey};
use crate::matching::small::{Small, SmallSolver};
use crate::pair::instance::Instance;

/// Passes of single-move polishing for a MIP start ([`crate::matching::regret::SingleMoves::improve`]).
const POLISH_PASSES: usize = 20;

/// Most time the large-neighbourhood search ([`crate::matching::lns`]) takes before the whole MIP, and
/// the least time worth leaving to the whole MIP after it: with less, the search takes all the
/// time and the whole MIP does not run. Under a time limit the whole MIP proves nothing about
/// the pairs it leaves out (its bound counts only up to the LP plus their least reduced cost:
/// [`full_bound`]), so on a batch too big to widen in time its only use is a better answer,
/// and on the regional backlog it finds none in its first 20 s (the root's cut rounds), then
/// overran its limit by up to 2 s. Measured there on 2026-12-02 against half the time up to
/// 5 s: docs/performance.md.
const LNS_MOST: std::time::Duration = std::time::Duration::from_secs(20);
/// Reduced cost above which a pair is left out of the plans of its budget's Lagrangian
/// subproblem ([`crate::matching::lagrange::solve`]), £ per week.
const LAGRANGIAN_CAP: f64 = 2000.0;
/// Pairs of negative reduced cost that one round of column generation brings in per unit, the
/// most negative first: after the first LP over each unit's cheapest pairs, a batch from one
/// region (1,303 children over 10,000 homes) had 568,839 such pairs, and the LP with all of
/// them took 11.4 s (past its time limit; HiGHS checks the clock too seldom in it); five per
/// unit converge in six rounds and 2.8 s. Every round prices every pair, so the last LP is
/// still optimal for the full model.
const PRICED_PER_UNIT: usize = 5;
/// The most of the time left that the Lagrangian bounds at the LP's duals may take under a
/// time limit: a batch from one region (1,303 children of 25 authorities, some 50 each) spent
/// 12 s of a 10 s run on them; the regional backlog's take 0.66 s of 7.3 s.
const LAGRANGIAN_SHARE: f64 = 0.2;
/// The Lagrangian problem of a component's base LP for [`crate::matching::lagrange::ascend`], and per
/// unit option the candidate position it stands for.
struct AscentInput {
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
    fn run(
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
            if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                eprintln!(
                    "lagrangian ascent beside the MIP: {} evaluations, bound {:.2}",
                    ascent.evaluations, ascent.bound
                );
            }
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
        if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
            eprintln!(
                "lagrangian ascent: {} evaluations, bound {:.2} in {:.2} s",
                ascent.evaluations,
                bound.max(ascent.bound),
                t0.elapsed().as_secs_f64()
            );
        }
        Some((bound.max(ascent.bound), Some(floor)))
    }
}

/// Cap on reduced costs in the subgradient steps' subproblems ([`crate::matching::lagrange::ascend`]):
/// lower than [`LAGRANGIAN_CAP`] for speed, still a bound at every step. At 300 the capped
/// groups stopped the climb (regional backlog, 150 steps: 510,769 against 512,703 at 800).
const ASCENT_CAP: f64 = 800.0;
/// Bound evaluations of the subgradient ascent ([`crate::matching::lagrange::ascend`]).
const ASCENT_EVALUATIONS: usize = 100;
/// See [`LNS_MOST`].
const WHOLE_MIP_LEAST: std::time::Duration = std::time::Duration::from_secs(20);

/// The most of the time left, when column generation starts, that its LPs may take under a
/// time limit; past it the last LP's duals give the bound (see
/// [`ComponentSolver::settle_unpriced`]). A 1,000-child batch from London spent 3.8 s of a
/// 10 s run in seven LPs; with `--time-limit 5` they were unfinished at the limit and the
/// answer was the greedy start with no bound (gap 67 %).
const PRICING_SHARE: f64 = 0.6;

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
}

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

/// A forced solve that widened its MIP, or grew the active pairs by more than 1/this, is
/// rolled back after it.
const ROLL_BACK_GROWTH: usize = 4;

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
    /// A single unit: solved in closed form, no HiGHS.
    trivial: bool,
    /// Static rows, then solo and conflict rows in the order they were created.
    rows: Vec<(RowKey, f64, f64)>,
    /// Static entries of every candidate (by position in `comp.cands`), CSR.
    ent_start: Vec<usize>,
    ent_row: Vec<u32>,
    ent_coef: Vec<f64>,
    /// Cost of every candidate position.
    pos_cost: Vec<f64>,
    /// Entries in solo and conflict rows, per candidate position.
    dyn_entries: HashMap<usize, Vec<(usize, f64)>>,
    /// Active candidate positions per home.
    active_at: HashMap<usize, Vec<usize>>,
    /// Solo rows per home: (row, solo unit).
    solo_rows_at: HashMap<usize, Vec<(usize, usize)>>,
    /// HiGHS column of each active candidate position.
    active: Vec<Option<usize>>,
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
    /// Positions whose pair alone breaks a weekly budget ([`Formulation::over_budget`]): never
    /// columns (the LP would place fractions of them), priced at +∞.
    over_budget: Vec<bool>,
    /// Per unit (by slot), the least reduced cost any of its unstored pairs can have at the
    /// last LP's duals ([`Self::unstored_reduced`]; +∞ where every pair is stored).
    unstored: Vec<f64>,
    /// The last LP's optimum, forced or not (None when it did not finish).
    last_lp: Option<f64>,
    /// Units whose unstored pairs might have changed a forced solve's answer since
    /// [`Self::take_unsure`] was last called.
    unsure: Vec<usize>,
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
        let trivial = comp.units.len() == 1;
        let mut s = ComponentSolver {
            inst,
            f,
            comp,
            opts: opts.clone(),
            deadline,
            trivial,
            rows: Vec::new(),
            ent_start: vec![0],
            ent_row: Vec::new(),
            ent_coef: Vec::new(),
            pos_cost: comp.cands.iter().map(|&k| f.cands[k].cost).collect(),
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
            over_budget: Vec::new(),
            unstored: vec![f64::INFINITY; comp.units.len()],
            last_lp: None,
            unsure: Vec::new(),
        };
        if trivial {
            return s;
        }
        s.rows = f.rows(inst, comp);
        s.knapsacks = s.rows.iter().any(|r| matches!(r.0, RowKey::Budget(_)));
        if s.knapsacks {
            s.over_budget = comp.cands.iter().map(|&k| f.over_budget(inst, k)).collect();
        }
        let index = RowIndex::new(&s.rows);
        let mut buf = Vec::new();
        s.ent_row.reserve(comp.cands.len() * 4);
        s.ent_coef.reserve(comp.cands.len() * 4);
        for &k in &comp.cands {
            f.entries(inst, k, &index, &mut buf);
            s.ent_row.extend(buf.iter().map(|e| e.0 as u32));
            s.ent_coef.extend(buf.iter().map(|e| e.1));
            s.ent_start.push(s.ent_row.len());
        }
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

    /// Builds a HiGHS model with every current row, the non-pair columns, and (for the MIP)
    /// the active candidates as integer columns. The LP gets its candidates through
    /// [`activate`](Self::activate).
    fn build(&self, integer: bool) -> (Model, Vec<usize>) {
        let inst = self.inst;
        let mut pb = ColProblem::default();
        let rows: Vec<Row> = self.rows.iter().map(|&(_, lo, hi)| pb.add_row(lo..=hi)).collect();
        let index = RowIndex::new(&self.rows);
        let mut col = 0;
        let mut switch_cols = Vec::new();
        // Each provider's switch enters the switch rows of its homes.
        let mut switch_rows: HashMap<usize, Vec<(Row, f64)>> = HashMap::new();
        for (i, (key, _, _)) in self.rows.iter().enumerate() {
            if let RowKey::DiscountSwitch(h) = key {
                let cap = Formulation::discount_cap(inst, *h).expect("discount row");
                switch_rows
                    .entry(inst.homes[*h].provider)
                    .or_default()
                    .push((rows[i], -cap));
            }
        }
        // The "alone" rows of each budget group, for the unplaced columns of the others.
        let mut alone: HashMap<usize, Vec<(usize, usize)>> = HashMap::new(); // budget -> (row, unit)
        for (i, (key, _, _)) in self.rows.iter().enumerate() {
            if let RowKey::BudgetAlone(b, u, _, _) = key {
                alone.entry(*b).or_default().push((i, *u));
            }
        }
        let mut in_group: HashMap<usize, usize> = HashMap::new(); // unit -> budget
        if !alone.is_empty() {
            for (b, group) in self.f.budget_groups(self.comp) {
                in_group.extend(group.into_iter().map(|u| (u, b)));
            }
        }
        for &u in &self.comp.units {
            // u_i is integral whenever the y are, so it stays continuous.
            let mut entries = vec![(rows[index.assign[&u]], 1.0)];
            if let Some(group_rows) = in_group.get(&u).and_then(|b| alone.get(b)) {
                entries.extend(group_rows.iter().filter(|e| e.1 != u).map(|&(r, _)| (rows[r], -1.0)));
            }
            pb.add_column(self.f.unplaced[u], 0.0..=1.0, entries);
            col += 1;
        }
        for (key, _, _) in &self.rows {
            match key {
                RowKey::Block(h) => {
                    let home = &inst.batch.homes[*h];
                    pb.add_column(
                        -home.weekly_price,
                        0.0..=home.block_vacancies as f64,
                        [(rows[index.block[h]], 1.0)],
                    );
                    col += 1;
                }
                RowKey::DiscountCount(p) => {
                    let d = inst.batch.providers[*p].volume_discount.as_ref().expect("discount row");
                    let mut entries = switch_rows.remove(p).unwrap_or_default();
                    entries.push((rows[index.discount_count[p]], -(d.min_placements as f64)));
                    pb.add_column_with_integrality(0.0, 0.0..=1.0, entries, integer);
                    switch_cols.push(col);
                    col += 1;
                }
                RowKey::DiscountValue(h) => {
                    let sw = index.discount_switch[h];
                    let mut entries = vec![(rows[index.discount_value[h]], 1.0), (rows[sw], 1.0)];
                    let p = inst.homes[*h].provider;
                    if let Some(&(_, r)) = index.discount_others.get(&p).and_then(|v| v.iter().find(|e| e.0 == *h)) {
                        let d = inst.batch.providers[p].volume_discount.as_ref().expect("discount row");
                        let n = d.min_placements as f64;
                        entries.push((rows[r], n - inst.batch.homes[*h].vacancies as f64));
                    }
                    pb.add_column(-1.0, 0.0.., entries);
                    col += 1;
                }
                _ => {}
            }
        }
        if integer {
            for pos in (0..self.comp.cands.len()).filter(|&p| self.active[p].is_some()) {
                let k = self.comp.cands[pos];
                let (idx, val) = self.column_entries(pos);
                let entries: Vec<(Row, f64)> = idx.iter().zip(&val).map(|(&r, &v)| (rows[r as usize], v)).collect();
                pb.add_column_with_integrality(self.f.cands[k].cost, 0.0..=1.0, entries, true);
            }
        }
        let mut m = pb.optimise(Sense::Minimise);
        configure(&mut m, &self.opts, integer, self.knapsacks);
        (m, switch_cols)
    }

    /// All entries of a candidate column: static rows plus the solo and conflict rows it is in.
    fn column_entries(&self, pos: usize) -> (Vec<highs_sys::HighsInt>, Vec<f64>) {
        let r = self.ent_start[pos]..self.ent_start[pos + 1];
        let mut idx: Vec<highs_sys::HighsInt> = r.clone().map(|e| self.ent_row[e] as highs_sys::HighsInt).collect();
        let mut val: Vec<f64> = r.map(|e| self.ent_coef[e]).collect();
        if let Some(extra) = self.dyn_entries.get(&pos) {
            idx.extend(extra.iter().map(|e| e.0 as highs_sys::HighsInt));
            val.extend(extra.iter().map(|e| e.1));
        }
        (idx, val)
    }

    /// Adds candidate positions to the LP as columns, creating the solo and conflict rows
    /// their pairs define.
    fn activate(&mut self, lp: &mut Model, positions: &[usize]) {
        // New solo and conflict rows reach HiGHS in one call at the end: HiGHS adds rows to its
        // column-wise matrix by rebuilding it, so one call per row cost the regional backlog
        // over 2 s. Rows from `first_new` on are pending until then.
        let first_new = self.rows.len();
        let mut pending: Vec<Vec<(usize, f64)>> = Vec::new();
        for &pos in positions {
            if self.active[pos].is_some() {
                continue;
            }
            let k = self.comp.cands[pos];
            let (u, h) = (self.f.cands[k].unit, self.f.cands[k].home);
            let col = lp.num_cols();
            // Existing solo rows at this home take the new column too.
            let solo_rows: Vec<(usize, usize)> = self.solo_rows_at.get(&h).cloned().unwrap_or_default();
            for (r, s) in solo_rows.into_iter().filter(|&(_, s)| s != u) {
                let coef = self.f.solo_coef(self.inst, s, u, h);
                self.dyn_entries.entry(pos).or_default().push((r, coef));
                if r >= first_new {
                    pending[r - first_new].push((col, coef));
                }
            }
            let (idx, val) = self.column_entries(pos);
            // Entries in pending rows go in with the rows.
            let (idx, val): (Vec<highs_sys::HighsInt>, Vec<f64>) = idx
                .into_iter()
                .zip(val)
                .filter(|&(r, _)| (r as usize) < first_new)
                .unzip();
            // The safe API takes `Row` handles only it can mint; the row indices are ours.
            let status = unsafe {
                highs_sys::Highs_addCol(
                    lp.as_mut_ptr(),
                    self.f.cands[k].cost,
                    0.0,
                    1.0,
                    idx.len() as highs_sys::HighsInt,
                    idx.as_ptr(),
                    val.as_ptr(),
                )
            };
            ffi_ok(status, "a column");
            self.active[pos] = Some(col);
            self.active_list.push(pos);
            self.added += 1;
            let others: Vec<usize> = self.active_at.get(&h).cloned().unwrap_or_default();
            // A solo child's pair defines its solo row over everyone active at the home.
            if self.f.is_solo(self.inst, u) {
                let row = self.f.solo_row(self.inst, u, h);
                let mut members = vec![(pos, self.f.solo_coef(self.inst, u, u, h))];
                for &o in &others {
                    let ou = self.f.cands[self.comp.cands[o]].unit;
                    members.push((o, self.f.solo_coef(self.inst, u, ou, h)));
                }
                self.add_row(&mut pending, row, &members);
            }
            // Conflicting pairs at the same home each get their row; so does a solo child with
            // each other child there. For a solo child that row is implied by its solo row at
            // integer points, but the solo row is a big-M and its LP lets a solo child share a
            // home fractionally; the pairwise rows close that (regret re-solves on batches with
            // solo children then rarely need the MIP).
            // Where either child alone fills the home, its capacity row already says as much,
            // LP included, so the pair's row is left out (the regional backlog's full model:
            // 58% of homes have one bed).
            let solo_u = self.f.is_solo(self.inst, u);
            let vacancies = self.inst.batch.homes[h].vacancies;
            for &o in &others {
                let ou = self.f.cands[self.comp.cands[o]].unit;
                if self.f.size(u).min(self.f.size(ou)) as i64 >= vacancies {
                    continue;
                }
                if self.f.conflicts[u].contains(&ou) || solo_u || self.f.is_solo(self.inst, ou) {
                    let row = self.f.conflict_row(u, ou, h);
                    self.add_row(&mut pending, row, &[(pos, 1.0), (o, 1.0)]);
                }
            }
            self.active_at.entry(h).or_default().push(pos);
        }
        if pending.is_empty() {
            return;
        }
        let (mut lower, mut upper) = (Vec::with_capacity(pending.len()), Vec::with_capacity(pending.len()));
        let (mut start, mut index, mut value) = (Vec::with_capacity(pending.len()), Vec::new(), Vec::new());
        for (row, entries) in self.rows[first_new..].iter().zip(&pending) {
            lower.push(row.1);
            upper.push(row.2);
            start.push(index.len() as highs_sys::HighsInt);
            index.extend(entries.iter().map(|e| e.0 as highs_sys::HighsInt));
            value.extend(entries.iter().map(|e| e.1));
        }
        // SAFETY: a live Highs instance; `start` has one entry per row, `index`/`value` hold
        // every entry, and each index is an existing column.
        let status = unsafe {
            highs_sys::Highs_addRows(
                lp.as_mut_ptr(),
                pending.len() as highs_sys::HighsInt,
                lower.as_ptr(),
                upper.as_ptr(),
                index.len() as highs_sys::HighsInt,
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        ffi_ok(status, "rows");
    }

    /// Records a new solo or conflict row over active columns; [`activate`](Self::activate)
    /// passes it to HiGHS with the others it creates.
    fn add_row(&mut self, pending: &mut Vec<Vec<(usize, f64)>>, row: (RowKey, f64, f64), members: &[(usize, f64)]) {
        let r = self.rows.len();
        pending.push(
            members
                .iter()
                .map(|&(p, v)| (self.active[p].expect("active column"), v))
                .collect(),
        );
        for &(p, v) in members {
            self.dyn_entries.entry(p).or_default().push((r, v));
        }
        if let RowKey::Solo(s, h) = row.0 {
            self.solo_rows_at.entry(h).or_default().push((r, s));
        }
        self.rows.push(row);
    }

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
    /// conflicts, admission limits, discounts or budgets).
    pub fn is_plain(&self) -> bool {
        !self.trivial
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

    /// Per unit (by slot), the least reduced cost any of its unstored pairs can have at
    /// `row_duals` (+∞ where every pair is stored). At a plain home the pair meets its
    /// assignment row and rows whose duals only raise it (capacity, budgets, solo, conflicts),
    /// so it is at least the unit's floor less its assignment dual. At a special home it is
    /// its cost less rebate (at least the unit's special floor) less the assignment dual and
    /// what the home's rows charge beyond the rebate ([`RebateDuals::excess`]): a bound takes
    /// the dearest special home's excess, and units whose bound lies below `exact_below` get
    /// their unstored special homes priced one by one instead (the bound takes a block bed at
    /// its full price wherever a unit might have one unstored; priced one by one, a block bed
    /// the LP has filled is worth only its row's dual: a 10,000-child what-if with side rules,
    /// −47.5 million against an LP of 4.37 million before, 4.6 s on 9,500 units). A home with
    /// no row yet gets one at its natural dual, which keeps the LP's duals feasible. Rows that
    /// only raise a pair (budgets, solo, conflicts) are left out, so the value stays a lower
    /// bound for the Lagrangian's use; `moving` as in [`RebateDuals`].
    fn unstored_reduced(&self, row_duals: &[f64], exact_below: f64, moving: bool) -> Vec<f64> {
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

    /// Units whose unstored pairs might have changed a forced solve's answer since the last
    /// call: their regrets are then not proven (without a time limit, store them and solve
    /// again).
    pub fn take_unsure(&mut self) -> Vec<usize> {
        let mut v = std::mem::take(&mut self.unsure);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Position of candidate `k` in the component's ascending candidate list (a binary search:
    /// a large component has millions of candidates, too many for a hash map to pay off).
    fn pos(&self, k: usize) -> usize {
        self.comp
            .cands
            .binary_search(&k)
            .expect("a candidate of this component")
    }

    /// The unit of the candidate at position `p`.
    fn unit_at(&self, p: usize) -> usize {
        self.f.cands[self.comp.cands[p]].unit
    }

    /// Unit `u`'s slot in the component (its place in `comp.units`, and its unplaced column's).
    fn unit_slot(&self, u: usize) -> usize {
        self.comp.units.binary_search(&u).expect("a unit of this component")
    }

    /// Positions of unit `u`'s candidates: one ascending run of the component's, as the
    /// formulation numbers each unit's candidates consecutively.
    fn unit_positions(&self, u: usize) -> std::ops::Range<usize> {
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

    /// Value of placing a lone unit by candidate `k` (cost net of block beds and discount),
    /// or None when a side constraint forbids it on its own.
    fn lone_value(&self, k: usize) -> Option<f64> {
        let inst = self.inst;
        let c = &self.f.cands[k];
        let size = self.f.size(c.unit);
        let home = &inst.batch.homes[c.home];
        let provider = &inst.batch.providers[inst.homes[c.home].provider];
        if provider.max_admissions.is_some_and(|m| (size as i64) > m) {
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

    fn solve_trivial(&self, forced: Option<usize>) -> Option<Outcome> {
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

    /// Whether this solver's time limit has passed (explanations then stop re-solving).
    pub fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Whether an answer of `objective` with a `bound` valid for the full model is within the
    /// requested gap (never with gap 0: HiGHS proves those).
    fn within_gap(&self, objective: f64, bound: f64) -> bool {
        self.opts.gap > 0.0 && objective - bound <= self.gap_slack(objective)
    }

    /// How far below `objective` a bound may be for [`Self::within_gap`] (0 for gap 0).
    fn gap_slack(&self, objective: f64) -> f64 {
        match self.opts.gap {
            g if g > 0.0 => g * objective.abs() + self.gap_share,
            _ => 0.0,
        }
    }

    /// The objective below which an answer is [`Self::within_gap`] of the full model's bound
    /// at LP value `lp_obj`, b: o − b ≤ g·o + s ⇔ o ≤ (b + s) / (1 − g) for o ≥ 0 (+∞ for
    /// g ≥ 1). −∞, no target, for gap 0 or without an LP, and then the bound is not computed
    /// (a scan of every pair, on the unforced MIP's path).
    fn gap_target(&self, lp_obj: Option<f64>) -> f64 {
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
    fn full_bound(&self, mip_bound: f64, lp_obj: Option<f64>) -> f64 {
        let lagrangian = self.lagrangian.as_ref();
        let least_left_out = (0..self.comp.cands.len())
            .filter(|&p| self.active[p].is_none())
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

    /// The per-budget Lagrangian bound at the LP's optimum ([`crate::matching::lagrange`]): the bound,
    /// and per candidate position the bound with that pair forced in too. In a forced solve
    /// (`forced`: the position fixed at 1) the forced unit's one choice is that pair. The
    /// subproblems are the budget groups ([`Formulation::budget_groups`]); a budget that a unit
    /// shares with another (siblings of two authorities) keeps its LP value (Δ = 0, still
    /// valid).
    fn compute_lagrangian(
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
        if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
            eprintln!(
                "lagrangian bound {bound:.2} (LP {lp_obj:.2}) in {:.2} s",
                t0.elapsed().as_secs_f64()
            );
        }
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
                            for e in self.ent_start[p]..self.ent_start[p + 1] {
                                let m = moving[self.ent_row[e] as usize];
                                if m != NONE {
                                    entries.push((m, self.ent_coef[e]));
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
    fn merge_ascent(&mut self, (bound, floor): (f64, Option<Vec<f64>>)) {
        if let Some((b, fl)) = self.lagrangian.as_mut() {
            *b = b.max(bound);
            for (f, v) in fl.iter_mut().zip(floor.into_iter().flatten()) {
                *f = f.max(v);
            }
        }
    }

    /// Records the base LP's Lagrangian for the regret search: each forced optimum is at
    /// least lp_obj + rc, rc from the Lagrangian's forced bound where there is one.
    fn record_base(&mut self, lp_obj: f64) {
        self.base_lagrangian = self.lagrangian.as_ref().map(|l| l.0);
        let rc = match &self.lagrangian {
            Some((_, floor)) => floor.iter().map(|v| v - lp_obj).collect(),
            None => self.reduced.clone(),
        };
        self.base_lp = Some((lp_obj, rc));
    }

    /// A lower bound on the optimum of the full model with pair `p` forced in as well (in a
    /// forced solve, besides the forced pair): the Lagrangian's where the LP has one, else LP
    /// + reduced cost.
    fn forced_floor(&self, p: usize, lp_obj: f64) -> f64 {
        match &self.lagrangian {
            Some((_, floor)) => floor[p],
            None => lp_obj + self.reduced[p],
        }
    }

    fn time_left(&self) -> Option<f64> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64().max(0.01))
    }

    /// Reduced cost of every candidate at the given row duals (c − aᵀy).
    fn price(&mut self, row_duals: &[f64]) {
        // The hot loop of column generation: contiguous arrays only.
        let (start, row, coef) = (&self.ent_start, &self.ent_row, &self.ent_coef);
        for (pos, (rc, &cost)) in self.reduced.iter_mut().zip(&self.pos_cost).enumerate() {
            let mut v = cost;
            for e in start[pos]..start[pos + 1] {
                v -= coef[e] * row_duals[row[e] as usize];
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
            if self.active[pos].is_some() {
                continue;
            }
            for &(r, s) in self.solo_rows_at.get(&c.home).map(Vec::as_slice).unwrap_or(&[]) {
                if s != c.unit {
                    self.reduced[pos] -= self.f.solo_coef(self.inst, s, c.unit, c.home) * row_duals[r];
                }
            }
        }
        for (rc, _) in self.reduced.iter_mut().zip(&self.over_budget).filter(|e| *e.1) {
            *rc = f64::INFINITY;
        }
        self.priced += self.comp.cands.len() - self.active_list.len();
    }

    /// Column generation stopped with `improving` (ascending positions) still able to lower
    /// the LP: moves each of their units' assignment dual down by the unit's least reduced
    /// cost, so that every reduced cost (and every column dual) is ≥ 0 again, and returns the
    /// LP objective lowered by the same amounts (Lasdon's bound: each unit takes one choice,
    /// so no solution of the full model costs less). Everything later built on "LP + reduced
    /// cost" (widening, the Lagrangian, the regret search's floors) then stays a valid bound,
    /// only weaker than at a finished LP.
    fn settle_unpriced(
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
        for (u, least) in least_by_unit {
            bound += least;
            let slot = self.unit_slot(u);
            self.unstored[slot] -= least;
            row_duals[index.assign[&u]] += least;
            col_duals[slot] -= least; // its unplaced column
            for p in self.unit_positions(u) {
                self.reduced[p] -= least;
                if let Some(c) = self.active[p] {
                    col_duals[c] -= least;
                }
            }
        }
        bound
    }

    /// Of `improving` (ascending positions), each unit's [`PRICED_PER_UNIT`] most negative
    /// (ties by position), ascending. A unit's positions are one ascending run of the
    /// component's, so `improving` is already grouped by unit.
    fn most_improving(&self, improving: &[usize]) -> Vec<usize> {
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
        if let Some(small) = self.small.as_mut() {
            let before = small.nodes;
            let r = small.solve(forced, cutoff, self.deadline);
            if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                eprintln!(
                    "small {:?} nodes {} -> {:?}",
                    forced,
                    small.nodes - before,
                    matches!(r, Small::GaveUp)
                );
            }
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

    /// [`solve_below`](Self::solve_below) with HiGHS: LP relaxation with column generation,
    /// then the MIP when the LP is fractional and below the cutoff.
    ///
    /// A forced solve that widened its MIP (often thousands of pairs) or grew the model by over
    /// a quarter leaves it as it found it: the pairs and rows it added are dropped again, or
    /// every later forced LP and MIP would carry them (an 80 × 800 side-constrained batch: one
    /// forced solve's widening took the columns from 1,282 to 7,366, and each later one got
    /// ~10× slower).
    fn solve_highs(&mut self, forced: Option<usize>, cutoff: f64) -> Solved {
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
    fn check_unstored(&mut self, solved: &mut Solved) {
        if self.unstored.iter().all(|g| g.is_infinite()) {
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

    /// Drops the columns activated and the rows created since `mark` (active pairs, rows).
    fn roll_back(&mut self, (active_len, rows_len): (usize, usize)) {
        if self.active_list.len() == active_len && self.rows.len() == rows_len {
            return;
        }
        let removed: Vec<usize> = self.active_list.drain(active_len..).collect();
        // Columns and rows are appended, so the ones to drop are the last ones.
        let first_col = removed.iter().filter_map(|&p| self.active[p]).min();
        let gone: HashSet<usize> = removed.iter().copied().collect();
        for &pos in &removed {
            self.active[pos] = None;
            self.dyn_entries.remove(&pos);
            let h = self.f.cands[self.comp.cands[pos]].home;
            if let Some(v) = self.active_at.get_mut(&h) {
                v.retain(|p| !gone.contains(p));
            }
        }
        for v in self.dyn_entries.values_mut() {
            v.retain(|&(r, _)| r < rows_len);
        }
        for v in self.solo_rows_at.values_mut() {
            v.retain(|&(r, _)| r < rows_len);
        }
        self.rows.truncate(rows_len);
        let width = self.active_width();
        let lp = self.lp.as_mut().expect("lp present");
        let ptr = lp.as_mut_ptr();
        // SAFETY: a live Highs instance; the ranges are its trailing columns and rows.
        unsafe {
            if let Some(c) = first_col {
                let n = highs_sys::Highs_getNumCol(ptr);
                ffi_ok(
                    highs_sys::Highs_deleteColsByRange(ptr, c as highs_sys::HighsInt, n - 1),
                    "dropping columns",
                );
            }
            let n = highs_sys::Highs_getNumRow(ptr);
            if (n as usize) > rows_len {
                ffi_ok(
                    highs_sys::Highs_deleteRowsByRange(ptr, rows_len as highs_sys::HighsInt, n - 1),
                    "dropping rows",
                );
            }
        }
        // Cheap, and a mismatch would make every later column entry point at the wrong row.
        assert_eq!(lp.num_cols(), width, "columns after roll-back");
        // SAFETY: a live Highs instance.
        assert_eq!(
            unsafe { highs_sys::Highs_getNumRow(ptr) } as usize,
            rows_len,
            "rows after roll-back"
        );
    }

    fn solve_highs_at(&mut self, forced: Option<usize>, cutoff: f64) -> Solved {
        let forced_pos = forced.map(|k| self.pos(k));
        if forced_pos.is_some_and(|p| self.over_budget.get(p).copied().unwrap_or(false)) {
            return Solved::Infeasible;
        }
        let mut lp = self.lp.take().expect("lp present");
        if let Some(pos) = forced_pos {
            self.activate(&mut lp, &[pos]);
            set_bounds(&mut lp, self.active[pos].unwrap(), 1.0, 1.0);
        }
        // Column generation on the LP relaxation; under a time limit it may take a share of
        // the time left (PRICING_SHARE), judged by the last round's time.
        let (mut lp_obj, mut cols, mut lp_status, mut row_duals, mut col_duals);
        let pricing_until = self.time_left().map(|t| t * PRICING_SHARE);
        let (pricing_start, mut rounds, mut complete) = (Instant::now(), 0usize, true);
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
            if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                eprintln!(
                    "lp {lp_obj} active {} added {}",
                    self.active.iter().flatten().count(),
                    self.added
                );
            }
            let improving: Vec<usize> = (0..self.comp.cands.len())
                .filter(|&p| self.active[p].is_none() && self.reduced[p] < -1e-7)
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
                break;
            }
            rounds += 1;
            if out_of_rounds || out_of_time {
                lp_obj = self.settle_unpriced(lp_obj, &improving, &mut row_duals, &mut col_duals);
                complete = false;
                if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                    eprintln!(
                        "pricing stopped after {rounds} LPs ({:.2} s), {} improving pairs left out: LP bound {lp_obj}",
                        pricing_start.elapsed().as_secs_f64(),
                        improving.len()
                    );
                }
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
                set_bounds(&mut lp, self.active[pos].unwrap(), 0.0, 1.0);
            }
            self.lp = Some(lp);
            return Solved::AtLeast(lp_obj);
        }
        let mip = match result {
            Some(r) => Ok(r),
            None => {
                let lp_at = lp_ok.then_some(lp_obj);
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
                match solved {
                    Solved::Exact(o) => Ok(Some(o)),
                    Solved::Infeasible => Ok(None),
                    Solved::AtLeast(at_least) => Err(at_least),
                }
            }
        };
        if let Some(pos) = forced_pos {
            set_bounds(&mut lp, self.active[pos].unwrap(), 0.0, 1.0);
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

    /// The MIP over the active columns, widened by reduced-cost fixing so that it is optimal
    /// for the full model: a pair with reduced cost ≥ the gap cannot be in a better solution.
    fn solve_mip(
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
                        let new: Vec<usize> = chosen.iter().copied().filter(|&p| self.active[p].is_none()).collect();
                        self.activate(lp, &new);
                        cols = vec![0.0; self.active_width()];
                        for p in chosen {
                            cols[self.active[p].expect("activated")] = 1.0;
                        }
                    }
                    if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                        eprintln!(
                            "MIP start polished by {change:.2} in {:.2} s",
                            t0.elapsed().as_secs_f64()
                        );
                    }
                }
                start_cols = Some(cols);
            }
            let positions: Vec<usize> = (0..self.comp.cands.len())
                .filter(|&p| self.active[p].is_some())
                .collect();
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
                    guide.lp[idx] = self.active[p].and_then(|c| lp_cols.get(c)).copied().unwrap_or(0.0);
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
                if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                    eprintln!(
                        "lns: {} sub-MIPs, {} improved, change {:.2} in {:.2} s",
                        stats.sub_mips,
                        stats.improved,
                        stats.change,
                        t0.elapsed().as_secs_f64()
                    );
                }
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
            if let (Some(st), true) = (&start, std::env::var_os("PLACEMATCH_DEBUG").is_some()) {
                let v: f64 = costs.iter().zip(st).map(|(c, x)| c * x).sum();
                eprintln!("MIP start objective {v:.2}");
            }
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
                        .filter(|&p| self.active[p].is_none() && self.forced_floor(p, lp_obj) < cutoff - 1e-7)
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
                if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                    eprintln!(
                        "HiGHS objective {reported} is not its solution's {objective}: solving without the start"
                    );
                }
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
                    .filter(|&p| self.active[p].is_none() && floor(p) < objective - slack - 1e-7)
                    .collect();
                if !more.is_empty() && self.out_of_time() {
                    // The time limit has hit: report the solution with the LP bound. Otherwise
                    // every pair that could matter comes back, time limit or not: `feasible`
                    // means a time limit hit (SPEC §7), not that a proof looked long. (Until
                    // 2026-12-02 a limit of any length skipped widenings of over 20,000 pairs,
                    // so a 150 × 1,500 batch given 600 s came back `feasible` in under a second.)
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

    /// `PLACEMATCH_WRITE_MODEL`: the MIP as HiGHS is about to solve it (MPS, by HiGHS) and, beside
    /// it, `PATH.side` naming each row and pair column by index (no child details), then the MIP
    /// start given to HiGHS, if any, as `start COLUMN VALUE` lines (a start changes HiGHS's
    /// search, so a solve is reproducible only with it). A debugging aid, so a failure to write
    /// is reported on standard error and the solve goes on.
    fn write_model(&self, model: &mut Model, positions: &[usize], start: Option<&[f64]>, path: &std::path::Path) {
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
        let written = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
            .ok()
            .map(|c| unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), c.as_ptr()) })
            // HiGHS writes MPS with a warning status (it names rows and columns itself).
            .is_some_and(|status| status != highs_sys::STATUS_ERROR as highs_sys::HighsInt);
        let mut side_path = path.as_os_str().to_owned();
        side_path.push(".side");
        if !written || std::fs::write(&side_path, side).is_err() {
            eprintln!("placematch: PLACEMATCH_WRITE_MODEL: could not write {}", path.display());
        }
    }

    /// Each unit's rank (by its slot in the component) in two orders for the search
    /// ([`crate::matching::lns::Guide`]): north to south (ties by slot), for the bands; and with each
    /// authority's units together, authorities north to south by their units' mean latitude
    /// (ties by code), for the local windows.
    fn unit_ranks(&self) -> (Vec<u32>, Vec<u32>) {
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

    /// Until when the large-neighbourhood search may run: [`LNS_MOST`], or all the time left
    /// when that would leave the whole MIP less than [`WHOLE_MIP_LEAST`]; and only for a
    /// component with weekly budgets under a time limit.
    /// Without a limit the whole MIP must be proven optimal anyway, and a better start did not
    /// make the proof faster (150 × 1,500 side-constrained batch: 13.5 s without, 17.1 s with).
    /// Run after the whole MIP instead, from its answer, the search did worse at 30 s (HiGHS
    /// had not yet improved on the polished start: 827,804 against 822,544) and no better at
    /// 60 s (821,355 against 822,135, within the run-to-run spread).
    fn lns_until(&self) -> Option<Instant> {
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

    /// MIP column values (pairs from `offset`, over `positions`) as LP-shaped column values,
    /// the form [`mip_start`](Self::mip_start) takes.
    fn lp_shaped(&self, values: &[f64], positions: &[usize], offset: usize) -> Vec<f64> {
        let mut cols = vec![0.0; self.active_width()];
        for (i, &p) in positions.iter().enumerate() {
            cols[self.active[p].expect("active")] = values[offset + i].round();
        }
        cols
    }

    /// One past the last HiGHS column of an active pair: the length of LP-shaped column values
    /// that cover every pair.
    fn active_width(&self) -> usize {
        self.active_list
            .iter()
            .filter_map(|&p| self.active[p])
            .max()
            .map_or(0, |c| c + 1)
    }

    /// A greedy completion of the LP's integral part: units left fractional take, most
    /// costly-to-leave first, their cheapest active pair that keeps every rule (capacity,
    /// solo, conflicts, admissions, budgets). Returns LP-shaped column values.
    fn greedy_start(&self, lp_cols: &[f64]) -> Vec<f64> {
        let (inst, f) = (self.inst, self.f);
        // Columns added since the LP (widening) lie beyond `lp_cols`: size for every active one.
        let mut cols = vec![0.0; lp_cols.len().max(self.active_width())];
        let mut usage = Usage::default();
        let mut done = std::collections::HashSet::new();
        for &pos in &self.active_list {
            let c = self.active[pos].expect("active");
            if c < lp_cols.len() && lp_cols[c] > 1.0 - 1e-9 {
                let k = self.comp.cands[pos];
                usage.take(inst, f, k);
                cols[c] = 1.0;
                done.insert(f.cands[k].unit);
            }
        }
        let mut rest: Vec<usize> = self.comp.units.iter().copied().filter(|u| !done.contains(u)).collect();
        rest.sort_by(|&a, &b| f.unplaced[b].total_cmp(&f.unplaced[a]).then(a.cmp(&b)));
        for u in rest {
            let mut options: Vec<usize> = f.unit_cands[u]
                .clone()
                .filter(|k| self.active[self.pos(*k)].is_some())
                .collect();
            options.sort_by(|&a, &b| f.cands[a].cost.total_cmp(&f.cands[b].cost).then(a.cmp(&b)));
            if let Some(k) = options.into_iter().find(|&k| usage.fits(inst, f, k)) {
                usage.take(inst, f, k);
                cols[self.active[self.pos(k)].expect("active")] = 1.0;
            }
        }
        cols
    }

    /// A feasible MIP start in `build(true)`'s column order: pairs at 1 in the LP kept, units
    /// with a fractional LP value unplaced, block beds, discount switches and values implied.
    fn mip_start(&self, lp_cols: &[f64], positions: &[usize]) -> Vec<f64> {
        let inst = self.inst;
        let y: Vec<f64> = positions
            .iter()
            .map(|&p| match self.active[p] {
                Some(c) if c < lp_cols.len() && lp_cols[c] > 1.0 - 1e-9 => 1.0,
                _ => 0.0,
            })
            .collect();
        let mut placed: HashMap<usize, f64> = HashMap::new(); // unit -> Σ y
        let mut at_home: HashMap<usize, f64> = HashMap::new(); // home -> children
        let mut at_provider: HashMap<usize, f64> = HashMap::new(); // provider -> children
        let mut discount_at: HashMap<usize, f64> = HashMap::new(); // home -> discount value
        for (i, &p) in positions.iter().enumerate() {
            if y[i] > 0.5 {
                let c = &self.f.cands[self.comp.cands[p]];
                let size = self.f.size(c.unit) as f64;
                *placed.entry(c.unit).or_default() += 1.0;
                *at_home.entry(c.home).or_default() += size;
                let prov = inst.homes[c.home].provider;
                let pct = inst.batch.providers[prov]
                    .volume_discount
                    .as_ref()
                    .map_or(0.0, |d| d.percent);
                *at_provider.entry(prov).or_default() += size;
                *discount_at.entry(c.home).or_default() += size * inst.batch.homes[c.home].weekly_price * pct / 100.0;
            }
        }
        let on = |p: usize| {
            let d = inst.batch.providers[p].volume_discount.as_ref().expect("discount row");
            at_provider.get(&p).copied().unwrap_or(0.0) >= d.min_placements as f64
        };
        let mut out: Vec<f64> = self
            .comp
            .units
            .iter()
            .map(|u| 1.0 - placed.get(u).copied().unwrap_or(0.0))
            .collect();
        for (key, _, _) in &self.rows {
            match key {
                RowKey::Block(h) => out.push(
                    at_home
                        .get(h)
                        .copied()
                        .unwrap_or(0.0)
                        .min(inst.batch.homes[*h].block_vacancies as f64),
                ),
                RowKey::DiscountCount(p) => out.push(if on(*p) { 1.0 } else { 0.0 }),
                RowKey::DiscountValue(h) => out.push(if on(inst.homes[*h].provider) {
                    discount_at.get(h).copied().unwrap_or(0.0)
                } else {
                    0.0
                }),
                _ => {}
            }
        }
        out.extend(y);
        out
    }

    fn choice_mip(&self, values: &[f64], col_of: &HashMap<usize, usize>, offset: usize) -> Vec<Option<usize>> {
        self.comp
            .units
            .iter()
            .map(|&u| {
                self.f.unit_cands[u]
                    .clone()
                    .find(|k| col_of.get(&self.pos(*k)).is_some_and(|&i| values[offset + i] > 0.5))
            })
            .collect()
    }

    fn integer_values_integral(&self, cols: &[f64]) -> bool {
        let y = self.active_list.iter().map(|&p| self.active[p].expect("active"));
        y.chain(self.switch_cols.iter().copied())
            .all(|c| (cols[c] - cols[c].round()).abs() <= 1e-9)
    }

    fn choice_lp(&self, cols: &[f64]) -> Vec<Option<usize>> {
        let local: HashMap<usize, usize> = self.comp.units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let mut choice = vec![None; self.comp.units.len()];
        for &p in &self.active_list {
            if cols[self.active[p].expect("active")] > 0.5 {
                let k = self.comp.cands[p];
                let slot = &mut choice[local[&self.f.cands[k].unit]];
                // Smallest candidate index (home order) wins, as a scan in home order would.
                if slot.is_none_or(|old| k < old) {
                    *slot = Some(k);
                }
            }
        }
        choice
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

    /// The last LP's Lagrangian bound, forced or not, and per candidate position the bound with
    /// that pair forced in as well (what its reduced-cost fixing used). None where that LP had
    /// none.
    pub fn last_lagrangian(&self) -> Option<&(f64, Vec<f64>)> {
        self.lagrangian.as_ref()
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

fn configure(m: &mut Model, opts: &SolveOptions, mip: bool, knapsacks: bool) {
    // HiGHS's own log (numbers only, no child details) when PLACEMATCH_HIGHS_LOG is set.
    if std::env::var_os("PLACEMATCH_HIGHS_LOG").is_none() {
        m.make_quiet();
    } else {
        m.set_option("output_flag", true);
        m.set_option("log_to_console", true);
    }
    // One thread per solver: components may run side by side on the two cores.
    m.set_option("threads", 1);
    if mip && !knapsacks {
        // On these small, nearly unimodular MIPs the sub-MIP heuristics and restarts cost more
        // than they find (measured: 2.6× faster on the example batch without them). Budget rows
        // are knapsacks, where the LP is far from integral and only the sub-MIP heuristics find
        // good placements (regional backlog, 60 s: gap 0.8% with them, 20.8% without).
        m.set_option("mip_heuristic_run_rins", false);
        m.set_option("mip_heuristic_run_rens", false);
        m.set_option("mip_heuristic_run_root_reduced_cost", false);
        m.set_option("mip_allow_restart", false);
    }
    m.set_option("mip_rel_gap", opts.gap);
    m.set_option("mip_abs_gap", 1e-6);
    m.set_option("random_seed", 0);
    // Presolve costs more than it saves on the LP relaxation of an assignment model; for the
    // MIP it is the user's choice (`--no-presolve`).
    if !mip || !opts.presolve {
        m.set_option("presolve", "off");
    }
}

/// The objective coefficients of `model`'s columns, read back from HiGHS (so the check of its
/// answer uses exactly what it solved).
fn column_costs(model: &Model) -> Vec<f64> {
    let n = model.num_cols();
    let mut costs = vec![0.0; n];
    let ptr = model.as_ptr();
    if n > 0 {
        let mut got = 0;
        // SAFETY: `ptr` is a live Highs instance and `costs` has one slot per column; HiGHS
        // skips the outputs whose pointers are null.
        let status = unsafe {
            highs_sys::Highs_getColsByRange(
                ptr,
                0,
                n as highs_sys::HighsInt - 1,
                &mut got,
                costs.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut 0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        ffi_ok(status, "reading the costs");
    }
    costs
}

/// `model` as HiGHS holds it, columns and rows, for the restricted MIPs of [`crate::matching::lns`];
/// `integer` marks its integer columns.
fn full_model(model: &Model, integer: Vec<bool>) -> crate::matching::lns::FullModel {
    let (n, m) = (model.num_cols(), model.num_rows());
    let ptr = model.as_ptr();
    // SAFETY: `ptr` is a live Highs instance; every buffer is sized for all columns (rows) and
    // all nonzeros, as `Highs_getColsByRange` and `Highs_getRowsByRange` write them (HiGHS
    // skips the outputs whose pointers are null).
    unsafe {
        let nnz = highs_sys::Highs_getNumNz(ptr).max(0) as usize;
        let (mut costs, mut lower, mut upper) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (mut start, mut index, mut value) = (vec![0; n + 1], vec![0; nnz.max(1)], vec![0.0; nnz.max(1)]);
        let (mut row_lower, mut row_upper) = (vec![0.0; m], vec![0.0; m]);
        let (mut got, mut got_nz) = (0, 0);
        if n > 0 {
            highs_sys::Highs_getColsByRange(
                ptr,
                0,
                n as highs_sys::HighsInt - 1,
                &mut got,
                costs.as_mut_ptr(),
                lower.as_mut_ptr(),
                upper.as_mut_ptr(),
                &mut got_nz,
                start.as_mut_ptr(),
                index.as_mut_ptr(),
                value.as_mut_ptr(),
            );
        }
        start[n] = got_nz;
        if m > 0 {
            // Only the bounds: null matrix pointers spare HiGHS a transpose.
            highs_sys::Highs_getRowsByRange(
                ptr,
                0,
                m as highs_sys::HighsInt - 1,
                &mut got,
                row_lower.as_mut_ptr(),
                row_upper.as_mut_ptr(),
                &mut 0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
        }
        index.truncate(start[n] as usize);
        value.truncate(start[n] as usize);
        crate::matching::lns::FullModel {
            costs,
            lower,
            upper,
            integer,
            row_lower,
            row_upper,
            start: start.into_iter().map(|s| s as usize).collect(),
            index: index.into_iter().map(|r| r as usize).collect(),
            value,
        }
    }
}

/// A lower bound for a whole component from a MIP over its active pairs only. A solution
/// that uses a pair left out costs at least the LP optimum plus that pair's reduced cost (the
/// LP duals price every pair), so the MIP's bound holds for the full model only up to the LP
/// plus the least reduced cost left out. Without an optimal LP the pairs left out were not
/// priced and nothing is known (until 2026-12-02 the MIP's bound was reported as it was, so a
/// time-limited regional run claimed a 0.7% gap where 3.6% was proven).
fn full_bound(mip_bound: f64, lp_obj: Option<f64>, least_left_out: Option<f64>) -> f64 {
    match (least_left_out, lp_obj) {
        (None, _) => mip_bound,
        (Some(rc), Some(lp)) => mip_bound.min(lp + rc),
        (Some(_), None) => f64::NEG_INFINITY,
    }
}

/// Gives `m` `seconds` from now. HiGHS holds its time limit against the run time it has
/// accumulated over every solve of the same instance, so column generation's later LPs (and
/// the regret search's forced LPs) were stopped early: on a 1,000-child London batch with
/// `--time-limit 10` the fourth LP stopped 0.6 s in, 3.8 s before the deadline.
fn limit_time(m: &mut Model, seconds: f64) {
    // SAFETY: the pointer is the live HiGHS instance that `m` owns, and the call only reads.
    let ran = unsafe { highs_sys::Highs_getRunTime(m.as_mut_ptr()) };
    m.set_option("time_limit", ran + seconds);
}

fn set_bounds(m: &mut Model, col: usize, lo: f64, hi: f64) {
    // The safe API mints column handles only for columns it added itself; ours come from
    // `ColProblem` and `Highs_addCol`, so bounds change through the C API.
    let status = unsafe { highs_sys::Highs_changeColBounds(m.as_mut_ptr(), col as highs_sys::HighsInt, lo, hi) };
    ffi_ok(status, "a bound change");
}

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
        let size = f.size(u) as i64;
        let home = &inst.batch.homes[h];
        let here = self.home_units.get(h).map(Vec::as_slice).unwrap_or(&[]);
        let p = inst.homes[h].provider;
        self.home_children.get(h).copied().unwrap_or(0) + size <= home.vacancies
            && (!f.is_solo(inst, u) || here.is_empty())
            && !here.iter().any(|&o| f.is_solo(inst, o) || f.conflicts[u].contains(&o))
            && inst.batch.providers[p]
                .max_admissions
                .is_none_or(|m| self.provider_children.get(p).copied().unwrap_or(0) + size <= m)
            && f.unit_budgets[u].iter().all(|&(b, m)| {
                self.spend.get(b).copied().unwrap_or(0.0) + m as f64 * home.weekly_price <= f.budgets[b] + 1e-9
            })
    }

    /// Records candidate `k` as placed.
    pub fn take(&mut self, inst: &Instance, f: &Formulation, k: usize) {
        let c = &f.cands[k];
        let size = f.size(c.unit) as i64;
        *slot(&mut self.home_children, c.home) += size;
        slot(&mut self.home_units, c.home).push(c.unit);
        *slot(&mut self.provider_children, inst.homes[c.home].provider) += size;
        for &(b, m) in &f.unit_budgets[c.unit] {
            *slot(&mut self.spend, b) += m as f64 * inst.batch.homes[c.home].weekly_price;
        }
    }

    /// Undoes [`take`](Self::take) of candidate `k` (the last one taken at its home): the
    /// backtracking step of a depth-first search ([`crate::matching::small`]).
    pub fn untake(&mut self, inst: &Instance, f: &Formulation, k: usize) {
        let c = &f.cands[k];
        let size = f.size(c.unit) as i64;
        self.home_children[c.home] -= size;
        let here = &mut self.home_units[c.home];
        let i = here.iter().rposition(|&o| o == c.unit).expect("taken");
        here.remove(i);
        self.provider_children[inst.homes[c.home].provider] -= size;
        for &(b, m) in &f.unit_budgets[c.unit] {
            self.spend[b] -= m as f64 * inst.batch.homes[c.home].weekly_price;
        }
    }
}

/// HiGHS's C API reports failure by status; a rejected call here is a bug, not bad input.
fn ffi_ok(status: highs_sys::HighsInt, what: &str) {
    assert_eq!(
        status,
        highs_sys::STATUS_OK as highs_sys::HighsInt,
        "HiGHS rejected {what}"
    );
}

#[cfg(test)]
mod tests {
    use super::{full_bound, ComponentSolver, SolveOptions};
    use crate::matching::model::{Formulation, RowIndex, RowKey};

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
