//! `solve --forecast FILE` (issue #34): the daily solve with the `lookahead` rule's bed values,
//! a bed kept for expected demand, said so in the result, and the checker agreeing.

use placematch::check::check;
use placematch::compare::lookahead::daily::solve_with_forecast;
use placematch::compare::scenario::load_scenario;
use placematch::matching::explain::solve_and_explain;
use placematch::matching::solver::SolveOptions;
use serde_json::{json, Value};

use crate::harness::{bin, load};

/// One arrival stream: about one child under 5 a day in West Sussex, fostering only.
fn scenario() -> Value {
    json!({
        "format": "placematch/scenario@1",
        "name": "under-5s expected",
        "authorities": [{"code": "E10000032"}],
        "providers": [{"id": "P1", "kind": "local_authority"}],
        "homes": [{"id": "S1", "provider": "P1", "type": "foster", "location": {"postcode": "RH12 1"}, "vacancies": 1, "weekly_price": 400}],
        "segments": [{"name": "under-5s", "rate_per_day": 1.0, "age": {"min": 0, "max": 4},
                      "placement_types": ["foster"], "duration": {"fixed": {"days": 200}}}]
    })
}

/// The only bed for under-5s (H-SMALL, cheaper and nearer) and a larger home for 5–17s.
fn batch(children: Value) -> Value {
    json!({
        "format": "placematch/batch@1",
        "batch_id": "forecast",
        "providers": [{"id": "P1", "kind": "local_authority"}],
        "homes": [
            {"id": "H-SMALL", "provider": "P1", "type": "foster", "location": {"postcode": "RH12 1"},
             "vacancies": 1, "weekly_price": 400, "age_min": 0, "age_max": 17},
            {"id": "H-BIG", "provider": "P1", "type": "foster", "location": {"postcode": "RH13 5"},
             "vacancies": 3, "weekly_price": 600, "age_min": 5, "age_max": 17}
        ],
        "children": children
    })
}

fn solve(
    b: &Value,
) -> (
    placematch::result::format::MatchResult,
    placematch::pair::instance::Instance,
) {
    let inst = load(b);
    let world = load_scenario(&scenario().to_string(), "scen.json", 1).unwrap();
    let bar = indicatif::ProgressBar::hidden();
    let r = solve_with_forecast(
        &inst,
        &world,
        "scen.json",
        Default::default(),
        &SolveOptions::default(),
        3,
        &bar,
    );
    (r, inst)
}

#[test]
fn a_planned_child_is_kept_off_the_bed_the_forecast_needs_and_the_result_checks() {
    let b = batch(json!([{"id": "C1", "location": {"postcode": "RH12 1"}, "age": 8, "urgency": "planned"}]));
    // Without the forecast the planned 8-year-old takes the under-5s' only bed: cheaper, nearer.
    let plain = solve_and_explain(&load(&b), &SolveOptions::default(), 3);
    assert_eq!(plain.placements[0].home, "H-SMALL");
    let (r, inst) = solve(&b);
    assert_eq!(
        r.placements[0].home, "H-BIG",
        "the bed is kept for the under-5s expected"
    );
    assert!(check(&inst, &r).is_empty(), "{:#?}", check(&inst, &r));
    let f = r.forecast.as_ref().expect("the forecast is recorded");
    assert_eq!(f.bed_values.len(), 1);
    let v = &f.bed_values[0];
    assert_eq!(v.home, "H-SMALL");
    assert_eq!(v.kept_for.as_deref(), Some("under-5s"));
    // Worth more than the £200 a week and 1.3 km H-BIG costs more, less than a waiting child.
    assert!(v.value > 300.0 && v.value < 20_000.0 / 7.0, "{}", v.value);
    assert_eq!(f.moved.len(), 1);
    assert_eq!(
        (f.moved[0].without.as_deref(), f.moved[0].with.as_deref()),
        (Some("H-SMALL"), Some("H-BIG"))
    );
    // Nobody sits in a valued bed, so the objective is SPEC §6's.
    assert!((r.objective - f.objective_without_values).abs() < 1e-6);
    let alt = &r.placements[0].alternatives[0];
    assert_eq!(alt.home, "H-SMALL");
    assert!(
        alt.why.contains("H-SMALL is kept for the `under-5s` children"),
        "{}",
        alt.why
    );
    assert!(alt.why.contains("(score, not money)"), "{}", alt.why);
    // The regret is the price, distance and the bed value: the checker recomputed it.
    assert!(alt.regret > v.value - 300.0 && alt.regret < v.value);
}

#[test]
fn a_value_never_leaves_a_child_unplaced_when_waiting_costs_more() {
    // A planned 3-year-old may be held, but a week's wait (£20,000) is worth more than the bed.
    let b = batch(json!([{"id": "C1", "location": {"postcode": "RH12 1"}, "age": 3, "urgency": "planned"}]));
    let (r, inst) = solve(&b);
    assert_eq!(r.placements.len(), 1);
    assert_eq!(r.placements[0].home, "H-SMALL");
    assert!(check(&inst, &r).is_empty(), "{:#?}", check(&inst, &r));
    let f = r.forecast.as_ref().unwrap();
    assert!(f.moved.is_empty());
    // The child sits in the valued bed: the objective includes its value, the record says by how much.
    let v = f.bed_values[0].value;
    assert!(
        (r.objective - f.objective_without_values - v).abs() < 1e-4,
        "{} {} {v}",
        r.objective,
        f.objective_without_values
    );
}

#[test]
fn check_holds_a_result_to_its_recorded_bed_values() {
    let b = batch(json!([{"id": "C1", "location": {"postcode": "RH12 1"}, "age": 3, "urgency": "planned"}]));
    let (r, inst) = solve(&b);
    let mut tampered = r.clone();
    tampered.forecast.as_mut().unwrap().bed_values[0].value += 100.0;
    assert!(
        check(&inst, &tampered).iter().any(|p| p.contains("objective")),
        "a changed value no longer adds up"
    );
    let mut dropped = r.clone();
    dropped.forecast = None;
    assert!(
        !check(&inst, &dropped).is_empty(),
        "without the record the objective is not SPEC's"
    );
}

#[test]
fn cli_forecast_writes_a_result_check_accepts_and_the_table_says_what_was_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (batch_path, scen, out) = (
        dir.path().join("b.json"),
        dir.path().join("scen.json"),
        dir.path().join("r.json"),
    );
    let b = batch(json!([{"id": "C1", "location": {"postcode": "RH12 1"}, "age": 8, "urgency": "planned"}]));
    std::fs::write(&batch_path, b.to_string()).unwrap();
    std::fs::write(&scen, scenario().to_string()).unwrap();
    let run = || {
        bin()
            .arg("solve")
            .arg(&batch_path)
            .arg("--forecast")
            .arg(&scen)
            .args(["--check", "--format", "table"])
            .output()
            .unwrap()
    };
    let o = run();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("C1 goes to H-BIG, not H-SMALL: H-SMALL is kept for the `under-5s`"),
        "{table}"
    );
    assert_eq!(run().stdout, o.stdout, "the same batch and forecast, the same answer");
    bin()
        .arg("solve")
        .arg(&batch_path)
        .arg("--forecast")
        .arg(&scen)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    bin().arg("check").arg(&batch_path).arg(&out).assert().success();
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["forecast"]["bed_values"][0]["home"], "H-SMALL");
    assert_eq!(r["forecast"]["horizon_days"], 14);
}
