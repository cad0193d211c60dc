//! Every component of a batch, solved side by side, and the formulation they are solved on:
//! pruned to each unit's cheapest pairs on a large batch, and rebuilt with a unit's pairs
//! complete while its unstored pairs could still change the answer.

use crate::matching::model::{Component, Formulation};
use crate::matching::regret::SingleMoves;
use crate::pair::instance::Instance;
use crate::result::format::ModelStats;

use super::{ComponentSolver, Outcome, SolveOptions};

/// What solving every component gives, before any explanation.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Chosen candidate per unit of the formulation (None = unplaced).
    pub unit_choice: Vec<Option<usize>>,
    /// Per child (index into the batch's children), the chosen home index or None.
    pub assign: Vec<Option<usize>>,
    /// Every component proven optimal (to the requested gap: see [`crate::result::format::bound_and_gap`]).
    pub optimal: bool,
    /// Sum of the components' proven lower bounds.
    pub bound: f64,
    /// Model size and solver work.
    pub stats: ModelStats,
}

/// Passes of single-move polishing for a time-limited answer (each pass is one look at
/// every unit; they converge in a few).
const MAX_POLISH_PASSES: usize = 20;
/// Share of a time limit kept back from HiGHS for polishing a time-limited answer.
const POLISH_SHARE: f64 = 0.1;

/// Solves every component of `f` with HiGHS; `each` sees each component's solver right after
/// its unforced solve (the explainer re-solves there; the plain assignment needs nothing) and
/// returns what it found, one value per component in component order.
///
/// Components share no child, home, provider limit, discount or budget, so they are solved
/// side by side (one rayon task each, largest first so a giant component does not start
/// last), each HiGHS instance on one thread. That is safe with HiGHS 1.15: its scheduler is
/// per calling thread (`thread_local` in `HighsTaskExecutor.cpp`), every solver is created,
/// run and destroyed inside its own task, and with `threads = 1` no HiGHS worker threads
/// exist for a destroy to race with. Results are merged in component order, so the answer
/// does not depend on how many threads ran. `each` returns its findings instead of writing
/// shared state, so a re-built formulation starts them over by itself.
///
/// When `f` stores only some pairs and a unit's unstored pairs could still improve its
/// component, returns those units instead (`Err`): build again with them complete.
pub fn solve_components<R: Send>(
    inst: &Instance,
    f: &Formulation,
    opts: &SolveOptions,
    deadline: Option<std::time::Instant>,
    each: impl Fn(&Formulation, &mut ComponentSolver, &Outcome) -> R + Sync,
) -> Result<(Solution, Vec<R>), Vec<usize>> {
    use rayon::prelude::*;
    /// One component's share of the answer.
    struct Solved<R> {
        base: Outcome,
        unpriced: Vec<usize>,
        /// The unforced model's size and work, before any re-solve for explanations.
        stats: ModelStats,
        found: Option<R>,
    }
    // HiGHS stops a second early (a tenth of the limit below 10 s), leaving it for polishing
    // its answer, which converges in about that on the regional backlog. The polish gets at
    // least a second even where the search overran: a greedy answer placed by the polish beats
    // leaving everyone unplaced when the LP did not finish.
    let polish_time = std::time::Duration::from_secs(1);
    let reserve = std::time::Duration::from_secs_f64(opts.time_limit.unwrap_or(0.0) * POLISH_SHARE).min(polish_time);
    let search_deadline = deadline.map(|d| d - reserve);
    // With a requested gap g, the lone children's components are solved exactly, so the slack
    // g leaves on their share of the objective (at least each at its cheapest) goes to the
    // others, by units: the batch as a whole is then within g (ComponentSolver::gap_share).
    let (lone, shared_units) = f
        .components
        .iter()
        .fold((0.0, 0usize), |(lone, n), c| match c.units.len() {
            1 => (lone + f.units_lower_bound(inst, &c.units), n),
            k => (lone, n + k),
        });
    let share_per_unit = if opts.gap > 0.0 && shared_units > 0 {
        opts.gap * lone.max(0.0) / shared_units as f64
    } else {
        0.0
    };
    let solve_one = |comp: &Component| {
        let mut solver = ComponentSolver::new(inst, f, comp, opts, search_deadline);
        solver.gap_share = share_per_unit * comp.units.len() as f64;
        let mut base = solver.solve(None).expect("the unforced model is always feasible");
        if !solver.proven(&base) {
            // A time limit or a requested gap stopped the search: polish its answer with
            // single moves.
            let mut moves = SingleMoves::new(inst, f, comp, &base.choice);
            let until = deadline.map(|d| d.max(std::time::Instant::now() + polish_time));
            let t0 = std::time::Instant::now();
            let change = moves.improve(MAX_POLISH_PASSES, until);
            crate::debug!("answer polished by {change:.2} in {:.2} s", t0.elapsed().as_secs_f64());
            if change < 0.0 {
                base.objective += change;
                base.choice = moves.choice().to_vec();
            }
        }
        let unpriced = solver.unpriced_units(&base);
        let (variables, constraints) = solver.size();
        let stats = ModelStats {
            variables,
            constraints,
            pairs_priced: solver.priced,
            pairs_added: solver.added,
            mip_solves: solver.mip_solves,
            widenings: solver.widenings,
            small_solves: solver.small_solves,
            restricted_mips: solver.lns.map_or(0, |l| l.sub_mips),
            restricted_gain: solver.lns.map_or(0.0, |l| -l.change),
            ..Default::default()
        };
        let found = unpriced.is_empty().then(|| each(f, &mut solver, &base));
        Solved {
            base,
            unpriced,
            stats,
            found,
        }
    };
    // Largest first (ties by position), then back to component order.
    let mut order: Vec<usize> = (0..f.components.len()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(f.components[c].cands.len()), c));
    let mut solved: Vec<(usize, Solved<R>)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|c| (c, solve_one(&f.components[c])))
        .collect();
    solved.sort_by_key(|(c, _)| *c);

    let mut stats = ModelStats {
        eligible_pairs: f.eligible_pairs,
        components: f.components.len(),
        units: f.units.len(),
        ..Default::default()
    };
    let mut unit_choice: Vec<Option<usize>> = vec![None; f.units.len()];
    let (mut optimal, mut bound) = (true, 0.0);
    let mut unpriced = Vec::new();
    let mut found = Vec::with_capacity(f.components.len());
    for (c, s) in solved {
        let comp = &f.components[c];
        if !s.unpriced.is_empty() {
            unpriced.extend(s.unpriced);
            continue;
        }
        let base = s.base;
        crate::debug!(
            "component {c}: {} units, objective {:.2}, bound {:.2}, {}",
            comp.units.len(),
            base.objective,
            base.bound,
            if base.optimal { "optimal" } else { "not proven" }
        );
        optimal &= base.optimal;
        // A time limit can stop HiGHS before it proves any bound, or leave only the bound of
        // an LP whose pricing it cut short (a 1,000-child London batch at 5 s: -5.3 million):
        // the trivial one, each unit at its cheapest, holds too, so the result always carries
        // a finite, valid bound.
        bound += if base.optimal {
            base.bound
        } else {
            base.bound.max(f.units_lower_bound(inst, &comp.units))
        };
        stats.variables += s.stats.variables;
        stats.constraints += s.stats.constraints;
        stats.pairs_priced += s.stats.pairs_priced;
        stats.pairs_added += s.stats.pairs_added;
        stats.mip_solves += s.stats.mip_solves;
        stats.widenings += s.stats.widenings;
        stats.small_solves += s.stats.small_solves;
        stats.restricted_mips += s.stats.restricted_mips;
        stats.restricted_gain += s.stats.restricted_gain;
        for (i, &u) in comp.units.iter().enumerate() {
            unit_choice[u] = base.choice[i];
        }
        found.extend(s.found);
    }
    if !unpriced.is_empty() {
        return Err(unpriced);
    }
    // Units back to children: every member of a unit goes where the unit goes.
    let mut assign: Vec<Option<usize>> = vec![None; inst.batch.children.len()];
    for (u, unit) in f.units.iter().enumerate() {
        if let Some(k) = unit_choice[u] {
            for &m in &unit.members {
                assign[m] = Some(f.cands[k].home);
            }
        }
    }
    Ok((
        Solution {
            unit_choice,
            assign,
            optimal,
            bound,
            stats,
        },
        found,
    ))
}

/// The formulation a solve of `inst` works on: pruned to each unit's cheapest pairs when the
/// batch is large ([`Formulation::keep_for`]), except `complete` units, which keep all.
fn formulation(inst: &Instance, opts: &SolveOptions, complete: &[usize]) -> Formulation {
    let keep = match opts.pairs_per_unit {
        Some(k) => k.max(1),
        None => Formulation::keep_for(inst),
    };
    let started = std::time::Instant::now();
    let f = Formulation::build_with(inst, keep, complete);
    crate::debug!(
        "formulation: {} pairs stored of {} eligible in {:.2} s",
        f.cands.len(),
        f.eligible_pairs,
        started.elapsed().as_secs_f64()
    );
    f
}

/// Solves a batch to its optimal assignment without explanations: the fast path that
/// matching-rule comparisons use. Returns the formulation too (units, pairs, costs).
pub fn solve_assignment(inst: &Instance, opts: &SolveOptions) -> (Formulation, Solution) {
    let started = std::time::Instant::now();
    let deadline = opts.time_limit.map(|t| started + std::time::Duration::from_secs_f64(t));
    until_priced(inst, opts, |f| {
        solve_components(inst, f, opts, deadline, |_, _, _| ()).map(|(solution, _)| solution)
    })
}

/// Builds the formulation and runs `attempt` on it; while unstored pairs of some units could
/// still matter (`Err`), builds again with those units' pairs complete (rare: each round adds
/// every such unit's pairs).
pub(super) fn until_priced<T>(
    inst: &Instance,
    opts: &SolveOptions,
    mut attempt: impl FnMut(&Formulation) -> Result<T, Vec<usize>>,
) -> (Formulation, T) {
    let mut complete = Vec::new();
    loop {
        let f = formulation(inst, opts, &complete);
        match attempt(&f) {
            Ok(t) => return (f, t),
            Err(more) => complete.extend(more),
        }
    }
}
