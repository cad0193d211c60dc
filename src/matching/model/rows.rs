//! The rows of a component (SPEC §6): assignment, capacity, block beds, admissions,
//! discounts, budgets with their implied limits, and the solo and conflict rows that active
//! pairs create; each pair's entries in them.

use std::collections::{BTreeMap, HashMap};

use super::{Component, Formulation};
use crate::pair::instance::Instance;

impl Formulation {
    /// The static rows of one component's model, in a fixed order, with their bounds.
    ///
    /// Solo and conflict rows are not here: they matter only where the pair that defines
    /// them is a column, so the solver creates them when it adds that column
    /// ([`Formulation::solo_row`], [`Formulation::conflict_row`]). Without the column they
    /// would be implied by capacity and bounds, so leaving them out changes nothing.
    pub fn rows(&self, inst: &Instance, comp: &Component) -> Vec<(RowKey, f64, f64)> {
        let homes_b = &inst.batch.homes;
        let mut rows = Vec::new();
        // Σ_j y_uj + u_u = 1
        rows.extend(comp.units.iter().map(|&u| (RowKey::Assign(u), 1.0, 1.0)));
        let homes = self.component_homes(comp);
        // Σ_i size_i·y_ij ≤ vacancies_j, over the units without a bed of their own at j (each
        // accepted or held unit has its beds, so the rest may fill what is left).
        rows.extend(homes.iter().map(|&h| {
            (
                RowKey::Capacity(h),
                f64::NEG_INFINITY,
                Formulation::open_beds(inst, h) as f64,
            )
        }));
        // b_j − Σ_i size_i·y_ij ≤ 0 (block beds used ≤ children placed)
        rows.extend(
            homes
                .iter()
                .filter(|&&h| homes_b[h].block_vacancies > 0)
                .map(|&h| (RowKey::Block(h), f64::NEG_INFINITY, 0.0)),
        );
        let mut providers: Vec<usize> = homes.iter().map(|&h| inst.homes[h].provider).collect();
        providers.sort_unstable();
        providers.dedup();
        for &p in &providers {
            let pr = &inst.batch.providers[p];
            if let Some(m) = Formulation::open_admissions(inst, p) {
                // Accepted children's admissions are taken first; the row counts the others.
                rows.push((RowKey::Admissions(p), f64::NEG_INFINITY, m as f64));
            }
            if let Some(d) = &pr.volume_discount {
                // Σ size·y − n·z_p ≥ 0, and per home j of the provider
                // w_j − Σ d_j·size·y_ij ≤ 0;  w_j − d_j·vacancies_j·z_p ≤ 0.
                // One discount value per home, not one per provider: with a provider-wide
                // value W_p ≤ M·z_p the LP earned a whole placement's discount for a 1/n
                // switch; per home it earns d_j·z_p, 1/n of it (the same integer points).
                rows.push((RowKey::DiscountCount(p), 0.0, f64::INFINITY));
                for &h in homes.iter().filter(|&&h| inst.homes[h].provider == p) {
                    rows.push((RowKey::DiscountValue(h), f64::NEG_INFINITY, 0.0));
                    rows.push((RowKey::DiscountSwitch(h), f64::NEG_INFINITY, 0.0));
                    if homes_b[h].vacancies < d.min_placements {
                        rows.push((RowKey::DiscountOthers(p, h), f64::NEG_INFINITY, 0.0));
                    }
                }
            }
        }
        let mut las: Vec<&str> = comp
            .units
            .iter()
            .flat_map(|&u| self.units[u].members.iter().map(|&m| inst.children[m].la.as_str()))
            .collect();
        las.sort_unstable();
        las.dedup();
        // Each unit's cheapest list price over every eligible home, stored or not (a row
        // counting on the stored ones only would cut off placements at unstored homes).
        let cheapest: Vec<Option<f64>> = comp
            .units
            .iter()
            .map(|&u| Some(self.min_price[u]).filter(|p| p.is_finite()))
            .collect();
        for la in las {
            // Less the accepted children's spend, which counts in no row.
            if let Some(b) = self.budget_index.get(la).map(|&i| self.budgets[i]) {
                rows.push((RowKey::Budget(la.to_string()), f64::NEG_INFINITY, b));
                if let Some(k) = self.budget_count(inst, comp, &cheapest, la, b) {
                    rows.push((RowKey::BudgetCount(la.to_string()), f64::NEG_INFINITY, k as f64));
                }
            }
        }
        rows.extend(self.budget_alone_rows(inst, comp));
        rows
    }

    /// The units of a component that answer to one budget only, wholly (every member of that
    /// authority), grouped by budget index: the groups the "alone" rows speak of.
    pub fn budget_groups(&self, comp: &Component) -> BTreeMap<usize, Vec<usize>> {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &u in &comp.units {
            if let [(b, m)] = self.unit_budgets[u][..] {
                if m as usize == self.size(u) {
                    groups.entry(b).or_default().push(u);
                }
            }
        }
        groups
    }

    /// Rows saying that a unit placed at a home so dear that the budget can then pay for at
    /// most t other units of its group L (at their cheapest) leaves the rest unplaced:
    /// (|L| − 1 − t)·Σ_{homes that dear} x_ij − Σ_{v≠i} u_v ≤ 0, one per unit and tier t below
    /// what the budget allows anyway. Implied at integer points; the LP otherwise spends a
    /// budget exactly by placing 0.3 of a child in a £4,700 home and 0.7 in a £350 one.
    pub(super) fn budget_alone_rows(&self, inst: &Instance, comp: &Component) -> Vec<(RowKey, f64, f64)> {
        let price = |k: usize| inst.batch.homes[self.cands[k].home].weekly_price;
        let mut rows = Vec::new();
        for (b, group) in self.budget_groups(comp) {
            if group.len() < 2 {
                continue;
            }
            let budget = self.budgets[b];
            // Each unit's cheapest spend against the budget (members × cheapest price over
            // every eligible home, stored or not).
            let least: Vec<f64> = group.iter().map(|&u| self.size(u) as f64 * self.min_price[u]).collect();
            // Units the budget can pay for at all, cheapest first: a tier's row is implied
            // by the count row from there on.
            let mut sorted = least.clone();
            sorted.sort_by(f64::total_cmp);
            let mut spend = 0.0;
            let fit = sorted.iter().take_while(|&&v| {
                spend += v;
                spend <= budget + 1e-9
            });
            let most = fit.count();
            for (i, &u) in group.iter().enumerate() {
                let mut others: Vec<f64> = least
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &v)| v)
                    .filter(|v| v.is_finite())
                    .collect();
                others.sort_by(f64::total_cmp);
                let m = self.size(u) as f64;
                let mut cheapest_others = 0.0;
                // Tier t: homes dear enough that at most t others then fit.
                for (t, &v) in others.iter().enumerate().take(most.saturating_sub(1)) {
                    cheapest_others += v;
                    let threshold = budget - cheapest_others;
                    let dear = self.unit_cands[u].clone().any(|k| {
                        let spend = m * price(k);
                        spend > threshold + 1e-9 && spend <= budget + 1e-9
                    });
                    if !dear {
                        continue; // (a higher tier's lower threshold may still catch some)
                    }
                    rows.push((
                        RowKey::BudgetAlone(b, u, group.len() - 1 - t, threshold.to_bits()),
                        f64::NEG_INFINITY,
                        0.0,
                    ));
                }
            }
        }
        rows
    }

    /// The most children of authority `la` that its budget `b` can pay for, when that is fewer
    /// than could be placed at all: each child costs at least its cheapest eligible home's list
    /// price, so the cheapest-first count bounds every feasible placement. The budget row
    /// implies it for integer solutions, but not for the LP relaxation, which otherwise
    /// "places" fractions of children that no whole placement could fund.
    /// (`unit_cheapest`: per unit of the component, its cheapest eligible list price.)
    pub(super) fn budget_count(
        &self,
        inst: &Instance,
        comp: &Component,
        unit_cheapest: &[Option<f64>],
        la: &str,
        b: f64,
    ) -> Option<usize> {
        let mut cheapest: Vec<f64> = Vec::new();
        for (&u, p) in comp.units.iter().zip(unit_cheapest) {
            // An accepted unit's spend is off the budget already (`b` is what is left).
            let Some(p) = p.filter(|_| !inst.answers.is_accepted(self.units[u].members[0])) else {
                continue;
            };
            let in_la = self.units[u]
                .members
                .iter()
                .filter(|&&m| inst.children[m].la == la)
                .count();
            cheapest.extend(std::iter::repeat_n(p, in_la));
        }
        cheapest.sort_by(f64::total_cmp);
        let mut spend = 0.0;
        let k = cheapest
            .iter()
            .take_while(|&&p| {
                spend += p;
                spend <= b + 1e-9
            })
            .count();
        (k < cheapest.len()).then_some(k)
    }

    /// Solo: Σ_{k≠s} size_k·y_kj + V_j·y_sj ≤ V_j, for solo unit `s` at home `h`.
    pub fn solo_row(&self, inst: &Instance, s: usize, h: usize) -> (RowKey, f64, f64) {
        (
            RowKey::Solo(s, h),
            f64::NEG_INFINITY,
            inst.batch.homes[h].vacancies as f64,
        )
    }

    /// Coefficient of unit `u`'s column at `h` in solo unit `s`'s row there.
    pub fn solo_coef(&self, inst: &Instance, s: usize, u: usize, h: usize) -> f64 {
        if s == u {
            inst.batch.homes[h].vacancies as f64
        } else {
            self.size(u) as f64
        }
    }

    /// In-batch conflict: y_aj + y_bj ≤ 1 (coefficient 1 for both).
    pub fn conflict_row(&self, a: usize, b: usize, h: usize) -> (RowKey, f64, f64) {
        (RowKey::Conflict(a.min(b), a.max(b), h), f64::NEG_INFINITY, 1.0)
    }

    /// The static rows a candidate column enters and its coefficient in each: the model's
    /// meaning for one (unit, home) pair.
    pub fn entries(&self, inst: &Instance, k: usize, idx: &RowIndex, out: &mut Vec<(usize, f64)>) {
        out.clear();
        let c = &self.cands[k];
        let (u, h) = (c.unit, c.home);
        let size = self.size(u) as f64;
        let home = &inst.batch.homes[h];
        let p = inst.homes[h].provider;
        let mut push = |row: Option<&usize>, coef: f64| {
            if let Some(&r) = row {
                out.push((r, coef));
            }
        };
        push(idx.assign.get(&u), 1.0);
        push(idx.capacity.get(&h), self.bed_use(inst, u, h) as f64);
        // b_j ≤ Σ min(size, block beds)·x: the same integer points as Σ size·x (b_j is capped at
        // the block beds anyway), but a sibling group half-placed no longer buys a whole
        // block bed in the LP.
        push(idx.block.get(&h), -size.min(home.block_vacancies as f64));
        push(idx.admissions.get(&p), self.admission_use(inst, u) as f64);
        if let Some(d) = &inst.batch.providers[p].volume_discount {
            push(
                idx.discount_value.get(&h),
                -size * home.weekly_price * d.percent / 100.0,
            );
            push(idx.discount_count.get(&p), size);
            // The provider's other homes' discounts need this placement among their n.
            for &(h2, r) in idx.discount_others.get(&p).into_iter().flatten() {
                if h2 != h {
                    let cap = Self::discount_cap(inst, h2).expect("discount row");
                    push(Some(&r), -cap * size);
                }
            }
        }
        for &(r, coef, threshold) in idx.budget_alone.get(&u).into_iter().flatten() {
            if size * home.weekly_price > threshold + 1e-9 {
                push(Some(&r), coef as f64);
            }
        }
        // Budgets count list prices per member's responsible authority (an accepted unit's
        // spend is taken off the budget instead).
        let budgeted = !inst.answers.is_accepted(self.units[u].members[0]);
        for &m in self.units[u].members.iter().filter(|_| budgeted) {
            let la = inst.children[m].la.as_str();
            push(idx.budget.get(la), home.weekly_price);
            push(idx.budget_count.get(la), 1.0);
        }
        // Several members of one authority: merge their entries into one coefficient.
        if self.units[u].members.len() > 1 {
            out.sort_by_key(|e| e.0);
            let mut merged: Vec<(usize, f64)> = Vec::with_capacity(out.len());
            for &(r, v) in out.iter() {
                match merged.last_mut() {
                    Some(last) if last.0 == r => last.1 += v,
                    _ => merged.push((r, v)),
                }
            }
            *out = merged;
        }
    }

    /// The most a home's volume discount can be worth in one batch (its switch row's
    /// coefficient): the discount on every vacancy filled. None if its provider has none.
    pub fn discount_cap(inst: &Instance, h: usize) -> Option<f64> {
        let d = inst.batch.providers[inst.homes[h].provider].volume_discount.as_ref()?;
        let home = &inst.batch.homes[h];
        Some(home.weekly_price * d.percent / 100.0 * home.vacancies as f64)
    }

    /// The homes where a component has a candidate, ascending.
    pub(super) fn component_homes(&self, comp: &Component) -> Vec<usize> {
        let mut homes: Vec<usize> = comp.cands.iter().map(|&k| self.cands[k].home).collect();
        homes.sort_unstable();
        homes.dedup();
        homes
    }
}

/// Where each static row sits, for fast lookup while building columns.
#[derive(Debug, Clone, Default)]
pub struct RowIndex {
    /// Unit → assignment row.
    pub assign: HashMap<usize, usize>,
    /// Home → capacity row.
    pub capacity: HashMap<usize, usize>,
    /// Home → block-bed row.
    pub block: HashMap<usize, usize>,
    /// Provider → admissions row.
    pub admissions: HashMap<usize, usize>,
    /// Home → discount value row.
    pub discount_value: HashMap<usize, usize>,
    /// Home → discount switch row.
    pub discount_switch: HashMap<usize, usize>,
    /// Provider → (home, discount-needs-others row), ascending by home.
    pub discount_others: HashMap<usize, Vec<(usize, usize)>>,
    /// Provider → discount count row.
    pub discount_count: HashMap<usize, usize>,
    /// Authority → budget row.
    pub budget: HashMap<String, usize>,
    /// Authority → budget count row.
    pub budget_count: HashMap<String, usize>,
    /// Unit → its "alone" rows: (row, coefficient, the spend above which a home enters it).
    pub budget_alone: HashMap<usize, Vec<(usize, usize, f64)>>,
}

impl RowIndex {
    /// Indexes a list of rows.
    pub fn new(rows: &[(RowKey, f64, f64)]) -> RowIndex {
        let mut ix = RowIndex::default();
        for (i, (key, _, _)) in rows.iter().enumerate() {
            match key {
                RowKey::Assign(u) => drop(ix.assign.insert(*u, i)),
                RowKey::Capacity(h) => drop(ix.capacity.insert(*h, i)),
                RowKey::Block(h) => drop(ix.block.insert(*h, i)),
                RowKey::Admissions(p) => drop(ix.admissions.insert(*p, i)),
                RowKey::DiscountValue(h) => drop(ix.discount_value.insert(*h, i)),
                RowKey::DiscountSwitch(h) => drop(ix.discount_switch.insert(*h, i)),
                RowKey::DiscountOthers(p, h) => ix.discount_others.entry(*p).or_default().push((*h, i)),
                RowKey::DiscountCount(p) => drop(ix.discount_count.insert(*p, i)),
                RowKey::Budget(la) => drop(ix.budget.insert(la.clone(), i)),
                RowKey::BudgetCount(la) => drop(ix.budget_count.insert(la.clone(), i)),
                RowKey::BudgetAlone(_, u, coef, bits) => {
                    ix.budget_alone
                        .entry(*u)
                        .or_default()
                        .push((i, *coef, f64::from_bits(*bits)))
                }
                RowKey::Solo(..) | RowKey::Conflict(..) | RowKey::Cover(_) => {}
            }
        }
        ix
    }
}

/// A row of the model, named by what it means.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowKey {
    /// Unit placed once or unplaced.
    Assign(usize),
    /// Home capacity.
    Capacity(usize),
    /// Block beds used at a home ≤ children placed there.
    Block(usize),
    /// Solo unit at a home.
    Solo(usize, usize),
    /// Two conflicting units (lower index first) at a home.
    Conflict(usize, usize, usize),
    /// Provider admission limit.
    Admissions(usize),
    /// A home's discount value ≤ the discount earned there.
    DiscountValue(usize),
    /// A home's discount value only when its provider's switch is on.
    DiscountSwitch(usize),
    /// A home's discount value only with n − vacancies placements at the provider's other
    /// homes: (n − V_j)·w_j ≤ d_j·V_j·Σ_{other homes} size·y (implied for integer points, as
    /// a discount needs n children and at most V_j are at j; it tightens the LP, where a
    /// lone placement otherwise earned a fraction of its discount). Homes with V_j < n only.
    /// (Provider, home.)
    DiscountOthers(usize, usize),
    /// Switch on only with enough placements.
    DiscountCount(usize),
    /// Authority weekly budget.
    Budget(String),
    /// At most this many of an authority's children fit its budget (implied; tightens the LP).
    BudgetCount(String),
    /// A unit at a home too dear to leave room for the rest of its budget group leaves them
    /// unplaced (implied; tightens the LP): (budget index, unit, others in the group, the
    /// price threshold's f64 bits).
    BudgetAlone(usize, usize, usize, u64),
    /// A cover cut on a capacity or admission row (implied at integer points; tightens the
    /// LP where sibling groups fill a row's last beds by halves), named by its own row number.
    Cover(usize),
}
