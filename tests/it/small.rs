//! The exact search for small components ([`placematch::matching::small`]) against HiGHS, brute force
//! and the independent checker.

use proptest::prelude::*;

use placematch::matching::model::Formulation;
use placematch::matching::small::{Small, SmallSolver};
use placematch::matching::solver::{ComponentSolver, SolveOptions};
use placematch::pair::instance::Instance;

use crate::harness::{brute_force, brute_force_mismatch, instance, load, solve_checked_with, tiny_batch};

use crate::properties::config;

/// HiGHS only: the small search switched off.
fn highs() -> SolveOptions {
    SolveOptions {
        small_units: 0,
        ..SolveOptions::default()
    }
}

/// A side-constrained generated batch small enough to hold a few multi-unit components.
fn generated(seed: u64) -> Instance {
    use placematch::compare::generate::GenOptions;
    crate::harness::load_generated(&GenOptions::with_side_constraints(10, 30, seed))
}

/// The independent checker's objective of one component's choice (everyone else unplaced),
/// less the others' unplaced cost; panics when the choice breaks a rule.
fn checked_objective(inst: &Instance, f: &Formulation, units: &[usize], choice: &[Option<usize>]) -> f64 {
    let mut assign = vec![None; inst.batch.children.len()];
    for (&u, &k) in units.iter().zip(choice) {
        for &m in &f.units[u].members {
            assign[m] = k.map(|k| f.cands[k].home);
        }
    }
    let e = placematch::check::evaluate_assignment(inst, &assign);
    assert!(
        e.violations.is_empty(),
        "the small search's choice breaks rules: {:?}",
        e.violations
    );
    let others: f64 = (0..f.units.len())
        .filter(|u| !units.contains(u))
        .map(|u| f.unplaced[u])
        .sum();
    e.objective - others
}

/// The regret of every other home of a placed child, smallest first: its component re-solved
/// by HiGHS with that home forced, less the unforced optimum (the oracle alternatives are
/// checked against).
fn forced_regrets(inst: &Instance, f: &Formulation, p: &placematch::result::format::Placement) -> Vec<f64> {
    let c = inst.batch.children.iter().position(|x| x.id == p.child).unwrap();
    let u = f.unit_of[c];
    let comp = f.components.iter().find(|comp| comp.units.contains(&u)).unwrap();
    let mut solver = ComponentSolver::new(inst, f, comp, &highs(), None);
    let base = solver.solve(None).unwrap().objective;
    let chosen = inst.batch.homes.iter().position(|x| x.id == p.home).unwrap();
    let mut all: Vec<f64> = f.unit_cands[u]
        .clone()
        .filter(|&k| f.cands[k].home != chosen)
        .filter_map(|k| solver.solve(Some(k)).map(|o| o.objective - base))
        .collect();
    all.sort_by(f64::total_cmp);
    all
}

/// Every multi-unit component, unforced and with each candidate forced: the small search's
/// optimum equals HiGHS's (and its choice passes the checker with that objective).
fn small_equals_highs(inst: &Instance) -> Result<usize, TestCaseError> {
    let f = Formulation::build(inst);
    let opts = highs();
    let mut compared = 0;
    for comp in f.components.iter().filter(|c| c.units.len() > 1) {
        let mut small = SmallSolver::new(inst, &f, comp);
        let mut exact = ComponentSolver::new(inst, &f, comp, &opts, None);
        for forced in std::iter::once(None).chain(comp.cands.iter().map(|&k| Some(k))) {
            let want = exact.solve(forced);
            match (small.solve(forced, f64::INFINITY, None), want) {
                (Small::Optimal { objective, choice }, Some(o)) => {
                    prop_assert!(
                        (objective - o.objective).abs() <= 1e-6,
                        "{forced:?}: small {objective} vs HiGHS {}",
                        o.objective
                    );
                    let checked = checked_objective(inst, &f, &comp.units, &choice);
                    prop_assert!(
                        (checked - objective).abs() <= 1e-6,
                        "{forced:?}: checker {checked} vs small {objective}"
                    );
                    if let Some(k) = forced {
                        let i = comp.units.iter().position(|&u| u == f.cands[k].unit).unwrap();
                        prop_assert_eq!(choice[i], Some(k));
                    }
                }
                (Small::Infeasible, None) => {}
                (got, want) => prop_assert!(false, "{forced:?}: small {got:?} vs HiGHS {want:?}"),
            }
            compared += 1;
        }
    }
    Ok(compared)
}

proptest! {
    #![proptest_config(config(128))]

    /// On tiny batches: the small search equals HiGHS for every forced candidate, and the
    /// whole result (small search on) equals brute force and passes the checker.
    #[test]
    fn small_search_equals_highs_and_brute_force(seed in any::<u64>()) {
        let inst = load(&tiny_batch(seed));
        small_equals_highs(&inst)?;
        let r = solve_checked_with(&inst, 3, &SolveOptions::default());
        let mismatch = brute_force_mismatch(&inst, &r, brute_force(&inst), "small");
        prop_assert!(mismatch.is_none(), "{}", mismatch.unwrap_or_default());
    }
}

proptest! {
    #![proptest_config(config(40))]

    /// On generated side-constrained batches (budgets, discounts, block beds, solo, conflicts,
    /// admission limits, siblings): the small search equals HiGHS, unforced and forced; the
    /// explained result equals HiGHS's objective, passes the checker, and its alternatives are
    /// the three smallest regrets over every home, each re-solved by HiGHS with it forced.
    #[test]
    fn small_search_equals_highs_on_side_constraints(seed in 0u64..1000) {
        let inst = generated(seed);
        small_equals_highs(&inst)?;
        let small = solve_checked_with(&inst, 3, &SolveOptions::default());
        let exact = solve_checked_with(&inst, 3, &highs());
        prop_assert!((small.objective - exact.objective).abs() <= 1e-6 * exact.objective.abs().max(1.0));
        let f = Formulation::build(&inst);
        for p in &small.placements {
            let all = forced_regrets(&inst, &f, p);
            let got: Vec<f64> = p.alternatives.iter().map(|a| a.regret).collect();
            prop_assert_eq!(got.len(), all.len().min(3), "{}", p.child);
            for (g, w) in got.iter().zip(&all) {
                prop_assert!((g - w).abs() <= 0.01, "{}: regrets {:?}, best possible {:?}", p.child, got, all);
            }
        }
    }
}

/// Guards the corpus above: it must hold multi-unit components for the search to prove anything.
#[test]
fn generated_corpus_has_multi_unit_components() {
    let multi = (0..32u64)
        .filter(|&s| {
            let inst = generated(s);
            Formulation::build(&inst).components.iter().any(|c| c.units.len() > 1)
        })
        .count();
    assert!(multi >= 16, "only {multi} of 32 batches have a multi-unit component");
}

/// The example's result (objective, placements, alternatives with regrets and sentences,
/// unplaced with competition) is the same with the small search as with HiGHS alone, and the
/// small search did settle its main component.
#[test]
fn example_result_unchanged_by_small_search() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let inst = load(&serde_json::from_str(&text).unwrap());
    let small = solve_checked_with(&inst, 3, &SolveOptions::default());
    let exact = solve_checked_with(&inst, 3, &highs());
    assert!(
        small.model.small_solves >= 1 && small.model.mip_solves == 0,
        "{:?}",
        small.model
    );
    assert_eq!(exact.model.small_solves, 0);
    let strip = |r: &placematch::result::format::MatchResult| {
        let mut v = serde_json::to_value(r).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("solve_seconds");
        o.remove("model");
        v
    };
    assert_eq!(strip(&small), strip(&exact));
}

/// Past its node budget the search gives up rather than answer unproven.
#[test]
fn small_search_gives_up_past_its_node_budget() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let inst = load(&serde_json::from_str(&text).unwrap());
    let f = Formulation::build(&inst);
    let comp = f.components.iter().max_by_key(|c| c.units.len()).unwrap();
    let mut small = SmallSolver::new(&inst, &f, comp);
    small.node_budget = 10;
    assert_eq!(small.solve(None, f64::INFINITY, None), Small::GaveUp);
}

/// The HiGHS regret path (components too large for, or kept from, the small search): every
/// placed child's alternatives are the three smallest regrets over all its homes, each
/// re-solved with the pair forced. Guards the cutoffs of the forced re-solves: the LP bound,
/// which skips homes whose bound already passes the k-th regret found, and the ceiling from
/// the k-th cheapest single move, which cuts forced solves off before k are found (a ceiling
/// 5 below the move's fails here on seeds 8, 11, 18 and 23).
#[test]
fn highs_regret_path_lists_the_smallest_forced_regrets() {
    let opts = highs();
    let mut checked = 0;
    let mut bad = Vec::new();
    for seed in 0..64u64 {
        let inst = generated(seed);
        let r = solve_checked_with(&inst, 3, &opts);
        let f = Formulation::build(&inst);
        for p in &r.placements {
            let all = forced_regrets(&inst, &f, p);
            let got: Vec<f64> = p.alternatives.iter().map(|a| a.regret).collect();
            checked += 1;
            if got.len() != all.len().min(3) || got.iter().zip(&all).any(|(g, w)| (g - w).abs() > 0.01) {
                bad.push(format!(
                    "seed {seed} {}: regrets {got:?}, best possible {:?}",
                    p.child,
                    &all[..all.len().min(3)]
                ));
            }
        }
    }
    assert!(checked > 200, "only {checked} placements checked");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
