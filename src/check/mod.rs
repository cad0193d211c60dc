//! The independent checker: re-derives a result from its batch without the solver.
//!
//! [`evaluate_assignment`] scores any child → home assignment against every rule of
//! SPEC §4–§6 directly (no columns, units or components), so it can judge the model,
//! the brute-force reference and any other matching rule alike. [`check`] holds a result to
//! it, one family of claims per file: the header (format, objective, bound, gap, status),
//! the placements, their alternatives, the unplaced children, the summary and the changes
//! since an earlier result. Every field a
//! person reads is recomputed or tied to one that is; what only the solver could know (an
//! exact regret's value, the bound) is held to what can be shown without it: an exact regret
//! is tied to its `knock_on` and the cost change of its move, an inexact one must not exceed
//! the move it describes, and a bound must not exceed the objective.

mod alternatives;
mod changes;
mod evaluate;
mod header;
mod placements;
mod summary;
mod unplaced;

use std::collections::{BTreeMap, HashMap};

pub use evaluate::{
    assignment_of, evaluate_assignment, kept_group_sizes, move_change, moved_alone, Evaluation, MoveIndex,
};

use crate::pair::instance::Instance;
use crate::result::format::MatchResult;

/// Equal within 1e-6 relative (1e-6 absolute near zero).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Equal to the cent, as the result rounds regrets and differences (round2).
fn close_cents(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.011 + 1e-9 * a.abs().max(b.abs())
}

/// What every family of checks reads: the batch, the result, and the result's assignment
/// scored from scratch.
struct Ground<'a> {
    inst: &'a Instance,
    r: &'a MatchResult,
    child_ix: HashMap<&'a str, usize>,
    home_ix: HashMap<&'a str, usize>,
    assign: Vec<Option<usize>>,
    eval: Evaluation,
    /// Per child, the size of its kept-together group (1 if none).
    group_size: Vec<usize>,
    /// Kept-together groups by sibling group id.
    groups: BTreeMap<String, Vec<usize>>,
    /// The earlier result a `--since` result was compared with, when given.
    earlier: Option<&'a MatchResult>,
}

impl Ground<'_> {
    /// The children who move with `c`: its kept-together group, or itself.
    fn group_of<'a>(&'a self, c: &'a usize) -> &'a [usize] {
        evaluate::group_of(self.inst, &self.groups, c)
    }
}

/// Re-verifies a result against its batch. Returns every problem found (empty = valid).
pub fn check(inst: &Instance, r: &MatchResult) -> Vec<String> {
    check_since(inst, r, None)
}

/// [`check`], and with the earlier result a `solve --since` compared with, its `changes`
/// against that file too: each `from_home` is where the earlier result placed the child, and
/// every child placed differently has a change.
pub fn check_since(inst: &Instance, r: &MatchResult, earlier: Option<&MatchResult>) -> Vec<String> {
    let (child_ix, home_ix) = (inst.child_index(), inst.home_index());
    let assign = assignment_of(inst, r);
    let eval = evaluate_assignment(inst, &assign);
    let (group_size, groups) = kept_group_sizes(inst);
    let g = Ground {
        inst,
        r,
        child_ix,
        home_ix,
        assign,
        eval,
        group_size,
        groups,
        earlier,
    };
    let mut p = Vec::new();
    header::verify(&g, &mut p);
    placements::verify(&g, &mut p);
    p.extend(g.eval.violations.iter().cloned());
    alternatives::verify(&g, &mut p);
    unplaced::verify(&g, &mut p);
    summary::verify(&g, &mut p);
    changes::verify(&g, &mut p);
    p
}
