//! Cover cuts on capacity and admission rows (`src/matching/solver/cuts.rs`): on a batch whose
//! LP puts half a sibling pair in a last bed, the cuts make the LP integral at the optimum (no
//! MIP), and the answer and every regret are what the model without them proves.

use placematch::compare::generate::GenOptions;
use placematch::matching::solver::SolveOptions;
use placematch::result::format::MatchResult;

use crate::harness::{generated, solve_checked_with};

/// Siblings, conflicts, block beds and admission limits at 60 × 600, seed 2: without cuts
/// its LP is fractional and the optimum needs HiGHS's MIP.
fn sibling_batch() -> placematch::pair::instance::Instance {
    generated(&GenOptions {
        children: 60,
        homes: 600,
        seed: 2,
        siblings: true,
        conflicts: true,
        block_beds: true,
        admission_limits: true,
        ..GenOptions::default()
    })
}

/// A placement: child, home, and its alternatives as (home, regret, exact).
type Listed = (String, String, Vec<(String, f64, bool)>);

/// Each placement's home and alternatives.
fn lists(r: &MatchResult) -> Vec<Listed> {
    r.placements
        .iter()
        .map(|p| {
            let alts = p
                .alternatives
                .iter()
                .map(|a| (a.home.clone(), a.regret, a.regret_exact))
                .collect();
            (p.child.clone(), p.home.clone(), alts)
        })
        .collect()
}

#[test]
fn cover_cuts_make_the_lp_integral_with_the_same_optimum_and_regrets() {
    let inst = sibling_batch();
    let with = solve_checked_with(&inst, 3, &SolveOptions::default());
    let without = solve_checked_with(
        &inst,
        3,
        &SolveOptions {
            cover_cuts: false,
            ..SolveOptions::default()
        },
    );
    assert_eq!(
        without.model.mip_solves, 1,
        "the batch no longer needs the MIP without cuts"
    );
    assert_eq!(with.model.mip_solves, 0, "the cuts left the LP fractional");
    assert_eq!(with.status, without.status);
    assert!((with.objective - without.objective).abs() < 1e-6);
    // No explaining budget: every regret exact both ways, so the lists are the same numbers
    // (homes of equal regret may list in either order only if their regrets tie).
    let (a, b) = (lists(&with), lists(&without));
    assert_eq!(a.len(), b.len());
    for ((child, home, ours), (_, their_home, theirs)) in a.iter().zip(&b) {
        assert_eq!(home, their_home, "{child} placed elsewhere");
        assert!(ours.iter().chain(theirs).all(|x| x.2), "{child}: an inexact regret");
        let regrets = |l: &[(String, f64, bool)]| l.iter().map(|x| (x.1 * 100.0).round() as i64).collect::<Vec<_>>();
        assert_eq!(regrets(ours), regrets(theirs), "{child}: {ours:?} against {theirs:?}");
    }
}
