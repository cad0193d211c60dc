//! Step 5, **model**: the mixed-integer programme of SPEC §6, in one place.
//!
//! One column per eligible (unit, home) pair, where a unit is a child or a
//! kept-together sibling group (so "siblings share every x" holds by construction).
//! Units that cannot interact — no shared home, provider limit, discount or budget —
//! fall into separate components, each an independent, smaller MIP.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use highs::{ColProblem, Row};
use petgraph::unionfind::UnionFind;

use crate::cost::{terms, unplaced_cost, Terms};
use crate::eligibility::{children_conflict, evaluate, pair_km, units, Reasons, Unit};
use crate::locate::Instance;

/// An eligible (unit, home) pair: one column.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Unit index.
    pub unit: usize,
    /// Home index.
    pub home: usize,
    /// Cost of placing the whole unit there (sum of members' terms).
    pub cost: f64,
    /// Members' cost terms, in member order.
    pub terms: Vec<Terms>,
    /// Members' distances (all members share a home location, so one km per member's origin).
    pub km: Vec<f64>,
}

/// An independent sub-problem.
#[derive(Debug, Clone, Default)]
pub struct Component {
    /// Units in this component, ascending.
    pub units: Vec<usize>,
    /// Candidate indices in this component, ascending.
    pub cands: Vec<usize>,
}

/// Everything the solver and the explainer need, derived once from an instance.
#[derive(Debug, Clone)]
pub struct Formulation {
    /// Placement units.
    pub units: Vec<Unit>,
    /// Unit of each child.
    pub unit_of: Vec<usize>,
    /// Unplaced cost per unit.
    pub unplaced: Vec<f64>,
    /// Eligible pairs sorted by (unit, home).
    pub cands: Vec<Candidate>,
    /// Range of `cands` per unit.
    pub unit_cands: Vec<Range<usize>>,
    /// Candidates per home.
    pub home_cands: Vec<Vec<usize>>,
    /// Conflicting units per unit (SPEC §6 in-batch conflicts).
    pub conflicts: Vec<Vec<usize>>,
    /// Independent components, ordered by their first unit.
    pub components: Vec<Component>,
    /// Number of (child, home) pairs examined.
    pub pairs_examined: usize,
}

impl Formulation {
    /// Finds every eligible pair and the components.
    pub fn build(inst: &Instance) -> Formulation {
        let units = units(inst);
        let mut unit_of = vec![0; inst.batch.children.len()];
        for (u, unit) in units.iter().enumerate() {
            for &m in &unit.members {
                unit_of[m] = u;
            }
        }
        let unplaced = units.iter().map(|u| u.members.iter().map(|&m| unplaced_cost(inst, m)).sum()).collect();
        let mut cands = Vec::new();
        let mut unit_cands = Vec::with_capacity(units.len());
        let mut pairs_examined = 0;
        for (u, unit) in units.iter().enumerate() {
            let start = cands.len();
            if unit.blocked.is_none() {
                for (h, home) in inst.batch.homes.iter().enumerate() {
                    if (home.vacancies as usize) < unit.members.len() {
                        continue; // no room: not a column (and for groups, a diagnosed reason)
                    }
                    pairs_examined += unit.members.len();
                    let mut ok = true;
                    let mut ts = Vec::with_capacity(unit.members.len());
                    let mut kms = Vec::with_capacity(unit.members.len());
                    for &m in &unit.members {
                        let km = pair_km(inst, m, h);
                        if !evaluate(inst, m, h, unit.members.len(), km).is_empty() {
                            ok = false;
                            break;
                        }
                        ts.push(terms(inst, m, h, km));
                        kms.push(km);
                    }
                    if ok {
                        let cost = ts.iter().map(Terms::total).sum();
                        cands.push(Candidate { unit: u, home: h, cost, terms: ts, km: kms });
                    }
                }
            }
            unit_cands.push(start..cands.len());
        }
        let mut home_cands = vec![Vec::new(); inst.batch.homes.len()];
        for (k, c) in cands.iter().enumerate() {
            home_cands[c.home].push(k);
        }
        let conflicts = unit_conflicts(inst, &units);
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
        };
        f.components = f.find_components(inst);
        f
    }

    /// Number of children in a unit.
    pub fn size(&self, unit: usize) -> usize {
        self.units[unit].members.len()
    }

    fn find_components(&self, inst: &Instance) -> Vec<Component> {
        let n = self.units.len();
        let mut uf = UnionFind::<usize>::new(n);
        let link = |first: &mut Option<usize>, u: usize, uf: &mut UnionFind<usize>| match *first {
            Some(f) => {
                uf.union(f, u);
            }
            None => *first = Some(u),
        };
        // Units that share a home compete for its beds.
        for hc in &self.home_cands {
            let mut first = None;
            for &k in hc {
                link(&mut first, self.cands[k].unit, &mut uf);
            }
        }
        // Provider-wide limits and discounts tie together every unit eligible at that provider.
        let mut by_provider: BTreeMap<usize, Option<usize>> = BTreeMap::new();
        for c in &self.cands {
            let p = inst.homes[c.home].provider;
            let pr = &inst.batch.providers[p];
            if pr.max_admissions.is_some() || pr.volume_discount.is_some() {
                let first = by_provider.entry(p).or_default();
                link(first, c.unit, &mut uf);
            }
        }
        // An authority's weekly budget ties together its children that could be placed.
        let mut by_la: BTreeMap<&str, Option<usize>> = BTreeMap::new();
        for (u, unit) in self.units.iter().enumerate() {
            if self.unit_cands[u].is_empty() {
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

    /// Builds the HiGHS problem of one component. Columns come in this order:
    /// the component's candidates, then one unplaced column per unit, then block-bed
    /// columns, then per discounting provider the pair (z, W). `integer = false` gives the
    /// LP relaxation (used for reduced-cost bounds).
    pub fn highs_problem(&self, inst: &Instance, comp: &Component, integer: bool) -> (ColProblem, ColumnMap) {
        let mut pb = ColProblem::default();
        let local: HashMap<usize, usize> = comp.units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        // Rows.
        let assign: Vec<Row> = comp.units.iter().map(|_| pb.add_row(1.0..=1.0)).collect();
        let mut homes: Vec<usize> = comp.cands.iter().map(|&k| self.cands[k].home).collect();
        homes.sort_unstable();
        homes.dedup();
        let cap: HashMap<usize, Row> =
            homes.iter().map(|&h| (h, pb.add_row(..=inst.batch.homes[h].vacancies as f64))).collect();
        let block_homes: Vec<usize> = homes.iter().copied().filter(|&h| inst.batch.homes[h].block_vacancies > 0).collect();
        let block_rows: HashMap<usize, Row> = block_homes.iter().map(|&h| (h, pb.add_row(..=0.0))).collect();
        // Solo: Σ_{k≠s} size_k·y_kj + V_j·y_sj ≤ V_j for each solo unit s and home j it may take.
        let mut solo_rows: HashMap<usize, Vec<(usize, Row)>> = HashMap::new(); // home -> [(solo unit, row)]
        for &u in &comp.units {
            let unit = &self.units[u];
            if unit.members.len() == 1 && inst.batch.children[unit.members[0]].requires_solo {
                for k in self.unit_cands[u].clone() {
                    let h = self.cands[k].home;
                    let v = inst.batch.homes[h].vacancies as f64;
                    solo_rows.entry(h).or_default().push((u, pb.add_row(..=v)));
                }
            }
        }
        // Conflicts: y_aj + y_bj ≤ 1 on every shared home.
        let mut conflict_rows: HashMap<(usize, usize), Vec<Row>> = HashMap::new(); // (unit, home) -> rows
        for &a in &comp.units {
            for &b in &self.conflicts[a] {
                if b <= a {
                    continue;
                }
                for ka in self.unit_cands[a].clone() {
                    let h = self.cands[ka].home;
                    if self.unit_cands[b].clone().any(|kb| self.cands[kb].home == h) {
                        let r = pb.add_row(..=1.0);
                        conflict_rows.entry((a, h)).or_default().push(r);
                        conflict_rows.entry((b, h)).or_default().push(r);
                    }
                }
            }
        }
        // Providers: admissions and volume discounts.
        let mut providers: Vec<usize> = homes.iter().map(|&h| inst.homes[h].provider).collect();
        providers.sort_unstable();
        providers.dedup();
        let mut admit_rows = BTreeMap::new();
        let mut disc_rows = BTreeMap::new(); // provider -> (W − Σd·y ≤ 0, W − M z ≤ 0, Σ y − n z ≥ 0)
        for &p in &providers {
            let pr = &inst.batch.providers[p];
            if let Some(m) = pr.max_admissions {
                admit_rows.insert(p, pb.add_row(..=m as f64));
            }
            if pr.volume_discount.is_some() {
                disc_rows.insert(p, (pb.add_row(..=0.0), pb.add_row(..=0.0), pb.add_row(0.0..)));
            }
        }
        // Budgets per responsible authority.
        let mut budget_rows: BTreeMap<String, Row> = BTreeMap::new();
        for &u in &comp.units {
            for &m in &self.units[u].members {
                let la = &inst.children[m].la;
                if let Some(b) = inst.policy.budget_for(la) {
                    if !budget_rows.contains_key(la) {
                        budget_rows.insert(la.clone(), pb.add_row(..=b));
                    }
                }
            }
        }

        // Columns.
        let mut map = ColumnMap::default();
        for &k in &comp.cands {
            let c = &self.cands[k];
            let u = c.unit;
            let size = self.size(u) as f64;
            let home = &inst.batch.homes[c.home];
            let p = inst.homes[c.home].provider;
            let mut rf: Vec<(Row, f64)> = vec![(assign[local[&u]], 1.0), (cap[&c.home], size)];
            if let Some(&r) = block_rows.get(&c.home) {
                rf.push((r, -size));
            }
            if let Some(list) = solo_rows.get(&c.home) {
                for &(s, r) in list {
                    rf.push((r, if s == u { home.vacancies as f64 } else { size }));
                }
            }
            if let Some(rows) = conflict_rows.get(&(u, c.home)) {
                rf.extend(rows.iter().map(|&r| (r, 1.0)));
            }
            if let Some(&r) = admit_rows.get(&p) {
                rf.push((r, size));
            }
            if let Some(&(w, _, cnt)) = disc_rows.get(&p) {
                let pct = inst.batch.providers[p].volume_discount.as_ref().unwrap().percent;
                rf.push((w, -size * home.weekly_price * pct / 100.0));
                rf.push((cnt, size));
            }
            let mut per_la: BTreeMap<&str, f64> = BTreeMap::new();
            for &m in &self.units[u].members {
                *per_la.entry(inst.children[m].la.as_str()).or_default() += home.weekly_price;
            }
            for (la, coef) in per_la {
                if let Some(&r) = budget_rows.get(la) {
                    rf.push((r, coef));
                }
            }
            map.cand_col.insert(k, map.next);
            map.next += 1;
            pb.add_column_with_integrality(c.cost, 0.0..=1.0, rf, integer);
        }
        for (i, &u) in comp.units.iter().enumerate() {
            map.unplaced_col.push(map.next);
            map.next += 1;
            // u_i is implied integral by the assignment row, so it stays continuous.
            pb.add_column(self.unplaced[u], 0.0..=1.0, [(assign[i], 1.0)]);
        }
        for &h in &block_homes {
            let home = &inst.batch.homes[h];
            map.block_col.push((h, map.next));
            map.next += 1;
            pb.add_column(-home.weekly_price, 0.0..=home.block_vacancies as f64, [(block_rows[&h], 1.0)]);
        }
        for (&p, &(w, big, cnt)) in &disc_rows {
            let d = inst.batch.providers[p].volume_discount.as_ref().unwrap();
            let big_m: f64 = homes
                .iter()
                .filter(|&&h| inst.homes[h].provider == p)
                .map(|&h| inst.batch.homes[h].weekly_price * d.percent / 100.0 * inst.batch.homes[h].vacancies as f64)
                .sum();
            map.discount_col.push((p, map.next));
            map.next += 1;
            pb.add_column_with_integrality(0.0, 0.0..=1.0, [(big, -big_m), (cnt, -(d.min_placements as f64))], integer);
            map.next += 1;
            pb.add_column(-1.0, 0.0.., [(w, 1.0), (big, 1.0)]);
        }
        (pb, map)
    }
}

/// Where each of the formulation's quantities sits among a component's HiGHS columns.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Candidate index → column.
    pub cand_col: HashMap<usize, usize>,
    /// Per component unit (same order as `Component::units`) → unplaced column.
    pub unplaced_col: Vec<usize>,
    /// (home, block-bed column).
    pub block_col: Vec<(usize, usize)>,
    /// (provider, z column); W is the column after it.
    pub discount_col: Vec<(usize, usize)>,
    /// Number of columns.
    pub next: usize,
}

fn unit_conflicts(inst: &Instance, units: &[Unit]) -> Vec<Vec<usize>> {
    let children = &inst.batch.children;
    // Only children with risks or incompatibilities can conflict: index them to avoid n².
    let risky: Vec<usize> = (0..units.len())
        .filter(|&u| units[u].members.iter().any(|&m| !children[m].risks.is_empty() || !children[m].incompatible_risks.is_empty()))
        .collect();
    let mut out = vec![Vec::new(); units.len()];
    for (i, &a) in risky.iter().enumerate() {
        for &b in &risky[i + 1..] {
            let clash = units[a]
                .members
                .iter()
                .any(|&x| units[b].members.iter().any(|&y| children_conflict(&children[x], &children[y])));
            if clash {
                out[a].push(b);
                out[b].push(a);
            }
        }
    }
    out
}

/// Rule failures of every home for one child, for diagnosis (unit-aware group size).
pub fn reasons_for(inst: &Instance, f: &Formulation, child: usize) -> Vec<(usize, Reasons, f64)> {
    let size = f.size(f.unit_of[child]);
    (0..inst.batch.homes.len())
        .map(|h| {
            let km = pair_km(inst, child, h);
            (h, evaluate(inst, child, h, size, km), km)
        })
        .collect()
}
