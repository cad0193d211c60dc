//! The policy's numbers by name, for `simulate --sweep WEIGHT=v1,v2,…`: which weights may be
//! swept, each one's documented range, reading the sweep from the command line with coded
//! errors, and setting one weight in a policy layer.

use crate::errors::{ErrorCode, Issue};
use crate::input::batch::{Ofsted, Urgency};
use crate::input::policy::{Policy, PolicyInput};
use crate::input::rules::Range;

/// Where a sweep's problems are reported (the option, not a file path).
const AT: &str = "--sweep";

/// Most values one sweep may take: each is a whole comparison, so a dozen is already a long run.
pub const MAX_SWEEP_VALUES: usize = 12;

/// The numbers of the policy that may be swept, with their ranges (docs/reference/ranges.md):
/// every weight of SPEC §5 and the unplaced costs of §6, by the names a policy file uses
/// (a map's entries as `ofsted_penalty.good`, `unplaced.planned`), plus the two distances.
pub const SWEEPABLE: &[(&str, Range)] = &[
    ("per_km", Range::PoundsPerKm),
    ("free_km", Range::Km),
    ("out_of_area", Range::PoundsAWeek),
    ("unmet_need", Range::PoundsAWeek),
    ("type_rank", Range::PoundsAWeek),
    ("step_across_credit", Range::PoundsAWeek),
    ("language_mismatch", Range::PoundsAWeek),
    ("waiting_day", Range::PoundsPerDay),
    ("max_distance_km", Range::Km),
    ("ofsted_penalty.outstanding", Range::PoundsAWeek),
    ("ofsted_penalty.good", Range::PoundsAWeek),
    ("ofsted_penalty.not_yet_inspected", Range::PoundsAWeek),
    ("ofsted_penalty.requires_improvement", Range::PoundsAWeek),
    ("ofsted_penalty.inadequate", Range::PoundsAWeek),
    ("unplaced.emergency", Range::UnplacedPounds),
    ("unplaced.urgent", Range::UnplacedPounds),
    ("unplaced.planned", Range::UnplacedPounds),
];

/// A sweep as asked for: one weight, and its values in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The weight's name, as in [`SWEEPABLE`].
    pub weight: String,
    /// The values, in the order given (each once).
    pub values: Vec<f64>,
}

/// The range of a sweepable weight.
pub fn range_of(weight: &str) -> Option<Range> {
    SWEEPABLE.iter().find(|(n, _)| *n == weight).map(|(_, r)| *r)
}

/// Reads `WEIGHT=v1,v2,…`: an unknown weight is E1801 (with the closest name and the list),
/// a value that is not a number, below 0 or above the weight's range E1802, and a spec
/// without `=`, without values, with a value twice or more than [`MAX_SWEEP_VALUES`] E1803.
pub fn parse_sweep(spec: &str) -> Result<Sweep, Vec<Issue>> {
    let Some((name, list)) = spec.split_once('=') else {
        return Err(vec![Issue::new(
            AT,
            ErrorCode::BadSweepSpec,
            format!("`{spec}` has no `=`: write the weight, `=` and its values, e.g. `--sweep per_km=0,5,10,20`"),
        )]);
    };
    let name = name.trim();
    let Some(range) = range_of(name) else {
        let known = SWEEPABLE.iter().map(|(n, _)| *n);
        let hint = crate::support::words::closest(name, known.clone())
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        return Err(vec![Issue::new(
            AT,
            ErrorCode::UnknownSweepWeight,
            format!(
                "`{name}` is not a policy weight that can be swept; {hint}the weights are {}",
                known.map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
        )]);
    };
    let mut issues = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    for (i, raw) in list.split(',').map(str::trim).enumerate() {
        if raw.is_empty() {
            continue;
        }
        let at = format!("{AT}.{name}[{i}]");
        let bad = |why: String| Issue::new(&at, ErrorCode::BadSweepValue, why);
        let unit = range.unit();
        let max = crate::support::money::group(range.max() as u64);
        match raw.parse::<f64>() {
            Err(_) => issues.push(bad(format!(
                "`{raw}` is not a number; {name} is a number from 0 to {max} {unit}"
            ))),
            Ok(v) if !v.is_finite() || v < 0.0 => issues.push(bad(format!(
                "{raw} is not a finite value ≥ 0; {name} is from 0 to {max} {unit}"
            ))),
            Ok(v) if v > range.max() => issues.push(bad(format!(
                "{raw} is above the largest allowed for {name}, {max} {unit}"
            ))),
            Ok(v) if values.contains(&v) => issues.push(Issue::new(
                &at,
                ErrorCode::BadSweepSpec,
                format!("{raw} is given twice: give each value once"),
            )),
            Ok(v) => values.push(v),
        }
    }
    if issues.is_empty() && values.is_empty() {
        issues.push(Issue::new(
            AT,
            ErrorCode::BadSweepSpec,
            format!("no values after `{name}=`: give one or more, comma-separated, e.g. `{name}=0,5,10`"),
        ));
    }
    if values.len() > MAX_SWEEP_VALUES {
        issues.push(Issue::new(
            AT,
            ErrorCode::BadSweepSpec,
            format!(
                "{} values: a sweep takes at most {MAX_SWEEP_VALUES} (each is a whole comparison); split it into runs",
                values.len()
            ),
        ));
    }
    if issues.is_empty() {
        Ok(Sweep {
            weight: name.to_string(),
            values,
        })
    } else {
        Err(issues)
    }
}

/// The weight's value in a resolved policy (`None` for `max_distance_km` when there is no
/// limit, or a name that is not sweepable).
pub fn value_in(policy: &Policy, weight: &str) -> Option<f64> {
    let entry = |key: &str| weight.strip_prefix(key).and_then(|k| k.strip_prefix('.'));
    if let Some(r) = entry("ofsted_penalty") {
        return Some(policy.ofsted_cost(ofsted(r)?));
    }
    if let Some(u) = entry("unplaced") {
        return policy.unplaced.get(&urgency(u)?).copied();
    }
    Some(match weight {
        "per_km" => policy.per_km,
        "free_km" => policy.free_km,
        "out_of_area" => policy.out_of_area,
        "unmet_need" => policy.unmet_need,
        "type_rank" => policy.type_rank,
        "step_across_credit" => policy.step_across_credit,
        "language_mismatch" => policy.language_mismatch,
        "waiting_day" => policy.waiting_day,
        "max_distance_km" => return policy.max_distance_km,
        _ => return None,
    })
}

/// `layer` with `weight` set to `v` (a map's entry added to the map): the layer a sweep puts
/// on top of the scenario's policy. Returns false for a name that is not sweepable.
pub fn set_in(layer: &mut PolicyInput, weight: &str, v: f64) -> bool {
    let entry = |key: &str| weight.strip_prefix(key).and_then(|k| k.strip_prefix('.'));
    if let Some(r) = entry("ofsted_penalty").and_then(ofsted) {
        layer.ofsted_penalty.get_or_insert_with(Default::default).insert(r, v);
        return true;
    }
    if let Some(u) = entry("unplaced").and_then(urgency) {
        layer.unplaced.get_or_insert_with(Default::default).insert(u, v);
        return true;
    }
    let slot = match weight {
        "per_km" => &mut layer.per_km,
        "free_km" => &mut layer.free_km,
        "out_of_area" => &mut layer.out_of_area,
        "unmet_need" => &mut layer.unmet_need,
        "type_rank" => &mut layer.type_rank,
        "step_across_credit" => &mut layer.step_across_credit,
        "language_mismatch" => &mut layer.language_mismatch,
        "waiting_day" => &mut layer.waiting_day,
        "max_distance_km" => &mut layer.max_distance_km,
        _ => return false,
    };
    *slot = Some(v);
    true
}

fn ofsted(name: &str) -> Option<Ofsted> {
    Ofsted::ALL.into_iter().find(|o| o.name() == name)
}

fn urgency(name: &str) -> Option<Urgency> {
    Urgency::ALL.into_iter().find(|u| u.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sweepable_weight_reads_and_writes() {
        let p = Policy::default();
        for (name, _) in SWEEPABLE {
            let mut layer = PolicyInput::default();
            assert!(set_in(&mut layer, name, 7.0), "{name}");
            let mut q = p.clone();
            q.apply(&layer);
            assert_eq!(value_in(&q, name), Some(7.0), "{name}");
        }
    }

    #[test]
    fn a_sweep_reads_values_in_order() {
        let s = parse_sweep("per_km=0, 5,10,20").unwrap();
        assert_eq!(s.weight, "per_km");
        assert_eq!(s.values, vec![0.0, 5.0, 10.0, 20.0]);
        let e = parse_sweep("per_kn=1").unwrap_err();
        assert!(e[0].message.contains("did you mean `per_km`?"), "{}", e[0].message);
        assert_eq!(parse_sweep("per_km=-1").unwrap_err()[0].code, ErrorCode::BadSweepValue);
        assert_eq!(parse_sweep("per_km=1,1").unwrap_err()[0].code, ErrorCode::BadSweepSpec);
    }
}
