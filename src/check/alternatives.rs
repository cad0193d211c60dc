//! The alternatives listed under each placement: each is an eligible other home whose cost
//! terms, distance and difference from the chosen home recompute, and whose regret is tied to
//! what can be shown without a solver: `regret = own + knock_on`, where `own` is the change in
//! the moving children's own costs (the kept-together group moves as one), and an inexact regret
//! (an upper bound) is no more than moving the children there alone costs, where that is allowed.
//! Its proven interval holds it (`regret_lower ≤ regret = regret_upper`, equal when exact), and
//! the list is in order of regret, without overlaps where the order is claimed certain.

use super::{close, close_cents, Ground};

/// To the penny, as a whole number of pence (for ordering).
fn round_cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}
use crate::pair::cost::{terms, TERM_NAMES};
use crate::pair::eligibility::{evaluate, pair_km};

/// Checks every alternative of every placement.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let inst = g.inst;
    // Alternatives with an inexact regret: (child, home, regret, home id).
    let mut moved: Vec<(usize, usize, f64, &str)> = Vec::new();
    for pl in &g.r.placements {
        let (Some(&c), Some(&h)) = (g.child_ix.get(pl.child.as_str()), g.home_ix.get(pl.home.as_str())) else {
            continue;
        };
        let Some(chosen) = g.eval.terms[c] else { continue };
        for alt in &pl.alternatives {
            let Some(&ah) = g.home_ix.get(alt.home.as_str()) else {
                p.push(format!(
                    "alternative {} for {} is not a home of the batch",
                    alt.home, pl.child
                ));
                continue;
            };
            let km = pair_km(inst, c, ah);
            if !evaluate(inst, c, ah, g.group_size[c], km).is_empty() || ah == h {
                p.push(format!(
                    "alternative {} for {} is not an eligible other home",
                    alt.home, pl.child
                ));
                continue;
            }
            let at = terms(inst, c, ah, km);
            let (got, want) = (alt.cost.terms.values(), at.values());
            let (diff, chosen_v) = (alt.difference.values(), chosen.values());
            for (i, name) in TERM_NAMES.iter().enumerate() {
                if !close(got[i], want[i]) {
                    p.push(format!(
                        "alternative {} for {}: cost term {name} is {} but recomputes to {}",
                        alt.home, pl.child, got[i], want[i]
                    ));
                }
                if !close_cents(diff[i], want[i] - chosen_v[i]) {
                    p.push(format!(
                        "alternative {} for {}: difference in {name} is {} but the terms differ by {}",
                        alt.home,
                        pl.child,
                        diff[i],
                        want[i] - chosen_v[i]
                    ));
                }
            }
            if !close(alt.cost.total, at.total()) {
                p.push(format!(
                    "alternative {} for {}: cost {} but its terms sum to {}",
                    alt.home,
                    pl.child,
                    alt.cost.total,
                    at.total()
                ));
            }
            if !close(alt.distance_km, km) {
                p.push(format!(
                    "alternative {} for {}: distance {} km but recomputes to {km}",
                    alt.home, pl.child, alt.distance_km
                ));
            }
            if !alt.regret.is_finite() || (alt.regret_exact && alt.regret < -0.011) {
                p.push(format!(
                    "alternative {} for {}: regret {} cannot be right (an exact regret is never negative)",
                    alt.home, pl.child, alt.regret
                ));
            }
            // The interval: `regret` is its upper end, the lower end is no higher, and an exact
            // regret is both.
            if let Some(upper) = alt.regret_upper {
                if !close_cents(upper, alt.regret) {
                    p.push(format!(
                        "alternative {} for {}: regret_upper {upper} differs from regret {}",
                        alt.home, pl.child, alt.regret
                    ));
                }
            }
            if let Some(lower) = alt.regret_lower {
                if !lower.is_finite() || lower > alt.regret + 0.01 {
                    p.push(format!(
                        "alternative {} for {}: regret_lower {lower} is above its regret {}",
                        alt.home, pl.child, alt.regret
                    ));
                } else if alt.regret_exact && !close_cents(lower, alt.regret) {
                    p.push(format!(
                        "alternative {} for {}: an exact regret {} with a lower bound {lower} below it",
                        alt.home, pl.child, alt.regret
                    ));
                }
            }
            // The moving children's own cost change: the rest is borne by others (knock_on).
            let own: f64 = g
                .group_of(&c)
                .iter()
                .map(|&m| {
                    let here = g.eval.terms[m].map_or(0.0, |t| t.total());
                    // A forecast's bed values are part of each home's cost (0 without one).
                    let values = inst.bed_values.at(ah) - g.assign[m].map_or(0.0, |h| inst.bed_values.at(h));
                    terms(inst, m, ah, pair_km(inst, m, ah)).total() - here + values
                })
                .sum();
            if !close_cents(alt.regret, own + alt.knock_on) {
                p.push(format!(
                    "alternative {} for {}: regret {} but its own cost change {own:.2} and knock-on {} sum to {:.2}",
                    alt.home,
                    pl.child,
                    alt.regret,
                    alt.knock_on,
                    own + alt.knock_on
                ));
            }
            if !alt.regret_exact {
                moved.push((c, ah, alt.regret, alt.home.as_str()));
            }
        }
        // Listed best first (by regret, then lower bound, then home); an order claimed certain
        // has no two intervals overlapping.
        let lower = |a: &crate::result::format::Alternative| a.regret_lower.unwrap_or(a.regret);
        for w in pl.alternatives.windows(2) {
            if round_cents(w[0].regret) > round_cents(w[1].regret) {
                p.push(format!(
                    "alternatives {} and {} for {} are out of order",
                    w[0].home, w[1].home, pl.child
                ));
            } else if pl.rank_certain && w[0].regret > lower(&w[1]) + 0.01 {
                p.push(format!(
                    "alternatives {} and {} for {}: their order is claimed certain but regret {} may be above {}",
                    w[0].home,
                    w[1].home,
                    pl.child,
                    w[0].regret,
                    lower(&w[1])
                ));
            }
        }
    }
    // A regret marked inexact is an upper bound: where moving the child (and its kept-together
    // siblings) there alone is feasible, that move's objective change bounds it.
    if !moved.is_empty() {
        let index = super::MoveIndex::new(inst, &g.assign);
        for (c, ah, regret, home) in moved {
            let (change, feasible) = super::move_change(inst, &g.assign, c, ah, &index);
            if feasible && regret > change + 0.01 + 1e-9 * regret.abs() {
                p.push(format!(
                    "alternative {home} for {}: regret {regret} is marked an upper bound, but moving the child there alone changes the objective by only {change}",
                    inst.batch.children[c].id,
                ));
            }
        }
    }
}
