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
use crate::input::rules::{age_band, at_least_one, non_negative, not_above, probability, score};
use crate::input::validate::{check_la, check_location, check_policy};

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

fn resolve_location(geo: &Geography, loc: &Location) -> (f64, f64, String) {
    match (&loc.postcode, loc.lat, loc.lon) {
        (Some(pc), _, _) => {
            let p = geo.place_of_postcode(pc).expect("validated postcode");
            (p.lat, p.lon, p.utla)
        }
        (None, Some(lat), Some(lon)) => {
            let p = geo.place_of_point(lat, lon);
            (lat, lon, p.utla)
        }
        _ => unreachable!("validated location"),
    }
}

/// A plan as far as it could be read.
struct PartialPlan {
    input: PlanInput,
    issues: Vec<Issue>,
    seg_pos: Vec<usize>,
    offer_pos: Vec<usize>,
    spot_pos: Vec<usize>,
    member_pos: Vec<usize>,
}

fn parse_plan(text: &str) -> Result<PartialPlan, Issue> {
    let value = parse_json(text)?;
    let Value::Object(map) = &value else {
        return Err(Issue::new("", ErrorCode::WrongType, "a plan is a JSON object"));
    };
    let mut issues = Vec::new();
    let mut input = PlanInput {
        format: String::new(),
        plan_id: None,
        horizon_weeks: 52,
        policy: None,
        members: Vec::new(),
        segments: Vec::new(),
        history: None,
        offers: Vec::new(),
        spot: Vec::new(),
    };
    let (mut seg_pos, mut offer_pos, mut spot_pos, mut member_pos) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    fn put<T>(r: Result<T, Issue>, dst: &mut T, issues: &mut Vec<Issue>) {
        match r {
            Ok(v) => *dst = v,
            Err(e) => issues.push(e),
        }
    }
    for (key, v) in map {
        match key.as_str() {
            "format" => put(typed(v, "format"), &mut input.format, &mut issues),
            "plan_id" => put(typed(v, "plan_id"), &mut input.plan_id, &mut issues),
            "horizon_weeks" => put(typed(v, "horizon_weeks"), &mut input.horizon_weeks, &mut issues),
            "policy" => put(typed(v, "policy"), &mut input.policy, &mut issues),
            "history" => put(typed(v, "history"), &mut input.history, &mut issues),
            "members" => input.members = records(v, "members", &mut issues, &mut member_pos),
            "segments" => input.segments = records(v, "segments", &mut issues, &mut seg_pos),
            "offers" => input.offers = records(v, "offers", &mut issues, &mut offer_pos),
            "spot" => input.spot = records(v, "spot", &mut issues, &mut spot_pos),
            other => issues.push(Issue::new(
                other,
                ErrorCode::UnknownField,
                format!(
                    "unknown field `{other}`, expected one of `format`, `plan_id`, `horizon_weeks`, `policy`, \
                     `members`, `segments`, `history`, `offers`, `spot`"
                ),
            )),
        }
    }
    for required in ["format", "horizon_weeks", "members"] {
        if !map.contains_key(required) {
            issues.insert(
                0,
                Issue::new(required, ErrorCode::MissingField, format!("missing field `{required}`")),
            );
        }
    }
    if map.contains_key("format") && input.format != PLAN_FORMAT && !issues.iter().any(|i| i.path == "format") {
        issues.insert(
            0,
            Issue::new(
                "format",
                ErrorCode::WrongFormat,
                format!("format is \"{}\", expected \"{PLAN_FORMAT}\"", input.format),
            ),
        );
    }
    Ok(PartialPlan {
        input,
        issues,
        seg_pos,
        offer_pos,
        spot_pos,
        member_pos,
    })
}

fn check_duration(d: &Duration, at: &str, out: &mut Vec<Issue>) {
    match (d.mean_weeks, &d.weeks) {
        (Some(m), None) => {
            if !m.is_finite() || m < 1.0 {
                out.push(Issue::new(
                    format!("{at}.mean_weeks"),
                    ErrorCode::BadDuration,
                    format!("mean_weeks {m} must be a number ≥ 1"),
                ));
            }
        }
        (None, Some(bins)) => {
            let mut sum = 0.0;
            for (k, b) in bins.iter().enumerate() {
                if b.weeks < 1 {
                    out.push(Issue::new(
                        format!("{at}.weeks[{k}].weeks"),
                        ErrorCode::BadDuration,
                        format!("a placement lasts at least 1 week, not {}", b.weeks),
                    ));
                }
                if !b.share.is_finite() || b.share < 0.0 {
                    out.push(Issue::new(
                        format!("{at}.weeks[{k}].share"),
                        ErrorCode::NegativeValue,
                        format!("{} is not a finite share ≥ 0", b.share),
                    ));
                } else {
                    sum += b.share;
                }
            }
            if bins.is_empty() || (sum - 1.0).abs() > 1e-6 {
                out.push(Issue::new(
                    format!("{at}.weeks"),
                    ErrorCode::BadDuration,
                    format!("the shares sum to {sum}, not 1"),
                ));
            }
        }
        _ => out.push(Issue::new(
            at,
            ErrorCode::BadDuration,
            "give exactly one of `mean_weeks` and `weeks`",
        )),
    }
}

fn resolve_duration(d: &Duration) -> DurationDist {
    match (d.mean_weeks, &d.weeks) {
        (Some(m), _) => DurationDist::Geometric(m),
        (None, Some(bins)) => {
            let mut sorted: Vec<(u32, f64)> = bins.iter().map(|b| (b.weeks as u32, b.share)).collect();
            sorted.sort_by_key(|b| b.0);
            let mut cum = 0.0;
            let mut out: Vec<(u32, f64)> = sorted
                .into_iter()
                .map(|(w, s)| {
                    cum += s;
                    (w, cum)
                })
                .collect();
            if let Some(last) = out.last_mut() {
                last.1 = 1.0;
            }
            DurationDist::Empirical(out)
        }
        _ => unreachable!("validated duration"),
    }
}

/// Reads, validates and resolves a plan. `base_dir` is where a `history` file is looked
/// for (the plan file's folder). Every problem in the plan and in the history file is
/// reported at once.
pub fn load_plan(text: &str, source_name: &str, base_dir: Option<&Path>) -> Result<Plan, InvalidInput> {
    let fail = |issues: Vec<Issue>| InvalidInput {
        source_name: source_name.to_string(),
        issues,
    };
    let p = parse_plan(text).map_err(|i| fail(vec![i]))?;
    let geo = Geography::get();
    let mut out = p.issues.clone();
    let inp = &p.input;

    if !(1..=520).contains(&inp.horizon_weeks) {
        out.push(Issue::new(
            "horizon_weeks",
            ErrorCode::InconsistentRange,
            format!("horizon_weeks {} is not between 1 and 520", inp.horizon_weeks),
        ));
    }
    if let Some(pol) = &inp.policy {
        check_policy(pol, "policy", &mut out);
    }
    let members = resolve_members(&p, geo, &mut out);
    let mut segments = resolve_segments(&p, geo, &members, &mut out);
    let horizon = inp.horizon_weeks.clamp(1, 520) as u32;
    let offers = resolve_offers(&p, geo, &members, horizon, &mut out);
    let spot = resolve_spot(&p, geo, &members, &mut out);

    // History.
    if let Some(h) = &inp.history {
        if out.is_empty() {
            match crate::plan::history::estimate(h, base_dir, &members.set, &members.places) {
                Ok(est) => segments.extend(est),
                Err(mut issues) => out.append(&mut issues),
            }
        }
    }

    // Every segment needs somewhere to go.
    if out.is_empty() {
        for (i, s) in segments.iter().enumerate() {
            if !spot.contains_key(&(s.kind, s.la.clone())) {
                let here = if s.source == "plan" {
                    format!("{}.type", at("segments", &p.seg_pos, i))
                } else {
                    format!("history ({})", s.id)
                };
                out.push(Issue::new(
                    here,
                    ErrorCode::NoSpotMarket,
                    format!("no spot market for {} placements in {}", s.kind.name(), s.la),
                ));
            }
        }
    }
    if !out.is_empty() {
        return Err(fail(out));
    }
    let policy = Policy::resolve(inp.policy.iter());
    Ok(Plan {
        input: p.input.clone(),
        policy,
        horizon,
        members: members.places,
        segments,
        offers,
        spot,
    })
}

/// The path of record `i` of array `kind`, by its position in the file.
fn at(kind: &str, pos: &[usize], i: usize) -> String {
    format!("{kind}[{}]", pos.get(i).copied().unwrap_or(i))
}

/// The member authorities as resolved so far.
struct Members {
    /// The members that passed, in plan order.
    places: Vec<MemberPlace>,
    /// Their upper-tier codes.
    set: BTreeSet<String>,
}

impl Members {
    /// The upper-tier member `code` names, or an issue at `path` (unknown, or not a member).
    fn member_of(&self, geo: &Geography, code: &str, path: String, out: &mut Vec<Issue>) -> Option<String> {
        if !geo.is_authority(code) {
            out.push(Issue::new(
                path,
                ErrorCode::UnknownAuthority,
                format!("\"{code}\" is not a known authority code"),
            ));
            return None;
        }
        let la = geo.utla_of(code);
        if !self.set.contains(&la) {
            out.push(Issue::new(
                path,
                ErrorCode::NotAMember,
                format!("authority {la} is not one of the plan's members"),
            ));
            return None;
        }
        Some(la)
    }
}

/// Members: known authorities, each once, each with the place of its typical home.
fn resolve_members(p: &PartialPlan, geo: &Geography, out: &mut Vec<Issue>) -> Members {
    let inp = &p.input;
    let mut members = Members {
        places: Vec::new(),
        set: BTreeSet::new(),
    };
    if inp.members.is_empty() && !out.iter().any(|i| i.path.starts_with("members")) {
        out.push(Issue::new(
            "members",
            ErrorCode::EmptyBatch,
            "a plan needs at least one member authority",
        ));
    }
    for (i, m) in inp.members.iter().enumerate() {
        let here = at("members", &p.member_pos, i);
        let before = out.len();
        check_la(&m.la, &format!("{here}.la"), geo, out);
        if let Some(loc) = &m.location {
            check_location(loc, &format!("{here}.location"), geo, out);
        }
        if out.len() > before {
            continue;
        }
        let la = geo.utla_of(&m.la);
        if !members.set.insert(la.clone()) {
            out.push(Issue::new(
                format!("{here}.la"),
                ErrorCode::DuplicateId,
                format!("authority {la} is listed twice"),
            ));
            continue;
        }
        let (lat, lon) = match &m.location {
            Some(loc) => {
                let (lat, lon, _) = resolve_location(geo, loc);
                (lat, lon)
            }
            None => authority_centroid(geo, &la).unwrap_or((52.5, -1.5)),
        };
        let name = m
            .name
            .clone()
            .or_else(|| geo.authority_name(&la).map(str::to_string))
            .unwrap_or_else(|| la.clone());
        members.places.push(MemberPlace { la, name, lat, lon });
    }
    members
}

/// The plan's own demand segments (history is estimated later, once the rest is valid).
fn resolve_segments(p: &PartialPlan, geo: &Geography, members: &Members, out: &mut Vec<Issue>) -> Vec<SegmentSpec> {
    let inp = &p.input;
    if inp.segments.is_empty()
        && inp.history.is_none()
        && !out
            .iter()
            .any(|i| i.path.starts_with("segments") || i.path.starts_with("history"))
    {
        out.push(Issue::new(
            "segments",
            ErrorCode::NoDemand,
            "the plan has neither `segments` nor `history`",
        ));
    }
    let mut segments = Vec::new();
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (i, s) in inp.segments.iter().enumerate() {
        let here = at("segments", &p.seg_pos, i);
        let before = out.len();
        if let Some(first) = ids.insert(s.id.as_str(), here.clone()) {
            out.push(Issue::new(
                format!("{here}.id"),
                ErrorCode::DuplicateId,
                format!("id \"{}\" is already used by {first}", s.id),
            ));
        }
        let la = members.member_of(geo, &s.la, format!("{here}.la"), out);
        age_band(Some(s.age_min), Some(s.age_max), &here, out);
        for (ind, v) in &s.needs {
            score(*v, &format!("{here}.needs.{}", ind.name()), out);
        }
        if let Some(loc) = &s.location {
            check_location(loc, &format!("{here}.location"), geo, out);
        }
        non_negative(s.weekly_arrivals, &format!("{here}.weekly_arrivals"), out);
        check_duration(&s.duration, &format!("{here}.duration"), out);
        if out.len() > before {
            continue;
        }
        let la = la.expect("checked");
        let (lat, lon) = match &s.location {
            Some(loc) => {
                let (lat, lon, _) = resolve_location(geo, loc);
                (lat, lon)
            }
            None => {
                let m = members.places.iter().find(|m| m.la == la).expect("member");
                (m.lat, m.lon)
            }
        };
        segments.push(SegmentSpec {
            id: s.id.clone(),
            la,
            kind: s.kind,
            age_min: s.age_min,
            age_max: s.age_max,
            needs: s.needs.clone(),
            lat,
            lon,
            rate: s.weekly_arrivals,
            duration: resolve_duration(&s.duration),
            source: "plan",
            episodes: None,
        });
    }
    segments
}

/// The block offers, each with its place, terms and the members it serves.
fn resolve_offers(
    p: &PartialPlan,
    geo: &Geography,
    members: &Members,
    horizon: u32,
    out: &mut Vec<Issue>,
) -> Vec<OfferSpec> {
    let mut offers = Vec::new();
    let mut offer_ids: HashMap<&str, String> = HashMap::new();
    for (i, o) in p.input.offers.iter().enumerate() {
        let here = at("offers", &p.offer_pos, i);
        let before = out.len();
        if let Some(first) = offer_ids.insert(o.id.as_str(), here.clone()) {
            out.push(Issue::new(
                format!("{here}.id"),
                ErrorCode::DuplicateId,
                format!("id \"{}\" is already used by {first}", o.id),
            ));
        }
        check_location(&o.location, &format!("{here}.location"), geo, out);
        if let Some(la) = &o.la {
            check_la(la, &format!("{here}.la"), geo, out);
        }
        let mut serves = Vec::new();
        for (k, code) in o.serves.iter().enumerate() {
            if let Some(la) = members.member_of(geo, code, format!("{here}.serves[{k}]"), out) {
                serves.push(la);
            }
        }
        age_band(o.age_min, o.age_max, &here, out);
        for (ind, v) in &o.support {
            score(*v, &format!("{here}.support.{}", ind.name()), out);
        }
        non_negative(o.min_beds as f64, &format!("{here}.min_beds"), out);
        non_negative(o.max_beds as f64, &format!("{here}.max_beds"), out);
        not_above(
            ("min_beds", o.min_beds),
            ("max_beds", o.max_beds),
            &format!("{here}.min_beds"),
            out,
        );
        non_negative(o.weekly_price, &format!("{here}.weekly_price"), out);
        if let Some(w) = o.contract_weeks {
            at_least_one(w, "contract_weeks", &format!("{here}.contract_weeks"), out);
        }
        if out.len() > before {
            continue;
        }
        let (lat, lon, utla) = resolve_location(geo, &o.location);
        offers.push(OfferSpec {
            id: o.id.clone(),
            provider: o.provider.clone(),
            kind: o.kind,
            lat,
            lon,
            la: o.la.as_deref().map(|l| geo.utla_of(l)).unwrap_or(utla),
            age_min: o.age_min,
            age_max: o.age_max,
            support: o.support.clone(),
            ofsted: o.ofsted.unwrap_or(Ofsted::Good),
            serves,
            min_beds: o.min_beds,
            max_beds: o.max_beds,
            price: o.weekly_price,
            contract_weeks: o
                .contract_weeks
                .map(|w| (w.max(1) as u32).min(horizon))
                .unwrap_or(horizon),
        });
    }
    offers
}

/// The spot market by (type, member): entries for one authority win over the catch-all of
/// the same type.
fn resolve_spot(
    p: &PartialPlan,
    geo: &Geography,
    members: &Members,
    out: &mut Vec<Issue>,
) -> BTreeMap<(PlacementType, String), SpotSpec> {
    let mut spot: BTreeMap<(PlacementType, String), SpotSpec> = BTreeMap::new();
    let mut catch_all: BTreeMap<PlacementType, SpotSpec> = BTreeMap::new();
    let mut seen: HashMap<(PlacementType, Option<String>), String> = HashMap::new();
    for (i, s) in p.input.spot.iter().enumerate() {
        let here = at("spot", &p.spot_pos, i);
        let before = out.len();
        let la = match &s.la {
            Some(code) => members.member_of(geo, code, format!("{here}.la"), out),
            None => None,
        };
        non_negative(s.weekly_price, &format!("{here}.weekly_price"), out);
        non_negative(s.distant_price, &format!("{here}.distant_price"), out);
        non_negative(s.distant_km, &format!("{here}.distant_km"), out);
        if let Some(k) = s.local_km {
            non_negative(k, &format!("{here}.local_km"), out);
        }
        probability(s.local_probability, &format!("{here}.local_probability"), out);
        if out.len() > before {
            continue;
        }
        if let Some(first) = seen.insert((s.kind, la.clone()), here.clone()) {
            out.push(Issue::new(
                format!("{here}.type"),
                ErrorCode::DuplicateId,
                format!(
                    "{first} already gives the {} spot market{}",
                    s.kind.name(),
                    la.as_deref().map(|l| format!(" for {l}")).unwrap_or_default()
                ),
            ));
            continue;
        }
        let spec = SpotSpec {
            price: s.weekly_price,
            p_local: s.local_probability,
            local_km: s.local_km.unwrap_or(10.0),
            distant_price: s.distant_price,
            distant_km: s.distant_km,
            ofsted: s.ofsted.unwrap_or(Ofsted::Good),
        };
        match la {
            Some(la) => {
                spot.insert((s.kind, la), spec);
            }
            None => {
                catch_all.insert(s.kind, spec);
            }
        }
    }
    for (kind, spec) in &catch_all {
        for m in &members.places {
            spot.entry((*kind, m.la.clone())).or_insert_with(|| spec.clone());
        }
    }
    spot
}
