//! `check` catches every single-field tampering of a result: each field a person reads is
//! changed, one at a time, in results of the example and of generated batches with every side
//! rule, and the checker must reject each (or the result must no longer read).
//!
//! Left out, on purpose, are fields that state how the solver worked or that only a solver
//! could confirm: `solve_seconds` and `model.*` (counts of columns, solves, widenings), the
//! sentences (`why`, a relaxation's `detail`), whether a regret is exact (`regret_exact`: marking an exact regret inexact weakens a true claim) and a
//! competitor's regret (the value of a forced re-solve), and whether a placement's ranking is
//! certain (`rank_certain`: that no unlisted home beats a listed one needs a solver; marking a
//! certain order uncertain weakens a true claim, and an uncertain one claimed certain is caught
//! only where two listed intervals overlap). An alternative's regret is covered: it is tied to
//! its own cost change and its `knock_on`; so are `regret_upper` (equal to it) and
//! `regret_lower` (never above it, equal to it when exact: every regret in these results is).

use placematch::check::check;
use placematch::pair::instance::Instance;
use placematch::result::format::MatchResult;
use serde_json::Value;

use crate::harness::{at_path_mut, instance, load_generated, path_pattern, scalar_paths, solve_checked};

/// Paths (with `[]` for any index) whose tampering `check` is not asked to catch.
const NOT_CHECKED: &[&str] = &[
    "solve_seconds",
    "model.",
    ".why",
    ".detail",
    ".regret_exact",
    ".rank_certain",
    "competition[].regret",
];

/// The value changed enough to matter: a number by at least 1 (and 10 %), a flag flipped, a
/// string lengthened; `None` for a null (nothing to change it to that claims less or more).
fn tampered(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) if n.is_u64() => (n.as_u64().unwrap() + 1).into(),
        Value::Number(n) if n.is_i64() => (n.as_i64().unwrap() + 1).into(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            serde_json::json!(x + (x.abs() * 0.1).max(1.0))
        }
        Value::String(s) => Value::String(format!("{s}X")),
        _ => return None,
    })
}

/// Every tampering `check` let through, as "path (was → now)".
fn uncaught(inst: &Instance, r: &MatchResult) -> (usize, Vec<String>) {
    assert!(check(inst, r).is_empty(), "the untouched result must pass");
    let original = serde_json::to_value(r).unwrap();
    let (mut tried, mut missed) = (0, Vec::new());
    for at in scalar_paths(&original) {
        let path = path_pattern(&at);
        if NOT_CHECKED.iter().any(|n| path.contains(n) || path.starts_with(n)) {
            continue;
        }
        let mut v = original.clone();
        let slot = at_path_mut(&mut v, &at);
        let Some(new) = tampered(slot) else { continue };
        let was = std::mem::replace(slot, new.clone());
        tried += 1;
        let caught = match serde_json::from_value::<MatchResult>(v) {
            Err(_) => true,
            Ok(t) => !check(inst, &t).is_empty(),
        };
        if !caught {
            missed.push(format!("{path} ({was} → {new})"));
        }
    }
    (tried, missed)
}

#[test]
fn every_single_field_tampering_of_the_example_is_caught() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let inst = placematch::pair::instance::load_batch(&text, "example", None).unwrap();
    let r = solve_checked(&inst, 3);
    let (tried, missed) = uncaught(&inst, &r);
    assert!(tried > 900, "only {tried} fields tried");
    assert!(
        missed.is_empty(),
        "{} of {tried} tamperings passed check:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[test]
fn every_single_field_tampering_of_side_rule_results_is_caught() {
    let mut total = 0;
    for seed in [3, 11] {
        let opts = placematch::compare::generate::GenOptions::with_side_constraints(24, 160, seed);
        let inst = load_generated(&opts);
        let r = solve_checked(&inst, 2);
        let (tried, missed) = uncaught(&inst, &r);
        total += tried;
        assert!(
            missed.is_empty(),
            "seed {seed}: {} of {tried} tamperings passed check:\n{}",
            missed.len(),
            missed.join("\n")
        );
    }
    assert!(total > 1_000, "only {total} fields tried");
}
