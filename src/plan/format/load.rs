//! Reading a plan: every record on its own, then the members, segments, offers and spot
//! market resolved in turn, each problem with its JSON path and code, and the history
//! estimated once the rest is valid.

use super::*;

pub(super) fn resolve_location(geo: &Geography, loc: &Location) -> (f64, f64, String) {
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
pub(super) struct PartialPlan {
    pub(super) input: PlanInput,
    pub(super) issues: Vec<Issue>,
    pub(super) seg_pos: Vec<usize>,
    pub(super) offer_pos: Vec<usize>,
    pub(super) spot_pos: Vec<usize>,
    pub(super) member_pos: Vec<usize>,
}

pub(super) fn parse_plan(text: &str) -> Result<PartialPlan, Issue> {
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
            other => issues.push(crate::input::read::unknown_field(
                other,
                other,
                &[
                    "format",
                    "plan_id",
                    "horizon_weeks",
                    "policy",
                    "members",
                    "segments",
                    "history",
                    "offers",
                    "spot",
                ],
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

pub(super) fn check_duration(d: &Duration, at: &str, out: &mut Vec<Issue>) {
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

pub(super) fn resolve_duration(d: &Duration) -> DurationDist {
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
pub(super) fn at(kind: &str, pos: &[usize], i: usize) -> String {
    format!("{kind}[{}]", pos.get(i).copied().unwrap_or(i))
}

/// The member authorities as resolved so far.
pub(super) struct Members {
    /// The members that passed, in plan order.
    pub(super) places: Vec<MemberPlace>,
    /// Their upper-tier codes.
    pub(super) set: BTreeSet<String>,
}

impl Members {
    /// The upper-tier member `code` names, or an issue at `path` (unknown, or not a member).
    pub(super) fn member_of(&self, geo: &Geography, code: &str, path: String, out: &mut Vec<Issue>) -> Option<String> {
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
pub(super) fn resolve_members(p: &PartialPlan, geo: &Geography, out: &mut Vec<Issue>) -> Members {
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
pub(super) fn resolve_segments(
    p: &PartialPlan,
    geo: &Geography,
    members: &Members,
    out: &mut Vec<Issue>,
) -> Vec<SegmentSpec> {
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
        within(
            s.weekly_arrivals,
            Range::ArrivalsPerWeek,
            &format!("{here}.weekly_arrivals"),
            out,
        );
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
pub(super) fn resolve_offers(
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
        within(o.min_beds as f64, Range::Beds, &format!("{here}.min_beds"), out);
        within(o.max_beds as f64, Range::Beds, &format!("{here}.max_beds"), out);
        not_above(
            ("min_beds", o.min_beds),
            ("max_beds", o.max_beds),
            &format!("{here}.min_beds"),
            out,
        );
        within(o.weekly_price, Range::PoundsAWeek, &format!("{here}.weekly_price"), out);
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
pub(super) fn resolve_spot(
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
        within(s.weekly_price, Range::PoundsAWeek, &format!("{here}.weekly_price"), out);
        within(
            s.distant_price,
            Range::PoundsAWeek,
            &format!("{here}.distant_price"),
            out,
        );
        within(s.distant_km, Range::Km, &format!("{here}.distant_km"), out);
        if let Some(k) = s.local_km {
            within(k, Range::Km, &format!("{here}.local_km"), out);
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
