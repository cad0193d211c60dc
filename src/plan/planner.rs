//! `placematch plan`: how many block-contract beds to buy from each offer, by two-stage
//! stochastic programming with a sample average approximation (SAA), built with good_lp
//! on HiGHS; then an out-of-sample check with the daily matcher.
//!
//! # The formulation
//!
//! **Scenarios.** S scenarios of the horizon's H weeks are drawn from the seed (ChaCha8,
//! one stream per scenario). In each, every segment's children arrive by a Poisson process
//! (weekly rate λ), each stays a drawn number of weeks (geometric or empirical), and each
//! carries one draw of whether a suitable local spot bed is free for them (probability
//! `local_probability`). Only children *starting* a placement within the horizon are
//! planned for: children already placed stay where they are, so new block beds fill up
//! from new arrivals. n[s,w,g] is the number of children of demand group g in care in
//! week w of scenario s, and ℓ[s,w,g] how many of them have a local spot bed available.
//!
//! **Aggregation.** Segments with the same authority, type, home location and the same
//! compatible offers at the same costs form one group g; offers that are interchangeable
//! (same type, place, terms and eligibility) form one pool p. A (group, pool) pair exists
//! when the offer may take the group's children: type, `serves`, the age band inside the
//! offer's ages, every need within `max_need_shortfall` of the support, and the distance
//! within the policy's `max_distance_km`.
//!
//! **First stage.** Integer beds y_o ∈ {0} ∪ [min_beds, max_beds] per offer (a binary
//! z_o when min_beds > 0: min·z ≤ y ≤ max·z).
//!
//! **Second stage**, per scenario s and week w (continuous): x[s,w,g,p] children of g in
//! block beds of pool p, l[s,w,g] ≤ ℓ[s,w,g] in local spot beds, and the rest,
//! n − Σ_p x − l ≥ 0, in distant spot beds:
//!
//! ```text
//! minimise  Σ_o y_o·price_o·weeks_o / H
//!         + 1/(S·H) Σ_s Σ_w Σ_g [ Σ_p x·c_gp + l·c_local_g + (n − Σ_p x − l)·c_distant_g ]
//! s.t.      Σ_p x[s,w,g,p] + l[s,w,g] ≤ n[s,w,g]                 (each group, each week)
//!           Σ_g x[s,w,g,p] ≤ Σ_{o∈p, w < weeks_o} y_o              (each pool, each week)
//!           0 ≤ l[s,w,g] ≤ min(ℓ, n)
//! ```
//!
//! so the objective is the expected cost per week. The per-child weekly costs are the
//! SPEC §5 terms, priced with the plan's policy exactly as the daily matcher prices them:
//! a block bed costs its `distance` (per_km × km beyond free_km), `out_of_area`,
//! `quality` (Ofsted penalty) and `needs` (unmet_need × shortfall) — its price is already
//! paid in the first stage; a local spot bed costs its price + distance(local_km) +
//! quality; a distant spot bed its price + distance(distant_km) + out_of_area + quality.
//!
//! The second stage is a fluid relaxation: a child may change bed from week to week
//! (into a block bed as soon as one frees). The out-of-sample check ([`simulate`]) does
//! not allow that: it places each week's arrivals with the daily matcher and keeps them
//! where they are, so its occupancy is lower and its cost higher when beds are tight. The
//! report compares both and says so whenever they disagree.
//!
//! The cost curve re-solves the same programme with Σ_o y_o fixed at several levels.

use std::collections::BTreeMap;
use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{variable, Expression, ProblemVariables, Solution, SolutionStatus, SolverModel, Variable};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::input::batch::Indicator;
use crate::input::geography::km;
use crate::plan::format::{OfferSpec, Plan, SegmentSpec};
use crate::plan::plan_result::*;

/// Settings of a plan run.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// In-sample scenarios.
    pub scenarios: usize,
    /// Seed of the scenarios.
    pub seed: u64,
    /// HiGHS threads.
    pub threads: u32,
    /// HiGHS presolve.
    pub presolve: bool,
    /// Relative MIP gap at which HiGHS stops.
    pub mip_gap: f64,
    /// Time limit per solve, seconds.
    pub time_limit: Option<f64>,
    /// Points of the cost curve besides the recommendation (0 = no curve).
    pub curve_points: usize,
    /// Fresh scenarios simulated with the daily matcher (0 = no out-of-sample check).
    pub oos_scenarios: usize,
    /// Show progress bars on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
    /// How the programme is solved.
    pub method: Method,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            scenarios: 100,
            seed: 1,
            threads: 1,
            presolve: true,
            mip_gap: 0.005,
            time_limit: None,
            curve_points: 6,
            oos_scenarios: 40,
            progress: false,
            method: Method::Benders,
        }
    }
}

/// Stream offset of the out-of-sample scenarios, so they never share draws with the in-sample ones.
pub const OOS_STREAM: u64 = 1 << 40;

/// One simulated child.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildDraw {
    /// Segment index.
    pub segment: usize,
    /// Week of arrival.
    pub week: u32,
    /// Weeks in care (≥ 1; may run past the horizon).
    pub weeks: u32,
    /// Whether a suitable local spot bed is free for this child.
    pub local: bool,
    /// Age within the segment's band.
    pub age: i64,
}

/// Draws a Poisson count (Knuth's method, in chunks of at most 30 for large means).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let mut left = mean;
    let mut k = 0;
    while left > 0.0 {
        let lam = left.min(30.0);
        left -= lam;
        let limit = (-lam).exp();
        let mut p = 1.0;
        loop {
            p *= rng.gen::<f64>();
            if p <= limit {
                break;
            }
            k += 1;
        }
    }
    k
}

/// Draws the children of one scenario: deterministic in (seed, stream).
pub fn draw_scenario(plan: &Plan, seed: u64, stream: u64) -> Vec<ChildDraw> {
    let mut rng = crate::support::random::stream(seed, stream);
    let mut out = Vec::new();
    for w in 0..plan.horizon {
        for (si, seg) in plan.segments.iter().enumerate() {
            let spot = plan.spot_for(seg);
            for _ in 0..poisson(&mut rng, seg.rate) {
                let weeks = seg.duration.draw(rng.gen::<f64>());
                let local = rng.gen::<f64>() < spot.p_local;
                let age = rng.gen_range(seg.age_min..=seg.age_max);
                out.push(ChildDraw {
                    segment: si,
                    week: w,
                    weeks,
                    local,
                    age,
                });
            }
        }
    }
    out
}

/// Weekly costs of a segment's three ways of being placed, and where they leave a child.
#[derive(Debug, Clone, PartialEq)]
struct Costs {
    local: f64,
    distant: f64,
    local_money: f64,
    distant_money: f64,
    local_within: bool,
    distant_within: bool,
}

fn distance_term(plan: &Plan, km: f64) -> f64 {
    (plan.policy.per_km * (km - plan.policy.free_km).max(0.0) * 100.0).round() / 100.0
}

fn spot_costs(plan: &Plan, seg: &SegmentSpec) -> Costs {
    let s = plan.spot_for(seg);
    let q = plan.policy.ofsted_cost(s.ofsted);
    Costs {
        local: s.price + distance_term(plan, s.local_km) + q,
        distant: s.distant_price + distance_term(plan, s.distant_km) + plan.policy.out_of_area + q,
        local_money: s.price,
        distant_money: s.distant_price,
        local_within: s.local_km <= 32.0,
        distant_within: s.distant_km <= 32.0,
    }
}

/// The per-week cost of one of the segment's children in one of the offer's beds (its
/// price excluded: block beds are paid in the first stage), or None when ineligible.
fn pair_cost(plan: &Plan, seg: &SegmentSpec, o: &OfferSpec) -> Option<(f64, f64)> {
    if o.kind != seg.kind || (!o.serves.is_empty() && !o.serves.contains(&seg.la)) {
        return None;
    }
    if o.age_min.is_some_and(|a| seg.age_min < a) || o.age_max.is_some_and(|a| seg.age_max > a) {
        return None;
    }
    let p = &plan.policy;
    let mut unmet = 0;
    for ind in Indicator::ALL {
        let need = seg.needs.get(&ind).copied().unwrap_or(0);
        let support = o.support.get(&ind).copied().unwrap_or(1);
        if need - support >= p.max_need_shortfall {
            return None;
        }
        unmet += (need - support).max(0);
    }
    let d = km(seg.lat, seg.lon, o.lat, o.lon);
    if p.max_distance_km.is_some_and(|m| d > m) {
        return None;
    }
    let ooa = if o.la != seg.la { p.out_of_area } else { 0.0 };
    Some((
        distance_term(plan, d) + ooa + p.ofsted_cost(o.ofsted) + p.unmet_need * unmet as f64,
        d,
    ))
}

/// The aggregated structure: groups, pools and their pairs.
#[derive(Debug, Clone)]
pub struct Structure {
    /// Group of each segment.
    pub seg_group: Vec<usize>,
    groups: Vec<Group>,
    /// Offers of each pool.
    pub pools: Vec<Vec<usize>>,
    pool_weeks: Vec<u32>,
    pool_la: Vec<String>,
    /// Component of each group and of each pool: the second stage separates into
    /// independent problems along them (one per placement type, usually).
    group_comp: Vec<usize>,
    pool_comp: Vec<usize>,
    /// Number of components.
    pub components: usize,
}

#[derive(Debug, Clone)]
struct Group {
    la: String,
    costs: Costs,
    /// (pool, cost per week, within 32 km).
    pairs: Vec<(usize, f64, bool)>,
}

/// Groups segments and pools offers (see the module docs).
pub fn structure(plan: &Plan) -> Structure {
    // Pools: offers whose second-stage behaviour is identical.
    let mut pool_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut pools: Vec<Vec<usize>> = Vec::new();
    let mut pool_weeks = Vec::new();
    let mut pool_la = Vec::new();
    for (i, o) in plan.offers.iter().enumerate() {
        let key = format!(
            "{:?}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
            o.kind, o.lat, o.lon, o.la, o.age_min, o.age_max, o.support, o.ofsted, o.serves, o.contract_weeks
        );
        let p = *pool_key.entry(key).or_insert_with(|| {
            pools.push(Vec::new());
            pool_weeks.push(o.contract_weeks);
            pool_la.push(o.la.clone());
            pools.len() - 1
        });
        pools[p].push(i);
    }
    let mut group_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut seg_group = Vec::new();
    for seg in &plan.segments {
        let costs = spot_costs(plan, seg);
        let mut pairs = Vec::new();
        for (p, offers) in pools.iter().enumerate() {
            if let Some((c, d)) = pair_cost(plan, seg, &plan.offers[offers[0]]) {
                pairs.push((p, c, d <= 32.0));
            }
        }
        let key = format!("{}|{:?}|{:?}|{:?}", seg.la, seg.kind, costs, pairs);
        let g = *group_key.entry(key).or_insert_with(|| {
            groups.push(Group {
                la: seg.la.clone(),
                costs,
                pairs,
            });
            groups.len() - 1
        });
        seg_group.push(g);
    }
    // Components of the group–pool graph (union-find; groups first, then pools).
    let (gn, pn) = (groups.len(), pools.len());
    let mut parent: Vec<usize> = (0..gn + pn).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (g, grp) in groups.iter().enumerate() {
        for &(p, _, _) in &grp.pairs {
            let (a, b) = (find(&mut parent, g), find(&mut parent, gn + p));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut comp_of_root: BTreeMap<usize, usize> = BTreeMap::new();
    let mut comp = vec![0; gn + pn];
    for (x, c) in comp.iter_mut().enumerate() {
        let r = find(&mut parent, x);
        let next = comp_of_root.len();
        *c = *comp_of_root.entry(r).or_insert(next);
    }
    Structure {
        seg_group,
        groups,
        pools,
        pool_weeks,
        pool_la,
        group_comp: comp[..gn].to_vec(),
        pool_comp: comp[gn..].to_vec(),
        components: comp_of_root.len(),
    }
}

/// In-sample scenarios as occupancy counts per (scenario, week, group).
#[derive(Debug, Clone)]
pub struct Sample {
    /// Scenarios.
    pub s: usize,
    /// Weeks.
    pub h: usize,
    /// Groups.
    pub g: usize,
    /// Children in care, index (s·h + w)·g + group.
    pub n: Vec<u32>,
    /// Of which with a local spot bed free.
    pub local: Vec<u32>,
}

/// Draws the in-sample scenarios and counts occupancy per group.
pub fn sample(plan: &Plan, st: &Structure, scenarios: usize, seed: u64) -> Sample {
    let (h, g) = (plan.horizon as usize, st.groups.len());
    let mut n = vec![0u32; scenarios * h * g];
    let mut local = vec![0u32; scenarios * h * g];
    for s in 0..scenarios {
        for c in draw_scenario(plan, seed, s as u64) {
            let grp = st.seg_group[c.segment];
            let end = (c.week as usize + c.weeks as usize).min(h);
            for w in c.week as usize..end {
                let i = (s * h + w) * g + grp;
                n[i] += 1;
                if c.local {
                    local[i] += 1;
                }
            }
        }
    }
    Sample {
        s: scenarios,
        h,
        g,
        n,
        local,
    }
}

/// How the first stage is constrained.
#[derive(Debug, Clone, PartialEq)]
pub enum FirstStage {
    /// Free: the optimiser chooses.
    Free,
    /// Total beds fixed.
    Total(i64),
    /// Every offer fixed.
    Fixed(Vec<i64>),
}

/// A solved programme, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// Beds per offer.
    pub beds: Vec<i64>,
    /// Whether optimal to the gap.
    pub optimal: bool,
    /// Seconds in HiGHS (build included).
    pub seconds: f64,
    /// Model size.
    pub stats: PlanModelStats,
    /// The estimate.
    pub estimate: Estimate,
    /// Expected beds used per offer in an average contract week.
    pub used: Vec<f64>,
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[k]
}

/// How the programme is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// L-shaped (Benders) decomposition: a small master MIP over the beds on good_lp/HiGHS,
    /// each scenario-week's second stage solved exactly as a min-cost flow whose duals give
    /// one optimality cut per scenario and iteration.
    Benders,
    /// The extensive form: the whole deterministic equivalent as one good_lp/HiGHS MIP
    /// (exact as well, but only practical for a few scenarios).
    Extensive,
}

/// Per-scenario evaluation of a first-stage decision.
#[derive(Debug, Clone)]
struct Eval {
    /// Second-stage cost per scenario over the horizon, pennies.
    q: Vec<i64>,
    /// Cut constant per scenario and component, pennies.
    konst: Vec<Vec<i64>>,
    /// Cut coefficient per scenario and pool, pennies per bed.
    coef: Vec<Vec<i64>>,
    /// Spot money per scenario, pennies.
    spot_money: Vec<i64>,
    /// Care-weeks in block beds, in area, within 32 km; children care-weeks.
    block: f64,
    in_area: f64,
    within: f64,
    children: f64,
    /// Care-weeks used per pool over all scenarios.
    pool_use: Vec<f64>,
}

fn pennies(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn network(st: &Structure) -> crate::plan::flow::Network {
    let mut pairs = Vec::new();
    for (g, grp) in st.groups.iter().enumerate() {
        for &(p, c, _) in &grp.pairs {
            pairs.push((g, p, pennies(c)));
        }
    }
    let local: Vec<i64> = st.groups.iter().map(|g| pennies(g.costs.local)).collect();
    let distant: Vec<i64> = st.groups.iter().map(|g| pennies(g.costs.distant)).collect();
    crate::plan::flow::Network::new(st.groups.len(), st.pools.len(), &pairs, &local, &distant)
}

/// Pool capacities of a first-stage decision.
fn pool_beds(st: &Structure, beds: &[i64]) -> Vec<i64> {
    st.pools
        .iter()
        .map(|offers| offers.iter().map(|&o| beds[o]).sum())
        .collect()
}

/// Solves every scenario-week's second stage for `beds`, on `threads` threads (the answer
/// does not depend on how many: everything is summed in whole pennies per scenario).
fn evaluate(st: &Structure, smp: &Sample, beds: &[i64], threads: usize) -> Eval {
    let (h, gn, np) = (smp.h, smp.g, st.pools.len());
    let yb = pool_beds(st, beds);
    let one = |s: usize, net: &mut crate::plan::flow::Network| {
        let mut out = (
            0i64,
            vec![0i64; st.components],
            vec![0i64; np],
            0i64,
            [0f64; 4],
            vec![0f64; np],
        );
        let mut y = vec![0i64; np];
        for w in 0..h {
            for p in 0..np {
                y[p] = if (w as u32) < st.pool_weeks[p] { yb[p] } else { 0 };
            }
            let i = (s * h + w) * gn;
            let n = &smp.n[i..i + gn];
            let l = &smp.local[i..i + gn];
            if n.iter().all(|&k| k == 0) {
                continue;
            }
            let sol = net.solve(n, l, &y);
            let dual = net.dual_value(n, l, &y, &sol);
            debug_assert_eq!(dual, sol.cost, "second-stage duals must be optimal");
            out.0 += sol.cost;
            for p in 0..np {
                out.2[p] += sol.pool_dual[p];
            }
            // The cut's constant is the groups' part of the dual objective, per component.
            for g in 0..gn {
                out.1[st.group_comp[g]] += net.group_dual(g, n[g], l[g]);
            }
            // Detail: where the children are.
            let mut in_block = vec![0i64; gn];
            let mut k = 0;
            for (g, grp) in st.groups.iter().enumerate() {
                for &(p, _, within) in &grp.pairs {
                    let f = sol.pair_flow[k];
                    k += 1;
                    if f == 0 {
                        continue;
                    }
                    in_block[g] += f;
                    out.4[0] += f as f64;
                    if st.pool_la[p] == grp.la {
                        out.4[1] += f as f64;
                    }
                    if within {
                        out.4[2] += f as f64;
                    }
                    out.5[p] += f as f64;
                }
            }
            for (g, grp) in st.groups.iter().enumerate() {
                let nn = n[g] as i64;
                if nn == 0 {
                    continue;
                }
                let c = &grp.costs;
                let lo = sol.local[g];
                let d = nn - in_block[g] - lo;
                out.3 += lo * pennies(c.local_money) + d * pennies(c.distant_money);
                out.4[1] += lo as f64;
                out.4[2] +=
                    if c.local_within { lo as f64 } else { 0.0 } + if c.distant_within { d as f64 } else { 0.0 };
                out.4[3] += nn as f64;
            }
        }
        out
    };
    let threads = threads.clamp(1, smp.s.max(1));
    let mut results: Vec<_> = Vec::with_capacity(smp.s);
    if threads == 1 {
        let mut net = network(st);
        for s in 0..smp.s {
            results.push(one(s, &mut net));
        }
    } else {
        let chunk = smp.s.div_ceil(threads);
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let one = &one;
                    sc.spawn(move || {
                        let mut net = network(st);
                        (t * chunk..((t + 1) * chunk).min(smp.s))
                            .map(|s| one(s, &mut net))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for hd in handles {
                results.extend(hd.join().expect("evaluation thread"));
            }
        });
    }
    let mut e = Eval {
        q: Vec::with_capacity(smp.s),
        konst: Vec::with_capacity(smp.s),
        coef: Vec::with_capacity(smp.s),
        spot_money: Vec::with_capacity(smp.s),
        block: 0.0,
        in_area: 0.0,
        within: 0.0,
        children: 0.0,
        pool_use: vec![0.0; np],
    };
    for r in results {
        e.q.push(r.0);
        e.konst.push(r.1);
        e.coef.push(r.2);
        e.spot_money.push(r.3);
        e.block += r.4[0];
        e.in_area += r.4[1];
        e.within += r.4[2];
        e.children += r.4[3];
        for p in 0..np {
            e.pool_use[p] += r.5[p];
        }
    }
    e
}

/// Money paid for block beds over the horizon, pounds.
fn block_money(plan: &Plan, beds: &[i64]) -> f64 {
    plan.offers
        .iter()
        .zip(beds)
        .map(|(o, &b)| b as f64 * o.price * o.contract_weeks as f64)
        .sum()
}

/// The figures of a first-stage decision from its evaluation.
fn estimate(plan: &Plan, st: &Structure, smp: &Sample, beds: &[i64], ev: &Eval) -> (Estimate, Vec<f64>) {
    let (sf, hf) = (smp.s as f64, smp.h as f64);
    let block = block_money(plan, beds);
    let bed_weeks: f64 = plan
        .offers
        .iter()
        .zip(beds)
        .map(|(o, &b)| b as f64 * o.contract_weeks as f64)
        .sum();
    let cost: Vec<f64> = ev.q.iter().map(|&q| q as f64 / 100.0 + block).collect();
    let spend: Vec<f64> = ev.spot_money.iter().map(|&m| m as f64 / 100.0 + block).collect();
    let annual = 52.0 / hf;
    let est = Estimate {
        expected_weekly_cost: cost.iter().sum::<f64>() / (sf * hf),
        expected_weekly_spend: spend.iter().sum::<f64>() / (sf * hf),
        block_weekly_spend: block / hf,
        spot_weekly_spend: ev.spot_money.iter().sum::<i64>() as f64 / 100.0 / (sf * hf),
        children_per_week: ev.children / (sf * hf),
        block_beds: bed_weeks / hf,
        occupancy: if bed_weeks > 0.0 {
            ev.block / sf / bed_weeks
        } else {
            0.0
        },
        share_block: ratio(ev.block, ev.children),
        share_in_area: ratio(ev.in_area, ev.children),
        share_within_32km: ratio(ev.within, ev.children),
        p90_annual_cost: percentile(&mut cost.iter().map(|c| c * annual).collect::<Vec<_>>(), 0.9),
        p90_annual_spend: percentile(&mut spend.iter().map(|c| c * annual).collect::<Vec<_>>(), 0.9),
    };
    // A pool's use is shared among its offers in proportion to their beds.
    let mut used = vec![0.0; plan.offers.len()];
    for (p, offers) in st.pools.iter().enumerate() {
        let total: f64 = offers.iter().map(|&o| beds[o] as f64).sum();
        for &o in offers {
            let weeks = plan.offers[o].contract_weeks as f64;
            if total > 0.0 {
                used[o] = ev.pool_use[p] / sf * (beds[o] as f64 / total) / weeks;
            }
        }
    }
    (est, used)
}

/// Adds the first-stage variables (beds per offer, with minimum blocks) to a model.
fn first_stage_vars(
    plan: &Plan,
    first: &FirstStage,
    vars: &mut ProblemVariables,
    objective: &mut Expression,
    constraints: &mut Vec<good_lp::Constraint>,
    hf: f64,
) -> (Vec<Variable>, usize) {
    let mut integer = 0;
    let mut y = Vec::with_capacity(plan.offers.len());
    for (i, o) in plan.offers.iter().enumerate() {
        let (lo, hi) = match first {
            FirstStage::Fixed(b) => (b[i] as f64, b[i] as f64),
            _ => (0.0, o.max_beds as f64),
        };
        let v = vars.add(variable().integer().min(lo).max(hi));
        integer += 1;
        objective.add_mul(o.price * o.contract_weeks as f64 / hf, v);
        if o.min_beds > 0 && !matches!(first, FirstStage::Fixed(_)) {
            // Either no beds, or at least the provider's minimum block.
            let z = vars.add(variable().binary());
            integer += 1;
            constraints.push((Expression::from(v) - (o.min_beds as f64) * z).geq(0.0));
            constraints.push((Expression::from(v) - (o.max_beds as f64) * z).leq(0.0));
        }
        y.push(v);
    }
    if let FirstStage::Total(k) = first {
        let mut e = Expression::with_capacity(y.len());
        for v in &y {
            e.add_mul(1.0, *v);
        }
        constraints.push(e.eq(*k as f64));
    }
    (y, integer)
}

fn highs_model(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
    opts: &PlanOptions,
    gap: f64,
) -> good_lp::solvers::highs::HighsProblem {
    let mut model = vars
        .minimise(objective)
        .using(highs)
        .set_threads(opts.threads)
        .set_option("presolve", if opts.presolve { "on" } else { "off" })
        .set_option("mip_rel_gap", gap)
        .set_option("output_flag", false);
    if let Some(t) = opts.time_limit {
        model = model.set_time_limit(t);
    }
    for c in constraints {
        model.add_constraint(c);
    }
    model
}

/// The extensive form (see [`Method::Extensive`]): returns the beds and whether optimal.
fn extensive(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
) -> anyhow::Result<(Vec<i64>, bool, PlanModelStats)> {
    let (sn, h, gn) = (smp.s, smp.h, smp.g);
    let hf = h as f64;
    let scale = 1.0 / (sn as f64 * hf);
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(1024);
    let mut constraints = Vec::new();
    let (y, integer_variables) = first_stage_vars(plan, first, &mut vars, &mut objective, &mut constraints, hf);
    let npools = st.pools.len();
    let mut pool_rows: Vec<Expression> = Vec::new();
    for s in 0..sn {
        for w in 0..h {
            pool_rows.clear();
            pool_rows.resize_with(npools, Expression::default);
            let mut pool_used = vec![false; npools];
            for g in 0..gn {
                let i = (s * h + w) * gn + g;
                let n = smp.n[i];
                if n == 0 {
                    continue;
                }
                let grp = &st.groups[g];
                let c = &grp.costs;
                let mut row = Expression::with_capacity(grp.pairs.len() + 1);
                for &(p, cost, _) in &grp.pairs {
                    if w as u32 >= st.pool_weeks[p] {
                        continue;
                    }
                    let v = vars.add(variable().min(0.0));
                    objective.add_mul((cost - c.distant) * scale, v);
                    row.add_mul(1.0, v);
                    pool_rows[p].add_mul(1.0, v);
                    pool_used[p] = true;
                }
                let lmax = smp.local[i].min(n) as f64;
                if lmax > 0.0 && c.local < c.distant {
                    let v = vars.add(variable().min(0.0).max(lmax));
                    objective.add_mul((c.local - c.distant) * scale, v);
                    row.add_mul(1.0, v);
                }
                constraints.push(row.leq(n as f64));
            }
            for p in 0..npools {
                if pool_used[p] {
                    let mut e = std::mem::take(&mut pool_rows[p]);
                    for &o in &st.pools[p] {
                        e.add_mul(-1.0, y[o]);
                    }
                    constraints.push(e.leq(0.0));
                }
            }
        }
    }
    let stats = PlanModelStats {
        variables: vars.len(),
        integer_variables,
        constraints: constraints.len(),
        scenario_weeks: sn * h,
        groups: gn,
        pools: npools,
        pairs: st.groups.iter().map(|g| g.pairs.len()).sum(),
        iterations: 1,
        cuts: 0,
    };
    let sol = highs_model(vars, objective, constraints, opts, opts.mip_gap)
        .solve()
        .map_err(|e| anyhow::anyhow!("HiGHS could not solve the plan: {e}"))?;
    let optimal = matches!(sol.status(), SolutionStatus::Optimal | SolutionStatus::GapLimit);
    Ok((y.iter().map(|v| sol.value(*v).round() as i64).collect(), optimal, stats))
}

/// Most master iterations of the L-shaped method.
const MAX_ITERATIONS: usize = 400;

/// One optimality cut: (scenario, component, constant in pounds, (offer, pounds per bed)).
type Cut = (usize, usize, f64, Vec<(usize, f64)>);

/// Optimality cuts collected by the L-shaped method: valid for every first stage, so the
/// cost curve's re-solves start from all the cuts of earlier solves.
#[derive(Debug, Clone, Default)]
pub struct Cuts {
    /// (scenario, component, constant in pounds, (offer, pounds per bed) of the component's offers).
    cuts: Vec<Cut>,
}

impl Cuts {
    fn add(&mut self, st: &Structure, plan: &Plan, ev: &Eval) {
        let _ = plan;
        for s in 0..ev.q.len() {
            for c in 0..st.components {
                let mut coef = Vec::new();
                for (p, offers) in st.pools.iter().enumerate() {
                    if st.pool_comp[p] == c && ev.coef[s][p] != 0 {
                        for &o in offers {
                            coef.push((o, ev.coef[s][p] as f64 / 100.0));
                        }
                    }
                }
                self.cuts.push((s, c, ev.konst[s][c] as f64 / 100.0, coef));
            }
        }
    }
}

/// The L-shaped method (see [`Method::Benders`]).
fn benders(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
    cuts: &mut Cuts,
) -> anyhow::Result<(Vec<i64>, bool, PlanModelStats)> {
    let (sn, hf) = (smp.s, smp.h as f64);
    let scale = 1.0 / (sn as f64 * hf);
    let threads = opts.threads as usize;
    let start = Instant::now();
    let feasible = |b: &[i64]| -> bool {
        let ok = plan
            .offers
            .iter()
            .zip(b)
            .all(|(o, &y)| y == 0 || (y >= o.min_beds && y <= o.max_beds));
        ok && match first {
            FirstStage::Total(k) => b.iter().sum::<i64>() == *k,
            FirstStage::Fixed(f) => f.as_slice() == b,
            FirstStage::Free => true,
        }
    };
    let mut best: Option<(f64, Vec<i64>)> = None;
    let mut seen: Vec<Vec<i64>> = Vec::new();
    let visit = |b: Vec<i64>, cuts: &mut Cuts, best: &mut Option<(f64, Vec<i64>)>, seen: &mut Vec<Vec<i64>>| {
        let ev = evaluate(st, smp, &b, threads);
        let value = block_money(plan, &b) / hf + ev.q.iter().sum::<i64>() as f64 / 100.0 * scale;
        if feasible(&b) && best.as_ref().is_none_or(|(v, _)| value < *v - 1e-9) {
            *best = Some((value, b.clone()));
        }
        cuts.add(st, plan, &ev);
        seen.push(b);
    };
    if cuts.cuts.is_empty() {
        // Two cuts to start from: no block beds and every bed on offer.
        visit(vec![0; plan.offers.len()], cuts, &mut best, &mut seen);
        visit(
            plan.offers.iter().map(|o| o.max_beds).collect(),
            cuts,
            &mut best,
            &mut seen,
        );
    }
    let mut iterations = 0;
    let mut optimal = false;
    let mut master_size = (0, 0, 0);
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::with_capacity(plan.offers.len() + sn);
        let mut constraints = Vec::new();
        let (y, integer) = first_stage_vars(plan, first, &mut vars, &mut objective, &mut constraints, hf);
        let nc = st.components;
        let theta: Vec<Variable> = (0..sn * nc).map(|_| vars.add(variable().min(0.0))).collect();
        for t in &theta {
            objective.add_mul(scale, *t);
        }
        for (s, c, konst, coef) in &cuts.cuts {
            let mut e = Expression::from(theta[s * nc + c]);
            for &(o, k) in coef {
                e.add_mul(-k, y[o]);
            }
            constraints.push(e.geq(*konst));
        }
        master_size = (vars.len(), integer, constraints.len());
        let sol = highs_model(vars, objective.clone(), constraints, opts, 1e-7)
            .solve()
            .map_err(|e| anyhow::anyhow!("HiGHS could not solve the plan's master problem: {e}"))?;
        let lower = objective.eval_with(&sol);
        let b: Vec<i64> = y.iter().map(|v| sol.value(*v).round() as i64).collect();
        let repeated = seen.contains(&b);
        if !repeated {
            visit(b, cuts, &mut best, &mut seen);
        }
        let upper = best.as_ref().map(|(v, _)| *v).unwrap_or(f64::INFINITY);
        if repeated || upper - lower <= opts.mip_gap * upper.abs().max(1e-9) {
            optimal = true;
            break;
        }
        if opts.time_limit.is_some_and(|t| start.elapsed().as_secs_f64() > t) {
            break;
        }
    }
    let Some((_, beds)) = best else {
        anyhow::bail!("no plan meets the minimum blocks and the fixed total of beds");
    };
    let stats = PlanModelStats {
        variables: master_size.0,
        integer_variables: master_size.1,
        constraints: master_size.2,
        scenario_weeks: smp.s * smp.h,
        groups: smp.g,
        pools: st.pools.len(),
        pairs: st.groups.iter().map(|g| g.pairs.len()).sum(),
        iterations,
        cuts: cuts.cuts.len(),
    };
    Ok((beds, optimal, stats))
}

/// Solves the programme for one first-stage rule and evaluates the answer.
pub fn solve(
    plan: &Plan,
    st: &Structure,
    smp: &Sample,
    first: &FirstStage,
    opts: &PlanOptions,
    cuts: &mut Cuts,
) -> anyhow::Result<Solved> {
    let t0 = Instant::now();
    let (beds, optimal, stats) = match (first, opts.method) {
        (FirstStage::Fixed(b), _) => (b.clone(), true, PlanModelStats::default()),
        (_, Method::Benders) => benders(plan, st, smp, first, opts, cuts)?,
        (_, Method::Extensive) => extensive(plan, st, smp, first, opts)?,
    };
    let seconds = t0.elapsed().as_secs_f64();
    let ev = evaluate(st, smp, &beds, opts.threads as usize);
    let (estimate, used) = estimate(plan, st, smp, &beds, &ev);
    Ok(Solved {
        beds,
        optimal,
        seconds,
        stats,
        estimate,
        used,
    })
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// Runs the whole plan: the recommendation, the baseline, the cost curve and the
/// out-of-sample check.
pub fn run(plan: &Plan, opts: &PlanOptions) -> anyhow::Result<PlanResult> {
    let st = structure(plan);
    let smp = sample(plan, &st, opts.scenarios.max(1), opts.seed);
    let mut cuts = Cuts::default();
    let main = solve(plan, &st, &smp, &FirstStage::Free, opts, &mut cuts)?;
    let baseline = solve(
        plan,
        &st,
        &smp,
        &FirstStage::Fixed(vec![0; plan.offers.len()]),
        opts,
        &mut cuts,
    )?;
    let total: i64 = main.beds.iter().sum();
    let max_total: i64 = plan.offers.iter().map(|o| o.max_beds).sum();
    // Curve levels: evenly spread up to twice the recommendation (within what is on offer).
    let mut levels: Vec<i64> = Vec::new();
    if opts.curve_points > 0 && max_total > 0 {
        let top = (2 * total).clamp(1, max_total);
        for k in 0..=opts.curve_points {
            levels.push(((top as f64) * k as f64 / opts.curve_points as f64).round() as i64);
        }
        levels.push(total);
        levels.sort_unstable();
        levels.dedup();
    }
    let pb = crate::support::progress::progress_bar_if(opts.progress, levels.len() as u64, "cost curve");
    let mut cost_curve = Vec::new();
    for &k in &levels {
        let point = if k == total {
            Some(main.estimate.clone())
        } else if k == 0 {
            Some(baseline.estimate.clone())
        } else {
            // A level no mix of minimum blocks can reach is skipped.
            solve(plan, &st, &smp, &FirstStage::Total(k), opts, &mut cuts)
                .ok()
                .map(|s| s.estimate)
        };
        if let Some(e) = point {
            cost_curve.push(CurvePoint {
                total_beds: k,
                recommended: k == total,
                expected_weekly_cost: e.expected_weekly_cost,
                expected_weekly_spend: e.expected_weekly_spend,
                occupancy: e.occupancy,
                share_in_area: e.share_in_area,
                p90_annual_cost: e.p90_annual_cost,
            });
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    let offers = plan
        .offers
        .iter()
        .enumerate()
        .map(|(i, o)| OfferResult {
            offer: o.id.clone(),
            provider: o.provider.clone(),
            kind: o.kind.name().to_string(),
            la: o.la.clone(),
            min_beds: o.min_beds,
            max_beds: o.max_beds,
            beds: main.beds[i],
            weekly_price: o.price,
            contract_weeks: o.contract_weeks,
            weekly_cost: main.beds[i] as f64 * o.price,
            expected_beds_used: main.used[i],
            expected_occupancy: if main.beds[i] > 0 {
                main.used[i] / main.beds[i] as f64
            } else {
                0.0
            },
        })
        .collect();
    let demand = plan
        .segments
        .iter()
        .map(|s| SegmentSummary {
            segment: s.id.clone(),
            la: s.la.clone(),
            kind: s.kind.name().to_string(),
            age_min: s.age_min,
            age_max: s.age_max,
            weekly_arrivals: s.rate,
            mean_weeks: s.duration.mean(),
            source: s.source.to_string(),
            episodes: s.episodes,
        })
        .collect();
    let b = &baseline.estimate;
    let e = &main.estimate;
    let savings = Savings {
        weekly_cost: b.expected_weekly_cost - e.expected_weekly_cost,
        annual_cost: 52.0 * (b.expected_weekly_cost - e.expected_weekly_cost),
        percent_cost: 100.0 * ratio(b.expected_weekly_cost - e.expected_weekly_cost, b.expected_weekly_cost),
        weekly_spend: b.expected_weekly_spend - e.expected_weekly_spend,
    };
    let out_of_sample = if opts.oos_scenarios > 0 {
        Some(crate::plan::simulate_plan::out_of_sample(plan, &main.beds, e, opts)?)
    } else {
        None
    };
    Ok(PlanResult {
        format: PLAN_RESULT_FORMAT.to_string(),
        plan_id: plan.input.plan_id.clone(),
        horizon_weeks: plan.horizon,
        seed: opts.seed,
        scenarios: smp.s,
        status: if main.optimal {
            PlanStatus::Optimal
        } else {
            PlanStatus::Feasible
        },
        gap: opts.mip_gap,
        solve_seconds: main.seconds,
        model: main.stats,
        demand,
        offers,
        estimate: main.estimate,
        baseline: baseline.estimate,
        savings,
        cost_curve,
        out_of_sample,
    })
}

/// The terminal summary of a plan result.
pub fn to_table(plan: &Plan, r: &PlanResult) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let e = &r.estimate;
    let b = &r.baseline;
    let _ = writeln!(
        out,
        "plan {}  {} weeks  {} scenarios (seed {})  {}  gap ≤ {:.2}%  solved in {:.1} s",
        r.plan_id.as_deref().unwrap_or("-"),
        r.horizon_weeks,
        r.scenarios,
        r.seed,
        match r.status {
            PlanStatus::Optimal => "optimal",
            PlanStatus::Feasible => "feasible (time limit)",
        },
        100.0 * r.gap,
        r.solve_seconds
    );
    let _ = writeln!(
        out,
        "model: {} variables ({} integer), {} constraints over {} scenario-weeks; {} demand groups, {} offer pools, {} pairs",
        r.model.variables,
        r.model.integer_variables,
        r.model.constraints,
        r.model.scenario_weeks,
        r.model.groups,
        r.model.pools,
        r.model.pairs
    );
    let arrivals: f64 = r.demand.iter().map(|d| d.weekly_arrivals).sum();
    let _ = writeln!(
        out,
        "demand: {} segments, {:.2} placements starting a week, {:.1} children in purchased care in an average week\n",
        r.demand.len(),
        arrivals,
        e.children_per_week
    );
    let _ = writeln!(
        out,
        "{:<14} {:<12} {:<12} {:<10} {:>5} {:>9} {:>10} {:>9} {:>9}",
        "offer", "provider", "type", "la", "beds", "£/bed/wk", "£/week", "used", "occupancy"
    );
    for o in r.offers.iter().filter(|o| o.beds > 0) {
        let _ = writeln!(
            out,
            "{:<14} {:<12} {:<12} {:<10} {:>5} {:>9.0} {:>10.0} {:>9.2} {:>8.0}%",
            o.offer,
            o.provider,
            o.kind,
            o.la,
            o.beds,
            o.weekly_price,
            o.weekly_cost,
            o.expected_beds_used,
            100.0 * o.expected_occupancy
        );
    }
    let none: Vec<&str> = r
        .offers
        .iter()
        .filter(|o| o.beds == 0)
        .map(|o| o.offer.as_str())
        .collect();
    if !none.is_empty() {
        let _ = writeln!(out, "no beds from {} offer(s): {}", none.len(), none.join(", "));
    }
    let _ = writeln!(out, "\n{:<34} {:>14} {:>14}", "", "recommended", "all spot");
    let rows: [(&str, f64, f64, bool); 9] = [
        (
            "expected weekly cost (£)",
            e.expected_weekly_cost,
            b.expected_weekly_cost,
            false,
        ),
        (
            "expected weekly spend (£)",
            e.expected_weekly_spend,
            b.expected_weekly_spend,
            false,
        ),
        (
            "  block contracts (£/week)",
            e.block_weekly_spend,
            b.block_weekly_spend,
            false,
        ),
        (
            "  spot placements (£/week)",
            e.spot_weekly_spend,
            b.spot_weekly_spend,
            false,
        ),
        ("block beds bought", e.block_beds, b.block_beds, false),
        ("block-bed occupancy", e.occupancy, b.occupancy, true),
        ("care-weeks in area", e.share_in_area, b.share_in_area, true),
        (
            "care-weeks within 20 miles",
            e.share_within_32km,
            b.share_within_32km,
            true,
        ),
        (
            "90th-percentile annual cost (£)",
            e.p90_annual_cost,
            b.p90_annual_cost,
            false,
        ),
    ];
    for (name, a, c, pct) in rows {
        if pct {
            let _ = writeln!(out, "{name:<34} {:>13.1}% {:>13.1}%", 100.0 * a, 100.0 * c);
        } else {
            let _ = writeln!(out, "{name:<34} {a:>14.0} {c:>14.0}");
        }
    }
    let _ = writeln!(
        out,
        "savings against all spot: £{:.0} a week, £{:.0} a year ({:.1}% of cost); £{:.0} a week of spend",
        r.savings.weekly_cost, r.savings.annual_cost, r.savings.percent_cost, r.savings.weekly_spend
    );
    if !r.cost_curve.is_empty() {
        let _ = writeln!(
            out,
            "\ncost curve (best plan for each total of block beds):\n{:>10} {:>14} {:>14} {:>10} {:>9} {:>16}",
            "beds", "£/week cost", "£/week spend", "occupancy", "in area", "p90 £/year"
        );
        for p in &r.cost_curve {
            let _ = writeln!(
                out,
                "{:>10} {:>14.0} {:>14.0} {:>9.1}% {:>8.1}% {:>16.0}{}",
                p.total_beds,
                p.expected_weekly_cost,
                p.expected_weekly_spend,
                100.0 * p.occupancy,
                100.0 * p.share_in_area,
                p.p90_annual_cost,
                if p.recommended { "  ← recommended" } else { "" }
            );
        }
    }
    if let Some(o) = &r.out_of_sample {
        let _ = writeln!(
            out,
            "\nout-of-sample check: {} fresh scenarios, {} weekly matcher runs, {} children placed ({} unplaced)",
            o.scenarios, o.matcher_runs, o.children_placed, o.children_unplaced
        );
        let _ = writeln!(
            out,
            "{:<24} {:>14} {:>14} {:>28}  agrees",
            "figure", "model", "simulated", "95% interval"
        );
        for c in &o.figures {
            let _ = writeln!(
                out,
                "{:<24} {:>14.3} {:>14.3} {:>28}  {}",
                c.figure,
                c.model,
                c.simulated.mean,
                format!("[{:.3}, {:.3}]", c.simulated.low, c.simulated.high),
                if c.agrees { "yes" } else { "NO" }
            );
        }
        for n in &o.notes {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    let _ = plan;
    out
}
