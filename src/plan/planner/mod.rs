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

mod first_stage;
mod sampling;
mod second_stage;
mod structure;
mod table;

pub use first_stage::*;
pub use sampling::*;
use second_stage::*;
pub use structure::*;
pub use table::*;

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
