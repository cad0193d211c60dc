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
///
/// A result of `solve --forecast` records the bed values its objective includes; they are
/// taken from the record (the checker cannot re-derive a forecast), checked to name homes of
/// the batch and be finite and ≥ 0, and every cost is then recomputed with them, and the
/// objective without them against the record's `objective_without_values`.
pub fn check(inst: &Instance, r: &MatchResult) -> Vec<String> {
    check_since(inst, r, None)
}

/// [`check`], and with the earlier result a `solve --since` compared with, its `changes`
/// against that file too: each `from_home` is where the earlier result placed the child, and
/// every child placed differently has a change.
pub fn check_since(inst: &Instance, r: &MatchResult, earlier: Option<&MatchResult>) -> Vec<String> {
    let mut p = Vec::new();
    let valued;
    let inst = match (&r.forecast, inst.bed_values.is_empty()) {
        (None, true) => inst,
        (record, _) => {
            let mut plain = inst.clone();
            plain.bed_values = Default::default();
            if let Some(f) = record {
                let spec = evaluate_assignment(&plain, &assignment_of(&plain, r)).objective;
                if !close(f.objective_without_values, spec) {
                    p.push(format!(
                        "forecast: objective_without_values {} but the placements score {spec}",
                        f.objective_without_values
                    ));
                }
                let home_ix = plain.home_index();
                let mut per_home = vec![0.0; plain.batch.homes.len()];
                for b in &f.bed_values {
                    match home_ix.get(b.home.as_str()) {
                        Some(&h) if b.value.is_finite() && b.value >= 0.0 => per_home[h] = b.value,
                        Some(_) => p.push(format!(
                            "forecast: bed value {} of {} is not finite and ≥ 0",
                            b.value, b.home
                        )),
                        None => p.push(format!("forecast: bed value for {}, not a home of the batch", b.home)),
                    }
                }
                let holdable = crate::pair::cost::BedValueTable::holdable_children(&plain, f.hold_days);
                plain.bed_values = crate::pair::cost::BedValueTable::new(per_home, holdable);
            }
            valued = plain;
            &valued
        }
    };
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
    header::verify(&g, &mut p);
    placements::verify(&g, &mut p);
    p.extend(g.eval.violations.iter().cloned());
    alternatives::verify(&g, &mut p);
    unplaced::verify(&g, &mut p);
    summary::verify(&g, &mut p);
    changes::verify(&g, &mut p);
    p
}
