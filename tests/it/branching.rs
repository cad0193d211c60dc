//! The branch-and-bound over forced LPs (`src/matching/solver/branch.rs`): against brute
//! force on tiny batches with every side rule (intervals, exactness, certain order), and
//! against HiGHS's forced MIPs on a generated side-rule batch whose LP is fractional, so that
//! the search really branches (tiny batches rarely make it branch; cover cuts are switched off
//! there, as they make that batch's LP integral).

use placematch::compare::generate::GenOptions;
use placematch::matching::solver::{SolveOptions, DEFAULT_BRANCH_LPS};
use placematch::result::format::MatchResult;
use proptest::prelude::*;

use crate::harness::{budget_tiny_batch, generated, load, solve_checked_with, tiny_batch};
use crate::properties::{config, intervals_hold};

/// Siblings, conflicts, solo children, block beds and admission limits at 40 × 400. Seed 4
/// has a fractional LP whose forced LPs branch (92 of 215 searches took 3 LPs).
fn side_rule_batch(seed: u64) -> placematch::pair::instance::Instance {
    generated(&GenOptions {
        children: 40,
        homes: 400,
        seed,
        siblings: true,
        conflicts: true,
        solo: true,
        block_beds: true,
        admission_limits: true,
        ..GenOptions::default()
    })
}

/// Each placement's alternatives as (home, lower, upper, exact), and whether ranked certain.
type Lists = Vec<(String, Vec<(String, f64, f64, bool)>, bool)>;

fn lists(r: &MatchResult) -> Lists {
    r.placements
        .iter()
        .map(|p| {
            let alts = p
                .alternatives
                .iter()
                .map(|a| (a.home.clone(), a.regret_lower.unwrap(), a.regret, a.regret_exact))
                .collect();
            (p.child.clone(), alts, p.rank_certain)
        })
        .collect()
}

/// Every interval of `found` holds the exact regret `truth` lists for that home (where truth
/// lists it), an exact one equals it, and a list ranked certain lists truth's homes in
/// truth's order.
fn agrees(found: &Lists, truth: &Lists) -> Result<(), String> {
    for ((child, alts, certain), (_, exact, _)) in found.iter().zip(truth) {
        for (home, lo, up, is_exact) in alts {
            if let Some((_, t, _, _)) = exact.iter().find(|e| &e.0 == home) {
                if !(lo - 0.01 <= *t && *t <= up + 0.01) {
                    return Err(format!("{child} at {home}: [{lo}, {up}] misses {t}"));
                }
                if *is_exact && (up - t).abs() > 0.01 {
                    return Err(format!("{child} at {home}: exact {up}, truly {t}"));
                }
            }
        }
        if *certain {
            // The order is proven: the same homes as the exact list, in its order.
            let ours: Vec<&String> = alts.iter().map(|a| &a.0).collect();
            let theirs: Vec<&String> = exact.iter().map(|a| &a.0).collect();
            if ours != theirs {
                return Err(format!("{child}: certain {alts:?}, truly {exact:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn branched_regrets_match_forced_mips_on_a_fractional_batch() {
    let inst = side_rule_batch(4);
    // The truth: no budget, every regret by HiGHS's forced MIPs.
    let truth = lists(&solve_checked_with(&inst, 3, &SolveOptions::default()));
    assert!(truth
        .iter()
        .all(|(_, alts, certain)| *certain && alts.iter().all(|a| a.3)));
    for (lps, mips) in [
        (1, false),
        (2, false),
        (3, false),
        (DEFAULT_BRANCH_LPS, false),
        (DEFAULT_BRANCH_LPS, true),
    ] {
        // Without cover cuts, which make this batch's LP integral: the search must branch.
        let opts = SolveOptions {
            explain_time: Some(600.0),
            branch_lps: lps,
            forced_mips: mips,
            cover_cuts: false,
            ..SolveOptions::default()
        };
        let r = solve_checked_with(&inst, 3, &opts);
        let found = lists(&r);
        if let Err(e) = agrees(&found, &truth) {
            panic!("{lps} LPs, forced MIPs {mips}: {e}");
        }
        if mips {
            // A budget that lasts: the same answer as without one.
            for ((child, ours, certain), (_, theirs, _)) in found.iter().zip(&truth) {
                assert!(*certain, "{child}: not certain under a lasting budget");
                assert!(ours.iter().all(|a| a.3), "{child}: inexact under a lasting budget");
                let homes = |l: &[(String, f64, f64, bool)]| l.iter().map(|a| a.0.clone()).collect::<Vec<_>>();
                assert_eq!(homes(ours), homes(theirs), "{child}: other homes than forced MIPs list");
            }
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Through HiGHS with every side rule, under a budget, regrets from forced LPs and the
    /// branch-and-bound over them alone (no forced MIP after), the search stopped after `lps`
    /// LPs per pair: every interval (an answer found above, the least open or pruned node
    /// below) holds the true regret, an exact one equals it, and a certain order is the true
    /// order.
    #[test]
    fn branched_forced_intervals_hold_the_true_regret(seed in any::<u64>(), lps in 0usize..6, budgets: bool, cuts: bool) {
        let inst = load(&if budgets { budget_tiny_batch(seed) } else { tiny_batch(seed) });
        let opts = SolveOptions {
            explain_time: Some(600.0),
            small_units: 0,
            branch_lps: lps,
            forced_mips: false,
            cover_cuts: cuts,
            ..SolveOptions::default()
        };
        let r = solve_checked_with(&inst, 3, &opts);
        let held = intervals_hold(&inst, &r);
        prop_assert!(held.is_ok(), "{}", held.unwrap_err());
    }

    /// A budget that lasts, the search followed by forced MIPs: every regret exact and every
    /// order certain, as without a budget.
    #[test]
    fn a_budget_that_lasts_leaves_every_regret_exact(seed in any::<u64>(), lps in 0usize..4) {
        let inst = load(&tiny_batch(seed));
        let opts = SolveOptions {
            explain_time: Some(600.0),
            small_units: 0,
            branch_lps: lps,
            ..SolveOptions::default()
        };
        let r = solve_checked_with(&inst, 3, &opts);
        let held = intervals_hold(&inst, &r);
        prop_assert!(held.is_ok(), "{}", held.unwrap_err());
        for p in &r.placements {
            prop_assert!(p.rank_certain, "{}: rank not certain", p.child);
            for a in &p.alternatives {
                prop_assert!(a.regret_exact, "{}: {:?}", p.child, (a.regret_lower, a.regret));
            }
        }
    }
}
