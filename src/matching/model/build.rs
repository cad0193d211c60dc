//! Building a formulation: each unit's eligible homes scanned once (pruned to its cheapest
//! pairs when the batch is large, with the floors that bound what was left out), the budgets
//! and conflicts per unit, and the components that units sharing a home, provider limit,
//! discount or budget fall into.

use std::collections::{BTreeMap, HashMap};

use petgraph::unionfind::UnionFind;
use rayon::prelude::*;

use super::{Candidate, Component, Formulation};
use crate::pair::cost::{terms, unplaced_cost};
use crate::pair::eligibility::{children_conflict, eligible_km, units, Unit};
use crate::pair::instance::Instance;

impl Formulation {
    /// Finds every eligible pair and the components, storing at most `keep` cheapest pairs
    /// per unit (ties by home order), except for the units in `complete`, which keep all.
    /// Components are found over *every* eligible pair, stored or not, so pruning never
    /// splits units that compete.
    pub fn build_with(inst: &Instance, keep: usize, complete: &[usize]) -> Formulation {
        let units = units(inst);
        let mut unit_of = vec![0; inst.batch.children.len()];
        for (u, unit) in units.iter().enumerate() {
            for &m in &unit.members {
                unit_of[m] = u;
            }
        }
        let unplaced = units
            .iter()
            .map(|u| {
                u.members
                    .iter()
                    .map(|&m| unplaced_cost(inst, m) + inst.bed_values.unplaced_raise(m))
                    .sum()
            })
            .collect();
        // Units are scanned in parallel and concatenated in unit order: the same columns, in
        // the same order, however many threads ran.
        // Each thread links units to the homes and limited providers they are eligible at in
        // its own union-find (units, then homes, then providers); the partial unions merge.
        let (n_units, n_homes) = (units.len(), inst.batch.homes.len());
        let nodes = n_units + n_homes + inst.batch.providers.len();
        // Which homes are special, once: the scan asks for every eligible pair.
        let special: Vec<bool> = (0..n_homes).map(|h| Formulation::special_home(inst, h)).collect();
        let (links, mut per_unit) = (0..n_units)
            .into_par_iter()
            .with_min_len(16)
            .fold(
                || (UnionFind::<usize>::new(nodes), Vec::new()),
                |(mut uf, mut out), u| {
                    let limit = if complete.contains(&u) { usize::MAX } else { keep };
                    let scan = unit_candidates(inst, u, &units[u], limit, &special, |h| {
                        uf.union(u, n_units + h);
                        if linked_provider(inst, h) {
                            uf.union(u, n_units + n_homes + inst.homes[h].provider);
                        }
                    });
                    out.push((u, scan));
                    (uf, out)
                },
            )
            .reduce(
                || (UnionFind::<usize>::new(nodes), Vec::new()),
                |(mut a, mut la), (b, lb)| {
                    for x in 0..nodes {
                        a.union(x, b.find(x));
                    }
                    la.extend(lb);
                    (a, la)
                },
            );
        per_unit.sort_by_key(|p| p.0);
        let mut cands = Vec::with_capacity(per_unit.iter().map(|p| p.1.cands.len()).sum());
        let mut unit_cands = Vec::with_capacity(units.len());
        let mut floor = Vec::with_capacity(units.len());
        let mut special_floor = Vec::with_capacity(units.len());
        let mut min_price = Vec::with_capacity(units.len());
        let mut unit_eligible = Vec::with_capacity(units.len());
        let (mut pairs_examined, mut eligible_pairs) = (0, 0);
        for (_, scan) in per_unit {
            let start = cands.len();
            cands.extend(scan.cands);
            unit_cands.push(start..cands.len());
            floor.push(scan.floor);
            special_floor.push(scan.special_floor);
            min_price.push(scan.min_price);
            unit_eligible.push(scan.eligible);
            pairs_examined += scan.examined;
            eligible_pairs += scan.eligible * units[unit_cands.len() - 1].members.len();
        }
        // Each home's list at its exact size (grown by pushes, a third of it was spare).
        let mut per_home = vec![0usize; inst.batch.homes.len()];
        for c in &cands {
            per_home[c.home] += 1;
        }
        let mut home_cands: Vec<Vec<usize>> = per_home.into_iter().map(Vec::with_capacity).collect();
        for (k, c) in cands.iter().enumerate() {
            home_cands[c.home].push(k);
        }
        let conflicts = unit_conflicts(inst, &units);
        let (budgets, budget_index, unit_budgets) = unit_budgets(inst, &units);
        let mut f = Formulation {
            units,
            unit_of,
            unplaced,
            cands,
            unit_cands,
            home_cands,
            conflicts,
            components: Vec::new(),
            pairs_examined,
            eligible_pairs,
            unit_eligible,
            floor,
            special_floor,
            min_price,
            budgets,
            budget_index,
            unit_budgets,
        };
        f.components = f.find_components(inst, links);
        f
    }

    /// Components from the scan's links (units that share an eligible home, or an eligible
    /// provider with a provider-wide limit or discount) plus authority budgets.
    pub(super) fn find_components(&self, inst: &Instance, mut uf: UnionFind<usize>) -> Vec<Component> {
        let n = self.units.len();
        let link = |first: &mut Option<usize>, u: usize, uf: &mut UnionFind<usize>| match *first {
            Some(f) => {
                uf.union(f, u);
            }
            None => *first = Some(u),
        };
        // An authority's weekly budget ties together its children that could be placed.
        let mut by_la: BTreeMap<&str, Option<usize>> = BTreeMap::new();
        for (u, unit) in self.units.iter().enumerate() {
            if self.unit_cands[u].is_empty() && self.complete(u) {
                continue;
            }
            for &m in &unit.members {
                let la = inst.children[m].la.as_str();
                if inst.policy.budget_for(la).is_some() {
                    let first = by_la.entry(la).or_default();
                    link(first, u, &mut uf);
                }
            }
        }
        let mut comps: BTreeMap<usize, Component> = BTreeMap::new();
        let mut root_first: HashMap<usize, usize> = HashMap::new();
        for u in 0..n {
            let r = uf.find(u);
            let key = *root_first.entry(r).or_insert(u);
            let c = comps.entry(key).or_default();
            c.units.push(u);
            c.cands.extend(self.unit_cands[u].clone());
        }
        comps.into_values().collect()
    }
}

/// What scanning one unit's homes found.
struct UnitScan {
    /// The stored pairs, in home order.
    cands: Vec<Candidate>,
    /// Cheapest cost among eligible pairs not stored at homes without a rebate (+∞ if none).
    floor: f64,
    /// Cheapest cost less rebate among eligible pairs not stored at special homes.
    special_floor: f64,
    /// Cheapest list price among eligible homes, stored or not.
    min_price: f64,
    /// (child, home) pairs examined.
    examined: usize,
    /// Eligible homes, stored or not.
    eligible: usize,
}

/// Cost of a unit at a home when every member is eligible there (the home has room for the
/// unit). No allocation per pair: members are checked and costed one at a time.
pub(super) fn members_cost(inst: &Instance, unit: &Unit, h: usize) -> Option<f64> {
    let size = unit.members.len();
    let mut cost = 0.0;
    unit.members
        .iter()
        .all(|&m| {
            eligible_km(inst, m, h, size)
                .inspect(|&km| cost += terms(inst, m, h, km).total() + inst.bed_values.at(h))
                .is_some()
        })
        .then_some(cost)
}

/// Whether a home's provider ties its units together (a provider-wide limit or discount).
pub(super) fn linked_provider(inst: &Instance, h: usize) -> bool {
    let pr = &inst.batch.providers[inst.homes[h].provider];
    pr.max_admissions.is_some() || pr.volume_discount.is_some()
}

/// A unit's eligible pairs: the `keep` cheapest (ties by home order) stored in home order;
/// `eligible_at` sees every eligible home.
fn unit_candidates(
    inst: &Instance,
    u: usize,
    unit: &Unit,
    keep: usize,
    special: &[bool],
    mut eligible_at: impl FnMut(usize),
) -> UnitScan {
    let mut scan = UnitScan {
        cands: Vec::new(),
        floor: f64::INFINITY,
        special_floor: f64::INFINITY,
        min_price: f64::INFINITY,
        examined: 0,
        eligible: 0,
    };
    if unit.blocked.is_some() {
        return scan;
    }
    let size = unit.members.len();
    // The kept pairs as max-heaps, the root the first to go: the `keep` cheapest by cost, and
    // at special homes also the `keep / 2` cheapest by cost less rebate (an empty block bed
    // makes a dear home nearly free, and the LP fills it). A pair stays if either keeps it.
    // The floors: a plain pair left out of the first is unstored; a special one left out of
    // the second may still be in the first, so its floor is only conservative.
    let keep_net = (keep / 2).max(1); // (unused when every pair is kept)
    let mut heap: std::collections::BinaryHeap<(Cost, usize)> = std::collections::BinaryHeap::new();
    // (cost less rebate, home, cost)
    let mut heap_net: std::collections::BinaryHeap<(Cost, usize, Cost)> = std::collections::BinaryHeap::new();
    for (h, home) in inst.batch.homes.iter().enumerate() {
        if (home.vacancies as usize) < size {
            continue; // no room: not a column (and for groups, a diagnosed reason)
        }
        scan.examined += size;
        let Some(cost) = members_cost(inst, unit, h) else {
            continue;
        };
        scan.eligible += 1;
        scan.min_price = scan.min_price.min(home.weekly_price);
        eligible_at(h);
        if keep == usize::MAX {
            scan.cands.push(Candidate { unit: u, home: h, cost });
            continue;
        }
        // (What falls out may be an earlier pair, special or not.)
        if let Some((out, out_h)) = push_bounded(&mut heap, keep, (Cost(cost), h)) {
            if !special[out_h] {
                scan.floor = scan.floor.min(out.0);
            }
        }
        if special[h] {
            let net = cost - Formulation::rebate(inst, h, size);
            if let Some((out, _, _)) = push_bounded(&mut heap_net, keep_net, (Cost(net), h, Cost(cost))) {
                scan.special_floor = scan.special_floor.min(out.0);
            }
        }
    }
    if keep != usize::MAX {
        let kept = heap.into_iter().map(|(c, h)| (h, c.0));
        scan.cands = kept
            .chain(heap_net.into_iter().map(|(_, h, c)| (h, c.0)))
            .map(|(home, cost)| Candidate { unit: u, home, cost })
            .collect();
        scan.cands.sort_by_key(|c| c.home);
        scan.cands.dedup_by_key(|c| c.home);
    }
    scan
}

/// Pushes `e` into a max-heap holding at most `keep`; returns what falls out (the largest,
/// or `e` itself), if anything.
fn push_bounded<T: Ord>(heap: &mut std::collections::BinaryHeap<T>, keep: usize, e: T) -> Option<T> {
    if heap.len() < keep {
        heap.push(e);
        None
    } else if heap.peek().is_some_and(|top| e < *top) {
        let out = heap.pop();
        heap.push(e);
        out
    } else {
        Some(e)
    }
}

/// A cost or distance with a total order, for heaps (they are never NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cost(pub(crate) f64);

impl Eq for Cost {}

impl PartialOrd for Cost {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cost {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Budget index per budgeted authority (in code order), each budget less its accepted
/// children's list prices, and each unit's members per index. An accepted unit counts against
/// no budget row: its spend is settled and taken off first, so it shares no limiting row with
/// the rest of the batch (`pair::answers`).
type Budgets = (Vec<f64>, HashMap<String, usize>, Vec<Vec<(usize, i64)>>);
fn unit_budgets(inst: &Instance, units: &[Unit]) -> Budgets {
    let mut by_la: BTreeMap<&str, f64> = inst
        .children
        .iter()
        .filter_map(|c| Some((c.la.as_str(), inst.policy.budget_for(&c.la)?)))
        .collect();
    for (i, c) in inst.children.iter().enumerate() {
        if let (Some(h), Some(b)) = (
            inst.answers.accepted.get(i).copied().flatten(),
            by_la.get_mut(c.la.as_str()),
        ) {
            *b -= inst.batch.homes[h].weekly_price;
        }
    }
    let index: HashMap<&str, usize> = by_la.keys().enumerate().map(|(i, &la)| (la, i)).collect();
    let budget_index = index.iter().map(|(&la, &i)| (la.to_string(), i)).collect();
    let budgets = by_la.into_values().collect();
    let per_unit = units
        .iter()
        .map(|unit| {
            let mut out: Vec<(usize, i64)> = Vec::new();
            if inst.answers.is_accepted(unit.members[0]) {
                return out;
            }
            for &m in &unit.members {
                let Some(&b) = index.get(inst.children[m].la.as_str()) else {
                    continue;
                };
                match out.iter_mut().find(|e| e.0 == b) {
                    Some(e) => e.1 += 1,
                    None => out.push((b, 1)),
                }
            }
            out
        })
        .collect();
    (budgets, budget_index, per_unit)
}

fn unit_conflicts(inst: &Instance, units: &[Unit]) -> Vec<Vec<usize>> {
    let children = &inst.batch.children;
    // Only children with risks or incompatibilities can conflict: index them to avoid n².
    let risky: Vec<usize> = (0..units.len())
        .filter(|&u| {
            units[u]
                .members
                .iter()
                .any(|&m| !children[m].risks.is_empty() || !children[m].incompatible_risks.is_empty())
        })
        .collect();
    let mut out = vec![Vec::new(); units.len()];
    for (i, &a) in risky.iter().enumerate() {
        for &b in &risky[i + 1..] {
            let clash = units[a].members.iter().any(|&x| {
                units[b]
                    .members
                    .iter()
                    .any(|&y| children_conflict(&children[x], &children[y]))
            });
            if clash {
                out[a].push(b);
                out[b].push(a);
            }
        }
    }
    out
}
