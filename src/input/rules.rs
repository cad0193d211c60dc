//! The generic value rules every input format shares — a batch, a scenario, a plan: numbers
//! that must be finite and not negative, ages, Valuing Care scores, probabilities, and
//! bounds that must not cross. Each reports an [`Issue`] at the path given, with one code per
//! fault, so the same mistake reads the same in every file (docs/reference/errors.md).

use std::fmt::Display;

use crate::errors::{ErrorCode, Issue};

/// Reports a value that is negative or not finite (E1303).
pub fn non_negative(v: f64, at: &str, out: &mut Vec<Issue>) {
    if !v.is_finite() || v < 0.0 {
        out.push(Issue::new(
            at,
            ErrorCode::NegativeValue,
            format!("{v} is not a finite value ≥ 0"),
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
        non_negative(-1.0, "a", &mut out);
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
                ("b", "E1502"),
                ("c", "E1502"),
                ("d.age_max", "E1301"),
                ("e.age_min", "E1304"),
                ("f", "E1303")
            ]
        );
        assert_eq!(out[4].message, "age_min 12 is above age_max 3");
    }
}
