//! The header: the format, the batch it came from, the objective, the bound, the gap and the
//! status that sums them up.

use super::{close, Ground};
use crate::result::format::{Status, RESULT_FORMAT};

/// Checks the fields that describe the whole result.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let (inst, r) = (g.inst, g.r);
    if r.format != RESULT_FORMAT {
        p.push(format!("format is {:?}, expected {RESULT_FORMAT}", r.format));
    }
    if r.batch_id != inst.batch.batch_id {
        let shown = |id: &Option<String>| id.as_deref().map_or("none".to_string(), |i| format!("\"{i}\""));
        p.push(format!(
            "batch_id {} does not match the batch's {}",
            shown(&r.batch_id),
            shown(&inst.batch.batch_id)
        ));
    }
    if !close(r.objective, g.eval.objective) {
        p.push(format!(
            "objective {} but the placements score {}",
            r.objective, g.eval.objective
        ));
    }
    if r.bound > r.objective + 1e-6 * r.objective.abs().max(1.0) {
        p.push(format!("bound {} is above the objective {}", r.bound, r.objective));
    }
    // The gap is a function of the two (result::format::bound_and_gap); optimal means none.
    match r.status {
        Status::Optimal => {
            if !close(r.bound, r.objective) {
                p.push("status optimal but bound and objective differ".to_string());
            }
            if r.gap != 0.0 {
                p.push(format!("status optimal but gap is {}", r.gap));
            }
        }
        Status::Feasible => {
            let want = (r.objective - r.bound) / r.objective.abs().max(1.0);
            if !close(r.gap, want) {
                p.push(format!(
                    "gap {} but objective {} and bound {} give {want}",
                    r.gap, r.objective, r.bound
                ));
            }
        }
    }
}
