//! Demand estimated from history: a CSV of past episodes shaped like the SSDA903
//! episodes table (one row per episode: `CHILD`, `DECOM` start, `DEC` end, `PLACE`,
//! `PLACE_PROVIDER`, `HOME_POST`, `PL_POST`, `LA`).
//!
//! Consecutive episodes of one child in the same placement (a change of legal status
//! opens a new episode without a move) are merged into one placement. Placements are then
//! counted per (authority, placement type):
//!
//! - **weekly arrivals** = placements starting in the window ÷ the window's weeks;
//! - **mean length** = the exponential maximum-likelihood estimate under right-censoring:
//!   weeks observed over all placements starting in the window (open or still running at
//!   its end counted up to the end) ÷ placements that ended. The planner draws lengths
//!   from a geometric distribution with that mean.
//!
//! The rows have no ages: each (authority, type) is spread uniformly over the ages the type
//! serves (fostering 0–17, children's and secure homes 10–17, supported 16–17:
//! [`history_ages`]) and split into the age bands `under-5`, `5-10`, `11-15`, `16-17`, one
//! segment each (`E10000032/foster/11-15`) with its share of the years, the same length and
//! no needs.
//!
//! `PLACE` codes map as in the batch format (U1–U6 foster, K2 residential, K1 secure,
//! H5 supported); placements that are not bought (with parents, placed for adoption,
//! residential schools, …) are skipped. Every problem names the file, line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::compare::lookahead::demand::{age_band_shares, history_ages};
use crate::errors::{ErrorCode, Issue};
use crate::input::batch::PlacementType;
use crate::input::geography::Geography;
use crate::plan::format::{DurationDist, HistoryInput, MemberPlace, SegmentSpec};

/// SSDA903 `PLACE` codes for placements a co-operative does not buy (skipped).
const NOT_BOUGHT: &[&str] = &[
    "A3", "A4", "A5", "A6", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4", "Z1",
];

/// Days since 1970-01-01 of `DD/MM/YYYY` or `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let (y, m, d) = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        (y.parse::<i64>().ok()?, m.parse::<i64>().ok()?, d.parse::<i64>().ok()?)
    } else {
        let mut it = s.splitn(3, '-');
        let y = it.next()?.parse::<i64>().ok()?;
        let m = it.next()?.parse::<i64>().ok()?;
        let d = it.next()?.parse::<i64>().ok()?;
        (y, m, d)
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > dim[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// One placement read from the file.
#[derive(Debug, Clone)]
struct Episode {
    child: String,
    start: i64,
    end: Option<i64>,
    place: String,
    kind: Option<PlacementType>,
    pl_post: String,
    la: String,
    home: Option<(f64, f64)>,
}

/// Reads and estimates, looking for the file under `base_dir`.
pub fn estimate(
    h: &HistoryInput,
    base_dir: Option<&Path>,
    member_set: &BTreeSet<String>,
    members: &[MemberPlace],
) -> Result<Vec<SegmentSpec>, Vec<Issue>> {
    let path = match base_dir {
        Some(d) => d.join(&h.file),
        None => Path::new(&h.file).to_path_buf(),
    };
    let mut issues = Vec::new();
    let mut window = |v: &Option<String>, field: &str| -> Option<i64> {
        let s = v.as_ref()?;
        let d = parse_date(s);
        if d.is_none() {
            issues.push(Issue::new(
                format!("history.{field}"),
                ErrorCode::BadDate,
                format!("\"{s}\" is not a date"),
            ));
        }
        d
    };
    let from = window(&h.from, "from");
    let to = window(&h.to, "to");
    if !issues.is_empty() {
        return Err(issues);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![Issue::new(
            "history.file",
            ErrorCode::HistoryUnreadable,
            format!("cannot read {}: {e}", path.display()),
        )]
    })?;
    estimate_text(&text, &h.file, from, to, member_set, members)
}

/// Estimates segments from CSV text (`name` is used in messages).
pub fn estimate_text(
    text: &str,
    name: &str,
    from: Option<i64>,
    to: Option<i64>,
    member_set: &BTreeSet<String>,
    members: &[MemberPlace],
) -> Result<Vec<SegmentSpec>, Vec<Issue>> {
    let geo = Geography::get();
    let mut issues = Vec::new();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![Issue::new(
                format!("{name} line 1"),
                ErrorCode::HistoryUnreadable,
                format!("cannot read the header: {e}"),
            )])
        }
    };
    let col = |c: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(c));
    let mut missing = Vec::new();
    let mut req = |c: &str| {
        let p = col(c);
        if p.is_none() {
            missing.push(c.to_string());
        }
        p.unwrap_or(0)
    };
    let (c_child, c_decom, c_place, c_la) = (req("CHILD"), req("DECOM"), req("PLACE"), req("LA"));
    if !missing.is_empty() {
        return Err(vec![Issue::new(
            format!("{name} line 1"),
            ErrorCode::HistoryUnreadable,
            format!(
                "the header lacks column(s) {} (it has {})",
                missing.join(", "),
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        )]);
    }
    let (c_dec, c_home, c_pl_post) = (col("DEC"), col("HOME_POST"), col("PL_POST"));
    let mut episodes = Vec::new();
    let mut latest = i64::MIN;
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                issues.push(Issue::new(
                    format!("{name} line {line}"),
                    ErrorCode::HistoryUnreadable,
                    format!("{e}"),
                ));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let at = |c: &str| format!("{name} line {line} column {c}");
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        let before = issues.len();
        let child = get(c_child);
        if child.is_empty() {
            issues.push(Issue::new(
                at("CHILD"),
                ErrorCode::MissingField,
                "the child id is empty",
            ));
        }
        let start = parse_date(&get(c_decom));
        if start.is_none() {
            issues.push(Issue::new(
                at("DECOM"),
                ErrorCode::BadDate,
                format!("\"{}\" is not a date", get(c_decom)),
            ));
        }
        let end = match c_dec.map(get).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match parse_date(&s) {
                None => {
                    issues.push(Issue::new(
                        at("DEC"),
                        ErrorCode::BadDate,
                        format!("\"{s}\" is not a date"),
                    ));
                    None
                }
                Some(d) => {
                    if let Some(st) = start {
                        if d < st {
                            issues.push(Issue::new(
                                at("DEC"),
                                ErrorCode::BadDate,
                                format!("the episode ends ({s}) before it starts ({})", get(c_decom)),
                            ));
                        }
                    }
                    Some(d)
                }
            },
        };
        let place = get(c_place).to_uppercase();
        let kind = if NOT_BOUGHT.contains(&place.as_str()) {
            None
        } else {
            match serde_json::from_value::<PlacementType>(serde_json::Value::String(place.clone())) {
                Ok(t) if place.len() == 2 => Some(t),
                _ => {
                    issues.push(Issue::new(
                        at("PLACE"),
                        ErrorCode::UnknownPlaceCode,
                        format!("\"{place}\" is not an SSDA903 PLACE code"),
                    ));
                    None
                }
            }
        };
        let la_code = get(c_la);
        let mut la = String::new();
        if !geo.is_authority(&la_code) {
            issues.push(Issue::new(
                at("LA"),
                ErrorCode::UnknownAuthority,
                format!("\"{la_code}\" is not a known authority code"),
            ));
        } else {
            la = geo.utla_of(&la_code);
            if !member_set.contains(&la) {
                issues.push(Issue::new(
                    at("LA"),
                    ErrorCode::NotAMember,
                    format!("authority {la} is not one of the plan's members"),
                ));
            }
        }
        let home = match c_home.map(get).filter(|s| !s.is_empty()) {
            None => None,
            Some(pc) => match geo.lookup(&pc) {
                Ok(s) => Some((s.lat, s.lon)),
                Err(problem) => {
                    issues.push(problem.issue(at("HOME_POST"), &pc));
                    None
                }
            },
        };
        if issues.len() > before {
            continue;
        }
        let start = start.expect("checked");
        latest = latest.max(end.unwrap_or(start)).max(start);
        episodes.push(Episode {
            child,
            start,
            end,
            place,
            kind,
            pl_post: c_pl_post.map(get).unwrap_or_default(),
            la,
            home,
        });
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    if episodes.is_empty() {
        return Err(vec![Issue::new(
            name.to_string(),
            ErrorCode::NoDemand,
            "the history file has no episodes",
        )]);
    }
    // Merge episodes that continue the same placement.
    episodes.sort_by(|a, b| (a.child.as_str(), a.start).cmp(&(b.child.as_str(), b.start)));
    let mut placements: Vec<Episode> = Vec::new();
    for e in episodes {
        if let Some(prev) = placements.last_mut() {
            if prev.child == e.child && prev.place == e.place && prev.pl_post == e.pl_post && prev.end == Some(e.start)
            {
                prev.end = e.end;
                continue;
            }
        }
        placements.push(e);
    }
    let from = from.unwrap_or_else(|| placements.iter().map(|e| e.start).min().unwrap_or(0));
    let to = to.unwrap_or(latest + 1);
    if to <= from {
        return Err(vec![Issue::new(
            "history.to",
            ErrorCode::BadDate,
            "the observation window is empty (`to` is not after `from`)",
        )]);
    }
    let weeks = (to - from) as f64 / 7.0;
    // Per (authority, type): arrivals, exposure weeks, ended placements, home locations.
    #[derive(Default)]
    struct Acc {
        n: usize,
        exposure: f64,
        ended: usize,
        lat: f64,
        lon: f64,
        located: usize,
    }
    let mut acc: BTreeMap<(String, PlacementType), Acc> = BTreeMap::new();
    for e in &placements {
        let Some(kind) = e.kind else { continue };
        if e.start < from || e.start >= to {
            continue;
        }
        let a = acc.entry((e.la.clone(), kind)).or_default();
        a.n += 1;
        match e.end {
            Some(end) if end <= to => {
                a.exposure += ((end - e.start) as f64 / 7.0).max(1.0 / 7.0);
                a.ended += 1;
            }
            _ => a.exposure += (to - e.start) as f64 / 7.0,
        }
        if let Some((lat, lon)) = e.home {
            a.lat += lat;
            a.lon += lon;
            a.located += 1;
        }
    }
    let mut out = Vec::new();
    for ((la, kind), a) in acc {
        let m = members.iter().find(|m| m.la == la).expect("member");
        // With no ended placement the length is at least what was observed.
        let mean = if a.ended > 0 {
            a.exposure / a.ended as f64
        } else {
            a.exposure.max(weeks)
        };
        let (lat, lon) = if a.located > 0 {
            (a.lat / a.located as f64, a.lon / a.located as f64)
        } else {
            (m.lat, m.lon)
        };
        // No ages in the rows: the type's ages, one segment per age band, so an offer for
        // part of them (a children's home for 11–17) serves the bands it admits.
        let (age_min, age_max) = history_ages(kind);
        for (band, lo, hi, share) in age_band_shares(age_min, age_max) {
            out.push(SegmentSpec {
                id: format!("{la}/{}/{}", kind.name(), band.label(lo, hi)),
                la: la.clone(),
                kind,
                age_min: lo,
                age_max: hi,
                needs: BTreeMap::new(),
                lat,
                lon,
                rate: a.n as f64 / weeks * share,
                duration: DurationDist::Geometric(mean.max(1.0)),
                source: "history",
                episodes: Some(a.n),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_in_both_spellings() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("02/01/1970"), Some(1));
        assert_eq!(parse_date("2024-03-01").unwrap() - parse_date("2024-02-28").unwrap(), 2);
        assert_eq!(parse_date("31/02/2024"), None);
        assert_eq!(parse_date("yesterday"), None);
    }
}
