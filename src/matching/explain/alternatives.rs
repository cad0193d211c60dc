//! A placed child's entry: its cost terms and distance, and each alternative with its regret,
//! the terms that differ and the part of the regret the rest of the batch bears.

use crate::matching::assemble::{round2, Shown};
use crate::matching::model::Formulation;
use crate::matching::solver::Ranked;
use crate::pair::cost::Terms;
use crate::pair::instance::Instance;
use crate::result::format::Alternative;

use super::sentences::{why_alternative, RegretShare};

/// Child `c`, placed by candidate `k` of its unit, with the alternatives `ranked` found for
/// it; `stopped` says what stopped the search, for inexact ones.
pub(super) fn placed(
    inst: &Instance,
    f: &Formulation,
    c: usize,
    k: usize,
    ranked: &Ranked,
    stopped: &'static str,
) -> Shown {
    let u = f.unit_of[c];
    let member_ix = f.units[u].members.iter().position(|&m| m == c).unwrap();
    let cand = &f.cands[k];
    let (chosen_terms, chosen_km) = f.member_terms(inst, k, member_ix);
    let alternatives = ranked
        .list
        .iter()
        .map(|a| {
            let (alt_home, regret, exact) = (a.home, a.upper, a.exact());
            // The lower bound rounded down and the upper to the penny: the interval shown
            // still holds the regret (exact ones show one figure).
            let lower = if exact {
                round2(regret)
            } else {
                ((a.lower * 100.0).floor() / 100.0 + 0.0).min(round2(regret))
            };
            let (t, alt_km) = f.member_terms_at(inst, u, alt_home, member_ix);
            let difference = Terms::from_values(t.minus(&chosen_terms).values().map(round2));
            let alt_cost = f.unit_cost_at(inst, u, alt_home).expect("an eligible alternative");
            let own: f64 = alt_cost - cand.cost;
            let knock_on = round2(regret - own);
            let why = why_alternative(
                inst,
                c,
                alt_home,
                &difference,
                alt_km - chosen_km,
                RegretShare {
                    regret: round2(regret),
                    lower,
                    exact,
                    knock_on,
                    stopped,
                },
            );
            Alternative {
                home: inst.batch.homes[alt_home].id.clone(),
                regret: round2(regret),
                regret_exact: exact,
                regret_lower: Some(lower),
                regret_upper: Some(round2(regret)),
                cost: t.into(),
                distance_km: alt_km,
                difference,
                knock_on,
                why,
            }
        })
        .collect();
    Shown {
        cost: chosen_terms.into(),
        distance_km: chosen_km,
        alternatives,
        rank_certain: ranked.certain,
    }
}
