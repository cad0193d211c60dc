//! Step 5, **model**: the mixed-integer programme of SPEC §6, in one place.
//!
//! One column per eligible (unit, home) pair, where a unit is a child or a
//! kept-together sibling group (so "siblings share every x" holds by construction).
//! Units that cannot interact — no shared home, provider limit, discount or budget —
//! fall into separate components, each an independent, smaller MIP.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use petgraph::unionfind::UnionFind;
use rayon::prelude::*;

use crate::pair::cost::{terms, unplaced_cost, Terms};
use crate::pair::eligibility::{children_conflict, eligible_km, evaluate, pair_km, units, Reasons, Unit};
use crate::pair::instance::Instance;

/// An eligible (unit, home) pair: one column.
///
/// Kept to three words: a large batch has hundreds of thousands of these, so the cost terms
/// and distances are recomputed on demand ([`Formulation::member_terms`]) for the few pairs
/// an explanation shows, instead of being stored per pair.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Unit index.
    pub unit: usize,
    /// Home index.
    pub home: usize,
    /// Cost of placing the whole unit there (sum of members' terms).
    pub cost: f64,
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
    /// Eligible (child, home) pairs, stored or not.
    pub eligible_pairs: usize,
    /// Per unit, how many homes it is eligible at, stored or not (a regret search for a child
    /// with fewer homes than alternatives asked for stops once it has priced them all).
    pub unit_eligible: Vec<usize>,
    /// Per unit, the cheapest cost among its eligible pairs that are *not* stored in `cands`
    /// at plain homes (not [`Formulation::special_home`]); +∞ when there are none: what
    /// pricing and regret need to prove the unstored pairs cannot matter. See
    /// [`Formulation::build_with`].
    pub floor: Vec<f64>,
    /// The same at special homes, each pair's cost less the most its rebates can give
    /// ([`Formulation::rebate`]): rows there can lower a reduced cost, or are missing from
    /// a graph that prices only capacities, so these are bounded apart (a pure assignment
    /// has none).
    pub special_floor: Vec<f64>,
    /// Per unit, the cheapest list price among its eligible homes, stored or not (+∞ if it
    /// has none): the budget rows' implied limits count on it.
    pub min_price: Vec<f64>,
    /// Weekly budgets of the batch's responsible authorities that have one, by budget index
    /// (authorities in code order).
    pub budgets: Vec<f64>,
    /// Per unit, (budget index, members whose authority it is): a unit's budgeted spend
    /// without a string lookup per member (the small-component search checks it at every node).
    pub unit_budgets: Vec<Vec<(usize, i64)>>,
}

/// Pairs a solve keeps in memory: a national what-if has ~10⁸ eligible pairs, far more than
/// any solve needs, so beyond this many each unit keeps only its cheapest pairs.
pub const PAIR_BUDGET: usize = 4_000_000;

/// Candidate pairs (children × homes) beyond which a batch with side rules is pruned like a
/// pure assignment. The regional backlog (1,000 × 10,000, 2.3 million eligible) keeps every
/// pair: pruned to 4,000 per child, its 10-second answer was 822,278.76–823,167.45 over five
/// runs against 821,267.95–822,158.62 (its restricted MIPs see fewer pairs).
pub const SIDE_RULES_PAIRS: usize = 10 * PAIR_BUDGET;

/// Fewest pairs a unit keeps when pairs are pruned.
pub const MIN_KEEP: usize = 64;

impl Formulation {
    /// Finds and stores every eligible pair, and the components.
    pub fn build(inst: &Instance) -> Formulation {
        Formulation::build_with(inst, usize::MAX, &[])
    }

    /// How many pairs per unit a solve of this batch keeps: all of them while they fit
    /// [`PAIR_BUDGET`]; otherwise each unit's cheapest share of it. An unstored pair's
    /// reduced cost is at least its unit's floor minus the unit's dual (capacity, admission,
    /// budget, solo and conflict rows only add to it); at a home with a rebate, at least its
    /// special floor minus the dual and whatever the block-bed and discount rows' duals give
    /// beyond the rebate itself (usually nothing). That lets pricing and regret prove the
    /// unstored pairs irrelevant without storing them, or ask for them where they are not.
    ///
    /// A batch with side rules is pruned only beyond [`SIDE_RULES_PAIRS`]: below that its
    /// eligible pairs fit in memory anyway, and the time-limited search's restricted MIPs
    /// find better answers over all of them.
    pub fn keep_for(inst: &Instance) -> usize {
        let b = &inst.batch;
        let pairs = b.children.len().saturating_mul(b.homes.len());
        let limit = if Formulation::pure_assignment(inst) {
            PAIR_BUDGET
        } else {
            SIDE_RULES_PAIRS
        };
        if pairs <= limit {
            usize::MAX
        } else {
            (PAIR_BUDGET / b.children.len().max(1)).max(MIN_KEEP)
        }
    }

    /// The most a unit of `size` children placed at home `h` can get back in rebates: the
    /// block beds it fills and its provider's volume discount on each member.
    pub fn rebate(inst: &Instance, h: usize, size: usize) -> f64 {
        let (block, discount) = Formulation::rebate_parts(inst, h, size);
        inst.batch.homes[h].weekly_price * block + size as f64 * discount
    }

    /// The parts of [`Formulation::rebate`]: block beds a unit of `size` fills at home `h`,
    /// and its provider's volume discount per member (£ per week, 0 without one).
    pub fn rebate_parts(inst: &Instance, h: usize, size: usize) -> (f64, f64) {
        let home = &inst.batch.homes[h];
        let pct = inst.batch.providers[inst.homes[h].provider]
            .volume_discount
            .as_ref()
            .map_or(0.0, |d| d.percent);
        (
            size.min(home.block_vacancies.max(0) as usize) as f64,
            home.weekly_price * pct / 100.0,
        )
    }

    /// Whether a home has rows beyond its capacity: block beds, or a provider with a volume
    /// discount or an admission limit.
    pub fn special_home(inst: &Instance, h: usize) -> bool {
        let p = &inst.batch.providers[inst.homes[h].provider];
        inst.batch.homes[h].block_vacancies > 0 || p.volume_discount.is_some() || p.max_admissions.is_some()
    }

    /// Whether every eligible pair of unit `u` is stored.
    pub fn complete(&self, u: usize) -> bool {
        self.floor[u].is_infinite() && self.special_floor[u].is_infinite()
    }

    /// The least a lone unit `u` at an unstored pair can add to the objective (its cost less
    /// every rebate it could get); +∞ when every pair is stored.
    pub fn unstored_least(&self, u: usize) -> f64 {
        self.floor[u].min(self.special_floor[u])
    }

    /// Whether a batch is a pure assignment: single children, capacities only (no siblings,
    /// solo, conflicts, block beds, admission limits, discounts or budgets).
    pub fn pure_assignment(inst: &Instance) -> bool {
        let b = &inst.batch;
        b.children
            .iter()
            .all(|c| c.sibling_group.is_none() && !c.requires_solo && c.incompatible_risks.is_empty())
            && b.homes.iter().all(|h| h.block_vacancies == 0)
            && b.providers
                .iter()
                .all(|p| p.max_admissions.is_none() && p.volume_discount.is_none())
            && inst.children.iter().all(|c| inst.policy.budget_for(&c.la).is_none())
    }

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
            .map(|u| u.members.iter().map(|&m| unplaced_cost(inst, m)).sum())
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
        let mut home_cands = vec![Vec::new(); inst.batch.homes.len()];
        for (k, c) in cands.iter().enumerate() {
            home_cands[c.home].push(k);
        }
        let conflicts = unit_conflicts(inst, &units);
        let (budgets, unit_budgets) = unit_budgets(inst, &units);
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
            unit_budgets,
        };
        f.components = f.find_components(inst, links);
        f
    }

    /// Cost of placing unit `u` at home `h` (sum of its members' terms), if eligible: the
    /// same scan as building the model, for a pair that was not stored.
    pub fn unit_cost_at(&self, inst: &Instance, u: usize, h: usize) -> Option<f64> {
        let unit = &self.units[u];
        let size = unit.members.len();
        if unit.blocked.is_some() || (inst.batch.homes[h].vacancies as usize) < size {
            return None;
        }
        members_cost(inst, unit, h)
    }

    /// Cost terms and km of one member (by position in its unit) at any home.
    pub fn member_terms_at(&self, inst: &Instance, u: usize, h: usize, member_ix: usize) -> (Terms, f64) {
        let m = self.units[u].members[member_ix];
        let km = pair_km(inst, m, h);
        (terms(inst, m, h, km), km)
    }

    /// Cost terms and km of one member (by position in its unit) at a candidate's home.
    pub fn member_terms(&self, inst: &Instance, k: usize, member_ix: usize) -> (Terms, f64) {
        let c = &self.cands[k];
        self.member_terms_at(inst, c.unit, c.home, member_ix)
    }

    /// [`Self::unit_lower_bound`] summed over `units`: a lower bound on their part of the
    /// objective whatever else holds (each at its cheapest).
    pub fn units_lower_bound(&self, inst: &Instance, units: &[usize]) -> f64 {
        units.iter().map(|&u| self.unit_lower_bound(inst, u)).sum()
    }

    /// A lower bound on what a unit can add to the objective, whatever the others do: its
    /// cheapest option with every rebate it could possibly get (a block bed, its provider's
    /// discount), or staying unplaced. Used where no solver bound is available.
    pub fn unit_lower_bound(&self, inst: &Instance, u: usize) -> f64 {
        self.unit_cands[u]
            .clone()
            .map(|k| {
                let c = &self.cands[k];
                c.cost - Formulation::rebate(inst, c.home, self.size(u))
            })
            .fold(self.unplaced[u].min(self.unstored_least(u)), f64::min)
    }

    /// The SPEC §6 objective of a complete assignment of `units` (`choice[i]` is the candidate
    /// of `units[i]`, None = unplaced): Σ pair costs − block-bed rebates (each home's
    /// `weekly_price` × min(children placed, `block_vacancies`)) − volume discounts (`percent`% of
    /// `weekly_price` off each of a provider's placements once it has `min_placements` children),
    /// plus Σ unplaced costs. The MIP's meaning as one function, for solvers that enumerate
    /// assignments instead of building rows ([`crate::matching::small`]). Side rules are not checked here.
    pub fn objective_of(&self, inst: &Instance, units: &[usize], choice: &[Option<usize>]) -> f64 {
        let mut total = 0.0;
        let mut at_home: BTreeMap<usize, i64> = BTreeMap::new();
        let mut at_provider: BTreeMap<usize, (i64, f64)> = BTreeMap::new();
        for (&u, &c) in units.iter().zip(choice) {
            let Some(k) = c else {
                total += self.unplaced[u];
                continue;
            };
            let c = &self.cands[k];
            debug_assert_eq!(c.unit, u, "candidate of another unit");
            let size = self.size(u) as i64;
            total += c.cost;
            *at_home.entry(c.home).or_default() += size;
            let e = at_provider.entry(inst.homes[c.home].provider).or_default();
            e.0 += size;
            e.1 += size as f64 * inst.batch.homes[c.home].weekly_price;
        }
        for (h, n) in at_home {
            let home = &inst.batch.homes[h];
            total -= home.weekly_price * n.min(home.block_vacancies).max(0) as f64;
        }
        for (p, (n, list)) in at_provider {
            if let Some(d) = &inst.batch.providers[p].volume_discount {
                if n >= d.min_placements {
                    total -= list * d.percent / 100.0;
                }
            }
        }
        total
    }

    /// Whether candidate `k` alone costs more than a budget of its unit's authorities (list
    /// price × members of that authority > weekly budget, with the same tolerance as
    /// [`crate::matching::solver::Usage::fits`]): no placement can use it, though §4 calls it eligible.
    /// The LP could use a fraction of it.
    pub fn over_budget(&self, inst: &Instance, k: usize) -> bool {
        let c = &self.cands[k];
        let price = inst.batch.homes[c.home].weekly_price;
        self.unit_budgets[c.unit]
            .iter()
            .any(|&(b, members)| price * members as f64 > self.budgets[b] + 1e-9)
    }

    /// Number of children in a unit.
    pub fn size(&self, unit: usize) -> usize {
        self.units[unit].members.len()
    }

    /// Components from the scan's links (units that share an eligible home, or an eligible
    /// provider with a provider-wide limit or discount) plus authority budgets.
    fn find_components(&self, inst: &Instance, mut uf: UnionFind<usize>) -> Vec<Component> {
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
        // Σ_i size_i·y_ij ≤ vacancies_j
        rows.extend(
            homes
                .iter()
                .map(|&h| (RowKey::Capacity(h), f64::NEG_INFINITY, homes_b[h].vacancies as f64)),
        );
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
            if let Some(m) = pr.max_admissions {
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
            if let Some(b) = inst.policy.budget_for(la) {
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
    fn budget_alone_rows(&self, inst: &Instance, comp: &Component) -> Vec<(RowKey, f64, f64)> {
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
    fn budget_count(
        &self,
        inst: &Instance,
        comp: &Component,
        unit_cheapest: &[Option<f64>],
        la: &str,
        b: f64,
    ) -> Option<usize> {
        let mut cheapest: Vec<f64> = Vec::new();
        for (&u, p) in comp.units.iter().zip(unit_cheapest) {
            let Some(p) = *p else {
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

    /// Whether a unit is a lone child who needs a solo placement.
    pub fn is_solo(&self, inst: &Instance, u: usize) -> bool {
        let unit = &self.units[u];
        unit.members.len() == 1 && inst.batch.children[unit.members[0]].requires_solo
    }

    /// The candidate of unit `u` at home `h`, if eligible.
    pub fn cand_at(&self, u: usize, h: usize) -> Option<usize> {
        let r = self.unit_cands[u].clone();
        self.cands[r.clone()]
            .binary_search_by_key(&h, |c| c.home)
            .ok()
            .map(|i| r.start + i)
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
        push(idx.capacity.get(&h), size);
        // b_j ≤ Σ min(size, block beds)·x: the same integer points as Σ size·x (b_j is capped at
        // the block beds anyway), but a sibling group half-placed no longer buys a whole
        // block bed in the LP.
        push(idx.block.get(&h), -size.min(home.block_vacancies as f64));
        push(idx.admissions.get(&p), size);
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
        // Budgets count list prices per member's responsible authority.
        for &m in &self.units[u].members {
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
    fn component_homes(&self, comp: &Component) -> Vec<usize> {
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
                RowKey::Solo(..) | RowKey::Conflict(..) => {}
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
fn members_cost(inst: &Instance, unit: &Unit, h: usize) -> Option<f64> {
    let size = unit.members.len();
    let mut cost = 0.0;
    unit.members
        .iter()
        .all(|&m| {
            eligible_km(inst, m, h, size)
                .inspect(|&km| cost += terms(inst, m, h, km).total())
                .is_some()
        })
        .then_some(cost)
}

/// Whether a home's provider ties its units together (a provider-wide limit or discount).
fn linked_provider(inst: &Instance, h: usize) -> bool {
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

/// Budget index per budgeted authority (in code order) and each unit's members per index.
fn unit_budgets(inst: &Instance, units: &[Unit]) -> (Vec<f64>, Vec<Vec<(usize, i64)>>) {
    let by_la: BTreeMap<&str, f64> = inst
        .children
        .iter()
        .filter_map(|c| Some((c.la.as_str(), inst.policy.budget_for(&c.la)?)))
        .collect();
    let index: HashMap<&str, usize> = by_la.keys().enumerate().map(|(i, &la)| (la, i)).collect();
    let budgets = by_la.into_values().collect();
    let per_unit = units
        .iter()
        .map(|unit| {
            let mut out: Vec<(usize, i64)> = Vec::new();
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
    (budgets, per_unit)
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
