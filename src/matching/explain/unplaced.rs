//! An unplaced child's entry: the homes each rule excludes, what relaxing one rule would open,
//! and the competition for its cheapest eligible homes.

use std::collections::BTreeMap;

use crate::input::batch::Ofsted;
use crate::matching::assemble::round2;
use crate::matching::model::{reasons_for, Formulation};
use crate::pair::eligibility::{evaluate, max_distance, min_rating, pair_km, Reason, Reasons};
use crate::pair::instance::Instance;
use crate::result::format::{Competition, Exclusion, Relaxation, Unplaced};

use crate::support::money::{pounds, score};

/// Builds the diagnosis of an unplaced child.
pub(crate) fn diagnose(
    inst: &Instance,
    f: &Formulation,
    c: usize,
    assign: &[Option<usize>],
    comp: &[(usize, Option<(f64, bool)>)],
    stopped: &str,
) -> Unplaced {
    let child = &inst.batch.children[c];
    let u = f.unit_of[c];
    let homes = &inst.batch.homes;
    let rs = reasons_for(inst, f, c);
    let mut by_reason: BTreeMap<Reason, Vec<(f64, usize)>> = BTreeMap::new();
    let mut single: BTreeMap<Reason, Vec<(f64, usize)>> = BTreeMap::new();
    let mut eligible = 0;
    for &(h, r, km) in &rs {
        if r.is_empty() {
            eligible += 1;
        }
        for reason in r.iter() {
            by_reason.entry(reason).or_default().push((km, h));
        }
        // A provider's answer is not a rule to relax.
        if let (1, Some(one)) = (r.count(), r.iter().next().filter(|x| x.is_rule())) {
            single.entry(one).or_default().push((km, h));
        }
    }
    let ids = |v: &mut Vec<(f64, usize)>| -> Vec<String> {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.iter().take(3).map(|&(_, h)| homes[h].id.clone()).collect()
    };
    let excluded = by_reason
        .iter_mut()
        .map(|(r, v)| Exclusion {
            reason: r.code().to_string(),
            homes: v.len(),
            examples: ids(v),
        })
        .collect();
    let relaxations: Vec<Relaxation> = single
        .iter_mut()
        .map(|(r, v)| {
            let ex = ids(v);
            relaxation(inst, c, *r, v, ex)
        })
        .collect();
    let competition: Vec<Competition> = comp
        .iter()
        .map(|&(h, regret)| competition_entry(inst, c, h, regret, assign, stopped))
        .collect();
    let blocked = f.units[u].blocked;
    let why = if let Some(b) = blocked {
        match b {
            crate::pair::eligibility::UnitBlock::SiblingsConflict => format!("{} cannot be placed: its sibling group must live together but its members' risks conflict.", child.id),
            crate::pair::eligibility::UnitBlock::SiblingNeedsSolo => format!("{} cannot be placed: its sibling group must live together but includes a child who needs a solo placement.", child.id),
        }
    } else if eligible == 0 {
        let top = by_reason
            .iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
            .map(|(r, v)| format!("{} ({} homes)", r.code(), v.len()));
        let relax = relaxations
            .iter()
            .max_by(|a, b| a.homes.cmp(&b.homes).then(b.rule.cmp(&a.rule)))
            .map(|r| format!("; {}", r.detail))
            .unwrap_or_default();
        format!(
            "No home meets every rule for {}; the commonest obstacle is {}{}.",
            child.id,
            top.unwrap_or_else(|| "that there are no homes".into()),
            relax
        )
    } else if let Some(why) = group_misfit(inst, f, c, &rs) {
        why
    } else {
        format!("{} eligible home(s) exist for {} but all went to other children or are blocked by a batch-wide rule; placing {} would have cost the batch more.", eligible, child.id, child.id)
    };
    // Refusals are named: the broker asked these providers and they said no.
    let refusals = crate::pair::answers::refusals(inst, c);
    let why = if refusals.is_empty() {
        why
    } else {
        let mut s = refusals.join("; ");
        s[..1].make_ascii_uppercase();
        format!("{why} {s}.")
    };
    Unplaced {
        child: child.id.clone(),
        urgency: child.urgency,
        unplaced_cost: crate::pair::cost::unplaced_cost(inst, c),
        blocked,
        eligible_homes: eligible,
        excluded,
        relaxations,
        competition,
        why,
    }
}

/// For a child kept together with siblings: when none of its eligible homes is eligible for
/// every sibling too, the group has nowhere to go (and so no competition): says which sibling
/// rules out each of the first such homes, and why.
fn group_misfit(inst: &Instance, f: &Formulation, c: usize, rs: &[(usize, Reasons, f64)]) -> Option<String> {
    let unit = &f.units[f.unit_of[c]];
    if unit.members.len() < 2 {
        return None;
    }
    let size = unit.members.len();
    let mut examples = Vec::new();
    for &(h, _, _) in rs.iter().filter(|r| r.1.is_empty()) {
        let misfit = unit.members.iter().filter(|&&m| m != c).find_map(|&m| {
            let r = evaluate(inst, m, h, size, pair_km(inst, m, h));
            r.iter().next().map(|reason| (m, reason))
        });
        match misfit {
            // One home suits the whole group: the group lost it to others or to a batch rule.
            None => return None,
            Some((m, reason)) => examples.push(format!(
                "{} is ruled out for {} ({})",
                inst.batch.homes[h].id,
                inst.batch.children[m].id,
                reason.code()
            )),
        }
    }
    let n = examples.len();
    examples.truncate(3);
    Some(format!(
        "{} has {n} eligible home(s), but none suits its whole sibling group {} ({size} children): {}.",
        inst.batch.children[c].id,
        inst.batch.children[c].sibling_group.as_deref().unwrap_or("?"),
        examples.join("; ")
    ))
}

fn relaxation(inst: &Instance, c: usize, r: Reason, homes: &mut [(f64, usize)], examples: Vec<String>) -> Relaxation {
    let child = &inst.batch.children[c];
    let n = homes.len();
    let hs = &inst.batch.homes;
    let (limit, needed, detail) = match r {
        // `needed` is the least change that opens a home (the nearest, the cheapest): what a
        // broker can ask a manager for. The detail adds what would open them all.
        Reason::TooFar => {
            let lim = max_distance(inst, c).unwrap_or(0.0);
            let (first, h0) = homes
                .iter()
                .copied()
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .unwrap_or((0.0, 0));
            let need = first.ceil();
            let all = homes.iter().map(|h| h.0).fold(0.0, f64::max).ceil();
            let within = homes.iter().filter(|h| h.0 <= need).count();
            (
                Some(lim.into()),
                Some(need.into()),
                format!(
                    "relaxing the {lim:.0} km limit to {need:.0} km would open {within} home(s), nearest {} ({} in all within {all:.0} km)",
                    hs[h0].id, n
                ),
            )
        }
        Reason::TooClose => {
            let lim = child.min_distance_km.unwrap_or(0.0);
            let (first, h0) = homes
                .iter()
                .copied()
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
                .unwrap_or((0.0, 0));
            let need = first.floor();
            let all = homes.iter().map(|h| h.0).fold(f64::INFINITY, f64::min).floor();
            let opened = homes.iter().filter(|h| h.0 >= need).count();
            (
                Some(lim.into()),
                Some(need.into()),
                format!(
                    "lowering the {lim:.0} km minimum distance to {need:.0} km would open {opened} home(s), first {} ({n} in all at {all:.0} km)",
                    hs[h0].id
                ),
            )
        }
        Reason::OverBudget => {
            let lim = child.budget_cap.unwrap_or(0.0);
            let price = |h: &(f64, usize)| hs[h.1].weekly_price;
            let h0 = homes
                .iter()
                .min_by(|a, b| price(a).total_cmp(&price(b)).then(a.1.cmp(&b.1)))
                .map_or(0, |h| h.1);
            let need = hs[h0].weekly_price;
            let all = homes.iter().map(price).fold(0.0, f64::max);
            let opened = homes.iter().filter(|h| price(h) <= need).count();
            (
                Some(lim.into()),
                Some(need.into()),
                format!(
                    "raising the budget cap of {} a week to {} would open {opened} home(s), cheapest {} ({n} in all at {})",
                    pounds(lim.abs()),
                    pounds(need.abs()),
                    hs[h0].id,
                    pounds(all.abs())
                ),
            )
        }
        Reason::OfstedBelowMinimum => {
            let lim = min_rating(inst, c);
            let need = homes
                .iter()
                .map(|h| inst.homes[h.1].rating)
                .max()
                .unwrap_or(Ofsted::Inadequate);
            (
                Some(lim.name().into()),
                Some(need.name().into()),
                format!("{n} home(s) if homes rated {} were accepted", need.label()),
            )
        }
        Reason::NeedNotMet => (
            None,
            None,
            format!("{n} home(s) if a larger shortfall between needs and support were accepted"),
        ),
        other => (
            None,
            None,
            format!("{n} home(s) if the {} rule were relaxed", other.code()),
        ),
    };
    Relaxation {
        rule: r.code().to_string(),
        homes: n,
        examples,
        limit,
        needed,
        detail,
    }
}

fn competition_entry(
    inst: &Instance,
    c: usize,
    h: usize,
    regret: Option<(f64, bool)>,
    assign: &[Option<usize>],
    stopped: &str,
) -> Competition {
    let home = &inst.batch.homes[h];
    let taken_by: Vec<String> = (0..assign.len())
        .filter(|&x| assign[x] == Some(h))
        .map(|x| inst.batch.children[x].id.clone())
        .collect();
    let child = &inst.batch.children[c].id;
    let (regret, why) = match regret {
        Some((regret, exact)) => {
            let regret = round2(regret);
            let who = if taken_by.is_empty() { String::new() } else { format!(" (now taken by {})", taken_by.join(", ")) };
            let why = if exact {
                format!("Placing {child} at {}{who} would raise the batch's weekly cost score by {}: other children would be displaced or placed worse.", home.id, score(regret.abs()))
            } else {
                format!("Placing {child} at {}{who} would raise the batch's weekly cost score by at most {}: other children would be displaced or placed worse ({stopped} before it could find the least rise).", home.id, score(regret.abs()))
            };
            (Some((regret, exact)), why)
        }
        None => (None, format!("{child} cannot go to {} without breaking a batch-wide rule (provider admission limit, weekly budget, solo placement or a conflict with another child placed there).", home.id)),
    };
    Competition {
        home: home.id.clone(),
        taken_by,
        regret: regret.map(|r| r.0),
        regret_exact: regret.is_none_or(|r| r.1),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A competitor's rise found by a forced solve that a time limit or a requested gap cut
    /// short is only an upper bound: the entry says "at most", is marked, and keeps the
    /// marking in its JSON (left out when exact, as an alternative's is).
    #[test]
    fn a_competition_rise_not_proven_is_marked_as_an_upper_bound() {
        let inst = crate::pair::instance::load_batch(include_str!("../../../instances/example.json"), "example", None)
            .expect("the example loads");
        let assign = vec![None; inst.batch.children.len()];
        let stopped = "the time limit stopped the search";
        let exact = competition_entry(&inst, 0, 0, Some((123.456, true)), &assign, stopped);
        let bound = competition_entry(&inst, 0, 0, Some((123.456, false)), &assign, stopped);
        let forbidden = competition_entry(&inst, 0, 0, None, &assign, stopped);
        assert_eq!((exact.regret, exact.regret_exact), (Some(123.46), true));
        assert_eq!((bound.regret, bound.regret_exact), (Some(123.46), false));
        assert!(forbidden.regret_exact && forbidden.regret.is_none());
        assert!(
            exact.why.contains("cost score by 123:") && !exact.why.contains("at most"),
            "{}",
            exact.why
        );
        assert!(
            bound.why.contains("cost score by at most 123:") && bound.why.contains(stopped),
            "{}",
            bound.why
        );
        let json = |c: &Competition| serde_json::to_value(c).expect("serialises");
        assert!(json(&exact).get("regret_exact").is_none());
        assert_eq!(json(&bound)["regret_exact"], serde_json::json!(false));
        let back: Competition = serde_json::from_value(json(&exact)).expect("reads back");
        assert!(back.regret_exact);
    }
}
