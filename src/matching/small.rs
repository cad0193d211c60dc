//! Exact depth-first branch-and-bound for **small** components, without HiGHS.
//!
//! Regret needs one re-solve per alternative: on a component of a dozen units with side
//! constraints the LP relaxation is fractional, so each of those was a HiGHS MIP whose fixed
//! overhead (10–20 ms) dwarfed the problem. Here the same model (SPEC §6) is searched
//! directly: each unit takes one of its eligible candidates or stays unplaced; feasibility is
//! [`Usage`] (the rules the greedy start and the matching rules use), the objective of a
//! complete assignment is [`Formulation::objective_of`], and subtrees are pruned with a valid
//! lower bound. A node budget keeps it honest: past it the search gives up and the caller
//! solves with HiGHS as before.

use std::collections::HashMap;
use std::time::Instant;

use crate::matching::model::{Component, Formulation};
use crate::matching::usage::Usage;
use crate::pair::instance::Instance;

/// A solution replaces the incumbent only when better by more than this.
const EPS: f64 = 1e-9;

/// Largest component (in units) the search is tried on by default.
pub const DEFAULT_MAX_UNITS: usize = 20;

/// Nodes a search may visit before giving up (a few hundred milliseconds at worst).
pub const DEFAULT_NODE_BUDGET: usize = 200_000;

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub enum Small {
    /// A proven optimum below the cutoff: its objective and each component unit's candidate.
    Optimal {
        /// Objective ([`Formulation::objective_of`]).
        objective: f64,
        /// Chosen candidate per component unit (None = unplaced).
        choice: Vec<Option<usize>>,
    },
    /// Proven: no assignment is below the cutoff by more than 1e-9.
    NotBelow,
    /// The forced candidate breaks a side rule even with everyone else unplaced.
    Infeasible,
    /// The node budget (or the deadline) ran out before a proof: solve another way.
    GaveUp,
}

/// One way a unit can go.
#[derive(Debug, Clone, Copy)]
struct Opt {
    /// Candidate, or None for unplaced.
    k: Option<usize>,
    /// The least this option can add to the objective: its cost net of a block bed and its
    /// provider's discount (every rebate it could possibly get).
    least: f64,
    /// What it adds before rebates (pair cost or unplaced cost).
    cost: f64,
    /// Component-local home (unused when unplaced).
    home: usize,
    /// Component-local discount provider, if its provider offers one.
    disc: Option<usize>,
    /// Children in the unit.
    size: i64,
    /// The home's weekly price.
    price: f64,
}

/// A component prepared for repeated searches (the unforced solve and every forced one).
#[derive(Debug, Clone)]
pub struct SmallSolver<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    comp: &'a Component,
    /// Options per component-local unit, least first (ties: candidate order, unplaced last).
    opts: Vec<Vec<Opt>>,
    /// Branching order of component-local units: fewest options first.
    order: Vec<usize>,
    /// Per local home: (block vacancies, weekly price).
    homes: Vec<(i64, f64)>,
    /// Per local discount provider: (min placements, percent).
    discounts: Vec<(i64, f64)>,
    /// Weekly budget per local authority that has one.
    budgets: Vec<f64>,
    /// Per component-local unit: (local authority, members of it), for budget spend.
    unit_las: Vec<Vec<(usize, i64)>>,
    /// Per local authority, the local units with a member in it.
    units_of: Vec<Vec<usize>>,
    /// The last unforced optimum, tried first by later searches.
    hint: Option<Vec<Option<usize>>>,
    /// Nodes a search may visit.
    pub node_budget: usize,
    /// Nodes visited over every search so far.
    pub nodes: usize,
}

impl<'a> SmallSolver<'a> {
    /// Prepares a component's options and branching order.
    pub fn new(inst: &'a Instance, f: &'a Formulation, comp: &'a Component) -> Self {
        let mut home_ix: HashMap<usize, usize> = HashMap::new();
        let mut disc_ix: HashMap<usize, usize> = HashMap::new();
        let mut homes = Vec::new();
        let mut discounts = Vec::new();
        let mut opts = Vec::with_capacity(comp.units.len());
        for &u in &comp.units {
            let size = f.size(u) as i64;
            let mut list: Vec<Opt> = f.unit_cands[u]
                .clone()
                .map(|k| {
                    let c = &f.cands[k];
                    let home = &inst.batch.homes[c.home];
                    let local = *home_ix.entry(c.home).or_insert_with(|| {
                        homes.push((home.block_vacancies.max(0), home.weekly_price));
                        homes.len() - 1
                    });
                    let p = inst.homes[c.home].provider;
                    let d = inst.batch.providers[p].volume_discount.as_ref();
                    let disc = d.map(|d| {
                        *disc_ix.entry(p).or_insert_with(|| {
                            discounts.push((d.min_placements, d.percent));
                            discounts.len() - 1
                        })
                    });
                    let pct = d.map_or(0.0, |d| d.percent);
                    let block = if home.block_vacancies > 0 { 1.0 } else { 0.0 };
                    Opt {
                        k: Some(k),
                        least: c.cost - size as f64 * home.weekly_price * (block + pct / 100.0),
                        cost: c.cost,
                        home: local,
                        disc,
                        size,
                        price: home.weekly_price,
                    }
                })
                .collect();
            list.push(Opt {
                k: None,
                least: f.unplaced[u],
                cost: f.unplaced[u],
                home: 0,
                disc: None,
                size,
                price: 0.0,
            });
            list.sort_by(|a, b| {
                a.least
                    .total_cmp(&b.least)
                    .then(a.k.unwrap_or(usize::MAX).cmp(&b.k.unwrap_or(usize::MAX)))
            });
            opts.push(list);
        }
        // The formulation's budget indices, renumbered for the component's own authorities.
        let mut budget_ix: HashMap<usize, usize> = HashMap::new();
        let mut budgets = Vec::new();
        let unit_las: Vec<Vec<(usize, i64)>> = comp
            .units
            .iter()
            .map(|&u| {
                f.unit_budgets[u]
                    .iter()
                    .map(|&(b, m)| {
                        let a = *budget_ix.entry(b).or_insert_with(|| {
                            budgets.push(f.budgets[b]);
                            budgets.len() - 1
                        });
                        (a, m)
                    })
                    .collect()
            })
            .collect();
        // Only units with a member in an authority spend on its budget (or see its λ).
        let mut units_of = vec![Vec::new(); budgets.len()];
        for (l, las) in unit_las.iter().enumerate() {
            for &(a, _) in las {
                units_of[a].push(l);
            }
        }
        let mut order: Vec<usize> = (0..comp.units.len()).collect();
        // Fewest options first (measured on the example: 6× fewer nodes than most-to-lose
        // first); then most to lose by staying unplaced.
        let gain = |i: usize| f.unplaced[comp.units[i]] - opts[i][0].least;
        order.sort_by(|&a, &b| {
            opts[a]
                .len()
                .cmp(&opts[b].len())
                .then(gain(b).total_cmp(&gain(a)))
                .then(a.cmp(&b))
        });
        SmallSolver {
            inst,
            f,
            comp,
            opts,
            order,
            homes,
            discounts,
            budgets,
            unit_las,
            units_of,
            hint: None,
            node_budget: DEFAULT_NODE_BUDGET,
            nodes: 0,
        }
    }

    /// The optimum of the component below `cutoff`, with candidate `forced` (if any) placed.
    ///
    /// `Optimal` is a proven optimum of the whole model (to 1e-9); `NotBelow` proves nothing is
    /// below `cutoff − 1e-9`; `GaveUp` proves nothing. The last unforced optimum, once found,
    /// is tried first at every unit of later (forced) searches, so a good incumbent comes
    /// early; it changes the work, not the optimum's value. Ties go to the first assignment
    /// met in a fixed search order, so the answer is deterministic for a given sequence of
    /// calls.
    pub fn solve(&mut self, forced: Option<usize>, cutoff: f64, deadline: Option<Instant>) -> Small {
        let hint = self.hint.take();
        let found = self.search(forced, cutoff, hint.as_deref(), deadline);
        self.hint = match (&found, forced) {
            (Small::Optimal { choice, .. }, None) => Some(choice.clone()),
            _ => hint,
        };
        found
    }

    fn search(
        &mut self,
        forced: Option<usize>,
        cutoff: f64,
        hint: Option<&[Option<usize>]>,
        deadline: Option<Instant>,
    ) -> Small {
        let (inst, f) = (self.inst, self.f);
        let n = self.comp.units.len();
        // The forced unit is decided first, with its one option.
        let forced_at = forced.map(|k| {
            let local = self
                .comp
                .units
                .iter()
                .position(|&u| u == f.cands[k].unit)
                .expect("forced candidate in the component");
            let at = self.opts[local]
                .iter()
                .position(|o| o.k == Some(k))
                .expect("forced candidate among the unit's options");
            (local, at)
        });
        if let Some(k) = forced {
            if !Usage::default().fits(inst, f, k) {
                return Small::Infeasible;
            }
        }
        let mut order = Vec::with_capacity(n);
        order.extend(forced_at.map(|(l, _)| l));
        order.extend(
            self.order
                .iter()
                .copied()
                .filter(|&l| forced_at.is_none_or(|(fl, _)| fl != l)),
        );
        // The options each unit may take, as index ranges into `opts` plus the hinted one first.
        let allowed: Vec<Vec<usize>> = (0..n)
            .map(|l| match forced_at {
                Some((fl, at)) if fl == l => vec![at],
                _ => {
                    let hinted = hint
                        .and_then(|h| self.opts[l].iter().position(|o| o.k == h[l]))
                        .unwrap_or(0);
                    std::iter::once(hinted)
                        .chain((0..self.opts[l].len()).filter(|&i| i != hinted))
                        .collect()
                }
            })
            .collect();
        // reach[d][p]: children of order[d..] that could go to discount provider p.
        let mut reach = vec![vec![0i64; self.discounts.len()]; n + 1];
        for d in (0..n).rev() {
            let l = order[d];
            reach[d] = reach[d + 1].clone();
            let mut seen = vec![false; self.discounts.len()];
            for &i in &allowed[l] {
                if let Some(p) = self.opts[l][i].disc {
                    if !seen[p] {
                        seen[p] = true;
                        reach[d][p] += self.opts[l][i].size;
                    }
                }
            }
        }
        let lambda = self.multipliers(&allowed);
        // suffix[d]: Σ over order[d..] of each unit's least option; lag[d]: the same with each
        // option charged λ per pound of budgeted spend.
        let mut suffix = vec![0.0; n + 1];
        let mut lag = vec![0.0; n + 1];
        for d in (0..n).rev() {
            let l = order[d];
            suffix[d] = suffix[d + 1] + self.unit_least(&allowed, l, &[]);
            lag[d] = lag[d + 1] + self.unit_least(&allowed, l, &lambda);
        }
        let mut s = Search {
            s: self,
            order,
            allowed,
            suffix,
            lag,
            lambda,
            reach,
            usage: Usage::default(),
            at_home: vec![0; self.homes.len()],
            disc_count: vec![0; self.discounts.len()],
            disc_value: vec![0.0; self.discounts.len()],
            spent: vec![0.0; self.budgets.len()],
            base: 0.0,
            rebate: 0.0,
            choice: vec![None; n],
            best: cutoff,
            best_choice: None,
            nodes: 0,
            deadline,
            gave_up: false,
        };
        // Everyone else unplaced is feasible: a first incumbent before any search.
        let mut start = vec![None; n];
        if let Some((l, at)) = forced_at {
            start[l] = self.opts[l][at].k;
        }
        let trivial = f.objective_of(inst, &self.comp.units, &start);
        if trivial < s.best - EPS {
            s.best = trivial;
            s.best_choice = Some(start);
        }
        let root = s.bound(0, 0.0);
        s.dfs(0);
        crate::debug!(
            "root plain {} lag {} best {} lambda {:?}",
            s.suffix[0],
            root,
            s.best,
            s.lambda
        );
        let (nodes, gave_up, best, choice) = (s.nodes, s.gave_up, s.best, s.best_choice);
        self.nodes += nodes;
        match (gave_up, choice) {
            (true, _) => Small::GaveUp,
            (false, Some(choice)) => Small::Optimal {
                objective: best,
                choice,
            },
            (false, None) => Small::NotBelow,
        }
    }

    /// A lower bound on the optimum with each candidate of the component forced in (the
    /// search's root bound, with the unforced budget multipliers): what regret ranking can
    /// order candidates by and stop at, as it would with LP reduced costs.
    pub fn forced_bounds(&self) -> Vec<(usize, f64)> {
        let n = self.comp.units.len();
        let all: Vec<Vec<usize>> = (0..n).map(|l| (0..self.opts[l].len()).collect()).collect();
        let lambda = self.multipliers(&all);
        let priced: f64 = lambda.iter().zip(&self.budgets).map(|(l, b)| l * b).sum();
        let plain: Vec<f64> = (0..n).map(|l| self.unit_least(&all, l, &[])).collect();
        let lag: Vec<f64> = (0..n).map(|l| self.unit_least(&all, l, &lambda)).collect();
        let (plain_sum, lag_sum): (f64, f64) = (plain.iter().sum(), lag.iter().sum());
        let mut out = Vec::new();
        for l in 0..n {
            for o in &self.opts[l] {
                let Some(k) = o.k else { continue };
                let a = plain_sum - plain[l] + o.least;
                let b = lag_sum - lag[l] + self.charged(l, o, &lambda) - priced;
                out.push((k, a.max(b)));
            }
        }
        out
    }

    /// A unit's least option with every budgeted pound charged at `lambda` (empty = none).
    fn unit_least(&self, allowed: &[Vec<usize>], l: usize, lambda: &[f64]) -> f64 {
        allowed[l]
            .iter()
            .map(|&i| self.charged(l, &self.opts[l][i], lambda))
            .fold(f64::INFINITY, f64::min)
    }

    /// An option's least value plus its budgeted spend at prices `lambda`.
    fn charged(&self, l: usize, o: &Opt, lambda: &[f64]) -> f64 {
        if lambda.is_empty() || o.k.is_none() {
            return o.least;
        }
        o.least
            + self.unit_las[l]
                .iter()
                .map(|&(a, m)| lambda[a] * m as f64 * o.price)
                .sum::<f64>()
    }

    /// Budget multipliers λ ≥ 0 for the Lagrangian bound Σ_units min_option(least + λ·spend)
    /// − λ·budget: valid for any λ ≥ 0 (weak duality), tightest where the spend of the
    /// minimising options meets the budget, found by bisection on that slope per authority.
    fn multipliers(&self, allowed: &[Vec<usize>]) -> Vec<f64> {
        let mut lambda = vec![0.0; self.budgets.len()];
        // Slope of the bound in λ_a: spend on `a` of every unit's minimising option − budget.
        let slope = |lambda: &[f64], a: usize| -> f64 {
            let mut spend = 0.0;
            for &l in &self.units_of[a] {
                let options = &allowed[l];
                // Each option charged once (a comparator would charge both sides every time).
                let mut best: Option<(f64, &Opt)> = None;
                for o in options.iter().map(|&i| &self.opts[l][i]) {
                    let c = self.charged(l, o, lambda);
                    if best.is_none_or(|(b, _)| c.total_cmp(&b).is_lt()) {
                        best = Some((c, o));
                    }
                }
                if let Some((_, o)) = best.filter(|(_, o)| o.k.is_some()) {
                    spend += self.unit_las[l]
                        .iter()
                        .filter(|e| e.0 == a)
                        .map(|&(_, m)| m as f64 * o.price)
                        .sum::<f64>();
                }
            }
            spend - self.budgets[a]
        };
        for _round in 0..2 {
            for a in 0..self.budgets.len() {
                lambda[a] = 0.0;
                if slope(&lambda, a) <= 0.0 {
                    continue; // the budget does not bind in the relaxation
                }
                let (mut lo, mut hi) = (0.0, 1.0);
                lambda[a] = hi;
                while slope(&lambda, a) > 0.0 && hi < 1e6 {
                    lo = hi;
                    hi *= 2.0;
                    lambda[a] = hi;
                }
                // To a millionth: the bound moves by at most that times the spend (pounds a
                // week), and a looser λ costs nodes, never correctness.
                for _ in 0..40 {
                    if hi - lo <= 1e-6 * hi.max(1.0) {
                        break;
                    }
                    let mid = 0.5 * (lo + hi);
                    lambda[a] = mid;
                    if slope(&lambda, a) > 0.0 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                lambda[a] = 0.5 * (lo + hi);
            }
        }
        lambda
    }
}

/// The state of one depth-first search.
struct Search<'s, 'a> {
    s: &'s SmallSolver<'a>,
    order: Vec<usize>,
    /// Option indices each unit may take, in the order tried.
    allowed: Vec<Vec<usize>>,
    suffix: Vec<f64>,
    lag: Vec<f64>,
    lambda: Vec<f64>,
    reach: Vec<Vec<i64>>,
    usage: Usage,
    /// Children placed per local home, and per discount provider (with their discount value).
    at_home: Vec<i64>,
    disc_count: Vec<i64>,
    disc_value: Vec<f64>,
    /// Budgeted spend per local authority.
    spent: Vec<f64>,
    /// Σ costs of decided units, and the block-bed rebate they earn.
    base: f64,
    rebate: f64,
    choice: Vec<Option<usize>>,
    best: f64,
    best_choice: Option<Vec<Option<usize>>>,
    nodes: usize,
    deadline: Option<Instant>,
    gave_up: bool,
}

impl Search<'_, '_> {
    /// A lower bound on the objective of the decided units at depth `d`, whatever the rest do:
    /// every discount still reachable counted as earned. Exact at a leaf.
    fn partial(&self, d: usize) -> f64 {
        let mut v = self.base - self.rebate;
        for (p, &(min, _)) in self.s.discounts.iter().enumerate() {
            if self.disc_count[p] + self.reach[d][p] >= min {
                v -= self.disc_value[p];
            }
        }
        v
    }

    /// The best lower bound at depth `d`: decided part plus the larger of the plain and the
    /// budget-priced bounds on the rest.
    fn bound(&self, d: usize, partial: f64) -> f64 {
        let priced: f64 = self
            .lambda
            .iter()
            .zip(&self.s.budgets)
            .zip(&self.spent)
            .map(|((l, b), s)| l * (b - s))
            .sum();
        partial + self.suffix[d].max(self.lag[d] - priced)
    }

    fn dfs(&mut self, d: usize) {
        self.nodes += 1;
        if self.nodes > self.s.node_budget
            || (self.nodes.is_multiple_of(1024) && self.deadline.is_some_and(|t| Instant::now() >= t))
        {
            self.gave_up = true;
        }
        if self.gave_up {
            return;
        }
        let partial = self.partial(d);
        if self.bound(d, partial) >= self.best - EPS {
            return;
        }
        let n = self.order.len();
        if d == n {
            let (s, units) = (self.s, &self.s.comp.units);
            let objective = s.f.objective_of(s.inst, units, &self.choice);
            debug_assert!((objective - partial).abs() <= 1e-6, "{objective} vs {partial}");
            if objective < self.best - EPS {
                self.best = objective;
                self.best_choice = Some(self.choice.clone());
            }
            return;
        }
        let l = self.order[d];
        let rest = self.suffix[d + 1];
        let s = self.s;
        for j in 0..self.allowed[l].len() {
            let o = &s.opts[l][self.allowed[l][j]];
            // After the first (hinted) one, options come sorted by `least`, and the decided part
            // can only rise by at least that much: nothing further down can beat the incumbent.
            if partial + o.least + rest >= self.best - EPS {
                if j == 0 {
                    continue;
                }
                break;
            }
            if self.gave_up {
                break;
            }
            let Some(k) = o.k else {
                let saved = self.base;
                self.base += o.cost;
                self.choice[l] = None;
                self.dfs(d + 1);
                self.base = saved;
                continue;
            };
            if !self.usage.fits(s.inst, s.f, k) {
                continue;
            }
            let saved = (
                self.base,
                self.rebate,
                o.disc.map(|p| self.disc_value[p]),
                self.spent.clone(),
            );
            self.usage.take(s.inst, s.f, k);
            let (block, price) = s.homes[o.home];
            let before = self.at_home[o.home];
            self.at_home[o.home] += o.size;
            self.base += o.cost;
            self.rebate += price * ((before + o.size).min(block) - before.min(block)) as f64;
            if let Some(p) = o.disc {
                self.disc_count[p] += o.size;
                self.disc_value[p] += o.size as f64 * o.price * s.discounts[p].1 / 100.0;
            }
            for &(a, m) in &s.unit_las[l] {
                self.spent[a] += m as f64 * o.price;
            }
            self.choice[l] = Some(k);
            self.dfs(d + 1);
            self.choice[l] = None;
            if let (Some(p), Some(v)) = (o.disc, saved.2) {
                self.disc_count[p] -= o.size;
                self.disc_value[p] = v;
            }
            self.at_home[o.home] = before;
            (self.base, self.rebate, self.spent) = (saved.0, saved.1, saved.3);
            self.usage.untake(s.inst, s.f, k);
        }
    }
}
