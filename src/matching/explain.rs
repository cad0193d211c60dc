//! Step 7, **explain**: the structured breakdown per placement (cost terms,
//! alternatives ranked by exact regret) and per unplaced child (exclusions,
//! one-rule relaxations, competition). Every sentence is derived from the
//! structure, never the reverse.

use std::collections::{BTreeMap, HashMap};

use crate::check::evaluate_assignment;
use crate::input::batch::{Ofsted, Urgency};
use crate::matching::model::{reasons_for, Formulation};
use crate::matching::regret::{PathRegret, SingleMoves};
use crate::matching::solver::{ComponentSolver, Outcome, SolveOptions, Solved};
use crate::pair::cost::Terms;
use crate::pair::eligibility::{max_distance, min_rating, Reason};
use crate::pair::instance::Instance;
use crate::result::format::{
    Alternative, Competition, Exclusion, MatchResult, ModelStats, Placement, Relaxation, Unplaced, RESULT_FORMAT,
};

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
    let solve_one = |comp: &crate::matching::model::Component| {
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
            if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                eprintln!("answer polished by {change:.2} in {:.2} s", t0.elapsed().as_secs_f64());
            }
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
        if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
            eprintln!(
                "component {c}: {} units, objective {:.2}, bound {:.2}, {}",
                comp.units.len(),
                base.objective,
                base.bound,
                if base.optimal { "optimal" } else { "not proven" }
            );
        }
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
    if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
        eprintln!(
            "formulation: {} pairs stored of {} eligible in {:.2} s",
            f.cands.len(),
            f.eligible_pairs,
            started.elapsed().as_secs_f64()
        );
    }
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
fn until_priced<T>(
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

/// Solves a located batch and explains the answer: the whole back half of `solve`.
pub fn solve_and_explain(inst: &Instance, opts: &SolveOptions, alternatives: usize) -> MatchResult {
    solve_and_explain_with(inst, opts, alternatives, &indicatif::ProgressBar::hidden())
}

/// [`solve_and_explain`], reporting its stages and the children explained on `progress`.
pub fn solve_and_explain_with(
    inst: &Instance,
    opts: &SolveOptions,
    alternatives: usize,
    progress: &indicatif::ProgressBar,
) -> MatchResult {
    let started = std::time::Instant::now();
    let deadline = opts.time_limit.map(|t| started + std::time::Duration::from_secs_f64(t));
    progress.set_message("finding eligible pairs");
    let (f, (solution, found)) = until_priced(inst, opts, |f| {
        progress.set_message("solving");
        crate::support::progress::count_to(progress, f.units.len() as u64);
        let solved = solve_components(inst, f, opts, deadline, |f, solver, base| {
            let comp = solver.comp;
            let mut found = Found::default();
            let Found {
                alts,
                competition,
                path_regrets,
                incomplete,
            } = &mut found;
            if comp.cands.is_empty() {
                return found;
            }
            // Once the time limit has passed there is no re-optimising: alternatives come from
            // moving each child alone (an upper bound on the regret, marked as such), and
            // unplaced children get no competition list. A lone unit's move is its re-solve.
            let mut moves: Option<SingleMoves> = None;
            // Per unit, the least regret its unstored pairs could have (once, when asked).
            let mut unstored_floors: Option<Vec<f64>> = None;
            let lone = comp.units.len() == 1;
            // With a requested gap, an answer stopped at it is not worth re-solving per home: a
            // re-solve with a pair forced would be proven only to that gap as well (on the
            // regional backlog at 1 %, £8,000, against regrets of hundreds), and each took
            // minutes. Its alternatives come from single moves, as past a time limit, except
            // where shortest paths give them exactly (a plain assignment) and in small
            // components proven optimal by the exact search, whose forced re-solves are that
            // search's too (each counts as exact only if proven: `ranked_regrets`). HiGHS's
            // forced re-solves at gap 0 would cost what --gap saves: a 100 × 800 batch with
            // every side rule, 2.1 s at --gap 0.02 with single moves, over 300 s without.
            let exact_anyway = lone || solver.is_plain() || (solver.is_small() && solver.proven(base));
            let gap_only = opts.gap > 0.0 && !exact_anyway;
            if solver.out_of_time() || gap_only {
                if alternatives > 0 {
                    let mut moves = SingleMoves::new(inst, f, comp, &base.choice);
                    for (i, &u) in comp.units.iter().enumerate() {
                        let list = single_move_alternatives(&mut moves, f, i, alternatives, lone);
                        if !list.is_empty() {
                            alts.insert(u, list);
                        }
                    }
                }
                progress.inc(comp.units.len() as u64);
                return found;
            }
            // A plain assignment's regrets come from shortest paths on its residual graph, exactly
            // and without a re-solve per home; other components re-solve with the pair forced.
            // (Only when something will ask: building it prices every unstored pair into an
            // occupied home, 9 s of a national what-if.)
            let asked = alternatives > 0 || base.choice.iter().any(Option::is_none);
            let paths = solver
                .plain_potentials()
                .filter(|_| asked)
                .and_then(|(y, w)| PathRegret::new(inst, f, comp, &base.choice, &y, &w));
            if std::env::var_os("PLACEMATCH_DEBUG").is_some() {
                eprintln!(
                    "component of {} units: path regret {}",
                    comp.units.len(),
                    paths.is_some()
                );
            }
            let lp = if paths.is_some() {
                None
            } else {
                solver.lp_reduced_costs().cloned()
            };
            progress.set_message("explaining");
            for (i, &u) in comp.units.iter().enumerate() {
                if paths.is_none() || alternatives == 0 || base.choice[i].is_none() {
                    progress.inc(1); // the others count as their parallel searches finish
                }
                let lower = |k: usize| match &lp {
                    Some((lp_obj, rc)) if lp_obj.is_finite() => {
                        let pos = comp.cands.binary_search(&k).ok();
                        pos.map_or(f64::NEG_INFINITY, |p| lp_obj + rc[p] - base.objective)
                    }
                    _ => f64::NEG_INFINITY,
                };
                match base.choice[i] {
                    Some(_) if alternatives > 0 && paths.is_some() => {
                        *path_regrets += 1; // searched in parallel below
                    }
                    Some(_) if alternatives > 0 && solver.out_of_time() => {
                        let moves = moves.get_or_insert_with(|| SingleMoves::new(inst, f, comp, &base.choice));
                        alts.insert(u, single_move_alternatives(moves, f, i, alternatives, lone));
                    }
                    Some(chosen) if alternatives > 0 => {
                        // Moving the unit alone is a feasible change, so the k-th cheapest such
                        // move bounds its k-th regret from above: forced solves need only look
                        // below it (a MIP per home otherwise proves optima far above the list).
                        // The same moves complete a list the time limit cuts short.
                        let single = (!lone).then(|| {
                            let moves = moves.get_or_insert_with(|| SingleMoves::new(inst, f, comp, &base.choice));
                            single_move_alternatives(moves, f, i, alternatives, lone)
                        });
                        let ceiling = single
                            .as_ref()
                            .and_then(|s| s.get(alternatives - 1))
                            .map_or(f64::INFINITY, |a| a.1);
                        let (list, mut cut_short) =
                            ranked_regrets(solver, f, u, chosen, base, alternatives, ceiling, lower);
                        let mut list: Vec<(usize, f64, bool)> = list
                            .into_iter()
                            .map(|(k, r, exact)| (f.cands[k].home, r, exact))
                            .collect();
                        // Unstored pairs, of this unit or of others, that might have changed
                        // the list: without a time limit they are stored and the batch solved
                        // again; with one, the list is completed from single moves and no
                        // regret on it is claimed exact.
                        let mut unsure = solver.take_unsure();
                        let kth = list.get(alternatives - 1).map_or(f64::INFINITY, |a| a.1);
                        let floors = unstored_floors.get_or_insert_with(|| solver.unstored_regret_floors(base));
                        if floors[i] < kth - 1e-7 {
                            unsure.push(u);
                        }
                        if !unsure.is_empty() {
                            if opts.time_limit.is_none() {
                                incomplete.extend(unsure);
                            } else {
                                cut_short = true;
                                list.iter_mut().for_each(|a| a.2 = false);
                            }
                        }
                        if cut_short || list.iter().any(|a| !a.2) {
                            let moves = moves.get_or_insert_with(|| SingleMoves::new(inst, f, comp, &base.choice));
                            // A forced solve the time limit cut short may have found less than
                            // moving the child there alone does (a 100 × 1,000 side-constrained
                            // batch: 14,837 against 355); the move is an upper bound too.
                            for a in list.iter_mut().filter(|a| !a.2) {
                                let k = f.cand_at(u, a.0).expect("an eligible home");
                                if let Some(change) = moves.move_change(i, k) {
                                    a.1 = a.1.min(change);
                                }
                            }
                            if cut_short {
                                // The time limit came mid-list: the rest from single moves.
                                let single =
                                    single.unwrap_or_else(|| single_move_alternatives(moves, f, i, alternatives, lone));
                                for alt in single {
                                    if list.len() < alternatives && list.iter().all(|a| a.0 != alt.0) {
                                        list.push(alt);
                                    }
                                }
                            }
                            list.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                        }
                        alts.insert(u, list);
                    }
                    None => {
                        // Cheapest eligible homes first: those are the ones a reader asks about.
                        // (Stored pairs are each unit's cheapest, so these are among them.)
                        let mut ks: Vec<usize> = f.unit_cands[u].clone().collect();
                        ks.sort_by(|&a, &b| f.cands[a].cost.total_cmp(&f.cands[b].cost).then(a.cmp(&b)));
                        ks.truncate(3);
                        let list: Competitors = match &paths {
                            Some(p) => {
                                let homes: Vec<usize> = ks.iter().map(|&k| f.cands[k].home).collect();
                                let found: HashMap<usize, f64> = p.at_homes(u, &homes).into_iter().collect();
                                homes.iter().map(|h| (*h, found.get(h).map(|&r| (r, true)))).collect()
                            }
                            // Past the time limit, no more re-solves (each would still cost
                            // HiGHS's presolve): the list ends there.
                            None => {
                                let list = ks
                                    .into_iter()
                                    .map_while(|k| {
                                        (!solver.out_of_time()).then(|| {
                                            let o = solver.solve(Some(k));
                                            let rise = o.map(|o| (o.objective - base.objective, solver.proven(&o)));
                                            (f.cands[k].home, rise)
                                        })
                                    })
                                    .collect();
                                // A forced answer unstored pairs might beat: stored and solved
                                // again, or under a time limit left as found (an upper bound).
                                let unsure = solver.take_unsure();
                                if opts.time_limit.is_none() {
                                    incomplete.extend(unsure);
                                }
                                list
                            }
                        };
                        if !list.is_empty() {
                            competition.insert(u, list);
                        }
                    }
                    _ => {}
                }
            }
            if let (Some(p), true) = (&paths, alternatives > 0) {
                // One independent search per placed child: side by side on every core, in a
                // fixed order of results whatever the threads did.
                use rayon::prelude::*;
                // Children of one home share one search (their distances are its distances).
                let mut by_home: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for (i, c) in base.choice.iter().enumerate() {
                    if let Some(k) = c {
                        by_home.entry(f.cands[*k].home).or_default().push(comp.units[i]);
                    }
                }
                let groups: Vec<Vec<usize>> = by_home.into_values().collect();
                let searched: Vec<Vec<Vec<(usize, f64)>>> = groups
                    .par_iter()
                    .map(|us| {
                        progress.inc(us.len() as u64);
                        p.best_sharing_home(us, alternatives)
                    })
                    .collect();
                for (us, lists) in groups.iter().zip(searched) {
                    let exact = |l: Vec<(usize, f64)>| l.into_iter().map(|(h, r)| (h, r, true)).collect();
                    alts.extend(us.iter().copied().zip(lists.into_iter().map(exact)));
                }
            }
            if let (Some(p), true) = (&paths, std::env::var_os("PLACEMATCH_DEBUG").is_some()) {
                eprintln!(
                    "path regret work (searches, unstored pairs, full scans): {:?}",
                    p.work()
                );
            }
            found
        });
        // Explaining may find unstored pairs it cannot rule out: store them and start over.
        let (solution, found) = solved?;
        let mut incomplete: Vec<usize> = found.iter().flat_map(|f| f.incomplete.iter().copied()).collect();
        incomplete.sort_unstable();
        incomplete.dedup();
        if incomplete.is_empty() {
            Ok((solution, found))
        } else {
            Err(incomplete)
        }
    });
    let solve_seconds = started.elapsed().as_secs_f64();
    let stopped = match (opts.gap > 0.0, opts.time_limit.is_some()) {
        (true, true) => "the time limit or the requested gap stopped the search",
        (true, false) => "the search stopped at the requested gap",
        _ => "the time limit stopped the search",
    };
    // Per unit: alternatives as (home, regret); per unplaced unit: (home, regret if feasible).
    let mut alts: HashMap<usize, Vec<(usize, f64, bool)>> = HashMap::new();
    let mut competition: HashMap<usize, Competitors> = HashMap::new();
    let mut path_regrets = 0;
    for found in found {
        alts.extend(found.alts);
        competition.extend(found.competition);
        path_regrets += found.path_regrets;
    }
    let Solution {
        unit_choice,
        assign,
        optimal,
        bound,
        mut stats,
    } = solution;
    stats.path_regrets = path_regrets;

    let eval = evaluate_assignment(inst, &assign);
    let objective = eval.objective;
    let (bound, gap, status) = crate::result::format::bound_and_gap(optimal, bound, objective, opts.gap);

    let mut placements = Vec::new();
    let mut unplaced = Vec::new();
    for (c, child) in inst.batch.children.iter().enumerate() {
        let u = f.unit_of[c];
        let member_ix = f.units[u].members.iter().position(|&m| m == c).unwrap();
        match unit_choice[u] {
            Some(k) => {
                let cand = &f.cands[k];
                let h = cand.home;
                let (chosen_terms, chosen_km) = f.member_terms(inst, k, member_ix);
                let alternatives = alts
                    .get(&u)
                    .map(|list| {
                        list.iter()
                            .map(|&(alt_home, regret, exact)| {
                                let (t, alt_km) = f.member_terms_at(inst, u, alt_home, member_ix);
                                let difference = Terms::from_values(t.minus(&chosen_terms).values().map(round2));
                                let alt_cost = f.unit_cost_at(inst, u, alt_home).expect("an eligible alternative");
                                let own: f64 = alt_cost - cand.cost;
                                let knock_on = round2(regret - own);
                                let why = why_alternative(
                                    inst,
                                    c,
                                    alt_home,
                                    &difference,
                                    alt_km - chosen_km,
                                    RegretShare {
                                        regret: round2(regret),
                                        exact,
                                        knock_on,
                                        stopped,
                                    },
                                );
                                Alternative {
                                    home: inst.batch.homes[alt_home].id.clone(),
                                    regret: round2(regret),
                                    regret_exact: exact,
                                    cost: t.into(),
                                    distance_km: alt_km,
                                    difference,
                                    knock_on,
                                    why,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                placements.push(Placement {
                    child: child.id.clone(),
                    home: inst.batch.homes[h].id.clone(),
                    provider: inst.batch.homes[h].provider.clone(),
                    urgency: child.urgency,
                    cost: chosen_terms.into(),
                    distance_km: chosen_km,
                    block_bed: eval.block_bed[c],
                    discount: eval.discount[c],
                    placed_with: f.units[u]
                        .members
                        .iter()
                        .filter(|&&m| m != c)
                        .map(|&m| inst.batch.children[m].id.clone())
                        .collect(),
                    alternatives,
                });
            }
            None => unplaced.push(diagnose(
                inst,
                &f,
                c,
                &assign,
                competition.get(&u).map(Vec::as_slice).unwrap_or(&[]),
                stopped,
            )),
        }
    }
    let key = |id: &str, urg: Urgency| (urg, id.to_string());
    placements.sort_by_key(|p| key(&p.child, p.urgency));
    unplaced.sort_by_key(|p| key(&p.child, p.urgency));
    stats.estimated_regrets = placements
        .iter()
        .filter(|p| p.alternatives.iter().any(|a| !a.regret_exact))
        .count();
    MatchResult {
        format: RESULT_FORMAT.to_string(),
        batch_id: inst.batch.batch_id.clone(),
        status,
        objective: round6(objective),
        bound: round6(bound),
        gap,
        solve_seconds,
        model: stats,
        summary: eval.summary,
        placements,
        unplaced,
    }
}

/// An unplaced unit's competition: per home, its regret and whether that is exact, where the
/// home is feasible at all.
type Competitors = Vec<(usize, Option<(f64, bool)>)>;

/// What explaining one component found: per placed unit its alternatives as (home, regret),
/// per unplaced unit its competition as (home, regret if feasible), and how many units' regrets
/// came from shortest paths.
#[derive(Debug, Default)]
struct Found {
    /// Per placed unit: (home, regret, whether the regret is exact).
    alts: HashMap<usize, Vec<(usize, f64, bool)>>,
    /// Per unplaced unit: (home, (regret, whether it is exact) if the home is feasible).
    competition: HashMap<usize, Competitors>,
    path_regrets: usize,
    /// Units whose unstored pairs might change what was found (no time limit): solve again
    /// with their pairs stored.
    incomplete: Vec<usize>,
}

/// Passes of single-move polishing for a time-limited answer (each pass is one look at
/// every unit; they converge in a few).
const MAX_POLISH_PASSES: usize = 20;
/// Share of a time limit kept back from HiGHS for polishing a time-limited answer.
const POLISH_SHARE: f64 = 0.1;

fn round2(x: f64) -> f64 {
    // `+ 0.0` turns a negative zero into zero, so the JSON never shows -0.0.
    (x * 100.0).round() / 100.0 + 0.0
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The `k` best single moves of the unit at position `i` as alternatives (home, regret,
/// exact): exact only for a lone unit, whose move is its re-solve.
fn single_move_alternatives(
    moves: &mut SingleMoves,
    f: &Formulation,
    i: usize,
    k: usize,
    lone: bool,
) -> Vec<(usize, f64, bool)> {
    moves
        .best(i, k)
        .into_iter()
        .map(|(c, r)| (f.cands[c].home, r, lone))
        .collect()
}

/// The `k` best alternatives of a unit by exact regret, without a MIP per home.
///
/// Candidates are taken in order of a valid lower bound (LP reduced cost); each is then
/// re-solved as an LP with the pair forced in (warm-started), which is exact when integral
/// and a tighter bound otherwise; the MIP runs only for candidates whose LP bound could still
/// make the list. The search stops once no untried candidate can beat the k-th regret found.
/// `ceiling` is a known upper bound on the k-th regret (the k-th cheapest feasible single move):
/// a forced solve is cut off there from the start, not only once k regrets are found. A forced
/// solve cut short by the time limit gives an upper bound, marked inexact; past the limit the
/// search stops, and says so (the second value).
#[allow(clippy::too_many_arguments)]
fn ranked_regrets(
    solver: &mut ComponentSolver,
    f: &Formulation,
    u: usize,
    chosen: usize,
    base: &Outcome,
    k: usize,
    ceiling: f64,
    lower: impl Fn(usize) -> f64,
) -> (Vec<(usize, f64, bool)>, bool) {
    // A lone unit's re-solve is a closed-form lookup, so every candidate is simply evaluated;
    // with company, the LP reduced cost gives a valid lower bound.
    let lone = solver.comp.units.len() == 1;
    let bound = |c: usize| if lone { 0.0 } else { lower(c).max(0.0) };
    // In a plain assignment component (capacities only), moving this unit alone to a home with
    // a spare bed is feasible, so its own cost difference is an upper bound on the regret; where
    // the lower bound meets it, the regret is known without a re-solve.
    let plain = !lone && solver.is_plain();
    let mut used: HashMap<usize, usize> = HashMap::new();
    if plain {
        for &k in base.choice.iter().flatten() {
            *used.entry(f.cands[k].home).or_default() += f.size(f.cands[k].unit);
        }
    }
    let size = f.size(u);
    let start = f.unit_cands[u].start;
    let vacancies: Vec<usize> = f.unit_cands[u]
        .clone()
        .map(|c| solver.vacancies(f.cands[c].home))
        .collect();
    let known = |c: usize, lb: f64| -> Option<f64> {
        let h = f.cands[c].home;
        let spare = used.get(&h).copied().unwrap_or(0) + size <= vacancies[c - start];
        let ub = f.cands[c].cost - f.cands[chosen].cost;
        (plain && spare && lb >= ub - 1e-7).then_some(ub.max(0.0))
    };
    let mut order: Vec<(f64, usize)> = f.unit_cands[u]
        .clone()
        .filter(|&c| c != chosen)
        .map(|c| (bound(c), c))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut found: Vec<(usize, f64, bool)> = Vec::new();
    // With room for round-off between the move's arithmetic and the solver's objective: a
    // home whose regret is the ceiling itself must not be cut off (it belongs on the list).
    let ceiling = ceiling + 1e-6 * base.objective.abs().max(1.0);
    let kth = |found: &Vec<(usize, f64, bool)>| {
        if found.len() >= k {
            found[k - 1].1.min(ceiling)
        } else {
            ceiling
        }
    };
    for (lb, c) in order {
        if lb > kth(&found) + 1e-6 {
            break;
        }
        if solver.out_of_time() {
            // Each forced solve past the limit still costs HiGHS's presolve (a 150 × 1,500
            // side-constrained batch given 600 s ended 16.6 s late): the caller completes the
            // list from single moves.
            return (found, true);
        }
        let cutoff = base.objective + kth(&found) + 1e-6;
        // A forced solve cut short by the time limit gives the best placement it found: an
        // upper bound, kept but marked.
        let regret = match known(c, lb) {
            Some(r) => Some((r, true)),
            None => match solver.solve_below(Some(c), cutoff) {
                Solved::Exact(o) if solver.proven(&o) => Some(((o.objective - base.objective).max(0.0), true)),
                Solved::Exact(o) => Some((o.objective - base.objective, false)),
                _ => None,
            },
        };
        if let Some((regret, exact)) = regret {
            found.push((c, regret, exact));
            found.sort_by(|a, b| a.1.total_cmp(&b.1).then(f.cands[a.0].home.cmp(&f.cands[b.0].home)));
            found.truncate(k);
        }
    }
    (found, false)
}

fn money(x: f64) -> String {
    let r = x.abs().round() as i64;
    let s = r.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("£{out}")
}

fn home_name(inst: &Instance, h: usize) -> String {
    let home = &inst.batch.homes[h];
    home.name.clone().unwrap_or_else(|| home.id.clone())
}

/// An alternative's regret, whether it is exact, and the part of it borne by the rest of the batch.
struct RegretShare {
    regret: f64,
    exact: bool,
    knock_on: f64,
    /// What stopped the search, for an inexact regret's sentence.
    stopped: &'static str,
}

/// "Oakwood is £350 a week cheaper but 61 km further from home and rated Requires Improvement
/// (regret £412 a week)." Built from the term differences, largest first.
fn why_alternative(inst: &Instance, child: usize, alt: usize, d: &Terms, dkm: f64, share: RegretShare) -> String {
    let RegretShare {
        regret,
        exact,
        knock_on,
        stopped,
    } = share;
    let c = &inst.batch.children[child];
    let rating = inst.homes[alt].rating.label();
    let better = |x: f64| x < 0.0;
    // (pounds, predicate) for each term that differs; positive pounds = the alternative is worse.
    let mut items: Vec<(f64, String)> = Vec::new();
    let mut add = |pounds: f64, text: String| items.push((pounds, text));
    if d.price.abs() >= 0.5 {
        add(
            d.price,
            format!(
                "is {} a week {}",
                money(d.price),
                if better(d.price) { "cheaper" } else { "dearer" }
            ),
        );
    }
    if dkm.abs() >= 0.5 {
        add(
            d.distance,
            format!(
                "is {:.0} km {} home",
                dkm.abs(),
                if dkm < 0.0 { "nearer" } else { "further from" }
            ),
        );
    }
    if d.out_of_area != 0.0 {
        add(
            d.out_of_area,
            if better(d.out_of_area) {
                "is in the child's own authority".into()
            } else {
                "is out of area".into()
            },
        );
    }
    if d.quality != 0.0 {
        add(
            d.quality,
            if better(d.quality) {
                format!("is better rated ({rating})")
            } else {
                format!("is rated {rating}")
            },
        );
    }
    if d.needs != 0.0 {
        let levels = (d.needs / inst.policy.unmet_need.max(1e-9)).abs().round() as i64;
        let s = if levels == 1 { "" } else { "s" };
        add(
            d.needs,
            if better(d.needs) {
                format!("meets {levels} more level{s} of need")
            } else {
                format!("leaves {levels} more level{s} of need unmet")
            },
        );
    }
    if d.type_preference != 0.0 {
        let t = inst.batch.homes[alt].kind.name().replace('_', " ");
        add(
            d.type_preference,
            format!(
                "is a {} preferred type ({t})",
                if better(d.type_preference) { "more" } else { "less" }
            ),
        );
    }
    if d.step_across != 0.0 {
        add(
            d.step_across,
            if better(d.step_across) {
                "keeps the step-across option open".into()
            } else {
                "loses the step-across option".into()
            },
        );
    }
    if d.language != 0.0 {
        add(
            d.language,
            if better(d.language) {
                "shares the child's language".into()
            } else {
                "shares none of the child's languages".into()
            },
        );
    }
    items.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
    let pros: Vec<&str> = items
        .iter()
        .filter(|i| i.0 < 0.0)
        .take(2)
        .map(|i| i.1.as_str())
        .collect();
    let cons: Vec<&str> = items
        .iter()
        .filter(|i| i.0 > 0.0)
        .take(3)
        .map(|i| i.1.as_str())
        .collect();
    let name = home_name(inst, alt);
    let mut s = match (pros.is_empty(), cons.is_empty()) {
        (false, false) => format!("{name} {} but {}", predicates(&pros), predicates(&cons)),
        (true, false) => format!("{name} {}", predicates(&cons)),
        (false, true) => format!("{name} {}", predicates(&pros)),
        (true, true) => format!("{name} costs the same for {}", c.id),
    };
    // The rest of the regret falls on the batch: other children moved, block beds or discounts.
    if knock_on >= 0.5 {
        s.push_str(&format!(
            ", and the rest of the batch would cost {} a week more",
            money(knock_on)
        ));
    } else if knock_on <= -0.5 {
        s.push_str(&format!(
            ", partly offset by {} a week saved elsewhere in the batch",
            money(knock_on)
        ));
    }
    if exact {
        s.push_str(&format!(" (regret {} a week).", money(regret)));
    } else if regret >= 0.0 {
        s.push_str(&format!(
            " (regret at most {} a week: {stopped} before it could re-arrange the rest of the batch).",
            money(regret)
        ));
    } else {
        s.push_str(&format!(
            " (moving here would save the batch {} a week: {stopped} before it found this).",
            money(regret)
        ));
    }
    s
}

/// Joins predicates, saying "is" once per run: "is cheaper, nearer and out of area".
fn predicates(parts: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut prev_is = false;
    for p in parts {
        let is = p.starts_with("is ");
        out.push(if is && prev_is {
            p[3..].to_string()
        } else {
            p.to_string()
        });
        prev_is = is;
    }
    let refs: Vec<&str> = out.iter().map(String::as_str).collect();
    join(&refs)
}

fn join(parts: &[&str]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].to_string(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// Builds the diagnosis of an unplaced child.
pub(crate) fn diagnose(
    inst: &Instance,
    f: &Formulation,
    c: usize,
    assign: &[Option<usize>],
    comp: &[(usize, Option<(f64, bool)>)],
    stopped: &str,
) -> Unplaced {
    let child = &inst.batch.children[c];
    let u = f.unit_of[c];
    let homes = &inst.batch.homes;
    let rs = reasons_for(inst, f, c);
    let mut by_reason: BTreeMap<Reason, Vec<(f64, usize)>> = BTreeMap::new();
    let mut single: BTreeMap<Reason, Vec<(f64, usize)>> = BTreeMap::new();
    let mut eligible = 0;
    for &(h, r, km) in &rs {
        if r.is_empty() {
            eligible += 1;
        }
        for reason in r.iter() {
            by_reason.entry(reason).or_default().push((km, h));
        }
        if r.count() == 1 {
            single.entry(r.iter().next().unwrap()).or_default().push((km, h));
        }
    }
    let ids = |v: &mut Vec<(f64, usize)>| -> Vec<String> {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.iter().take(3).map(|&(_, h)| homes[h].id.clone()).collect()
    };
    let excluded = by_reason
        .iter_mut()
        .map(|(r, v)| Exclusion {
            reason: r.code().to_string(),
            homes: v.len(),
            examples: ids(v),
        })
        .collect();
    let relaxations: Vec<Relaxation> = single
        .iter_mut()
        .map(|(r, v)| {
            let ex = ids(v);
            relaxation(inst, c, *r, v, ex)
        })
        .collect();
    let competition: Vec<Competition> = comp
        .iter()
        .map(|&(h, regret)| competition_entry(inst, c, h, regret, assign, stopped))
        .collect();
    let blocked = f.units[u].blocked;
    let why = if let Some(b) = blocked {
        match b {
            crate::pair::eligibility::UnitBlock::SiblingsConflict => format!("{} cannot be placed: its sibling group must live together but its members' risks conflict.", child.id),
            crate::pair::eligibility::UnitBlock::SiblingNeedsSolo => format!("{} cannot be placed: its sibling group must live together but includes a child who needs a solo placement.", child.id),
        }
    } else if eligible == 0 {
        let top = by_reason
            .iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
            .map(|(r, v)| format!("{} ({} homes)", r.code(), v.len()));
        let relax = relaxations
            .iter()
            .max_by(|a, b| a.homes.cmp(&b.homes).then(b.rule.cmp(&a.rule)))
            .map(|r| format!("; {}", r.detail))
            .unwrap_or_default();
        format!(
            "No home meets every rule for {}; the commonest obstacle is {}{}.",
            child.id,
            top.unwrap_or_else(|| "that there are no homes".into()),
            relax
        )
    } else {
        format!("{} eligible home(s) exist for {} but all went to other children or are blocked by a batch-wide rule; placing {} would have cost the batch more.", eligible, child.id, child.id)
    };
    Unplaced {
        child: child.id.clone(),
        urgency: child.urgency,
        unplaced_cost: crate::pair::cost::unplaced_cost(inst, c),
        blocked,
        eligible_homes: eligible,
        excluded,
        relaxations,
        competition,
        why,
    }
}

fn relaxation(inst: &Instance, c: usize, r: Reason, homes: &mut [(f64, usize)], examples: Vec<String>) -> Relaxation {
    let child = &inst.batch.children[c];
    let n = homes.len();
    let hs = &inst.batch.homes;
    let (limit, needed, detail) = match r {
        Reason::TooFar => {
            let lim = max_distance(inst, c).unwrap_or(0.0);
            let need = homes.iter().map(|h| h.0).fold(0.0, f64::max).ceil();
            (
                Some(lim.into()),
                Some(need.into()),
                format!("{n} home(s) within {need:.0} km if the {lim:.0} km limit were relaxed"),
            )
        }
        Reason::TooClose => {
            let lim = child.min_distance_km.unwrap_or(0.0);
            let need = homes.iter().map(|h| h.0).fold(f64::INFINITY, f64::min).floor();
            (
                Some(lim.into()),
                Some(need.into()),
                format!("{n} home(s) if the {lim:.0} km minimum distance were lowered to {need:.0} km"),
            )
        }
        Reason::OverBudget => {
            let lim = child.budget_cap.unwrap_or(0.0);
            let need = homes.iter().map(|h| hs[h.1].weekly_price).fold(0.0, f64::max);
            (
                Some(lim.into()),
                Some(need.into()),
                format!(
                    "{n} home(s) if the budget cap of {} a week were raised to {}",
                    money(lim),
                    money(need)
                ),
            )
        }
        Reason::OfstedBelowMinimum => {
            let lim = min_rating(inst, c);
            let need = homes
                .iter()
                .map(|h| inst.homes[h.1].rating)
                .max()
                .unwrap_or(Ofsted::Inadequate);
            (
                Some(lim.name().into()),
                Some(need.name().into()),
                format!("{n} home(s) if homes rated {} were accepted", need.label()),
            )
        }
        Reason::NeedNotMet => (
            None,
            None,
            format!("{n} home(s) if a larger shortfall between needs and support were accepted"),
        ),
        other => (
            None,
            None,
            format!("{n} home(s) if the {} rule were relaxed", other.code()),
        ),
    };
    Relaxation {
        rule: r.code().to_string(),
        homes: n,
        examples,
        limit,
        needed,
        detail,
    }
}

fn competition_entry(
    inst: &Instance,
    c: usize,
    h: usize,
    regret: Option<(f64, bool)>,
    assign: &[Option<usize>],
    stopped: &str,
) -> Competition {
    let home = &inst.batch.homes[h];
    let taken_by: Vec<String> = (0..assign.len())
        .filter(|&x| assign[x] == Some(h))
        .map(|x| inst.batch.children[x].id.clone())
        .collect();
    let child = &inst.batch.children[c].id;
    let (regret, why) = match regret {
        Some((regret, exact)) => {
            let regret = round2(regret);
            let who = if taken_by.is_empty() { String::new() } else { format!(" (now taken by {})", taken_by.join(", ")) };
            let why = if exact {
                format!("Placing {child} at {}{who} would raise the batch's weekly cost by {}: other children would be displaced or placed worse.", home.id, money(regret))
            } else {
                format!("Placing {child} at {}{who} would raise the batch's weekly cost by at most {}: other children would be displaced or placed worse ({stopped} before it could find the least rise).", home.id, money(regret))
            };
            (Some((regret, exact)), why)
        }
        None => (None, format!("{child} cannot go to {} without breaking a batch-wide rule (provider admission limit, weekly budget, solo placement or a conflict with another child placed there).", home.id)),
    };
    Competition {
        home: home.id.clone(),
        taken_by,
        regret: regret.map(|r| r.0),
        regret_exact: regret.is_none_or(|r| r.1),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A competitor's rise found by a forced solve that a time limit or a requested gap cut
    /// short is only an upper bound: the entry says "at most", is marked, and keeps the
    /// marking in its JSON (left out when exact, as an alternative's is).
    #[test]
    fn a_competition_rise_not_proven_is_marked_as_an_upper_bound() {
        let inst = crate::pair::instance::load_batch(include_str!("../../instances/example.json"), "example", None)
            .expect("the example loads");
        let assign = vec![None; inst.batch.children.len()];
        let stopped = "the time limit stopped the search";
        let exact = competition_entry(&inst, 0, 0, Some((123.456, true)), &assign, stopped);
        let bound = competition_entry(&inst, 0, 0, Some((123.456, false)), &assign, stopped);
        let forbidden = competition_entry(&inst, 0, 0, None, &assign, stopped);
        assert_eq!((exact.regret, exact.regret_exact), (Some(123.46), true));
        assert_eq!((bound.regret, bound.regret_exact), (Some(123.46), false));
        assert!(forbidden.regret_exact && forbidden.regret.is_none());
        assert!(
            exact.why.contains("by £123:") && !exact.why.contains("at most"),
            "{}",
            exact.why
        );
        assert!(
            bound.why.contains("by at most £123:") && bound.why.contains(stopped),
            "{}",
            bound.why
        );
        let json = |c: &Competition| serde_json::to_value(c).expect("serialises");
        assert!(json(&exact).get("regret_exact").is_none());
        assert_eq!(json(&bound)["regret_exact"], serde_json::json!(false));
        let back: Competition = serde_json::from_value(json(&exact)).expect("reads back");
        assert!(back.regret_exact);
    }
}
