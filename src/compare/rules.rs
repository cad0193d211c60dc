//! Matching rules: the optimal model and the rules used in practice, behind one interface.
//!
//! Every rule sees the same eligible pairs and cost terms (the model's [`Formulation`]), keeps
//! the same hard rules and side constraints (SPEC §4, §6), and is scored by the same
//! evaluator ([`evaluate_assignment`]), so their results compare fairly. The heuristic rules
//! place *units* (a child, or a kept-together sibling group) one at a time against one shared
//! feasibility state, [`Usage`]: a unit that would break capacity, a solo or conflict rule, a
//! provider's admissions or its authority's weekly budget at a home skips that home, and a
//! unit with no home left stays unplaced.
//!
//! | rule | who goes first | which home |
//! | --- | --- | --- |
//! | `optimal` | — | the MIP of SPEC §6 (HiGHS) |
//! | `greedy` | urgency, then waiting days (longest first), then id | the cheapest by the full §5 cost |
//! | `nearest` | same | the smallest distance |
//! | `cheapest` | same | the lowest `weekly_price` |
//! | `dps` | same | the best [`dps_score`] among the eligible homes that can still take it |
//! | `stable` | deferred acceptance, see [`Rule::Stable`] | children propose in cost order |
//! | `random` | a seeded shuffle | a seeded random eligible home |
//! | `lookahead` | — | the MIP of SPEC §6 with each bed's expected value to the coming weeks' children added to its cost ([`crate::compare::lookahead`]); without a forecast (as in `bench`) the plain optimum |
//!
//! Ties are broken by id everywhere (the child's, then the home's).

use std::collections::{BTreeMap, VecDeque};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::evaluate_assignment;
use crate::input::batch::Ofsted;
use crate::matching::assemble::{assemble, Answer, Shown};
use crate::matching::bed_values::BedValues;
use crate::matching::explain::diagnose;
use crate::matching::model::Formulation;
use crate::matching::solver::solve_components;
use crate::matching::solver::SolveOptions;
use crate::matching::usage::Usage;
use crate::pair::cost::unmet_need;
use crate::pair::eligibility::pair_km;
use crate::pair::instance::Instance;
use crate::result::format::{MatchResult, ModelStats};

/// A matching rule.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The mixed-integer optimum of SPEC §6.
    Optimal,
    /// Children by urgency, then waiting days, then id; each takes its cheapest home by the full cost.
    Greedy,
    /// Same order; each takes the nearest home.
    Nearest,
    /// Same order; each takes the home with the lowest weekly price.
    Cheapest,
    /// Same order; each shortlists the eligible homes that can still take it by a price-and-Ofsted
    /// score ([`dps_score`]) and takes the best.
    Dps,
    /// Deferred acceptance: units propose to homes in order of their cost; a home (or, where the
    /// provider limits admissions, the provider) holds the units it prefers — fewest unmet
    /// needs plus risks to manage there, then longest waiting, then id — and rejects the rest,
    /// who propose to their next home. Authorities' weekly budgets are applied afterwards, in
    /// urgency order: a unit whose match would break its authority's budget stays unplaced.
    Stable,
    /// A seeded shuffle of the children, each taking a seeded random home: the floor.
    Random,
    /// The MIP of SPEC §6 with bid prices: each free bed's expected opportunity cost to the
    /// children forecast over the coming weeks is added to its cost (a fluid LP over the
    /// scenario's arrival model, [`crate::compare::lookahead`]). `simulate` only: `bench` has
    /// no forecast and refuses it.
    Lookahead,
}

impl Rule {
    /// Every rule, in the order tables list them.
    pub const ALL: [Rule; 7] = [
        Rule::Optimal,
        Rule::Greedy,
        Rule::Nearest,
        Rule::Cheapest,
        Rule::Dps,
        Rule::Stable,
        Rule::Random,
    ];

    /// The rules `simulate` compares by default: every rule, the look-ahead one last.
    pub const SIMULATED: [Rule; 8] = [
        Rule::Optimal,
        Rule::Greedy,
        Rule::Nearest,
        Rule::Cheapest,
        Rule::Dps,
        Rule::Stable,
        Rule::Random,
        Rule::Lookahead,
    ];

    /// The rule's name as written on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Optimal => "optimal",
            Rule::Greedy => "greedy",
            Rule::Nearest => "nearest",
            Rule::Cheapest => "cheapest",
            Rule::Dps => "dps",
            Rule::Stable => "stable",
            Rule::Random => "random",
            Rule::Lookahead => "lookahead",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Weight of price in the DPS score (quality has the rest).
pub const DPS_PRICE_WEIGHT: f64 = 0.6;

/// The DPS score of a home for a child, 0–100, higher is better: as a Dynamic Purchasing
/// System evaluates tenders, 60% price and 40% quality. The price score is
/// 100 × (the lowest weekly price among the child's eligible homes) ÷ (this home's); the quality
/// score is Outstanding 100, Good 80, not yet inspected 50, Requires improvement 30, Inadequate 0.
pub fn dps_score(weekly_price: f64, lowest_price: f64, rating: Ofsted) -> f64 {
    let price = if weekly_price <= 0.0 {
        100.0
    } else {
        100.0 * (lowest_price / weekly_price).min(1.0)
    };
    let quality = match rating {
        Ofsted::Outstanding => 100.0,
        Ofsted::Good => 80.0,
        Ofsted::NotYetInspected => 50.0,
        Ofsted::RequiresImprovement => 30.0,
        Ofsted::Inadequate => 0.0,
    };
    DPS_PRICE_WEIGHT * price + (1.0 - DPS_PRICE_WEIGHT) * quality
}

/// Per child (index into `inst.batch.children`), the chosen home index or None.
/// Deterministic for a given seed (only `random` uses it).
pub fn assign(rule: Rule, inst: &Instance, seed: u64) -> Vec<Option<usize>> {
    assign_with(rule, inst, &Formulation::build(inst), seed)
}

/// [`assign`] with the eligible pairs already built (`Formulation::build(inst)`), so that
/// several rules on one batch share that work.
pub fn assign_with(rule: Rule, inst: &Instance, f: &Formulation, seed: u64) -> Vec<Option<usize>> {
    let (choice, _) = unit_choices(rule, inst, f, seed);
    to_children(inst, f, &choice)
}

/// [`assign`] with bed values added to the day's costs (the `lookahead` rule; any other rule
/// ignores them). Also returns, for the MIP rules, whether every component was solved to
/// proven optimality for the objective it was given.
pub fn assign_valued(
    rule: Rule,
    inst: &Instance,
    seed: u64,
    values: Option<&BedValues>,
) -> (Vec<Option<usize>>, Option<bool>) {
    let mut f = Formulation::build(inst);
    if let (Rule::Lookahead, Some(v)) = (rule, values) {
        v.apply(&mut f);
    }
    let (choice, solved) = unit_choices(rule, inst, &f, seed);
    (to_children(inst, &f, &choice), solved.map(|s| s.0))
}

/// The full result (`placematch/result@1`) of a rule, which the checker accepts: placements
/// with cost terms and km, the summary and objective of [`evaluate_assignment`], no
/// alternatives, and a diagnosis for every unplaced child. Heuristic rules report status
/// `feasible` with a simple lower bound (every unit at its cheapest eligible home with every
/// rebate, or unplaced, ignoring all shared limits).
pub fn run(rule: Rule, inst: &Instance, seed: u64) -> MatchResult {
    let started = std::time::Instant::now();
    let f = Formulation::build(inst);
    let (choice, solved) = unit_choices(rule, inst, &f, seed);
    let assign = to_children(inst, &f, &choice);
    let seconds = started.elapsed().as_secs_f64();
    let eval = evaluate_assignment(inst, &assign);
    let (optimal, bound, model) = match solved {
        Some((optimal, bound, stats)) => (optimal, bound, stats),
        None => (
            false,
            (0..f.units.len()).map(|u| f.unit_lower_bound(inst, u)).sum(),
            ModelStats {
                eligible_pairs: f.eligible_pairs,
                components: f.components.len(),
                units: f.units.len(),
                ..Default::default()
            },
        ),
    };
    let answer = Answer {
        eval,
        assign: &assign,
        optimal,
        bound,
        requested_gap: 0.0,
        solve_seconds: seconds,
        stats: model,
    };
    assemble(
        inst,
        &f,
        answer,
        |c, eval| Shown {
            cost: eval.terms[c].expect("placed").into(),
            distance_km: eval.km[c].expect("placed"),
            alternatives: Vec::new(),
            rank_certain: true,
        },
        |c| {
            let mut d = diagnose(inst, &f, c, &assign, &[], "");
            if !matches!(rule, Rule::Optimal | Rule::Lookahead) && d.blocked.is_none() && d.eligible_homes > 0 {
                d.why = format!(
                    "{} eligible home(s) exist for {} but under the {} rule they went to other children or a batch-wide limit (capacity, solo, conflicts, admissions, budget) ruled them out.",
                    d.eligible_homes,
                    inst.batch.children[c].id,
                    rule.name()
                );
            }
            d
        },
    )
}

/// Chosen candidate per unit, and for `optimal` (optimal, bound, model stats).
#[allow(clippy::type_complexity)]
fn unit_choices(
    rule: Rule,
    inst: &Instance,
    f: &Formulation,
    seed: u64,
) -> (Vec<Option<usize>>, Option<(bool, f64, ModelStats)>) {
    match rule {
        Rule::Optimal | Rule::Lookahead => {
            // The rules' formulation stores every pair, so nothing is left to price back in.
            let (s, _) = solve_components(inst, f, &SolveOptions::default(), None, |_, _, _| ())
                .expect("a complete formulation has no unstored pairs");
            (s.unit_choice, Some((s.optimal, s.bound, s.stats)))
        }
        Rule::Stable => (stable(inst, f), None),
        Rule::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut order: Vec<usize> = (0..f.units.len()).collect();
            order.shuffle(&mut rng);
            let prefs: Vec<Vec<usize>> = (0..f.units.len())
                .map(|u| {
                    let mut ks: Vec<usize> = f.unit_cands[u].clone().collect();
                    ks.shuffle(&mut rng);
                    ks
                })
                .collect();
            (sequential(inst, f, &order, |u| prefs[u].clone()), None)
        }
        Rule::Greedy | Rule::Nearest | Rule::Cheapest | Rule::Dps => {
            let order = queue_order(inst, f);
            let homes = &inst.batch.homes;
            let by_home_id = |a: usize, b: usize| homes[f.cands[a].home].id.cmp(&homes[f.cands[b].home].id);
            let choice = sequential(inst, f, &order, |u| {
                let mut ks: Vec<usize> = f.unit_cands[u].clone().collect();
                match rule {
                    Rule::Greedy => {
                        ks.sort_by(|&a, &b| f.cands[a].cost.total_cmp(&f.cands[b].cost).then(by_home_id(a, b)))
                    }
                    Rule::Nearest => {
                        // Distances are recomputed per pair, so once each rather than per comparison.
                        let mut keyed: Vec<(f64, usize)> = ks.iter().map(|&k| (mean_km(inst, f, k), k)).collect();
                        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(by_home_id(a.1, b.1)));
                        ks = keyed.into_iter().map(|(_, k)| k).collect();
                    }
                    Rule::Cheapest => ks.sort_by(|&a, &b| {
                        let (pa, pb) = (homes[f.cands[a].home].weekly_price, homes[f.cands[b].home].weekly_price);
                        pa.total_cmp(&pb).then(by_home_id(a, b))
                    }),
                    _ => {
                        let lowest = ks
                            .iter()
                            .map(|&k| homes[f.cands[k].home].weekly_price)
                            .fold(f64::INFINITY, f64::min);
                        let score = |k: usize| {
                            let h = f.cands[k].home;
                            dps_score(homes[h].weekly_price, lowest, inst.homes[h].rating)
                        };
                        ks.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(by_home_id(a, b)));
                    }
                }
                ks
            });
            (choice, None)
        }
    }
}

fn mean_km(inst: &Instance, f: &Formulation, k: usize) -> f64 {
    let c = &f.cands[k];
    let members = &f.units[c.unit].members;
    members.iter().map(|&m| pair_km(inst, m, c.home)).sum::<f64>() / members.len().max(1) as f64
}

/// Units first by urgency (their most urgent member), then waiting days (longest first),
/// then id (their smallest member id).
fn queue_order(inst: &Instance, f: &Formulation) -> Vec<usize> {
    let ch = &inst.batch.children;
    let key = |u: usize| {
        let m = &f.units[u].members;
        let urgency = m.iter().map(|&i| ch[i].urgency).min().unwrap_or_default();
        let waiting = m.iter().map(|&i| ch[i].waiting_days).max().unwrap_or(0);
        let id = m.iter().map(|&i| ch[i].id.as_str()).min().unwrap_or("");
        (urgency, std::cmp::Reverse(waiting), id)
    };
    let mut order: Vec<usize> = (0..f.units.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    order
}

/// Units in `order`, each taking the first candidate of its preference list that still fits.
fn sequential(
    inst: &Instance,
    f: &Formulation,
    order: &[usize],
    mut prefs: impl FnMut(usize) -> Vec<usize>,
) -> Vec<Option<usize>> {
    let mut usage = Usage::default();
    let mut choice = vec![None; f.units.len()];
    for &u in order {
        if let Some(k) = prefs(u).into_iter().find(|&k| usage.fits(inst, f, k)) {
            usage.take(inst, f, k);
            choice[u] = Some(k);
        }
    }
    choice
}

/// Deferred acceptance (see [`Rule::Stable`]).
fn stable(inst: &Instance, f: &Formulation) -> Vec<Option<usize>> {
    let ch = &inst.batch.children;
    let homes = &inst.batch.homes;
    // Proposal lists: cheapest by the full cost first, ties by home id.
    let prefs: Vec<Vec<usize>> = (0..f.units.len())
        .map(|u| {
            let mut ks: Vec<usize> = f.unit_cands[u].clone().collect();
            ks.sort_by(|&a, &b| {
                f.cands[a]
                    .cost
                    .total_cmp(&f.cands[b].cost)
                    .then(homes[f.cands[a].home].id.cmp(&homes[f.cands[b].home].id))
            });
            ks
        })
        .collect();
    // A home's preference over units: fewest unmet needs plus risks there, longest waiting, id.
    let priority = |k: usize| {
        let c = &f.cands[k];
        let m = &f.units[c.unit].members;
        let burden: i64 = m
            .iter()
            .map(|&i| unmet_need(inst, i, c.home) + ch[i].risks.len() as i64)
            .sum();
        let waiting = m.iter().map(|&i| ch[i].waiting_days).max().unwrap_or(0);
        let id = m.iter().map(|&i| ch[i].id.as_str()).min().unwrap_or("");
        (burden, std::cmp::Reverse(waiting), id)
    };
    let mut next = vec![0usize; f.units.len()];
    let mut held: Vec<Option<usize>> = vec![None; f.units.len()];
    // Held candidates per acceptor: the provider when it limits admissions, else the home.
    let mut holding: BTreeMap<(bool, usize), Vec<usize>> = BTreeMap::new();
    let acceptor = |h: usize| {
        let p = inst.homes[h].provider;
        if inst.batch.providers[p].max_admissions.is_some() {
            (true, p)
        } else {
            (false, h)
        }
    };
    let mut free: VecDeque<usize> = queue_order(inst, f).into();
    while let Some(u) = free.pop_front() {
        let Some(&k) = prefs[u].get(next[u]) else {
            continue; // no home left to propose to: unplaced
        };
        let key = acceptor(f.cands[k].home);
        let list = holding.entry(key).or_default();
        list.push(k);
        list.sort_by(|&a, &b| priority(a).cmp(&priority(b)).then(a.cmp(&b)));
        // Keep, in preference order, every unit that still fits with those kept before it.
        let mut usage = Usage::default();
        let mut kept = Vec::with_capacity(list.len());
        for &c in list.iter() {
            if usage.fits(inst, f, c) {
                usage.take(inst, f, c);
                kept.push(c);
                held[f.cands[c].unit] = Some(c);
            } else {
                let r = f.cands[c].unit;
                held[r] = None;
                next[r] += 1;
                free.push_back(r);
            }
        }
        *list = kept;
    }
    // Budgets are authority-wide, so they are applied once matching is done, in urgency order.
    let mut usage = Usage::default();
    let mut choice = vec![None; f.units.len()];
    for u in queue_order(inst, f) {
        if let Some(k) = held[u] {
            if usage.fits(inst, f, k) {
                usage.take(inst, f, k);
                choice[u] = Some(k);
            }
        }
    }
    choice
}

/// Unit choices back to children: every member goes where its unit goes.
fn to_children(inst: &Instance, f: &Formulation, choice: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut assign = vec![None; inst.batch.children.len()];
    for (u, unit) in f.units.iter().enumerate() {
        if let Some(k) = choice[u] {
            for &m in &unit.members {
                assign[m] = Some(f.cands[k].home);
            }
        }
    }
    assign
}
