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
use super::intervals::{kth_upper, move_cells, rank, tighten, Cell, Table};
use super::{ComponentSolver, SolveOptions, Solved};

pub use super::intervals::{Interval, Ranked};

/// An unplaced unit's competition: per home, its regret and whether that is exact, where the
/// home is feasible at all.
pub type Competitors = Vec<(usize, Option<(f64, bool)>)>;

/// Placed units a component needs before a second solver explains half of them beside the
/// first ([`solve_with_regrets`]): building it and its LP takes a fraction of a second. (Low
/// enough that the 40 × 400 batch of `tests/it/branching.rs` uses it.)
const HELPER_LEAST: usize = 24;

/// What explaining one component found: per placed unit its alternatives as (home, regret),
/// per unplaced unit its competition as (home, regret if feasible), and how many units' regrets
/// came from shortest paths.
#[derive(Debug, Default)]
struct Found {
    /// Per placed unit: its ranked alternatives.
    alts: HashMap<usize, Ranked>,
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
    /// Per placed unit: its ranked alternatives.
    pub alts: HashMap<usize, Ranked>,
    /// Per unplaced unit: (home, (regret, whether it is exact) if the home is feasible).
    pub competition: HashMap<usize, Competitors>,
    /// Units whose regrets came from shortest paths.
    pub path_regrets: usize,
}

/// Solves a located batch (until `deadline`) and finds up to `alternatives` alternatives per
/// placed unit and the competition for each unplaced one, reporting its stages and the
/// children done on `progress`. Returns the formulation solved, the answer and the regrets.
///
/// With an explaining budget ([`SolveOptions::explain_time`]), forced re-solves stop once it
/// has passed, and each alternative keeps the interval proven by then. The budget goes first
/// to each placed child's first alternative (emergency, then urgent, then planned children),
/// then to the rest of the lists.
pub fn solve_with_regrets(
    inst: &Instance,
    opts: &SolveOptions,
    alternatives: usize,
    deadline: Option<std::time::Instant>,
    progress: &indicatif::ProgressBar,
) -> (Formulation, Solution, Regrets) {
    progress.set_message("finding eligible pairs");
    // The budget starts once the first component of more than one unit has its answer
    // (components are solved side by side, each explained as soon as it is solved).
    let explain_start: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let explained = std::sync::atomic::AtomicUsize::new(0);
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
            // A lone unit's alternatives are closed-form lookups: it does not start the clock
            // (a batch's lone children are solved at once, and on the 1,000 × 10,000
            // side-rule batch they started it minutes before the big component had its
            // answer, which then had no time to explain at all).
            let budget_end = opts.explain_time.map(|t| {
                let start = if comp.units.len() == 1 {
                    explain_start.get().copied().unwrap_or_else(std::time::Instant::now)
                } else {
                    *explain_start.get_or_init(std::time::Instant::now)
                };
                start + std::time::Duration::from_secs_f64(t)
            });
            solver.explain_until(budget_end);
            let report = |done: usize| {
                let n = explained.fetch_add(done, std::sync::atomic::Ordering::Relaxed) + done;
                match budget_end {
                    Some(end) => progress.set_message(format!(
                        "explaining: {n} children's lists exact, {:.0} s left",
                        end.saturating_duration_since(std::time::Instant::now()).as_secs_f64()
                    )),
                    None => progress.set_message(format!("explaining: {n} children's lists exact")),
                }
            };
            // Once the time limit has passed there is no re-optimising: alternatives come from
            // moving each child alone (an upper bound on the regret, marked as such), and
            // unplaced children get no competition list. A lone unit's move is its re-solve.
            let mut moves: Option<SingleMoves> = None;
            // Per unit, the least regret its unstored pairs could have (once, when asked).
            let mut unstored_floors: Option<Vec<f64>> = None;
            let lone = comp.units.len() == 1;
            // What every regret is at least, whatever the pair: forcing a pair in cannot lower
            // the component's optimum, which is at least its proven bound.
            let floor = if solver.proven(base) {
                0.0
            } else {
                (base.bound.max(f.units_lower_bound(inst, &comp.units)) - base.objective).min(0.0)
            };
            // The small search's root bounds stand in for reduced costs there, but are not
            // taken as proof (on a tiny budget batch one said +∞ for a pair whose forced
            // optimum its own search found): its re-solves are cheap, and each is tried.
            let lp = solver.lp_reduced_costs().cloned().filter(|_| !solver.is_small());
            // A valid lower bound on the regret of candidate `k` (LP + reduced cost, or the
            // Lagrangian's forced bound).
            let lower = |k: usize| -> f64 {
                let lp_bound = match &lp {
                    Some((lp_obj, rc)) if lp_obj.is_finite() => {
                        let pos = comp.cands.binary_search(&k).ok();
                        pos.map_or(f64::NEG_INFINITY, |p| lp_obj + rc[p] - base.objective)
                    }
                    _ => f64::NEG_INFINITY,
                };
                lp_bound.max(floor)
            };
            // With a requested gap, an answer stopped at it is not worth re-solving per home: a
            // re-solve with a pair forced would be proven only to that gap as well (on the
            // regional backlog at 1 %, £8,000, against regrets of hundreds), and each took
            // minutes. Its alternatives come from single moves, as past a time limit, except
            // where shortest paths give them exactly (a plain assignment) and in small
            // components proven optimal by the exact search, whose forced re-solves are that
            // search's too (each counts as exact only if proven: `tighten`). HiGHS's
            // forced re-solves at gap 0 would cost what --gap saves: a 100 × 800 batch with
            // every side rule, 2.1 s at --gap 0.02 with single moves, over 300 s without.
            let exact_anyway = lone || solver.is_plain() || (solver.is_small() && solver.proven(base));
            let gap_only = opts.gap > 0.0 && !exact_anyway;
            if solver.out_of_time() || gap_only {
                if alternatives > 0 {
                    let mut moves = SingleMoves::new(inst, f, comp, &base.choice);
                    let floors = (!lone).then(|| solver.unstored_regret_floors(base));
                    for (i, &u) in comp.units.iter().enumerate() {
                        let Some(chosen) = base.choice[i] else { continue };
                        let cells = move_cells(&mut moves, f, u, chosen, i, lone, &lower);
                        let unstored = floors.as_ref().map_or(f64::INFINITY, |fl| fl[i]);
                        // Kept even when empty: an empty list may still be uncertain.
                        alts.insert(u, rank(&cells, alternatives, unstored));
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
            progress.set_message("explaining");
            // Under a budget, forced MIPs only where enough of them fit in it to be worth
            // starting: otherwise the first one takes the whole budget and proves nothing, and
            // the intervals known already are the answer, sooner.
            let mips_fit = opts
                .explain_time
                .filter(|_| budget_end.is_some())
                .is_none_or(|t| solver.forced_mips_fit(t));
            // Where they do not, the unplaced children's competition gets forced LPs only, within
            // an eighth of the budget: an infeasible LP proves that a home breaks a rule (s150
            // with `--seed 2`: all six), an integral one its regret; a fractional one proves
            // neither, and that home is left out.
            let competition_end = match (mips_fit, budget_end, opts.explain_time) {
                (false, Some(end), Some(t)) => Some(end.min(
                    std::time::Instant::now()
                        + std::time::Duration::from_secs_f64(t / super::forced::FORCED_MIPS_LEAST as f64),
                )),
                _ => budget_end,
            };
            let mut tables: Vec<Table> = Vec::new();
            for (i, &u) in comp.units.iter().enumerate() {
                if paths.is_none() || alternatives == 0 || base.choice[i].is_none() {
                    progress.inc(1); // the others count as their parallel searches finish
                }
                match base.choice[i] {
                    Some(_) if alternatives > 0 && paths.is_some() => {
                        *path_regrets += 1; // searched in parallel below
                    }
                    Some(chosen) if alternatives > 0 => {
                        // Every feasible single move (the unit moved alone, everyone else
                        // staying) is an upper bound on that pair's regret, and the LP a lower
                        // one; forced solves tighten them below (`tighten`).
                        let moves = moves.get_or_insert_with(|| SingleMoves::new(inst, f, comp, &base.choice));
                        let mut cells = if lone {
                            // A lone unit's re-solve is a closed-form lookup: each is tried.
                            f.unit_cands[u]
                                .clone()
                                .filter(|&c| c != chosen)
                                .map(|c| Cell {
                                    cand: c as u32,
                                    home: f.cands[c].home as u32,
                                    lower: 0.0_f64.max(floor),
                                    upper: f64::INFINITY,
                                    lp_done: true,
                                    nothing_below: f64::NEG_INFINITY,
                                })
                                .collect()
                        } else {
                            move_cells(moves, f, u, chosen, i, false, &lower)
                        };
                        if solver.is_plain() {
                            // Moving the unit alone to a home with a spare bed is feasible (its
                            // own cost difference; the single moves have it already).
                            for c in cells.iter_mut() {
                                if c.lower >= c.upper - 1e-7 {
                                    c.lower = c.upper.max(0.0);
                                    c.upper = c.lower;
                                }
                            }
                        }
                        // A home whose lower bound is above the k-th least upper bound now can
                        // never be listed (upper bounds only fall), nor is it re-solved
                        // (`tighten`): kept, such homes were most of the explaining stage's
                        // memory (13 MB on the 300 × 3,000 side-rule batch).
                        let bar = kth_upper(&cells, alternatives, base);
                        cells.retain(|c| c.lower <= bar + 1e-6);
                        cells.shrink_to_fit();
                        let mut order: Vec<usize> = (0..cells.len()).collect();
                        order.sort_by(|&a, &b| cells[a].lower.total_cmp(&cells[b].lower).then(a.cmp(&b)));
                        tables.push(Table {
                            slot: i,
                            unit: u,
                            cells,
                            order,
                            unsure: false,
                        });
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
                                solver.explain_until(competition_end);
                                let cutoff = if mips_fit { f64::INFINITY } else { f64::NEG_INFINITY };
                                let list = ks
                                    .into_iter()
                                    .map_while(|k| {
                                        if solver.out_of_time() {
                                            return None;
                                        }
                                        let o = match solver.solve_below(Some(k), cutoff) {
                                            Solved::Exact(o) => Some(Some(o)),
                                            // No answer before the clock: not proven to break a
                                            // rule, so not listed as if it did.
                                            Solved::Infeasible if solver.out_of_time() => return None,
                                            Solved::Infeasible => Some(None),
                                            Solved::AtLeast(_) => None,
                                        };
                                        let rise =
                                            o.map(|o| o.map(|o| (o.objective - base.objective, solver.proven(&o))));
                                        Some(rise.map(|r| (f.cands[k].home, r)))
                                    })
                                    .flatten()
                                    .collect();
                                solver.explain_until(budget_end);
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
            if !tables.is_empty() {
                // Urgent children first, each child's first alternative before anyone's
                // second (where there is a budget: without one every list is finished in
                // turn, as the first pass would only repeat work).
                let urgency = |t: &Table| {
                    f.units[t.unit]
                        .members
                        .iter()
                        .map(|&c| inst.batch.children[c].urgency)
                        .min()
                };
                tables.sort_by_key(|t| (urgency(t), t.slot));
                // Under a budget, forced LPs first (warm-started, a few milliseconds each, and
                // integral, so exact, for most pairs of a nearly unimodular model), then forced
                // MIPs where they were not enough. The exact search of a small component has
                // no LP to stop at.
                let lp_first = budget_end.is_some() && !lone && !solver.is_small();
                let lp_pass = lp_first && solver.forced_lps_tighten();
                let mut passes: Vec<(usize, bool)> = Vec::new();
                let ks: &[usize] = if budget_end.is_some() && alternatives > 1 {
                    &[1, alternatives]
                } else {
                    &[alternatives]
                };
                for &k in ks {
                    if lp_pass {
                        passes.push((k, true));
                    }
                    if mips_fit && (opts.forced_mips || !lp_first) {
                        passes.push((k, false));
                    }
                }
                let run = |solver: &mut ComponentSolver, tables: &mut [&mut Table]| {
                    'passes: for &(k, lp_only) in &passes {
                        for t in tables.iter_mut() {
                            // The exact search's forced solves are cheap: the first pass cuts them off
                            // at the whole list's bar, so that the second need not solve them again
                            // (the example batch: 297 searches at the first one's bar, 138 so).
                            let cut_k = if solver.is_small() { alternatives } else { k };
                            let done = tighten(solver, t, base, k, cut_k, lp_only);
                            if !solver.take_unsure().is_empty() {
                                t.unsure = true;
                            }
                            if k == alternatives && !lp_only {
                                report(1);
                            }
                            if !done {
                                break 'passes;
                            }
                        }
                    }
                };
                if lp_first && solver.branches() && tables.len() >= HELPER_LEAST {
                    // A second solver of the same component, on its own LP, takes every other
                    // child beside this one: the explaining is otherwise one thread on a
                    // machine of two cores. Each child's list is one solver's alone, so what a
                    // budget that lasts finds does not depend on the split.
                    let (mut mine, mut theirs): (Vec<&mut Table>, Vec<&mut Table>) = (Vec::new(), Vec::new());
                    for (j, t) in tables.iter_mut().enumerate() {
                        if j % 2 == 0 {
                            mine.push(t);
                        } else {
                            theirs.push(t);
                        }
                    }
                    let run = &run;
                    let shared = solver.entries();
                    crate::support::memory::release_free_memory();
                    std::thread::scope(|s| {
                        let beside = s.spawn(move || {
                            let mut other = ComponentSolver::with_entries(inst, f, comp, opts, deadline, Some(shared));
                            other.explain_until(budget_end);
                            // Its LP only (no cutoff is below it, so no MIP follows): what the
                            // search branches from.
                            let _ = other.solve_below(None, f64::NEG_INFINITY);
                            run(&mut other, &mut theirs);
                        });
                        run(solver, &mut mine);
                        beside.join().expect("the second explaining thread");
                    });
                } else {
                    let mut all: Vec<&mut Table> = tables.iter_mut().collect();
                    run(solver, &mut all);
                }
                let floors = unstored_floors.get_or_insert_with(|| solver.unstored_regret_floors(base));
                let all_stored = f.cands.len() >= f.eligible_pairs || comp.units.iter().all(|&u| f.complete(u));
                for t in tables.iter_mut() {
                    let i = t.slot;
                    let mut ranked = rank(&t.cells, alternatives, floors[i]);
                    let bar = ranked.list.get(alternatives - 1).map_or(f64::INFINITY, |a| a.upper);
                    // With every pair stored there is nothing to store and solve again for
                    // (a weekly-budget batch's floors can still read finite): no doubt.
                    if floors[i] < bar - 1e-7 && !all_stored {
                        t.unsure = true;
                    }
                    if t.unsure {
                        // Unstored pairs, of this unit or of others, might have changed the
                        // list: without a time limit they are stored and the batch solved
                        // again; with one, nothing forced solves found is taken as a lower
                        // bound, and the rank is not claimed.
                        if opts.time_limit.is_none() {
                            incomplete.push(t.unit);
                        } else {
                            t.cells.iter_mut().for_each(|c| c.lower = c.lower.min(floor));
                            ranked = rank(&t.cells, alternatives, f64::NEG_INFINITY);
                        }
                    }
                    alts.insert(t.unit, ranked);
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
                    // Exact, and the k best of every home (the search is complete).
                    let exact = |l: Vec<(usize, f64)>| Ranked {
                        list: l.into_iter().map(|(h, r)| Interval::exact_at(h, r)).collect(),
                        certain: true,
                    };
                    alts.extend(us.iter().copied().zip(lists.into_iter().map(exact)));
                }
                report(groups.iter().map(Vec::len).sum());
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
