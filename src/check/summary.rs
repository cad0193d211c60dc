//! The summary: every headline figure recomputed from the placements.

use super::{close, Ground};

/// Checks the summary against the placements scored from scratch.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let s = &g.r.summary;
    let w = &g.eval.summary;
    if s.placed != w.placed
        || s.unplaced != w.unplaced
        || s.block_beds_used != w.block_beds_used
        || s.total_unmet_need != w.total_unmet_need
    {
        p.push("summary counts do not match the placements".to_string());
    }
    for (name, a, b) in [
        ("weekly_spend", s.weekly_spend, w.weekly_spend),
        ("net_weekly_spend", s.net_weekly_spend, w.net_weekly_spend),
        ("mean_km", s.mean_km, w.mean_km),
        ("max_km", s.max_km, w.max_km),
        ("share_within_32km", s.share_within_32km, w.share_within_32km),
        ("share_in_area", s.share_in_area, w.share_in_area),
        (
            "share_good_or_outstanding",
            s.share_good_or_outstanding,
            w.share_good_or_outstanding,
        ),
    ] {
        if !close(a, b) {
            p.push(format!("summary {name} is {a} but recomputes to {b}"));
        }
    }
}
