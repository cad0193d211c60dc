//! Each component's alternatives and competition, by the method that fits it: shortest paths
//! on the residual graph of a plain assignment ([`PathRegret`]), exact and without a re-solve;
//! forced re-solves ranked by a valid lower bound elsewhere ([`ranked_regrets`]); single moves
//! (upper bounds, marked) past a time limit or where an answer stopped at a requested gap
//! would make forced re-solves as inexact as they are slow. What is found here is numbers
//! only; [`crate::matching::explain`] turns them into sentences.

use std::collections::{BTreeMap, HashMap};

use crate::matching::model::Formulation;
use crate::matching::regret::{PathRegret, SingleMoves};
use crate::pair::instance::Instance;

use super::batch::{solve_components, until_priced, Solution};
use super::{ComponentSolver, Outcome, SolveOptions, Solved};

/// An unplaced unit's competition: per home, its regret and whether that is exact, where the
/// home is feasible at all.
pub type Competitors = Vec<(usize, Option<(f64, bool)>)>;

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

/// What the regret search found over the whole batch.
#[derive(Debug, Default)]
pub struct Regrets {
    /// Per placed unit: (home, regret, whether the regret is exact), best first.
    pub alts: HashMap<usize, Vec<(usize, f64, bool)>>,
    /// Per unplaced unit: (home, (regret, whether it is exact) if the home is feasible).
    pub competition: HashMap<usize, Competitors>,
    /// Units whose regrets came from shortest paths.
    pub path_regrets: usize,
}

/// Solves a located batch (until `deadline`) and finds up to `alternatives` alternatives per
/// placed unit and the competition for each unplaced one, reporting its stages and the
/// children done on `progress`. Returns the formulation solved, the answer and the regrets.
pub fn solve_with_regrets(
    inst: &Instance,
    opts: &SolveOptions,
    alternatives: usize,
    deadline: Option<std::time::Instant>,
    progress: &indicatif::ProgressBar,
) -> (Formulation, Solution, Regrets) {
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
            crate::debug!(
                "component of {} units: path regret {}",
                comp.units.len(),
                paths.is_some()
            );
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
            if let Some(p) = &paths {
                crate::debug!(
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
    let mut regrets = Regrets::default();
    for found in found {
        regrets.alts.extend(found.alts);
        regrets.competition.extend(found.competition);
        regrets.path_regrets += found.path_regrets;
    }
    (f, solution, regrets)
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
