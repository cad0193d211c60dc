//! The branch-and-bound over forced LPs (`src/matching/solver/branch.rs`) against HiGHS's
//! forced MIPs, on generated side-rule batches whose LP is fractional, so that the search
//! really branches (tiny brute-force batches rarely make it: see `properties.rs` for those).

use placematch::compare::generate::{generate, GenOptions};
use placematch::matching::solver::{SolveOptions, DEFAULT_BRANCH_LPS};
use placematch::result::format::MatchResult;

use crate::harness::{load, solve_checked_with};

/// Siblings, conflicts, solo children, block beds and admission limits at 40 × 400. Seed 4
/// has a fractional LP whose forced LPs branch (92 of 215 searches took 3 LPs).
fn side_rule_batch(seed: u64) -> placematch::pair::instance::Instance {
    let batch = generate(&GenOptions {
        children: 40,
        homes: 400,
        seed,
        siblings: true,
        conflicts: true,
        solo: true,
        block_beds: true,
        admission_limits: true,
        ..GenOptions::default()
    });
    load(&serde_json::to_value(&batch).unwrap())
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
        let opts = SolveOptions {
            explain_time: Some(600.0),
            branch_lps: lps,
            forced_mips: mips,
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
