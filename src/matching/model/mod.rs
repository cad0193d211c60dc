//! Step 5, **model**: the mixed-integer programme of SPEC §6, in one place.
//!
//! One column per eligible (unit, home) pair, where a unit is a child or a
//! kept-together sibling group (so "siblings share every x" holds by construction).
//! Units that cannot interact — no shared home, provider limit, discount or budget —
//! fall into separate components, each an independent, smaller MIP.
//!
//! `build.rs` finds the pairs (pruned on a large batch) and the components; `rows.rs` holds
//! the rows and each pair's entries in them.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::pair::cost::{terms, Terms};
use crate::pair::eligibility::{evaluate, pair_km, Reasons, Unit};
use crate::pair::instance::Instance;

mod build;
mod rows;

use build::members_cost;
pub(crate) use build::Cost;
pub use rows::{RowIndex, RowKey};

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
    /// (authorities in code order), less the list prices of their accepted children, which
    /// are settled and count against no budget row.
    pub budgets: Vec<f64>,
    /// Budget index per budgeted authority code.
    pub budget_index: HashMap<String, usize>,
    /// Per unit, (budget index, members whose authority it is): a unit's budgeted spend
    /// without a string lookup per member (the small-component search checks it at every node).
    pub unit_budgets: Vec<Vec<(usize, i64)>>,
}

/// Pairs a solve keeps in memory: a national what-if has ~10⁸ eligible pairs, far more than
/// any solve needs, so beyond this many each unit keeps only its cheapest pairs.
pub const PAIR_BUDGET: usize = 4_000_000;

/// Candidate pairs (children × homes) beyond which a batch with side rules is pruned like a
/// pure assignment. The regional backlog (1,000 × 10,000, 2.3 million eligible) keeps every
/// pair: pruned, its time-limited answers were worse, as its restricted MIPs see fewer pairs
/// (docs/measurements.md, "Figures behind solver choices").
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
    /// solo, conflicts, block beds, admission limits, discounts, budgets, or beds accepted or
    /// held, which a unit in its own bed does not count against).
    pub fn pure_assignment(inst: &Instance) -> bool {
        let b = &inst.batch;
        !inst.answers.reserving()
            && b.children
                .iter()
                .all(|c| c.sibling_group.is_none() && !c.requires_solo && c.incompatible_risks.is_empty())
            && b.homes.iter().all(|h| h.block_vacancies == 0)
            && b.providers
                .iter()
                .all(|p| p.max_admissions.is_none() && p.volume_discount.is_none())
            && inst.children.iter().all(|c| inst.policy.budget_for(&c.la).is_none())
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
    /// [`crate::matching::usage::Usage::fits`]): no placement can use it, though §4 calls it eligible.
    /// The LP could use a fraction of it.
    pub fn over_budget(&self, inst: &Instance, k: usize) -> bool {
        let c = &self.cands[k];
        let price = inst.batch.homes[c.home].weekly_price;
        self.unit_budgets[c.unit]
            .iter()
            .any(|&(b, members)| price * members as f64 > self.budgets[b] + 1e-9)
    }

    /// Children unit `u` counts against the beds open to others at home `h` (the capacity
    /// row): none when it has beds of its own there (accepted or held, `pair::answers`).
    pub fn bed_use(&self, inst: &Instance, u: usize, h: usize) -> i64 {
        if inst.answers.reserves(self.units[u].members[0], h) {
            0
        } else {
            self.size(u) as i64
        }
    }

    /// The beds at home `h` open to units without beds of their own there (the capacity
    /// row's limit): `vacancies` less the beds accepted and held.
    pub fn open_beds(inst: &Instance, h: usize) -> i64 {
        inst.answers.open_beds(h, inst.batch.homes[h].vacancies)
    }

    /// Children unit `u` counts against its provider's admissions: none when it is accepted
    /// (its admissions are taken before anyone else's, [`Formulation::open_admissions`]).
    pub fn admission_use(&self, inst: &Instance, u: usize) -> i64 {
        if inst.answers.is_accepted(self.units[u].members[0]) {
            0
        } else {
            self.size(u) as i64
        }
    }

    /// Provider `p`'s admissions left for the batch's children not accepted with it.
    pub fn open_admissions(inst: &Instance, p: usize) -> Option<i64> {
        let m = inst.batch.providers[p].max_admissions?;
        Some(if inst.answers.any {
            m - inst.answers.provider_accepted[p] as i64
        } else {
            m
        })
    }

    /// Number of children in a unit.
    pub fn size(&self, unit: usize) -> usize {
        self.units[unit].members.len()
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
