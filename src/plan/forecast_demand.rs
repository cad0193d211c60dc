//! Demand for `solve --forecast`: the arrival rates `plan` estimates from history, as the
//! [`DemandStream`]s the `lookahead` forecast samples children from.
//!
//! Two inputs carry history. A plan with a `history` section names its members and its
//! observation window; every segment of the plan is used (segments the plan gives keep their
//! ages and needs; estimated ones take the age-band defaults of
//! [`crate::compare::lookahead::demand`]). A history CSV given directly has neither: its
//! members are the authorities of its `LA` column and its window runs from the earliest
//! `DECOM` to the day after the latest date in the file, as a plan's default window does.

use std::collections::BTreeSet;

use crate::compare::lookahead::demand::{band_of_age, DemandStream};
use crate::errors::{ErrorCode, Issue};
use crate::input::geography::Geography;
use crate::plan::format::{authority_centroid, MemberPlace, Plan, SegmentSpec};

/// A plan segment as a stream; an estimated one (already one age band: `plan::history`)
/// takes its band's assumed needs.
fn stream_of(s: &SegmentSpec) -> DemandStream {
    let needs = if s.source == "history" {
        band_of_age(s.age_min).needs.iter().copied().collect()
    } else {
        s.needs.clone()
    };
    DemandStream {
        name: s.id.clone(),
        la: s.la.clone(),
        kind: s.kind,
        age_min: s.age_min,
        age_max: s.age_max,
        needs,
        lat: s.lat,
        lon: s.lon,
        per_week: s.rate,
        episodes: s.episodes,
        stay_weeks: s.duration.mean(),
    }
}

/// Every segment of a plan (given, then estimated) as streams.
pub fn plan_streams(plan: &Plan) -> Vec<DemandStream> {
    plan.segments.iter().map(stream_of).collect()
}

/// The streams of a history CSV read on its own (`name` locates its problems). A file with
/// no bought placement is E1805: its forecast would value no bed.
pub fn history_streams(text: &str, name: &str) -> Result<Vec<DemandStream>, Vec<Issue>> {
    let geo = Geography::get();
    // The members are whoever the file places; unknown codes are reported by the estimate.
    let mut member_set = BTreeSet::new();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let la_col = rdr
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c.eq_ignore_ascii_case("LA")));
    if let Some(c) = la_col {
        for rec in rdr.records().flatten() {
            let code = rec.get(c).unwrap_or("");
            if geo.is_authority(code) {
                member_set.insert(geo.utla_of(code));
            }
        }
    }
    let members: Vec<MemberPlace> = member_set
        .iter()
        .map(|la| {
            let (lat, lon) = authority_centroid(geo, la).unwrap_or((0.0, 0.0));
            MemberPlace {
                la: la.clone(),
                name: geo.authority_name(la).unwrap_or(la).to_string(),
                lat,
                lon,
            }
        })
        .collect();
    let segments = crate::plan::history::estimate_text(text, name, None, None, &member_set, &members)?;
    let streams: Vec<DemandStream> = segments.iter().map(stream_of).collect();
    if streams.is_empty() {
        return Err(vec![no_demand(name)]);
    }
    Ok(streams)
}

/// E1805 at `at`: history without a bought placement in its window.
pub fn no_demand(at: &str) -> Issue {
    Issue::new(
        at.to_string(),
        ErrorCode::ForecastWithoutDemand,
        "the history has no bought placement (fostering, children's home, secure or supported) starting in its window, so the forecast expects no child and would value no bed",
    )
}
