//! The result format (`placematch/result@1`, SPEC §7) as serde types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::pair::cost::Terms;

/// The format tag of a result.
pub const RESULT_FORMAT: &str = "placematch/result@1";

/// The answer for one batch.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MatchResult {
    /// Always `placematch/result@1`.
    pub format: String,
    /// The batch's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    /// `optimal` or `feasible` (a time limit or a requested gap stopped the search; see `gap`).
    pub status: Status,
    /// The objective of SPEC §6: a score in pounds-equivalent per week, not money.
    pub objective: f64,
    /// Best proven lower bound on the objective.
    pub bound: f64,
    /// Relative gap between objective and bound.
    pub gap: f64,
    /// Wall-clock seconds spent solving (the only field that differs between identical runs).
    pub solve_seconds: f64,
    /// Size of the model.
    pub model: ModelStats,
    /// Headline figures.
    pub summary: Summary,
    /// One per placed child, by urgency then id.
    pub placements: Vec<Placement>,
    /// One per unplaced child, by urgency then id.
    pub unplaced: Vec<Unplaced>,
    /// With `solve --since EARLIER`: the earlier result's batch id (or its file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// With `solve --since EARLIER`: every child whose placement differs from the earlier
    /// result's, or that was settled since, with why; by child id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::result::changes::Change>,
    /// The free beds of every home of the batch, by home id: what a later `solve --since`
    /// reads to name a new vacancy. A map, one short line a home when pretty-printed: it adds
    /// 98 KB to the 150 × 6,000 batch's 498 KB result (a list of pairs, four lines a home,
    /// added 218 KB). Absent from results written before it, which then name no new vacancy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vacancies: Option<std::collections::BTreeMap<String, i64>>,
    /// With `solve --forecast FILE`: the bed values the forecast added to the objective (then
    /// `objective`, `bound` and `gap` are of the objective with them), so the checker can
    /// include them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<ForecastRecord>,
}

/// What a demand forecast added to a batch's objective (`solve --forecast FILE`): each free
/// bed's value to the children expected over the coming days, added to the cost of placing a
/// child there, as the `lookahead` rule of `simulate` adds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ForecastRecord {
    /// The forecast file (a simulation scenario, a plan with a `history` section or a history
    /// CSV) the values came from.
    pub source: String,
    /// What kind of forecast it is [`scenario`: results written before the field existed].
    #[serde(default)]
    pub source_kind: ForecastSourceKind,
    /// Days of expected arrivals the beds are valued against.
    pub horizon_days: usize,
    /// The share of its bid price a free spot bed carries, 0–1 [1 in results written before
    /// the field existed, when the whole bid price was charged].
    #[serde(default = "whole_bid_price")]
    pub spot_value_weight: f64,
    /// A `planned` child who has waited fewer days than this (and is not accepted anywhere)
    /// may be left waiting when the beds open to it are worth more to the children expected;
    /// every other child left unplaced has the largest bed value added to its unplaced cost.
    pub hold_days: i64,
    /// The SPEC §6 objective of the same placements without the bed values.
    pub objective_without_values: f64,
    /// Every home whose bed value is above 0, by home id.
    pub bed_values: Vec<BedValue>,
    /// Every child placed differently from the answer the solver gives without the bed values
    /// (or left waiting instead), by child id.
    pub moved: Vec<ForecastMove>,
    /// The expected arrivals the values are for, per stream (history: estimated from the
    /// episodes; empty for a scenario, whose file holds its arrival model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand: Vec<ExpectedDemand>,
    /// What the forecast's sample children assume that the source does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

fn whole_bid_price() -> f64 {
    1.0
}

/// Where a forecast's expected children come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForecastSourceKind {
    /// A simulation scenario's arrival model.
    #[default]
    Scenario,
    /// Demand estimated from a history of episodes (a plan's `history`, or the CSV itself).
    History,
}

impl ForecastSourceKind {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            ForecastSourceKind::Scenario => "scenario",
            ForecastSourceKind::History => "history",
        }
    }
}

/// One stream of expected arrivals behind a forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedDemand {
    /// Stream name, as `kept_for` names it (`E10000032/foster/under-5`).
    pub stream: String,
    /// Responsible authority.
    pub authority: String,
    /// Placement type its children take.
    pub placement_type: String,
    /// Expected arrivals per week.
    pub per_week: f64,
    /// Youngest age of its sample children.
    pub age_min: i64,
    /// Oldest age.
    pub age_max: i64,
    /// Need levels of its sample children (indicators above 0).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub needs: BTreeMap<String, i64>,
    /// Episodes of the whole (authority, type) the rate was estimated from, for history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episodes: Option<usize>,
}

/// One home's bed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BedValue {
    /// The home.
    pub home: String,
    /// The value of one bed: a score a week in the objective's pounds-equivalent (not money),
    /// added to the cost of each child placed there.
    pub value: f64,
    /// The arrival stream (scenario segment) whose expected children use this home most in the
    /// forecast's fluid plan, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_for: Option<String>,
    /// Expected children of one sample of that stream the fluid plan sends here over the horizon
    /// (with `over_stay`, placed here at any one time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_here: Option<f64>,
    /// Whether the value is over the stays of the children expected (a block-contract bed,
    /// which stays taken for a whole stay) rather than over the next `horizon_days`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub over_stay: bool,
}

/// A child the forecast moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ForecastMove {
    /// The child.
    pub child: String,
    /// Its home without the bed values (absent: unplaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without: Option<String>,
    /// Its home with them (absent: left waiting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

/// The bound, relative gap and status a result reports. `optimal`: every component proven to
/// the requested gap. An optimum proven to gap 0 is its own bound; an answer proven only to a
/// `requested_gap` above 0 is `feasible` with the bound it proved (unless that bound meets the
/// objective), and so is one a time limit stopped: the gap is always the one proven.
pub fn bound_and_gap(optimal: bool, bound: f64, objective: f64, requested_gap: f64) -> (f64, f64, Status) {
    let bound = bound.min(objective);
    if optimal && (requested_gap <= 0.0 || bound_meets(bound, objective)) {
        (objective, 0.0, Status::Optimal)
    } else {
        (bound, (objective - bound) / objective.abs().max(1.0), Status::Feasible)
    }
}

/// Whether a proven `bound` meets the `objective` (within 1e-6 relative): the answer is then
/// proven optimal, whatever gap was asked for.
pub fn bound_meets(bound: f64, objective: f64) -> bool {
    objective - bound <= 1e-6 * objective.abs().max(1.0)
}

/// Result status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal.
    Optimal,
    /// Not proven optimal: a time limit, or a requested gap (`--gap`) met, stopped the search;
    /// `bound` is the bound proven and `gap` says how far from it the answer may be.
    Feasible,
}

/// Model size.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ModelStats {
    /// Columns over all components.
    pub variables: usize,
    /// Rows over all components.
    pub constraints: usize,
    /// Eligible (child, home) pairs.
    pub eligible_pairs: usize,
    /// Independent components solved separately.
    pub components: usize,
    /// Placement units (kept-together sibling groups count once).
    pub units: usize,
    /// Pruned pairs priced against LP duals in the main solve (summed over pricing passes).
    #[serde(default)]
    pub pairs_priced: usize,
    /// Pruned pairs added back because they could improve the solution.
    #[serde(default)]
    pub pairs_added: usize,
    /// Main solves that needed the MIP because the LP relaxation was fractional.
    #[serde(default)]
    pub mip_solves: usize,
    /// MIPs of the main solve re-solved after pairs whose reduced cost was below the gap were
    /// added back (one when no time limit is set; under a limit they come back in steps).
    #[serde(default)]
    pub widenings: usize,
    /// Children whose alternatives' regrets came from shortest paths on the residual graph of
    /// a plain assignment, with no re-solve.
    #[serde(default)]
    pub path_regrets: usize,
    /// Main solves settled by the exact search for small components (no HiGHS).
    #[serde(default)]
    pub small_solves: usize,
    /// Placed children with an alternative whose regret is an upper bound only
    /// (`regret_exact: false`): a time limit ran out before re-optimisation.
    #[serde(default)]
    pub estimated_regrets: usize,
    /// Restricted copies of a budget component's MIP solved under a time limit to improve its
    /// start before the whole MIP (large-neighbourhood search).
    #[serde(default)]
    pub restricted_mips: usize,
    /// How much those restricted MIPs lowered the objective (a score, pounds-equivalent per
    /// week).
    #[serde(default)]
    pub restricted_gain: f64,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// Headline figures of a result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Children placed.
    pub placed: usize,
    /// Children not placed.
    pub unplaced: usize,
    /// Σ list weekly price of placements (before block beds and discounts).
    pub weekly_spend: f64,
    /// Spend after block beds already paid for and volume discounts.
    pub net_weekly_spend: f64,
    /// Block-contract beds used.
    pub block_beds_used: usize,
    /// Mean km from home over placed children.
    pub mean_km: f64,
    /// Largest km from home.
    pub max_km: f64,
    /// Share of placed children within 32 km (20 miles).
    pub share_within_32km: f64,
    /// Share of placed children in their own authority.
    pub share_in_area: f64,
    /// Share of placed children in Good or Outstanding homes.
    pub share_good_or_outstanding: f64,
    /// Σ unmet need levels over placed children.
    pub total_unmet_need: i64,
}

/// A cost breakdown: the total and every term of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cost {
    /// Sum of the terms: the cost score, pounds-equivalent per week (not money; the `price`
    /// term is the spend).
    pub total: f64,
    /// The terms.
    #[serde(flatten)]
    pub terms: Terms,
}

impl From<Terms> for Cost {
    fn from(terms: Terms) -> Cost {
        Cost {
            total: terms.total(),
            terms,
        }
    }
}

/// A placed child.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Placement {
    /// Child id.
    pub child: String,
    /// Home id.
    pub home: String,
    /// Provider id.
    pub provider: String,
    /// The child's urgency.
    pub urgency: crate::input::batch::Urgency,
    /// Cost breakdown.
    pub cost: Cost,
    /// Km from the child's home.
    pub distance_km: f64,
    /// Whether this placement uses a bed already paid for under a block contract.
    pub block_bed: bool,
    /// Volume discount applied to this placement, £/week.
    pub discount: f64,
    /// Sibling group placed together with this child, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placed_with: Vec<String>,
    /// Other eligible homes ranked by regret.
    pub alternatives: Vec<Alternative>,
    /// False when the order of the listed alternatives is not proven: two listed regret
    /// intervals overlap, or an unlisted home's interval reaches below the last listed one's
    /// upper bound. Left out of the JSON when true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub rank_certain: bool,
}

/// An alternative home for a placed child.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Alternative {
    /// Home id.
    pub home: String,
    /// How much the batch objective rises if the child goes here, everyone else re-optimised.
    pub regret: f64,
    /// False when a `--time-limit` ran out, or a `--gap` stopped the search, before this
    /// regret could be proven: `regret` is then an upper bound, the objective change of a
    /// placement that was found (this child alone moved here with everyone else staying put,
    /// or the best re-arrangement found in the time or to the gap). It can be negative: a better placement of the batch that the search did not
    /// reach. Left out of the JSON when true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub regret_exact: bool,
    /// A proven lower bound on the regret (from a relaxation with the pair forced in, or a
    /// forced re-solve's bound): `regret_lower ≤ true regret ≤ regret_upper`. Equal to
    /// `regret` exactly when `regret_exact`. Absent in results written before 2026-12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regret_lower: Option<f64>,
    /// A proven upper bound on the regret: the objective change of a re-arrangement that was
    /// found with the pair forced in. Always equal to `regret` (kept beside `regret_lower` so
    /// the interval reads as one). Absent in results written before 2026-12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regret_upper: Option<f64>,
    /// Cost of this home for the child.
    pub cost: Cost,
    /// Km from the child's home.
    pub distance_km: f64,
    /// Term-by-term difference, alternative minus chosen.
    pub difference: Terms,
    /// The rest of the batch's share of the regret (regret − own cost difference).
    pub knock_on: f64,
    /// One sentence built from the largest differences.
    pub why: String,
}

/// A child who could not be placed, and why.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Unplaced {
    /// Child id.
    pub child: String,
    /// Urgency.
    pub urgency: crate::input::batch::Urgency,
    /// Cost of leaving the child unplaced: a score in pounds-equivalent per week, not money.
    pub unplaced_cost: f64,
    /// Set when the child's kept-together sibling group can never be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<crate::pair::eligibility::UnitBlock>,
    /// Homes passing every rule for this child.
    pub eligible_homes: usize,
    /// Homes excluded, per reason code (a home failing several rules counts under each).
    pub excluded: Vec<Exclusion>,
    /// Homes that would open up if one rule were relaxed.
    pub relaxations: Vec<Relaxation>,
    /// Eligible homes that went to other children, and why that was better for the batch.
    pub competition: Vec<Competition>,
    /// One-sentence summary.
    pub why: String,
}

/// Homes excluded for one reason.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Exclusion {
    /// Reason code of SPEC §4.
    pub reason: String,
    /// Number of homes.
    pub homes: usize,
    /// Up to three example home ids.
    pub examples: Vec<String>,
}

/// A one-rule relaxation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Relaxation {
    /// The rule to relax.
    pub rule: String,
    /// Homes that fail only this rule.
    pub homes: usize,
    /// Nearest such homes (up to three).
    pub examples: Vec<String>,
    /// The current limit, where the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<serde_json::Value>,
    /// The limit that would open all of them, where the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<serde_json::Value>,
    /// In words.
    pub detail: String,
}

/// An eligible home the child did not get.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Competition {
    /// Home id.
    pub home: String,
    /// Children placed there instead.
    pub taken_by: Vec<String>,
    /// Objective rise if this child were forced there (None when a side rule forbids it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regret: Option<f64>,
    /// False when a `--time-limit` ran out, or a `--gap` stopped the search, before the rise
    /// could be proven: `regret` is then the rise of the best placement found with the child
    /// there, an upper bound. Left out of the JSON when true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub regret_exact: bool,
    /// In words.
    pub why: String,
}
