//! `simulate --sweep WEIGHT=…` (issue #34): the comparison per value of one policy weight,
//! paired by common random numbers, with the objective scored at the scenario's own weights.

use placematch::compare::rules::Rule;
use placematch::compare::scenario::{load_scenario, World};
use placematch::compare::simulate::{simulate, simulate_sweep, SimOptions};
use placematch::input::weights::parse_sweep;
use serde_json::Value;

use crate::harness::{bin, instance};

fn world(name: &str) -> World {
    let text = std::fs::read_to_string(instance(name)).unwrap();
    load_scenario(&text, name, 1).unwrap_or_else(|e| panic!("{e}"))
}

fn opts(days: usize, replications: usize, rules: &[Rule]) -> SimOptions {
    SimOptions {
        days,
        replications,
        seed: 1,
        rules: rules.to_vec(),
        check: true,
        baseline: None,
        lookahead: Default::default(),
        score_policy: None,
    }
}

#[test]
fn a_dearer_kilometre_keeps_children_nearer_home() {
    // West Sussex over 90 days: at per_km 0 distance is free, at 20 a kilometre costs four
    // times the scenario's own £5.
    let w = world("scenario-single.json");
    let sweep = parse_sweep("per_km=0,20").unwrap();
    let (report, violations) = simulate_sweep(&w, &opts(90, 3, &[Rule::Optimal]), &sweep, &|| {});
    assert!(violations.is_empty(), "{violations:#?}");
    let s = report.sweep.expect("a sweep section");
    assert_eq!(s.rows.len(), 2);
    let (free, dear) = (&s.rows[0], &s.rows[1]);
    assert_eq!((free.value, dear.value), (0.0, 20.0));
    assert!(
        dear.child_days_over_20_miles.mean < free.child_days_over_20_miles.mean,
        "over 20 miles: {} at 20 against {} at 0",
        dear.child_days_over_20_miles.mean,
        free.child_days_over_20_miles.mean
    );
    assert!(dear.totals.mean_km.mean < free.totals.mean_km.mean);
    // Paired: the difference is estimated replication by replication, and its interval is
    // below zero (measured: −880 ±201 child-days at 90 days, 4 replications).
    let d = dear
        .versus_first
        .iter()
        .find(|d| d.key == "child_days_over_20_miles")
        .unwrap();
    assert!(d.hi.unwrap() < 0.0, "{d:?}");
    assert!(free.versus_first.is_empty(), "the first value is the reference");
    // The same children under both values: common random numbers.
    assert_eq!(free.totals.arrivals, dear.totals.arrivals);
}

#[test]
fn the_scenario_s_own_value_reproduces_the_plain_run_and_scores_it_by_its_own_weights() {
    let w = world("scenario-single.json");
    let o = opts(40, 2, &[Rule::Optimal, Rule::Greedy]);
    let sweep = parse_sweep("out_of_area=0,250").unwrap();
    let (report, violations) = simulate_sweep(&w, &o, &sweep, &|| {});
    assert!(violations.is_empty(), "{violations:#?}");
    let s = report.sweep.unwrap();
    assert_eq!(s.scenario_value, Some(250.0));
    assert_eq!(s.rules, vec!["optimal", "greedy"]);
    assert_eq!(s.rows.len(), 4, "one row per value and rule");
    let (plain, _) = simulate(&w, &o, &|| {});
    for rule in &plain.rules {
        let row = s.rows.iter().find(|r| r.value == 250.0 && r.rule == rule.rule).unwrap();
        assert_eq!(row.totals, rule.totals, "{}: the sweep changes nothing else", rule.rule);
        // At the scenario's own weights the two yardsticks agree.
        assert!((row.score.mean - row.score_own_weights.mean).abs() <= 1e-6 * row.score.mean.abs());
    }
    // At another value they differ: the row's own objective has no out-of-area term.
    let zero = s.rows.iter().find(|r| r.value == 0.0 && r.rule == "optimal").unwrap();
    assert_eq!(zero.totals.cost_terms.out_of_area.mean, 0.0);
    assert!(zero.score.mean > zero.score_own_weights.mean);
}

#[test]
fn cli_sweep_prints_a_row_per_value_writes_json_csv_and_a_report_and_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let json = dir.path().join(format!("{name}.json"));
        let out = bin()
            .args([
                "simulate",
                "--days",
                "20",
                "--replications",
                "2",
                "--sweep",
                "per_km=0,5,10,20",
            ])
            .args(["--csv"])
            .arg(dir.path().join(format!("{name}.csv")))
            .arg("--json")
            .arg(&json)
            .arg(instance("scenario-single.json"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            std::fs::read_to_string(&json).unwrap(),
        )
    };
    let (table, json) = run("a");
    assert!(table.contains("sweep of per_km"), "{table}");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("optimal ")).collect();
    // Four values, then three paired differences from the first.
    assert_eq!(rows.len(), 7, "{table}");
    assert!(table.contains("score"), "{table}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "placematch/simulate@1");
    assert_eq!(v["rules"].as_array().unwrap().len(), 0);
    let s = &v["sweep"];
    assert_eq!(s["weight"], "per_km");
    assert_eq!(s["unit"], "£ a week per km");
    assert_eq!(s["rules"], serde_json::json!(["optimal"]));
    assert_eq!(s["rows"].as_array().unwrap().len(), 4);
    for key in [
        "spend",
        "child_days_over_20_miles",
        "child_days_unmet_need",
        "mean_wait_days",
        "score",
    ] {
        assert!(s["rows"][1][key]["lo"].is_number(), "{key}");
    }
    assert_eq!(s["rows"][3]["versus_first"].as_array().unwrap().len(), 5);
    let csv = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    assert!(csv.contains("optimal,per_km=10,,score,"), "{csv}");
    // Same seed, same numbers.
    assert_eq!(run("b").1, json);
    // The report draws the trade-off inline (no network loads).
    let html = placematch::report::render(&json, "sweep.json", None).unwrap();
    assert!(html.contains("Spend against days more than 20 miles from home"));
    assert!(html.contains("Spend against unmet need"));
    assert!(
        html.matches("<svg").count() >= 7,
        "two trade-off charts and five totals"
    );
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn a_sweep_refuses_a_baseline() {
    let out = bin()
        .args(["simulate", "--sweep", "per_km=1", "--baseline", "optimal"])
        .arg(instance("scenario-single.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
