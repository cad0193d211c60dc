//! Step 2, **validate**: every semantic rule a batch must meet before it is
//! matched — unique ids, references that resolve, known postcodes and authorities,
//! values in range. All problems are reported together, each with its JSON path,
//! a stable code and what to do.

use std::collections::HashMap;

use crate::errors::{ErrorCode, Issue};
use crate::input::batch::{Batch, ExclusionZone, Location};
use crate::input::geography::Geography;
use crate::input::policy::{BudgetInput, PolicyInput};
use crate::input::read::Partial;
use crate::input::rules::{age, age_band, at_least_one, id, not_above, score, within, Range};

/// The batch's semantic rules, on the records that were read: every problem, in document order.
pub fn batch_rules(p: &Partial) -> Vec<Issue> {
    let geo = Geography::get();
    let b: &Batch = &p.batch;
    let mut out = Vec::new();
    let path = |kind: &str, pos: &[usize], i: usize| format!("{kind}[{}]", pos.get(i).copied().unwrap_or(i));

    if b.children.is_empty() && !p.issues.iter().any(|i| i.path.starts_with("children")) {
        out.push(Issue::new(
            "children",
            ErrorCode::EmptyBatch,
            "the batch has no children to place",
        ));
    }
    if b.homes.is_empty() && !p.issues.iter().any(|i| i.path.starts_with("homes")) {
        out.push(Issue::new(
            "homes",
            ErrorCode::EmptyBatch,
            "the batch has no homes with vacancies",
        ));
    }
    if let Some(pol) = &b.policy {
        check_policy(pol, "policy", &mut out);
    }

    let mut providers: HashMap<&str, usize> = HashMap::new();
    for (i, pr) in b.providers.iter().enumerate() {
        let at = path("providers", &p.provider_pos, i);
        id(&pr.id, &format!("{at}.id"), &mut out);
        if let Some(first) = providers.insert(pr.id.as_str(), i) {
            out.push(dup(&at, &pr.id, &path("providers", &p.provider_pos, first)));
            providers.insert(pr.id.as_str(), first);
        }
        if let Some(m) = pr.max_admissions {
            within(m as f64, Range::Beds, &format!("{at}.max_admissions"), &mut out);
        }
        if let Some(d) = &pr.volume_discount {
            within(
                d.min_placements as f64,
                Range::Beds,
                &format!("{at}.volume_discount.min_placements"),
                &mut out,
            );
            if !(0.0..=100.0).contains(&d.percent) {
                out.push(Issue::new(
                    format!("{at}.volume_discount.percent"),
                    ErrorCode::PercentOutOfRange,
                    format!("percent is {}, not between 0 and 100", d.percent),
                ));
            }
        }
    }

    let mut homes: HashMap<&str, usize> = HashMap::new();
    for (i, h) in b.homes.iter().enumerate() {
        let at = path("homes", &p.home_pos, i);
        id(&h.id, &format!("{at}.id"), &mut out);
        if let Some(first) = homes.insert(h.id.as_str(), i) {
            out.push(dup(&at, &h.id, &path("homes", &p.home_pos, first)));
            homes.insert(h.id.as_str(), first);
        }
        if !providers.contains_key(h.provider.as_str()) {
            out.push(Issue::new(
                format!("{at}.provider"),
                ErrorCode::UnknownProvider,
                format!(
                    "home {} names provider \"{}\", which is not in `providers`",
                    h.id, h.provider
                ),
            ));
        }
        check_location(&h.location, &format!("{at}.location"), geo, &mut out);
        if let Some(la) = &h.la {
            check_la(la, &format!("{at}.la"), geo, &mut out);
        }
        within(h.vacancies as f64, Range::Beds, &format!("{at}.vacancies"), &mut out);
        within(
            h.block_vacancies as f64,
            Range::Beds,
            &format!("{at}.block_vacancies"),
            &mut out,
        );
        within(h.occupied as f64, Range::Beds, &format!("{at}.occupied"), &mut out);
        within(
            h.weekly_price,
            Range::PoundsAWeek,
            &format!("{at}.weekly_price"),
            &mut out,
        );
        if h.block_vacancies > h.vacancies && h.block_vacancies >= 0 && h.vacancies >= 0 {
            out.push(Issue::new(
                format!("{at}.block_vacancies"),
                ErrorCode::InconsistentRange,
                format!(
                    "block_vacancies {} exceeds vacancies {}",
                    h.block_vacancies, h.vacancies
                ),
            ));
        }
        age_band(h.age_min, h.age_max, &at, &mut out);
        for (ind, v) in &h.support {
            score(*v, &format!("{at}.support.{}", ind.name()), &mut out);
        }
    }

    let mut children: HashMap<&str, usize> = HashMap::new();
    for (i, c) in b.children.iter().enumerate() {
        let at = path("children", &p.child_pos, i);
        id(&c.id, &format!("{at}.id"), &mut out);
        if let Some(first) = children.insert(c.id.as_str(), i) {
            out.push(dup(&at, &c.id, &path("children", &p.child_pos, first)));
            children.insert(c.id.as_str(), first);
        }
        check_location(&c.location, &format!("{at}.location"), geo, &mut out);
        if let Some(la) = &c.la {
            check_la(la, &format!("{at}.la"), geo, &mut out);
        }
        age(c.age, &format!("{at}.age"), &mut out);
        for (ind, v) in &c.needs {
            score(*v, &format!("{at}.needs.{}", ind.name()), &mut out);
        }
        within(
            c.waiting_days as f64,
            Range::Days,
            &format!("{at}.waiting_days"),
            &mut out,
        );
        if let Some(v) = c.max_distance_km {
            within(v, Range::Km, &format!("{at}.max_distance_km"), &mut out);
        }
        if let Some(v) = c.min_distance_km {
            within(v, Range::Km, &format!("{at}.min_distance_km"), &mut out);
        }
        if let (Some(lo), Some(hi)) = (c.min_distance_km, c.max_distance_km) {
            not_above(
                ("min_distance_km", lo),
                ("max_distance_km", hi),
                &format!("{at}.min_distance_km"),
                &mut out,
            );
        }
        if let Some(v) = c.budget_cap {
            within(v, Range::PoundsAWeek, &format!("{at}.budget_cap"), &mut out);
        }
        for (z, zone) in c.exclusion_zones.iter().enumerate() {
            check_zone(zone, &format!("{at}.exclusion_zones[{z}]"), geo, &mut out);
        }
    }
    crate::input::answers::answer_rules(b, &p.offer_pos, &p.decision_pos, &mut out);
    out
}

fn dup(at: &str, id: &str, first: &str) -> Issue {
    Issue::new(
        format!("{at}.id"),
        ErrorCode::DuplicateId,
        format!("id \"{id}\" is already used by {first}"),
    )
}

/// Reports an unknown authority code.
pub fn check_la(code: &str, at: &str, geo: &Geography, out: &mut Vec<Issue>) {
    if !geo.is_authority(code) {
        out.push(Issue::new(
            at,
            ErrorCode::UnknownAuthority,
            format!("\"{code}\" is not a known authority code"),
        ));
    }
}

/// Reports a location that is malformed, unknown or outside coverage.
pub fn check_location(loc: &Location, at: &str, geo: &Geography, out: &mut Vec<Issue>) {
    match (&loc.postcode, loc.lat, loc.lon) {
        (Some(pc), None, None) => {
            if let Err(problem) = geo.lookup(pc) {
                out.push(problem.issue(format!("{at}.postcode"), pc));
            }
        }
        (None, Some(lat), Some(lon)) => {
            if !(49.8..=55.9).contains(&lat) || !(-6.5..=2.0).contains(&lon) {
                out.push(Issue::new(
                    at,
                    ErrorCode::OutsideCoverage,
                    format!("({lat}, {lon}) is outside England and Wales"),
                ));
            }
        }
        _ => out.push(Issue::new(
            at,
            ErrorCode::BadLocation,
            "a location needs either `postcode` or both `lat` and `lon`, not both",
        )),
    }
}

fn check_zone(z: &ExclusionZone, at: &str, geo: &Geography, out: &mut Vec<Issue>) {
    match (&z.center, z.radius_km, &z.la) {
        (Some(c), Some(r), None) => {
            check_location(c, &format!("{at}.center"), geo, out);
            within(r, Range::Km, &format!("{at}.radius_km"), out);
        }
        (None, None, Some(la)) => check_la(la, &format!("{at}.la"), geo, out),
        _ => out.push(Issue::new(
            at,
            ErrorCode::BadLocation,
            "an exclusion zone is either {\"center\": location, \"radius_km\": r} or {\"la\": code}",
        )),
    }
}

/// Checks one policy layer's values.
pub fn check_policy(p: &PolicyInput, at: &str, out: &mut Vec<Issue>) {
    let field = |f: &str| {
        if at.is_empty() {
            f.to_string()
        } else {
            format!("{at}.{f}")
        }
    };
    for (name, v, range) in [
        ("per_km", p.per_km, Range::PoundsPerKm),
        ("free_km", p.free_km, Range::Km),
        ("out_of_area", p.out_of_area, Range::PoundsAWeek),
        ("unmet_need", p.unmet_need, Range::PoundsAWeek),
        ("type_rank", p.type_rank, Range::PoundsAWeek),
        ("step_across_credit", p.step_across_credit, Range::PoundsAWeek),
        ("language_mismatch", p.language_mismatch, Range::PoundsAWeek),
        ("waiting_day", p.waiting_day, Range::PoundsPerDay),
        ("max_distance_km", p.max_distance_km, Range::Km),
    ] {
        if let Some(v) = v {
            within(v, range, &field(name), out);
        }
    }
    if let Some(m) = &p.ofsted_penalty {
        for (k, v) in m {
            within(
                *v,
                Range::PoundsAWeek,
                &field(&format!("ofsted_penalty.{}", k.name())),
                out,
            );
        }
    }
    if let Some(m) = &p.unplaced {
        for (k, v) in m {
            within(
                *v,
                Range::UnplacedPounds,
                &field(&format!("unplaced.{}", k.name())),
                out,
            );
        }
    }
    if let Some(s) = p.max_need_shortfall {
        at_least_one(s, "max_need_shortfall", &field("max_need_shortfall"), out);
    }
    match &p.weekly_budget {
        Some(BudgetInput::All(v)) => within(*v, Range::BudgetPounds, &field("weekly_budget"), out),
        Some(BudgetInput::PerAuthority(m)) => {
            let geo = Geography::get();
            for (la, v) in m {
                check_la(la, &field(&format!("weekly_budget.{la}")), geo, out);
                within(*v, Range::BudgetPounds, &field(&format!("weekly_budget.{la}")), out);
            }
        }
        None => {}
    }
}
