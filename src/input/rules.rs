//! The generic value rules every input format shares — a batch, a scenario, a plan: numbers
//! that must be finite and not negative, ages, Valuing Care scores, probabilities, and
//! bounds that must not cross. Each reports an [`Issue`] at the path given, with one code per
//! fault, so the same mistake reads the same in every file (docs/reference/errors.md).

use std::fmt::Display;

use crate::errors::{ErrorCode, Issue};

/// The documented range of each kind of number an input carries (from 0 to [`Range::max`]),
/// wide enough for any real batch, scenario or plan and narrow enough that every cost the
/// model builds stays finite and well inside the solver's precision (a child's weekly cost
/// below about £10⁸, where HiGHS's tolerances are 10⁻⁹ relative). The table in
/// docs/reference/ranges.md is this enum (a test compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// Pounds a week: a price, a budget cap, a policy weight (bespoke placements reach £50,000).
    PoundsAWeek,
    /// Pounds a week for a child left unplaced (the policy's `unplaced`, by urgency).
    UnplacedPounds,
    /// Pounds a week for an authority's weekly budget.
    BudgetPounds,
    /// Pounds a week per km (`per_km`).
    PoundsPerKm,
    /// Pounds a week per day waited (`waiting_day`).
    PoundsPerDay,
    /// Kilometres: distances and radii (England and Wales span about 1,000 km).
    Km,
    /// Beds, places, admissions or placements at one home or provider.
    Beds,
    /// Days a child has waited.
    Days,
    /// Children arriving a day in one scenario segment (England: about 90 a day).
    ArrivalsPerDay,
    /// Children arriving a week in one plan segment.
    ArrivalsPerWeek,
    /// Homes a scenario generates, or that join it a year.
    Homes,
    /// A relative weight or multiplier.
    Weight,
}

impl Range {
    /// Every range, for the documentation.
    pub const ALL: [Range; 12] = [
        Range::PoundsAWeek,
        Range::UnplacedPounds,
        Range::BudgetPounds,
        Range::PoundsPerKm,
        Range::PoundsPerDay,
        Range::Km,
        Range::Beds,
        Range::Days,
        Range::ArrivalsPerDay,
        Range::ArrivalsPerWeek,
        Range::Homes,
        Range::Weight,
    ];

    /// The largest value allowed (the smallest is 0).
    pub fn max(self) -> f64 {
        match self {
            Range::PoundsAWeek => 1_000_000.0,
            Range::UnplacedPounds => 10_000_000.0,
            Range::BudgetPounds => 1_000_000_000.0,
            Range::PoundsPerKm => 10_000.0,
            Range::PoundsPerDay => 10_000.0,
            Range::Km => 2_000.0,
            Range::Beds => 10_000.0,
            Range::Days => 3_650.0,
            Range::ArrivalsPerDay => 1_000.0,
            Range::ArrivalsPerWeek => 7_000.0,
            Range::Homes => 100_000.0,
            Range::Weight => 1_000.0,
        }
    }

    /// The unit, as a message says it.
    pub fn unit(self) -> &'static str {
        match self {
            Range::PoundsAWeek | Range::UnplacedPounds | Range::BudgetPounds => "£ a week",
            Range::PoundsPerKm => "£ a week per km",
            Range::PoundsPerDay => "£ a week per day waited",
            Range::Km => "km",
            Range::Beds => "beds or placements",
            Range::Days => "days",
            Range::ArrivalsPerDay => "children a day",
            Range::ArrivalsPerWeek => "children a week",
            Range::Homes => "homes",
            Range::Weight => "(a relative weight)",
        }
    }
}

/// Reports a value that is negative or not finite (E1303), or above its range (E1306).
pub fn within(v: f64, range: Range, at: &str, out: &mut Vec<Issue>) {
    if !v.is_finite() || v < 0.0 {
        out.push(Issue::new(
            at,
            ErrorCode::NegativeValue,
            format!("{v} is not a finite value ≥ 0"),
        ));
    } else if v > range.max() {
        // 1e308 is written as such, not as 309 digits.
        let shown = if v >= 1e9 { format!("{v:e}") } else { v.to_string() };
        out.push(Issue::new(
            at,
            ErrorCode::ValueTooLarge,
            format!(
                "{shown} is above the largest allowed, {} {}",
                crate::support::money::group(range.max() as u64),
                range.unit()
            ),
        ));
    }
}

/// Reports an id that is empty, longer than 64 characters or holds a control character (E1103):
/// ids name children, homes and providers in every result, report and log line.
pub fn id(v: &str, at: &str, out: &mut Vec<Issue>) {
    let problem = if v.trim().is_empty() {
        Some("is empty".to_string())
    } else if v.chars().count() > 64 {
        Some(format!("has {} characters", v.chars().count()))
    } else if v.chars().any(char::is_control) {
        Some("holds a control character".to_string())
    } else {
        None
    };
    if let Some(p) = problem {
        out.push(Issue::new(
            at,
            ErrorCode::BadId,
            format!("the id {p}; an id is 1 to 64 printable characters"),
        ));
    }
}

/// Reports a whole number below 1 (E1303): `name {v} must be at least 1`.
pub fn at_least_one(v: i64, name: &str, at: &str, out: &mut Vec<Issue>) {
    if v < 1 {
        out.push(Issue::new(
            at,
            ErrorCode::NegativeValue,
            format!("{name} {v} must be at least 1"),
        ));
    }
}

/// Reports an age outside 0–25 (E1301).
pub fn age(v: i64, at: &str, out: &mut Vec<Issue>) {
    if !(0..=25).contains(&v) {
        out.push(Issue::new(
            at,
            ErrorCode::AgeOutOfRange,
            format!("age {v} is outside 0–25"),
        ));
    }
}

/// Reports a Valuing Care score outside 0–3 (E1302).
pub fn score(v: i64, at: &str, out: &mut Vec<Issue>) {
    if !(0..=3).contains(&v) {
        out.push(Issue::new(
            at,
            ErrorCode::ScoreOutOfRange,
            format!("score {v} is outside 0–3"),
        ));
    }
}

/// Reports a probability outside 0–1, or not finite (E1502).
pub fn probability(p: f64, at: &str, out: &mut Vec<Issue>) {
    if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
        out.push(Issue::new(
            at,
            ErrorCode::BadProbability,
            format!("{p} is not a probability between 0 and 1"),
        ));
    }
}

/// Reports probabilities of one choice that do not sum to 1 (E1502). Negative or non-finite
/// ones are left to [`probability`], which reports each on its own path.
pub fn sums_to_one(ps: &[f64], at: &str, out: &mut Vec<Issue>) {
    let total: f64 = ps.iter().sum();
    if ps.iter().all(|p| p.is_finite() && *p >= 0.0) && (total - 1.0).abs() > 1e-6 {
        out.push(Issue::new(
            at,
            ErrorCode::BadProbability,
            format!("the probabilities sum to {total}, not 1"),
        ));
    }
}

/// Reports a lower bound above its upper bound (E1304) at `at`, the lower bound's path:
/// `{lo_name} {lo} is above {hi_name} {hi}`.
pub fn not_above<T: PartialOrd + Display>(lo: (&str, T), hi: (&str, T), at: &str, out: &mut Vec<Issue>) {
    if lo.1 > hi.1 {
        out.push(Issue::new(
            at,
            ErrorCode::InconsistentRange,
            format!("{} {} is above {} {}", lo.0, lo.1, hi.0, hi.1),
        ));
    }
}

/// An optional age band `{at}.age_min`–`{at}.age_max`: each age in 0–25 ([`age`]) and the
/// minimum not above the maximum ([`not_above`]).
pub fn age_band(min: Option<i64>, max: Option<i64>, at: &str, out: &mut Vec<Issue>) {
    let field = |f: &str| {
        if at.is_empty() {
            f.to_string()
        } else {
            format!("{at}.{f}")
        }
    };
    for (name, v) in [("age_min", min), ("age_max", max)] {
        if let Some(a) = v {
            age(a, &field(name), out);
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        not_above(("age_min", lo), ("age_max", hi), &field("age_min"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fault_has_one_code_and_message() {
        let mut out = Vec::new();
        within(-1.0, Range::Km, "a", &mut out);
        within(2_001.0, Range::Km, "a2", &mut out);
        id("", "a3", &mut out);
        probability(1.5, "b", &mut out);
        sums_to_one(&[0.5, 0.6], "c", &mut out);
        age_band(Some(12), Some(30), "d", &mut out);
        age_band(Some(12), Some(3), "e", &mut out);
        at_least_one(0, "weeks", "f", &mut out);
        let got: Vec<(&str, &str)> = out.iter().map(|i| (i.path.as_str(), i.code.code())).collect();
        assert_eq!(
            got,
            [
                ("a", "E1303"),
                ("a2", "E1306"),
                ("a3", "E1103"),
                ("b", "E1502"),
                ("c", "E1502"),
                ("d.age_max", "E1301"),
                ("e.age_min", "E1304"),
                ("f", "E1303")
            ]
        );
        assert_eq!(out[6].message, "age_min 12 is above age_max 3");
        assert_eq!(out[1].message, "2001 is above the largest allowed, 2,000 km");
    }
}
