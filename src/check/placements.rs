//! The placements: every child exactly once (placed or unplaced), each placement's home,
//! provider, urgency, cost terms, distance, block bed, discount and kept-together group as the
//! batch gives them.

use super::{close, Ground};
use crate::pair::cost::TERM_NAMES;

/// Checks who is where and what each placement says about itself.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let (inst, r, e) = (g.inst, g.r, &g.eval);
    let ch = &inst.batch.children;
    let mut seen = vec![0usize; ch.len()];
    for pl in &r.placements {
        let (Some(&c), Some(&h)) = (g.child_ix.get(pl.child.as_str()), g.home_ix.get(pl.home.as_str())) else {
            p.push(format!(
                "placement {} → {} names an unknown child or home",
                pl.child, pl.home
            ));
            continue;
        };
        seen[c] += 1;
        if pl.provider != inst.batch.homes[h].provider {
            p.push(format!(
                "placement of {}: provider {} but the home's is {}",
                pl.child, pl.provider, inst.batch.homes[h].provider
            ));
        }
        if pl.urgency != ch[c].urgency {
            p.push(format!(
                "placement of {}: urgency {:?} but the batch says {:?}",
                pl.child, pl.urgency, ch[c].urgency
            ));
        }
        let Some(t) = e.terms[c] else { continue };
        let (got, want) = (pl.cost.terms.values(), t.values());
        for (i, name) in TERM_NAMES.iter().enumerate() {
            if !close(got[i], want[i]) {
                p.push(format!(
                    "placement of {}: cost term {name} is {} but recomputes to {}",
                    pl.child, got[i], want[i]
                ));
            }
        }
        if !close(pl.cost.total, t.total()) {
            p.push(format!(
                "placement of {}: total {} but terms sum to {}",
                pl.child,
                pl.cost.total,
                t.total()
            ));
        }
        if !close(pl.distance_km, e.km[c].unwrap_or(f64::NAN)) {
            p.push(format!(
                "placement of {}: distance {} km but recomputes to {:?}",
                pl.child, pl.distance_km, e.km[c]
            ));
        }
        if pl.block_bed != e.block_bed[c] || !close(pl.discount, e.discount[c]) {
            p.push(format!(
                "placement of {}: block bed / discount do not match the batch",
                pl.child
            ));
        }
        // The kept-together siblings who moved in with this child, in batch order.
        let group: Vec<&str> = g
            .group_of(c)
            .into_iter()
            .filter(|&m| m != c)
            .map(|m| ch[m].id.as_str())
            .collect();
        if pl.placed_with != group {
            p.push(format!(
                "placement of {}: placed_with {:?} but its kept-together siblings are {:?}",
                pl.child, pl.placed_with, group
            ));
        }
    }
    for u in &r.unplaced {
        match g.child_ix.get(u.child.as_str()) {
            Some(&c) => seen[c] += 1,
            None => p.push(format!("unplaced child {} is not in the batch", u.child)),
        }
    }
    for (c, n) in seen.iter().enumerate() {
        if *n != 1 {
            p.push(format!(
                "child {} appears {} times (placed + unplaced), expected once",
                ch[c].id, n
            ));
        }
    }
}
