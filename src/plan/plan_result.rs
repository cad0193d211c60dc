//! The plan result (`placematch/plan-result@1`): what `placematch plan` writes.
//!
//! Money is in pounds. "Cost" figures are the planner's objective: money actually paid
//! (block contracts, paid whether used or not, plus spot prices) *plus* the SPEC §5
//! penalty terms a child's placement carries (`distance`, `out_of_area`, `quality`,
//! `needs`), so the planner and the daily matcher weigh distance in the same currency.
//! "Spend" figures are money only. Shares are over care-weeks (one child in care for
//! one week counts once), which is what both the model and the simulation measure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format tag of a plan result.
pub const PLAN_RESULT_FORMAT: &str = "placematch/plan-result@1";

/// The answer for one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanResult {
    /// Always `placematch/plan-result@1`.
    pub format: String,
    /// The plan's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// Weeks planned for.
    pub horizon_weeks: u32,
    /// Seed the in-sample scenarios were drawn from.
    pub seed: u64,
    /// In-sample scenarios (the sample average approximation's sample size).
    pub scenarios: usize,
    /// `optimal` (within `gap`) or `feasible` (a time limit stopped the search).
    pub status: PlanStatus,
    /// Relative MIP gap of the recommended plan.
    pub gap: f64,
    /// Wall-clock seconds of the main solve (the only field besides `timings` that differs between runs).
    pub solve_seconds: f64,
    /// Size of the main model (for the L-shaped method: its last master problem).
    pub model: PlanModelStats,
    /// The demand the scenarios were drawn from (given, or estimated from history).
    pub demand: Vec<SegmentSummary>,
    /// Recommended beds per offer, in the plan's offer order.
    pub offers: Vec<OfferResult>,
    /// The model's estimate for the recommended plan.
    pub estimate: Estimate,
    /// The same figures with no block beds at all (every child placed on the spot market).
    pub baseline: Estimate,
    /// What the recommended plan saves against the baseline.
    pub savings: Savings,
    /// The trade-off: the best plan when the total number of block beds is fixed at each level.
    pub cost_curve: Vec<CurvePoint>,
    /// Fresh scenarios simulated week by week with the daily matcher, when run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_sample: Option<OutOfSample>,
}

/// Status of the main solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Optimal to the requested relative gap.
    Optimal,
    /// Best plan found before the time limit.
    Feasible,
}

/// Size of the stochastic programme.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanModelStats {
    /// Columns (first and second stage).
    pub variables: usize,
    /// Integer columns (beds per offer).
    pub integer_variables: usize,
    /// Rows.
    pub constraints: usize,
    /// Scenario-weeks in the sample (scenarios × horizon weeks).
    pub scenario_weeks: usize,
    /// Demand groups (segments with the same compatible offers and costs).
    pub groups: usize,
    /// Offer pools (offers that are interchangeable in the second stage).
    pub pools: usize,
    /// (group, pool) pairs a child may be placed through.
    pub pairs: usize,
    /// Master iterations of the L-shaped method (1 for the extensive form).
    #[serde(default)]
    pub iterations: usize,
    /// Optimality cuts in the last master problem.
    #[serde(default)]
    pub cuts: usize,
}

/// One demand segment as used by the planner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentSummary {
    /// Segment id (`LA/type` for segments estimated from history).
    pub segment: String,
    /// Responsible authority.
    pub la: String,
    /// Placement type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Youngest age in the band.
    pub age_min: i64,
    /// Oldest age in the band.
    pub age_max: i64,
    /// Children starting a placement per week.
    pub weekly_arrivals: f64,
    /// Mean placement length, weeks.
    pub mean_weeks: f64,
    /// `plan` (given) or `history` (estimated from the episodes file).
    pub source: String,
    /// Episodes the estimate rests on (history only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episodes: Option<usize>,
}

/// The recommendation for one block offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferResult {
    /// Offer id.
    pub offer: String,
    /// Provider id.
    pub provider: String,
    /// Placement type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Authority the offer's beds are in.
    pub la: String,
    /// Smallest block the provider will sign.
    pub min_beds: i64,
    /// Largest block the provider offers.
    pub max_beds: i64,
    /// Recommended beds.
    pub beds: i64,
    /// Price per bed per week.
    pub weekly_price: f64,
    /// Weeks the contract runs within the horizon.
    pub contract_weeks: u32,
    /// beds × weekly price: paid every contract week whether the beds are used or not.
    pub weekly_cost: f64,
    /// Expected beds occupied in an average contract week.
    pub expected_beds_used: f64,
    /// Expected share of the bought bed-weeks that are used (0 when no beds are bought).
    pub expected_occupancy: f64,
}

/// Headline figures of a plan, per the model or per simulation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    /// Expected cost per week: spend plus the distance, out-of-area, quality and needs terms
    /// (a score in pounds-equivalent, not money).
    pub expected_weekly_cost: f64,
    /// Expected money paid per week (block contracts plus spot placements).
    pub expected_weekly_spend: f64,
    /// Of which block contracts.
    pub block_weekly_spend: f64,
    /// Of which spot placements.
    pub spot_weekly_spend: f64,
    /// Expected children in care (in purchased placements) in an average week.
    pub children_per_week: f64,
    /// Block beds bought (bed-weeks / horizon weeks).
    pub block_beds: f64,
    /// Share of bought block bed-weeks that are used.
    pub occupancy: f64,
    /// Share of care-weeks in a block bed.
    pub share_block: f64,
    /// Share of care-weeks in the child's own authority.
    pub share_in_area: f64,
    /// Share of care-weeks within 32 km (20 miles) of home.
    pub share_within_32km: f64,
    /// 90th percentile over scenarios of the cost score of a year (horizon cost scaled to 52
    /// weeks; not money: see `p90_annual_spend`).
    pub p90_annual_cost: f64,
    /// 90th percentile over scenarios of the spend of a year.
    pub p90_annual_spend: f64,
}

/// Savings of the plan against the all-spot baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Savings {
    /// Baseline expected weekly cost minus the plan's (a score, not money: see `weekly_spend`).
    pub weekly_cost: f64,
    /// The same over a year (× 52).
    pub annual_cost: f64,
    /// As a share of the baseline's cost.
    pub percent_cost: f64,
    /// Baseline expected weekly spend minus the plan's (money only).
    pub weekly_spend: f64,
}

/// One point of the cost curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    /// Total block beds (fixed).
    pub total_beds: i64,
    /// Whether this is the recommended plan's total.
    pub recommended: bool,
    /// Expected weekly cost score of the best plan with that many beds (not money).
    pub expected_weekly_cost: f64,
    /// Expected weekly spend.
    pub expected_weekly_spend: f64,
    /// Share of bought bed-weeks used.
    pub occupancy: f64,
    /// Share of care-weeks in the child's own authority.
    pub share_in_area: f64,
    /// 90th-percentile annual cost score (not money).
    pub p90_annual_cost: f64,
}

/// A simulated figure: mean over fresh scenarios and its 95% confidence interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// Mean over scenarios.
    pub mean: f64,
    /// Lower end of the 95% confidence interval of the mean (normal approximation).
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The model's estimate of a figure beside the simulated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Figure name, as in [`Estimate`].
    pub figure: String,
    /// The model's estimate.
    pub model: f64,
    /// Simulated mean and 95% interval.
    pub simulated: Interval,
    /// Whether the model's estimate lies inside the simulated interval.
    pub agrees: bool,
}

/// The out-of-sample check of the recommended plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutOfSample {
    /// Fresh scenarios simulated.
    pub scenarios: usize,
    /// Seed of the fresh scenarios (a different stream from the in-sample ones).
    pub seed: u64,
    /// Weekly matcher runs (one per scenario-week with arrivals).
    pub matcher_runs: usize,
    /// Children placed by the matcher over all scenarios.
    pub children_placed: usize,
    /// Children the matcher could not place (0 unless a spot market is missing).
    pub children_unplaced: usize,
    /// Each figure, model against simulation.
    pub figures: Vec<Comparison>,
    /// Plain-English notes on every figure outside its interval, and why.
    pub notes: Vec<String>,
    /// The plan against buying every bed on the spot market, both simulated on the same fresh
    /// scenarios (common random numbers), with paired differences: the figures a report leads
    /// with. Absent in plan results written before 2026-12-07.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versus_spot: Vec<Paired>,
}

/// One figure simulated under the plan and under all-spot on the same scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Paired {
    /// Figure name: `weekly_spend` and `annual_spend` (£ of spend), `weekly_cost` (the
    /// objective's score, £-equivalent, not spend), `share_in_area`, `share_within_32km`.
    pub figure: String,
    /// Under the plan: mean and 95% interval over the scenarios.
    pub plan: Interval,
    /// Under all-spot.
    pub spot: Interval,
    /// Plan minus all-spot, scenario by scenario: mean and 95% interval of the paired
    /// differences (for money, below zero is a saving).
    pub difference: Interval,
}
