//! A placed child's entry: its cost terms and distance, and each alternative with its regret,
//! the terms that differ and the part of the regret the rest of the batch bears.

use crate::matching::assemble::{round2, Shown};
use crate::matching::model::Formulation;
use crate::pair::cost::Terms;
use crate::pair::instance::Instance;
use crate::result::format::Alternative;

use super::sentences::{why_alternative, RegretShare};

/// Child `c`, placed by candidate `k` of its unit, with the alternatives `list` found for
/// it as (home, regret, exact); `stopped` says what stopped the search, for inexact ones.
pub(super) fn placed(
    inst: &Instance,
    f: &Formulation,
    c: usize,
    k: usize,
    list: &[(usize, f64, bool)],
    stopped: &'static str,
) -> Shown {
    let u = f.unit_of[c];
    let member_ix = f.units[u].members.iter().position(|&m| m == c).unwrap();
    let cand = &f.cands[k];
    let (chosen_terms, chosen_km) = f.member_terms(inst, k, member_ix);
    let alternatives = list
        .iter()
        .map(|&(alt_home, regret, exact)| {
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
                    exact,
                    knock_on,
                    stopped,
                },
            );
            Alternative {
                home: inst.batch.homes[alt_home].id.clone(),
                regret: round2(regret),
                regret_exact: exact,
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
    }
}
