//! The unplaced children: each one's urgency and cost of staying unplaced, how many homes
//! would take it and which rules keep out the rest (recomputed home by home), and the homes
//! its competition names with who holds them now.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{close, Ground};
use crate::input::batch::Ofsted;
use crate::pair::cost::unplaced_cost;
use crate::pair::eligibility::{evaluate, max_distance, min_rating, pair_km};
use crate::pair::instance::Instance;

/// Checks every unplaced child's diagnosis against the batch.
pub(super) fn verify(g: &Ground, p: &mut Vec<String>) {
    let inst = g.inst;
    let homes = &inst.batch.homes;
    for u in &g.r.unplaced {
        let Some(&c) = g.child_ix.get(u.child.as_str()) else {
            continue; // reported with the placements
        };
        let child = &inst.batch.children[c];
        if u.urgency != child.urgency {
            p.push(format!(
                "unplaced {}: urgency {:?} but the batch says {:?}",
                u.child, u.urgency, child.urgency
            ));
        }
        let want = unplaced_cost(inst, c);
        if !close(u.unplaced_cost, want) {
            p.push(format!(
                "unplaced {}: unplaced_cost {} but the policy gives {want}",
                u.child, u.unplaced_cost
            ));
        }
        // Home by home, as explain's diagnosis reads them: eligible, or kept out by which rules
        // (the three nearest of each as examples, ties by home order).
        let mut eligible = 0;
        let mut by_reason: BTreeMap<String, Vec<(f64, usize)>> = BTreeMap::new();
        // Homes kept out by one rule alone: what relaxing that rule would open.
        let mut single: BTreeMap<String, Vec<(f64, usize)>> = BTreeMap::new();
        for h in 0..homes.len() {
            let km = pair_km(inst, c, h);
            let reasons = evaluate(inst, c, h, g.group_size[c], km);
            if reasons.is_empty() {
                eligible += 1;
            }
            for r in reasons.iter() {
                by_reason.entry(r.code().to_string()).or_default().push((km, h));
            }
            if let (1, Some(r)) = (reasons.count(), reasons.iter().next().filter(|r| r.is_rule())) {
                single.entry(r.code().to_string()).or_default().push((km, h));
            }
        }
        if u.eligible_homes != eligible {
            p.push(format!(
                "unplaced {}: eligible_homes {} but {eligible} homes meet every rule",
                u.child, u.eligible_homes
            ));
        }
        let got: Vec<Counted> = u
            .excluded
            .iter()
            .map(|x| (x.reason.clone(), x.homes, x.examples.clone()))
            .collect();
        if sorted(got.clone()) != counted(by_reason, homes) {
            p.push(format!(
                "unplaced {}: the homes excluded by each rule do not recompute (result {got:?})",
                u.child
            ));
        }
        for x in &u.relaxations {
            let opened = single.get(&x.rule).map(Vec::as_slice).unwrap_or(&[]);
            let (limit, needed) = limit_and_needed(inst, c, &x.rule, opened);
            if !same_value(&x.limit, &limit) || !same_value(&x.needed, &needed) {
                let show = |v: &Option<Value>| v.as_ref().map_or("none".to_string(), Value::to_string);
                p.push(format!(
                    "unplaced {}: relaxing {} gives limit {} and needed {}, but the batch gives {} and {}",
                    u.child,
                    x.rule,
                    show(&x.limit),
                    show(&x.needed),
                    show(&limit),
                    show(&needed)
                ));
            }
        }
        let got: Vec<Counted> = u
            .relaxations
            .iter()
            .map(|x| (x.rule.clone(), x.homes, x.examples.clone()))
            .collect();
        if sorted(got.clone()) != counted(single, homes) {
            p.push(format!(
                "unplaced {}: the homes each relaxation would open do not recompute (result {got:?})",
                u.child
            ));
        }
        for comp in &u.competition {
            let Some(&h) = g.home_ix.get(comp.home.as_str()) else {
                p.push(format!(
                    "unplaced {}: competition names {}, not a home of the batch",
                    u.child, comp.home
                ));
                continue;
            };
            let holders: Vec<&str> = (0..g.assign.len())
                .filter(|&x| g.assign[x] == Some(h))
                .map(|x| inst.batch.children[x].id.as_str())
                .collect();
            if comp.taken_by != holders {
                p.push(format!(
                    "unplaced {}: {} is taken by {:?}, not {:?}",
                    u.child, comp.home, holders, comp.taken_by
                ));
            }
            if let Some(regret) = comp.regret {
                if !regret.is_finite() || regret < -0.011 {
                    p.push(format!(
                        "unplaced {}: competition at {} has regret {regret}",
                        u.child, comp.home
                    ));
                }
            } else if !comp.regret_exact {
                p.push(format!(
                    "unplaced {}: competition at {} has no regret yet is marked inexact",
                    u.child, comp.home
                ));
            }
        }
    }
}

/// A rule, how many homes it concerns, and the nearest three as examples.
type Counted = (String, usize, Vec<String>);

fn sorted(mut v: Vec<Counted>) -> Vec<Counted> {
    v.sort();
    v
}

/// Homes (km, index) by rule as explain lists them: the count and the three nearest, ties by
/// home order.
fn counted(by_rule: BTreeMap<String, Vec<(f64, usize)>>, homes: &[crate::input::batch::Home]) -> Vec<Counted> {
    sorted(
        by_rule
            .into_iter()
            .map(|(rule, mut v)| {
                v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let examples = v.iter().take(3).map(|&(_, h)| homes[h].id.clone()).collect();
                (rule, v.len(), examples)
            })
            .collect(),
    )
}

/// A relaxation's current limit and the least change that opens one of the homes only that
/// rule keeps out (`opened`, as (km, home)), recomputed from the batch: the nearest home
/// beyond a distance limit (km, rounded up), the farthest inside a minimum distance (rounded
/// down), the cheapest above a budget cap, the best rating below the minimum. Other rules
/// have neither.
fn limit_and_needed(inst: &Instance, c: usize, rule: &str, opened: &[(f64, usize)]) -> (Option<Value>, Option<Value>) {
    let child = &inst.batch.children[c];
    let km = opened.iter().map(|o| o.0);
    match rule {
        "too_far" => (
            Some(max_distance(inst, c).unwrap_or(0.0).into()),
            Some(km.fold(f64::INFINITY, f64::min).ceil().into()),
        ),
        "too_close" => (
            Some(child.min_distance_km.unwrap_or(0.0).into()),
            Some(km.fold(f64::NEG_INFINITY, f64::max).floor().into()),
        ),
        "over_budget" => (
            Some(child.budget_cap.unwrap_or(0.0).into()),
            Some(
                opened
                    .iter()
                    .map(|o| inst.batch.homes[o.1].weekly_price)
                    .fold(f64::INFINITY, f64::min)
                    .into(),
            ),
        ),
        "ofsted_below_minimum" => (
            Some(min_rating(inst, c).name().into()),
            Some(
                opened
                    .iter()
                    .map(|o| inst.homes[o.1].rating)
                    .max()
                    .unwrap_or(Ofsted::Inadequate)
                    .name()
                    .into(),
            ),
        ),
        _ => (None, None),
    }
}

/// Whether two optional JSON values agree: numbers to the checker's tolerance, others exactly.
fn same_value(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => close(x, y),
            _ => false,
        },
        _ => a == b,
    }
}
