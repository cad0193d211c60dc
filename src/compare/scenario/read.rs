//! Reading and validating a scenario: every record read on its own, then every semantic rule,
//! each problem with its JSON path and a stable code.

use super::*;

/// Reads and validates a scenario, collecting every problem with its JSON path and code.
pub fn parse_scenario(text: &str, source_name: &str) -> Result<Scenario, InvalidInput> {
    let fail = |issues: Vec<Issue>| InvalidInput {
        source_name: source_name.to_string(),
        issues,
    };
    let value = parse_json(text).map_err(|i| fail(vec![i]))?;
    let Value::Object(map) = &value else {
        return Err(fail(vec![Issue::new(
            "",
            ErrorCode::WrongType,
            "a scenario is a JSON object",
        )]));
    };
    // Each top-level field and each array element is read on its own, so one bad record does
    // not hide the problems of the next.
    let mut issues = Vec::new();
    let mut clean = serde_json::Map::new();
    for (key, v) in map {
        match v {
            Value::Array(items) if ARRAYS.contains(&key.as_str()) => {
                let mut good = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{key}[{i}]");
                    let ok = match key.as_str() {
                        "authorities" => typed::<ScenarioAuthority>(item, &at).map(|_| ()),
                        "providers" => typed::<Provider>(item, &at).map(|_| ()),
                        "homes" => typed::<Home>(item, &at).map(|_| ()),
                        "home_generators" => typed::<HomeGenerator>(item, &at).map(|_| ()),
                        _ => typed::<Segment>(item, &at).map(|_| ()),
                    };
                    match ok {
                        Ok(()) => good.push(item.clone()),
                        Err(e) => {
                            issues.push(e);
                            // Keep a placeholder so later paths keep their index.
                            good.push(Value::Null);
                        }
                    }
                }
                clean.insert(key.clone(), Value::Array(good));
            }
            _ => {
                clean.insert(key.clone(), v.clone());
            }
        }
    }
    if !map.contains_key("format") {
        issues.insert(
            0,
            Issue::new(
                "format",
                ErrorCode::MissingField,
                format!("missing field `format` (expected \"{SCENARIO_FORMAT}\")"),
            ),
        );
    } else if map.get("format").and_then(Value::as_str) != Some(SCENARIO_FORMAT) {
        issues.insert(
            0,
            Issue::new(
                "format",
                ErrorCode::WrongFormat,
                format!("format is {}, expected \"{SCENARIO_FORMAT}\"", map["format"]),
            ),
        );
    }
    // Top-level fields other than the arrays: read the whole with bad records removed.
    let mut top = clean.clone();
    for key in ARRAYS {
        if let Some(Value::Array(items)) = top.get_mut(*key) {
            items.retain(|v| !v.is_null());
        }
    }
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for key in ARRAYS {
        if let Some(Value::Array(items)) = clean.get(*key) {
            positions.insert(key, (0..items.len()).filter(|&i| !items[i].is_null()).collect());
        }
    }
    if issues.iter().all(|i| i.path != "format") {
        top.insert("format".into(), Value::String(SCENARIO_FORMAT.into()));
    }
    match typed::<Scenario>(&Value::Object(top), "") {
        Ok(s) => {
            issues.extend(validate(&s, &positions));
            if issues.is_empty() {
                Ok(s)
            } else {
                Err(fail(issues))
            }
        }
        Err(e) => {
            // Array records already reported; anything else is a top-level problem.
            if !issues.iter().any(|i| i.path == e.path) {
                issues.push(e);
            }
            Err(fail(issues))
        }
    }
}

pub(super) const ARRAYS: &[&str] = &["authorities", "providers", "homes", "home_generators", "segments"];

/// The path of record `i` of array `kind`, by its position in the file.
pub(super) fn at(pos: &HashMap<&str, Vec<usize>>, kind: &str, i: usize) -> String {
    format!("{kind}[{}]", pos.get(kind).and_then(|p| p.get(i)).copied().unwrap_or(i))
}

/// Every semantic rule of a scenario; `pos` maps record index → position in the file.
pub(super) fn validate(s: &Scenario, pos: &HashMap<&str, Vec<usize>>) -> Vec<Issue> {
    let mut out = Vec::new();
    if let Some(p) = &s.policy {
        crate::input::validate::check_policy(p, "policy", &mut out);
    }
    non_empty(s, pos, &mut out);
    let codes = authority_rules(s, pos, &mut out);
    let providers = provider_rules(s, pos, &mut out);
    explicit_home_rules(s, pos, &mut out);
    generator_rules(s, pos, &providers, &mut out);
    segment_rules(s, pos, &codes, &mut out);
    dynamics_rules(s, &mut out);
    out
}

/// A scenario needs authorities, arrival segments and homes (or generators of them).
pub(super) fn non_empty(s: &Scenario, pos: &HashMap<&str, Vec<usize>>, out: &mut Vec<Issue>) {
    let none = |key: &str| pos.get(key).is_none_or(|p| p.is_empty());
    let mut has = |cond: bool, path: &str, what: &str| {
        if cond {
            out.push(Issue::new(
                path,
                ErrorCode::EmptyScenario,
                format!("the scenario has no {what}"),
            ));
        }
    };
    has(
        s.authorities.is_empty() && none("authorities"),
        "authorities",
        "authorities",
    );
    has(
        s.segments.is_empty() && none("segments"),
        "segments",
        "arrival segments",
    );
    has(
        s.homes.is_empty() && s.home_generators.is_empty() && none("homes") && none("home_generators"),
        "homes",
        "homes or home generators",
    );
}

/// Authorities: known upper-tier codes, each once, with sectors inside them. Returns the
/// codes with their record index.
pub(super) fn authority_rules(
    s: &Scenario,
    pos: &HashMap<&str, Vec<usize>>,
    out: &mut Vec<Issue>,
) -> HashMap<String, usize> {
    let geo = Geography::get();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (i, a) in s.authorities.iter().enumerate() {
        let base = at(pos, "authorities", i);
        if !geo.utlas.contains_key(&a.code) {
            out.push(Issue::new(
                format!("{base}.code"),
                ErrorCode::UnknownAuthority,
                format!("\"{}\" is not a known upper-tier authority code", a.code),
            ));
        } else if let Some(first) = codes.insert(a.code.clone(), i) {
            out.push(Issue::new(
                format!("{base}.code"),
                ErrorCode::DuplicateId,
                format!(
                    "authority {} is already listed at {}",
                    a.code,
                    at(pos, "authorities", first)
                ),
            ));
        }
        within(a.weight, Range::Weight, &format!("{base}.weight"), out);
        for (k, sec) in a.sectors.iter().enumerate() {
            match geo.lookup(sec) {
                Err(problem) => out.push(problem.issue(format!("{base}.sectors[{k}]"), sec)),
                Ok(x) if geo.utla_of(&x.lad) != a.code && geo.utlas.contains_key(&a.code) => out.push(Issue::new(
                    format!("{base}.sectors[{k}]"),
                    ErrorCode::SectorOutsideAuthority,
                    format!(
                        "sector \"{sec}\" lies in {} ({}), not {}",
                        geo.authority_name(&geo.utla_of(&x.lad)).unwrap_or("?"),
                        geo.utla_of(&x.lad),
                        a.code
                    ),
                )),
                Ok(_) => {}
            }
        }
    }
    codes
}

/// Provider ids, each once. Returns them with their record index.
pub(super) fn provider_rules<'s>(
    s: &'s Scenario,
    pos: &HashMap<&str, Vec<usize>>,
    out: &mut Vec<Issue>,
) -> HashMap<&'s str, usize> {
    let mut providers: HashMap<&str, usize> = HashMap::new();
    for (i, p) in s.providers.iter().enumerate() {
        if let Some(first) = providers.insert(p.id.as_str(), i) {
            out.push(Issue::new(
                format!("{}.id", at(pos, "providers", i)),
                ErrorCode::DuplicateId,
                format!("id \"{}\" is already used by {}", p.id, at(pos, "providers", first)),
            ));
            providers.insert(p.id.as_str(), first);
        }
    }
    providers
}

/// Explicit homes: the batch's own rules, on a batch holding just them.
pub(super) fn explicit_home_rules(s: &Scenario, pos: &HashMap<&str, Vec<usize>>, out: &mut Vec<Issue>) {
    if s.homes.is_empty() {
        return;
    }
    let partial = crate::input::read::Partial {
        batch: crate::input::batch::Batch {
            format: crate::input::batch::BATCH_FORMAT.into(),
            batch_id: None,
            as_of: None,
            policy: None,
            providers: s.providers.clone(),
            homes: s.homes.clone(),
            children: Vec::new(),
            offers: Vec::new(),
            decisions: Vec::new(),
        },
        issues: vec![Issue::new("children", ErrorCode::EmptyBatch, "")],
        provider_pos: pos.get("providers").cloned().unwrap_or_default(),
        home_pos: pos.get("homes").cloned().unwrap_or_default(),
        child_pos: Vec::new(),
        offer_pos: Vec::new(),
        decision_pos: Vec::new(),
    };
    // Providers were checked above; keep only the homes' problems.
    out.extend(
        crate::input::validate::batch_rules(&partial)
            .into_iter()
            .filter(|i| i.path.starts_with("homes")),
    );
}

/// Home generators: unique prefixes, known providers and authorities, sensible counts,
/// beds, prices, ratings, ages and support.
pub(super) fn generator_rules(
    s: &Scenario,
    pos: &HashMap<&str, Vec<usize>>,
    providers: &HashMap<&str, usize>,
    out: &mut Vec<Issue>,
) {
    let geo = Geography::get();
    let mut prefixes: HashSet<String> = s.homes.iter().map(|h| h.id.clone()).collect();
    for (i, g) in s.home_generators.iter().enumerate() {
        let base = at(pos, "home_generators", i);
        let prefix = g.id_prefix.clone().unwrap_or_else(|| format!("G{i}"));
        if !prefixes.insert(prefix.clone()) {
            out.push(Issue::new(
                format!("{base}.id_prefix"),
                ErrorCode::DuplicateId,
                format!("id prefix \"{prefix}\" is used twice (or is a home id)"),
            ));
        }
        if !providers.contains_key(g.provider.as_str()) {
            out.push(Issue::new(
                format!("{base}.provider"),
                ErrorCode::UnknownProvider,
                format!("provider \"{}\" is not in `providers`", g.provider),
            ));
        }
        within(g.count as f64, Range::Homes, &format!("{base}.count"), out);
        within(g.new_per_year, Range::Homes, &format!("{base}.new_per_year"), out);
        within(g.block_beds as f64, Range::Homes, &format!("{base}.block_beds"), out);
        probability(g.occupancy, &format!("{base}.occupancy"), out);
        int_range(&g.beds, &format!("{base}.beds"), 1, 100, out);
        if g.block_beds > g.beds.min && g.beds.min >= 1 {
            out.push(Issue::new(
                format!("{base}.block_beds"),
                ErrorCode::InconsistentRange,
                format!(
                    "block_beds {} exceeds the fewest beds a home has ({})",
                    g.block_beds, g.beds.min
                ),
            ));
        }
        let p = g.weekly_price;
        within(p.min, Range::PoundsAWeek, &format!("{base}.weekly_price.min"), out);
        within(p.max, Range::PoundsAWeek, &format!("{base}.weekly_price.max"), out);
        not_above(("min", p.min), ("max", p.max), &format!("{base}.weekly_price.min"), out);
        for (k, code) in g.authorities.iter().enumerate() {
            if !geo.utlas.contains_key(code) {
                out.push(Issue::new(
                    format!("{base}.authorities[{k}]"),
                    ErrorCode::UnknownAuthority,
                    format!("\"{code}\" is not a known upper-tier authority code"),
                ));
            }
        }
        if let Some(r) = &g.ofsted {
            for (k, v) in r {
                probability(*v, &format!("{base}.ofsted.{}", k.name()), out);
            }
            sums_to_one(&r.values().copied().collect::<Vec<_>>(), &format!("{base}.ofsted"), out);
        }
        age_band(g.age_min, g.age_max, &base, out);
        for (ind, v) in &g.support {
            score(*v, &format!("{base}.support.{}", ind.name()), out);
        }
    }
}

/// Arrival segments: unique names, rates, ages, shares, member authorities, need and urgency
/// distributions, durations and step-across.
pub(super) fn segment_rules(
    s: &Scenario,
    pos: &HashMap<&str, Vec<usize>>,
    codes: &HashMap<String, usize>,
    out: &mut Vec<Issue>,
) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, g) in s.segments.iter().enumerate() {
        let base = at(pos, "segments", i);
        if let Some(first) = names.insert(g.name.as_str(), i) {
            out.push(Issue::new(
                format!("{base}.name"),
                ErrorCode::DuplicateId,
                format!(
                    "segment name \"{}\" is already used by {}",
                    g.name,
                    at(pos, "segments", first)
                ),
            ));
        }
        within(
            g.rate_per_day,
            Range::ArrivalsPerDay,
            &format!("{base}.rate_per_day"),
            out,
        );
        within(
            g.breakdown_multiplier,
            Range::Weight,
            &format!("{base}.breakdown_multiplier"),
            out,
        );
        int_range(&g.age, &format!("{base}.age"), 0, 25, out);
        probability(g.female_share, &format!("{base}.female_share"), out);
        probability(g.requires_solo, &format!("{base}.requires_solo"), out);
        if let Some(m) = &g.authorities {
            for (code, w) in m {
                if !codes.contains_key(code) {
                    out.push(Issue::new(
                        format!("{base}.authorities.{code}"),
                        ErrorCode::AuthorityNotInScenario,
                        format!("authority \"{code}\" is not in the scenario's `authorities`"),
                    ));
                }
                within(*w, Range::Weight, &format!("{base}.authorities.{code}"), out);
            }
        }
        for (ind, ps) in &g.needs {
            for (lvl, p) in ps.iter().enumerate() {
                probability(*p, &format!("{base}.needs.{}[{lvl}]", ind.name()), out);
            }
            sums_to_one(ps, &format!("{base}.needs.{}", ind.name()), out);
        }
        for (field, m) in [("risks", &g.risks), ("incompatible_risks", &g.incompatible_risks)] {
            for (r, p) in m {
                let key = serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                probability(*p, &format!("{base}.{field}.{key}"), out);
            }
        }
        if let Some(u) = &g.urgency {
            for (k, p) in u {
                probability(*p, &format!("{base}.urgency.{}", k.name()), out);
            }
            sums_to_one(
                &u.values().copied().collect::<Vec<_>>(),
                &format!("{base}.urgency"),
                out,
            );
        }
        if let Some(d) = g.max_distance_km {
            within(d, Range::Km, &format!("{base}.max_distance_km"), out);
        }
        if let Err(m) = g.duration.validate() {
            out.push(Issue::new(format!("{base}.duration"), ErrorCode::BadDistribution, m));
        }
        if let Some(p) = &g.step_across {
            probability(p.share, &format!("{base}.step_across.share"), out);
            if !(0..=3).contains(&p.needs_reduce_by) {
                out.push(Issue::new(
                    format!("{base}.step_across.needs_reduce_by"),
                    ErrorCode::ScoreOutOfRange,
                    format!("{} is not between 0 and 3 levels", p.needs_reduce_by),
                ));
            }
            if let Err(m) = p.after.validate() {
                out.push(Issue::new(
                    format!("{base}.step_across.after"),
                    ErrorCode::BadDistribution,
                    m,
                ));
            }
        }
    }
}

/// Breakdown hazards and outside demand.
pub(super) fn dynamics_rules(s: &Scenario, out: &mut Vec<Issue>) {
    let b = &s.breakdown;
    for (f, v) in [
        ("base", b.base),
        ("per_unmet_need", b.per_unmet_need),
        ("per_km", b.per_km),
        ("out_of_area", b.out_of_area),
    ] {
        probability(v, &format!("breakdown.{f}"), out);
    }
    if !(s.outside_demand.mean_stay_days.is_finite() && s.outside_demand.mean_stay_days > 0.0) {
        out.push(Issue::new(
            "outside_demand.mean_stay_days",
            ErrorCode::BadDistribution,
            format!("mean_stay_days is {}, must be above 0", s.outside_demand.mean_stay_days),
        ));
    }
    probability(s.outside_demand.daily_takeup, "outside_demand.daily_takeup", out);
}

pub(super) fn int_range(r: &IntRange, at: &str, lo: i64, hi: i64, out: &mut Vec<Issue>) {
    for (f, v) in [("min", r.min), ("max", r.max)] {
        if !(lo..=hi).contains(&v) {
            let code = if hi == 25 {
                ErrorCode::AgeOutOfRange
            } else {
                ErrorCode::NegativeValue
            };
            out.push(Issue::new(
                format!("{at}.{f}"),
                code,
                format!("{v} is not between {lo} and {hi}"),
            ));
        }
    }
    not_above(("min", r.min), ("max", r.max), &format!("{at}.min"), out);
}
