//! The plan format v1 (`placematch/plan@1`): what a co-operative feeds `placematch plan`.
//!
//! A plan names the member authorities, the horizon, the demand (as segments with weekly
//! arrival rates and placement lengths, or estimated from an SSDA903-shaped episodes file,
//! see [`crate::plan::history`]), the block offers on the table and the spot market to fall back
//! on. It is read like a batch: every record on its own, every problem collected with its
//! JSON path and a stable code, unknown fields rejected. [`load_plan`] returns a resolved
//! [`Plan`] that [`crate::plan::planner`] optimises.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::{ErrorCode, InvalidInput, Issue};
use crate::input::batch::{Indicator, Location, Ofsted, PlacementType};
use crate::input::geography::Geography;
use crate::input::policy::{Policy, PolicyInput};
use crate::input::read::{parse_json, records, typed};
use crate::input::rules::{age_band, at_least_one, not_above, probability, score, within, Range};
use crate::input::validate::{check_la, check_location, check_policy};

mod load;

pub use load::*;

/// The format tag a plan must carry.
pub const PLAN_FORMAT: &str = "placematch/plan@1";

/// A co-operative's planning problem: who buys, what demand to expect, what is on offer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// Always `placematch/plan@1`.
    pub format: String,
    /// Free-text identifier echoed in the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// Weeks to plan for (1–520); block contracts run from week 0.
    pub horizon_weeks: i64,
    /// Exchange rates of SPEC §5 (`per_km`, `free_km`, `out_of_area`, `ofsted_penalty`,
    /// `unmet_need`) so that the planner prices distance as the daily matcher does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyInput>,
    /// The member authorities.
    pub members: Vec<Member>,
    /// Demand given directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Demand estimated from past episodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryInput>,
    /// Block-contract offers.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// The spot market per placement type (and authority).
    #[serde(default)]
    pub spot: Vec<Spot>,
}

/// A member authority.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Upper-tier authority code, e.g. `E10000032`.
    pub la: String,
    /// Display name (the bundled table's name when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where its children's homes are, on average (the authority's centroid when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A demand segment: children of one type, age band and needs profile from one authority.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Unique segment id.
    pub id: String,
    /// Responsible authority (one of `members`).
    pub la: String,
    /// Placement type needed (a type name or an SSDA903 `PLACE` code).
    #[serde(rename = "type")]
    pub kind: PlacementType,
    /// Youngest age in the band [0].
    #[serde(default)]
    pub age_min: i64,
    /// Oldest age in the band [17].
    #[serde(default = "default_age_max")]
    pub age_max: i64,
    /// Name of the needs profile, for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The profile's Valuing Care scores, 0–3 per indicator (missing = 0).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub needs: BTreeMap<Indicator, i64>,
    /// Where these children's homes are (the authority's location when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Children starting a placement per week, on average (Poisson).
    pub weekly_arrivals: f64,
    /// How long a placement lasts.
    pub duration: Duration,
}

fn default_age_max() -> i64 {
    17
}

/// A placement-length distribution: `{"mean_weeks": m}` (geometric, memoryless) or
/// `{"weeks": [{"weeks": 12, "share": 0.3}, …]}` (empirical).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// Mean length in weeks of a geometric distribution (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_weeks: Option<f64>,
    /// An empirical distribution: lengths in weeks and their shares (summing to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<Vec<DurationBin>>,
}

/// One length of an empirical distribution.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurationBin {
    /// Length in weeks (≥ 1).
    pub weeks: i64,
    /// Share of placements with this length.
    pub share: f64,
}

/// Past episodes to estimate demand from (see [`crate::plan::history`]).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryInput {
    /// CSV file shaped like the SSDA903 episodes table, relative to the plan file.
    pub file: String,
    /// First day of the observation window (DD/MM/YYYY or YYYY-MM-DD) [earliest DECOM].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Day after the window [latest date in the file].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A block-contract offer: a provider's beds of one type, at one home or area.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Unique offer id.
    pub id: String,
    /// Provider id (free text).
    pub provider: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Placement type of the beds.
    #[serde(rename = "type")]
    pub kind: PlacementType,
    /// The home (or the centre of the area) where the beds are.
    pub location: Location,
    /// Explicit authority of the beds, overriding the location's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la: Option<String>,
    /// Youngest age accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<i64>,
    /// Oldest age accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<i64>,
    /// Highest level of need supported per indicator (missing = 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub support: BTreeMap<Indicator, i64>,
    /// Ofsted rating of the home or agency [good].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted: Option<Ofsted>,
    /// Member authorities whose children may use the beds (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serves: Vec<String>,
    /// Smallest block the provider will sign (if any beds are bought) [0].
    #[serde(default)]
    pub min_beds: i64,
    /// Most beds on offer.
    pub max_beds: i64,
    /// Price per bed per week.
    pub weekly_price: f64,
    /// Weeks the contract runs from week 0 [the horizon].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_weeks: Option<i64>,
}

/// The spot market for one placement type, in one authority or (without `la`) everywhere.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spot {
    /// Placement type.
    #[serde(rename = "type")]
    pub kind: PlacementType,
    /// Member authority (every member without its own entry when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub la: Option<String>,
    /// Weekly price of a local spot bed.
    pub weekly_price: f64,
    /// Chance that a suitable local bed is free when a child needs one.
    pub local_probability: f64,
    /// Typical distance of a local spot bed from home, km [10].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_km: Option<f64>,
    /// Weekly price of a distant (out-of-area) spot bed.
    pub distant_price: f64,
    /// Typical distance of a distant spot bed, km.
    pub distant_km: f64,
    /// Ofsted rating of spot beds [good].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted: Option<Ofsted>,
}

/// A placement-length distribution, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationDist {
    /// Geometric with this mean (weeks, ≥ 1).
    Geometric(f64),
    /// Empirical: (weeks, cumulative share), increasing.
    Empirical(Vec<(u32, f64)>),
}

impl DurationDist {
    /// Mean length in weeks.
    pub fn mean(&self) -> f64 {
        match self {
            DurationDist::Geometric(m) => *m,
            DurationDist::Empirical(v) => {
                let mut prev = 0.0;
                v.iter()
                    .map(|&(w, c)| {
                        let s = c - prev;
                        prev = c;
                        w as f64 * s
                    })
                    .sum()
            }
        }
    }

    /// Draws a length (≥ 1 week) from a uniform number in [0, 1).
    pub fn draw(&self, u: f64) -> u32 {
        match self {
            DurationDist::Geometric(m) => {
                if *m <= 1.0 {
                    return 1;
                }
                // P(D = k) = (1−q)^(k−1) q with q = 1/m; inverse transform.
                let q = 1.0 / m;
                let k = ((1.0 - u).ln() / (1.0 - q).ln()).ceil();
                k.clamp(1.0, 100_000.0) as u32
            }
            DurationDist::Empirical(v) => v
                .iter()
                .find(|&&(_, c)| u < c)
                .or(v.last())
                .map(|&(w, _)| w)
                .unwrap_or(1),
        }
    }
}

/// A located member authority.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPlace {
    /// Upper-tier code.
    pub la: String,
    /// Display name.
    pub name: String,
    /// Latitude of its typical home.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// A resolved demand segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSpec {
    /// Segment id.
    pub id: String,
    /// Responsible authority (upper tier).
    pub la: String,
    /// Placement type.
    pub kind: PlacementType,
    /// Youngest age.
    pub age_min: i64,
    /// Oldest age.
    pub age_max: i64,
    /// Valuing Care needs.
    pub needs: BTreeMap<Indicator, i64>,
    /// Latitude of home.
    pub lat: f64,
    /// Longitude of home.
    pub lon: f64,
    /// Arrivals per week.
    pub rate: f64,
    /// Placement length.
    pub duration: DurationDist,
    /// `plan` or `history`.
    pub source: &'static str,
    /// Episodes behind a history estimate.
    pub episodes: Option<usize>,
}

/// A resolved block offer.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferSpec {
    /// Offer id.
    pub id: String,
    /// Provider id.
    pub provider: String,
    /// Placement type.
    pub kind: PlacementType,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Upper-tier authority of the beds.
    pub la: String,
    /// Youngest age accepted.
    pub age_min: Option<i64>,
    /// Oldest age accepted.
    pub age_max: Option<i64>,
    /// Support levels.
    pub support: BTreeMap<Indicator, i64>,
    /// Ofsted rating.
    pub ofsted: Ofsted,
    /// Authorities served (all when empty).
    pub serves: Vec<String>,
    /// Smallest block.
    pub min_beds: i64,
    /// Largest block.
    pub max_beds: i64,
    /// Price per bed per week.
    pub price: f64,
    /// Contract weeks within the horizon.
    pub contract_weeks: u32,
}

/// A resolved spot market entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotSpec {
    /// Local weekly price.
    pub price: f64,
    /// Chance a suitable local bed is free.
    pub p_local: f64,
    /// Local distance, km.
    pub local_km: f64,
    /// Distant weekly price.
    pub distant_price: f64,
    /// Distant distance, km.
    pub distant_km: f64,
    /// Rating.
    pub ofsted: Ofsted,
}

/// A validated, resolved plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan as read.
    pub input: PlanInput,
    /// Resolved policy (code defaults, then the plan's).
    pub policy: Policy,
    /// Horizon in weeks.
    pub horizon: u32,
    /// Members in plan order.
    pub members: Vec<MemberPlace>,
    /// Demand segments (given first, then estimated from history).
    pub segments: Vec<SegmentSpec>,
    /// Offers in plan order.
    pub offers: Vec<OfferSpec>,
    /// Spot market by (type, authority); an entry for every segment's pair.
    pub spot: BTreeMap<(PlacementType, String), SpotSpec>,
}

impl Plan {
    /// The spot market a segment falls back on.
    pub fn spot_for(&self, seg: &SegmentSpec) -> &SpotSpec {
        &self.spot[&(seg.kind, seg.la.clone())]
    }
}

/// The centroid of an authority's postcode sectors.
pub fn authority_centroid(geo: &Geography, la: &str) -> Option<(f64, f64)> {
    let (mut lat, mut lon, mut n) = (0.0, 0.0, 0usize);
    for s in &geo.sectors {
        if s.lad == la || geo.utla_of(&s.lad) == la {
            lat += s.lat;
            lon += s.lon;
            n += 1;
        }
    }
    (n > 0).then(|| (lat / n as f64, lon / n as f64))
}
